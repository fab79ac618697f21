use crate::{Result, Store};

impl Store {
    /// A named secret shared by every server process (e.g. the key that signs CSRF tokens).
    ///
    /// The first process to ask stores `candidate`; every process, then and later, reads back
    /// the one value that won, so several `kizuki serve` processes agree without talking.
    pub async fn site_key(&self, name: &str, candidate: &str) -> Result<String> {
        sqlx::query(
            "INSERT INTO site_keys (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(candidate)
        .execute(&self.pool)
        .await?;
        Ok(
            sqlx::query_scalar("SELECT value FROM site_keys WHERE name = $1")
                .bind(name)
                .fetch_one(&self.pool)
                .await?,
        )
    }
}
