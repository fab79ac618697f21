//! The organisers' registration API: rosters, the lottery, attendance and decisions on single
//! applications. Every endpoint needs `ManageEvents`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use kizuki_store::{ApplicationRecord, LotteryRecord, RosterFilter, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::clean_json::CleanJson;
use super::{ErrorBody, FieldMistake, invalid};
use crate::context::CurrentUser;
use crate::error::{AppError, ErrorKind, api_error};
use crate::registration::{self, Decision};
use crate::state::AppState;
use kizuki_i18n::Lang;

#[derive(Serialize, ToSchema)]
pub struct RosterEntry {
    id: i64,
    /// held, confirmed, waitlisted, pending_approval, lottery, declined, cancelled or expired.
    status: &'static str,
    /// Place on the waitlist (1 first) within the frame.
    position: Option<i64>,
    frame_id: Option<i64>,
    name: String,
    furigana: String,
    email: String,
    phone: String,
    backgrounds: Vec<String>,
    background_other: String,
    motivation: String,
    access_needs: String,
    /// Answers to the training's own questions: [question id, answer].
    answers: Vec<(i64, String)>,
    email_confirmed: bool,
    /// ja or en.
    lang: String,
    /// Unix seconds.
    applied_at: i64,
}

impl From<ApplicationRecord> for RosterEntry {
    fn from(a: ApplicationRecord) -> Self {
        RosterEntry {
            id: a.id,
            status: a.status.as_str(),
            position: a.waitlist_rank,
            frame_id: a.frame_id,
            name: a.name,
            furigana: a.furigana,
            email: a.email,
            phone: a.phone,
            backgrounds: a
                .backgrounds
                .split(',')
                .filter(|b| !b.is_empty())
                .map(str::to_owned)
                .collect(),
            background_other: a.background_other,
            motivation: a.motivation,
            access_needs: a.access_needs,
            answers: a.answers,
            email_confirmed: a.email_verified_at.is_some(),
            lang: a.lang,
            applied_at: a.created_at.seconds(),
        }
    }
}

fn training_id(id: &str) -> Result<i64, AppError> {
    id.parse().map_err(|_| AppError::NotFound)
}

/// A training's applications, seats first, then the waitlist in order.
#[utoipa::path(get, path = "/api/v1/trainings/{id}/applications", tag = "registration",
    params(("id" = i64, Path, description = "Training id")),
    responses((status = 200, body = [RosterEntry]), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn roster(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Vec<RosterEntry>>, AppError> {
    let training = state.store().training(training_id(&id)?).await?;
    let roster = state
        .store()
        .roster(training.id, &RosterFilter::default())
        .await?;
    Ok(Json(roster.into_iter().map(RosterEntry::from).collect()))
}

/// Draws the lottery now. Answers the record of the draw: the seed (whose SHA-256 was published
/// beforehand), the entries, the seats, and the winners, enough to repeat it.
#[utoipa::path(post, path = "/api/v1/trainings/{id}/lottery", tag = "registration",
    params(("id" = i64, Path, description = "Training id")),
    responses((status = 200, description = "The record of the draw"), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn draw(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    match registration::draw(&state, training_id(&id)?, user.id).await {
        Ok(record) => Ok(Json(record).into_response()),
        Err(StoreError::Refused(reason)) => Ok(refused(reason)),
        Err(other) => Err(other.into()),
    }
}

/// The record of a drawn lottery.
#[utoipa::path(get, path = "/api/v1/trainings/{id}/lottery", tag = "registration",
    params(("id" = i64, Path, description = "Training id")),
    responses((status = 200, description = "The record of the draw"), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn lottery(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<LotteryRecord>, AppError> {
    state
        .store()
        .lottery_record(training_id(&id)?)
        .await?
        .map(Json)
        .ok_or(AppError::NotFound)
}

#[derive(Deserialize, ToSchema)]
pub struct AttendanceBody {
    /// A day of the training, YYYY-MM-DD.
    day: String,
    /// Application ids of those present; the other confirmed participants are marked absent.
    present: Vec<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct AttendanceEntry {
    application_id: i64,
    day: String,
    present: bool,
}

/// Records who was there on one day of a training.
#[utoipa::path(post, path = "/api/v1/trainings/{id}/attendance", tag = "registration",
    params(("id" = i64, Path, description = "Training id")), request_body = AttendanceBody,
    responses((status = 200, body = [AttendanceEntry]), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn record_attendance(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CleanJson(body): CleanJson<AttendanceBody>,
) -> Result<Response, AppError> {
    let training = state.store().training(training_id(&id)?).await?;
    let day: Option<Date> = body
        .day
        .parse()
        .ok()
        .filter(|d| training.days.iter().any(|t| t.date == *d));
    let Some(day) = day else {
        return Ok(invalid(vec![FieldMistake {
            field: "day".to_owned(),
            message: "Give one of the training's days, as YYYY-MM-DD.".to_owned(),
        }]));
    };
    state
        .store()
        .record_attendance(training.id, day, &body.present, state.now())
        .await?;
    Ok(attendance_list(&state, training.id).await?.into_response())
}

/// Attendance of a training, per application and day.
#[utoipa::path(get, path = "/api/v1/trainings/{id}/attendance", tag = "registration",
    params(("id" = i64, Path, description = "Training id")),
    responses((status = 200, body = [AttendanceEntry])),
    security(("bearer" = [])))]
pub async fn attendance(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Vec<AttendanceEntry>>, AppError> {
    attendance_list(&state, training_id(&id)?).await
}

async fn attendance_list(
    state: &AppState,
    training_id: i64,
) -> Result<Json<Vec<AttendanceEntry>>, AppError> {
    let marks = state.store().attendance(training_id).await?;
    Ok(Json(
        marks
            .into_iter()
            .map(|m| AttendanceEntry {
                application_id: m.application_id,
                day: m.day.to_string(),
                present: m.present,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct DecisionBody {
    /// seat (approve, or move from the waitlist), waitlist, reorder, decline or cancel.
    decision: String,
    /// Why; kept in the application's log. Required.
    reason: String,
    /// For reorder: the new place on the waitlist, 1 first.
    #[serde(default)]
    rank: Option<i64>,
}

/// An organiser's decision on one application. Capacity is never exceeded: giving a seat when
/// none is free answers 409.
#[utoipa::path(post, path = "/api/v1/applications/{id}/decision", tag = "registration",
    params(("id" = i64, Path, description = "Application id")), request_body = DecisionBody,
    responses((status = 200, body = RosterEntry), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn decide(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    CleanJson(body): CleanJson<DecisionBody>,
) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let application = state.store().application(id).await?;
    let Some(reason) = registration::reason(&body.reason) else {
        return Ok(invalid(vec![FieldMistake {
            field: "reason".to_owned(),
            message: "Give a reason, up to 500 characters.".to_owned(),
        }]));
    };
    let Ok(decision) = Decision::parse(&body.decision, body.rank) else {
        return Ok(invalid(vec![FieldMistake {
            field: "decision".to_owned(),
            message: "Use seat, waitlist, decline, cancel, or reorder with a rank of 1 or more."
                .to_owned(),
        }]));
    };
    match registration::decide(&state, &application, decision, user.id, &reason).await {
        Ok(()) => {
            let record = state.store().application(id).await?;
            Ok((StatusCode::OK, Json(RosterEntry::from(record))).into_response())
        }
        Err(StoreError::Refused(reason)) => Ok(refused(reason)),
        Err(other) => Err(other.into()),
    }
}

/// A refused change, explained in the words the workspace uses.
fn refused(reason: &str) -> Response {
    api_error(
        ErrorKind::Conflict,
        kizuki_i18n::text(Lang::En, &registration::refusal_key(reason)),
    )
}
