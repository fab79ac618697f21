use jiff::civil::Date;
use kizuki_domain::Timestamp;
use kizuki_domain::catalogue::GroupStatus;
use kizuki_domain::recurrence::{Change, Pattern, Recurrence, hhmm};

use super::args::{Arg, Conditions, bind_all, bind_all_scalar};
use super::id_list;
use super::venues::Venue;
use crate::{Result, Store, StoreError, parse_column, parse_date, parse_time};

#[derive(Clone, Debug, PartialEq)]
pub struct StudyGroup {
    pub id: i64,
    pub name: String,
    pub name_en: String,
    pub description: String,
    pub description_en: String,
    pub venue: Option<Venue>,
    /// How the hosts are named in public (a name or a group of names), never their address.
    pub host_name: String,
    pub host_name_en: String,
    pub recurrence: Recurrence,
    pub first_meeting_on: Date,
    pub contact_note: String,
    pub contact_note_en: String,
    pub status: GroupStatus,
    pub changes: Vec<MeetingChange>,
    /// Accounts that may edit the group.
    pub host_user_ids: Vec<i64>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeetingChange {
    pub original_on: Date,
    pub change: Change,
    pub note: String,
    pub note_en: String,
}

pub struct StudyGroupInput<'a> {
    pub name: &'a str,
    pub name_en: &'a str,
    pub description: &'a str,
    pub description_en: &'a str,
    pub venue_id: Option<i64>,
    pub host_name: &'a str,
    pub host_name_en: &'a str,
    pub recurrence: Recurrence,
    pub first_meeting_on: Date,
    pub contact_note: &'a str,
    pub contact_note_en: &'a str,
    pub status: GroupStatus,
    pub host_user_ids: &'a [i64],
}

#[derive(Clone, Debug, Default)]
pub struct StudyGroupFilter {
    pub prefectures: Vec<u8>,
    pub online_only: bool,
    pub municipality: Option<String>,
    pub venue_id: Option<i64>,
    pub statuses: Vec<GroupStatus>,
    /// Only the groups these accounts host.
    pub hosted_by: Option<i64>,
    pub offset: i64,
    pub limit: i64,
}

#[derive(sqlx::FromRow)]
struct GroupRow {
    id: i64,
    name: String,
    name_en: String,
    description: String,
    description_en: String,
    venue_id: Option<i64>,
    host_name: String,
    host_name_en: String,
    recurrence_rule: String,
    starts_at: String,
    ends_at: String,
    first_meeting_on: String,
    contact_note: String,
    contact_note_en: String,
    status: String,
    created_at: i64,
    updated_at: i64,
}

const COLUMNS: &str = "g.id, g.name, g.name_en, g.description, g.description_en, g.venue_id, \
     g.host_name, g.host_name_en, g.recurrence_rule, g.starts_at, g.ends_at, g.first_meeting_on, \
     g.contact_note, g.contact_note_en, g.status, g.created_at, g.updated_at";

impl Store {
    pub async fn create_study_group(
        &self,
        input: &StudyGroupInput<'_>,
        created_by: Option<i64>,
        now: Timestamp,
    ) -> Result<i64> {
        let mut transaction = self.begin_write().await?;
        let id = insert_study_group(&mut transaction, input, created_by, now).await?;
        transaction.commit().await?;
        Ok(id)
    }

    pub async fn update_study_group(
        &self,
        id: i64,
        input: &StudyGroupInput<'_>,
        now: Timestamp,
    ) -> Result<()> {
        let mut transaction = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE study_groups SET name = $1, name_en = $2, description = $3, description_en = $4, \
             venue_id = $5, host_name = $6, host_name_en = $7, recurrence_rule = $8, starts_at = $9, \
             ends_at = $10, first_meeting_on = $11, contact_note = $12, contact_note_en = $13, \
             status = $14, updated_at = $15 WHERE id = $16 AND import_id IS NULL",
        )
        .bind(input.name)
        .bind(input.name_en)
        .bind(input.description)
        .bind(input.description_en)
        .bind(input.venue_id)
        .bind(input.host_name)
        .bind(input.host_name_en)
        .bind(input.recurrence.pattern.rrule())
        .bind(hhmm(input.recurrence.start))
        .bind(hhmm(input.recurrence.end))
        .bind(input.first_meeting_on.to_string())
        .bind(input.contact_note)
        .bind(input.contact_note_en)
        .bind(input.status.as_str())
        .bind(now.seconds())
        .bind(id)
        .execute(&mut *transaction)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM study_group_hosts WHERE group_id = $1")
            .bind(id)
            .execute(&mut *transaction)
            .await?;
        for user_id in input.host_user_ids {
            sqlx::query("INSERT INTO study_group_hosts (group_id, user_id) VALUES ($1, $2)")
                .bind(id)
                .bind(*user_id)
                .execute(&mut *transaction)
                .await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    /// An organiser's approval makes a new group public.
    pub async fn approve_study_group(
        &self,
        id: i64,
        approved_by: i64,
        now: Timestamp,
    ) -> Result<()> {
        let updated = sqlx::query(
            "UPDATE study_groups SET status = 'active', approved_by = $1, approved_at = $2, updated_at = $2 \
             WHERE id = $3 AND status = 'pending_approval' AND import_id IS NULL",
        )
        .bind(approved_by)
        .bind(now.seconds())
        .bind(id)
        .execute(&self.pool)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    pub async fn delete_study_group(&self, id: i64) -> Result<()> {
        let deleted = sqlx::query("DELETE FROM study_groups WHERE id = $1 AND import_id IS NULL")
            .bind(id)
            .execute(&self.pool)
            .await?;
        if deleted.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Records (or replaces) a one-off change to one meeting.
    pub async fn set_meeting_change(&self, group_id: i64, change: &MeetingChange) -> Result<()> {
        let mut transaction = self.begin_write().await?;
        sqlx::query("DELETE FROM study_group_changes WHERE group_id = $1 AND original_on = $2")
            .bind(group_id)
            .bind(change.original_on.to_string())
            .execute(&mut *transaction)
            .await?;
        let (kind, moved_to, start, end) = match change.change {
            Change::Cancelled => ("cancelled", None, None, None),
            Change::Moved { to, start, end } => (
                "moved",
                Some(to.to_string()),
                Some(hhmm(start)),
                Some(hhmm(end)),
            ),
        };
        sqlx::query(
            "INSERT INTO study_group_changes (group_id, original_on, change, moved_to_on, starts_at, ends_at, note, note_en) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(group_id)
        .bind(change.original_on.to_string())
        .bind(kind)
        .bind(moved_to)
        .bind(start)
        .bind(end)
        .bind(&change.note)
        .bind(&change.note_en)
        .execute(&mut *transaction)
        .await?;
        transaction.commit().await?;
        Ok(())
    }

    pub async fn clear_meeting_change(&self, group_id: i64, original_on: Date) -> Result<()> {
        sqlx::query("DELETE FROM study_group_changes WHERE group_id = $1 AND original_on = $2")
            .bind(group_id)
            .bind(original_on.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn study_group(&self, id: i64) -> Result<StudyGroup> {
        let sql =
            format!("SELECT {COLUMNS} FROM study_groups g WHERE g.id = $1 AND g.import_id IS NULL");
        let row: Option<GroupRow> = sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        let row = row.ok_or(StoreError::NotFound)?;
        self.complete_groups(vec![row])
            .await?
            .pop()
            .ok_or(StoreError::NotFound)
    }

    pub async fn study_groups(&self, filter: &StudyGroupFilter) -> Result<(Vec<StudyGroup>, i64)> {
        let mut conditions = Conditions::default();
        conditions.push_plain("g.import_id IS NULL");
        if !filter.statuses.is_empty() {
            let names: Vec<String> = filter
                .statuses
                .iter()
                .map(|s| format!("'{}'", s.as_str()))
                .collect();
            conditions.push_plain(&format!("g.status IN ({})", names.join(",")));
        }
        if !filter.prefectures.is_empty() {
            let codes: Vec<i64> = filter
                .prefectures
                .iter()
                .map(|code| i64::from(*code))
                .collect();
            conditions.push_plain(&format!(
                "g.venue_id IN (SELECT id FROM venues WHERE prefecture_code IN ({}))",
                id_list(&codes)
            ));
        }
        if let Some(municipality) = &filter.municipality {
            conditions.push(
                "g.venue_id IN (SELECT id FROM venues WHERE municipality = {})",
                Arg::Text(municipality.clone()),
            );
        }
        if filter.online_only {
            conditions.push_plain("g.venue_id IN (SELECT id FROM venues WHERE kind = 'online')");
        }
        if let Some(venue_id) = filter.venue_id {
            conditions.push("g.venue_id = {}", Arg::Int(venue_id));
        }
        if let Some(user_id) = filter.hosted_by {
            conditions.push(
                "g.id IN (SELECT group_id FROM study_group_hosts WHERE user_id = {})",
                Arg::Int(user_id),
            );
        }
        let where_clause = conditions.where_clause();
        let count_sql = format!("SELECT COUNT(*) FROM study_groups g {where_clause}");
        let total: i64 = bind_all_scalar(sqlx::query_scalar(&count_sql), conditions.args())
            .fetch_one(&self.pool)
            .await?;
        let sql = format!(
            "SELECT {COLUMNS} FROM study_groups g {where_clause} \
             ORDER BY CASE g.status WHEN 'active' THEN 0 WHEN 'pending_approval' THEN 1 WHEN 'paused' THEN 2 ELSE 3 END, \
             g.first_meeting_on, g.id LIMIT {} OFFSET {}",
            conditions.next_placeholder(1),
            conditions.next_placeholder(2)
        );
        let rows: Vec<GroupRow> = bind_all(sqlx::query_as(&sql), conditions.args())
            .bind(filter.limit.clamp(1, 500))
            .bind(filter.offset.max(0))
            .fetch_all(&self.pool)
            .await?;
        Ok((self.complete_groups(rows).await?, total))
    }

    async fn complete_groups(&self, rows: Vec<GroupRow>) -> Result<Vec<StudyGroup>> {
        let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
        let venue_ids: Vec<i64> = rows.iter().filter_map(|row| row.venue_id).collect();
        let venues = self.venues_by_id(&venue_ids).await?;
        let changes = self.changes_of(&ids).await?;
        let hosts: Vec<(i64, i64)> = sqlx::query_as(&format!(
            "SELECT group_id, user_id FROM study_group_hosts WHERE group_id IN ({}) ORDER BY user_id",
            id_list(&ids)
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row| {
                let pattern = Pattern::parse_rrule(&row.recurrence_rule)
                    .map_err(|error| StoreError::Corrupt(error.to_string()))?;
                let recurrence = Recurrence::new(
                    pattern,
                    parse_time("starts_at", &row.starts_at)?,
                    parse_time("ends_at", &row.ends_at)?,
                )
                .map_err(|error| StoreError::Corrupt(error.to_string()))?;
                Ok(StudyGroup {
                    id: row.id,
                    venue: row
                        .venue_id
                        .and_then(|id| venues.iter().find(|v| v.id == id).cloned()),
                    recurrence,
                    first_meeting_on: parse_date("first_meeting_on", &row.first_meeting_on)?,
                    status: parse_column("group status", &row.status)?,
                    changes: changes
                        .iter()
                        .filter(|(id, _)| *id == row.id)
                        .map(|(_, c)| c.clone())
                        .collect(),
                    host_user_ids: hosts
                        .iter()
                        .filter(|(id, _)| *id == row.id)
                        .map(|(_, user)| *user)
                        .collect(),
                    name: row.name,
                    name_en: row.name_en,
                    description: row.description,
                    description_en: row.description_en,
                    host_name: row.host_name,
                    host_name_en: row.host_name_en,
                    contact_note: row.contact_note,
                    contact_note_en: row.contact_note_en,
                    created_at: Timestamp(row.created_at),
                    updated_at: Timestamp(row.updated_at),
                })
            })
            .collect()
    }

    async fn changes_of(&self, group_ids: &[i64]) -> Result<Vec<(i64, MeetingChange)>> {
        type Row = (
            i64,
            String,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            String,
            String,
        );
        let rows: Vec<Row> = sqlx::query_as(&format!(
            "SELECT group_id, original_on, change, moved_to_on, starts_at, ends_at, note, note_en \
             FROM study_group_changes WHERE group_id IN ({}) ORDER BY group_id, original_on",
            id_list(group_ids)
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(
                |(group_id, original, kind, moved_to, start, end, note, note_en)| {
                    let change = match (kind.as_str(), moved_to, start, end) {
                        ("moved", Some(to), Some(start), Some(end)) => Change::Moved {
                            to: parse_date("moved_to_on", &to)?,
                            start: parse_time("starts_at", &start)?,
                            end: parse_time("ends_at", &end)?,
                        },
                        ("cancelled", ..) => Change::Cancelled,
                        _ => {
                            return Err(StoreError::Corrupt(format!(
                                "unexpected meeting change {kind:?}"
                            )));
                        }
                    };
                    Ok((
                        group_id,
                        MeetingChange {
                            original_on: parse_date("original_on", &original)?,
                            change,
                            note,
                            note_en,
                        },
                    ))
                },
            )
            .collect()
    }
}

pub(crate) async fn insert_study_group(
    connection: &mut sqlx::AnyConnection,
    input: &StudyGroupInput<'_>,
    created_by: Option<i64>,
    now: Timestamp,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO study_groups (name, name_en, description, description_en, venue_id, \
         host_name, host_name_en, recurrence_rule, starts_at, ends_at, first_meeting_on, \
         contact_note, contact_note_en, status, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16) RETURNING id",
    )
    .bind(input.name)
    .bind(input.name_en)
    .bind(input.description)
    .bind(input.description_en)
    .bind(input.venue_id)
    .bind(input.host_name)
    .bind(input.host_name_en)
    .bind(input.recurrence.pattern.rrule())
    .bind(hhmm(input.recurrence.start))
    .bind(hhmm(input.recurrence.end))
    .bind(input.first_meeting_on.to_string())
    .bind(input.contact_note)
    .bind(input.contact_note_en)
    .bind(input.status.as_str())
    .bind(created_by)
    .bind(now.seconds())
    .fetch_one(&mut *connection)
    .await?;
    for user_id in input.host_user_ids {
        sqlx::query("INSERT INTO study_group_hosts (group_id, user_id) VALUES ($1, $2)")
            .bind(id)
            .bind(*user_id)
            .execute(&mut *connection)
            .await?;
    }
    Ok(id)
}
