//! Study groups: the public list and each group's page with its next meetings.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use kizuki_domain::catalogue::GroupStatus;
use kizuki_store::StudyGroupFilter;

use super::trainings::VenueBlock;
use super::{
    AreaGroup, Filters, GroupCard, ListQuery, PAGE_SIZE, Pagination, area_groups, group_card,
    schedule_words, today, upcoming_meetings,
};
use crate::context::RequestContext;
use crate::error::AppError;
use crate::format::{self, Localized};
use crate::markdown;
use crate::microcache::cacheable;
use crate::state::AppState;
use crate::structured;
use crate::views::{self, Chrome};

#[derive(Template)]
#[template(path = "study_groups.html")]
pub struct GroupsView {
    pub page: Chrome,
    pub groups: Vec<GroupCard>,
    pub areas: Vec<AreaGroup>,
    pub online: bool,
    pub pagination: Pagination,
}

pub async fn list(
    State(state): State<AppState>,
    context: RequestContext,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    let filters = Filters::parse(&query);
    let lang = context.lang;
    let (groups, total) = state
        .store()
        .study_groups(&StudyGroupFilter {
            prefectures: filters.area.prefecture_codes(),
            online_only: filters.online,
            municipality: filters.town.clone(),
            statuses: vec![GroupStatus::Active, GroupStatus::Paused],
            offset: filters.offset(),
            limit: PAGE_SIZE,
            ..StudyGroupFilter::default()
        })
        .await?;
    let today = today(state.now());
    Ok(cacheable(views::render(&GroupsView {
        page: Chrome::new(&state, &context, "groups.title"),
        groups: groups
            .iter()
            .map(|group| group_card(lang, group, today))
            .collect(),
        areas: area_groups(lang, filters.area),
        online: filters.online,
        pagination: Pagination::new(&lang.localize("/study-groups"), &filters, total),
    })))
}

pub struct MeetingLine {
    pub date: String,
    pub time: String,
    pub cancelled: bool,
    pub moved_from: Option<String>,
    pub note: Localized,
}

#[derive(Template)]
#[template(path = "study_group.html")]
pub struct GroupView {
    pub page: Chrome,
    pub card: GroupCard,
    pub description_html: String,
    pub venue: Option<VenueBlock>,
    pub host_name: Localized,
    pub contact_note: Localized,
    pub meetings: Vec<MeetingLine>,
    pub started: String,
    pub json_ld: String,
    pub calendar_href: String,
    pub list_href: String,
    pub contact_href: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    context: RequestContext,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let group = super::public_group(&state, &id).await?;
    let lang = context.lang;
    let today = today(state.now());
    let card = group_card(lang, &group, today);
    let meetings = upcoming_meetings(&group, today, 180);
    let next = meetings
        .iter()
        .find(|meeting| !meeting.cancelled)
        .map(|meeting| (meeting.date, meeting.start, meeting.end));
    let mut page = Chrome::new(&state, &context, "groups.title");
    page.title.clone_from(&card.name.text);
    let description = Localized::pick(lang, &group.description, &group.description_en);
    page.description = Some(format!(
        "{} — {}",
        schedule_words(lang, &group),
        markdown::to_plain_text(&description.text, 120)
    ));
    let origin = structured::origin(&headers, context.https);
    Ok(cacheable(views::render(&GroupView {
        description_html: markdown::to_safe_html(&description.text),
        venue: group
            .venue
            .as_ref()
            .map(|venue| VenueBlock::new(lang, venue)),
        host_name: Localized::pick(lang, &group.host_name, &group.host_name_en),
        contact_note: Localized::pick(lang, &group.contact_note, &group.contact_note_en),
        meetings: meetings
            .iter()
            .take(6)
            .map(|meeting| {
                let change = group
                    .changes
                    .iter()
                    .find(|change| change.original_on == meeting.original);
                MeetingLine {
                    date: format::date(lang, meeting.date),
                    time: format::time_range(meeting.start, meeting.end),
                    cancelled: meeting.cancelled,
                    moved_from: (meeting.original != meeting.date)
                        .then(|| format::date(lang, meeting.original)),
                    note: change.map_or_else(
                        || Localized::pick(lang, "", ""),
                        |change| Localized::pick(lang, &change.note, &change.note_en),
                    ),
                }
            })
            .collect(),
        started: format::date(lang, group.first_meeting_on),
        json_ld: structured::script_json(&structured::group_event(lang, &group, next, &origin)),
        calendar_href: format!("/study-groups/{}/calendar.ics", group.id),
        list_href: lang.localize("/study-groups"),
        contact_href: matches!(group.status, GroupStatus::Active | GroupStatus::Paused)
            .then(|| lang.localize(&format!("/study-groups/{}/contact", group.id))),
        card,
        page,
    })))
}
