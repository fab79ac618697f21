//! What the public catalogue's pages and the API both need: which trainings and study groups
//! the public may see, today's date in Japan, and the area a list is narrowed to.

use jiff::civil::Date;
use kizuki_domain::Timestamp;
use kizuki_geo::Region;
use kizuki_store::{StudyGroup, Training};

use crate::error::AppError;
use crate::state::AppState;

/// A training the public may see, by the id in a URL; anything else is "not found".
pub async fn public_training(state: &AppState, id: &str) -> Result<Training, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let training = state.store().training(id).await?;
    if training.status.is_public() {
        Ok(training)
    } else {
        Err(AppError::NotFound)
    }
}

/// A study group the public may see, by the id in a URL; anything else is "not found".
pub async fn public_group(state: &AppState, id: &str) -> Result<StudyGroup, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let group = state.store().study_group(id).await?;
    if group.status.is_public() {
        Ok(group)
    } else {
        Err(AppError::NotFound)
    }
}

/// Today in Japan.
pub fn today(now: Timestamp) -> Date {
    jiff::Timestamp::from_second(now.seconds())
        .ok()
        .zip(jiff::tz::TimeZone::get("Asia/Tokyo").ok())
        .map_or(Date::constant(2000, 1, 1), |(instant, zone)| {
            instant.to_zoned_datetime(zone).date()
        })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Area {
    All,
    Region(Region),
    Prefecture(u8),
}

impl Area {
    pub fn parse(text: &str) -> Area {
        let text = text.trim();
        if let Some(region) = Region::from_slug(text) {
            return Area::Region(region);
        }
        text.parse::<u8>()
            .ok()
            .and_then(kizuki_geo::prefecture)
            .map_or(Area::All, |prefecture| Area::Prefecture(prefecture.code))
    }

    pub fn prefecture_codes(self) -> Vec<u8> {
        match self {
            Area::All => Vec::new(),
            Area::Region(region) => region.prefectures().map(|p| p.code).collect(),
            Area::Prefecture(code) => vec![code],
        }
    }

    pub fn value(self) -> String {
        match self {
            Area::All => String::new(),
            Area::Region(region) => region.slug().to_owned(),
            Area::Prefecture(code) => format!("{code:02}"),
        }
    }
}
