use std::path::Path;

use crate::{Backend, Result, Store, StoreError};

impl Store {
    /// Writes a consistent copy of a SQLite database to `destination` while the server keeps
    /// running (`VACUUM INTO` reads one snapshot). PostgreSQL is backed up with `pg_dump`, which
    /// the command-line tool runs; this returns an error for it.
    pub async fn backup_sqlite(&self, destination: &Path) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Config(
                "this database is PostgreSQL: back it up with pg_dump".to_owned(),
            ));
        }
        if destination.exists() {
            return Err(StoreError::Config(format!(
                "{} already exists; choose a new file name",
                destination.display()
            )));
        }
        let Some(path) = destination.to_str() else {
            return Err(StoreError::Config(
                "the backup path must be valid UTF-8".to_owned(),
            ));
        };
        sqlx::query("VACUUM INTO $1")
            .bind(path)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
