//! Venues, people, trainings and study groups.

mod args;
mod groups;
mod guides;
mod import;
mod messages;
mod people;
mod places;
mod trainings;
mod venues;

pub use groups::{MeetingChange, StudyGroup, StudyGroupFilter, StudyGroupInput};
pub use guides::{OperatorProfile, TrainingGuide};
pub use import::{
    ABANDONED_IMPORT_SECONDS, IMPORT_CHUNK_ROWS, ImportItem, ImportSummary, VenueRef,
};
pub use messages::{
    GROUP_MESSAGE_MAIL, GROUP_REPLY_MAIL, GroupMessage, GroupReply, HostInbox, NewGroupMessage,
};
pub use people::{Person, PersonInput};
pub use places::PlaceRow;
pub use trainings::{Training, TrainingFilter, TrainingInput, When};
pub use venues::{Venue, VenueInput};

/// A list of ids as SQL text. Only integers we hold ever go in here, so the text is safe.
pub(crate) fn id_list(ids: &[i64]) -> String {
    if ids.is_empty() {
        return "NULL".to_owned();
    }
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}
