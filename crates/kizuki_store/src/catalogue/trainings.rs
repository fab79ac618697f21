use jiff::civil::Date;
use kizuki_domain::Timestamp;
use kizuki_domain::catalogue::{TrainingDay, TrainingKind, TrainingStatus};
use kizuki_domain::recurrence::hhmm;

use super::args::{Arg, Conditions, bind_all, bind_all_scalar};
use super::id_list;
use super::people::Person;
use super::venues::Venue;
use crate::{Result, Store, StoreError, parse_column, parse_date, parse_time};

#[derive(Clone, Debug, PartialEq)]
pub struct Training {
    pub id: i64,
    pub title: String,
    pub title_en: String,
    pub description: String,
    pub description_en: String,
    pub kind: TrainingKind,
    pub status: TrainingStatus,
    pub venue: Option<Venue>,
    pub language_note: String,
    pub language_note_en: String,
    pub fee_yen: Option<i64>,
    pub fee_note: String,
    pub fee_note_en: String,
    pub capacity: Option<i64>,
    pub applications_open_on: Option<Date>,
    pub applications_close_on: Option<Date>,
    pub programme_version: String,
    pub attendance_count: Option<i64>,
    /// In date order; never empty for a stored training.
    pub days: Vec<TrainingDay>,
    pub facilitators: Vec<Person>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Training {
    pub fn first_day(&self) -> Option<Date> {
        self.days.first().map(|day| day.date)
    }

    pub fn last_day(&self) -> Option<Date> {
        self.days.last().map(|day| day.date)
    }
}

pub struct TrainingInput<'a> {
    pub title: &'a str,
    pub title_en: &'a str,
    pub description: &'a str,
    pub description_en: &'a str,
    pub kind: TrainingKind,
    pub status: TrainingStatus,
    pub venue_id: Option<i64>,
    pub language_note: &'a str,
    pub language_note_en: &'a str,
    pub fee_yen: Option<i64>,
    pub fee_note: &'a str,
    pub fee_note_en: &'a str,
    pub capacity: Option<i64>,
    pub applications_open_on: Option<Date>,
    pub applications_close_on: Option<Date>,
    pub programme_version: &'a str,
    pub attendance_count: Option<i64>,
    pub days: &'a [TrainingDay],
    pub facilitator_ids: &'a [i64],
}

/// Which trainings, relative to today.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum When {
    /// Not yet over (the last day is today or later), soonest first.
    #[default]
    Upcoming,
    /// Over, most recent first.
    Past,
    /// All, most recent first.
    All,
}

#[derive(Clone, Debug, Default)]
pub struct TrainingFilter {
    pub prefectures: Vec<u8>,
    pub kind: Option<TrainingKind>,
    /// Trainings with a day in this month.
    pub month: Option<(i16, i8)>,
    pub year: Option<i16>,
    pub online_only: bool,
    pub municipality: Option<String>,
    pub venue_id: Option<i64>,
    /// Words in the title (either language), case-insensitive.
    pub text: Option<String>,
    pub when: When,
    pub today: Option<Date>,
    /// Drafts are shown to organisers only.
    pub include_drafts: bool,
    pub offset: i64,
    pub limit: i64,
}

#[derive(sqlx::FromRow)]
struct TrainingRow {
    id: i64,
    title: String,
    title_en: String,
    description: String,
    description_en: String,
    kind: String,
    status: String,
    venue_id: Option<i64>,
    language_note: String,
    language_note_en: String,
    fee_yen: Option<i64>,
    fee_note: String,
    fee_note_en: String,
    capacity: Option<i64>,
    applications_open_on: Option<String>,
    applications_close_on: Option<String>,
    programme_version: String,
    attendance_count: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

const COLUMNS: &str = "t.id, t.title, t.title_en, t.description, t.description_en, t.kind, \
     t.status, t.venue_id, t.language_note, t.language_note_en, t.fee_yen, t.fee_note, \
     t.fee_note_en, t.capacity, t.applications_open_on, t.applications_close_on, \
     t.programme_version, t.attendance_count, t.created_at, t.updated_at";

const FIRST_DAY: &str = "(SELECT MIN(d.day_on) FROM training_days d WHERE d.training_id = t.id)";
const LAST_DAY: &str = "(SELECT MAX(d.day_on) FROM training_days d WHERE d.training_id = t.id)";

impl Store {
    pub async fn create_training(
        &self,
        input: &TrainingInput<'_>,
        created_by: Option<i64>,
        now: Timestamp,
    ) -> Result<i64> {
        let mut transaction = self.begin_write().await?;
        let id = insert_training(&mut transaction, input, created_by, now).await?;
        transaction.commit().await?;
        Ok(id)
    }

    pub async fn update_training(
        &self,
        id: i64,
        input: &TrainingInput<'_>,
        now: Timestamp,
    ) -> Result<()> {
        let mut transaction = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE trainings SET title = $1, title_en = $2, description = $3, description_en = $4, \
             kind = $5, status = $6, venue_id = $7, language_note = $8, language_note_en = $9, \
             fee_yen = $10, fee_note = $11, fee_note_en = $12, capacity = $13, \
             applications_open_on = $14, applications_close_on = $15, programme_version = $16, \
             attendance_count = $17, updated_at = $18 WHERE id = $19 AND import_id IS NULL",
        )
        .bind(input.title)
        .bind(input.title_en)
        .bind(input.description)
        .bind(input.description_en)
        .bind(input.kind.as_str())
        .bind(input.status.as_str())
        .bind(input.venue_id)
        .bind(input.language_note)
        .bind(input.language_note_en)
        .bind(input.fee_yen)
        .bind(input.fee_note)
        .bind(input.fee_note_en)
        .bind(input.capacity)
        .bind(input.applications_open_on.map(|d| d.to_string()))
        .bind(input.applications_close_on.map(|d| d.to_string()))
        .bind(input.programme_version)
        .bind(input.attendance_count)
        .bind(now.seconds())
        .bind(id)
        .execute(&mut *transaction)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        replace_days_and_facilitators(&mut transaction, id, input).await?;
        transaction.commit().await?;
        Ok(())
    }

    pub async fn delete_training(&self, id: i64) -> Result<()> {
        let deleted = sqlx::query("DELETE FROM trainings WHERE id = $1 AND import_id IS NULL")
            .bind(id)
            .execute(&self.pool)
            .await?;
        if deleted.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    pub async fn training(&self, id: i64) -> Result<Training> {
        let sql =
            format!("SELECT {COLUMNS} FROM trainings t WHERE t.id = $1 AND t.import_id IS NULL");
        let row: Option<TrainingRow> = sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        let row = row.ok_or(StoreError::NotFound)?;
        self.complete_trainings(vec![row])
            .await?
            .pop()
            .ok_or(StoreError::NotFound)
    }

    /// One page of trainings and how many match in all.
    pub async fn trainings(&self, filter: &TrainingFilter) -> Result<(Vec<Training>, i64)> {
        let mut conditions = Conditions::default();
        conditions.push_plain("t.import_id IS NULL");
        if !filter.include_drafts {
            conditions.push_plain("t.status <> 'draft'");
        }
        if let Some(kind) = filter.kind {
            conditions.push("t.kind = {}", Arg::Text(kind.as_str().to_owned()));
        }
        if !filter.prefectures.is_empty() {
            let codes: Vec<i64> = filter
                .prefectures
                .iter()
                .map(|code| i64::from(*code))
                .collect();
            conditions.push_plain(&format!(
                "t.venue_id IN (SELECT id FROM venues WHERE prefecture_code IN ({}))",
                id_list(&codes)
            ));
        }
        if let Some(municipality) = &filter.municipality {
            conditions.push(
                "t.venue_id IN (SELECT id FROM venues WHERE municipality = {})",
                Arg::Text(municipality.clone()),
            );
        }
        if filter.online_only {
            conditions.push_plain("t.venue_id IN (SELECT id FROM venues WHERE kind = 'online')");
        }
        if let Some(venue_id) = filter.venue_id {
            conditions.push("t.venue_id = {}", Arg::Int(venue_id));
        }
        if let Some(text) = filter
            .text
            .as_deref()
            .filter(|text| !text.trim().is_empty())
        {
            let escaped = text
                .trim()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            conditions.push(
                "(LOWER(t.title) LIKE {} ESCAPE '\\' OR LOWER(t.title_en) LIKE {} ESCAPE '\\')",
                Arg::Text(format!("%{}%", escaped.to_lowercase())),
            );
        }
        if let Some((year, month)) = filter.month {
            conditions.push(
                "EXISTS (SELECT 1 FROM training_days d WHERE d.training_id = t.id AND substr(d.day_on, 1, 7) = {})",
                Arg::Text(format!("{year:04}-{month:02}")),
            );
        }
        if let Some(year) = filter.year {
            conditions.push(
                &format!("substr({FIRST_DAY}, 1, 4) = {{}}"),
                Arg::Text(format!("{year:04}")),
            );
        }
        let today = filter.today.map(|d| d.to_string());
        let order = match (filter.when, &today) {
            (When::Upcoming, Some(today)) => {
                conditions.push(&format!("{LAST_DAY} >= {{}}"), Arg::Text(today.clone()));
                format!("{FIRST_DAY} ASC, t.id ASC")
            }
            (When::Past, Some(today)) => {
                conditions.push(&format!("{LAST_DAY} < {{}}"), Arg::Text(today.clone()));
                format!("{FIRST_DAY} DESC, t.id DESC")
            }
            _ => format!("{FIRST_DAY} DESC, t.id DESC"),
        };
        let where_clause = conditions.where_clause();
        let count_sql = format!("SELECT COUNT(*) FROM trainings t {where_clause}");
        let total: i64 = bind_all_scalar(sqlx::query_scalar(&count_sql), conditions.args())
            .fetch_one(&self.pool)
            .await?;
        let sql = format!(
            "SELECT {COLUMNS} FROM trainings t {where_clause} ORDER BY {order} LIMIT {} OFFSET {}",
            conditions.next_placeholder(1),
            conditions.next_placeholder(2)
        );
        let rows: Vec<TrainingRow> = bind_all(sqlx::query_as(&sql), conditions.args())
            .bind(filter.limit.clamp(1, 500))
            .bind(filter.offset.max(0))
            .fetch_all(&self.pool)
            .await?;
        Ok((self.complete_trainings(rows).await?, total))
    }

    /// Adds days, venue and facilitators to training rows, in three queries for any number.
    async fn complete_trainings(&self, rows: Vec<TrainingRow>) -> Result<Vec<Training>> {
        let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
        let venue_ids: Vec<i64> = rows.iter().filter_map(|row| row.venue_id).collect();
        let venues = self.venues_by_id(&venue_ids).await?;
        let days = self.days_of(&ids).await?;
        let facilitators = self.facilitators_of(&ids).await?;
        rows.into_iter()
            .map(|row| {
                Ok(Training {
                    id: row.id,
                    kind: parse_column("training kind", &row.kind)?,
                    status: parse_column("training status", &row.status)?,
                    venue: row
                        .venue_id
                        .and_then(|id| venues.iter().find(|v| v.id == id).cloned()),
                    days: days
                        .iter()
                        .filter(|(id, _)| *id == row.id)
                        .map(|(_, day)| *day)
                        .collect(),
                    facilitators: facilitators
                        .iter()
                        .filter(|(id, _)| *id == row.id)
                        .map(|(_, person)| person.clone())
                        .collect(),
                    applications_open_on: row
                        .applications_open_on
                        .as_deref()
                        .map(|d| parse_date("applications_open_on", d))
                        .transpose()?,
                    applications_close_on: row
                        .applications_close_on
                        .as_deref()
                        .map(|d| parse_date("applications_close_on", d))
                        .transpose()?,
                    title: row.title,
                    title_en: row.title_en,
                    description: row.description,
                    description_en: row.description_en,
                    language_note: row.language_note,
                    language_note_en: row.language_note_en,
                    fee_yen: row.fee_yen,
                    fee_note: row.fee_note,
                    fee_note_en: row.fee_note_en,
                    capacity: row.capacity,
                    programme_version: row.programme_version,
                    attendance_count: row.attendance_count,
                    created_at: Timestamp(row.created_at),
                    updated_at: Timestamp(row.updated_at),
                })
            })
            .collect()
    }

    async fn days_of(&self, training_ids: &[i64]) -> Result<Vec<(i64, TrainingDay)>> {
        let sql = format!(
            "SELECT training_id, day_on, starts_at, ends_at FROM training_days \
             WHERE training_id IN ({}) ORDER BY training_id, day_on",
            id_list(training_ids)
        );
        let rows: Vec<(i64, String, String, String)> =
            sqlx::query_as(&sql).fetch_all(&self.pool).await?;
        rows.into_iter()
            .map(|(id, date, start, end)| {
                Ok((
                    id,
                    TrainingDay {
                        date: parse_date("day_on", &date)?,
                        start: parse_time("starts_at", &start)?,
                        end: parse_time("ends_at", &end)?,
                    },
                ))
            })
            .collect()
    }
}

async fn replace_days_and_facilitators(
    transaction: &mut sqlx::AnyConnection,
    id: i64,
    input: &TrainingInput<'_>,
) -> Result<()> {
    sqlx::query("DELETE FROM training_days WHERE training_id = $1")
        .bind(id)
        .execute(&mut *transaction)
        .await?;
    for day in input.days {
        sqlx::query("INSERT INTO training_days (training_id, day_on, starts_at, ends_at) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(day.date.to_string())
            .bind(hhmm(day.start))
            .bind(hhmm(day.end))
            .execute(&mut *transaction)
            .await
            .map_err(|error| StoreError::conflict_on_unique(error, "a day with this date"))?;
    }
    sqlx::query("DELETE FROM training_facilitators WHERE training_id = $1")
        .bind(id)
        .execute(&mut *transaction)
        .await?;
    for (position, person_id) in input.facilitator_ids.iter().enumerate() {
        sqlx::query("INSERT INTO training_facilitators (training_id, person_id, position) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(*person_id)
            .bind(i64::try_from(position).unwrap_or(i64::MAX))
            .execute(&mut *transaction)
            .await?;
    }
    Ok(())
}

pub(crate) async fn insert_training(
    connection: &mut sqlx::AnyConnection,
    input: &TrainingInput<'_>,
    created_by: Option<i64>,
    now: Timestamp,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO trainings (title, title_en, description, description_en, kind, status, \
         venue_id, language_note, language_note_en, fee_yen, fee_note, fee_note_en, capacity, \
         applications_open_on, applications_close_on, programme_version, attendance_count, \
         created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
         $11, $12, $13, $14, $15, $16, $17, $18, $19, $19) RETURNING id",
    )
    .bind(input.title)
    .bind(input.title_en)
    .bind(input.description)
    .bind(input.description_en)
    .bind(input.kind.as_str())
    .bind(input.status.as_str())
    .bind(input.venue_id)
    .bind(input.language_note)
    .bind(input.language_note_en)
    .bind(input.fee_yen)
    .bind(input.fee_note)
    .bind(input.fee_note_en)
    .bind(input.capacity)
    .bind(input.applications_open_on.map(|d| d.to_string()))
    .bind(input.applications_close_on.map(|d| d.to_string()))
    .bind(input.programme_version)
    .bind(input.attendance_count)
    .bind(created_by)
    .bind(now.seconds())
    .fetch_one(&mut *connection)
    .await?;
    replace_days_and_facilitators(connection, id, input).await?;
    Ok(id)
}
