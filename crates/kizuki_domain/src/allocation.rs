//! Who gets a seat: the allocation mode a training chooses, where a new application goes, and the
//! terms of an offer to the next person on the waitlist when a seat comes free.

use jiff::civil::Date;

use crate::Timestamp;

/// How a training hands out its seats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Allocation {
    /// Seats go in the order applications arrive.
    #[default]
    FirstCome,
    /// Everyone who applies in the window enters a draw at its close; what remains afterwards
    /// goes first come.
    Lottery,
    /// An organiser accepts or declines each application.
    Approval,
}

impl Allocation {
    pub const ALL: [Allocation; 3] = [
        Allocation::FirstCome,
        Allocation::Lottery,
        Allocation::Approval,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Allocation::FirstCome => "first_come",
            Allocation::Lottery => "lottery",
            Allocation::Approval => "approval",
        }
    }

    pub fn parse(text: &str) -> Option<Allocation> {
        Allocation::ALL
            .into_iter()
            .find(|mode| mode.as_str() == text)
    }
}

/// The state of one application. A seat is taken by `Held` and `Confirmed`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// A seat is kept until a deadline: for a new applicant to confirm their email address, or
    /// for someone from the waitlist to accept an offer.
    Held,
    Confirmed,
    Waitlisted,
    PendingApproval,
    /// Entered in a draw that has not happened yet.
    Lottery,
    Declined,
    Cancelled,
    Expired,
}

impl Status {
    pub const ALL: [Status; 8] = [
        Status::Held,
        Status::Confirmed,
        Status::Waitlisted,
        Status::PendingApproval,
        Status::Lottery,
        Status::Declined,
        Status::Cancelled,
        Status::Expired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Held => "held",
            Status::Confirmed => "confirmed",
            Status::Waitlisted => "waitlisted",
            Status::PendingApproval => "pending_approval",
            Status::Lottery => "lottery",
            Status::Declined => "declined",
            Status::Cancelled => "cancelled",
            Status::Expired => "expired",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        Status::ALL
            .into_iter()
            .find(|status| status.as_str() == text)
    }

    pub fn takes_seat(self) -> bool {
        matches!(self, Status::Held | Status::Confirmed)
    }

    /// Still in the running: the applicant may cancel or leave.
    pub fn is_active(self) -> bool {
        !matches!(self, Status::Declined | Status::Cancelled | Status::Expired)
    }
}

/// Where a new application goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    Held,
    Waitlisted { position: i64 },
    Lottery,
    PendingApproval,
}

/// The seats of one frame (or of the whole training when it has no frames) at the moment of
/// applying, read inside the transaction that holds the training's lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameState {
    pub capacity: i64,
    pub taken: i64,
    pub waiting: i64,
    pub last_position: i64,
}

pub fn enter(mode: Allocation, lottery_drawn: bool, frame: FrameState) -> Entry {
    match mode {
        Allocation::Approval => Entry::PendingApproval,
        Allocation::Lottery if !lottery_drawn => Entry::Lottery,
        // Someone already waiting goes before a newcomer, even if a seat has just come free and
        // its offer is still being made.
        _ if frame.taken < frame.capacity && frame.waiting == 0 => Entry::Held,
        _ => Entry::Waitlisted {
            position: frame.last_position + 1,
        },
    }
}

/// In the last days before a training there is no time for offers one by one: everyone on the
/// waitlist is told a seat is free and the first to take it has it.
pub const NOTIFY_ONLY_DAYS: i64 = 2;
/// Within a week of the start, an offer lasts at most a day.
pub const SHORT_OFFER_DAYS: i64 = 7;
pub const SHORT_OFFER_HOURS: i64 = 24;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OfferTerms {
    /// The seat is held for the next person until this instant.
    Until(Timestamp),
    NotifyOnly,
}

pub fn offer_terms(
    now: Timestamp,
    today: Date,
    first_day: Option<Date>,
    offer_hours: i64,
) -> OfferTerms {
    let days_left = first_day.map_or(i64::MAX, |first| i64::from((first - today).get_days()));
    if days_left <= NOTIFY_ONLY_DAYS {
        return OfferTerms::NotifyOnly;
    }
    let hours = if days_left <= SHORT_OFFER_DAYS {
        offer_hours.min(SHORT_OFFER_HOURS)
    } else {
        offer_hours
    };
    OfferTerms::Until(now.plus_seconds(hours.max(1) * 60 * 60))
}

/// A training's personal data is kept this many months after its last day, then purged.
pub fn purge_due(last_day: Date, retention_months: i64, today: Date) -> bool {
    let months = i32::try_from(retention_months.clamp(0, 1200)).unwrap_or(1200);
    last_day
        .checked_add(jiff::Span::new().months(months))
        .is_ok_and(|until| today > until)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn frame(capacity: i64, taken: i64, waiting: i64) -> FrameState {
        FrameState {
            capacity,
            taken,
            waiting,
            last_position: waiting,
        }
    }

    #[test]
    fn modes_decide_first() {
        assert_eq!(
            enter(Allocation::Approval, false, frame(30, 0, 0)),
            Entry::PendingApproval
        );
        assert_eq!(
            enter(Allocation::Lottery, false, frame(30, 0, 0)),
            Entry::Lottery
        );
        assert_eq!(
            enter(Allocation::Lottery, true, frame(30, 29, 0)),
            Entry::Held,
            "after the draw, what remains goes first come"
        );
    }

    #[test]
    fn the_last_seat_is_held_and_the_next_applicant_waits() {
        assert_eq!(
            enter(Allocation::FirstCome, false, frame(30, 29, 0)),
            Entry::Held
        );
        assert_eq!(
            enter(Allocation::FirstCome, false, frame(30, 30, 0)),
            Entry::Waitlisted { position: 1 }
        );
        assert_eq!(
            enter(Allocation::FirstCome, false, frame(0, 0, 0)),
            Entry::Waitlisted { position: 1 },
            "no seats at all"
        );
    }

    #[test]
    fn only_held_and_confirmed_take_a_seat_and_only_the_closed_are_out_of_the_running() {
        let seated: Vec<Status> = Status::ALL.into_iter().filter(|s| s.takes_seat()).collect();
        assert_eq!(seated, [Status::Held, Status::Confirmed]);
        let closed: Vec<Status> = Status::ALL.into_iter().filter(|s| !s.is_active()).collect();
        assert_eq!(
            closed,
            [Status::Declined, Status::Cancelled, Status::Expired]
        );
    }

    #[test]
    fn nobody_jumps_the_waitlist() {
        assert_eq!(
            enter(Allocation::FirstCome, false, frame(30, 29, 2)),
            Entry::Waitlisted { position: 3 }
        );
    }

    #[test]
    fn offers_shorten_near_the_start() {
        let now = Timestamp(1_800_000_000);
        let today = date(2027, 1, 15);
        assert_eq!(
            offer_terms(now, today, Some(date(2027, 3, 1)), 48),
            OfferTerms::Until(now.plus_seconds(48 * 3600))
        );
        assert_eq!(
            offer_terms(now, today, Some(date(2027, 1, 20)), 48),
            OfferTerms::Until(now.plus_seconds(24 * 3600))
        );
        assert_eq!(
            offer_terms(now, today, Some(date(2027, 1, 17)), 48),
            OfferTerms::NotifyOnly
        );
        assert_eq!(
            offer_terms(now, today, None, 12),
            OfferTerms::Until(now.plus_seconds(12 * 3600))
        );
    }

    #[test]
    fn retention_counts_months_after_the_last_day() {
        let held = date(2026, 1, 31);
        assert!(!purge_due(held, 12, date(2027, 1, 31)));
        assert!(purge_due(held, 12, date(2027, 2, 1)));
        assert!(purge_due(held, 0, date(2026, 2, 1)));
    }

    #[test]
    fn statuses_round_trip() {
        for status in Status::ALL {
            assert_eq!(Status::parse(status.as_str()), Some(status));
        }
        for mode in Allocation::ALL {
            assert_eq!(Allocation::parse(mode.as_str()), Some(mode));
        }
    }

    proptest! {
        #[test]
        fn first_come_never_oversells(capacity in 0i64..100, taken in 0i64..200, waiting in 0i64..50) {
            let free = taken < capacity && waiting == 0;
            match enter(Allocation::FirstCome, false, frame(capacity, taken, waiting)) {
                Entry::Held => prop_assert!(free),
                Entry::Waitlisted { .. } if free => prop_assert!(false, "a free seat was not given"),
                Entry::Waitlisted { position } => prop_assert_eq!(position, waiting + 1),
                other => prop_assert!(false, "unexpected {:?}", other),
            }
        }
    }
}
