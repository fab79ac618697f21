//! Study groups in the workspace: organisers approve and edit any group; a host proposes groups
//! and keeps their own group's details and meeting dates current.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::civil::{Date, Time};
use kizuki_domain::catalogue::GroupStatus;
use kizuki_domain::recurrence::{Change, Recurrence};
use kizuki_domain::{Access, Permission, text};
use kizuki_store::{MeetingChange, StudyGroup, StudyGroupFilter, StudyGroupInput, User};
use serde::Deserialize;

use super::{Choice, FormErrors};
use crate::context::{CurrentUser, RequestContext};
use crate::error::AppError;
use crate::format::{self, Localized};
use crate::forms::{CleanForm, redirect_with_flash, with_status};
use crate::pages::catalogue::{
    group_status_label, place_words, schedule_words, today, upcoming_meetings,
};
use crate::state::AppState;
use crate::views::{self, Chrome};

fn is_organiser(user: &User) -> bool {
    Permission::ManageEvents.check(Some(user.role)) == Access::Granted
}

/// The group, if this person may edit it.
pub(super) async fn editable(
    state: &AppState,
    user: &User,
    id: &str,
) -> Result<StudyGroup, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let group = state.store().study_group(id).await?;
    if is_organiser(user) || group.host_user_ids.contains(&user.id) {
        Ok(group)
    } else {
        Err(AppError::Forbidden)
    }
}

pub struct Row {
    pub edit_href: String,
    pub approve_action: Option<String>,
    pub name: Localized,
    pub schedule: String,
    pub place: String,
    pub status: &'static str,
    pub status_class: &'static str,
}

#[derive(Template)]
#[template(path = "manage/groups.html")]
pub struct IndexView {
    pub page: Chrome,
    pub rows: Vec<Row>,
    pub organiser: bool,
}

pub async fn index(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
) -> Result<Response, AppError> {
    let lang = context.lang;
    let organiser = is_organiser(&user);
    let filter = StudyGroupFilter {
        hosted_by: (!organiser).then_some(user.id),
        limit: 500,
        ..StudyGroupFilter::default()
    };
    let (groups, _) = state.store().study_groups(&filter).await?;
    Ok(views::render(&IndexView {
        page: Chrome::new(&state, &context, "manage.groups.title"),
        rows: groups
            .iter()
            .map(|group| Row {
                edit_href: lang.localize(&format!("/manage/study-groups/{}/edit", group.id)),
                approve_action: (organiser && group.status == GroupStatus::PendingApproval)
                    .then(|| lang.localize(&format!("/manage/study-groups/{}/approve", group.id))),
                name: Localized::pick(lang, &group.name, &group.name_en),
                schedule: schedule_words(lang, group),
                place: place_words(lang, group.venue.as_ref()),
                status: group_status_label(lang, group.status),
                status_class: group.status.as_str(),
            })
            .collect(),
        organiser,
    }))
}

pub struct MeetingRow {
    pub original: String,
    pub label: String,
    pub cancelled: bool,
    pub moved: bool,
}

#[derive(Template)]
#[template(path = "manage/group_form.html")]
pub struct FormView {
    pub page: Chrome,
    pub action: String,
    pub fields: HashMap<String, String>,
    pub errors: FormErrors,
    pub venues: Vec<Choice>,
    pub statuses: Vec<Choice>,
    pub meetings: Vec<MeetingRow>,
    pub meetings_action: Option<String>,
    pub public_href: Option<String>,
    /// The group's messages page, with how many wait unread and how many there are.
    pub messages: Option<(String, i64, i64)>,
}

impl FormView {
    pub fn value(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }
}

fn fields_of(group: &StudyGroup) -> HashMap<String, String> {
    [
        ("name", group.name.clone()),
        ("name_en", group.name_en.clone()),
        ("description", group.description.clone()),
        ("description_en", group.description_en.clone()),
        (
            "venue_id",
            group
                .venue
                .as_ref()
                .map(|v| v.id.to_string())
                .unwrap_or_default(),
        ),
        ("host_name", group.host_name.clone()),
        ("host_name_en", group.host_name_en.clone()),
        ("schedule", group.recurrence.describe_ja()),
        ("first_meeting_on", group.first_meeting_on.to_string()),
        ("contact_note", group.contact_note.clone()),
        ("contact_note_en", group.contact_note_en.clone()),
        ("status", group.status.as_str().to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

async fn view(
    state: &AppState,
    context: &RequestContext,
    user: &User,
    group: Option<&StudyGroup>,
    fields: HashMap<String, String>,
    errors: FormErrors,
) -> Result<FormView, AppError> {
    let lang = context.lang;
    let venues = state.store().venues().await?;
    let selected_venue = fields.get("venue_id").cloned().unwrap_or_default();
    let selected_status = fields.get("status").cloned().unwrap_or_default();
    let statuses: Vec<GroupStatus> = if is_organiser(user) {
        GroupStatus::ALL.to_vec()
    } else if group.is_none_or(|g| g.status == GroupStatus::PendingApproval) {
        vec![GroupStatus::PendingApproval]
    } else {
        vec![GroupStatus::Active, GroupStatus::Paused, GroupStatus::Ended]
    };
    let today = today(state.now());
    let messages = match group {
        Some(group) => {
            let (unread, total) = state.store().group_message_counts(group.id).await?;
            Some((
                context.href(&format!("/manage/study-groups/{}/messages", group.id)),
                unread,
                total,
            ))
        }
        None => None,
    };
    Ok(FormView {
        messages,
        page: Chrome::new(
            state,
            context,
            if group.is_some() {
                "manage.groups.edit"
            } else {
                "manage.groups.new"
            },
        ),
        action: group.map_or_else(
            || context.href("/manage/study-groups"),
            |g| context.href(&format!("/manage/study-groups/{}", g.id)),
        ),
        venues: venues
            .iter()
            .map(|v| Choice {
                value: v.id.to_string(),
                label: format!(
                    "{}（{}）",
                    Localized::pick(lang, &v.name, &v.name_en).text,
                    place_words(lang, Some(v))
                ),
                selected: v.id.to_string() == selected_venue,
            })
            .collect(),
        statuses: statuses
            .iter()
            .map(|s| Choice {
                value: s.as_str().to_owned(),
                label: group_status_label(lang, *s).to_owned(),
                selected: s.as_str() == selected_status,
            })
            .collect(),
        meetings: group
            .map(|g| {
                upcoming_meetings(g, today, 120)
                    .iter()
                    .map(|m| MeetingRow {
                        original: m.original.to_string(),
                        label: format!(
                            "{} {}",
                            format::date(lang, m.date),
                            format::time_range(m.start, m.end)
                        ),
                        cancelled: m.cancelled,
                        moved: m.original != m.date,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        meetings_action: group
            .map(|g| context.href(&format!("/manage/study-groups/{}/meetings", g.id))),
        public_href: group
            .filter(|g| g.status.is_public())
            .map(|g| context.href(&format!("/study-groups/{}", g.id))),
        fields,
        errors,
    })
}

pub async fn new_form(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
) -> Result<Response, AppError> {
    let mut fields = HashMap::new();
    fields.insert(
        "status".to_owned(),
        if is_organiser(&user) {
            "active"
        } else {
            "pending_approval"
        }
        .to_owned(),
    );
    Ok(views::render(
        &view(&state, &context, &user, None, fields, FormErrors::default()).await?,
    ))
}

pub async fn edit_form(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let group = editable(&state, &user, &id).await?;
    Ok(views::render(
        &view(
            &state,
            &context,
            &user,
            Some(&group),
            fields_of(&group),
            FormErrors::default(),
        )
        .await?,
    ))
}

/// (name, recurrence, first meeting, venue id, state asked for) read from the form.
type ParsedGroup = (String, Recurrence, Date, Option<i64>, Option<GroupStatus>);

fn parse(
    context: &RequestContext,
    fields: &HashMap<String, String>,
    errors: &mut FormErrors,
) -> Option<ParsedGroup> {
    let lang = context.lang;
    let get = |name: &str| fields.get(name).map_or("", |v| v.trim());
    let name = text::normalize_line(get("name"));
    if name.is_empty() || name.chars().count() > 200 {
        errors.add(lang, "name", "manage.error.name");
    }
    let recurrence = Recurrence::parse_words(get("schedule"))
        .inspect_err(|_| errors.add(lang, "schedule", "manage.error.schedule"))
        .ok();
    let first = get("first_meeting_on")
        .parse::<Date>()
        .inspect_err(|_| {
            let label = kizuki_i18n::text(lang, "manage.field.first_meeting");
            let message = kizuki_i18n::format(lang, "manage.error.date", &[("field", label)]);
            errors.add_text("first_meeting_on", message);
        })
        .ok();
    let venue = match get("venue_id") {
        "" => None,
        id => id.parse().ok(),
    };
    let status = get("status").parse::<GroupStatus>().ok();
    match (recurrence, first, errors.is_empty()) {
        (Some(recurrence), Some(first), true) => Some((name, recurrence, first, venue, status)),
        _ => None,
    }
}

/// Who may set which state: only organisers approve; hosts move an approved group between
/// active, paused and ended.
fn allowed_status(
    user: &User,
    current: Option<GroupStatus>,
    wanted: Option<GroupStatus>,
) -> GroupStatus {
    match (is_organiser(user), current, wanted) {
        (true, _, Some(wanted)) => wanted,
        (true, None, None) => GroupStatus::Active,
        (_, None | Some(GroupStatus::PendingApproval), _) => GroupStatus::PendingApproval,
        (false, Some(_), Some(wanted)) if wanted != GroupStatus::PendingApproval => wanted,
        (_, Some(current), _) => current,
    }
}

pub async fn create(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    CleanForm(fields): CleanForm<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let mut errors = FormErrors::default();
    if let Some((name, recurrence, first, venue_id, status)) = parse(&context, &fields, &mut errors)
    {
        let get = |k: &str| fields.get(k).map_or("", |v| v.trim());
        let hosts = if is_organiser(&user) {
            Vec::new()
        } else {
            vec![user.id]
        };
        let input = StudyGroupInput {
            name: &name,
            name_en: get("name_en"),
            description: get("description"),
            description_en: get("description_en"),
            venue_id,
            host_name: get("host_name"),
            host_name_en: get("host_name_en"),
            recurrence,
            first_meeting_on: first,
            contact_note: get("contact_note"),
            contact_note_en: get("contact_note_en"),
            status: allowed_status(&user, None, status),
            host_user_ids: &hosts,
        };
        let id = state
            .store()
            .create_study_group(&input, Some(user.id), state.now())
            .await?;
        return Ok(redirect_with_flash(
            &context,
            &format!("/manage/study-groups/{id}/edit"),
            "flash.group_saved",
        ));
    }
    let page = views::render(&view(&state, &context, &user, None, fields, errors).await?);
    Ok(with_status(StatusCode::UNPROCESSABLE_ENTITY, page))
}

pub async fn update(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    CleanForm(fields): CleanForm<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let group = editable(&state, &user, &id).await?;
    let mut errors = FormErrors::default();
    if let Some((name, recurrence, first, venue_id, status)) = parse(&context, &fields, &mut errors)
    {
        let get = |k: &str| fields.get(k).map_or("", |v| v.trim());
        let input = StudyGroupInput {
            name: &name,
            name_en: get("name_en"),
            description: get("description"),
            description_en: get("description_en"),
            venue_id,
            host_name: get("host_name"),
            host_name_en: get("host_name_en"),
            recurrence,
            first_meeting_on: first,
            contact_note: get("contact_note"),
            contact_note_en: get("contact_note_en"),
            status: allowed_status(&user, Some(group.status), status),
            host_user_ids: &group.host_user_ids,
        };
        state
            .store()
            .update_study_group(group.id, &input, state.now())
            .await?;
        return Ok(redirect_with_flash(
            &context,
            &format!("/manage/study-groups/{}/edit", group.id),
            "flash.group_saved",
        ));
    }
    let page = views::render(&view(&state, &context, &user, Some(&group), fields, errors).await?);
    Ok(with_status(StatusCode::UNPROCESSABLE_ENTITY, page))
}

pub async fn approve(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    state
        .store()
        .approve_study_group(id, user.id, state.now())
        .await?;
    state
        .store()
        .record_audit(
            Some(user.id),
            "group_approved",
            &id.to_string(),
            "",
            state.now(),
        )
        .await?;
    Ok(redirect_with_flash(
        &context,
        "/manage/study-groups",
        "flash.group_approved",
    ))
}

#[derive(Deserialize)]
pub struct MeetingForm {
    #[serde(default)]
    original_on: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    moved_to: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    end: String,
    #[serde(default)]
    note: String,
}

/// Cancels, moves or restores one meeting.
pub async fn change_meeting(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    CleanForm(form): CleanForm<MeetingForm>,
) -> Result<Response, AppError> {
    let group = editable(&state, &user, &id).await?;
    let original: Date = form
        .original_on
        .trim()
        .parse()
        .map_err(|_| AppError::BadRequest)?;
    let edit = format!("/manage/study-groups/{}/edit", group.id);
    let change = match form.action.as_str() {
        "restore" => {
            state
                .store()
                .clear_meeting_change(group.id, original)
                .await?;
            return Ok(redirect_with_flash(
                &context,
                &edit,
                "flash.meeting_changed",
            ));
        }
        "cancel" => Change::Cancelled,
        "move" => {
            let moved = (
                form.moved_to.trim().parse::<Date>(),
                Time::strptime("%H:%M", form.start.trim())
                    .or(Ok::<Time, jiff::Error>(group.recurrence.start)),
                Time::strptime("%H:%M", form.end.trim())
                    .or(Ok::<Time, jiff::Error>(group.recurrence.end)),
            );
            match moved {
                (Ok(to), Ok(start), Ok(end)) if end > start => Change::Moved { to, start, end },
                _ => {
                    return Ok(redirect_with_flash(
                        &context,
                        &edit,
                        "flash.meeting_invalid",
                    ));
                }
            }
        }
        _ => return Err(AppError::BadRequest),
    };
    let note = text::normalize_line(&form.note);
    state
        .store()
        .set_meeting_change(
            group.id,
            &MeetingChange {
                original_on: original,
                change,
                note,
                note_en: String::new(),
            },
        )
        .await?;
    Ok(redirect_with_flash(
        &context,
        &edit,
        "flash.meeting_changed",
    ))
}
