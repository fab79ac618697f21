//! A new application: checked by the domain, placed here under the training's lock.

use kizuki_domain::Timestamp;
use kizuki_domain::allocation::{Entry, enter};
use kizuki_domain::registration::Application;

use super::ApplicationRecord;
use super::frame_seats;
use super::outbox::{MailDraft, OutgoingMail, enqueue_in};
use crate::guards::Guard;
use crate::{Result, Store, StoreError};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    Held { id: i64, until: Timestamp },
    Waitlisted { id: i64, position: i64 },
    Lottery { id: i64 },
    PendingApproval { id: i64 },
}

impl Applied {
    /// The status as the API and the pages name it.
    pub fn status(self) -> &'static str {
        match self {
            Applied::Held { .. } => "held",
            Applied::Waitlisted { .. } => "waitlisted",
            Applied::Lottery { .. } => "lottery",
            Applied::PendingApproval { .. } => "pending_approval",
        }
    }

    pub fn id(self) -> i64 {
        match self {
            Applied::Held { id, .. }
            | Applied::Waitlisted { id, .. }
            | Applied::Lottery { id }
            | Applied::PendingApproval { id } => id,
        }
    }
}

/// Where a new application went, or — when the address has applied to this training already —
/// where it would have gone. The caller answers both alike, so that nobody learns from the
/// answer whether an address applied; the address's owner is told by mail instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Placement {
    New(Applied),
    AlreadyApplied {
        /// As a new application would be placed now (its id is the existing application's).
        as_new: Applied,
        /// The application the address made before, whose owner is to be told.
        existing: Box<ApplicationRecord>,
    },
}

impl Placement {
    /// What the applicant is told: the same for both.
    pub fn answer(&self) -> Applied {
        match self {
            Placement::New(applied)
            | Placement::AlreadyApplied {
                as_new: applied, ..
            } => *applied,
        }
    }
}

/// Seats of a training as the public may know them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Seats {
    pub capacity: i64,
    pub taken: i64,
    pub waitlisted: i64,
    /// Lottery entries whose address is confirmed: those the draw will be made from.
    pub lottery_entries: i64,
}

pub struct NewApplication<'a> {
    pub training_id: i64,
    pub application: &'a Application,
    pub privacy_version: &'a str,
    pub lang: &'a str,
    pub manage_digest: &'a str,
    pub manage_nonce: &'a str,
}

/// The condition for an application that takes a seat now: confirmed, or held and not lapsed.
/// `now` names the query's placeholder for the current instant.
/// A training's capacity in SQL, for a query over `trainings t`: with frames, theirs together.
pub(super) const CAPACITY_OF_T: &str = "COALESCE((SELECT CAST(SUM(f.capacity) AS BIGINT) \
     FROM training_frames f WHERE f.training_id = t.id), t.capacity, 0)";

/// Ids for an `IN (…)` list. They are numbers from the database, never text a person typed.
pub(super) fn id_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

pub(super) fn takes_a_seat(now: &str) -> String {
    format!("(status = 'confirmed' OR (status = 'held' AND hold_expires_at > {now}))")
}

impl Store {
    /// Places a new application and queues the message that tells the applicant where it
    /// went, in the same transaction. `compose` writes that message from the placement.
    ///
    /// Nothing else is settled here (lapsed holds are simply not counted; the clock offers
    /// them to the waitlist), so the lock is held for as few statements as possible.
    ///
    /// An address that has applied already (the unique index on the training and address
    /// says so) changes nothing: the answer is [`Placement::AlreadyApplied`], placed as a new
    /// application would be, and no message is queued here.
    pub async fn apply(
        &self,
        new: &NewApplication<'_>,
        now: Timestamp,
        compose: impl FnOnce(Applied) -> MailDraft,
    ) -> Result<Placement> {
        let (mut transaction, locked, seats) = if crate::guards::is_off(Guard::Seats) {
            // The negative control: seats counted before the lock is taken, the check-then-act
            // race the lock exists to prevent. A test build only (see `guards`).
            let (mut reading, counted) = self.training_transaction(new.training_id, false).await?;
            let seats = frame_seats(&mut reading, &counted, now).await?;
            drop(reading);
            let (transaction, locked) = self.lock_training(new.training_id).await?;
            (transaction, locked, seats)
        } else {
            let (mut transaction, locked) = self.lock_training(new.training_id).await?;
            let seats = frame_seats(&mut transaction, &locked, now).await?;
            (transaction, locked, seats)
        };
        let application = new.application;
        let frame = super::seats_of(&seats, application.frame_id).ok_or(StoreError::NotFound)?;
        let entry = enter(locked.allocation, locked.lottery_drawn, frame.state);
        let until = now.plus_seconds(locked.hold_minutes.max(1) * 60);
        let (status, position, hold) = match entry {
            Entry::Held => ("held", None, Some(until.seconds())),
            Entry::Waitlisted { position } => ("waitlisted", Some(position), None),
            Entry::Lottery => ("lottery", None, None),
            Entry::PendingApproval => ("pending_approval", None, None),
        };
        let backgrounds: Vec<&str> = application.backgrounds.iter().map(|b| b.as_str()).collect();
        let answers = serde_json::to_string(&application.answers)
            .map_err(|error| StoreError::Corrupt(error.to_string()))?;
        let inserted: std::result::Result<i64, sqlx::Error> = sqlx::query_scalar(
            "INSERT INTO applications (training_id, frame_id, status, waitlist_position, name, furigana, \
             email, phone, backgrounds, background_other, motivation, access_needs, answers, \
             privacy_version, lang, manage_digest, manage_nonce, hold_expires_at, created_at, updated_at, \
             share_access_needs) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $19, $20) \
             RETURNING id",
        )
        .bind(new.training_id)
        .bind(frame.frame)
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
        .bind(answers)
        .bind(new.privacy_version)
        .bind(new.lang)
        .bind(new.manage_digest)
        .bind(new.manage_nonce)
        .bind(hold)
        .bind(now.seconds())
        .bind(i64::from(application.share_access_needs))
        .fetch_one(&mut *transaction)
        .await;
        let placed = |id| match entry {
            Entry::Held => Applied::Held { id, until },
            Entry::Waitlisted { position } => Applied::Waitlisted { id, position },
            Entry::Lottery => Applied::Lottery { id },
            Entry::PendingApproval => Applied::PendingApproval { id },
        };
        let id = match inserted {
            Ok(id) => id,
            Err(error) => {
                return match StoreError::conflict_on_unique(error, "email") {
                    StoreError::Conflict(_) => {
                        transaction.rollback().await?;
                        let existing = self
                            .application_by_email(new.training_id, application.email.as_str())
                            .await?;
                        Ok(Placement::AlreadyApplied {
                            as_new: placed(existing.id),
                            existing: Box::new(existing),
                        })
                    }
                    other => Err(other),
                };
            }
        };
        let applied = placed(id);
        let mail = compose(applied);
        enqueue_in(
            &mut transaction,
            &OutgoingMail {
                training_id: Some(new.training_id),
                application_id: Some(id),
                recipient: application.email.as_str(),
                lang: new.lang,
                kind: mail.kind,
                subject: &mail.subject,
                body: &mail.body,
            },
            now,
        )
        .await?;
        transaction.commit().await?;
        Ok(Placement::New(applied))
    }

    /// The backgrounds ticked on every confirmed application: lists of names only, never who
    /// ticked them; the statistics page counts them. Only confirmed places count, as the purge
    /// keeps only theirs (a hold may lapse and is not a participant), so the figures do not
    /// change when personal data is purged.
    pub async fn participant_backgrounds(&self) -> Result<Vec<String>> {
        Ok(
            sqlx::query_scalar("SELECT backgrounds FROM applications WHERE status = 'confirmed'")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// Seats of a training. With frames, the capacity is theirs together.
    /// Which of these trainings have every seat taken (confirmed, or held and not lapsed), in
    /// one query for a page of cards.
    pub async fn full_trainings(&self, training_ids: &[i64], now: Timestamp) -> Result<Vec<i64>> {
        if training_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT t.id FROM trainings t WHERE t.id IN ({ids}) AND {capacity} > 0 \
             AND (SELECT COUNT(*) FROM applications a WHERE a.training_id = t.id AND {seat}) \
             >= {capacity}",
            ids = id_list(training_ids),
            capacity = CAPACITY_OF_T,
            seat = takes_a_seat("$1")
        );
        Ok(sqlx::query_scalar(&sql)
            .bind(now.seconds())
            .fetch_all(&self.pool)
            .await?)
    }

    pub async fn seats(&self, training_id: i64, now: Timestamp) -> Result<Seats> {
        #[allow(clippy::type_complexity)]
        let (capacity, framed, taken, waitlisted, lottery_entries): (
            Option<i64>,
            Option<i64>,
            i64,
            i64,
            i64,
        ) = sqlx::query_as(&format!(
                "SELECT (SELECT capacity FROM trainings WHERE id = $1), \
                 (SELECT CAST(SUM(capacity) AS BIGINT) FROM training_frames WHERE training_id = $1), \
                 (SELECT COUNT(*) FROM applications WHERE training_id = $1 AND {}), \
                 (SELECT COUNT(*) FROM applications WHERE training_id = $1 AND status = 'waitlisted'), \
                 (SELECT COUNT(*) FROM applications WHERE training_id = $1 AND status = 'lottery' \
                 AND email_verified_at IS NOT NULL)",
                takes_a_seat("$2")
            ))
            .bind(training_id)
            .bind(now.seconds())
            .fetch_one(&self.pool)
            .await?;
        Ok(Seats {
            capacity: framed.or(capacity).unwrap_or(0),
            taken,
            waitlisted,
            lottery_entries,
        })
    }
}
