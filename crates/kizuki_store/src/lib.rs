//! Storage: the only crate that speaks SQL.
//!
//! One [`Store`] serves SQLite (the default, one file, WAL) and PostgreSQL through sqlx's `Any`
//! driver, so every query is written once. Queries use `$1`-style placeholders, which both
//! backends accept, and portable types only: 64-bit integers (instants are Unix seconds), text,
//! and nullable versions of those. Each backend has its own migration folder (`migrations/` at
//! the repository root), kept in step.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};

mod audit;
mod backup;
mod catalogue;
mod error;
pub mod guards;
mod invitations;
mod keys;
mod qda;
mod qda_board;
mod qda_sortings;
mod qda_transcripts;
mod questionnaires;
mod rate;
mod registration;
mod sessions;
pub use sessions::MAX_SESSIONS_PER_USER;
mod throttle;
mod tokens;
mod users;

pub use audit::AuditEntry;
pub use catalogue::{
    ABANDONED_IMPORT_SECONDS, GROUP_MESSAGE_MAIL, GROUP_REPLY_MAIL, GroupMessage, GroupReply,
    HostInbox, IMPORT_CHUNK_ROWS, ImportItem, ImportSummary, MeetingChange, NewGroupMessage,
    OperatorProfile, Person, PersonInput, PlaceRow, StudyGroup, StudyGroupFilter, StudyGroupInput,
    Training, TrainingFilter, TrainingGuide, TrainingInput, Venue, VenueInput, VenueRef, When,
};
pub use error::StoreError;
pub use invitations::Invitation;
pub use qda::{
    BundleNode, CardInput, QdaBundle, QdaMember, QdaNode, QdaProject, QdaRelation, Transcript,
    TranscriptInput, new_guid,
};
pub use qda_board::RELATION_KINDS;
pub use qda_sortings::QdaSorting;
pub use qda_transcripts::TranscriptMeta;
pub use questionnaires::{
    AnswerOutcome, Category, CategoryInput, CodingRow, HeldAnswer, MIXER_SILENCE_SECONDS,
    Questionnaire, QuestionnaireInput, QuestionnaireSummary, Response,
};
pub use registration::{
    Actor, ApplicationRecord, Applied, AttendanceMark, ContactDetails, Frame, FrameInput, LogEntry,
    LotteryRecord, LotteryState, MAX_MAIL_ATTEMPTS, MailBacklog, MailDraft, NewApplication, Notice,
    NoticeKind, OutboxEntry, OutgoingMail, Placement, QuestionDef, QuestionInput, QueuedMail,
    RegistrationSettings, RosterFilter, Seats, SettingsInput, TrainingWorkload,
};
pub use tokens::ApiTokenSummary;
pub use users::{NewUser, User};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// Writers of this process waiting for SQLite's write lock: a long import lets them go
    /// first between its chunks (SQLite's own busy wait favours whoever asks again first).
    writers_waiting: Arc<AtomicUsize>,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/postgres");

/// Settings applied to every SQLite connection. Foreign keys are off by default in SQLite; the
/// busy timeout lets concurrent writers wait their turn instead of failing at once.
const SQLITE_CONNECTION_PRAGMAS: &str =
    "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;";

impl Store {
    /// Opens (and for SQLite, creates) the database at `url`: `sqlite://path/to/file.db` or
    /// `postgres://user@host/db`.
    pub async fn open(url: &str) -> Result<Store> {
        install_default_drivers();
        let backend = backend_of(url)?;
        let url = match backend {
            Backend::Sqlite => prepare_sqlite_url(url)?,
            Backend::Postgres => url.to_owned(),
        };
        let options = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 8,
                Backend::Postgres => 16,
            })
            .after_connect(move |connection, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        connection.execute(SQLITE_CONNECTION_PRAGMAS).await?;
                    }
                    Ok(())
                })
            });
        let pool = options.connect(&url).await?;
        if backend == Backend::Sqlite {
            // WAL is a property of the file; setting it once is enough and lets readers proceed
            // while one writer writes.
            pool.execute("PRAGMA journal_mode = WAL").await?;
        }
        Ok(Store {
            pool,
            backend,
            writers_waiting: Arc::default(),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A transaction that will write after it reads. SQLite's ordinary transaction takes the
    /// write lock only at the first write, and fails at once (rather than waiting) if another
    /// connection wrote since its read; `BEGIN IMMEDIATE` takes the lock first, so the busy
    /// timeout applies.
    pub(crate) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.backend {
            Backend::Sqlite => {
                let _waiting = Waiting::count(&self.writers_waiting);
                self.pool.begin_with("BEGIN IMMEDIATE").await?
            }
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// Waits (a little) while other writers of this process wait for the write lock.
    pub(crate) async fn let_waiting_writers_in(&self, at_most: std::time::Duration) {
        let started = std::time::Instant::now();
        while self.writers_waiting.load(Ordering::Acquire) > 0 && started.elapsed() < at_most {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
    }

    /// Brings the schema up to date. Safe to run from several processes at once: sqlx takes the
    /// database's own lock around it.
    pub async fn migrate(&self) -> Result<()> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.pool).await?;
        Ok(())
    }

    /// True when the database answers; for `/healthz`.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Creates an empty database on the PostgreSQL server at `server_url` (used by the test suite to
/// give every test a database of its own). `name` must be a plain identifier.
pub async fn create_postgres_database(server_url: &str, name: &str) -> Result<()> {
    if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(StoreError::Config(format!(
            "{name:?} is not a plain database name"
        )));
    }
    let store = Store::open(server_url).await?;
    if store.backend != Backend::Postgres {
        return Err(StoreError::Config("not a PostgreSQL URL".to_owned()));
    }
    store
        .pool
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await?;
    store.close().await;
    Ok(())
}

fn backend_of(url: &str) -> Result<Backend> {
    if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Backend::Postgres)
    } else {
        Err(StoreError::Config(format!(
            "unsupported database URL {url:?}: use sqlite://FILE or postgres://USER@HOST/DB"
        )))
    }
}

/// Creates the folder of a SQLite file and asks for the file to be created if missing.
fn prepare_sqlite_url(url: &str) -> Result<String> {
    let rest = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path.is_empty() || path == ":memory:" {
        return Err(StoreError::Config(
            "an in-memory SQLite database cannot be shared between connections; give a file"
                .to_owned(),
        ));
    }
    if let Some(parent) = Path::new(path)
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent).map_err(|error| {
            StoreError::Config(format!(
                "cannot create folder {}: {error}",
                parent.display()
            ))
        })?;
    }
    let mut query = query.to_owned();
    if !query.split('&').any(|pair| pair.starts_with("mode=")) {
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str("mode=rwc");
    }
    Ok(format!("sqlite://{path}?{query}"))
}

/// A civil date stored as 'YYYY-MM-DD'.
fn parse_date(column: &str, value: &str) -> Result<jiff::civil::Date> {
    value
        .parse()
        .map_err(|_| StoreError::Corrupt(format!("unexpected {column} {value:?} in the database")))
}

/// A time of day stored as 'HH:MM'.
fn parse_time(column: &str, value: &str) -> Result<jiff::civil::Time> {
    jiff::civil::Time::strptime("%H:%M", value)
        .map_err(|_| StoreError::Corrupt(format!("unexpected {column} {value:?} in the database")))
}

/// A value read from a text column that must name one of a fixed set (a role, a language).
fn parse_column<T: FromStr>(column: &str, value: &str) -> Result<T> {
    value
        .parse()
        .map_err(|_| StoreError::Corrupt(format!("unexpected {column} {value:?} in the database")))
}

/// Counts one writer as waiting for as long as it lives (also when its wait is cancelled).
struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    fn count(waiting: &'a AtomicUsize) -> Waiting<'a> {
        waiting.fetch_add(1, Ordering::AcqRel);
        Waiting(waiting)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls_name_their_backend() {
        assert_eq!(backend_of("sqlite://a.db").ok(), Some(Backend::Sqlite));
        assert_eq!(backend_of("postgres://u@h/d").ok(), Some(Backend::Postgres));
        assert!(backend_of("mysql://u@h/d").is_err());
    }

    #[test]
    fn sqlite_urls_ask_for_creation() {
        let url = prepare_sqlite_url("sqlite://target/kizuki-url-test/x.db").ok();
        assert_eq!(
            url.as_deref(),
            Some("sqlite://target/kizuki-url-test/x.db?mode=rwc")
        );
        assert!(prepare_sqlite_url("sqlite::memory:").is_err());
    }
}
