//! The intercoder check's sortings: one per researcher and project, each card placed under a
//! label (or none: a lone card), saved whole each time.

use std::collections::BTreeMap;

use kizuki_domain::Timestamp;

use crate::{Result, Store, StoreError};

/// A researcher's independent sorting of a project's cards.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QdaSorting {
    pub id: i64,
    pub user_id: i64,
    pub sorter: String,
    /// The fixed codes the sorter chose from; empty for free labels.
    pub code_set: Vec<String>,
    pub updated_at: i64,
    /// Card id → label ("" for a lone card).
    pub places: BTreeMap<i64, String>,
}

fn code_set_of(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

impl Store {
    /// Every sorting of a project, oldest first, with their places.
    pub async fn qda_sortings(&self, project_id: i64) -> Result<Vec<QdaSorting>> {
        let heads: Vec<(i64, i64, String, String, i64)> = sqlx::query_as(
            "SELECT s.id, s.user_id, u.display_name, s.code_set, s.updated_at \
             FROM qda_sortings s JOIN users u ON u.id = s.user_id \
             WHERE s.project_id = $1 ORDER BY s.id",
        )
        .bind(project_id)
        .fetch_all(&self.pool)
        .await?;
        let places: Vec<(i64, i64, String)> = sqlx::query_as(
            "SELECT p.sorting_id, p.card_id, p.label FROM qda_sorting_places p \
             JOIN qda_sortings s ON s.id = p.sorting_id WHERE s.project_id = $1",
        )
        .bind(project_id)
        .fetch_all(&self.pool)
        .await?;
        let mut sortings: Vec<QdaSorting> = heads
            .into_iter()
            .map(|(id, user_id, sorter, code_set, updated_at)| QdaSorting {
                id,
                user_id,
                sorter,
                code_set: code_set_of(&code_set),
                updated_at,
                places: BTreeMap::new(),
            })
            .collect();
        for (sorting, card, label) in places {
            if let Some(found) = sortings.iter_mut().find(|s| s.id == sorting) {
                found.places.insert(card, label);
            }
        }
        Ok(sortings)
    }

    /// Saves `user_id`'s sorting of the project whole: the code set and where each card goes.
    /// Refused (`not_a_card`) when a place names anything but a card of this project.
    pub async fn save_qda_sorting(
        &self,
        project_id: i64,
        user_id: i64,
        code_set: &[String],
        places: &BTreeMap<i64, String>,
        now: Timestamp,
    ) -> Result<i64> {
        let mut transaction = self.begin_write().await?;
        let cards: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM qda_nodes WHERE project_id = $1 AND transcript_id IS NOT NULL",
        )
        .bind(project_id)
        .fetch_all(&mut *transaction)
        .await?;
        let cards: std::collections::HashSet<i64> = cards.into_iter().collect();
        if places.keys().any(|card| !cards.contains(card)) {
            return Err(StoreError::Refused("not_a_card"));
        }
        let existing: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM qda_sortings WHERE project_id = $1 AND user_id = $2",
        )
        .bind(project_id)
        .bind(user_id)
        .fetch_optional(&mut *transaction)
        .await?;
        let codes = code_set.join("\n");
        let id = match existing {
            Some(id) => {
                sqlx::query("UPDATE qda_sortings SET code_set = $1, updated_at = $2 WHERE id = $3")
                    .bind(&codes)
                    .bind(now.seconds())
                    .bind(id)
                    .execute(&mut *transaction)
                    .await?;
                sqlx::query("DELETE FROM qda_sorting_places WHERE sorting_id = $1")
                    .bind(id)
                    .execute(&mut *transaction)
                    .await?;
                id
            }
            None => {
                sqlx::query_scalar(
                    "INSERT INTO qda_sortings (project_id, user_id, code_set, updated_at) \
                     VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(project_id)
                .bind(user_id)
                .bind(&codes)
                .bind(now.seconds())
                .fetch_one(&mut *transaction)
                .await?
            }
        };
        for (card, label) in places {
            sqlx::query(
                "INSERT INTO qda_sorting_places (sorting_id, card_id, label) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(card)
            .bind(label)
            .execute(&mut *transaction)
            .await?;
        }
        transaction.commit().await?;
        Ok(id)
    }
}
