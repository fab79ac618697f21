//! Changing a transcript after import: its session details, and its text (a speaker renamed,
//! the pseudonym key applied again) with every card of it moved to the same words.

use kizuki_domain::qda::pseudonyms::{self, Entry, Replacement};
use kizuki_domain::qda::slice;

use crate::qda::bump;
use crate::{Result, Store, StoreError};

/// A transcript's session details.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TranscriptMeta {
    pub name: String,
    pub kind: String,
    pub session_date: Option<String>,
    pub place: String,
    pub participants: Option<i64>,
}

impl Store {
    pub async fn update_transcript_meta(&self, id: i64, meta: &TranscriptMeta) -> Result<()> {
        sqlx::query(
            "UPDATE qda_transcripts SET name = $1, kind = $2, session_date = $3, place = $4, \
             participants = $5 WHERE id = $6",
        )
        .bind(&meta.name)
        .bind(&meta.kind)
        .bind(&meta.session_date)
        .bind(&meta.place)
        .bind(meta.participants)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Makes `replacements` (found in `expected`, the text as the caller read it) in the
    /// transcript and moves its cards with them, each card's text read again from the new
    /// text. With `key`, the labels and memos of the project's cards and groups are
    /// pseudonymised too. Refused (`changed`) when the text is no longer `expected`, so that
    /// two researchers' edits cannot mix. Returns the new text.
    pub async fn rewrite_transcript(
        &self,
        transcript_id: i64,
        expected: &str,
        replacements: &[Replacement],
        key: Option<&[Entry]>,
    ) -> Result<String> {
        let mut transaction = self.begin_write().await?;
        let found: Option<(i64, String)> =
            sqlx::query_as("SELECT project_id, body FROM qda_transcripts WHERE id = $1")
                .bind(transcript_id)
                .fetch_optional(&mut *transaction)
                .await?;
        let (project_id, body) = found.ok_or(StoreError::NotFound)?;
        if body != expected {
            return Err(StoreError::Refused("changed"));
        }
        let rewritten = pseudonyms::rewrite(&body, replacements);
        sqlx::query("UPDATE qda_transcripts SET body = $1 WHERE id = $2")
            .bind(&rewritten)
            .bind(transcript_id)
            .execute(&mut *transaction)
            .await?;
        let cards: Vec<(i64, i64, i64)> = sqlx::query_as(
            "SELECT id, start_at, end_at FROM qda_nodes WHERE transcript_id = $1 \
                 AND start_at IS NOT NULL AND end_at IS NOT NULL",
        )
        .bind(transcript_id)
        .fetch_all(&mut *transaction)
        .await?;
        for (card, start, end) in cards {
            let start = pseudonyms::shift(usize::try_from(start).unwrap_or(0), replacements, false);
            let end = pseudonyms::shift(usize::try_from(end).unwrap_or(0), replacements, true);
            let quote = slice(&rewritten, start, end).unwrap_or_default();
            sqlx::query(
                "UPDATE qda_nodes SET start_at = $1, end_at = $2, quote = $3 WHERE id = $4",
            )
            .bind(start as i64)
            .bind(end as i64)
            .bind(quote)
            .bind(card)
            .execute(&mut *transaction)
            .await?;
        }
        if let Some(key) = key {
            let nodes: Vec<(i64, String, String)> =
                sqlx::query_as("SELECT id, label, memo FROM qda_nodes WHERE project_id = $1")
                    .bind(project_id)
                    .fetch_all(&mut *transaction)
                    .await?;
            for (node, label, memo) in nodes {
                let (new_label, in_label) = pseudonyms::apply(&label, key);
                let (new_memo, in_memo) = pseudonyms::apply(&memo, key);
                if !in_label.is_empty() || !in_memo.is_empty() {
                    sqlx::query("UPDATE qda_nodes SET label = $1, memo = $2 WHERE id = $3")
                        .bind(new_label)
                        .bind(new_memo)
                        .bind(node)
                        .execute(&mut *transaction)
                        .await?;
                }
            }
        }
        bump(&mut transaction, project_id).await?;
        transaction.commit().await?;
        Ok(rewritten)
    }
}
