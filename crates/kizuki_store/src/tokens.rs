use kizuki_domain::Timestamp;

use crate::users::{USER_COLUMNS, UserRow};
use crate::{Result, Store, StoreError, User};

/// What the owner of a token sees of it: never the token itself, which is shown once.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApiTokenSummary {
    pub id: i64,
    pub label: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// Writing `last_used_at` on every API call would make every read a write; once a minute is
/// precise enough to tell an owner whether a token is in use.
const LAST_USED_PRECISION_SECONDS: i64 = 60;

impl Store {
    pub async fn create_api_token(
        &self,
        user_id: i64,
        label: &str,
        digest: &str,
        now: Timestamp,
    ) -> Result<i64> {
        let id = sqlx::query_scalar(
            "INSERT INTO api_tokens (user_id, label, digest, created_at) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(user_id)
        .bind(label)
        .bind(digest)
        .bind(now.seconds())
        .fetch_one(&self.pool)
        .await?;
        Ok(id)
    }

    pub async fn api_tokens(&self, user_id: i64) -> Result<Vec<ApiTokenSummary>> {
        Ok(sqlx::query_as(
            "SELECT id, label, created_at, last_used_at, revoked_at FROM api_tokens \
             WHERE user_id = $1 ORDER BY revoked_at IS NOT NULL, created_at DESC, id DESC",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Revokes one of `user_id`'s tokens. Another user's token id is simply not found.
    pub async fn revoke_api_token(
        &self,
        user_id: i64,
        token_id: i64,
        now: Timestamp,
    ) -> Result<()> {
        let updated = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 \
             WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
        .bind(now.seconds())
        .bind(token_id)
        .bind(user_id)
        .execute(&self.pool)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// The active account behind an unrevoked token.
    pub async fn api_token_user(&self, digest: &str, now: Timestamp) -> Result<Option<User>> {
        let sql = format!(
            "SELECT api_tokens.id AS token_id, api_tokens.last_used_at AS token_last_used_at, \
             {USER_COLUMNS} FROM api_tokens JOIN users ON users.id = api_tokens.user_id \
             WHERE api_tokens.digest = $1 AND api_tokens.revoked_at IS NULL \
             AND users.disabled_at IS NULL"
        );
        let row: Option<TokenUserRow> = sqlx::query_as(&sql)
            .bind(digest)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let stale = row
            .token_last_used_at
            .is_none_or(|at| now.seconds() - at >= LAST_USED_PRECISION_SECONDS);
        if stale {
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                .bind(now.seconds())
                .bind(row.token_id)
                .execute(&self.pool)
                .await?;
        }
        Ok(Some(row.user.into_user()?))
    }
}

#[derive(sqlx::FromRow)]
struct TokenUserRow {
    token_id: i64,
    token_last_used_at: Option<i64>,
    #[sqlx(flatten)]
    user: UserRow,
}
