//! iCalendar (RFC 5545) output, written by hand: the `icalendar` crate cannot emit a
//! `VTIMEZONE`, and a study group's weekly rule is only right in Japan time when its start
//! carries `TZID=Asia/Tokyo`. This module only escapes, folds and orders lines; what goes in the
//! events is decided by the feeds module.

use jiff::civil::{Date, Time};
use kizuki_domain::Timestamp;

const TIMEZONE: [&str; 9] = [
    "BEGIN:VTIMEZONE",
    "TZID:Asia/Tokyo",
    "BEGIN:STANDARD",
    "DTSTART:19700101T000000",
    "TZOFFSETFROM:+0900",
    "TZOFFSETTO:+0900",
    "TZNAME:JST",
    "END:STANDARD",
    "END:VTIMEZONE",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventStatus {
    Confirmed,
    Cancelled,
}

pub struct Event {
    pub uid: String,
    pub stamp: Timestamp,
    pub start: (Date, Time),
    pub end: (Date, Time),
    pub summary: String,
    pub description: String,
    pub location: String,
    pub url: String,
    pub status: EventStatus,
    /// An RRULE value for a repeating event.
    pub rule: Option<String>,
    /// Occurrences of the rule that do not happen.
    pub exceptions: Vec<(Date, Time)>,
    /// Set on an event that replaces one occurrence of a repeating event with the same UID.
    pub replaces: Option<(Date, Time)>,
}

pub struct Calendar {
    lines: Vec<String>,
}

impl Calendar {
    pub fn new(name: &str, lang: &str) -> Calendar {
        let mut lines = vec![
            "BEGIN:VCALENDAR".to_owned(),
            "VERSION:2.0".to_owned(),
            format!(
                "PRODID:-//Kizuki//Kizuki {}//{}",
                env!("CARGO_PKG_VERSION"),
                lang.to_uppercase()
            ),
            "CALSCALE:GREGORIAN".to_owned(),
            "METHOD:PUBLISH".to_owned(),
            format!("X-WR-CALNAME:{}", escape(name)),
            "X-WR-TIMEZONE:Asia/Tokyo".to_owned(),
        ];
        lines.extend(TIMEZONE.iter().map(|line| (*line).to_owned()));
        Calendar { lines }
    }

    pub fn push(&mut self, event: &Event) {
        let lines = &mut self.lines;
        lines.push("BEGIN:VEVENT".to_owned());
        lines.push(format!("UID:{}", event.uid));
        lines.push(format!("DTSTAMP:{}", utc(event.stamp)));
        if let Some(replaced) = event.replaces {
            lines.push(format!("RECURRENCE-ID;TZID=Asia/Tokyo:{}", local(replaced)));
        }
        lines.push(format!("DTSTART;TZID=Asia/Tokyo:{}", local(event.start)));
        lines.push(format!("DTEND;TZID=Asia/Tokyo:{}", local(event.end)));
        if let Some(rule) = &event.rule {
            lines.push(format!("RRULE:{rule}"));
        }
        for exception in &event.exceptions {
            lines.push(format!("EXDATE;TZID=Asia/Tokyo:{}", local(*exception)));
        }
        lines.push(format!("SUMMARY:{}", escape(&event.summary)));
        if !event.description.is_empty() {
            lines.push(format!("DESCRIPTION:{}", escape(&event.description)));
        }
        if !event.location.is_empty() {
            lines.push(format!("LOCATION:{}", escape(&event.location)));
        }
        lines.push(format!("URL:{}", event.url));
        lines.push(
            match event.status {
                EventStatus::Confirmed => "STATUS:CONFIRMED",
                EventStatus::Cancelled => "STATUS:CANCELLED",
            }
            .to_owned(),
        );
        lines.push("END:VEVENT".to_owned());
    }

    /// The calendar as text: CRLF line ends, long lines folded at 75 octets.
    pub fn finish(mut self) -> String {
        self.lines.push("END:VCALENDAR".to_owned());
        let mut out = String::new();
        for line in &self.lines {
            fold_into(&mut out, line);
        }
        out
    }
}

fn local((date, time): (Date, Time)) -> String {
    format!(
        "{:04}{:02}{:02}T{:02}{:02}00",
        date.year(),
        date.month(),
        date.day(),
        time.hour(),
        time.minute()
    )
}

fn utc(at: Timestamp) -> String {
    jiff::Timestamp::from_second(at.seconds())
        .map(|instant| instant.strftime("%Y%m%dT%H%M%SZ").to_string())
        .unwrap_or_else(|_| "19700101T000000Z".to_owned())
}

/// Escapes a TEXT value (RFC 5545 §3.3.11).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line so that no physical line exceeds 75 octets, never splitting a
/// character (RFC 5545 §3.1).
fn fold_into(out: &mut String, line: &str) {
    let mut used = 0;
    for c in line.chars() {
        let width = c.len_utf8();
        if used + width > 75 {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += width;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, time};

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    }

    #[test]
    fn long_lines_fold_between_characters() {
        let mut out = String::new();
        fold_into(&mut out, &format!("SUMMARY:{}", "研".repeat(40)));
        for physical in out.split("\r\n").filter(|line| !line.is_empty()) {
            assert!(physical.len() <= 75, "{} octets", physical.len());
        }
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(unfolded, format!("SUMMARY:{}\r\n", "研".repeat(40)));
    }

    #[test]
    fn a_calendar_has_its_timezone_and_events() {
        let mut calendar = Calendar::new("研修会", "ja");
        calendar.push(&Event {
            uid: "training-1-20270220@kizuki".into(),
            stamp: Timestamp(1_800_000_000),
            start: (date(2027, 2, 20), time(10, 0, 0, 0)),
            end: (date(2027, 2, 20), time(16, 30, 0, 0)),
            summary: "IPS基礎研修".into(),
            description: String::new(),
            location: "札幌市".into(),
            url: "http://localhost/trainings/1".into(),
            status: EventStatus::Confirmed,
            rule: None,
            exceptions: vec![],
            replaces: None,
        });
        let text = calendar.finish();
        assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(text.contains("BEGIN:VTIMEZONE\r\nTZID:Asia/Tokyo\r\n"));
        assert!(text.contains("DTSTART;TZID=Asia/Tokyo:20270220T100000\r\n"));
        assert!(text.contains("DTSTAMP:20270115T080000Z\r\n"));
        assert!(text.ends_with("END:VCALENDAR\r\n"));
    }
}
