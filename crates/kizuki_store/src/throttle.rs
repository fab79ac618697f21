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

    /// Failures since `since` for the account and for the client.
    pub async fn recent_login_failures(
        &self,
        account_key: &str,
        client_key: &str,
        since: Timestamp,
    ) -> Result<(RecentFailures, RecentFailures)> {
        let account = self
            .failures_where("account_key", account_key, since)
            .await?;
        let client = self.failures_where("client_key", client_key, since).await?;
        Ok((account, client))
    }

    async fn failures_where(
        &self,
        column: &'static str,
        key: &str,
        since: Timestamp,
    ) -> Result<RecentFailures> {
        let sql = format!(
            "SELECT COUNT(*), MIN(failed_at) FROM login_failures \
             WHERE {column} = $1 AND failed_at >= $2"
        );
        let (count, oldest): (i64, Option<i64>) = sqlx::query_as(&sql)
            .bind(key)
            .bind(since.seconds())
            .fetch_one(&self.pool)
            .await?;
        Ok(RecentFailures {
            count: u32::try_from(count).unwrap_or(u32::MAX),
            oldest: oldest.map(Timestamp),
        })
    }

    /// A successful sign-in forgives the account's earlier mistakes.
    pub async fn clear_login_failures(&self, account_key: &str) -> Result<()> {
        sqlx::query("DELETE FROM login_failures WHERE account_key = $1")
            .bind(account_key)
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
