//! Researchers' coding of free-text answers: categories per question, each coder's own codes
//! (a second coder sees only theirs until they compare), and the answers chosen as quotes.

use crate::{Result, Store, StoreError};

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Category {
    pub id: i64,
    pub question_id: i64,
    pub label: String,
    pub definition: String,
}

/// A category as entered: `id` for one that exists (its codes stay with it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CategoryInput {
    pub id: Option<i64>,
    pub label: String,
    pub definition: String,
}

/// One code: this coder put this answer in this category.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodingRow {
    pub response_id: String,
    pub category_id: i64,
    pub coder_id: i64,
}

impl Store {
    /// A questionnaire's categories, by question and position.
    pub async fn categories(&self, questionnaire_id: i64) -> Result<Vec<Category>> {
        let rows: Vec<(i64, i64, String, String)> = sqlx::query_as(
            "SELECT c.id, c.question_id, c.label, c.definition FROM questionnaire_categories c \
             JOIN questionnaire_questions q ON q.id = c.question_id \
             WHERE q.questionnaire_id = $1 ORDER BY q.position, q.id, c.position, c.id",
        )
        .bind(questionnaire_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, question_id, label, definition)| Category {
                id,
                question_id,
                label,
                definition,
            })
            .collect())
    }

    /// Replaces a question's categories: existing ones (by id) are renamed and reordered, new
    /// ones added, missing ones removed with their codes.
    pub async fn save_categories(
        &self,
        questionnaire_id: i64,
        question_id: i64,
        categories: &[CategoryInput],
    ) -> Result<()> {
        let mut transaction = self.begin_write().await?;
        let belongs: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM questionnaire_questions WHERE id = $1 AND questionnaire_id = $2",
        )
        .bind(question_id)
        .bind(questionnaire_id)
        .fetch_optional(&mut *transaction)
        .await?;
        if belongs.is_none() {
            return Err(StoreError::NotFound);
        }
        let existing: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM questionnaire_categories WHERE question_id = $1")
                .bind(question_id)
                .fetch_all(&mut *transaction)
                .await?;
        for id in &existing {
            if !categories.iter().any(|c| c.id == Some(*id)) {
                sqlx::query("DELETE FROM questionnaire_categories WHERE id = $1")
                    .bind(id)
                    .execute(&mut *transaction)
                    .await?;
            }
        }
        for (position, category) in categories.iter().enumerate() {
            match category.id.filter(|id| existing.contains(id)) {
                Some(id) => {
                    sqlx::query(
                        "UPDATE questionnaire_categories SET label = $1, definition = $2, \
                         position = $3 WHERE id = $4",
                    )
                    .bind(&category.label)
                    .bind(&category.definition)
                    .bind(position as i64)
                    .bind(id)
                    .execute(&mut *transaction)
                    .await?;
                }
                None => {
                    sqlx::query(
                        "INSERT INTO questionnaire_categories (question_id, position, label, \
                         definition) VALUES ($1, $2, $3, $4)",
                    )
                    .bind(question_id)
                    .bind(position as i64)
                    .bind(&category.label)
                    .bind(&category.definition)
                    .execute(&mut *transaction)
                    .await?;
                }
            }
        }
        transaction.commit().await?;
        Ok(())
    }

    /// Sets the categories one coder gives one answer to one question (replacing theirs).
    pub async fn code_answer(
        &self,
        questionnaire_id: i64,
        response_id: &str,
        question_id: i64,
        coder_id: i64,
        category_ids: &[i64],
    ) -> Result<()> {
        let mut transaction = self.begin_write().await?;
        let response: Option<String> = sqlx::query_scalar(
            "SELECT id FROM questionnaire_responses WHERE id = $1 AND questionnaire_id = $2",
        )
        .bind(response_id)
        .bind(questionnaire_id)
        .fetch_optional(&mut *transaction)
        .await?;
        if response.is_none() {
            return Err(StoreError::NotFound);
        }
        let allowed: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM questionnaire_categories WHERE question_id = $1")
                .bind(question_id)
                .fetch_all(&mut *transaction)
                .await?;
        if category_ids.iter().any(|id| !allowed.contains(id)) {
            return Err(StoreError::Refused("not_a_category"));
        }
        sqlx::query(
            "DELETE FROM questionnaire_coding WHERE response_id = $1 AND coder_id = $2 \
             AND category_id IN (SELECT id FROM questionnaire_categories WHERE question_id = $3)",
        )
        .bind(response_id)
        .bind(coder_id)
        .bind(question_id)
        .execute(&mut *transaction)
        .await?;
        for category in category_ids {
            sqlx::query(
                "INSERT INTO questionnaire_coding (response_id, category_id, coder_id) \
                 VALUES ($1, $2, $3)",
            )
            .bind(response_id)
            .bind(category)
            .bind(coder_id)
            .execute(&mut *transaction)
            .await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    /// Every code of a questionnaire, from every coder.
    pub async fn coding(&self, questionnaire_id: i64) -> Result<Vec<CodingRow>> {
        let rows: Vec<(String, i64, i64)> = sqlx::query_as(
            "SELECT k.response_id, k.category_id, k.coder_id FROM questionnaire_coding k \
             JOIN questionnaire_responses r ON r.id = k.response_id \
             WHERE r.questionnaire_id = $1 ORDER BY k.response_id, k.category_id",
        )
        .bind(questionnaire_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(response_id, category_id, coder_id)| CodingRow {
                response_id,
                category_id,
                coder_id,
            })
            .collect())
    }

    /// The people who have coded this questionnaire: (user id, display name).
    pub async fn coders(&self, questionnaire_id: i64) -> Result<Vec<(i64, String)>> {
        Ok(sqlx::query_as(
            "SELECT DISTINCT u.id, u.display_name FROM questionnaire_coding k \
             JOIN questionnaire_responses r ON r.id = k.response_id \
             JOIN users u ON u.id = k.coder_id \
             WHERE r.questionnaire_id = $1 ORDER BY u.id",
        )
        .bind(questionnaire_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Marks (or unmarks) an answer to quote in a report.
    pub async fn set_quote(
        &self,
        questionnaire_id: i64,
        response_id: &str,
        question_id: i64,
        quoted: bool,
    ) -> Result<()> {
        let belongs: Option<String> = sqlx::query_scalar(
            "SELECT r.id FROM questionnaire_responses r JOIN questionnaire_questions q \
             ON q.questionnaire_id = r.questionnaire_id \
             WHERE r.id = $1 AND q.id = $2 AND r.questionnaire_id = $3",
        )
        .bind(response_id)
        .bind(question_id)
        .bind(questionnaire_id)
        .fetch_optional(&self.pool)
        .await?;
        if belongs.is_none() {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM questionnaire_quotes WHERE response_id = $1 AND question_id = $2")
            .bind(response_id)
            .bind(question_id)
            .execute(&self.pool)
            .await?;
        if quoted {
            sqlx::query(
                "INSERT INTO questionnaire_quotes (response_id, question_id) VALUES ($1, $2)",
            )
            .bind(response_id)
            .bind(question_id)
            .execute(&self.pool)
            .await?;
        }
        Ok(())
    }

    /// The answers chosen as quotes: (response id, question id).
    pub async fn quotes(&self, questionnaire_id: i64) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT k.response_id, k.question_id FROM questionnaire_quotes k \
             JOIN questionnaire_responses r ON r.id = k.response_id \
             WHERE r.questionnaire_id = $1 ORDER BY k.response_id",
        )
        .bind(questionnaire_id)
        .fetch_all(&self.pool)
        .await?)
    }
}
