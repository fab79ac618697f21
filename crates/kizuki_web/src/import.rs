//! Turns a CSV file into stored trainings and study groups: read and checked completely by
//! `kizuki_import`, then written all or nothing (in short chunks, see `kizuki_store`). Used by the workspace page and by
//! `kizuki import events`.

use kizuki_domain::Timestamp;
use kizuki_import::{EventRow, ImportError, Place, parse_events_csv};
use kizuki_store::{ImportItem, ImportSummary, Store, StudyGroupInput, TrainingInput, VenueRef};

#[derive(Debug)]
pub enum ImportFailure {
    /// Mistakes in the file; nothing was imported.
    Mistakes(Vec<ImportError>),
    Store(kizuki_store::StoreError),
}

fn venue_ref(place: &Place) -> VenueRef<'_> {
    VenueRef {
        is_online: place.online,
        name: &place.venue,
        prefecture_code: place.prefecture_code,
        municipality: &place.municipality,
        address: &place.address,
        position: place
            .prefecture_code
            .filter(|_| !place.online)
            .and_then(|code| kizuki_geo::locate(code, &place.municipality))
            .map(|p| (p.lat, p.lon)),
    }
}

/// Reads and stores a CSV file; `progress` hears how many of the file's events are stored
/// after every chunk (see [`kizuki_store::IMPORT_CHUNK_ROWS`]).
pub async fn import_events_csv(
    store: &Store,
    bytes: &[u8],
    created_by: Option<i64>,
    now: Timestamp,
    progress: impl FnMut(usize, usize),
) -> Result<ImportSummary, ImportFailure> {
    let rows = parse_events_csv(bytes).map_err(ImportFailure::Mistakes)?;
    let items = rows
        .iter()
        .map(|row| match row {
            EventRow::Training(training) => ImportItem::Training {
                venue: training.place.as_ref().map(venue_ref),
                input: TrainingInput {
                    title: &training.title,
                    title_en: &training.title_en,
                    description: &training.description,
                    description_en: "",
                    kind: training.kind,
                    status: training.status,
                    venue_id: None,
                    language_note: "",
                    language_note_en: "",
                    fee_yen: training.fee_yen,
                    fee_note: "",
                    fee_note_en: "",
                    capacity: training.capacity,
                    applications_open_on: None,
                    applications_close_on: None,
                    programme_version: "",
                    attendance_count: training.attendance,
                    days: &training.days,
                    facilitator_ids: &[],
                },
            },
            EventRow::Group(group) => ImportItem::Group {
                venue: group.place.as_ref().map(venue_ref),
                input: StudyGroupInput {
                    name: &group.name,
                    name_en: &group.name_en,
                    description: &group.description,
                    description_en: "",
                    venue_id: None,
                    host_name: "",
                    host_name_en: "",
                    recurrence: group.recurrence,
                    first_meeting_on: group.first_meeting_on,
                    contact_note: "",
                    contact_note_en: "",
                    status: group.status,
                    host_user_ids: &[],
                },
            },
        })
        .collect();
    store
        .import_catalogue(items, created_by, now, progress)
        .await
        .map_err(ImportFailure::Store)
}
