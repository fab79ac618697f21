//! Structured data for search engines and link previews: schema.org `Event` as JSON-LD.

use axum::http::HeaderMap;
use axum::http::header::HOST;
use jiff::civil::{Date, Time};
use kizuki_domain::catalogue::TrainingStatus;
use kizuki_i18n::Lang;
use kizuki_store::{StudyGroup, Training, Venue};
use serde_json::{Value, json};

use crate::format::Localized;

/// "http://host" as the visitor reached us, for absolute URLs.
pub fn origin(headers: &HeaderMap, https: bool) -> String {
    let host = headers
        .get(HOST)
        .and_then(|value| value.to_str().ok())
        .filter(|host| {
            host.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    format!("{}://{host}", if https { "https" } else { "http" })
}

/// An instant in Japan time as ISO 8601 with its offset: "2027-02-20T10:00:00+09:00".
pub fn tokyo_datetime(date: Date, time: Time) -> String {
    format!("{}T{:02}:{:02}:00+09:00", date, time.hour(), time.minute())
}

/// JSON for a `<script type="application/ld+json">` block: `<` is escaped so that no text in the
/// data can close the script element.
pub fn script_json(value: &Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

fn location(lang: Lang, venue: Option<&Venue>, page_url: &str) -> Value {
    match venue {
        Some(venue) if venue.is_online => json!({ "@type": "VirtualLocation", "url": page_url }),
        Some(venue) => {
            let mut place = json!({
                "@type": "Place",
                "name": Localized::pick(lang, &venue.name, &venue.name_en).text,
                "address": {
                    "@type": "PostalAddress",
                    "streetAddress": venue.address,
                    "addressLocality": venue.municipality,
                    "addressRegion": venue.prefecture_code.and_then(kizuki_geo::prefecture).map(|p| p.name_ja).unwrap_or_default(),
                    "addressCountry": "JP"
                }
            });
            if let Some((latitude, longitude)) = venue.position {
                place["geo"] = json!({ "@type": "GeoCoordinates", "latitude": latitude, "longitude": longitude });
            }
            place
        }
        None => {
            json!({ "@type": "Place", "name": "", "address": { "@type": "PostalAddress", "addressCountry": "JP" } })
        }
    }
}

fn attendance_mode(venue: Option<&Venue>) -> &'static str {
    if venue.is_some_and(|venue| venue.is_online) {
        "https://schema.org/OnlineEventAttendanceMode"
    } else {
        "https://schema.org/OfflineEventAttendanceMode"
    }
}

fn organizer(lang: Lang) -> Value {
    json!({ "@type": "Organization", "name": kizuki_i18n::text(lang, "site.organizer") })
}

pub fn training_event(lang: Lang, training: &Training, origin: &str) -> Value {
    let url = format!(
        "{origin}{}",
        lang.localize(&format!("/trainings/{}", training.id))
    );
    let first = training.days.first();
    let last = training.days.last();
    json!({
        "@context": "https://schema.org",
        "@type": "Event",
        "name": Localized::pick(lang, &training.title, &training.title_en).text,
        "description": crate::markdown::to_plain_text(&Localized::pick(lang, &training.description, &training.description_en).text, 300),
        "url": url,
        "inLanguage": lang.tag(),
        "startDate": first.map(|day| tokyo_datetime(day.date, day.start)),
        "endDate": last.map(|day| tokyo_datetime(day.date, day.end)),
        "eventStatus": if training.status == TrainingStatus::Cancelled { "https://schema.org/EventCancelled" } else { "https://schema.org/EventScheduled" },
        "eventAttendanceMode": attendance_mode(training.venue.as_ref()),
        "location": location(lang, training.venue.as_ref(), &url),
        "organizer": organizer(lang),
    })
}

/// A study group's next meeting as an `Event` (schema.org has no better fit for a recurring
/// community meeting that search engines understand).
pub fn group_event(
    lang: Lang,
    group: &StudyGroup,
    next: Option<(Date, Time, Time)>,
    origin: &str,
) -> Value {
    let url = format!(
        "{origin}{}",
        lang.localize(&format!("/study-groups/{}", group.id))
    );
    json!({
        "@context": "https://schema.org",
        "@type": "Event",
        "name": Localized::pick(lang, &group.name, &group.name_en).text,
        "description": crate::markdown::to_plain_text(&Localized::pick(lang, &group.description, &group.description_en).text, 300),
        "url": url,
        "inLanguage": lang.tag(),
        "startDate": next.map(|(date, start, _)| tokyo_datetime(date, start)),
        "endDate": next.map(|(date, _, end)| tokyo_datetime(date, end)),
        "eventSchedule": {
            "@type": "Schedule",
            "repeatFrequency": match group.recurrence.pattern { kizuki_domain::recurrence::Pattern::Monthly { .. } => "P1M", kizuki_domain::recurrence::Pattern::Weekly { interval: 2, .. } => "P2W", kizuki_domain::recurrence::Pattern::Weekly { .. } => "P1W" },
            "startTime": kizuki_domain::recurrence::hhmm(group.recurrence.start),
            "endTime": kizuki_domain::recurrence::hhmm(group.recurrence.end),
            "scheduleTimezone": "Asia/Tokyo"
        },
        "eventStatus": "https://schema.org/EventScheduled",
        "eventAttendanceMode": attendance_mode(group.venue.as_ref()),
        "location": location(lang, group.venue.as_ref(), &url),
        "organizer": organizer(lang),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_json_cannot_close_its_element() {
        let text = script_json(&json!({ "name": "</script><script>alert(1)</script>" }));
        assert!(!text.contains("</script>"));
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["name"], "</script><script>alert(1)</script>");
    }

    #[test]
    fn hosts_with_odd_characters_are_not_trusted() {
        let mut headers = HeaderMap::new();
        headers.insert(HOST, "evil\"><x".parse().unwrap());
        assert_eq!(origin(&headers, false), "http://localhost");
        headers.insert(HOST, "ips.example.jp".parse().unwrap());
        assert_eq!(origin(&headers, true), "https://ips.example.jp");
    }
}
