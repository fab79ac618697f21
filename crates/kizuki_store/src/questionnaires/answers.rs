//! Codes and answers. A code is taken at once, in its own transaction: marked used (so a second
//! try anywhere is told "already used"), with no time, and held by the server's mixer. Its
//! answer stays in that server's memory until enough others have come (see
//! `kizuki_web::questionnaire::mixer`); then a batch of answers is written in one transaction in
//! which every answer row of the questionnaire is rewritten in a random order and the batch's
//! codes are let go. An answer row holds a random key, the questionnaire and the answers,
//! nothing else. Why, and what each party can still learn: ARCHITECTURE.md, "Anonymity".

use std::collections::BTreeMap;

use kizuki_domain::Timestamp;
use kizuki_domain::questionnaire::{Answer, Phase};
use rand::seq::SliceRandom;

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
    /// The code was unused and is now held by the caller's mixer: its answer is the mixer's to
    /// write.
    Held,
    Unknown,
    Used,
    /// The questionnaire is not open (not yet, or no longer).
    NotOpen,
}

/// An answer taken with its code and waiting, in a mixer's memory, to be written with others.
#[derive(Clone, Debug)]
pub struct HeldAnswer {
    /// The digest of the code it came with, let go when the answer is written.
    pub digest: String,
    /// The answer's random key.
    pub id: String,
    /// The answers as stored: `{"question id": answer}`.
    pub answers: String,
}

impl HeldAnswer {
    /// `answers` have been checked against the questionnaire's questions.
    pub fn new(digest: String, id: String, answers: &BTreeMap<i64, Answer>) -> Result<HeldAnswer> {
        let answers = serde_json::to_string(
            &answers
                .iter()
                .map(|(question, answer)| (question.to_string(), answer))
                .collect::<BTreeMap<_, _>>(),
        )
        .map_err(|error| StoreError::Corrupt(error.to_string()))?;
        Ok(HeldAnswer {
            digest,
            id,
            answers,
        })
    }
}

/// How many codes of a questionnaire a mixer holds: answers taken and not yet written.
const HELD_COUNT: &str = "SELECT COUNT(*) FROM questionnaire_tokens \
     WHERE questionnaire_id = $1 AND holder IS NOT NULL";

/// How long a mixer may go unseen before its server is taken for dead and the codes it held are
/// given back (its answers went with it). Mixers say they are alive every half minute.
pub const MIXER_SILENCE_SECONDS: i64 = 5 * 60;

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

    /// Takes an unused code of an open questionnaire for the mixer `holder`: from now on the
    /// code admits no other answer, on any server.
    pub async fn hold_code(
        &self,
        digest: &str,
        questionnaire_id: i64,
        holder: &str,
        now: Timestamp,
    ) -> Result<AnswerOutcome> {
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
        let taken = sqlx::query(&format!(
            "UPDATE questionnaire_tokens SET state = 'used', holder = $3 \
             WHERE digest = $1 AND questionnaire_id = $2{guard}"
        ))
        .bind(digest)
        .bind(questionnaire_id)
        .bind(holder)
        .execute(&mut *transaction)
        .await?
        .rows_affected();
        if taken == 0 {
            drop(transaction);
            return Ok(match self.code_state(digest).await? {
                None => AnswerOutcome::Unknown,
                Some(_) => AnswerOutcome::Used,
            });
        }
        transaction.commit().await?;
        Ok(AnswerOutcome::Held)
    }

    /// Writes a batch of held answers and lets their codes go, in one transaction in which every
    /// answer row of the questionnaire is deleted and written again, all in a random order: the
    /// rows (and on PostgreSQL their heap order and transaction ids) then say nothing of which
    /// came when. Once a questionnaire is sealed its rows are coded and quoted, so they are kept
    /// and only the batch is added.
    pub async fn write_mixed(&self, questionnaire_id: i64, batch: &[HeldAnswer]) -> Result<()> {
        let mixing = !crate::guards::is_off(crate::guards::Guard::Mixing);
        let mut transaction = self.begin_write().await?;
        // One write per questionnaire at a time: each reads the rows, deletes them and writes
        // them back, so two at once would lose the first one's batch. SQLite's write
        // transactions are one at a time already; on PostgreSQL the questionnaire's row is
        // locked (and read committed gives the next write the rows this one wrote).
        let lock = match self.backend {
            Backend::Postgres => " FOR UPDATE",
            Backend::Sqlite => "",
        };
        let sealed: Option<Option<i64>> = sqlx::query_scalar(&format!(
            "SELECT sealed_at FROM questionnaires WHERE id = $1{lock}"
        ))
        .bind(questionnaire_id)
        .fetch_optional(&mut *transaction)
        .await?;
        let Some(sealed) = sealed else {
            // The questionnaire was deleted, and its codes with it.
            return Ok(());
        };
        let mut rows = if sealed.is_none() && mixing {
            take_answers(&mut transaction, questionnaire_id).await?
        } else {
            Vec::new()
        };
        rows.extend(
            batch
                .iter()
                .map(|held| (held.id.clone(), held.answers.clone())),
        );
        let mut digests: Vec<&str> = batch.iter().map(|held| held.digest.as_str()).collect();
        if mixing {
            let mut rng = rand::rng();
            rows.shuffle(&mut rng);
            digests.shuffle(&mut rng);
        }
        insert_answers(&mut transaction, questionnaire_id, &rows).await?;
        for digest in digests {
            sqlx::query("UPDATE questionnaire_tokens SET holder = NULL WHERE digest = $1")
                .bind(digest)
                .execute(&mut *transaction)
                .await?;
        }
        transaction.commit().await?;
        if mixing {
            self.vacuum_answers().await;
        }
        Ok(())
    }

    /// On PostgreSQL, frees the dead row versions an earlier write left (they keep the order of
    /// that write until VACUUM); a failure only delays that. SQLite rewrites in place.
    async fn vacuum_answers(&self) {
        if self.backend == Backend::Postgres
            && let Err(error) = sqlx::query("VACUUM questionnaire_responses")
                .execute(&self.pool)
                .await
        {
            tracing::warn!(%error, "could not vacuum the answers");
        }
    }

    /// The mixer `holder` is alive at `now`.
    pub async fn mixer_seen(&self, holder: &str, now: Timestamp) -> Result<()> {
        sqlx::query(
            "INSERT INTO answer_mixers (holder, seen_at) VALUES ($1, $2) \
             ON CONFLICT (holder) DO UPDATE SET seen_at = excluded.seen_at",
        )
        .bind(holder)
        .bind(now.seconds())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A mixer that stops cleanly, having written what it held, is forgotten.
    pub async fn mixer_stopped(&self, holder: &str) -> Result<()> {
        sqlx::query("DELETE FROM answer_mixers WHERE holder = $1")
            .bind(holder)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Gives back, unused, the codes held by mixers not seen for [`MIXER_SILENCE_SECONDS`] (or
    /// never seen): their servers stopped without writing those answers, so each code may
    /// answer again. Answers how many codes were given back.
    pub async fn release_codes_of_silent_mixers(&self, now: Timestamp) -> Result<u64> {
        let before = now.seconds() - MIXER_SILENCE_SECONDS;
        let mut transaction = self.begin_write().await?;
        let released = sqlx::query(
            "UPDATE questionnaire_tokens SET state = 'unused', holder = NULL \
             WHERE holder IS NOT NULL AND holder NOT IN \
             (SELECT holder FROM answer_mixers WHERE seen_at >= $1)",
        )
        .bind(before)
        .execute(&mut *transaction)
        .await?
        .rows_affected();
        sqlx::query("DELETE FROM answer_mixers WHERE seen_at < $1")
            .bind(before)
            .execute(&mut *transaction)
            .await?;
        transaction.commit().await?;
        if released > 0 {
            tracing::warn!(
                released,
                "codes held by a server that stopped were given back: their answers were lost"
            );
        }
        Ok(released)
    }

    /// How many codes of a questionnaire are held: answers taken and not yet written.
    pub async fn held_count(&self, questionnaire_id: i64) -> Result<i64> {
        Ok(sqlx::query_scalar(HELD_COUNT)
            .bind(questionnaire_id)
            .fetch_one(&self.pool)
            .await?)
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

    /// Once a questionnaire has closed and no answer of it is still held by a mixer, rewrites
    /// its answers in the order of their random keys, once, and marks it sealed: from then on
    /// its answers are final and may be coded and released. Every mixed write has already put
    /// the rows in a random order; this also covers answers written before mixing existed.
    /// Answers `true` when sealed.
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
        // Answers still held by a mixer (on this server or another) are written first; until
        // then the answers are not all there, and nothing is sealed or released.
        let held: i64 = sqlx::query_scalar(HELD_COUNT)
            .bind(questionnaire_id)
            .fetch_one(&mut *transaction)
            .await?;
        if held > 0 {
            return Ok(false);
        }
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
            let rows = take_answers(&mut transaction, questionnaire_id).await?;
            insert_answers(&mut transaction, questionnaire_id, &rows).await?;
        }
        transaction.commit().await?;
        self.vacuum_answers().await;
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

/// Reads and deletes every answer row `(random key, answers)` of a questionnaire, in key order,
/// to be written again.
async fn take_answers(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    questionnaire_id: i64,
) -> Result<Vec<(String, String)>> {
    let rows = sqlx::query_as(
        "SELECT id, answers FROM questionnaire_responses WHERE questionnaire_id = $1 ORDER BY id",
    )
    .bind(questionnaire_id)
    .fetch_all(&mut **transaction)
    .await?;
    sqlx::query("DELETE FROM questionnaire_responses WHERE questionnaire_id = $1")
        .bind(questionnaire_id)
        .execute(&mut **transaction)
        .await?;
    Ok(rows)
}

/// Writes answer rows `(random key, answers)` in the order given.
async fn insert_answers(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    questionnaire_id: i64,
    rows: &[(String, String)],
) -> Result<()> {
    for (id, answers) in rows {
        sqlx::query(
            "INSERT INTO questionnaire_responses (id, questionnaire_id, answers) \
             VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(questionnaire_id)
        .bind(answers)
        .execute(&mut **transaction)
        .await?;
    }
    Ok(())
}
