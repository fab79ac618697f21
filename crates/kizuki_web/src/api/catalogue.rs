//! Trainings, study groups and venues in the JSON API. Reading is public (drafts and groups
//! awaiting approval only for organisers); writing needs an organiser's token, except that a
//! study-group host may propose a group and edit the groups they host.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use jiff::civil::{Date, Time};
use kizuki_domain::catalogue::{
    AccessibilityFeature, GroupStatus, TrainingDay, TrainingDraft, TrainingKind, TrainingStatus,
    check_training,
};
use kizuki_domain::recurrence::{Pattern, Recurrence, hhmm};
use kizuki_domain::{Access, Permission, text};
use kizuki_i18n::Lang;
use kizuki_store::{
    StudyGroup, StudyGroupFilter, StudyGroupInput, Training, TrainingFilter, TrainingInput, Venue,
    VenueInput, When,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::clean_json::CleanJson;
use super::{ErrorBody, FieldMistake, invalid};
use crate::catalogue::{Area, today};
use crate::context::{CurrentUser, RequestContext};
use crate::error::AppError;
use crate::state::AppState;
use crate::structured;

const MAX_PER_PAGE: i64 = 100;

fn is_organiser(context: &RequestContext) -> bool {
    Permission::ManageEvents.check(context.role()) == Access::Granted
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// A region (`kanto`, `kyushu-okinawa`, …) or a prefecture code (`01`–`47`).
    #[serde(default)]
    area: Option<String>,
    /// basic, five_day, advanced, facilitator or lecture.
    #[serde(default)]
    kind: Option<String>,
    /// `YYYY-MM`: trainings with a day in that month.
    #[serde(default)]
    month: Option<String>,
    /// upcoming (default), past or all.
    #[serde(default)]
    when: Option<String>,
    /// `1` for online only.
    #[serde(default)]
    online: Option<String>,
    #[serde(default)]
    page: Option<i64>,
    #[serde(default)]
    per_page: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct Page<T> {
    items: Vec<T>,
    total: i64,
    page: i64,
    per_page: i64,
}

#[derive(Serialize, Deserialize, ToSchema, Clone)]
pub struct DayJson {
    /// `YYYY-MM-DD`, in Japan.
    date: String,
    /// `HH:MM`, Japan time.
    start: String,
    end: String,
}

#[derive(Serialize, ToSchema)]
pub struct VenueJson {
    id: i64,
    online: bool,
    name: String,
    name_en: String,
    address: String,
    /// JIS code, 1–47; absent for online venues.
    prefecture_code: Option<u8>,
    municipality: String,
    latitude: Option<f64>,
    longitude: Option<f64>,
    access_notes: String,
    access_notes_en: String,
    /// step_free, accessible_toilet, hearing_loop, quiet_room, nursery, parking.
    accessibility: Vec<String>,
    accessibility_notes: String,
    accessibility_notes_en: String,
}

#[derive(Serialize, ToSchema)]
pub struct PersonJson {
    id: i64,
    name: String,
    name_en: String,
}

#[derive(Serialize, ToSchema)]
pub struct TrainingJson {
    id: i64,
    url: String,
    title: String,
    title_en: String,
    /// Markdown.
    description: String,
    description_en: String,
    kind: String,
    status: String,
    venue: Option<VenueJson>,
    language_note: String,
    language_note_en: String,
    fee_yen: Option<i64>,
    fee_note: String,
    fee_note_en: String,
    capacity: Option<i64>,
    applications_open_on: Option<String>,
    applications_close_on: Option<String>,
    programme_version: String,
    attendance_count: Option<i64>,
    days: Vec<DayJson>,
    facilitators: Vec<PersonJson>,
    /// On a single training: seats taken (held and confirmed) and people waiting.
    #[serde(skip_serializing_if = "Option::is_none")]
    seats: Option<SeatsJson>,
}

#[derive(Serialize, ToSchema)]
pub struct SeatsJson {
    capacity: i64,
    taken: i64,
    waitlisted: i64,
}

#[derive(Serialize, ToSchema)]
pub struct GroupJson {
    id: i64,
    url: String,
    name: String,
    name_en: String,
    description: String,
    description_en: String,
    venue: Option<VenueJson>,
    host_name: String,
    host_name_en: String,
    /// In Japanese, e.g. 毎月第2土曜 14:00–16:00.
    schedule: String,
    schedule_en: String,
    /// RFC 5545 RRULE value, e.g. FREQ=MONTHLY;BYDAY=2SA.
    rrule: String,
    start: String,
    end: String,
    first_meeting_on: String,
    contact_note: String,
    contact_note_en: String,
    status: String,
}

fn venue_json(venue: &Venue) -> VenueJson {
    VenueJson {
        id: venue.id,
        online: venue.is_online,
        name: venue.name.clone(),
        name_en: venue.name_en.clone(),
        address: venue.address.clone(),
        prefecture_code: venue.prefecture_code,
        municipality: venue.municipality.clone(),
        latitude: venue.position.map(|(lat, _)| lat),
        longitude: venue.position.map(|(_, lon)| lon),
        access_notes: venue.access_notes.clone(),
        access_notes_en: venue.access_notes_en.clone(),
        accessibility: venue
            .accessibility
            .iter()
            .map(|f| f.as_str().to_owned())
            .collect(),
        accessibility_notes: venue.accessibility_notes.clone(),
        accessibility_notes_en: venue.accessibility_notes_en.clone(),
    }
}

fn training_json(training: &Training, origin: &str) -> TrainingJson {
    TrainingJson {
        id: training.id,
        url: format!("{origin}/trainings/{}", training.id),
        title: training.title.clone(),
        title_en: training.title_en.clone(),
        description: training.description.clone(),
        description_en: training.description_en.clone(),
        kind: training.kind.as_str().to_owned(),
        status: training.status.as_str().to_owned(),
        venue: training.venue.as_ref().map(venue_json),
        language_note: training.language_note.clone(),
        language_note_en: training.language_note_en.clone(),
        fee_yen: training.fee_yen,
        fee_note: training.fee_note.clone(),
        fee_note_en: training.fee_note_en.clone(),
        capacity: training.capacity,
        applications_open_on: training.applications_open_on.map(|d| d.to_string()),
        applications_close_on: training.applications_close_on.map(|d| d.to_string()),
        programme_version: training.programme_version.clone(),
        attendance_count: training.attendance_count,
        days: training
            .days
            .iter()
            .map(|day| DayJson {
                date: day.date.to_string(),
                start: hhmm(day.start),
                end: hhmm(day.end),
            })
            .collect(),
        facilitators: training
            .facilitators
            .iter()
            .map(|p| PersonJson {
                id: p.id,
                name: p.name.clone(),
                name_en: p.name_en.clone(),
            })
            .collect(),
        seats: None,
    }
}

fn group_json(group: &StudyGroup, origin: &str) -> GroupJson {
    GroupJson {
        id: group.id,
        url: format!("{origin}/study-groups/{}", group.id),
        name: group.name.clone(),
        name_en: group.name_en.clone(),
        description: group.description.clone(),
        description_en: group.description_en.clone(),
        venue: group.venue.as_ref().map(venue_json),
        host_name: group.host_name.clone(),
        host_name_en: group.host_name_en.clone(),
        schedule: group.recurrence.describe_ja(),
        schedule_en: group.recurrence.describe_en(),
        rrule: group.recurrence.pattern.rrule(),
        start: hhmm(group.recurrence.start),
        end: hhmm(group.recurrence.end),
        first_meeting_on: group.first_meeting_on.to_string(),
        contact_note: group.contact_note.clone(),
        contact_note_en: group.contact_note_en.clone(),
        status: group.status.as_str().to_owned(),
    }
}

/// Where a page starts; a page far past the end (up to `i64::MAX`) is simply empty.
fn offset_of(page: i64, per_page: i64) -> i64 {
    (page - 1).saturating_mul(per_page)
}

fn paging(params: &ListParams) -> (i64, i64) {
    let per_page = params.per_page.unwrap_or(20).clamp(1, MAX_PER_PAGE);
    let page = params.page.unwrap_or(1).max(1);
    (page, per_page)
}

fn parse_id(id: &str) -> Result<i64, AppError> {
    id.parse().map_err(|_| AppError::NotFound)
}

/// Lists trainings, newest first unless `when=upcoming`.
#[utoipa::path(get, path = "/api/v1/trainings", tag = "catalogue", params(ListParams),
    responses((status = 200, description = "One page of trainings", body = Page<TrainingJson>)))]
pub async fn list_trainings(
    State(state): State<AppState>,
    context: RequestContext,
    headers: HeaderMap,
    Query(params): Query<ListParams>,
) -> Result<Response, AppError> {
    let (page, per_page) = paging(&params);
    let month = params.month.as_deref().and_then(|text| {
        let (year, month) = text.split_once('-')?;
        Some((year.parse().ok()?, month.parse().ok()?))
    });
    let filter = TrainingFilter {
        prefectures: params
            .area
            .as_deref()
            .map(Area::parse)
            .map(Area::prefecture_codes)
            .unwrap_or_default(),
        kind: params.kind.as_deref().and_then(|kind| kind.parse().ok()),
        month,
        online_only: params.online.as_deref() == Some("1"),
        when: match params.when.as_deref() {
            Some("past") => When::Past,
            Some("all") => When::All,
            _ => When::Upcoming,
        },
        today: Some(today(state.now())),
        include_drafts: is_organiser(&context),
        offset: offset_of(page, per_page),
        limit: per_page,
        ..TrainingFilter::default()
    };
    let (trainings, total) = state.store().trainings(&filter).await?;
    let origin = structured::origin(&headers, context.https);
    let items = trainings
        .iter()
        .map(|training| training_json(training, &origin))
        .collect();
    Ok(Json(Page {
        items,
        total,
        page,
        per_page,
    })
    .into_response())
}

#[utoipa::path(get, path = "/api/v1/trainings/{id}", tag = "catalogue",
    params(("id" = i64, Path, description = "Training id")),
    responses((status = 200, body = TrainingJson), (status = 404, body = ErrorBody)))]
pub async fn get_training(
    State(state): State<AppState>,
    context: RequestContext,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let training = state.store().training(parse_id(&id)?).await?;
    if !training.status.is_public() && !is_organiser(&context) {
        return Err(AppError::NotFound);
    }
    let mut json = training_json(&training, &structured::origin(&headers, context.https));
    let seats = state.store().seats(training.id, state.now()).await?;
    json.seats = Some(SeatsJson {
        capacity: seats.capacity,
        taken: seats.taken,
        waitlisted: seats.waitlisted,
    });
    Ok(Json(json).into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct TrainingBody {
    title: String,
    #[serde(default)]
    title_en: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    description_en: String,
    kind: String,
    /// draft (default), published, application_open, application_closed, held, cancelled.
    #[serde(default)]
    status: Option<String>,
    venue_id: Option<i64>,
    #[serde(default)]
    language_note: String,
    #[serde(default)]
    language_note_en: String,
    fee_yen: Option<i64>,
    #[serde(default)]
    fee_note: String,
    #[serde(default)]
    fee_note_en: String,
    capacity: Option<i64>,
    applications_open_on: Option<String>,
    applications_close_on: Option<String>,
    #[serde(default)]
    programme_version: String,
    attendance_count: Option<i64>,
    days: Vec<DayJson>,
    #[serde(default)]
    facilitator_ids: Vec<i64>,
}

fn mistake(field: &str, message: &str) -> FieldMistake {
    FieldMistake {
        field: field.to_owned(),
        message: message.to_owned(),
    }
}

fn parse_date_field(
    field: &str,
    value: Option<&str>,
    mistakes: &mut Vec<FieldMistake>,
) -> Option<Date> {
    let value = value?.trim();
    match value.parse() {
        Ok(date) => Some(date),
        Err(_) => {
            mistakes.push(mistake(field, "expected a date as YYYY-MM-DD"));
            None
        }
    }
}

fn parse_time_field(field: &str, value: &str, mistakes: &mut Vec<FieldMistake>) -> Option<Time> {
    match Time::strptime("%H:%M", value.trim()) {
        Ok(time) => Some(time),
        Err(_) => {
            mistakes.push(mistake(field, "expected a time as HH:MM"));
            None
        }
    }
}

/// Checks a training body; the parsed days come back with the mistakes found.
async fn read_training_body(
    state: &AppState,
    body: &TrainingBody,
) -> Result<(Vec<TrainingDay>, TrainingKind, TrainingStatus), Vec<FieldMistake>> {
    let mut mistakes = Vec::new();
    let kind = body.kind.parse::<TrainingKind>().map_err(|_| {
        mistake(
            "kind",
            "expected basic, five_day, advanced, facilitator or lecture",
        )
    });
    let status = body
        .status
        .as_deref()
        .unwrap_or("draft")
        .parse::<TrainingStatus>()
        .map_err(|_| mistake("status", "unknown status"));
    let mut days = Vec::new();
    for (index, day) in body.days.iter().enumerate() {
        let date = parse_date_field(
            &format!("days[{index}].date"),
            Some(&day.date),
            &mut mistakes,
        );
        let start = parse_time_field(&format!("days[{index}].start"), &day.start, &mut mistakes);
        let end = parse_time_field(&format!("days[{index}].end"), &day.end, &mut mistakes);
        if let (Some(date), Some(start), Some(end)) = (date, start, end) {
            days.push(TrainingDay { date, start, end });
        }
    }
    days.sort_by_key(|day| day.date);
    let open = parse_date_field(
        "applications_open_on",
        body.applications_open_on.as_deref(),
        &mut mistakes,
    );
    let close = parse_date_field(
        "applications_close_on",
        body.applications_close_on.as_deref(),
        &mut mistakes,
    );
    let title = text::normalize_line(&body.title);
    for error in check_training(&TrainingDraft {
        title: &title,
        days: &days,
        capacity: body.capacity,
        fee_yen: body.fee_yen,
        applications_open: open,
        applications_close: close,
    }) {
        mistakes.push(mistake(
            error.field,
            kizuki_i18n::text(Lang::En, error.message),
        ));
    }
    if let Some(venue_id) = body.venue_id
        && state.store().venue(venue_id).await.is_err()
    {
        mistakes.push(mistake("venue_id", "no venue has this id"));
    }
    match (kind, status) {
        (Ok(kind), Ok(status)) if mistakes.is_empty() => Ok((days, kind, status)),
        (kind, status) => {
            mistakes.extend(kind.err());
            mistakes.extend(status.err());
            Err(mistakes)
        }
    }
}

fn training_input<'a>(
    body: &'a TrainingBody,
    days: &'a [TrainingDay],
    kind: TrainingKind,
    status: TrainingStatus,
    title: &'a str,
) -> TrainingInput<'a> {
    TrainingInput {
        title,
        title_en: body.title_en.trim(),
        description: &body.description,
        description_en: &body.description_en,
        kind,
        status,
        venue_id: body.venue_id,
        language_note: &body.language_note,
        language_note_en: &body.language_note_en,
        fee_yen: body.fee_yen,
        fee_note: &body.fee_note,
        fee_note_en: &body.fee_note_en,
        capacity: body.capacity,
        applications_open_on: body
            .applications_open_on
            .as_deref()
            .and_then(|d| d.trim().parse().ok()),
        applications_close_on: body
            .applications_close_on
            .as_deref()
            .and_then(|d| d.trim().parse().ok()),
        programme_version: &body.programme_version,
        attendance_count: body.attendance_count,
        days,
        facilitator_ids: &body.facilitator_ids,
    }
}

#[utoipa::path(post, path = "/api/v1/trainings", tag = "catalogue", security(("bearer" = [])), request_body = TrainingBody,
    responses((status = 201, body = TrainingJson), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create_training(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    headers: HeaderMap,
    CleanJson(body): CleanJson<TrainingBody>,
) -> Result<Response, AppError> {
    let (days, kind, status) = match read_training_body(&state, &body).await {
        Ok(parsed) => parsed,
        Err(mistakes) => return Ok(invalid(mistakes)),
    };
    let title = text::normalize_line(&body.title);
    let id = state
        .store()
        .create_training(
            &training_input(&body, &days, kind, status, &title),
            Some(user.id),
            state.now(),
        )
        .await?;
    let training = state.store().training(id).await?;
    let json = training_json(&training, &structured::origin(&headers, context.https));
    Ok((StatusCode::CREATED, Json(json)).into_response())
}

#[utoipa::path(put, path = "/api/v1/trainings/{id}", tag = "catalogue", security(("bearer" = [])), request_body = TrainingBody,
    params(("id" = i64, Path, description = "Training id")),
    responses((status = 200, body = TrainingJson), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_training(
    State(state): State<AppState>,
    context: RequestContext,
    headers: HeaderMap,
    Path(id): Path<String>,
    CleanJson(body): CleanJson<TrainingBody>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    state.store().training(id).await?;
    let (days, kind, status) = match read_training_body(&state, &body).await {
        Ok(parsed) => parsed,
        Err(mistakes) => return Ok(invalid(mistakes)),
    };
    let title = text::normalize_line(&body.title);
    state
        .store()
        .update_training(
            id,
            &training_input(&body, &days, kind, status, &title),
            state.now(),
        )
        .await?;
    let training = state.store().training(id).await?;
    Ok(Json(training_json(
        &training,
        &structured::origin(&headers, context.https),
    ))
    .into_response())
}

#[utoipa::path(delete, path = "/api/v1/trainings/{id}", tag = "catalogue", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Training id")),
    responses((status = 204, description = "Deleted"), (status = 404, body = ErrorBody)))]
pub async fn delete_training(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    state.store().delete_training(parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Lists public study groups (organisers also see groups awaiting approval).
#[utoipa::path(get, path = "/api/v1/study-groups", tag = "catalogue", params(ListParams),
    responses((status = 200, description = "One page of study groups", body = Page<GroupJson>)))]
pub async fn list_groups(
    State(state): State<AppState>,
    context: RequestContext,
    headers: HeaderMap,
    Query(params): Query<ListParams>,
) -> Result<Response, AppError> {
    let (page, per_page) = paging(&params);
    let mut statuses = vec![GroupStatus::Active, GroupStatus::Paused, GroupStatus::Ended];
    if is_organiser(&context) {
        statuses.push(GroupStatus::PendingApproval);
    }
    let (groups, total) = state
        .store()
        .study_groups(&StudyGroupFilter {
            prefectures: params
                .area
                .as_deref()
                .map(Area::parse)
                .map(Area::prefecture_codes)
                .unwrap_or_default(),
            online_only: params.online.as_deref() == Some("1"),
            statuses,
            offset: offset_of(page, per_page),
            limit: per_page,
            ..StudyGroupFilter::default()
        })
        .await?;
    let origin = structured::origin(&headers, context.https);
    let items = groups
        .iter()
        .map(|group| group_json(group, &origin))
        .collect();
    Ok(Json(Page {
        items,
        total,
        page,
        per_page,
    })
    .into_response())
}

#[utoipa::path(get, path = "/api/v1/study-groups/{id}", tag = "catalogue",
    params(("id" = i64, Path, description = "Study group id")),
    responses((status = 200, body = GroupJson), (status = 404, body = ErrorBody)))]
pub async fn get_group(
    State(state): State<AppState>,
    context: RequestContext,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let group = state.store().study_group(parse_id(&id)?).await?;
    let hosts_it = context
        .user
        .as_ref()
        .is_some_and(|user| group.host_user_ids.contains(&user.id));
    if !group.status.is_public() && !is_organiser(&context) && !hosts_it {
        return Err(AppError::NotFound);
    }
    Ok(Json(group_json(
        &group,
        &structured::origin(&headers, context.https),
    ))
    .into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct GroupBody {
    name: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    description_en: String,
    venue_id: Option<i64>,
    #[serde(default)]
    host_name: String,
    #[serde(default)]
    host_name_en: String,
    /// When the group meets, in words (毎月第2土曜 14:00-16:00, "2nd Saturday of every month
    /// 14:00-16:00"), or leave empty and give `rrule`, `start` and `end`.
    #[serde(default)]
    schedule: String,
    #[serde(default)]
    rrule: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    end: String,
    first_meeting_on: String,
    #[serde(default)]
    contact_note: String,
    #[serde(default)]
    contact_note_en: String,
    /// active, paused or ended; a host's new group always waits for approval.
    #[serde(default)]
    status: Option<String>,
    /// Accounts that may edit the group (organisers only).
    #[serde(default)]
    host_user_ids: Vec<i64>,
}

async fn read_group_body(
    state: &AppState,
    body: &GroupBody,
) -> Result<(Recurrence, Date, Option<GroupStatus>), Vec<FieldMistake>> {
    let mut mistakes = Vec::new();
    let name = text::normalize_line(&body.name);
    if name.is_empty() || name.chars().count() > 200 {
        mistakes.push(mistake("name", "give a name of 1 to 200 characters"));
    }
    let recurrence = if body.schedule.trim().is_empty() {
        let pattern =
            Pattern::parse_rrule(&body.rrule).map_err(|error| mistake("rrule", &error.to_string()));
        let start = parse_time_field("start", &body.start, &mut mistakes);
        let end = parse_time_field("end", &body.end, &mut mistakes);
        match (pattern, start, end) {
            (Ok(pattern), Some(start), Some(end)) => Recurrence::new(pattern, start, end)
                .map_err(|error| mistakes.push(mistake("end", &error.to_string())))
                .ok(),
            (Err(error), _, _) => {
                mistakes.push(error);
                None
            }
            _ => None,
        }
    } else {
        Recurrence::parse_words(&body.schedule)
            .map_err(|error| mistakes.push(mistake("schedule", &error.to_string())))
            .ok()
    };
    let first = parse_date_field(
        "first_meeting_on",
        Some(&body.first_meeting_on),
        &mut mistakes,
    );
    let status = match body.status.as_deref() {
        None => None,
        Some(text) => match text.parse::<GroupStatus>() {
            Ok(status) => Some(status),
            Err(_) => {
                mistakes.push(mistake("status", "expected active, paused or ended"));
                None
            }
        },
    };
    if let Some(venue_id) = body.venue_id
        && state.store().venue(venue_id).await.is_err()
    {
        mistakes.push(mistake("venue_id", "no venue has this id"));
    }
    match (recurrence, first) {
        (Some(recurrence), Some(first)) if mistakes.is_empty() => Ok((recurrence, first, status)),
        _ => Err(mistakes),
    }
}

fn group_input<'a>(
    body: &'a GroupBody,
    name: &'a str,
    recurrence: Recurrence,
    first: Date,
    status: GroupStatus,
    hosts: &'a [i64],
) -> StudyGroupInput<'a> {
    StudyGroupInput {
        name,
        name_en: body.name_en.trim(),
        description: &body.description,
        description_en: &body.description_en,
        venue_id: body.venue_id,
        host_name: &body.host_name,
        host_name_en: &body.host_name_en,
        recurrence,
        first_meeting_on: first,
        contact_note: &body.contact_note,
        contact_note_en: &body.contact_note_en,
        status,
        host_user_ids: hosts,
    }
}

/// Organisers add groups directly; anyone else signed in proposes one, which waits for an
/// organiser's approval and lists them as its host.
#[utoipa::path(post, path = "/api/v1/study-groups", tag = "catalogue", security(("bearer" = [])), request_body = GroupBody,
    responses((status = 201, body = GroupJson), (status = 422, body = ErrorBody)))]
pub async fn create_group(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    headers: HeaderMap,
    CleanJson(body): CleanJson<GroupBody>,
) -> Result<Response, AppError> {
    let (recurrence, first, status) = match read_group_body(&state, &body).await {
        Ok(parsed) => parsed,
        Err(mistakes) => return Ok(invalid(mistakes)),
    };
    let organiser = is_organiser(&context);
    let status = if organiser {
        status.unwrap_or(GroupStatus::Active)
    } else {
        GroupStatus::PendingApproval
    };
    let hosts = if organiser {
        body.host_user_ids.clone()
    } else {
        vec![user.id]
    };
    let name = text::normalize_line(&body.name);
    let id = state
        .store()
        .create_study_group(
            &group_input(&body, &name, recurrence, first, status, &hosts),
            Some(user.id),
            state.now(),
        )
        .await?;
    let group = state.store().study_group(id).await?;
    Ok((
        StatusCode::CREATED,
        Json(group_json(
            &group,
            &structured::origin(&headers, context.https),
        )),
    )
        .into_response())
}

/// Organisers edit any group; a host edits the groups they host (but cannot approve them or
/// change who hosts them).
#[utoipa::path(put, path = "/api/v1/study-groups/{id}", tag = "catalogue", security(("bearer" = [])), request_body = GroupBody,
    params(("id" = i64, Path, description = "Study group id")),
    responses((status = 200, body = GroupJson), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_group(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    headers: HeaderMap,
    Path(id): Path<String>,
    // Read only once the caller may change this group: whoever may not is refused as such,
    // whatever they sent.
    body: Result<CleanJson<GroupBody>, Response>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let existing = state.store().study_group(id).await?;
    let organiser = is_organiser(&context);
    if !organiser && !existing.host_user_ids.contains(&user.id) {
        return Err(AppError::Forbidden);
    }
    let body = match body {
        Ok(CleanJson(body)) => body,
        Err(rejection) => return Ok(rejection),
    };
    let (recurrence, first, status) = match read_group_body(&state, &body).await {
        Ok(parsed) => parsed,
        Err(mistakes) => return Ok(invalid(mistakes)),
    };
    let status = match (organiser, existing.status, status) {
        (true, _, Some(status)) => status,
        // A host may pause, resume or end an approved group, never approve their own.
        (false, GroupStatus::PendingApproval, _) => GroupStatus::PendingApproval,
        (false, _, Some(status)) => status,
        (_, current, None) => current,
    };
    let hosts = if organiser {
        body.host_user_ids.clone()
    } else {
        existing.host_user_ids.clone()
    };
    let name = text::normalize_line(&body.name);
    state
        .store()
        .update_study_group(
            id,
            &group_input(&body, &name, recurrence, first, status, &hosts),
            state.now(),
        )
        .await?;
    let group = state.store().study_group(id).await?;
    Ok(Json(group_json(
        &group,
        &structured::origin(&headers, context.https),
    ))
    .into_response())
}

#[utoipa::path(delete, path = "/api/v1/study-groups/{id}", tag = "catalogue", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Study group id")),
    responses((status = 204, description = "Deleted"), (status = 404, body = ErrorBody)))]
pub async fn delete_group(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    state.store().delete_study_group(parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(get, path = "/api/v1/venues", tag = "catalogue",
    responses((status = 200, description = "All venues", body = Vec<VenueJson>)))]
pub async fn list_venues(State(state): State<AppState>) -> Result<Response, AppError> {
    let venues = state.store().venues().await?;
    Ok(Json(venues.iter().map(venue_json).collect::<Vec<_>>()).into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct VenueBody {
    #[serde(default)]
    online: bool,
    name: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    address: String,
    /// JIS code 1–47, or a prefecture's name; required unless online.
    #[serde(default)]
    prefecture: Option<String>,
    #[serde(default)]
    municipality: String,
    /// Taken from the bundled municipality positions when left out.
    latitude: Option<f64>,
    longitude: Option<f64>,
    #[serde(default)]
    access_notes: String,
    #[serde(default)]
    access_notes_en: String,
    #[serde(default)]
    accessibility: Vec<String>,
    #[serde(default)]
    accessibility_notes: String,
    #[serde(default)]
    accessibility_notes_en: String,
}

/// (prefecture code, position, accessibility features) read from a venue body.
type ParsedVenue = (Option<u8>, Option<(f64, f64)>, Vec<AccessibilityFeature>);

fn read_venue_body(body: &VenueBody) -> Result<ParsedVenue, Vec<FieldMistake>> {
    let mut mistakes = Vec::new();
    if text::normalize_line(&body.name).is_empty() {
        mistakes.push(mistake("name", "give the venue a name"));
    }
    let prefecture = match body
        .prefecture
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        Some(text) => match kizuki_geo::prefecture_by_name(text) {
            Some(prefecture) => Some(prefecture.code),
            None => {
                mistakes.push(mistake(
                    "prefecture",
                    "expected a JIS code 1-47 or a prefecture's name",
                ));
                None
            }
        },
        None if !body.online => {
            mistakes.push(mistake(
                "prefecture",
                "a venue that is not online needs a prefecture",
            ));
            None
        }
        None => None,
    };
    let position = match (body.latitude, body.longitude) {
        (Some(lat), Some(lon))
            if (20.0..=46.0).contains(&lat) && (122.0..=154.0).contains(&lon) =>
        {
            Some((lat, lon))
        }
        (Some(_), Some(_)) => {
            mistakes.push(mistake("latitude", "the coordinates are not in Japan"));
            None
        }
        (None, None) => prefecture
            .and_then(|code| kizuki_geo::locate(code, &body.municipality))
            .map(|p| (p.lat, p.lon)),
        _ => {
            mistakes.push(mistake(
                "longitude",
                "give both latitude and longitude, or neither",
            ));
            None
        }
    };
    let mut features = Vec::new();
    for name in &body.accessibility {
        match name.parse() {
            Ok(feature) => features.push(feature),
            Err(_) => mistakes.push(mistake(
                "accessibility",
                &format!("unknown feature {name:?}"),
            )),
        }
    }
    if mistakes.is_empty() {
        Ok((prefecture, position, features))
    } else {
        Err(mistakes)
    }
}

fn venue_input<'a>(
    body: &'a VenueBody,
    prefecture: Option<u8>,
    position: Option<(f64, f64)>,
    features: &'a [AccessibilityFeature],
) -> VenueInput<'a> {
    VenueInput {
        is_online: body.online,
        name: body.name.trim(),
        name_en: body.name_en.trim(),
        address: body.address.trim(),
        prefecture_code: prefecture,
        municipality: body.municipality.trim(),
        position,
        access_notes: &body.access_notes,
        access_notes_en: &body.access_notes_en,
        accessibility: features,
        accessibility_notes: &body.accessibility_notes,
        accessibility_notes_en: &body.accessibility_notes_en,
    }
}

#[utoipa::path(post, path = "/api/v1/venues", tag = "catalogue", security(("bearer" = [])), request_body = VenueBody,
    responses((status = 201, body = VenueJson), (status = 422, body = ErrorBody)))]
pub async fn create_venue(
    State(state): State<AppState>,
    CleanJson(body): CleanJson<VenueBody>,
) -> Result<Response, AppError> {
    let (prefecture, position, features) = match read_venue_body(&body) {
        Ok(parsed) => parsed,
        Err(mistakes) => return Ok(invalid(mistakes)),
    };
    let id = state
        .store()
        .create_venue(
            &venue_input(&body, prefecture, position, &features),
            state.now(),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(venue_json(&state.store().venue(id).await?)),
    )
        .into_response())
}

#[utoipa::path(put, path = "/api/v1/venues/{id}", tag = "catalogue", security(("bearer" = [])), request_body = VenueBody,
    params(("id" = i64, Path, description = "Venue id")),
    responses((status = 200, body = VenueJson), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_venue(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CleanJson(body): CleanJson<VenueBody>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let (prefecture, position, features) = match read_venue_body(&body) {
        Ok(parsed) => parsed,
        Err(mistakes) => return Ok(invalid(mistakes)),
    };
    state
        .store()
        .update_venue(
            id,
            &venue_input(&body, prefecture, position, &features),
            state.now(),
        )
        .await?;
    Ok(Json(venue_json(&state.store().venue(id).await?)).into_response())
}

#[utoipa::path(delete, path = "/api/v1/venues/{id}", tag = "catalogue", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Venue id")),
    responses((status = 204, description = "Deleted"), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn delete_venue(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    match state.store().delete_venue(parse_id(&id)?).await {
        Ok(()) => Ok(StatusCode::NO_CONTENT.into_response()),
        Err(kizuki_store::StoreError::Conflict(_)) => Ok(crate::error::api_error(
            crate::error::ErrorKind::Conflict,
            "Trainings or study groups still use this venue.",
        )),
        Err(other) => Err(other.into()),
    }
}
