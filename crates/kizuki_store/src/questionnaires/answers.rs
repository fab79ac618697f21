//! Codes and answers. Using a code and storing the answer happen in one transaction; the code
//! is only marked used (so a second try can be told "already used"), with no time, and the answer
//! row holds a random key, the questionnaire and the answers, nothing else.

use std::collections::BTreeMap;

use kizuki_domain::Timestamp;
use kizuki_domain::questionnaire::{Answer, Phase};

use super::parse_answers;
use crate::{Backend, Result, Store, StoreError};

/// One set of answers, read back in the order of its random key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    pub id: String,
    pub answers: BTreeMap<i64, Answer>,
}

/// What a code turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnswerOutcome {
    Stored,
    Unknown,
    Used,
    /// The questionnaire is not open (not yet, or no longer).
    NotOpen,
}

impl Store {
    /// The questionnaire a code opens and whether it is still unused; `None` for no such code.
    /// The same single query answers for unknown and used codes, so the two take the same time.
    pub async fn code_state(&self, digest: &str) -> Result<Option<(i64, bool)>> {
        let row: Option<(i64, String)> = sqlx::query_as(
            "SELECT questionnaire_id, state FROM questionnaire_tokens WHERE digest = $1",
        )
        .bind(digest)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(id, state)| (id, state == "unused")))
    }

    /// Uses a code and stores the answers it admits, both or neither. `id` is the answer's
    /// random key; `answers` have been checked against the questionnaire's questions.
    pub async fn record_answers(
        &self,
        digest: &str,
        questionnaire_id: i64,
        id: &str,
        answers: &BTreeMap<i64, Answer>,
        now: Timestamp,
    ) -> Result<AnswerOutcome> {
        let json = serde_json::to_string(
            &answers
                .iter()
                .map(|(question, answer)| (question.to_string(), answer))
                .collect::<BTreeMap<_, _>>(),
        )
        .map_err(|error| StoreError::Corrupt(error.to_string()))?;
        // Two tries with one code cannot both read "unused".
        let mut transaction = self.begin_write().await?;
        let times: Option<(Option<i64>, Option<i64>)> =
            sqlx::query_as("SELECT opens_at, closes_at FROM questionnaires WHERE id = $1")
                .bind(questionnaire_id)
                .fetch_optional(&mut *transaction)
                .await?;
        let Some((opens, closes)) = times else {
            return Ok(AnswerOutcome::Unknown);
        };
        let phase =
            kizuki_domain::questionnaire::phase(opens.map(Timestamp), closes.map(Timestamp), now);
        if phase != Phase::Open {
            return Ok(AnswerOutcome::NotOpen);
        }
        let guard = if crate::guards::is_off(crate::guards::Guard::Codes) {
            "" // The negative control: a used code is taken again (a test build only).
        } else {
            " AND state = 'unused'"
        };
        let used = sqlx::query(&format!(
            "UPDATE questionnaire_tokens SET state = 'used' \
             WHERE digest = $1 AND questionnaire_id = $2{guard}"
        ))
        .bind(digest)
        .bind(questionnaire_id)
        .execute(&mut *transaction)
        .await?
        .rows_affected();
        if used == 0 {
            drop(transaction);
            return Ok(match self.code_state(digest).await? {
                None => AnswerOutcome::Unknown,
                Some(_) => AnswerOutcome::Used,
            });
        }
        sqlx::query(
            "INSERT INTO questionnaire_responses (id, questionnaire_id, answers) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(questionnaire_id)
        .bind(json)
        .execute(&mut *transaction)
        .await?;
        transaction.commit().await?;
        Ok(AnswerOutcome::Stored)
    }

    pub async fn response_count(&self, questionnaire_id: i64) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM questionnaire_responses WHERE questionnaire_id = $1",
        )
        .bind(questionnaire_id)
        .fetch_one(&self.pool)
        .await?)
    }

    /// The answers, in the order of their random keys (never the order they came in).
    pub async fn responses(&self, questionnaire_id: i64) -> Result<Vec<Response>> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT id, answers FROM questionnaire_responses WHERE questionnaire_id = $1 \
             ORDER BY id",
        )
        .bind(questionnaire_id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(id, answers)| {
                Ok(Response {
                    id,
                    answers: parse_answers(&answers)?,
                })
            })
            .collect()
    }

    /// Once a questionnaire has closed, rewrites its answers in the order of their random keys,
    /// once. On PostgreSQL the table's heap keeps rows in the order they were written; after
    /// this, the live rows no longer do (the dead ones wait for VACUUM, which runs next). SQLite
    /// keeps these rows in key order already (`WITHOUT ROWID`). Answers `true` when sealed.
    pub async fn seal_if_closed(&self, questionnaire_id: i64, now: Timestamp) -> Result<bool> {
        // Read first without a lock: nearly always it is sealed already, or still open.
        let row: Option<(Option<i64>, Option<i64>)> =
            sqlx::query_as("SELECT closes_at, sealed_at FROM questionnaires WHERE id = $1")
                .bind(questionnaire_id)
                .fetch_optional(&self.pool)
                .await?;
        let Some((closes, sealed)) = row else {
            return Err(StoreError::NotFound);
        };
        if sealed.is_some() {
            return Ok(true);
        }
        if closes.is_none_or(|at| at > now.seconds()) {
            return Ok(false);
        }
        let mut transaction = self.begin_write().await?;
        let claimed = sqlx::query(
            "UPDATE questionnaires SET sealed_at = $1 WHERE id = $2 AND sealed_at IS NULL",
        )
        .bind(now.seconds())
        .bind(questionnaire_id)
        .execute(&mut *transaction)
        .await?
        .rows_affected();
        if claimed == 0 {
            return Ok(true);
        }
        if self.backend == Backend::Postgres {
            let rows: Vec<(String, String)> = sqlx::query_as(
                "SELECT id, answers FROM questionnaire_responses WHERE questionnaire_id = $1 \
                 ORDER BY id",
            )
            .bind(questionnaire_id)
            .fetch_all(&mut *transaction)
            .await?;
            sqlx::query("DELETE FROM questionnaire_responses WHERE questionnaire_id = $1")
                .bind(questionnaire_id)
                .execute(&mut *transaction)
                .await?;
            for (id, answers) in rows {
                sqlx::query(
                    "INSERT INTO questionnaire_responses (id, questionnaire_id, answers) \
                     VALUES ($1, $2, $3)",
                )
                .bind(id)
                .bind(questionnaire_id)
                .bind(answers)
                .execute(&mut *transaction)
                .await?;
            }
        }
        transaction.commit().await?;
        if self.backend == Backend::Postgres {
            // Frees the dead rows left in arrival order; a failure only delays that.
            if let Err(error) = sqlx::query("VACUUM questionnaire_responses")
                .execute(&self.pool)
                .await
            {
                tracing::warn!(%error, "could not vacuum the answers");
            }
        }
        Ok(true)
    }

    /// Seals every questionnaire whose closing time has passed (run by the hourly job).
    pub async fn seal_closed_questionnaires(&self, now: Timestamp) -> Result<usize> {
        let due: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM questionnaires WHERE sealed_at IS NULL AND closes_at <= $1",
        )
        .bind(now.seconds())
        .fetch_all(&self.pool)
        .await?;
        for id in &due {
            self.seal_if_closed(*id, now).await?;
        }
        Ok(due.len())
    }
}
