//! What needs an organiser's attention, counted for the dashboard in one query per page:
//! each training's applications, seats and waitlist, the decisions waiting on someone, and the
//! mail that waits or failed.

use kizuki_domain::Timestamp;

use super::apply::{CAPACITY_OF_T, id_list, takes_a_seat};
use super::outbox::MAX_ATTEMPTS;
use crate::{Result, Store};

/// A training's registration at a glance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, sqlx::FromRow)]
pub struct TrainingWorkload {
    pub training_id: i64,
    /// Applications still in play: not cancelled, declined or lapsed.
    pub applications: i64,
    pub capacity: i64,
    /// Seats confirmed or held.
    pub taken: i64,
    /// Those whose place is confirmed: the participants.
    pub confirmed: i64,
    pub waitlisted: i64,
    /// Applications waiting for an organiser to approve or decline them.
    pub pending_approval: i64,
    /// Offers from the waitlist that run out before `soon`, unanswered.
    pub offers_lapsing: i64,
}

/// Messages in the outbox not yet handed to the mail server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct MailBacklog {
    /// Still to be tried.
    pub waiting: i64,
    /// Given up after every attempt failed.
    pub failed: i64,
}

impl Store {
    /// The workload of each of these trainings (in the order of the ids given); offers that
    /// lapse between `now` and `soon` count as lapsing.
    pub async fn training_workloads(
        &self,
        training_ids: &[i64],
        now: Timestamp,
        soon: Timestamp,
    ) -> Result<Vec<TrainingWorkload>> {
        if training_ids.is_empty() {
            return Ok(Vec::new());
        }
        let count = |condition: &str| {
            format!(
                "(SELECT COUNT(*) FROM applications a WHERE a.training_id = t.id AND ({condition}))"
            )
        };
        let sql = format!(
            "SELECT t.id AS training_id, {applications} AS applications, \
             {capacity} AS capacity, \
             {taken} AS taken, {confirmed} AS confirmed, {waitlisted} AS waitlisted, {pending} AS pending_approval, \
             {lapsing} AS offers_lapsing FROM trainings t WHERE t.id IN ({ids})",
            ids = id_list(training_ids),
            capacity = CAPACITY_OF_T,
            applications = count("a.status NOT IN ('cancelled', 'declined', 'expired')"),
            taken = count(&takes_a_seat("$1")),
            confirmed = count("a.status = 'confirmed'"),
            waitlisted = count("a.status = 'waitlisted'"),
            pending = count("a.status = 'pending_approval'"),
            lapsing = count(
                "a.status = 'held' AND a.offered_at IS NOT NULL \
                 AND a.hold_expires_at > $1 AND a.hold_expires_at <= $2"
            ),
        );
        let mut found: Vec<TrainingWorkload> = sqlx::query_as(&sql)
            .bind(now.seconds())
            .bind(soon.seconds())
            .fetch_all(&self.pool)
            .await?;
        found.sort_by_key(|w| training_ids.iter().position(|id| *id == w.training_id));
        Ok(found)
    }

    pub async fn mail_backlog(&self) -> Result<MailBacklog> {
        let (waiting, failed): (i64, i64) = sqlx::query_as(
            "SELECT \
             CAST(COALESCE(SUM(CASE WHEN attempts < $1 THEN 1 ELSE 0 END), 0) AS BIGINT), \
             CAST(COALESCE(SUM(CASE WHEN attempts >= $1 THEN 1 ELSE 0 END), 0) AS BIGINT) \
             FROM outbox WHERE sent_at IS NULL",
        )
        .bind(MAX_ATTEMPTS)
        .fetch_one(&self.pool)
        .await?;
        Ok(MailBacklog { waiting, failed })
    }
}
