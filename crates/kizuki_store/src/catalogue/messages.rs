use kizuki_domain::Timestamp;

use crate::{Result, Store};

/// The outbox kind of the mail telling hosts a message has come.
pub const GROUP_MESSAGE_MAIL: &str = "group_message";
/// The outbox kind of a host's answer, mailed to the sender.
pub const GROUP_REPLY_MAIL: &str = "group_reply";

/// A message to a study group's hosts.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct GroupMessage {
    pub id: i64,
    pub sender_name: String,
    pub sender_email: String,
    pub body: String,
    pub lang: String,
    pub sent_at: i64,
    /// When a host first marked it read (or answered it); unread messages are listed first.
    pub read_at: Option<i64>,
}

/// A host's answer to a message, mailed to its sender.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct GroupReply {
    pub id: i64,
    pub message_id: i64,
    pub author_name: Option<String>,
    pub body: String,
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
    ) -> Result<i64> {
        let id = sqlx::query_scalar(
            "INSERT INTO study_group_messages (group_id, sender_name, sender_email, body, lang, client_digest, sent_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(message.group_id)
        .bind(message.sender_name)
        .bind(message.sender_email)
        .bind(message.body)
        .bind(message.lang)
        .bind(message.client_digest)
        .bind(now.seconds())
        .fetch_one(&self.pool)
        .await?;
        Ok(id)
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

    /// A group's messages, unread ones first, each part newest first.
    pub async fn group_messages(&self, group_id: i64) -> Result<Vec<GroupMessage>> {
        Ok(sqlx::query_as(
            "SELECT id, sender_name, sender_email, body, lang, sent_at, read_at FROM study_group_messages \
             WHERE group_id = $1 ORDER BY CASE WHEN read_at IS NULL THEN 0 ELSE 1 END, sent_at DESC, id DESC",
        )
        .bind(group_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// One message of one group (`None` when it is not that group's, or has been deleted).
    pub async fn group_message(&self, group_id: i64, id: i64) -> Result<Option<GroupMessage>> {
        Ok(sqlx::query_as(
            "SELECT id, sender_name, sender_email, body, lang, sent_at, read_at FROM study_group_messages \
             WHERE group_id = $1 AND id = $2",
        )
        .bind(group_id)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Marks a message read; the first time counts, later ones change nothing.
    pub async fn mark_group_message_read(&self, id: i64, now: Timestamp) -> Result<()> {
        sqlx::query(
            "UPDATE study_group_messages SET read_at = $1 WHERE id = $2 AND read_at IS NULL",
        )
        .bind(now.seconds())
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Keeps a host's answer; answering a message also marks it read.
    pub async fn add_group_reply(
        &self,
        message_id: i64,
        author_id: i64,
        body: &str,
        now: Timestamp,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let id = sqlx::query_scalar(
            "INSERT INTO study_group_replies (message_id, author_id, body, sent_at) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(message_id)
        .bind(author_id)
        .bind(body)
        .bind(now.seconds())
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE study_group_messages SET read_at = $1 WHERE id = $2 AND read_at IS NULL",
        )
        .bind(now.seconds())
        .bind(message_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The answers to a group's messages, oldest first.
    pub async fn group_replies(&self, group_id: i64) -> Result<Vec<GroupReply>> {
        Ok(sqlx::query_as(
            "SELECT r.id, r.message_id, u.display_name AS author_name, r.body, r.sent_at \
             FROM study_group_replies r JOIN study_group_messages m ON m.id = r.message_id \
             LEFT JOIN users u ON u.id = r.author_id \
             WHERE m.group_id = $1 ORDER BY r.sent_at, r.id",
        )
        .bind(group_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// (unread, all) messages of one group, for the line on its edit page.
    pub async fn group_message_counts(&self, group_id: i64) -> Result<(i64, i64)> {
        Ok(sqlx::query_as(
            "SELECT CAST(COALESCE(SUM(CASE WHEN read_at IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT), COUNT(*) \
             FROM study_group_messages WHERE group_id = $1",
        )
        .bind(group_id)
        .fetch_one(&self.pool)
        .await?)
    }

    /// The groups `user_id` hosts, each with its unread and all messages, for the dashboard.
    pub async fn host_inboxes(&self, user_id: i64) -> Result<Vec<HostInbox>> {
        Ok(sqlx::query_as(
            "SELECT g.id AS group_id, g.name, g.name_en, \
             (SELECT COUNT(*) FROM study_group_messages m WHERE m.group_id = g.id \
             AND m.read_at IS NULL) AS unread, \
             (SELECT COUNT(*) FROM study_group_messages m WHERE m.group_id = g.id) AS total \
             FROM study_groups g JOIN study_group_hosts h ON h.group_id = g.id \
             WHERE h.user_id = $1 ORDER BY g.name, g.id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Deletes messages older than `before`; run from the periodic job.
    /// The mail that carried them (to hosts, and hosts' answers to senders) goes too: the
    /// outbox must not keep a message, or an address, longer than the message itself.
    pub async fn purge_group_messages(&self, before: Timestamp) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let deleted = sqlx::query("DELETE FROM study_group_messages WHERE sent_at < $1")
            .bind(before.seconds())
            .execute(&mut *tx)
            .await?;
        sqlx::query(&format!(
            "DELETE FROM outbox WHERE kind IN ('{GROUP_MESSAGE_MAIL}', '{GROUP_REPLY_MAIL}') AND created_at < $1"
        ))
        .bind(before.seconds())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(deleted.rows_affected())
    }
}

/// A hosted group's messages at a glance.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct HostInbox {
    pub group_id: i64,
    pub name: String,
    pub name_en: String,
    pub unread: i64,
    pub total: i64,
}
