//! Attendance per day, and a printable sign-in sheet with a column for each day.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use jiff::civil::Date;
use serde::Deserialize;

use crate::context::{CurrentUser, RequestContext};
use crate::error::AppError;
use crate::format::{self, Localized};
use crate::forms::{CleanForm, redirect_with_flash};
use crate::state::AppState;
use crate::views::{self, Chrome};

#[derive(Deserialize, Default)]
pub struct DayQuery {
    #[serde(default)]
    day: String,
}

pub struct DayTab {
    pub label: String,
    pub href: String,
    pub current: bool,
}

pub struct PersonRow {
    pub id: i64,
    pub name: String,
    pub furigana: String,
    pub present: bool,
    pub recorded: bool,
}

#[derive(Template)]
#[template(path = "manage/attendance.html")]
pub struct AttendanceView {
    pub page: Chrome,
    pub training_title: Localized,
    /// The whole roster, for organisers; a facilitator goes back to the participant list.
    pub roster_href: Option<String>,
    pub participants_href: String,
    pub days: Vec<DayTab>,
    pub day: String,
    pub day_label: String,
    pub rows: Vec<PersonRow>,
}

pub async fn show(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    Query(query): Query<DayQuery>,
) -> Result<Response, AppError> {
    let training = super::training(&state, &id).await?;
    super::roster::refuse_unless_in_the_room(&state, &user, &training).await?;
    let lang = context.lang;
    let day: Date = query
        .day
        .parse()
        .ok()
        .filter(|d| training.days.iter().any(|t| t.date == *d))
        .or_else(|| training.first_day())
        .ok_or(AppError::NotFound)?;
    let confirmed = state.store().confirmed_participants(training.id).await?;
    let marks = state.store().attendance(training.id).await?;
    let base = context.href(&format!("/manage/trainings/{}/attendance", training.id));
    Ok(views::render(&AttendanceView {
        page: Chrome::new(&state, &context, "registration.attendance.title"),
        training_title: Localized::pick(lang, &training.title, &training.title_en),
        roster_href: (kizuki_domain::Permission::ManageEvents.check(Some(user.role))
            == kizuki_domain::Access::Granted)
            .then(|| context.href(&format!("/manage/trainings/{}/applications", training.id))),
        participants_href: context.href(&format!("/manage/trainings/{}/participants", training.id)),
        days: training
            .days
            .iter()
            .map(|d| DayTab {
                label: format::date(lang, d.date),
                href: format!("{base}?day={}", d.date),
                current: d.date == day,
            })
            .collect(),
        day: day.to_string(),
        day_label: format::date(lang, day),
        rows: confirmed
            .into_iter()
            .map(|a| {
                let mark = marks
                    .iter()
                    .find(|m| m.application_id == a.id && m.day == day);
                PersonRow {
                    id: a.id,
                    name: a.name,
                    furigana: a.furigana,
                    present: mark.is_some_and(|m| m.present),
                    recorded: mark.is_some(),
                }
            })
            .collect(),
    }))
}

pub async fn record(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    CleanForm(pairs): CleanForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let training = super::training(&state, &id).await?;
    super::roster::refuse_unless_in_the_room(&state, &user, &training).await?;
    let day: Date = pairs
        .iter()
        .find(|(k, _)| k == "day")
        .and_then(|(_, v)| v.parse().ok())
        .filter(|d| training.days.iter().any(|t| t.date == *d))
        .ok_or(AppError::BadRequest)?;
    let present: Vec<i64> = pairs
        .iter()
        .filter(|(k, _)| k == "present")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    state
        .store()
        .record_attendance(training.id, day, &present, state.now())
        .await?;
    Ok(redirect_with_flash(
        &context,
        &format!("/manage/trainings/{}/attendance?day={day}", training.id),
        "flash.saved",
    ))
}

#[derive(Template)]
#[template(path = "manage/sign_in_sheet.html")]
pub struct SheetView {
    pub page: Chrome,
    pub training_title: Localized,
    pub dates: String,
    pub days: Vec<String>,
    pub rows: Vec<PersonRow>,
}

pub async fn sheet(
    State(state): State<AppState>,
    context: RequestContext,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let training = super::training(&state, &id).await?;
    let lang = context.lang;
    let confirmed = state.store().confirmed_participants(training.id).await?;
    let mut rows: Vec<PersonRow> = confirmed
        .into_iter()
        .map(|a| PersonRow {
            id: a.id,
            name: a.name,
            furigana: a.furigana,
            present: false,
            recorded: false,
        })
        .collect();
    rows.sort_by(|a, b| a.furigana.cmp(&b.furigana).then(a.name.cmp(&b.name)));
    Ok(views::render(&SheetView {
        page: Chrome::new(&state, &context, "registration.sheet.title"),
        training_title: Localized::pick(lang, &training.title, &training.title_en),
        dates: format::training_dates(lang, &training),
        days: training
            .days
            .iter()
            .map(|d| format::date(lang, d.date))
            .collect(),
        rows,
    }))
}
