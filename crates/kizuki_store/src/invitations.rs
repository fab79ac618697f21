use kizuki_domain::Timestamp;

use crate::{Result, Store, StoreError, User};

/// An invitation lets a new account holder choose their own password; the administrator never
/// sees it.
pub const INVITATION_LIFETIME_SECONDS: i64 = 7 * 24 * 60 * 60;

#[derive(Debug, Clone)]
pub struct Invitation {
    pub user: User,
    pub expires_at: Timestamp,
}

impl Store {
    pub async fn create_invitation(
        &self,
        digest: &str,
        user_id: i64,
        invited_by: Option<i64>,
        now: Timestamp,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO invitations (digest, user_id, invited_by, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(digest)
        .bind(user_id)
        .bind(invited_by)
        .bind(now.seconds())
        .bind(now.plus_seconds(INVITATION_LIFETIME_SECONDS).seconds())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A usable invitation: not used, not expired, for an active account.
    pub async fn invitation(&self, digest: &str, now: Timestamp) -> Result<Option<Invitation>> {
        let row: Option<(i64, i64)> = sqlx::query_as(
            "SELECT user_id, expires_at FROM invitations \
             WHERE digest = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(digest)
        .bind(now.seconds())
        .fetch_optional(&self.pool)
        .await?;
        let Some((user_id, expires_at)) = row else {
            return Ok(None);
        };
        let user = self.user(user_id).await?;
        Ok(user.is_active().then_some(Invitation {
            user,
            expires_at: Timestamp(expires_at),
        }))
    }

    /// Uses an invitation to set the account's password. The guarded update makes a link usable
    /// exactly once even if it is submitted twice at the same moment.
    pub async fn accept_invitation(
        &self,
        digest: &str,
        password_hash: &str,
        now: Timestamp,
    ) -> Result<i64> {
        let mut transaction = self.begin_write().await?;
        let user_id: Option<i64> = sqlx::query_scalar(
            "UPDATE invitations SET used_at = $1 \
             WHERE digest = $2 AND used_at IS NULL AND expires_at > $1 RETURNING user_id",
        )
        .bind(now.seconds())
        .bind(digest)
        .fetch_optional(&mut *transaction)
        .await?;
        let user_id = user_id.ok_or(StoreError::NotFound)?;
        sqlx::query("UPDATE users SET password_hash = $1, password_changed_at = $2 WHERE id = $3")
            .bind(password_hash)
            .bind(now.seconds())
            .bind(user_id)
            .execute(&mut *transaction)
            .await?;
        // Older links for the same account stop working too.
        sqlx::query("UPDATE invitations SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL")
            .bind(now.seconds())
            .bind(user_id)
            .execute(&mut *transaction)
            .await?;
        transaction.commit().await?;
        Ok(user_id)
    }
}
