//! Trainings, study groups and venues: their kinds and states, and the rules a record must meet
//! before it is stored.

use std::fmt;
use std::str::FromStr;

use jiff::civil::{Date, Time};

macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The stable name used in the database, URLs, the API and imports.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),* }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownValue;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                let wanted = text.trim();
                $name::ALL
                    .iter()
                    .copied()
                    .find(|value| value.as_str() == wanted)
                    .ok_or_else(|| UnknownValue { kind: stringify!($name), value: text.to_owned() })
            }
        }
    };
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} {value:?}")]
pub struct UnknownValue {
    pub kind: &'static str,
    pub value: String,
}

text_enum! {
    /// What sort of training it is.
    TrainingKind {
        Basic => "basic",
        FiveDay => "five_day",
        Advanced => "advanced",
        Facilitator => "facilitator",
        Lecture => "lecture",
    }
}

text_enum! {
    /// Where a training is in its life. Everything but `Draft` is public.
    TrainingStatus {
        Draft => "draft",
        Published => "published",
        ApplicationOpen => "application_open",
        ApplicationClosed => "application_closed",
        Held => "held",
        Cancelled => "cancelled",
    }
}

impl TrainingStatus {
    pub fn is_public(self) -> bool {
        self != TrainingStatus::Draft
    }
}

text_enum! {
    /// A study group's state. New groups wait for an organiser's approval before they are public.
    GroupStatus {
        PendingApproval => "pending_approval",
        Active => "active",
        Paused => "paused",
        Ended => "ended",
    }
}

impl GroupStatus {
    pub fn is_public(self) -> bool {
        self != GroupStatus::PendingApproval
    }
}

text_enum! {
    /// Accessibility features a venue can offer.
    AccessibilityFeature {
        StepFree => "step_free",
        AccessibleToilet => "accessible_toilet",
        HearingLoop => "hearing_loop",
        QuietRoom => "quiet_room",
        Nursery => "nursery",
        Parking => "parking",
    }
}

/// One day of a training, in Japan time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrainingDay {
    pub date: Date,
    pub start: Time,
    pub end: Time,
}

/// A mistake in a record, named by the field it concerns and a message key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub message: &'static str,
}

/// What a training must be before it is stored.
pub struct TrainingDraft<'a> {
    pub title: &'a str,
    pub days: &'a [TrainingDay],
    pub capacity: Option<i64>,
    pub fee_yen: Option<i64>,
    pub applications_open: Option<Date>,
    pub applications_close: Option<Date>,
}

pub const MAX_TITLE_CHARS: usize = 200;

pub fn check_training(draft: &TrainingDraft<'_>) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut error = |field, message| errors.push(FieldError { field, message });
    let title_length = draft.title.trim().chars().count();
    if title_length == 0 || title_length > MAX_TITLE_CHARS {
        error("title", "catalogue.error.title");
    }
    if draft.days.is_empty() {
        error("days", "catalogue.error.no_days");
    }
    if draft.days.iter().any(|day| day.end <= day.start) {
        error("days", "catalogue.error.day_times");
    }
    let mut dates: Vec<Date> = draft.days.iter().map(|day| day.date).collect();
    dates.sort_unstable();
    if dates.windows(2).any(|pair| pair[0] == pair[1]) {
        error("days", "catalogue.error.duplicate_day");
    }
    if draft
        .capacity
        .is_some_and(|capacity| !(1..=10_000).contains(&capacity))
    {
        error("capacity", "catalogue.error.capacity");
    }
    if draft
        .fee_yen
        .is_some_and(|fee| !(0..=10_000_000).contains(&fee))
    {
        error("fee_yen", "catalogue.error.fee");
    }
    if let (Some(open), Some(close)) = (draft.applications_open, draft.applications_close)
        && close < open
    {
        error("applications_close_on", "catalogue.error.window_order");
    }
    if let (Some(close), Some(first)) = (draft.applications_close, dates.first())
        && close > *first
    {
        error(
            "applications_close_on",
            "catalogue.error.window_after_start",
        );
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, time};

    fn day(d: Date) -> TrainingDay {
        TrainingDay {
            date: d,
            start: time(10, 0, 0, 0),
            end: time(16, 30, 0, 0),
        }
    }

    #[test]
    fn names_round_trip() {
        for kind in TrainingKind::ALL {
            assert_eq!(kind.as_str().parse::<TrainingKind>(), Ok(*kind));
        }
        for status in TrainingStatus::ALL {
            assert_eq!(status.as_str().parse::<TrainingStatus>(), Ok(*status));
        }
        assert!("weekly".parse::<TrainingKind>().is_err());
        assert!(!TrainingStatus::Draft.is_public() && TrainingStatus::Held.is_public());
        assert!(!GroupStatus::PendingApproval.is_public());
    }

    #[test]
    fn a_sound_training_passes() {
        let days = [day(date(2027, 3, 6)), day(date(2027, 3, 7))];
        let draft = TrainingDraft {
            title: "IPS基礎研修（2日間）",
            days: &days,
            capacity: Some(30),
            fee_yen: Some(5000),
            applications_open: Some(date(2027, 1, 10)),
            applications_close: Some(date(2027, 2, 20)),
        };
        assert_eq!(check_training(&draft), vec![]);
    }

    #[test]
    fn each_mistake_is_named() {
        let days = [
            TrainingDay {
                date: date(2027, 3, 6),
                start: time(16, 0, 0, 0),
                end: time(10, 0, 0, 0),
            },
            day(date(2027, 3, 6)),
        ];
        let draft = TrainingDraft {
            title: " ",
            days: &days,
            capacity: Some(0),
            fee_yen: Some(-1),
            applications_open: Some(date(2027, 3, 1)),
            applications_close: Some(date(2027, 3, 10)),
        };
        let messages: Vec<_> = check_training(&draft)
            .into_iter()
            .map(|e| e.message)
            .collect();
        assert_eq!(
            messages,
            vec![
                "catalogue.error.title",
                "catalogue.error.day_times",
                "catalogue.error.duplicate_day",
                "catalogue.error.capacity",
                "catalogue.error.fee",
                "catalogue.error.window_after_start",
            ]
        );
    }
}
