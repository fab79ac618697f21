//! Applications and the seat guard.
//!
//! Invariant: for every training, the held and confirmed applications never outnumber its
//! capacity, however many requests arrive at once and however many server processes share the
//! database. The count and the insert happen in one transaction that holds a write lock:
//! `BEGIN IMMEDIATE` on SQLite (one writer for the whole file), and `SELECT … FOR UPDATE` on the
//! training's row on PostgreSQL (one applicant at a time per training, other trainings proceed).

use kizuki_domain::Timestamp;
use kizuki_domain::registration::{Application, Placement, place};

use crate::{Backend, Result, Store, StoreError};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    Held { id: i64, until: Timestamp },
    Waitlisted { id: i64, position: i64 },
}

/// Seats of a training as the public may know them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Seats {
    pub capacity: i64,
    pub taken: i64,
    pub waitlisted: i64,
}

pub struct NewApplication<'a> {
    pub training_id: i64,
    pub capacity: i64,
    pub application: &'a Application,
    pub privacy_version: &'a str,
    pub lang: &'a str,
    pub manage_digest: &'a str,
    pub hold_seconds: i64,
}

impl Store {
    pub async fn apply(&self, new: &NewApplication<'_>, now: Timestamp) -> Result<Applied> {
        let mut transaction = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        let lock = match self.backend {
            Backend::Sqlite => "SELECT id FROM trainings WHERE id = $1",
            Backend::Postgres => "SELECT id FROM trainings WHERE id = $1 FOR UPDATE",
        };
        let found: Option<i64> = sqlx::query_scalar(lock)
            .bind(new.training_id)
            .fetch_optional(&mut *transaction)
            .await?;
        if found.is_none() {
            return Err(StoreError::NotFound);
        }
        // Seats held by people who never confirmed come free again.
        sqlx::query(
            "UPDATE applications SET status = 'expired', updated_at = $1 \
             WHERE training_id = $2 AND status = 'held' AND hold_expires_at <= $1",
        )
        .bind(now.seconds())
        .bind(new.training_id)
        .execute(&mut *transaction)
        .await?;
        let (taken, last_position): (i64, Option<i64>) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM applications WHERE training_id = $1 AND status IN ('held', 'confirmed')), \
             (SELECT MAX(waitlist_position) FROM applications WHERE training_id = $1 AND status = 'waitlisted')",
        )
        .bind(new.training_id)
        .fetch_one(&mut *transaction)
        .await?;
        let placement = place(new.capacity, taken, last_position.unwrap_or(0));
        let (status, position, until) = match placement {
            Placement::Held => ("held", None, Some(now.plus_seconds(new.hold_seconds))),
            Placement::Waitlisted { position } => ("waitlisted", Some(position), None),
        };
        let application = new.application;
        let backgrounds: Vec<&str> = application.backgrounds.iter().map(|b| b.as_str()).collect();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO applications (training_id, status, waitlist_position, name, furigana, email, phone, \
             backgrounds, background_other, motivation, access_needs, privacy_version, lang, manage_digest, \
             hold_expires_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16) RETURNING id",
        )
        .bind(new.training_id)
        .bind(status)
        .bind(position)
        .bind(&application.name)
        .bind(&application.furigana)
        .bind(application.email.as_str())
        .bind(&application.phone)
        .bind(backgrounds.join(","))
        .bind(&application.background_other)
        .bind(&application.motivation)
        .bind(&application.access_needs)
        .bind(new.privacy_version)
        .bind(new.lang)
        .bind(new.manage_digest)
        .bind(until.map(Timestamp::seconds))
        .bind(now.seconds())
        .fetch_one(&mut *transaction)
        .await
        .map_err(|error| StoreError::conflict_on_unique(error, "an application with this email"))?;
        transaction.commit().await?;
        Ok(match (placement, until) {
            (Placement::Held, Some(until)) => Applied::Held { id, until },
            (Placement::Waitlisted { position }, _) => Applied::Waitlisted { id, position },
            (Placement::Held, None) => Applied::Held { id, until: now },
        })
    }

    /// The backgrounds ticked on every application that holds or has a seat: lists of names
    /// only, never who ticked them; the statistics page counts them.
    pub async fn participant_backgrounds(&self) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT backgrounds FROM applications WHERE status IN ('held', 'confirmed')",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn seats(
        &self,
        training_id: i64,
        capacity: Option<i64>,
        now: Timestamp,
    ) -> Result<Seats> {
        let (taken, waitlisted): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM applications WHERE training_id = $1 AND \
             (status = 'confirmed' OR (status = 'held' AND hold_expires_at > $2))), \
             (SELECT COUNT(*) FROM applications WHERE training_id = $1 AND status = 'waitlisted')",
        )
        .bind(training_id)
        .bind(now.seconds())
        .fetch_one(&self.pool)
        .await?;
        Ok(Seats {
            capacity: capacity.unwrap_or(0),
            taken,
            waitlisted,
        })
    }
}
