use kizuki_domain::Timestamp;

use super::groups::{StudyGroupInput, insert_study_group};
use super::trainings::{TrainingInput, insert_training};
use super::venues::{VenueInput, insert_venue};
use crate::{Result, Store};

/// A venue named in an import: an existing venue of the same name and place is reused.
pub struct VenueRef<'a> {
    pub is_online: bool,
    pub name: &'a str,
    pub prefecture_code: Option<u8>,
    pub municipality: &'a str,
    pub address: &'a str,
    pub position: Option<(f64, f64)>,
}

pub enum ImportItem<'a> {
    Training {
        venue: Option<VenueRef<'a>>,
        input: TrainingInput<'a>,
    },
    Group {
        venue: Option<VenueRef<'a>>,
        input: StudyGroupInput<'a>,
    },
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ImportSummary {
    pub trainings: usize,
    pub groups: usize,
    pub venues_added: usize,
}

async fn venue_id(
    connection: &mut sqlx::AnyConnection,
    venue: &VenueRef<'_>,
    now: Timestamp,
    summary: &mut ImportSummary,
) -> Result<i64> {
    let existing: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM venues WHERE name = $1 AND kind = $2 AND COALESCE(prefecture_code, 0) = $3 \
         AND municipality = $4 ORDER BY id LIMIT 1",
    )
    .bind(venue.name)
    .bind(if venue.is_online { "online" } else { "place" })
    .bind(venue.prefecture_code.map_or(0, i64::from))
    .bind(venue.municipality)
    .fetch_optional(&mut *connection)
    .await?;
    if let Some(id) = existing {
        return Ok(id);
    }
    summary.venues_added += 1;
    insert_venue(
        connection,
        &VenueInput {
            is_online: venue.is_online,
            name: venue.name,
            name_en: "",
            address: venue.address,
            prefecture_code: venue.prefecture_code,
            municipality: venue.municipality,
            position: venue.position,
            access_notes: "",
            access_notes_en: "",
            accessibility: &[],
            accessibility_notes: "",
            accessibility_notes_en: "",
        },
        now,
    )
    .await
}

impl Store {
    /// Stores a whole import in one transaction: all of it, or (on any error) none of it.
    pub async fn import_catalogue(
        &self,
        items: Vec<ImportItem<'_>>,
        created_by: Option<i64>,
        now: Timestamp,
    ) -> Result<ImportSummary> {
        let mut summary = ImportSummary::default();
        let mut transaction = self.begin_write().await?;
        for item in items {
            match item {
                ImportItem::Training { venue, mut input } => {
                    if let Some(venue) = venue {
                        input.venue_id =
                            Some(venue_id(&mut transaction, &venue, now, &mut summary).await?);
                    }
                    insert_training(&mut transaction, &input, created_by, now).await?;
                    summary.trainings += 1;
                }
                ImportItem::Group { venue, mut input } => {
                    if let Some(venue) = venue {
                        input.venue_id =
                            Some(venue_id(&mut transaction, &venue, now, &mut summary).await?);
                    }
                    insert_study_group(&mut transaction, &input, created_by, now).await?;
                    summary.groups += 1;
                }
            }
        }
        transaction.commit().await?;
        Ok(summary)
    }
}
