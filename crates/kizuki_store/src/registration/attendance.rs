//! Attendance, per day: a multi-day training is one application with a mark for each day.

use jiff::civil::Date;
use kizuki_domain::Timestamp;

use crate::{Result, Store};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttendanceMark {
    pub application_id: i64,
    pub day: Date,
    pub present: bool,
}

impl Store {
    pub async fn attendance(&self, training_id: i64) -> Result<Vec<AttendanceMark>> {
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT m.application_id, m.day_on, m.state FROM attendance m \
             JOIN applications a ON a.id = m.application_id WHERE a.training_id = $1",
        )
        .bind(training_id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(application_id, day, state)| {
                Ok(AttendanceMark {
                    application_id,
                    day: crate::parse_date("attendance.day_on", &day)?,
                    present: state == "present",
                })
            })
            .collect()
    }

    /// Records one day: those in `present` were there, the other confirmed participants were not.
    pub async fn record_attendance(
        &self,
        training_id: i64,
        day: Date,
        present: &[i64],
        now: Timestamp,
    ) -> Result<()> {
        let mut transaction = self.begin_write().await?;
        let confirmed: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM applications WHERE training_id = $1 AND status = 'confirmed'",
        )
        .bind(training_id)
        .fetch_all(&mut *transaction)
        .await?;
        for id in confirmed {
            let state = if present.contains(&id) {
                "present"
            } else {
                "absent"
            };
            sqlx::query(
                "INSERT INTO attendance (application_id, day_on, state, recorded_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (application_id, day_on) DO UPDATE SET state = $3, recorded_at = $4",
            )
            .bind(id)
            .bind(day.to_string())
            .bind(state)
            .bind(now.seconds())
            .execute(&mut *transaction)
            .await?;
        }
        transaction.commit().await?;
        Ok(())
    }
}
