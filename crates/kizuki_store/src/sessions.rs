use kizuki_domain::Timestamp;
use kizuki_domain::session::{self, SessionState};

use crate::users::{USER_COLUMNS, UserRow};
use crate::{Result, Store, User};

#[derive(sqlx::FromRow)]
struct SessionUserRow {
    session_created_at: i64,
    session_last_seen_at: i64,
    #[sqlx(flatten)]
    user: UserRow,
}

/// Sessions one account may have at once (a phone, a laptop, the office and the training
/// venue's shared computer, with room to spare); signing in again ends the one
/// used longest ago.
pub const MAX_SESSIONS_PER_USER: i64 = 10;

impl Store {
    pub async fn create_session(
        &self,
        id_digest: &str,
        user_id: i64,
        now: Timestamp,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (id_digest, user_id, created_at, last_seen_at) \
             VALUES ($1, $2, $3, $3)",
        )
        .bind(id_digest)
        .bind(user_id)
        .bind(now.seconds())
        .execute(&self.pool)
        .await?;
        // The oldest sessions end beyond the limit: a stolen password cannot pile up sessions
        // that outlive a change of it unnoticed, and the table cannot be filled by signing in.
        sqlx::query(
            "DELETE FROM sessions WHERE user_id = $1 AND id_digest <> $2 AND id_digest NOT IN \
             (SELECT id_digest FROM sessions WHERE user_id = $1 AND id_digest <> $2 \
              ORDER BY last_seen_at DESC, created_at DESC, id_digest LIMIT $3)",
        )
        .bind(user_id)
        .bind(id_digest)
        .bind(MAX_SESSIONS_PER_USER - 1)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The signed-in account behind a session, if the session is still valid and the account
    /// active. Expired sessions are deleted on sight; active ones are touched now and then.
    pub async fn session_user(&self, id_digest: &str, now: Timestamp) -> Result<Option<User>> {
        let sql = format!(
            "SELECT sessions.created_at AS session_created_at, \
             sessions.last_seen_at AS session_last_seen_at, {USER_COLUMNS} \
             FROM sessions JOIN users ON users.id = sessions.user_id \
             WHERE sessions.id_digest = $1"
        );
        let row: Option<SessionUserRow> = sqlx::query_as(&sql)
            .bind(id_digest)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let state = session::assess(
            Timestamp(row.session_created_at),
            Timestamp(row.session_last_seen_at),
            now,
        );
        let user = row.user.into_user()?;
        match state {
            SessionState::Expired => {
                self.delete_session(id_digest).await?;
                Ok(None)
            }
            SessionState::Active { .. } if !user.is_active() => Ok(None),
            SessionState::Active { needs_touch } => {
                if needs_touch {
                    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_digest = $2")
                        .bind(now.seconds())
                        .bind(id_digest)
                        .execute(&self.pool)
                        .await?;
                }
                Ok(Some(user))
            }
        }
    }

    pub async fn delete_session(&self, id_digest: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id_digest = $1")
            .bind(id_digest)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Removes sessions that can no longer be used; run from a periodic job.
    pub async fn purge_expired_sessions(&self, now: Timestamp) -> Result<u64> {
        let deleted =
            sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2")
                .bind(now.minus_seconds(session::IDLE_TIMEOUT_SECONDS).seconds())
                .bind(
                    now.minus_seconds(session::ABSOLUTE_LIFETIME_SECONDS)
                        .seconds(),
                )
                .execute(&self.pool)
                .await?;
        Ok(deleted.rows_affected())
    }
}
