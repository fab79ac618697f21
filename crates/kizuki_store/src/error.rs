#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}")]
    Config(String),
    /// A unique value (an email address, say) is already taken.
    #[error("{0} already exists")]
    Conflict(&'static str),
    #[error("not found")]
    NotFound,
    /// The change is not possible in the record's present state (a full frame, say); the code
    /// names why.
    #[error("refused: {0}")]
    Refused(&'static str),
    #[error("{0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    /// True when the database could not be reached, as opposed to refusing a query.
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            StoreError::Database(
                sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed
            )
        )
    }

    /// Turns a unique-constraint violation into [`StoreError::Conflict`].
    pub(crate) fn conflict_on_unique(error: sqlx::Error, what: &'static str) -> StoreError {
        match &error {
            sqlx::Error::Database(database_error) if database_error.is_unique_violation() => {
                StoreError::Conflict(what)
            }
            _ => StoreError::Database(error),
        }
    }
}
