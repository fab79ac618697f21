//! Catalogue imports, written a chunk at a time. One transaction for a whole file held the
//! write lock for seconds (a 2 MB file of 8,000 rows: 4.3 s), and every applicant waited behind
//! it. Now each chunk is its own short transaction; the rows it writes carry the import's id
//! (`import_id`) and every reader passes them by, so nobody sees half a file. The last step
//! clears the marks in one statement per table: the import appears whole or not at all.

use std::time::Instant;

use kizuki_domain::Timestamp;

use super::groups::{StudyGroupInput, insert_study_group};
use super::id_list;
use super::trainings::{TrainingInput, insert_training};
use super::venues::{VenueInput, insert_venue};
use crate::{Result, Store, StoreError};

/// Rows written per transaction. At about half a millisecond a row on SQLite, a chunk keeps
/// the write lock for some tens of milliseconds (figures in `scripts/bench-import`).
pub const IMPORT_CHUNK_ROWS: usize = 100;

/// An unfinished import that has not written a chunk for this long belongs to a process that
/// stopped; housekeeping removes what it wrote. Far longer than any chunk takes.
pub const ABANDONED_IMPORT_SECONDS: i64 = 10 * 60;

/// How long an import lets other writers of its process go first between two chunks, at most
/// (so that a stream of applicants cannot stop it either).
const WRITERS_FIRST_FOR: std::time::Duration = std::time::Duration::from_millis(500);

/// A venue named in an import: an existing venue of the same name and place is reused.
pub struct VenueRef<'a> {
    pub is_online: bool,
    pub name: &'a str,
    pub prefecture_code: Option<u8>,
    pub municipality: &'a str,
    pub address: &'a str,
    pub position: Option<(f64, f64)>,
}

pub enum ImportItem<'a> {
    Training {
        venue: Option<VenueRef<'a>>,
        input: TrainingInput<'a>,
    },
    Group {
        venue: Option<VenueRef<'a>>,
        input: StudyGroupInput<'a>,
    },
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ImportSummary {
    pub trainings: usize,
    pub groups: usize,
    pub venues_added: usize,
}

async fn venue_id(
    connection: &mut sqlx::AnyConnection,
    import_id: i64,
    venue: &VenueRef<'_>,
    now: Timestamp,
    written: &mut Written,
) -> Result<i64> {
    let existing: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM venues WHERE name = $1 AND kind = $2 AND COALESCE(prefecture_code, 0) = $3 \
         AND municipality = $4 AND (import_id IS NULL OR import_id = $5) ORDER BY id LIMIT 1",
    )
    .bind(venue.name)
    .bind(if venue.is_online { "online" } else { "place" })
    .bind(venue.prefecture_code.map_or(0, i64::from))
    .bind(venue.municipality)
    .bind(import_id)
    .fetch_optional(&mut *connection)
    .await?;
    if let Some(id) = existing {
        return Ok(id);
    }
    let id = insert_venue(
        connection,
        &VenueInput {
            is_online: venue.is_online,
            name: venue.name,
            name_en: "",
            address: venue.address,
            prefecture_code: venue.prefecture_code,
            municipality: venue.municipality,
            position: venue.position,
            access_notes: "",
            access_notes_en: "",
            accessibility: &[],
            accessibility_notes: "",
            accessibility_notes_en: "",
        },
        now,
    )
    .await?;
    written.venues.push(id);
    Ok(id)
}

/// The rows one chunk wrote, to be marked as the import's.
#[derive(Default)]
struct Written {
    venues: Vec<i64>,
    trainings: Vec<i64>,
    groups: Vec<i64>,
}

/// The tables an import writes to, in the order its rows can be removed (events before the
/// venues they use).
const IMPORTED_TABLES: [&str; 3] = ["trainings", "study_groups", "venues"];

impl Store {
    /// Stores a whole import, all of it or (on any error) none of it, in chunks of
    /// [`IMPORT_CHUNK_ROWS`] so that other writers never wait long. `progress` hears how many
    /// items are written of how many after every chunk.
    pub async fn import_catalogue(
        &self,
        items: Vec<ImportItem<'_>>,
        created_by: Option<i64>,
        now: Timestamp,
        mut progress: impl FnMut(usize, usize),
    ) -> Result<ImportSummary> {
        let started = Instant::now();
        // `now` is the import's own time (its rows' timestamps); the chunks mark how far it got
        // on a clock that moves on from it.
        let touched_at =
            || now.plus_seconds(i64::try_from(started.elapsed().as_secs()).unwrap_or(i64::MAX));
        let import_id: i64 = sqlx::query_scalar(
            "INSERT INTO catalogue_imports (started_at, touched_at) VALUES ($1, $1) RETURNING id",
        )
        .bind(now.seconds())
        .fetch_one(&self.pool)
        .await?;
        let total = items.len();
        let mut summary = ImportSummary::default();
        let mut items = items.into_iter();
        let mut done = 0;
        loop {
            let chunk: Vec<ImportItem<'_>> = items.by_ref().take(IMPORT_CHUNK_ROWS).collect();
            if chunk.is_empty() {
                break;
            }
            if done > 0 {
                self.let_waiting_writers_in(WRITERS_FIRST_FOR).await;
            }
            done += chunk.len();
            let chunk_started = Instant::now();
            let written = self
                .import_chunk(
                    import_id,
                    chunk,
                    created_by,
                    now,
                    touched_at(),
                    &mut summary,
                )
                .await;
            if let Err(error) = written {
                // Should the removal fail too, its rows stay invisible and housekeeping removes
                // them; the error to report is the first.
                self.remove_unfinished_import(import_id).await.ok();
                return Err(error);
            }
            progress(done, total);
            if self.backend == crate::Backend::Sqlite && done < total {
                // Writers of other processes (a server beside `kizuki import`) only retry now
                // and then: a pause half as long as the chunk gives them their turn.
                tokio::time::sleep(chunk_started.elapsed() / 2).await;
            }
        }
        if let Err(error) = self.publish_import(import_id).await {
            self.remove_unfinished_import(import_id).await.ok();
            return Err(error);
        }
        Ok(summary)
    }

    async fn import_chunk(
        &self,
        import_id: i64,
        chunk: Vec<ImportItem<'_>>,
        created_by: Option<i64>,
        now: Timestamp,
        touched_at: Timestamp,
        summary: &mut ImportSummary,
    ) -> Result<()> {
        let mut transaction = self.begin_write().await?;
        // An import removed as abandoned (its process seemed gone) does not come back.
        let alive = sqlx::query("UPDATE catalogue_imports SET touched_at = $1 WHERE id = $2")
            .bind(touched_at.seconds())
            .bind(import_id)
            .execute(&mut *transaction)
            .await?;
        if alive.rows_affected() == 0 {
            return Err(StoreError::Conflict("an import that had stopped"));
        }
        let mut written = Written::default();
        for item in chunk {
            match item {
                ImportItem::Training { venue, mut input } => {
                    if let Some(venue) = venue {
                        let id = venue_id(&mut transaction, import_id, &venue, now, &mut written)
                            .await?;
                        input.venue_id = Some(id);
                    }
                    let id = insert_training(&mut transaction, &input, created_by, now).await?;
                    written.trainings.push(id);
                }
                ImportItem::Group { venue, mut input } => {
                    if let Some(venue) = venue {
                        let id = venue_id(&mut transaction, import_id, &venue, now, &mut written)
                            .await?;
                        input.venue_id = Some(id);
                    }
                    let id = insert_study_group(&mut transaction, &input, created_by, now).await?;
                    written.groups.push(id);
                }
            }
        }
        for (table, ids) in [
            ("venues", &written.venues),
            ("trainings", &written.trainings),
            ("study_groups", &written.groups),
        ] {
            if ids.is_empty() {
                continue;
            }
            sqlx::query(&format!(
                "UPDATE {table} SET import_id = $1 WHERE id IN ({})",
                id_list(ids)
            ))
            .bind(import_id)
            .execute(&mut *transaction)
            .await?;
        }
        transaction.commit().await?;
        summary.venues_added += written.venues.len();
        summary.trainings += written.trainings.len();
        summary.groups += written.groups.len();
        Ok(())
    }

    /// Makes every row of the import visible at once.
    async fn publish_import(&self, import_id: i64) -> Result<()> {
        let mut transaction = self.begin_write().await?;
        let finished = sqlx::query("DELETE FROM catalogue_imports WHERE id = $1")
            .bind(import_id)
            .execute(&mut *transaction)
            .await?;
        if finished.rows_affected() == 0 {
            return Err(StoreError::Conflict("an import that had stopped"));
        }
        for table in IMPORTED_TABLES {
            sqlx::query(&format!(
                "UPDATE {table} SET import_id = NULL WHERE import_id = $1"
            ))
            .bind(import_id)
            .execute(&mut *transaction)
            .await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    /// Removes what an unfinished import wrote (its days, facilitators and hosts go with the
    /// events).
    async fn remove_unfinished_import(&self, import_id: i64) -> Result<()> {
        let mut transaction = self.begin_write().await?;
        for table in IMPORTED_TABLES {
            sqlx::query(&format!("DELETE FROM {table} WHERE import_id = $1"))
                .bind(import_id)
                .execute(&mut *transaction)
                .await?;
        }
        sqlx::query("DELETE FROM catalogue_imports WHERE id = $1")
            .bind(import_id)
            .execute(&mut *transaction)
            .await?;
        transaction.commit().await?;
        Ok(())
    }

    /// Removes the imports whose process stopped before they finished (none has written a
    /// chunk for [`ABANDONED_IMPORT_SECONDS`] before `now`). Answers how many.
    pub async fn remove_abandoned_imports(&self, now: Timestamp) -> Result<usize> {
        let stale: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM catalogue_imports WHERE touched_at < $1")
                .bind(now.minus_seconds(ABANDONED_IMPORT_SECONDS).seconds())
                .fetch_all(&self.pool)
                .await?;
        for import_id in &stale {
            self.remove_unfinished_import(*import_id).await?;
        }
        Ok(stale.len())
    }

    /// How many rows of unfinished imports the catalogue holds (none a reader sees).
    pub async fn unfinished_import_rows(&self) -> Result<i64> {
        let mut rows = 0;
        for table in IMPORTED_TABLES {
            let count: i64 = sqlx::query_scalar(&format!(
                "SELECT COUNT(*) FROM {table} WHERE import_id IS NOT NULL"
            ))
            .fetch_one(&self.pool)
            .await?;
            rows += count;
        }
        Ok(rows)
    }
}
