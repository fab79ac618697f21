//! The answer mixer: one per server. A code is taken in the database at once; its answer waits
//! here, in memory, until enough others have come (`kizuki_domain::questionnaire::mixing`),
//! and is then written with them, all of the questionnaire's rows in a random order, in one
//! transaction (`Store::write_mixed`). So neither the rows, a backup, the write-ahead log nor
//! the timing of writes lines up the order codes were used with the order of their answers.
//!
//! What waits is written when its questionnaire closes (on the next tick, or at once when it is
//! closed by hand or its results are opened) and when the server stops cleanly. A server that
//! dies loses what waited; its codes are given back, unused, once it has been silent for
//! `MIXER_SILENCE_SECONDS`, so their owners can answer again (the respondent's page says so).

use std::collections::HashMap;
use std::sync::Mutex;

use kizuki_domain::Timestamp;
use kizuki_domain::questionnaire::{Phase, mixing};
use kizuki_store::{HeldAnswer, Questionnaire, Store, StoreError};
use rand::RngCore;
use rand::seq::SliceRandom;

pub struct Mixer {
    /// This server's name in the database: random, new at every start, and nothing else.
    holder: String,
    waiting: Mutex<HashMap<i64, Vec<HeldAnswer>>>,
}

impl Default for Mixer {
    fn default() -> Mixer {
        let mut bytes = [0u8; 12];
        rand::rng().fill_bytes(&mut bytes);
        Mixer {
            holder: bytes.iter().map(|b| format!("{b:02x}")).collect(),
            waiting: Mutex::new(HashMap::new()),
        }
    }
}

impl Mixer {
    /// The name codes held by this mixer carry.
    pub fn holder(&self) -> &str {
        &self.holder
    }

    /// How many answers wait here, over all questionnaires.
    pub fn waiting(&self) -> usize {
        self.lock().values().map(Vec::len).sum()
    }

    /// Keeps an answer whose code this mixer holds, and writes a batch when enough wait.
    pub async fn keep(&self, store: &Store, questionnaire: &Questionnaire, answer: HeldAnswer) {
        let k = usize::try_from(questionnaire.min_cell).unwrap_or(1);
        let mixing_off = kizuki_store::guards::is_off(kizuki_store::guards::Guard::Mixing);
        let batch = {
            let mut waiting = self.lock();
            let pool = waiting.entry(questionnaire.id).or_default();
            pool.push(answer);
            let count = if mixing_off {
                pool.len() // The negative control: each answer at once (a test build only).
            } else {
                mixing::batch_to_write(pool.len(), k)
            };
            // A random draw of all that wait (the control keeps the order of arrival).
            if count > 0 && !mixing_off {
                pool.shuffle(&mut rand::rng());
            }
            pool.drain(..count).collect::<Vec<_>>()
        };
        self.write(store, questionnaire.id, batch).await;
    }

    /// Writes every answer waiting for one questionnaire (it has closed).
    pub async fn write_all(&self, store: &Store, questionnaire_id: i64) {
        let batch = self.lock().remove(&questionnaire_id).unwrap_or_default();
        self.write(store, questionnaire_id, batch).await;
    }

    /// Every half minute: this mixer is alive; what waits for a closed questionnaire is
    /// written; and the codes of mixers that fell silent are given back.
    pub async fn tick(&self, store: &Store, now: Timestamp) -> Result<(), StoreError> {
        store.mixer_seen(&self.holder, now).await?;
        let questionnaires: Vec<i64> = self.lock().keys().copied().collect();
        for id in questionnaires {
            let closed = match store.questionnaire(id).await {
                Ok(questionnaire) => questionnaire.phase(now) == Phase::Closed,
                Err(StoreError::NotFound) => true,
                Err(error) => return Err(error),
            };
            if closed {
                self.write_all(store, id).await;
            }
        }
        store.release_codes_of_silent_mixers(now).await?;
        Ok(())
    }

    /// The server stops: everything that waits is written, whatever its number, rather than
    /// lost (a restart while a questionnaire is open mixes that batch among fewer).
    pub async fn stop(&self, store: &Store) {
        let all: Vec<(i64, Vec<HeldAnswer>)> = self.lock().drain().collect();
        for (id, batch) in all {
            self.write(store, id, batch).await;
        }
        if self.waiting() == 0
            && let Err(error) = store.mixer_stopped(&self.holder).await
        {
            tracing::warn!(%error, "could not sign the answer mixer off");
        }
    }

    /// Writes a batch; if the database refuses, the answers wait again for the next try (their
    /// codes stay held, so no one else can use them meanwhile).
    async fn write(&self, store: &Store, questionnaire_id: i64, batch: Vec<HeldAnswer>) {
        if batch.is_empty() {
            return;
        }
        if let Err(error) = store.write_mixed(questionnaire_id, &batch).await {
            tracing::warn!(%error, "could not write a batch of answers; they wait for the next try");
            self.lock()
                .entry(questionnaire_id)
                .or_default()
                .extend(batch);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Vec<HeldAnswer>>> {
        // A panic while the lock was held cannot leave the map half changed (each change is one
        // call), so a poisoned lock is still good.
        self.waiting
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
