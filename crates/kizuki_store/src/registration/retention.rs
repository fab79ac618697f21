//! Purging personal data once a training's retention has run out, keeping only numbers: how
//! many participants ticked each background, for the statistics.

use jiff::civil::Date;
use kizuki_domain::Timestamp;
use kizuki_domain::allocation::purge_due;

use crate::{Result, Store, parse_date};

impl Store {
    /// Trainings whose personal data is due for purging today.
    pub async fn trainings_due_for_purge(&self, today: Date) -> Result<Vec<i64>> {
        let rows: Vec<(i64, i64, Option<String>)> = sqlx::query_as(
            "SELECT t.id, t.retention_months, (SELECT MAX(d.day_on) FROM training_days d WHERE d.training_id = t.id) \
             FROM trainings t WHERE t.personal_data_purged_at IS NULL \
             AND EXISTS (SELECT 1 FROM applications a WHERE a.training_id = t.id)",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut due = Vec::new();
        for (id, months, last_day) in rows {
            let Some(last_day) = last_day else { continue };
            if purge_due(
                parse_date("training_days.day_on", &last_day)?,
                months,
                today,
            ) {
                due.push(id);
            }
        }
        Ok(due)
    }

    /// Deletes every application of a training, with its log, attendance and mail, keeping the
    /// count of confirmed participants per background. Returns how many applications went.
    pub async fn purge_personal_data(&self, training_id: i64, now: Timestamp) -> Result<i64> {
        let (mut transaction, _) = self.lock_training(training_id).await?;
        let year: Option<String> =
            sqlx::query_scalar("SELECT MIN(day_on) FROM training_days WHERE training_id = $1")
                .bind(training_id)
                .fetch_one(&mut *transaction)
                .await?;
        let year: i64 = year
            .as_deref()
            .and_then(|day| day.get(..4))
            .and_then(|y| y.parse().ok())
            .unwrap_or(0);
        let lists: Vec<String> = sqlx::query_scalar(
            "SELECT backgrounds FROM applications WHERE training_id = $1 AND status = 'confirmed'",
        )
        .bind(training_id)
        .fetch_all(&mut *transaction)
        .await?;
        let mut counts: std::collections::BTreeMap<&str, i64> = Default::default();
        for list in &lists {
            for name in list.split(',').filter(|n| !n.is_empty()) {
                *counts.entry(name).or_default() += 1;
            }
        }
        for (background, count) in counts {
            sqlx::query(
                "INSERT INTO retained_background_counts (training_id, year, background, participants) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (training_id, background) \
                 DO UPDATE SET participants = retained_background_counts.participants + $4",
            )
            .bind(training_id)
            .bind(year)
            .bind(background)
            .bind(count)
            .execute(&mut *transaction)
            .await?;
        }
        let ids = "SELECT id FROM applications WHERE training_id = $1";
        for sql in [
            format!("DELETE FROM attendance WHERE application_id IN ({ids})"),
            format!("DELETE FROM application_log WHERE application_id IN ({ids})"),
            "DELETE FROM outbox WHERE training_id = $1".to_owned(),
        ] {
            sqlx::query(&sql)
                .bind(training_id)
                .execute(&mut *transaction)
                .await?;
        }
        let removed = sqlx::query("DELETE FROM applications WHERE training_id = $1")
            .bind(training_id)
            .execute(&mut *transaction)
            .await?
            .rows_affected();
        sqlx::query("UPDATE trainings SET personal_data_purged_at = $1 WHERE id = $2")
            .bind(now.seconds())
            .bind(training_id)
            .execute(&mut *transaction)
            .await?;
        transaction.commit().await?;
        Ok(i64::try_from(removed).unwrap_or(i64::MAX))
    }

    /// Counts kept after purges: (background, participants).
    pub async fn retained_background_counts(&self) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT background, CAST(SUM(participants) AS BIGINT) FROM retained_background_counts GROUP BY background",
        )
        .fetch_all(&self.pool)
        .await?)
    }
}
