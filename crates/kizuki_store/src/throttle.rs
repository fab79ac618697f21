use kizuki_domain::Timestamp;
use kizuki_domain::throttle::RecentFailures;

use crate::{Result, Store};

impl Store {
    pub async fn record_login_failure(
        &self,
        account_key: &str,
        client_key: &str,
        now: Timestamp,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO login_failures (account_key, client_key, failed_at) VALUES ($1, $2, $3)",
        )
        .bind(account_key)
        .bind(client_key)
        .bind(now.seconds())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Failures since `since` for the pair of account and client, and for the client.
    pub async fn recent_login_failures(
        &self,
        account_key: &str,
        client_key: &str,
        since: Timestamp,
    ) -> Result<(RecentFailures, RecentFailures)> {
        let pair = self
            .failures_where(
                "account_key = $1 AND client_key = $2",
                &[account_key, client_key],
                since,
            )
            .await?;
        let client = self
            .failures_where("client_key = $1", &[client_key], since)
            .await?;
        Ok((pair, client))
    }

    async fn failures_where(
        &self,
        condition: &'static str,
        keys: &[&str],
        since: Timestamp,
    ) -> Result<RecentFailures> {
        let sql = format!(
            "SELECT COUNT(*), MIN(failed_at), MAX(failed_at) FROM login_failures \
             WHERE {condition} AND failed_at >= ${}",
            keys.len() + 1
        );
        let mut query = sqlx::query_as(&sql);
        for key in keys {
            query = query.bind(*key);
        }
        let (count, oldest, latest): (i64, Option<i64>, Option<i64>) =
            query.bind(since.seconds()).fetch_one(&self.pool).await?;
        Ok(RecentFailures {
            count: u32::try_from(count).unwrap_or(u32::MAX),
            oldest: oldest.map(Timestamp),
            latest: latest.map(Timestamp),
        })
    }

    /// A successful sign-in forgives this client's earlier mistakes for the account (and only
    /// those: someone else's guesses stay counted against them).
    pub async fn clear_login_failures(&self, account_key: &str, client_key: &str) -> Result<()> {
        sqlx::query("DELETE FROM login_failures WHERE account_key = $1 AND client_key = $2")
            .bind(account_key)
            .bind(client_key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn purge_login_failures(&self, before: Timestamp) -> Result<u64> {
        let deleted = sqlx::query("DELETE FROM login_failures WHERE failed_at < $1")
            .bind(before.seconds())
            .execute(&self.pool)
            .await?;
        Ok(deleted.rows_affected())
    }
}
