//! Who runs the site (one profile, edited by administrators) and each training's guide for
//! participants: its own contact, what to bring, how to pay. A training without a guide has an
//! empty one, so readers never need to ask whether it exists.

use kizuki_domain::Timestamp;
use kizuki_domain::contact::ContactPoint;

use crate::{Result, Store};

/// The operator of the site, as its operator page and every message show it.
#[derive(Clone, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct OperatorProfile {
    pub organisation: String,
    pub organisation_en: String,
    pub representative: String,
    pub representative_en: String,
    pub address: String,
    pub address_en: String,
    pub email: String,
    pub phone: String,
    pub hours: String,
    pub hours_en: String,
}

impl OperatorProfile {
    pub fn contact(&self) -> ContactPoint {
        ContactPoint {
            name: self.organisation.clone(),
            name_en: self.organisation_en.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            hours: self.hours.clone(),
            hours_en: self.hours_en.clone(),
        }
    }
}

/// What participants of one training need to know beyond its page.
#[derive(Clone, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct TrainingGuide {
    pub contact_name: String,
    pub contact_name_en: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub bring: String,
    pub bring_en: String,
    pub payment: String,
    pub payment_en: String,
}

impl TrainingGuide {
    pub fn contact(&self) -> ContactPoint {
        ContactPoint {
            name: self.contact_name.clone(),
            name_en: self.contact_name_en.clone(),
            email: self.contact_email.clone(),
            phone: self.contact_phone.clone(),
            hours: String::new(),
            hours_en: String::new(),
        }
    }
}

impl Store {
    pub async fn operator_profile(&self) -> Result<OperatorProfile> {
        let profile: Option<OperatorProfile> = sqlx::query_as(
            "SELECT organisation, organisation_en, representative, representative_en, address, \
             address_en, email, phone, hours, hours_en FROM operator_profile WHERE id = 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        Ok(profile.unwrap_or_default())
    }

    pub async fn save_operator_profile(
        &self,
        profile: &OperatorProfile,
        now: Timestamp,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO operator_profile (id, organisation, organisation_en, representative, \
             representative_en, address, address_en, email, phone, hours, hours_en, updated_at) \
             VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             ON CONFLICT (id) DO UPDATE SET organisation = $1, organisation_en = $2, \
             representative = $3, representative_en = $4, address = $5, address_en = $6, \
             email = $7, phone = $8, hours = $9, hours_en = $10, updated_at = $11",
        )
        .bind(&profile.organisation)
        .bind(&profile.organisation_en)
        .bind(&profile.representative)
        .bind(&profile.representative_en)
        .bind(&profile.address)
        .bind(&profile.address_en)
        .bind(&profile.email)
        .bind(&profile.phone)
        .bind(&profile.hours)
        .bind(&profile.hours_en)
        .bind(now.seconds())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn training_guide(&self, training_id: i64) -> Result<TrainingGuide> {
        let guide: Option<TrainingGuide> = sqlx::query_as(
            "SELECT contact_name, contact_name_en, contact_email, contact_phone, bring, bring_en, \
             payment, payment_en FROM training_guides WHERE training_id = $1",
        )
        .bind(training_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(guide.unwrap_or_default())
    }

    pub async fn save_training_guide(
        &self,
        training_id: i64,
        guide: &TrainingGuide,
        now: Timestamp,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO training_guides (training_id, contact_name, contact_name_en, \
             contact_email, contact_phone, bring, bring_en, payment, payment_en, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (training_id) DO UPDATE SET contact_name = $2, contact_name_en = $3, \
             contact_email = $4, contact_phone = $5, bring = $6, bring_en = $7, payment = $8, \
             payment_en = $9, updated_at = $10",
        )
        .bind(training_id)
        .bind(&guide.contact_name)
        .bind(&guide.contact_name_en)
        .bind(&guide.contact_email)
        .bind(&guide.contact_phone)
        .bind(&guide.bring)
        .bind(&guide.bring_en)
        .bind(&guide.payment)
        .bind(&guide.payment_en)
        .bind(now.seconds())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The retention periods (months) trainings use, shortest first: what the privacy page
    /// says personal data is kept for.
    pub async fn retention_periods(&self) -> Result<Vec<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT DISTINCT retention_months FROM trainings WHERE import_id IS NULL \
             ORDER BY retention_months",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// The smallest and largest k (the least count a questionnaire table shows) in use.
    pub async fn min_cell_range(&self) -> Result<Option<(i64, i64)>> {
        let row: (Option<i64>, Option<i64>) =
            sqlx::query_as("SELECT MIN(min_cell), MAX(min_cell) FROM questionnaires")
                .fetch_one(&self.pool)
                .await?;
        Ok(row.0.zip(row.1))
    }
}
