//! Reading applications (the applicant's own, an organiser's roster) and the changes that do not
//! touch seats: contact details, and deletion at the applicant's request.

use kizuki_domain::Timestamp;
use kizuki_domain::allocation::Status;

use super::status_of;
use crate::{Result, Store, StoreError};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplicationRecord {
    pub id: i64,
    pub training_id: i64,
    pub frame_id: Option<i64>,
    pub status: Status,
    /// Place on the waitlist, 1 first, within the frame.
    pub waitlist_rank: Option<i64>,
    pub name: String,
    pub furigana: String,
    pub email: String,
    pub phone: String,
    /// Comma-separated background names.
    pub backgrounds: String,
    pub background_other: String,
    pub motivation: String,
    pub access_needs: String,
    /// The applicant agreed that the training's facilitators read the access needs.
    pub share_access_needs: bool,
    pub answers: Vec<(i64, String)>,
    pub privacy_version: String,
    pub lang: String,
    pub manage_nonce: String,
    pub hold_expires_at: Option<Timestamp>,
    pub email_verified_at: Option<Timestamp>,
    pub offered_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    training_id: i64,
    frame_id: Option<i64>,
    status: String,
    waitlist_rank: Option<i64>,
    name: String,
    furigana: String,
    email: String,
    phone: String,
    backgrounds: String,
    background_other: String,
    motivation: String,
    access_needs: String,
    share_access_needs: i64,
    answers: String,
    privacy_version: String,
    lang: String,
    manage_nonce: String,
    hold_expires_at: Option<i64>,
    email_verified_at: Option<i64>,
    offered_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<Row> for ApplicationRecord {
    type Error = StoreError;

    fn try_from(row: Row) -> Result<ApplicationRecord> {
        Ok(ApplicationRecord {
            id: row.id,
            training_id: row.training_id,
            frame_id: row.frame_id,
            status: status_of(&row.status)?,
            waitlist_rank: row.waitlist_rank,
            name: row.name,
            furigana: row.furigana,
            email: row.email,
            phone: row.phone,
            backgrounds: row.backgrounds,
            background_other: row.background_other,
            motivation: row.motivation,
            access_needs: row.access_needs,
            share_access_needs: row.share_access_needs != 0,
            answers: serde_json::from_str(&row.answers).unwrap_or_default(),
            privacy_version: row.privacy_version,
            lang: row.lang,
            manage_nonce: row.manage_nonce,
            hold_expires_at: row.hold_expires_at.map(Timestamp),
            email_verified_at: row.email_verified_at.map(Timestamp),
            offered_at: row.offered_at.map(Timestamp),
            created_at: Timestamp(row.created_at),
            updated_at: Timestamp(row.updated_at),
        })
    }
}

/// What an applicant may change of their application on its private page.
#[derive(Clone, Copy, Debug)]
pub struct ContactDetails<'a> {
    pub name: &'a str,
    pub furigana: &'a str,
    pub phone: &'a str,
    pub access_needs: &'a str,
    /// The training's facilitators may read the access needs.
    pub share_access_needs: bool,
}

const SELECT: &str = "SELECT a.id, a.training_id, a.frame_id, a.status, \
     CASE WHEN a.status = 'waitlisted' THEN (SELECT COUNT(*) FROM applications w \
       WHERE w.training_id = a.training_id AND COALESCE(w.frame_id, 0) = COALESCE(a.frame_id, 0) \
       AND w.status = 'waitlisted' AND w.waitlist_position <= a.waitlist_position) END AS waitlist_rank, \
     a.name, a.furigana, a.email, a.phone, a.backgrounds, a.background_other, a.motivation, \
     a.access_needs, a.share_access_needs, a.answers, a.privacy_version, a.lang, a.manage_nonce, a.hold_expires_at, \
     a.email_verified_at, a.offered_at, a.created_at, a.updated_at FROM applications a";

/// Which applications a roster shows.
#[derive(Clone, Debug, Default)]
pub struct RosterFilter {
    pub status: Option<Status>,
    pub frame_id: Option<i64>,
    pub background: Option<String>,
    /// Part of a name, furigana or email address.
    pub text: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct LogEntry {
    pub at: i64,
    pub actor: Option<String>,
    pub action: String,
    pub reason: String,
}

impl Store {
    pub async fn application(&self, id: i64) -> Result<ApplicationRecord> {
        let row: Option<Row> = sqlx::query_as(&format!("{SELECT} WHERE a.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.ok_or(StoreError::NotFound)?.try_into()
    }

    /// The application a private link opens.
    pub async fn application_by_digest(&self, digest: &str) -> Result<ApplicationRecord> {
        let row: Option<Row> = sqlx::query_as(&format!("{SELECT} WHERE a.manage_digest = $1"))
            .bind(digest)
            .fetch_optional(&self.pool)
            .await?;
        row.ok_or(StoreError::NotFound)?.try_into()
    }

    pub async fn application_by_email(
        &self,
        training_id: i64,
        email: &str,
    ) -> Result<ApplicationRecord> {
        let row: Option<Row> = sqlx::query_as(&format!(
            "{SELECT} WHERE a.training_id = $1 AND a.email = $2"
        ))
        .bind(training_id)
        .bind(email)
        .fetch_optional(&self.pool)
        .await?;
        row.ok_or(StoreError::NotFound)?.try_into()
    }

    /// A training's applications: seats first, then the waitlist in order, then the rest.
    pub async fn roster(
        &self,
        training_id: i64,
        filter: &RosterFilter,
    ) -> Result<Vec<ApplicationRecord>> {
        let mut sql = format!("{SELECT} WHERE a.training_id = $1");
        let mut texts: Vec<String> = Vec::new();
        let mut numbers: Vec<i64> = Vec::new();
        if let Some(status) = filter.status {
            texts.push(status.as_str().to_owned());
            sql.push_str(&format!(" AND a.status = $T{}", texts.len()));
        }
        if let Some(background) = &filter.background {
            texts.push(format!("%{background}%"));
            sql.push_str(&format!(" AND a.backgrounds LIKE $T{}", texts.len()));
        }
        if let Some(text) = filter.text.as_deref().filter(|t| !t.is_empty()) {
            texts.push(format!("%{}%", text.to_lowercase()));
            let n = texts.len();
            sql.push_str(&format!(
                " AND (LOWER(a.name) LIKE $T{n} OR LOWER(a.furigana) LIKE $T{n} OR a.email LIKE $T{n})"
            ));
        }
        if let Some(frame) = filter.frame_id {
            numbers.push(frame);
            sql.push_str(&format!(" AND a.frame_id = $N{}", numbers.len()));
        }
        sql.push_str(
            " ORDER BY CASE a.status WHEN 'confirmed' THEN 0 WHEN 'held' THEN 1 \
             WHEN 'pending_approval' THEN 2 WHEN 'lottery' THEN 3 WHEN 'waitlisted' THEN 4 ELSE 5 END, \
             a.waitlist_position, a.furigana, a.name, a.id",
        );
        // Number the placeholders: texts after the training id, then numbers.
        for index in (1..=texts.len()).rev() {
            sql = sql.replace(&format!("$T{index}"), &format!("${}", index + 1));
        }
        for index in (1..=numbers.len()).rev() {
            sql = sql.replace(
                &format!("$N{index}"),
                &format!("${}", texts.len() + index + 1),
            );
        }
        let mut query = sqlx::query_as::<_, Row>(&sql).bind(training_id);
        for text in texts {
            query = query.bind(text);
        }
        for number in numbers {
            query = query.bind(number);
        }
        query
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(ApplicationRecord::try_from)
            .collect()
    }

    /// Those with a confirmed place, for attendance, the sign-in sheet and facilitators.
    pub async fn confirmed_participants(&self, training_id: i64) -> Result<Vec<ApplicationRecord>> {
        self.roster(
            training_id,
            &RosterFilter {
                status: Some(Status::Confirmed),
                ..RosterFilter::default()
            },
        )
        .await
    }

    pub async fn application_log(&self, application_id: i64) -> Result<Vec<LogEntry>> {
        Ok(sqlx::query_as(
            "SELECT l.at, u.display_name AS actor, l.action, l.reason FROM application_log l \
             LEFT JOIN users u ON u.id = l.actor_user_id WHERE l.application_id = $1 ORDER BY l.at, l.id",
        )
        .bind(application_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The applicant changes how to reach them, or what they need.
    pub async fn update_contact(
        &self,
        application_id: i64,
        details: &ContactDetails<'_>,
        now: Timestamp,
    ) -> Result<()> {
        let changed = sqlx::query(
            "UPDATE applications SET name = $1, furigana = $2, phone = $3, access_needs = $4, \
             updated_at = $5, share_access_needs = $7 WHERE id = $6",
        )
        .bind(details.name)
        .bind(details.furigana)
        .bind(details.phone)
        .bind(details.access_needs)
        .bind(now.seconds())
        .bind(application_id)
        .bind(i64::from(
            details.share_access_needs && !details.access_needs.is_empty(),
        ))
        .execute(&self.pool)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Removes an application and everything tied to it (its log, attendance and mail), at the
    /// applicant's request. The caller cancels it first, so its seat goes to the waitlist.
    pub async fn delete_application(&self, application_id: i64) -> Result<()> {
        let mut transaction = self.begin_write().await?;
        for sql in [
            "DELETE FROM outbox WHERE application_id = $1",
            "DELETE FROM attendance WHERE application_id = $1",
            "DELETE FROM application_log WHERE application_id = $1",
            "DELETE FROM applications WHERE id = $1",
        ] {
            sqlx::query(sql)
                .bind(application_id)
                .execute(&mut *transaction)
                .await?;
        }
        transaction.commit().await?;
        Ok(())
    }
}
