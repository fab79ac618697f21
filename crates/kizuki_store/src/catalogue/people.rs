use kizuki_domain::Timestamp;

use super::id_list;
use crate::{Result, Store};

/// A facilitator or speaker as the public sees them. They may or may not have an account.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Person {
    pub id: i64,
    pub name: String,
    pub name_en: String,
    pub bio: String,
    pub bio_en: String,
    pub user_id: Option<i64>,
}

pub struct PersonInput<'a> {
    pub name: &'a str,
    pub name_en: &'a str,
    pub bio: &'a str,
    pub bio_en: &'a str,
    pub user_id: Option<i64>,
}

impl Store {
    pub async fn create_person(&self, input: &PersonInput<'_>, now: Timestamp) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO people (name, name_en, bio, bio_en, user_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(input.name)
        .bind(input.name_en)
        .bind(input.bio)
        .bind(input.bio_en)
        .bind(input.user_id)
        .bind(now.seconds())
        .fetch_one(&self.pool)
        .await?)
    }

    pub async fn update_person(&self, id: i64, input: &PersonInput<'_>) -> Result<()> {
        let updated = sqlx::query("UPDATE people SET name = $1, name_en = $2, bio = $3, bio_en = $4, user_id = $5 WHERE id = $6")
            .bind(input.name)
            .bind(input.name_en)
            .bind(input.bio)
            .bind(input.bio_en)
            .bind(input.user_id)
            .bind(id)
            .execute(&self.pool)
            .await?;
        if updated.rows_affected() == 0 {
            return Err(crate::StoreError::NotFound);
        }
        Ok(())
    }

    pub async fn person(&self, id: i64) -> Result<Person> {
        let person: Option<Person> = sqlx::query_as(
            "SELECT id, name, name_en, bio, bio_en, user_id FROM people WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        person.ok_or(crate::StoreError::NotFound)
    }

    /// The trainings whose facilitators include the person linked to account `user_id`, newest
    /// first: what a facilitator may open the participant list of.
    pub async fn trainings_led_by(&self, user_id: i64) -> Result<Vec<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT DISTINCT f.training_id FROM training_facilitators f \
             JOIN people p ON p.id = f.person_id WHERE p.user_id = $1 \
             ORDER BY f.training_id DESC",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Whether the person linked to account `user_id` is among a training's facilitators.
    pub async fn leads_training(&self, user_id: i64, training_id: i64) -> Result<bool> {
        let count: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM training_facilitators f JOIN people p ON p.id = f.person_id \
             WHERE p.user_id = $1 AND f.training_id = $2",
        )
        .bind(user_id)
        .bind(training_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(count > 0)
    }

    pub async fn people(&self) -> Result<Vec<Person>> {
        Ok(sqlx::query_as(
            "SELECT id, name, name_en, bio, bio_en, user_id FROM people ORDER BY name, id",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// (training id, person) for the facilitators of these trainings, in their order.
    pub(crate) async fn facilitators_of(&self, training_ids: &[i64]) -> Result<Vec<(i64, Person)>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            training_id: i64,
            #[sqlx(flatten)]
            person: Person,
        }
        let sql = format!(
            "SELECT f.training_id, p.id, p.name, p.name_en, p.bio, p.bio_en, p.user_id \
             FROM training_facilitators f JOIN people p ON p.id = f.person_id \
             WHERE f.training_id IN ({}) ORDER BY f.training_id, f.position, p.id",
            id_list(training_ids)
        );
        let rows: Vec<Row> = sqlx::query_as(&sql).fetch_all(&self.pool).await?;
        Ok(rows
            .into_iter()
            .map(|row| (row.training_id, row.person))
            .collect())
    }
}
