use kizuki_domain::Timestamp;

use crate::{Result, Store};

/// A message to a study group's hosts.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct GroupMessage {
    pub id: i64,
    pub sender_name: String,
    pub sender_email: String,
    pub body: String,
    pub lang: String,
    pub sent_at: i64,
}

pub struct NewGroupMessage<'a> {
    pub group_id: i64,
    pub sender_name: &'a str,
    pub sender_email: &'a str,
    pub body: &'a str,
    pub lang: &'a str,
    pub client_digest: &'a str,
}

impl Store {
    pub async fn add_group_message(
        &self,
        message: &NewGroupMessage<'_>,
        now: Timestamp,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO study_group_messages (group_id, sender_name, sender_email, body, lang, client_digest, sent_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(message.group_id)
        .bind(message.sender_name)
        .bind(message.sender_email)
        .bind(message.body)
        .bind(message.lang)
        .bind(message.client_digest)
        .bind(now.seconds())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// How many messages this client has sent since `since`, for slowing down floods.
    pub async fn group_messages_from(&self, client_digest: &str, since: Timestamp) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM study_group_messages WHERE client_digest = $1 AND sent_at >= $2",
        )
        .bind(client_digest)
        .bind(since.seconds())
        .fetch_one(&self.pool)
        .await?)
    }

    pub async fn group_messages(&self, group_id: i64) -> Result<Vec<GroupMessage>> {
        Ok(sqlx::query_as(
            "SELECT id, sender_name, sender_email, body, lang, sent_at FROM study_group_messages \
             WHERE group_id = $1 ORDER BY sent_at DESC, id DESC",
        )
        .bind(group_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Deletes messages older than `before`; run from the periodic job.
    pub async fn purge_group_messages(&self, before: Timestamp) -> Result<u64> {
        let deleted = sqlx::query("DELETE FROM study_group_messages WHERE sent_at < $1")
            .bind(before.seconds())
            .execute(&self.pool)
            .await?;
        Ok(deleted.rows_affected())
    }
}
