//! The outbox: every message Kizuki sends is written here first, then sent over SMTP by a
//! background task. Organisers can read it; a failed send is retried with a growing pause.
//! Several processes may send at once: each claims a message for a minute before sending it.

use kizuki_domain::Timestamp;
use sqlx::{Any, Transaction};

use crate::{Result, Store};

/// A message written before its application exists, to be queued with it.
#[derive(Clone, Debug)]
pub struct MailDraft {
    pub kind: &'static str,
    pub subject: String,
    pub body: String,
}

const ENQUEUE: &str = "INSERT INTO outbox (training_id, application_id, recipient, lang, kind, subject, body, \
     created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id";

pub(crate) async fn enqueue_in(
    transaction: &mut Transaction<'static, Any>,
    mail: &OutgoingMail<'_>,
    now: Timestamp,
) -> Result<i64> {
    Ok(sqlx::query_scalar(ENQUEUE)
        .bind(mail.training_id)
        .bind(mail.application_id)
        .bind(mail.recipient)
        .bind(mail.lang)
        .bind(mail.kind)
        .bind(mail.subject)
        .bind(mail.body)
        .bind(now.seconds())
        .fetch_one(&mut **transaction)
        .await?)
}

pub struct OutgoingMail<'a> {
    pub training_id: Option<i64>,
    pub application_id: Option<i64>,
    pub recipient: &'a str,
    pub lang: &'a str,
    pub kind: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
}

/// A message claimed for sending.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct QueuedMail {
    pub id: i64,
    pub training_id: Option<i64>,
    pub application_id: Option<i64>,
    pub recipient: String,
    pub lang: String,
    pub kind: String,
    pub subject: String,
    pub body: String,
    pub attempts: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct OutboxEntry {
    pub id: i64,
    pub training_id: Option<i64>,
    pub application_id: Option<i64>,
    pub recipient: String,
    pub lang: String,
    pub kind: String,
    pub subject: String,
    pub body: String,
    pub created_at: i64,
    pub attempts: i64,
    pub sent_at: Option<i64>,
    pub last_error: String,
}

/// Give up after this many failed attempts; the message stays visible in the outbox.
pub const MAX_ATTEMPTS: i64 = 8;
const CLAIM_SECONDS: i64 = 60;

impl Store {
    pub async fn enqueue_mail(&self, mail: &OutgoingMail<'_>, now: Timestamp) -> Result<i64> {
        Ok(sqlx::query_scalar(ENQUEUE)
            .bind(mail.training_id)
            .bind(mail.application_id)
            .bind(mail.recipient)
            .bind(mail.lang)
            .bind(mail.kind)
            .bind(mail.subject)
            .bind(mail.body)
            .bind(now.seconds())
            .fetch_one(&self.pool)
            .await?)
    }

    /// Claims up to `limit` messages due for sending.
    pub async fn claim_mail(&self, now: Timestamp, limit: i64) -> Result<Vec<QueuedMail>> {
        let candidates: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM outbox WHERE sent_at IS NULL AND attempts < $1 AND next_attempt_at <= $2 \
             AND (claimed_until IS NULL OR claimed_until < $2) ORDER BY id LIMIT $3",
        )
        .bind(MAX_ATTEMPTS)
        .bind(now.seconds())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut claimed = Vec::new();
        for id in candidates {
            let mail: Option<QueuedMail> = sqlx::query_as(
                "UPDATE outbox SET claimed_until = $1 WHERE id = $2 AND sent_at IS NULL \
                 AND (claimed_until IS NULL OR claimed_until < $3) \
                 RETURNING id, training_id, application_id, recipient, lang, kind, subject, body, attempts",
            )
            .bind(now.seconds() + CLAIM_SECONDS)
            .bind(id)
            .bind(now.seconds())
            .fetch_optional(&self.pool)
            .await?;
            claimed.extend(mail);
        }
        Ok(claimed)
    }

    pub async fn mark_mail_sent(&self, id: i64, now: Timestamp) -> Result<()> {
        sqlx::query(
            "UPDATE outbox SET sent_at = $1, attempts = attempts + 1, claimed_until = NULL, last_error = '' WHERE id = $2",
        )
        .bind(now.seconds())
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn mark_mail_failed(&self, id: i64, error: &str, now: Timestamp) -> Result<()> {
        let attempts: i64 = sqlx::query_scalar("SELECT attempts FROM outbox WHERE id = $1")
            .bind(id)
            .fetch_one(&self.pool)
            .await?;
        // 1, 2, 4 … minutes, at most a day.
        let pause = (60_i64 << attempts.clamp(0, 10)).min(24 * 60 * 60);
        sqlx::query(
            "UPDATE outbox SET attempts = attempts + 1, claimed_until = NULL, last_error = $1, \
             next_attempt_at = $2 WHERE id = $3",
        )
        .bind(error)
        .bind(now.seconds() + pause)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The newest messages first, of one training or all.
    pub async fn outbox(&self, training_id: Option<i64>, limit: i64) -> Result<Vec<OutboxEntry>> {
        Ok(sqlx::query_as(
            "SELECT id, training_id, application_id, recipient, lang, kind, subject, body, created_at, \
             attempts, sent_at, last_error FROM outbox WHERE ($1 = 0 OR training_id = $1) \
             ORDER BY id DESC LIMIT $2",
        )
        .bind(training_id.unwrap_or(0))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }
}

impl Store {
    /// Confirmed participants of trainings starting within `days_ahead` days who have not had a
    /// reminder: (training id, application id).
    pub async fn reminders_due(
        &self,
        today: jiff::civil::Date,
        days_ahead: i64,
    ) -> Result<Vec<(i64, i64)>> {
        let until = today
            .checked_add(jiff::Span::new().days(days_ahead))
            .unwrap_or(today);
        Ok(sqlx::query_as(
            "SELECT a.training_id, a.id FROM applications a WHERE a.status = 'confirmed' \
             AND (SELECT MIN(d.day_on) FROM training_days d WHERE d.training_id = a.training_id) BETWEEN $1 AND $2 \
             AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.application_id = a.id AND o.kind = 'reminder')",
        )
        .bind(today.to_string())
        .bind(until.to_string())
        .fetch_all(&self.pool)
        .await?)
    }
}
