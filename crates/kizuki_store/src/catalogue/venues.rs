use kizuki_domain::Timestamp;
use kizuki_domain::catalogue::AccessibilityFeature;

use super::id_list;
use crate::{Result, Store, StoreError};

#[derive(Clone, Debug, PartialEq)]
pub struct Venue {
    pub id: i64,
    pub is_online: bool,
    pub name: String,
    pub name_en: String,
    pub address: String,
    pub prefecture_code: Option<u8>,
    pub municipality: String,
    /// (latitude, longitude) in degrees.
    pub position: Option<(f64, f64)>,
    pub access_notes: String,
    pub access_notes_en: String,
    pub accessibility: Vec<AccessibilityFeature>,
    pub accessibility_notes: String,
    pub accessibility_notes_en: String,
}

pub struct VenueInput<'a> {
    pub is_online: bool,
    pub name: &'a str,
    pub name_en: &'a str,
    pub address: &'a str,
    pub prefecture_code: Option<u8>,
    pub municipality: &'a str,
    pub position: Option<(f64, f64)>,
    pub access_notes: &'a str,
    pub access_notes_en: &'a str,
    pub accessibility: &'a [AccessibilityFeature],
    pub accessibility_notes: &'a str,
    pub accessibility_notes_en: &'a str,
}

#[derive(sqlx::FromRow)]
struct VenueRow {
    id: i64,
    kind: String,
    name: String,
    name_en: String,
    address: String,
    prefecture_code: Option<i64>,
    municipality: String,
    latitude_e6: Option<i64>,
    longitude_e6: Option<i64>,
    access_notes: String,
    access_notes_en: String,
    accessibility: String,
    accessibility_notes: String,
    accessibility_notes_en: String,
}

const COLUMNS: &str = "id, kind, name, name_en, address, prefecture_code, municipality, \
     latitude_e6, longitude_e6, access_notes, access_notes_en, accessibility, \
     accessibility_notes, accessibility_notes_en";

/// Microdegrees keep coordinates exact and portable between the two databases.
fn to_e6(degrees: f64) -> i64 {
    // Coordinates are within ±180°, so the product always fits.
    #[allow(clippy::cast_possible_truncation)]
    let value = (degrees * 1_000_000.0).round() as i64;
    value
}

#[allow(clippy::cast_precision_loss)]
fn from_e6(value: i64) -> f64 {
    value as f64 / 1_000_000.0
}

impl VenueRow {
    fn into_venue(self) -> Result<Venue> {
        let accessibility = self
            .accessibility
            .split(',')
            .filter(|part| !part.is_empty())
            .map(|part| {
                part.parse().map_err(|_| {
                    StoreError::Corrupt(format!("unknown accessibility feature {part:?}"))
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Venue {
            id: self.id,
            is_online: self.kind == "online",
            name: self.name,
            name_en: self.name_en,
            address: self.address,
            prefecture_code: self
                .prefecture_code
                .and_then(|code| u8::try_from(code).ok()),
            municipality: self.municipality,
            position: self
                .latitude_e6
                .zip(self.longitude_e6)
                .map(|(lat, lon)| (from_e6(lat), from_e6(lon))),
            access_notes: self.access_notes,
            access_notes_en: self.access_notes_en,
            accessibility,
            accessibility_notes: self.accessibility_notes,
            accessibility_notes_en: self.accessibility_notes_en,
        })
    }
}

fn accessibility_text(features: &[AccessibilityFeature]) -> String {
    features
        .iter()
        .map(|feature| feature.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

impl Store {
    pub async fn create_venue(&self, input: &VenueInput<'_>, now: Timestamp) -> Result<i64> {
        let mut connection = self.pool.acquire().await?;
        insert_venue(&mut connection, input, now).await
    }

    pub async fn update_venue(
        &self,
        id: i64,
        input: &VenueInput<'_>,
        now: Timestamp,
    ) -> Result<()> {
        let updated = sqlx::query(
            "UPDATE venues SET kind = $1, name = $2, name_en = $3, address = $4, \
             prefecture_code = $5, municipality = $6, latitude_e6 = $7, longitude_e6 = $8, \
             access_notes = $9, access_notes_en = $10, accessibility = $11, \
             accessibility_notes = $12, accessibility_notes_en = $13, updated_at = $14 \
             WHERE id = $15 AND import_id IS NULL",
        )
        .bind(if input.is_online { "online" } else { "place" })
        .bind(input.name)
        .bind(input.name_en)
        .bind(input.address)
        .bind(input.prefecture_code.map(i64::from))
        .bind(input.municipality)
        .bind(input.position.map(|(lat, _)| to_e6(lat)))
        .bind(input.position.map(|(_, lon)| to_e6(lon)))
        .bind(input.access_notes)
        .bind(input.access_notes_en)
        .bind(accessibility_text(input.accessibility))
        .bind(input.accessibility_notes)
        .bind(input.accessibility_notes_en)
        .bind(now.seconds())
        .bind(id)
        .execute(&self.pool)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    pub async fn venue(&self, id: i64) -> Result<Venue> {
        let sql = format!("SELECT {COLUMNS} FROM venues WHERE id = $1 AND import_id IS NULL");
        let row: Option<VenueRow> = sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.ok_or(StoreError::NotFound)?.into_venue()
    }

    pub async fn venues(&self) -> Result<Vec<Venue>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM venues WHERE import_id IS NULL ORDER BY kind DESC, prefecture_code, municipality, name, id"
        );
        let rows: Vec<VenueRow> = sqlx::query_as(&sql).fetch_all(&self.pool).await?;
        rows.into_iter().map(VenueRow::into_venue).collect()
    }

    /// The venues of events already read: unfinished imports are not passed by here, for an
    /// event that can be read only names a venue it may show.
    pub(crate) async fn venues_by_id(&self, ids: &[i64]) -> Result<Vec<Venue>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM venues WHERE id IN ({})",
            id_list(ids)
        );
        let rows: Vec<VenueRow> = sqlx::query_as(&sql).fetch_all(&self.pool).await?;
        rows.into_iter().map(VenueRow::into_venue).collect()
    }

    /// Deletes a venue no training or group uses.
    pub async fn delete_venue(&self, id: i64) -> Result<()> {
        let mut transaction = self.begin_write().await?;
        let in_use: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM trainings WHERE venue_id = $1) + \
             (SELECT COUNT(*) FROM study_groups WHERE venue_id = $1)",
        )
        .bind(id)
        .fetch_one(&mut *transaction)
        .await?;
        if in_use > 0 {
            return Err(StoreError::Conflict("an event at this venue"));
        }
        let deleted = sqlx::query("DELETE FROM venues WHERE id = $1 AND import_id IS NULL")
            .bind(id)
            .execute(&mut *transaction)
            .await?;
        if deleted.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        transaction.commit().await?;
        Ok(())
    }
}

pub(crate) async fn insert_venue(
    connection: &mut sqlx::AnyConnection,
    input: &VenueInput<'_>,
    now: Timestamp,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
            "INSERT INTO venues (kind, name, name_en, address, prefecture_code, municipality, \
             latitude_e6, longitude_e6, access_notes, access_notes_en, accessibility, \
             accessibility_notes, accessibility_notes_en, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id",
        )
        .bind(if input.is_online { "online" } else { "place" })
        .bind(input.name)
        .bind(input.name_en)
        .bind(input.address)
        .bind(input.prefecture_code.map(i64::from))
        .bind(input.municipality)
        .bind(input.position.map(|(lat, _)| to_e6(lat)))
        .bind(input.position.map(|(_, lon)| to_e6(lon)))
        .bind(input.access_notes)
        .bind(input.access_notes_en)
        .bind(accessibility_text(input.accessibility))
        .bind(input.accessibility_notes)
        .bind(input.accessibility_notes_en)
        .bind(now.seconds())
        .fetch_one(&mut *connection)
        .await?)
}
