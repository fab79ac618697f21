//! Anonymous evaluation questionnaires: their questions, the one-time codes (digests only, with
//! no person and no time), answers (a random key and the answers, nothing else) and researchers'
//! coding. See ARCHITECTURE.md, "Anonymous answers", for what this layout protects against.

mod answers;
mod coding;

use std::collections::BTreeMap;

use kizuki_domain::Timestamp;
use kizuki_domain::questionnaire::{Answer, Choice, NewQuestion, Phase, Question, QuestionKind};

use crate::{Result, Store, StoreError};

pub use answers::{AnswerOutcome, HeldAnswer, MIXER_SILENCE_SECONDS, Response};
pub use coding::{Category, CategoryInput, CodingRow};

/// A questionnaire with its questions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Questionnaire {
    pub id: i64,
    /// `None` for a template.
    pub training_id: Option<i64>,
    pub title: String,
    pub title_en: String,
    pub intro: String,
    pub intro_en: String,
    pub opens_at: Option<Timestamp>,
    pub closes_at: Option<Timestamp>,
    /// The smallest count shown (k).
    pub min_cell: i64,
    pub lead_coder_id: Option<i64>,
    /// When the answers were rewritten in the order of their random keys, after closing.
    pub sealed_at: Option<Timestamp>,
    pub questions: Vec<Question>,
}

impl Questionnaire {
    pub fn phase(&self, now: Timestamp) -> Phase {
        kizuki_domain::questionnaire::phase(self.opens_at, self.closes_at, now)
    }
}

/// A questionnaire in a list, with its counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuestionnaireSummary {
    pub id: i64,
    pub training_id: Option<i64>,
    pub title: String,
    pub title_en: String,
    /// The training's title (empty for a template).
    pub training_title: String,
    pub training_title_en: String,
    pub opens_at: Option<Timestamp>,
    pub closes_at: Option<Timestamp>,
    pub codes_unused: i64,
    pub codes_used: i64,
}

/// The parts of a questionnaire an organiser writes (not its questions).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QuestionnaireInput {
    pub title: String,
    pub title_en: String,
    pub intro: String,
    pub intro_en: String,
    pub opens_at: Option<Timestamp>,
    pub closes_at: Option<Timestamp>,
}

type QuestionnaireRow = (
    i64,
    Option<i64>,
    String,
    String,
    String,
    String,
    Option<i64>,
    Option<i64>,
    i64,
    Option<i64>,
    Option<i64>,
);

impl Store {
    /// A new questionnaire for a training (or a template, with `training_id: None`).
    pub async fn create_questionnaire(
        &self,
        training_id: Option<i64>,
        input: &QuestionnaireInput,
        questions: &[NewQuestion],
        now: Timestamp,
    ) -> Result<i64> {
        let mut transaction = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO questionnaires (training_id, title, title_en, intro, intro_en, opens_at, \
             closes_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(training_id)
        .bind(&input.title)
        .bind(&input.title_en)
        .bind(&input.intro)
        .bind(&input.intro_en)
        .bind(input.opens_at.map(Timestamp::seconds))
        .bind(input.closes_at.map(Timestamp::seconds))
        .bind(now.seconds())
        .fetch_one(&mut *transaction)
        .await?;
        for (position, question) in questions.iter().enumerate() {
            insert_question(&mut transaction, id, position as i64, question).await?;
        }
        transaction.commit().await?;
        Ok(id)
    }

    /// A training's questionnaire made from a template: its wording and questions, no times.
    pub async fn questionnaire_from_template(
        &self,
        template_id: i64,
        training_id: i64,
        now: Timestamp,
    ) -> Result<i64> {
        let template = self.questionnaire(template_id).await?;
        if template.training_id.is_some() {
            return Err(StoreError::NotFound);
        }
        self.copy_questionnaire(&template, Some(training_id), now)
            .await
    }

    /// A copy of a questionnaire's wording and questions, without times or answers: for a
    /// training, or as a template (`training_id: None`).
    pub async fn copy_questionnaire(
        &self,
        source: &Questionnaire,
        training_id: Option<i64>,
        now: Timestamp,
    ) -> Result<i64> {
        let questions: Vec<NewQuestion> = source.questions.iter().map(Question::to_new).collect();
        let input = QuestionnaireInput {
            title: source.title.clone(),
            title_en: source.title_en.clone(),
            intro: source.intro.clone(),
            intro_en: source.intro_en.clone(),
            opens_at: None,
            closes_at: None,
        };
        self.create_questionnaire(training_id, &input, &questions, now)
            .await
    }

    pub async fn update_questionnaire(&self, id: i64, input: &QuestionnaireInput) -> Result<()> {
        let changed = sqlx::query(
            "UPDATE questionnaires SET title = $1, title_en = $2, intro = $3, intro_en = $4, \
             opens_at = $5, closes_at = $6 WHERE id = $7 AND sealed_at IS NULL",
        )
        .bind(&input.title)
        .bind(&input.title_en)
        .bind(&input.intro)
        .bind(&input.intro_en)
        .bind(input.opens_at.map(Timestamp::seconds))
        .bind(input.closes_at.map(Timestamp::seconds))
        .bind(id)
        .execute(&self.pool)
        .await?
        .rows_affected();
        if changed == 0 {
            self.questionnaire(id).await?;
            return Err(StoreError::Refused("sealed"));
        }
        Ok(())
    }

    /// Adds a question at the end. Refused once anyone has answered: the answers already given
    /// would not match the questionnaire any more.
    pub async fn add_question(&self, questionnaire_id: i64, question: &NewQuestion) -> Result<()> {
        let mut transaction = self.begin_write().await?;
        refuse_if_answered(&mut transaction, questionnaire_id).await?;
        let position: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(position), -1) + 1 FROM questionnaire_questions \
             WHERE questionnaire_id = $1",
        )
        .bind(questionnaire_id)
        .fetch_one(&mut *transaction)
        .await?;
        insert_question(&mut transaction, questionnaire_id, position, question).await?;
        transaction.commit().await?;
        Ok(())
    }

    pub async fn delete_question(&self, questionnaire_id: i64, question_id: i64) -> Result<()> {
        let mut transaction = self.begin_write().await?;
        refuse_if_answered(&mut transaction, questionnaire_id).await?;
        sqlx::query("DELETE FROM questionnaire_questions WHERE id = $1 AND questionnaire_id = $2")
            .bind(question_id)
            .bind(questionnaire_id)
            .execute(&mut *transaction)
            .await?;
        transaction.commit().await?;
        Ok(())
    }

    pub async fn questionnaire(&self, id: i64) -> Result<Questionnaire> {
        let row: Option<QuestionnaireRow> = sqlx::query_as(
            "SELECT id, training_id, title, title_en, intro, intro_en, opens_at, closes_at, \
             min_cell, lead_coder_id, sealed_at FROM questionnaires WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Err(StoreError::NotFound);
        };
        let questions: Vec<(i64, String, String, String, String, i64)> = sqlx::query_as(
            "SELECT id, kind, prompt, prompt_en, options, scale FROM questionnaire_questions \
             WHERE questionnaire_id = $1 ORDER BY position, id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let questions = questions
            .into_iter()
            .map(|(id, kind, prompt, prompt_en, options, scale)| {
                let kind = QuestionKind::parse(&kind)
                    .ok_or_else(|| StoreError::Corrupt(format!("question kind {kind:?}")))?;
                let options: Vec<Choice> = serde_json::from_str(&options)
                    .map_err(|error| StoreError::Corrupt(error.to_string()))?;
                Ok(Question {
                    id,
                    kind,
                    prompt,
                    prompt_en,
                    options,
                    scale,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let (
            id,
            training_id,
            title,
            title_en,
            intro,
            intro_en,
            opens,
            closes,
            min_cell,
            lead,
            sealed,
        ) = row;
        Ok(Questionnaire {
            id,
            training_id,
            title,
            title_en,
            intro,
            intro_en,
            opens_at: opens.map(Timestamp),
            closes_at: closes.map(Timestamp),
            min_cell,
            lead_coder_id: lead,
            sealed_at: sealed.map(Timestamp),
            questions,
        })
    }

    /// A training's questionnaires, or the templates when `training_id` is `None`.
    pub async fn questionnaires(
        &self,
        training_id: Option<i64>,
    ) -> Result<Vec<QuestionnaireSummary>> {
        let condition = match training_id {
            Some(_) => "q.training_id = $1",
            None => "q.training_id IS NULL AND $1 IS NULL",
        };
        self.questionnaire_list(condition, training_id).await
    }

    /// Every training's questionnaire, newest first.
    pub async fn all_questionnaires(&self) -> Result<Vec<QuestionnaireSummary>> {
        self.questionnaire_list("q.training_id IS NOT NULL AND $1 IS NULL", None)
            .await
    }

    async fn questionnaire_list(
        &self,
        condition: &str,
        training_id: Option<i64>,
    ) -> Result<Vec<QuestionnaireSummary>> {
        type Row = (
            i64,
            Option<i64>,
            String,
            String,
            String,
            String,
            Option<i64>,
            Option<i64>,
            i64,
            i64,
        );
        let rows: Vec<Row> = sqlx::query_as(&format!(
            "SELECT q.id, q.training_id, q.title, q.title_en, COALESCE(t.title, ''), \
             COALESCE(t.title_en, ''), q.opens_at, q.closes_at, \
             (SELECT COUNT(*) FROM questionnaire_tokens c \
              WHERE c.questionnaire_id = q.id AND c.state = 'unused'), \
             (SELECT COUNT(*) FROM questionnaire_tokens c \
              WHERE c.questionnaire_id = q.id AND c.state = 'used') \
             FROM questionnaires q LEFT JOIN trainings t ON t.id = q.training_id \
             WHERE {condition} ORDER BY q.id DESC"
        ))
        .bind(training_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(
                    id,
                    training_id,
                    title,
                    title_en,
                    t_title,
                    t_title_en,
                    opens,
                    closes,
                    unused,
                    used,
                )| {
                    QuestionnaireSummary {
                        id,
                        training_id,
                        title,
                        title_en,
                        training_title: t_title,
                        training_title_en: t_title_en,
                        opens_at: opens.map(Timestamp),
                        closes_at: closes.map(Timestamp),
                        codes_unused: unused,
                        codes_used: used,
                    }
                },
            )
            .collect())
    }

    /// Closes a questionnaire now (if it is not closed already) and seals its answers.
    pub async fn close_questionnaire(&self, id: i64, now: Timestamp) -> Result<()> {
        let changed = sqlx::query(
            "UPDATE questionnaires SET closes_at = $1 WHERE id = $2 AND training_id IS NOT NULL \
             AND (closes_at IS NULL OR closes_at > $1)",
        )
        .bind(now.seconds())
        .bind(id)
        .execute(&self.pool)
        .await?
        .rows_affected();
        if changed == 0 {
            self.questionnaire(id).await?;
        }
        self.seal_if_closed(id, now).await.map(|_| ())
    }

    /// Sets k for one questionnaire and records who did it and why, in one transaction.
    pub async fn set_min_cell(
        &self,
        id: i64,
        min_cell: i64,
        actor_user_id: i64,
        reason: &str,
        now: Timestamp,
    ) -> Result<()> {
        let mut transaction = self.begin_write().await?;
        let before: Option<i64> =
            sqlx::query_scalar("SELECT min_cell FROM questionnaires WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *transaction)
                .await?;
        let Some(before) = before else {
            return Err(StoreError::NotFound);
        };
        sqlx::query("UPDATE questionnaires SET min_cell = $1 WHERE id = $2")
            .bind(min_cell)
            .bind(id)
            .execute(&mut *transaction)
            .await?;
        sqlx::query(
            "INSERT INTO audit_log (recorded_at, actor_user_id, action, subject, detail) \
             VALUES ($1, $2, 'questionnaire.min_cell', $3, $4)",
        )
        .bind(now.seconds())
        .bind(actor_user_id)
        .bind(format!("questionnaire {id}"))
        .bind(format!("k {before} → {min_cell}: {reason}"))
        .execute(&mut *transaction)
        .await?;
        transaction.commit().await?;
        Ok(())
    }

    pub async fn set_lead_coder(&self, id: i64, user_id: i64) -> Result<()> {
        sqlx::query("UPDATE questionnaires SET lead_coder_id = $1 WHERE id = $2")
            .bind(user_id)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Stores the digests of newly issued codes. Nothing else is kept: not who they are for,
    /// not when they were made.
    pub async fn issue_codes(&self, questionnaire_id: i64, digests: &[String]) -> Result<()> {
        let mut transaction = self.begin_write().await?;
        for digest in digests {
            sqlx::query(
                "INSERT INTO questionnaire_tokens (digest, questionnaire_id) VALUES ($1, $2)",
            )
            .bind(digest)
            .bind(questionnaire_id)
            .execute(&mut *transaction)
            .await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    /// Forgets codes that never reached anyone (a message that could not be sent).
    pub async fn discard_codes(&self, digests: &[String]) -> Result<()> {
        for digest in digests {
            sqlx::query("DELETE FROM questionnaire_tokens WHERE digest = $1 AND state = 'unused'")
                .bind(digest)
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }
}

async fn insert_question(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    questionnaire_id: i64,
    position: i64,
    question: &NewQuestion,
) -> Result<()> {
    let options = serde_json::to_string(&question.options)
        .map_err(|error| StoreError::Corrupt(error.to_string()))?;
    sqlx::query(
        "INSERT INTO questionnaire_questions (questionnaire_id, position, kind, prompt, prompt_en, \
         options, scale) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(questionnaire_id)
    .bind(position)
    .bind(question.kind.as_str())
    .bind(&question.prompt)
    .bind(&question.prompt_en)
    .bind(options)
    .bind(question.scale)
    .execute(&mut **transaction)
    .await?;
    Ok(())
}

async fn refuse_if_answered(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    questionnaire_id: i64,
) -> Result<()> {
    let answered: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM questionnaire_responses WHERE questionnaire_id = $1",
    )
    .bind(questionnaire_id)
    .fetch_one(&mut **transaction)
    .await?;
    if answered > 0 {
        return Err(StoreError::Refused("answered"));
    }
    Ok(())
}

/// Reads a stored answer set.
pub(crate) fn parse_answers(json: &str) -> Result<BTreeMap<i64, Answer>> {
    let raw: BTreeMap<String, Answer> =
        serde_json::from_str(json).map_err(|error| StoreError::Corrupt(error.to_string()))?;
    raw.into_iter()
        .map(|(id, answer)| {
            id.parse()
                .map(|id| (id, answer))
                .map_err(|_| StoreError::Corrupt(format!("question id {id:?}")))
        })
        .collect()
}
