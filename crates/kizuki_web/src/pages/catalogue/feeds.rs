//! Calendar feeds (iCalendar) for all public events, each training and each study group, and an
//! Atom feed of trainings and groups.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use kizuki_domain::catalogue::{GroupStatus, TrainingStatus};
use kizuki_domain::recurrence::Change;
use kizuki_i18n::Lang;
use kizuki_store::{StudyGroup, StudyGroupFilter, Training, TrainingFilter, When};
use quick_xml::Writer;
use quick_xml::events::BytesText;

use super::{place_words, today};
use crate::context::RequestContext;
use crate::error::AppError;
use crate::format::Localized;
use crate::ical::{self, Calendar, EventStatus};
use crate::markdown;
use crate::state::AppState;
use crate::structured;

fn location(lang: Lang, venue: Option<&kizuki_store::Venue>) -> String {
    match venue {
        Some(venue) if !venue.is_online => {
            let name = Localized::pick(lang, &venue.name, &venue.name_en).text;
            format!("{name}, {}", venue.address)
        }
        other => place_words(lang, other),
    }
}

fn training_events(calendar: &mut Calendar, lang: Lang, training: &Training, origin: &str) {
    let title = Localized::pick(lang, &training.title, &training.title_en).text;
    let description = markdown::to_plain_text(
        &Localized::pick(lang, &training.description, &training.description_en).text,
        2000,
    );
    let url = format!(
        "{origin}{}",
        lang.localize(&format!("/trainings/{}", training.id))
    );
    let count = training.days.len();
    for (index, day) in training.days.iter().enumerate() {
        let summary = if count > 1 {
            format!("{title} ({}/{count})", index + 1)
        } else {
            title.clone()
        };
        calendar.push(&ical::Event {
            uid: format!(
                "training-{}-{}@kizuki",
                training.id,
                day.date.strftime("%Y%m%d")
            ),
            stamp: training.updated_at,
            start: (day.date, day.start),
            end: (day.date, day.end),
            summary,
            description: description.clone(),
            location: location(lang, training.venue.as_ref()),
            url: url.clone(),
            status: if training.status == TrainingStatus::Cancelled {
                EventStatus::Cancelled
            } else {
                EventStatus::Confirmed
            },
            rule: None,
            exceptions: Vec::new(),
            replaces: None,
        });
    }
}

fn group_events(calendar: &mut Calendar, lang: Lang, group: &StudyGroup, origin: &str) {
    if group.status != GroupStatus::Active {
        return;
    }
    let recurrence = group.recurrence;
    // The rule's first meeting on or after the day the group began.
    let Some(first) = recurrence
        .pattern
        .dates(
            group.first_meeting_on,
            group.first_meeting_on,
            group
                .first_meeting_on
                .saturating_add(jiff::Span::new().days(62)),
        )
        .first()
        .copied()
    else {
        return;
    };
    let title = Localized::pick(lang, &group.name, &group.name_en).text;
    let description = markdown::to_plain_text(
        &Localized::pick(lang, &group.description, &group.description_en).text,
        2000,
    );
    let url = format!(
        "{origin}{}",
        lang.localize(&format!("/study-groups/{}", group.id))
    );
    let uid = format!("group-{}@kizuki", group.id);
    let exceptions: Vec<(Date, jiff::civil::Time)> = group
        .changes
        .iter()
        .filter(|change| change.change == Change::Cancelled)
        .map(|change| (change.original_on, recurrence.start))
        .collect();
    calendar.push(&ical::Event {
        uid: uid.clone(),
        stamp: group.updated_at,
        start: (first, recurrence.start),
        end: (first, recurrence.end),
        summary: title.clone(),
        description: description.clone(),
        location: location(lang, group.venue.as_ref()),
        url: url.clone(),
        status: EventStatus::Confirmed,
        rule: Some(recurrence.pattern.rrule()),
        exceptions,
        replaces: None,
    });
    for change in &group.changes {
        if let Change::Moved { to, start, end } = change.change {
            calendar.push(&ical::Event {
                uid: uid.clone(),
                stamp: group.updated_at,
                start: (to, start),
                end: (to, end),
                summary: title.clone(),
                description: description.clone(),
                location: location(lang, group.venue.as_ref()),
                url: url.clone(),
                status: EventStatus::Confirmed,
                rule: None,
                exceptions: Vec::new(),
                replaces: Some((change.original_on, recurrence.start)),
            });
        }
    }
}

fn calendar_response(body: String, file_name: &str) -> Response {
    crate::microcache::cacheable(
        (
            [
                (CONTENT_TYPE, "text/calendar; charset=utf-8".to_owned()),
                (
                    CONTENT_DISPOSITION,
                    format!("inline; filename=\"{file_name}\""),
                ),
            ],
            body,
        )
            .into_response(),
    )
}

/// Every public training from a year ago on, and every active study group.
pub async fn all(
    State(state): State<AppState>,
    context: RequestContext,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let lang = context.lang;
    let origin = structured::origin(&headers, context.https);
    let since = today(state.now()).saturating_sub(jiff::Span::new().days(365));
    let (trainings, _) = state
        .store()
        .trainings(&TrainingFilter {
            when: When::Upcoming,
            today: Some(since),
            limit: 500,
            ..TrainingFilter::default()
        })
        .await?;
    let (groups, _) = state
        .store()
        .study_groups(&StudyGroupFilter {
            statuses: vec![GroupStatus::Active],
            limit: 500,
            ..StudyGroupFilter::default()
        })
        .await?;
    let mut calendar = Calendar::new(kizuki_i18n::text(lang, "feeds.calendar_name"), lang.tag());
    for training in &trainings {
        training_events(&mut calendar, lang, training, &origin);
    }
    for group in &groups {
        group_events(&mut calendar, lang, group, &origin);
    }
    Ok(calendar_response(calendar.finish(), "kizuki.ics"))
}

pub async fn training(
    State(state): State<AppState>,
    context: RequestContext,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let training = super::public_training(&state, &id).await?;
    let body = training_calendar(
        context.lang,
        &training,
        &structured::origin(&headers, context.https),
    );
    Ok(calendar_response(
        body,
        &training_calendar_file_name(&training),
    ))
}

/// One training's days as an iCalendar file: the page's download and the attachment of the
/// messages that confirm a place.
pub fn training_calendar(lang: Lang, training: &Training, origin: &str) -> String {
    let mut calendar = Calendar::new(
        &Localized::pick(lang, &training.title, &training.title_en).text,
        lang.tag(),
    );
    training_events(&mut calendar, lang, training, origin);
    calendar.finish()
}

pub fn training_calendar_file_name(training: &Training) -> String {
    format!("training-{}.ics", training.id)
}

pub async fn group(
    State(state): State<AppState>,
    context: RequestContext,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let group = super::public_group(&state, &id).await?;
    let id = group.id;
    let lang = context.lang;
    let mut calendar = Calendar::new(
        &Localized::pick(lang, &group.name, &group.name_en).text,
        lang.tag(),
    );
    group_events(
        &mut calendar,
        lang,
        &group,
        &structured::origin(&headers, context.https),
    );
    Ok(calendar_response(
        calendar.finish(),
        &format!("study-group-{id}.ics"),
    ))
}

struct Entry {
    id: String,
    title: String,
    url: String,
    updated: String,
    summary: String,
}

fn rfc3339(at: kizuki_domain::Timestamp) -> String {
    jiff::Timestamp::from_second(at.seconds())
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// An Atom feed (RFC 4287) of trainings and study groups, newest changes first.
pub async fn atom(
    State(state): State<AppState>,
    context: RequestContext,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let lang = context.lang;
    let origin = structured::origin(&headers, context.https);
    let (trainings, _) = state
        .store()
        .trainings(&TrainingFilter {
            when: When::All,
            limit: 30,
            ..TrainingFilter::default()
        })
        .await?;
    let (groups, _) = state
        .store()
        .study_groups(&StudyGroupFilter {
            statuses: vec![GroupStatus::Active, GroupStatus::Paused],
            limit: 30,
            ..StudyGroupFilter::default()
        })
        .await?;
    let mut entries: Vec<(kizuki_domain::Timestamp, Entry)> = Vec::new();
    for training in &trainings {
        let path = lang.localize(&format!("/trainings/{}", training.id));
        let dates = match (training.first_day(), training.last_day()) {
            (Some(first), Some(last)) => crate::format::date_range(lang, first, last),
            _ => String::new(),
        };
        entries.push((
            training.updated_at,
            Entry {
                id: format!("{origin}{path}"),
                title: Localized::pick(lang, &training.title, &training.title_en).text,
                url: format!("{origin}{path}"),
                updated: rfc3339(training.updated_at),
                summary: format!("{dates} {}", place_words(lang, training.venue.as_ref())),
            },
        ));
    }
    for group in &groups {
        let path = lang.localize(&format!("/study-groups/{}", group.id));
        entries.push((
            group.updated_at,
            Entry {
                id: format!("{origin}{path}"),
                title: Localized::pick(lang, &group.name, &group.name_en).text,
                url: format!("{origin}{path}"),
                updated: rfc3339(group.updated_at),
                summary: format!(
                    "{} {}",
                    super::schedule_words(lang, group),
                    place_words(lang, group.venue.as_ref())
                ),
            },
        ));
    }
    entries.sort_by_key(|(updated, _)| std::cmp::Reverse(*updated));
    let newest = entries
        .first()
        .map_or_else(|| rfc3339(state.now()), |(_, entry)| entry.updated.clone());
    let self_url = format!("{origin}{}", lang.localize("/feed.atom"));
    let home_url = format!("{origin}{}", lang.localize("/"));
    let title = kizuki_i18n::text(lang, "feeds.atom_title");

    let mut writer = Writer::new(Vec::new());
    let written = writer
        .create_element("feed")
        .with_attributes([
            ("xmlns", "http://www.w3.org/2005/Atom"),
            ("xml:lang", lang.tag()),
        ])
        .write_inner_content(|w| {
            w.create_element("title")
                .write_text_content(BytesText::new(title))?;
            w.create_element("id")
                .write_text_content(BytesText::new(&self_url))?;
            w.create_element("updated")
                .write_text_content(BytesText::new(&newest))?;
            w.create_element("link")
                .with_attributes([("rel", "self"), ("href", self_url.as_str())])
                .write_empty()?;
            w.create_element("link")
                .with_attributes([("rel", "alternate"), ("href", home_url.as_str())])
                .write_empty()?;
            w.create_element("author").write_inner_content(|a| {
                a.create_element("name")
                    .write_text_content(BytesText::new(kizuki_i18n::text(lang, "site.organizer")))
                    .map(|_| ())
            })?;
            for (_, entry) in &entries {
                w.create_element("entry").write_inner_content(|e| {
                    e.create_element("title")
                        .write_text_content(BytesText::new(&entry.title))?;
                    e.create_element("id")
                        .write_text_content(BytesText::new(&entry.id))?;
                    e.create_element("updated")
                        .write_text_content(BytesText::new(&entry.updated))?;
                    e.create_element("link")
                        .with_attributes([("rel", "alternate"), ("href", entry.url.as_str())])
                        .write_empty()?;
                    e.create_element("summary")
                        .write_text_content(BytesText::new(&entry.summary))?;
                    Ok(())
                })?;
            }
            Ok(())
        });
    if let Err(error) = written {
        return Err(AppError::Internal(format!("atom feed: {error}")));
    }
    let mut body = b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n".to_vec();
    body.extend(writer.into_inner());
    Ok((
        [(CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        body,
    )
        .into_response())
}
