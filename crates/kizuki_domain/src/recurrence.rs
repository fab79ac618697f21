//! When a study group meets, in people's words ("毎月第2土曜 14:00–16:00") and as an RFC 5545
//! rule underneath ("FREQ=MONTHLY;BYDAY=2SA"), and the dates that follow from it.
//!
//! Only the patterns study groups actually use are supported: a given weekday of the month
//! (first to fourth, or last), and every week or every other week on one weekday.

use std::fmt::Write;

use jiff::civil::{Date, Time, Weekday};
use unicode_normalization::UnicodeNormalization;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pattern {
    /// The `nth` `weekday` of each month; `nth` is 1–4, or -1 for the last.
    Monthly { nth: i8, weekday: Weekday },
    /// Every `interval` weeks (1 or 2) on `weekday`.
    Weekly { interval: u8, weekday: Weekday },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Recurrence {
    pub pattern: Pattern,
    pub start: Time,
    pub end: Time,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecurrenceError {
    #[error("the rule {0:?} is not a monthly or weekly rule Kizuki understands")]
    UnsupportedRule(String),
    #[error("could not read a meeting pattern from {0:?}; write e.g. 毎月第2土曜 14:00-16:00")]
    UnreadableWords(String),
    #[error("the meeting must end after it starts")]
    TimesOutOfOrder,
}

const WEEKDAYS: [(Weekday, &str, char, &str); 7] = [
    (Weekday::Monday, "MO", '月', "Monday"),
    (Weekday::Tuesday, "TU", '火', "Tuesday"),
    (Weekday::Wednesday, "WE", '水', "Wednesday"),
    (Weekday::Thursday, "TH", '木', "Thursday"),
    (Weekday::Friday, "FR", '金', "Friday"),
    (Weekday::Saturday, "SA", '土', "Saturday"),
    (Weekday::Sunday, "SU", '日', "Sunday"),
];

fn code(weekday: Weekday) -> &'static str {
    WEEKDAYS
        .iter()
        .find(|w| w.0 == weekday)
        .map_or("MO", |w| w.1)
}

fn kanji(weekday: Weekday) -> char {
    WEEKDAYS
        .iter()
        .find(|w| w.0 == weekday)
        .map_or('月', |w| w.2)
}

fn english(weekday: Weekday) -> &'static str {
    WEEKDAYS
        .iter()
        .find(|w| w.0 == weekday)
        .map_or("Monday", |w| w.3)
}

impl Pattern {
    /// The RFC 5545 `RRULE` value (without the `RRULE:` prefix).
    pub fn rrule(&self) -> String {
        match *self {
            Pattern::Monthly { nth, weekday } => {
                format!("FREQ=MONTHLY;BYDAY={nth}{}", code(weekday))
            }
            Pattern::Weekly {
                interval: 1,
                weekday,
            } => format!("FREQ=WEEKLY;BYDAY={}", code(weekday)),
            Pattern::Weekly { interval, weekday } => {
                format!("FREQ=WEEKLY;INTERVAL={interval};BYDAY={}", code(weekday))
            }
        }
    }

    pub fn parse_rrule(text: &str) -> Result<Pattern, RecurrenceError> {
        let unsupported = || RecurrenceError::UnsupportedRule(text.to_owned());
        let body = text.trim().trim_start_matches("RRULE:");
        let (mut freq, mut byday, mut interval, mut setpos) = (None, None, 1u8, None);
        for part in body.split(';').filter(|part| !part.is_empty()) {
            let (key, value) = part.split_once('=').ok_or_else(unsupported)?;
            match key.to_ascii_uppercase().as_str() {
                "FREQ" => freq = Some(value.to_ascii_uppercase()),
                "BYDAY" => byday = Some(value.to_ascii_uppercase()),
                "INTERVAL" => interval = value.parse().map_err(|_| unsupported())?,
                "BYSETPOS" => setpos = Some(value.parse::<i8>().map_err(|_| unsupported())?),
                "WKST" => {}
                _ => return Err(unsupported()),
            }
        }
        let byday = byday.ok_or_else(unsupported)?;
        let split = byday.len().checked_sub(2).ok_or_else(unsupported)?;
        let (prefix, day_code) = byday.split_at(split);
        let weekday = WEEKDAYS
            .iter()
            .find(|w| w.1 == day_code)
            .map(|w| w.0)
            .ok_or_else(unsupported)?;
        match freq.as_deref() {
            Some("MONTHLY") if interval == 1 => {
                let nth = match (prefix, setpos) {
                    ("", Some(position)) => position,
                    (number, None) => number
                        .trim_start_matches('+')
                        .parse()
                        .map_err(|_| unsupported())?,
                    _ => return Err(unsupported()),
                };
                if (1..=4).contains(&nth) || nth == -1 {
                    Ok(Pattern::Monthly { nth, weekday })
                } else {
                    Err(unsupported())
                }
            }
            Some("WEEKLY")
                if prefix.is_empty() && setpos.is_none() && (1..=2).contains(&interval) =>
            {
                Ok(Pattern::Weekly { interval, weekday })
            }
            _ => Err(unsupported()),
        }
    }

    /// The meeting dates from `from` to `until` (both included), never before `first`, the day
    /// the group began meeting (which also sets the rhythm of every-other-week groups).
    pub fn dates(&self, first: Date, from: Date, until: Date) -> Vec<Date> {
        let start = first.max(from);
        let mut found = Vec::new();
        if start > until {
            return found;
        }
        match *self {
            Pattern::Monthly { nth, weekday } => {
                let mut month = start.first_of_month();
                while month <= until {
                    if let Ok(day) = month.nth_weekday_of_month(nth, weekday)
                        && day >= start
                        && day <= until
                    {
                        found.push(day);
                    }
                    match month.checked_add(jiff::Span::new().months(1)) {
                        Ok(next) => month = next,
                        Err(_) => break,
                    }
                }
            }
            Pattern::Weekly { interval, weekday } => {
                // The first meeting on or after `first`, then every `interval` weeks.
                let offset = (weekday.to_monday_zero_offset()
                    - first.weekday().to_monday_zero_offset())
                .rem_euclid(7);
                let Ok(mut day) = first.checked_add(jiff::Span::new().days(i64::from(offset)))
                else {
                    return found;
                };
                let step = jiff::Span::new().weeks(i64::from(interval));
                while day <= until {
                    if day >= start {
                        found.push(day);
                    }
                    match day.checked_add(step) {
                        Ok(next) => day = next,
                        Err(_) => break,
                    }
                }
            }
        }
        found
    }
}

impl Recurrence {
    pub fn new(pattern: Pattern, start: Time, end: Time) -> Result<Recurrence, RecurrenceError> {
        if end <= start {
            return Err(RecurrenceError::TimesOutOfOrder);
        }
        Ok(Recurrence {
            pattern,
            start,
            end,
        })
    }

    /// How people say it, in Japanese: "毎月第2土曜 14:00–16:00".
    pub fn describe_ja(&self) -> String {
        let mut text = match self.pattern {
            Pattern::Monthly { nth: -1, weekday } => format!("毎月最終{}曜", kanji(weekday)),
            Pattern::Monthly { nth, weekday } => format!("毎月第{nth}{}曜", kanji(weekday)),
            Pattern::Weekly {
                interval: 1,
                weekday,
            } => format!("毎週{}曜", kanji(weekday)),
            Pattern::Weekly { weekday, .. } => format!("隔週{}曜", kanji(weekday)),
        };
        let _ = write!(text, " {}–{}", hhmm(self.start), hhmm(self.end));
        text
    }

    /// How people say it, in English: "Second Saturday of every month, 14:00–16:00".
    pub fn describe_en(&self) -> String {
        let ordinal = |nth: i8| match nth {
            1 => "First",
            2 => "Second",
            3 => "Third",
            4 => "Fourth",
            _ => "Last",
        };
        let mut text = match self.pattern {
            Pattern::Monthly { nth, weekday } => {
                format!("{} {} of every month", ordinal(nth), english(weekday))
            }
            Pattern::Weekly {
                interval: 1,
                weekday,
            } => format!("Every {}", english(weekday)),
            Pattern::Weekly { weekday, .. } => format!("Every other {}", english(weekday)),
        };
        let _ = write!(text, ", {}–{}", hhmm(self.start), hhmm(self.end));
        text
    }

    /// Reads a pattern from people's words, in Japanese or English, e.g. "毎月第２土曜日
    /// 14:00～16:00", "隔週水曜 19:00-21:00", "last Sunday of every month 13:30-15:30".
    pub fn parse_words(text: &str) -> Result<Recurrence, RecurrenceError> {
        let unreadable = || RecurrenceError::UnreadableWords(text.to_owned());
        // NFKC turns full-width digits and colons into ASCII.
        let plain: String = text.nfkc().collect::<String>().to_lowercase();
        let (start, end) = times_in(&plain).ok_or_else(unreadable)?;
        let pattern = japanese_pattern(&plain)
            .or_else(|| english_pattern(&plain))
            .ok_or_else(unreadable)?;
        Recurrence::new(pattern, start, end)
    }
}

pub fn hhmm(time: Time) -> String {
    format!("{:02}:{:02}", time.hour(), time.minute())
}

fn japanese_pattern(text: &str) -> Option<Pattern> {
    let weekday_after = |marker: &str| -> Option<Weekday> {
        let rest = &text[text.find(marker)? + marker.len()..];
        let day = rest.trim_start().chars().next()?;
        WEEKDAYS.iter().find(|w| w.2 == day).map(|w| w.0)
    };
    if text.contains("最終") {
        return Some(Pattern::Monthly {
            nth: -1,
            weekday: weekday_after("最終")?,
        });
    }
    if let Some(index) = text.find('第') {
        let rest = &text[index + '第'.len_utf8()..];
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let nth: i8 = digits.parse().ok().filter(|n| (1..=4).contains(n))?;
        let weekday = weekday_after(&format!("第{digits}"))?;
        return Some(Pattern::Monthly { nth, weekday });
    }
    if text.contains("隔週") {
        return Some(Pattern::Weekly {
            interval: 2,
            weekday: weekday_after("隔週")?,
        });
    }
    if text.contains("毎週") {
        return Some(Pattern::Weekly {
            interval: 1,
            weekday: weekday_after("毎週")?,
        });
    }
    None
}

fn english_pattern(text: &str) -> Option<Pattern> {
    let weekday = WEEKDAYS
        .iter()
        .find(|w| text.contains(&w.3.to_lowercase()))
        .map(|w| w.0)?;
    let ordinals = [
        ("first", 1),
        ("1st", 1),
        ("second", 2),
        ("2nd", 2),
        ("third", 3),
        ("3rd", 3),
        ("fourth", 4),
        ("4th", 4),
        ("last", -1),
    ];
    if text.contains("month") {
        let nth = ordinals
            .iter()
            .find(|(word, _)| text.contains(word))
            .map(|(_, n)| *n)?;
        return Some(Pattern::Monthly { nth, weekday });
    }
    if text.contains("every other") || text.contains("fortnight") || text.contains("biweekly") {
        return Some(Pattern::Weekly {
            interval: 2,
            weekday,
        });
    }
    if text.contains("every") || text.contains("weekly") {
        return Some(Pattern::Weekly {
            interval: 1,
            weekday,
        });
    }
    None
}

/// The first "HH:MM … HH:MM" pair in the text.
fn times_in(text: &str) -> Option<(Time, Time)> {
    let mut times = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut index = 0;
    while index < chars.len() && times.len() < 2 {
        if chars[index].is_ascii_digit() {
            let start = index;
            while index < chars.len() && chars[index].is_ascii_digit() {
                index += 1;
            }
            if index < chars.len() && chars[index] == ':' {
                let hour: String = chars[start..index].iter().collect();
                let minute: String = chars[index + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_digit())
                    .collect();
                index += 1 + minute.len();
                if let (Ok(hour), Ok(minute), 2) =
                    (hour.parse::<i8>(), minute.parse::<i8>(), minute.len())
                {
                    times.push(Time::new(hour, minute, 0, 0).ok()?);
                }
            }
        } else {
            index += 1;
        }
    }
    match times.as_slice() {
        [start, end] => Some((*start, *end)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, time};
    use proptest::prelude::*;

    #[test]
    fn words_become_rules_and_back() {
        let cases = [
            (
                "毎月第2土曜 14:00–16:00",
                "FREQ=MONTHLY;BYDAY=2SA",
                "毎月第2土曜 14:00–16:00",
                "Second Saturday of every month, 14:00–16:00",
            ),
            (
                "毎月第２土曜日　１４：００～１６：００",
                "FREQ=MONTHLY;BYDAY=2SA",
                "毎月第2土曜 14:00–16:00",
                "Second Saturday of every month, 14:00–16:00",
            ),
            (
                "毎月最終日曜 13:30-15:30",
                "FREQ=MONTHLY;BYDAY=-1SU",
                "毎月最終日曜 13:30–15:30",
                "Last Sunday of every month, 13:30–15:30",
            ),
            (
                "隔週水曜日 19:00〜21:00",
                "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE",
                "隔週水曜 19:00–21:00",
                "Every other Wednesday, 19:00–21:00",
            ),
            (
                "毎週金曜 10:00-12:00",
                "FREQ=WEEKLY;BYDAY=FR",
                "毎週金曜 10:00–12:00",
                "Every Friday, 10:00–12:00",
            ),
            (
                "3rd Thursday of every month, 18:30-20:30",
                "FREQ=MONTHLY;BYDAY=3TH",
                "毎月第3木曜 18:30–20:30",
                "Third Thursday of every month, 18:30–20:30",
            ),
        ];
        for (words, rule, ja, en) in cases {
            let recurrence = Recurrence::parse_words(words).expect(words);
            assert_eq!(recurrence.pattern.rrule(), rule, "{words}");
            assert_eq!(recurrence.describe_ja(), ja);
            assert_eq!(recurrence.describe_en(), en);
            assert_eq!(Pattern::parse_rrule(rule), Ok(recurrence.pattern));
        }
    }

    #[test]
    fn unreadable_words_are_refused_with_an_example() {
        for words in [
            "毎月 14:00-16:00",
            "第2土曜",
            "第5土曜 10:00-11:00",
            "毎週 10:00-11:00",
            "sometimes",
        ] {
            assert!(Recurrence::parse_words(words).is_err(), "{words}");
        }
        assert_eq!(
            Recurrence::parse_words("毎週土曜 16:00-14:00"),
            Err(RecurrenceError::TimesOutOfOrder)
        );
    }

    #[test]
    fn other_spellings_of_rules_are_read() {
        assert_eq!(
            Pattern::parse_rrule("RRULE:FREQ=MONTHLY;BYDAY=SA;BYSETPOS=2"),
            Ok(Pattern::Monthly {
                nth: 2,
                weekday: Weekday::Saturday
            })
        );
        for bad in [
            "FREQ=DAILY",
            "FREQ=MONTHLY;BYDAY=6SA",
            "FREQ=WEEKLY;BYDAY=XX",
            "nonsense",
            "FREQ=YEARLY;BYDAY=1MO",
        ] {
            assert!(Pattern::parse_rrule(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn second_saturdays_of_2027() {
        let pattern = Pattern::Monthly {
            nth: 2,
            weekday: Weekday::Saturday,
        };
        let dates = pattern.dates(date(2013, 4, 1), date(2027, 1, 1), date(2027, 4, 30));
        assert_eq!(
            dates,
            vec![
                date(2027, 1, 9),
                date(2027, 2, 13),
                date(2027, 3, 13),
                date(2027, 4, 10)
            ]
        );
    }

    #[test]
    fn every_other_week_keeps_the_rhythm_of_the_first_meeting() {
        let pattern = Pattern::Weekly {
            interval: 2,
            weekday: Weekday::Wednesday,
        };
        // First meeting Wednesday 2027-01-06; from the 10th on: the 20th, then Feb 3.
        let dates = pattern.dates(date(2027, 1, 6), date(2027, 1, 10), date(2027, 2, 5));
        assert_eq!(dates, vec![date(2027, 1, 20), date(2027, 2, 3)]);
    }

    #[test]
    fn last_sundays_include_five_sunday_months() {
        let pattern = Pattern::Monthly {
            nth: -1,
            weekday: Weekday::Sunday,
        };
        let dates = pattern.dates(date(2020, 1, 1), date(2027, 5, 1), date(2027, 5, 31));
        assert_eq!(dates, vec![date(2027, 5, 30)]);
    }

    fn any_pattern() -> impl Strategy<Value = Pattern> {
        let weekday =
            (0i8..7).prop_map(|n| Weekday::from_monday_zero_offset(n).unwrap_or(Weekday::Monday));
        prop_oneof![
            (prop_oneof![1i8..=4, Just(-1)], weekday.clone())
                .prop_map(|(nth, weekday)| Pattern::Monthly { nth, weekday }),
            (1u8..=2, weekday)
                .prop_map(|(interval, weekday)| Pattern::Weekly { interval, weekday }),
        ]
    }

    proptest! {
        #[test]
        fn rules_round_trip(pattern in any_pattern()) {
            prop_assert_eq!(Pattern::parse_rrule(&pattern.rrule()), Ok(pattern));
        }

        #[test]
        fn descriptions_read_back_as_the_same_recurrence(pattern in any_pattern(), start_hour in 6i8..20, length in 1i8..4) {
            let recurrence = Recurrence::new(pattern, time(start_hour, 0, 0, 0), time(start_hour + length, 30, 0, 0)).unwrap();
            prop_assert_eq!(Recurrence::parse_words(&recurrence.describe_ja()), Ok(recurrence));
            prop_assert_eq!(Recurrence::parse_words(&recurrence.describe_en()), Ok(recurrence));
        }

        #[test]
        fn dates_fall_on_the_weekday_in_range_and_in_order(pattern in any_pattern(), first_offset in 0i64..2000, span in 0i64..400) {
            let first = date(2010, 1, 1).checked_add(jiff::Span::new().days(first_offset)).unwrap();
            let from = date(2013, 6, 1);
            let until = from.checked_add(jiff::Span::new().days(span)).unwrap();
            let dates = pattern.dates(first, from, until);
            let weekday = match pattern { Pattern::Monthly { weekday, .. } | Pattern::Weekly { weekday, .. } => weekday };
            for pair in dates.windows(2) { prop_assert!(pair[0] < pair[1]); }
            for day in dates { prop_assert!(day >= first && day >= from && day <= until && day.weekday() == weekday); }
        }

        #[test]
        fn reading_words_never_panics(text in "\\PC{0,40}") {
            let _ = Recurrence::parse_words(&text);
        }
    }
}

/// A one-off change to a regular meeting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Moved { to: Date, start: Time, end: Time },
    Cancelled,
}

/// One meeting as it will happen (or, if cancelled, would have).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Meeting {
    /// The date the rule gives; identifies the meeting even after it moves.
    pub original: Date,
    pub date: Date,
    pub start: Time,
    pub end: Time,
    pub cancelled: bool,
}

/// The meetings between `from` and `until` (by their actual date), with one-off changes applied.
pub fn meetings(
    recurrence: &Recurrence,
    first: Date,
    from: Date,
    until: Date,
    changes: &[(Date, Change)],
) -> Vec<Meeting> {
    // A meeting may be moved into the range from just outside it.
    let margin = jiff::Span::new().days(62);
    let wide_from = from.checked_sub(margin).unwrap_or(from);
    let wide_until = until.checked_add(margin).unwrap_or(until);
    let mut found: Vec<Meeting> = recurrence
        .pattern
        .dates(first, wide_from, wide_until)
        .into_iter()
        .map(|original| {
            let change = changes
                .iter()
                .find(|(date, _)| *date == original)
                .map(|(_, change)| *change);
            match change {
                Some(Change::Moved { to, start, end }) => Meeting {
                    original,
                    date: to,
                    start,
                    end,
                    cancelled: false,
                },
                Some(Change::Cancelled) => Meeting {
                    original,
                    date: original,
                    start: recurrence.start,
                    end: recurrence.end,
                    cancelled: true,
                },
                None => Meeting {
                    original,
                    date: original,
                    start: recurrence.start,
                    end: recurrence.end,
                    cancelled: false,
                },
            }
        })
        .filter(|meeting| meeting.date >= from && meeting.date <= until)
        .collect();
    found.sort_by_key(|meeting| (meeting.date, meeting.start));
    found
}

#[cfg(test)]
mod meeting_tests {
    use super::*;
    use jiff::civil::{date, time};

    #[test]
    fn moved_and_cancelled_meetings() {
        let recurrence = Recurrence::new(
            Pattern::Monthly {
                nth: 2,
                weekday: Weekday::Saturday,
            },
            time(14, 0, 0, 0),
            time(16, 0, 0, 0),
        )
        .unwrap();
        let changes = [
            (date(2027, 2, 13), Change::Cancelled),
            (
                date(2027, 3, 13),
                Change::Moved {
                    to: date(2027, 3, 20),
                    start: time(13, 0, 0, 0),
                    end: time(15, 0, 0, 0),
                },
            ),
            // Moved from May into April's range.
            (
                date(2027, 5, 8),
                Change::Moved {
                    to: date(2027, 4, 29),
                    start: time(10, 0, 0, 0),
                    end: time(12, 0, 0, 0),
                },
            ),
        ];
        let found = meetings(
            &recurrence,
            date(2020, 1, 1),
            date(2027, 1, 1),
            date(2027, 4, 30),
            &changes,
        );
        let summary: Vec<(Date, bool)> = found.iter().map(|m| (m.date, m.cancelled)).collect();
        assert_eq!(
            summary,
            vec![
                (date(2027, 1, 9), false),
                (date(2027, 2, 13), true),
                (date(2027, 3, 20), false),
                (date(2027, 4, 10), false),
                (date(2027, 4, 29), false),
            ]
        );
        assert_eq!(found[2].original, date(2027, 3, 13));
        assert_eq!(found[2].start, time(13, 0, 0, 0));
    }
}
