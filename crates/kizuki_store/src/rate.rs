use kizuki_domain::Timestamp;

use crate::{Result, Store};

impl Store {
    /// Counts one more request in `bucket` for the window starting at `window_start`, and gives
    /// the count so far. One statement, so concurrent requests each see a different count.
    pub async fn count_request(&self, bucket: &str, window_start: Timestamp) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO rate_counters (bucket, window_start, hits) VALUES ($1, $2, 1) \
             ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_counters.hits + 1 \
             RETURNING hits",
        )
        .bind(bucket)
        .bind(window_start.seconds())
        .fetch_one(&self.pool)
        .await?)
    }

    /// The count in `bucket` for the window starting at `window_start`, without adding to it.
    pub async fn request_count(&self, bucket: &str, window_start: Timestamp) -> Result<i64> {
        let hits: Option<i64> = sqlx::query_scalar(
            "SELECT hits FROM rate_counters WHERE bucket = $1 AND window_start = $2",
        )
        .bind(bucket)
        .bind(window_start.seconds())
        .fetch_optional(&self.pool)
        .await?;
        Ok(hits.unwrap_or(0))
    }

    pub async fn purge_rate_counters(&self, before: Timestamp) -> Result<u64> {
        let deleted = sqlx::query("DELETE FROM rate_counters WHERE window_start < $1")
            .bind(before.seconds())
            .execute(&self.pool)
            .await?;
        Ok(deleted.rows_affected())
    }
}
