//! How a training takes applications: its allocation mode, hold and offer times, retention,
//! frames (枠), its own questions, and the lottery's published commitment.

use jiff::civil::Date;
use kizuki_domain::Timestamp;
use kizuki_domain::allocation::Allocation;
use kizuki_domain::lottery;

use super::{Notice, settle};
use crate::{Result, Store, StoreError};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    pub id: i64,
    pub name: String,
    pub name_en: String,
    pub capacity: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuestionDef {
    pub id: i64,
    pub label: String,
    pub label_en: String,
    pub required: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LotteryState {
    pub seed_hash: String,
    /// Shown once the draw is made, so anyone can check it against the hash.
    pub seed_if_drawn: Option<String>,
    pub drawn_at: Option<Timestamp>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistrationSettings {
    pub allocation: Allocation,
    pub hold_minutes: i64,
    pub offer_hours: i64,
    pub retention_months: i64,
    pub purged_at: Option<Timestamp>,
    pub frames: Vec<Frame>,
    pub questions: Vec<QuestionDef>,
    pub lottery: Option<LotteryState>,
}

/// A frame as entered: `id` for one that exists (its applications stay in it).
#[derive(Clone, Debug)]
pub struct FrameInput {
    pub id: Option<i64>,
    pub name: String,
    pub name_en: String,
    pub capacity: i64,
}

#[derive(Clone, Debug)]
pub struct QuestionInput {
    pub id: Option<i64>,
    pub label: String,
    pub label_en: String,
    pub required: bool,
}

#[derive(Clone, Debug)]
pub struct SettingsInput {
    pub allocation: Allocation,
    pub hold_minutes: i64,
    pub offer_hours: i64,
    pub retention_months: i64,
    pub frames: Vec<FrameInput>,
    pub questions: Vec<QuestionInput>,
}

impl Store {
    pub async fn registration_settings(&self, training_id: i64) -> Result<RegistrationSettings> {
        // Two queries: the training's settings with its lottery, then its frames and questions.
        #[allow(clippy::type_complexity)]
        let row: Option<(
            String,
            i64,
            i64,
            i64,
            Option<i64>,
            Option<String>,
            Option<String>,
            Option<i64>,
        )> = sqlx::query_as(
            "SELECT t.allocation, t.hold_minutes, t.offer_hours, t.retention_months, \
                 t.personal_data_purged_at, l.seed, l.seed_hash, l.drawn_at \
                 FROM trainings t LEFT JOIN lotteries l ON l.training_id = t.id \
                 WHERE t.id = $1 AND t.import_id IS NULL",
        )
        .bind(training_id)
        .fetch_optional(&self.pool)
        .await?;
        let (
            allocation,
            hold_minutes,
            offer_hours,
            retention_months,
            purged_at,
            seed,
            seed_hash,
            drawn_at,
        ) = row.ok_or(StoreError::NotFound)?;
        let parts: Vec<(String, i64, i64, String, String, i64)> = sqlx::query_as(
            "SELECT 'frame', position, id, name, name_en, capacity FROM training_frames WHERE training_id = $1 \
             UNION ALL SELECT 'question', position, id, label, label_en, COALESCE(required_at, -1) \
             FROM training_questions WHERE training_id = $1 ORDER BY 1, 2, 3",
        )
        .bind(training_id)
        .fetch_all(&self.pool)
        .await?;
        let mut frames = Vec::new();
        let mut questions = Vec::new();
        for (part, _, id, text, text_en, number) in parts {
            if part == "frame" {
                frames.push((id, text, text_en, number));
            } else {
                questions.push((id, text, text_en, (number >= 0).then_some(number)));
            }
        }
        let lottery = seed
            .zip(seed_hash)
            .map(|(seed, hash)| (seed, hash, drawn_at));
        Ok(RegistrationSettings {
            allocation: Allocation::parse(&allocation).unwrap_or_default(),
            hold_minutes,
            offer_hours,
            retention_months,
            purged_at: purged_at.map(Timestamp),
            frames: frames
                .into_iter()
                .map(|(id, name, name_en, capacity)| Frame {
                    id,
                    name,
                    name_en,
                    capacity,
                })
                .collect(),
            questions: questions
                .into_iter()
                .map(|(id, label, label_en, required)| QuestionDef {
                    id,
                    label,
                    label_en,
                    required: required.is_some(),
                })
                .collect(),
            lottery: lottery.map(|(seed, seed_hash, drawn_at)| LotteryState {
                seed_hash,
                seed_if_drawn: drawn_at.map(|_| seed),
                drawn_at: drawn_at.map(Timestamp),
            }),
        })
    }

    /// Saves the settings. Choosing the lottery makes its seed now, so that its hash is public
    /// before anyone applies; a drawn lottery cannot be switched away from. With frames, the
    /// training's capacity becomes theirs together. Seats freed by a larger capacity go to the
    /// waitlist at once.
    pub async fn save_registration_settings(
        &self,
        training_id: i64,
        input: &SettingsInput,
        seed: &str,
        now: Timestamp,
        today: Date,
    ) -> Result<Vec<Notice>> {
        let (mut transaction, locked) = self.lock_training(training_id).await?;
        if locked.lottery_drawn && input.allocation != Allocation::Lottery {
            return Err(StoreError::Refused("already_drawn"));
        }
        sqlx::query(
            "UPDATE trainings SET allocation = $1, hold_minutes = $2, offer_hours = $3, \
             retention_months = $4, updated_at = $5 WHERE id = $6",
        )
        .bind(input.allocation.as_str())
        .bind(input.hold_minutes)
        .bind(input.offer_hours)
        .bind(input.retention_months)
        .bind(now.seconds())
        .bind(training_id)
        .execute(&mut *transaction)
        .await?;
        let existing: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM training_frames WHERE training_id = $1")
                .bind(training_id)
                .fetch_all(&mut *transaction)
                .await?;
        let kept: Vec<i64> = input.frames.iter().filter_map(|f| f.id).collect();
        for id in existing.iter().filter(|id| !kept.contains(id)) {
            sqlx::query("DELETE FROM training_frames WHERE id = $1")
                .bind(id)
                .execute(&mut *transaction)
                .await?;
        }
        for (position, frame) in input.frames.iter().enumerate() {
            let position = i64::try_from(position).unwrap_or(0);
            match frame.id.filter(|id| existing.contains(id)) {
                Some(id) => {
                    sqlx::query(
                        "UPDATE training_frames SET position = $1, name = $2, name_en = $3, capacity = $4 WHERE id = $5",
                    )
                    .bind(position)
                    .bind(&frame.name)
                    .bind(&frame.name_en)
                    .bind(frame.capacity)
                    .bind(id)
                    .execute(&mut *transaction)
                    .await?;
                }
                None => {
                    sqlx::query(
                        "INSERT INTO training_frames (training_id, position, name, name_en, capacity) \
                         VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(training_id)
                    .bind(position)
                    .bind(&frame.name)
                    .bind(&frame.name_en)
                    .bind(frame.capacity)
                    .execute(&mut *transaction)
                    .await?;
                }
            }
        }
        if !input.frames.is_empty() {
            let total: i64 = input.frames.iter().map(|f| f.capacity).sum();
            sqlx::query("UPDATE trainings SET capacity = $1 WHERE id = $2")
                .bind(total)
                .bind(training_id)
                .execute(&mut *transaction)
                .await?;
        }
        let existing: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM training_questions WHERE training_id = $1")
                .bind(training_id)
                .fetch_all(&mut *transaction)
                .await?;
        let kept: Vec<i64> = input.questions.iter().filter_map(|q| q.id).collect();
        for id in existing.iter().filter(|id| !kept.contains(id)) {
            sqlx::query("DELETE FROM training_questions WHERE id = $1")
                .bind(id)
                .execute(&mut *transaction)
                .await?;
        }
        for (position, question) in input.questions.iter().enumerate() {
            let position = i64::try_from(position).unwrap_or(0);
            let required = question.required.then_some(now.seconds());
            match question.id.filter(|id| existing.contains(id)) {
                Some(id) => {
                    sqlx::query(
                        "UPDATE training_questions SET position = $1, label = $2, label_en = $3, required_at = $4 WHERE id = $5",
                    )
                    .bind(position)
                    .bind(&question.label)
                    .bind(&question.label_en)
                    .bind(required)
                    .bind(id)
                    .execute(&mut *transaction)
                    .await?;
                }
                None => {
                    sqlx::query(
                        "INSERT INTO training_questions (training_id, position, label, label_en, required_at) \
                         VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(training_id)
                    .bind(position)
                    .bind(&question.label)
                    .bind(&question.label_en)
                    .bind(required)
                    .execute(&mut *transaction)
                    .await?;
                }
            }
        }
        if input.allocation == Allocation::Lottery {
            sqlx::query(
                "INSERT INTO lotteries (training_id, seed, seed_hash, created_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (training_id) DO NOTHING",
            )
            .bind(training_id)
            .bind(seed)
            .bind(lottery::commitment(seed))
            .bind(now.seconds())
            .execute(&mut *transaction)
            .await?;
        }
        let mut notices = Vec::new();
        let locked = super::Locked {
            allocation: input.allocation,
            hold_minutes: input.hold_minutes,
            offer_hours: input.offer_hours,
            capacity: if input.frames.is_empty() {
                locked.capacity
            } else {
                Some(input.frames.iter().map(|f| f.capacity).sum())
            },
            ..locked
        };
        settle(&mut transaction, &locked, now, today, &mut notices).await?;
        transaction.commit().await?;
        Ok(notices)
    }
}
