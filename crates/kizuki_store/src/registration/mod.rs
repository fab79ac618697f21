//! Registration: applications, the seat guard, allocation (first come, lottery, approval), the
//! waitlist and its offers, attendance, the mail outbox and the purge of personal data.
//!
//! Invariant: for every training (and every frame of it), the held and confirmed applications
//! never outnumber its capacity, however many requests arrive at once and however many server
//! processes share the database. Every change that can take or free a seat runs in one
//! transaction that first locks the training: `BEGIN IMMEDIATE` on SQLite (one writer for the
//! whole file), `SELECT … FOR UPDATE` on the training's row on PostgreSQL (one change at a time
//! per training; other trainings proceed).

mod apply;
mod attendance;
mod changes;
mod outbox;
mod records;
mod retention;
mod settings;
mod workload;

use jiff::civil::Date;
use kizuki_domain::Timestamp;
use kizuki_domain::allocation::{Allocation, FrameState, OfferTerms, Status, offer_terms};
use sqlx::{Any, Transaction};

pub use apply::{Applied, NewApplication, Placement, Seats};
pub use attendance::AttendanceMark;
pub use changes::{Actor, LotteryRecord};
pub use outbox::{
    MAX_ATTEMPTS as MAX_MAIL_ATTEMPTS, MailDraft, OutboxEntry, OutgoingMail, QueuedMail,
};
pub use records::{ApplicationRecord, ContactDetails, LogEntry, RosterFilter};
pub use settings::{
    Frame, FrameInput, LotteryState, QuestionDef, QuestionInput, RegistrationSettings,
    SettingsInput,
};
pub use workload::{MailBacklog, TrainingWorkload};

use crate::{Backend, Result, Store, StoreError, parse_date};

/// Something that happened to an application that its applicant should hear about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Notice {
    pub application_id: i64,
    pub training_id: i64,
    pub kind: NoticeKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoticeKind {
    /// A seat came free and is kept for this person until the instant.
    Offer {
        until: Timestamp,
    },
    /// A seat came free close to the start; the first on the waitlist to take it has it.
    SeatFree,
    Confirmed,
    Waitlisted {
        position: i64,
    },
    Declined,
    Cancelled,
    /// A hold or an offer ran out.
    Expired,
}

/// The parts of a training that allocation needs, read under the lock.
pub(crate) struct Locked {
    pub id: i64,
    pub capacity: Option<i64>,
    pub allocation: Allocation,
    pub hold_minutes: i64,
    pub offer_hours: i64,
    pub first_day: Option<Date>,
    pub close_on: Option<Date>,
    pub lottery_drawn: bool,
    /// Whether the training has frames (枠), so their query can be skipped when it has none.
    pub framed: bool,
}

#[derive(sqlx::FromRow)]
struct LockedRow {
    capacity: Option<i64>,
    allocation: String,
    hold_minutes: i64,
    offer_hours: i64,
    first_day: Option<String>,
    applications_close_on: Option<String>,
    drawn_at: Option<i64>,
    frame_count: i64,
}

/// The seats of one frame; `frame` is `None` for a training without frames.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FrameSeats {
    pub frame: Option<i64>,
    pub state: FrameState,
}

impl Store {
    /// Begins a transaction holding the write lock for `training_id`.
    pub(crate) async fn lock_training(
        &self,
        training_id: i64,
    ) -> Result<(Transaction<'static, Any>, Locked)> {
        self.training_transaction(training_id, true).await
    }

    /// Begins a transaction on `training_id`, locked for writing or only reading.
    pub(crate) async fn training_transaction(
        &self,
        training_id: i64,
        write: bool,
    ) -> Result<(Transaction<'static, Any>, Locked)> {
        let mut transaction = match (self.backend, write) {
            (Backend::Sqlite, true) => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            _ => self.pool.begin().await?,
        };
        let query = match (self.backend, write) {
            (Backend::Postgres, true) => format!("{LOCK_QUERY} FOR UPDATE OF t"),
            _ => LOCK_QUERY.to_owned(),
        };
        let row: Option<LockedRow> = sqlx::query_as(&query)
            .bind(training_id)
            .fetch_optional(&mut *transaction)
            .await?;
        let row = row.ok_or(StoreError::NotFound)?;
        let locked = Locked {
            id: training_id,
            capacity: row.capacity,
            allocation: Allocation::parse(&row.allocation).unwrap_or_default(),
            hold_minutes: row.hold_minutes,
            offer_hours: row.offer_hours,
            first_day: row
                .first_day
                .as_deref()
                .map(|day| parse_date("training_days.day_on", day))
                .transpose()?,
            close_on: row
                .applications_close_on
                .as_deref()
                .map(|day| parse_date("trainings.applications_close_on", day))
                .transpose()?,
            lottery_drawn: row.drawn_at.is_some(),
            framed: row.frame_count > 0,
        };
        Ok((transaction, locked))
    }
}

const LOCK_QUERY: &str = "SELECT t.capacity, t.allocation, t.hold_minutes, t.offer_hours, t.applications_close_on, \
     (SELECT MIN(d.day_on) FROM training_days d WHERE d.training_id = t.id) AS first_day, \
     (SELECT l.drawn_at FROM lotteries l WHERE l.training_id = t.id) AS drawn_at, \
     (SELECT COUNT(*) FROM training_frames f WHERE f.training_id = t.id) AS frame_count \
     FROM trainings t WHERE t.id = $1 AND t.import_id IS NULL";

/// The seats of every frame of the locked training.
/// A hold that has run out no longer takes a seat, even before the clock marks it expired.
pub(crate) async fn frame_seats(
    transaction: &mut Transaction<'static, Any>,
    locked: &Locked,
    now: Timestamp,
) -> Result<Vec<FrameSeats>> {
    let frames: Vec<(i64, i64)> = if locked.framed {
        sqlx::query_as(
            "SELECT id, capacity FROM training_frames WHERE training_id = $1 ORDER BY position, id",
        )
        .bind(locked.id)
        .fetch_all(&mut **transaction)
        .await?
    } else {
        Vec::new()
    };
    let counts: Vec<(Option<i64>, String, i64, Option<i64>)> = sqlx::query_as(
        "SELECT frame_id, status, COUNT(*), MAX(waitlist_position) FROM applications \
         WHERE training_id = $1 AND status IN ('held', 'confirmed', 'waitlisted') \
         AND (status <> 'held' OR hold_expires_at > $2) GROUP BY frame_id, status",
    )
    .bind(locked.id)
    .bind(now.seconds())
    .fetch_all(&mut **transaction)
    .await?;
    let plan: Vec<(Option<i64>, i64)> = if frames.is_empty() {
        vec![(None, locked.capacity.unwrap_or(0))]
    } else {
        frames
            .into_iter()
            .map(|(id, cap)| (Some(id), cap))
            .collect()
    };
    let without_frames = plan.len() == 1 && plan[0].0.is_none();
    Ok(plan
        .into_iter()
        .map(|(frame, capacity)| {
            let mut state = FrameState {
                capacity,
                taken: 0,
                waiting: 0,
                last_position: 0,
            };
            for (count_frame, status, count, last) in &counts {
                // Without frames every application counts; with frames, only its own.
                if !without_frames && *count_frame != frame {
                    continue;
                }
                match status.as_str() {
                    "waitlisted" => {
                        state.waiting += count;
                        state.last_position = state.last_position.max(last.unwrap_or(0));
                    }
                    _ => state.taken += count,
                }
            }
            FrameSeats { frame, state }
        })
        .collect())
}

/// The seats of an application's frame (the whole training's when it has no frames).
pub(crate) fn seats_of(seats: &[FrameSeats], frame: Option<i64>) -> Option<&FrameSeats> {
    seats
        .iter()
        .find(|s| s.frame == frame)
        .or_else(|| seats.iter().find(|s| s.frame.is_none()))
}

/// The frame filter in SQL: frame 0 stands for "no frame".
pub(crate) fn frame_key(frame: Option<i64>) -> i64 {
    frame.unwrap_or(0)
}

pub(crate) async fn log(
    transaction: &mut Transaction<'static, Any>,
    application_id: i64,
    now: Timestamp,
    actor: Option<i64>,
    action: &str,
    reason: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO application_log (application_id, at, actor_user_id, action, reason) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(application_id)
    .bind(now.seconds())
    .bind(actor)
    .bind(action)
    .bind(reason)
    .execute(&mut **transaction)
    .await?;
    Ok(())
}

/// Lets holds and offers that ran out go, and offers free seats to the waitlist. Runs inside
/// every transaction that changes seats, so that a freed seat is never taken by a newcomer
/// ahead of someone waiting. Returns the seats as they are afterwards.
pub(crate) async fn settle(
    transaction: &mut Transaction<'static, Any>,
    locked: &Locked,
    now: Timestamp,
    today: Date,
    notices: &mut Vec<Notice>,
) -> Result<Vec<FrameSeats>> {
    let expired: Vec<i64> = sqlx::query_scalar(
        "UPDATE applications SET status = 'expired', hold_expires_at = NULL, updated_at = $1 \
         WHERE training_id = $2 AND status = 'held' AND hold_expires_at <= $1 RETURNING id",
    )
    .bind(now.seconds())
    .bind(locked.id)
    .fetch_all(&mut **transaction)
    .await?;
    for id in expired {
        log(transaction, id, now, None, "expired", "").await?;
        notices.push(Notice {
            application_id: id,
            training_id: locked.id,
            kind: NoticeKind::Expired,
        });
    }
    let seats = frame_seats(transaction, locked, now).await?;
    if locked.allocation == Allocation::Lottery && !locked.lottery_drawn {
        return Ok(seats);
    }
    let mut offered = false;
    for frame in &seats {
        let free = frame.state.capacity - frame.state.taken;
        if free <= 0 || frame.state.waiting == 0 {
            continue;
        }
        offered |=
            offer_free_seats(transaction, locked, frame.frame, free, now, today, notices).await?;
    }
    if offered {
        frame_seats(transaction, locked, now).await
    } else {
        Ok(seats)
    }
}

async fn offer_free_seats(
    transaction: &mut Transaction<'static, Any>,
    locked: &Locked,
    frame: Option<i64>,
    free: i64,
    now: Timestamp,
    today: Date,
    notices: &mut Vec<Notice>,
) -> Result<bool> {
    match offer_terms(now, today, locked.first_day, locked.offer_hours) {
        OfferTerms::Until(until) => {
            let next: Vec<i64> = sqlx::query_scalar(
                "SELECT id FROM applications WHERE training_id = $1 AND COALESCE(frame_id, 0) = $2 \
                 AND status = 'waitlisted' ORDER BY waitlist_position, id LIMIT $3",
            )
            .bind(locked.id)
            .bind(frame_key(frame))
            .bind(free)
            .fetch_all(&mut **transaction)
            .await?;
            for id in &next {
                sqlx::query(
                    "UPDATE applications SET status = 'held', waitlist_position = NULL, \
                     hold_expires_at = $1, offered_at = $2, updated_at = $2 WHERE id = $3",
                )
                .bind(until.seconds())
                .bind(now.seconds())
                .bind(id)
                .execute(&mut **transaction)
                .await?;
                log(transaction, *id, now, None, "offered", "").await?;
                notices.push(Notice {
                    application_id: *id,
                    training_id: locked.id,
                    kind: NoticeKind::Offer { until },
                });
            }
            Ok(!next.is_empty())
        }
        OfferTerms::NotifyOnly => {
            let told: Vec<i64> = sqlx::query_scalar(
                "UPDATE applications SET offered_at = $1 WHERE training_id = $2 \
                 AND COALESCE(frame_id, 0) = $3 AND status = 'waitlisted' AND offered_at IS NULL \
                 RETURNING id",
            )
            .bind(now.seconds())
            .bind(locked.id)
            .bind(frame_key(frame))
            .fetch_all(&mut **transaction)
            .await?;
            for id in told {
                notices.push(Notice {
                    application_id: id,
                    training_id: locked.id,
                    kind: NoticeKind::SeatFree,
                });
            }
            Ok(false)
        }
    }
}

pub(crate) fn status_of(text: &str) -> Result<Status> {
    Status::parse(text).ok_or_else(|| StoreError::Corrupt(format!("unknown status {text:?}")))
}
