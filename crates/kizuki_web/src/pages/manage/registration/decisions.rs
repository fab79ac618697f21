//! One application as an organiser sees it, with its history, and the decisions on it (approve,
//! decline, move between the waitlist and a seat, reorder the waitlist, cancel), each needing a
//! reason that the log keeps. Also the decisions on a whole training: messages, the draw, the
//! purge of personal data.

use askama::Template;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use kizuki_domain::allocation::Status;
use kizuki_domain::text;
use kizuki_store::{OutgoingMail, RosterFilter, StoreError};
use serde::Deserialize;

use super::{backgrounds_label, status_label};
use crate::context::{CurrentUser, RequestContext};
use crate::error::AppError;
use crate::format::Localized;
use crate::forms::{CleanForm, redirect_with_flash};
use crate::mail::moment;
use crate::pages::registration::{frame_name, question_label};
use crate::registration::{self, Decision, DecisionError};
use crate::state::AppState;
use crate::views::{self, Chrome};

pub struct LogLine {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub reason: String,
}

pub struct Answer {
    pub question: String,
    pub answer: String,
}

#[derive(Template)]
#[template(path = "manage/application.html")]
pub struct ApplicationView {
    pub page: Chrome,
    pub training_title: Localized,
    pub roster_href: String,
    pub action: String,
    pub application: kizuki_store::ApplicationRecord,
    pub status: &'static str,
    pub frame: String,
    pub backgrounds: String,
    pub answers: Vec<Answer>,
    pub applied: String,
    pub verified: String,
    pub hold_until: String,
    pub log: Vec<LogLine>,
    pub can_seat: bool,
    pub can_waitlist: bool,
    pub can_decline: bool,
    pub can_cancel: bool,
    pub is_waitlisted: bool,
}

pub async fn show(
    State(state): State<AppState>,
    context: RequestContext,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let application = state.store().application(id).await?;
    let training = state.store().training(application.training_id).await?;
    let settings = state.store().registration_settings(training.id).await?;
    let lang = context.lang;
    let log = state.store().application_log(id).await?;
    let status = application.status;
    Ok(views::render(&ApplicationView {
        page: Chrome::new(&state, &context, "registration.application.title"),
        training_title: Localized::pick(lang, &training.title, &training.title_en),
        roster_href: context.href(&format!("/manage/trainings/{}/applications", training.id)),
        action: context.href(&format!("/manage/applications/{id}")),
        status: status_label(lang, status),
        frame: frame_name(lang, &settings.frames, application.frame_id),
        backgrounds: backgrounds_label(lang, &application.backgrounds),
        answers: application
            .answers
            .iter()
            .map(|(question, answer)| Answer {
                question: question_label(lang, &settings.questions, *question),
                answer: answer.clone(),
            })
            .collect(),
        applied: moment(lang, application.created_at),
        verified: application
            .email_verified_at
            .map(|at| moment(lang, at))
            .unwrap_or_default(),
        hold_until: application
            .hold_expires_at
            .map(|at| moment(lang, at))
            .unwrap_or_default(),
        log: std::iter::once(LogLine {
            at: moment(lang, application.created_at),
            actor: String::new(),
            action: kizuki_i18n::text(lang, "registration.log.applied").to_owned(),
            reason: String::new(),
        })
        .chain(log.into_iter().map(|entry| LogLine {
            at: moment(lang, kizuki_domain::Timestamp(entry.at)),
            actor: entry.actor.unwrap_or_default(),
            action:
                kizuki_i18n::text(lang, &format!("registration.log.{}", entry.action)).to_owned(),
            reason: entry.reason,
        }))
        .collect(),
        can_seat: matches!(
            status,
            Status::PendingApproval | Status::Waitlisted | Status::Lottery | Status::Held
        ),
        can_waitlist: matches!(
            status,
            Status::PendingApproval | Status::Confirmed | Status::Held | Status::Lottery
        ),
        can_decline: matches!(status, Status::PendingApproval | Status::Lottery),
        can_cancel: status.is_active(),
        is_waitlisted: status == Status::Waitlisted,
        application,
    }))
}

#[derive(Deserialize, Default)]
pub struct DecisionForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    rank: String,
}

pub async fn decide(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    CleanForm(form): CleanForm<DecisionForm>,
) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let application = state.store().application(id).await?;
    let back = format!("/manage/applications/{id}");
    let Some(reason) = registration::reason(&form.reason) else {
        return Ok(redirect_with_flash(&context, &back, "flash.reason_needed"));
    };
    let rank = super::super::optional_number(&form.rank).ok().flatten();
    let decision = match Decision::parse(&form.decision, rank) {
        Ok(decision) => decision,
        Err(DecisionError::RankNeeded) => {
            return Ok(redirect_with_flash(&context, &back, "flash.rank_needed"));
        }
        Err(DecisionError::Unknown) => return Err(AppError::BadRequest),
    };
    match registration::decide(&state, &application, decision, user.id, &reason).await {
        Ok(()) => Ok(redirect_with_flash(&context, &back, "flash.saved")),
        Err(StoreError::Refused(reason)) => Ok(redirect_with_flash(
            &context,
            &back,
            &registration::refusal_key(reason),
        )),
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct MessageForm {
    #[serde(default)]
    audience: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    body: String,
}

/// Writes one message to everyone, the confirmed, or the waitlisted, as the organiser wrote it.
pub async fn message(
    State(state): State<AppState>,
    context: RequestContext,
    Path(id): Path<String>,
    CleanForm(form): CleanForm<MessageForm>,
) -> Result<Response, AppError> {
    let training = super::training(&state, &id).await?;
    let back = format!("/manage/trainings/{}/applications", training.id);
    let subject = text::normalize_line(&form.subject);
    let body = text::normalize(&form.body);
    if subject.is_empty() || body.is_empty() || body.chars().count() > 10_000 {
        return Ok(redirect_with_flash(
            &context,
            &back,
            "flash.message_incomplete",
        ));
    }
    let statuses: &[Status] = match form.audience.as_str() {
        "confirmed" => &[Status::Confirmed],
        "waitlisted" => &[Status::Waitlisted],
        "all" => &[
            Status::Confirmed,
            Status::Held,
            Status::Waitlisted,
            Status::PendingApproval,
            Status::Lottery,
        ],
        _ => {
            return Ok(redirect_with_flash(
                &context,
                &back,
                "flash.message_incomplete",
            ));
        }
    };
    let everyone = state
        .store()
        .roster(training.id, &RosterFilter::default())
        .await?;
    let guide = crate::guide::Guide::load(&state, training.id).await?;
    for application in everyone.iter().filter(|a| statuses.contains(&a.status)) {
        let lang = kizuki_i18n::Lang::from_tag(&application.lang).unwrap_or_default();
        let body = crate::mail::closing(lang, &guide, &body);
        state
            .store()
            .enqueue_mail(
                &OutgoingMail {
                    training_id: Some(training.id),
                    application_id: Some(application.id),
                    recipient: &application.email,
                    lang: &application.lang,
                    kind: "message",
                    subject: &subject,
                    body: &body,
                },
                state.now(),
            )
            .await?;
    }
    Ok(redirect_with_flash(
        &context,
        &back,
        "flash.messages_queued",
    ))
}

pub async fn draw(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let training = super::training(&state, &id).await?;
    let back = format!("/manage/trainings/{}/applications", training.id);
    match registration::draw(&state, training.id, user.id).await {
        Ok(_) => Ok(redirect_with_flash(&context, &back, "flash.lottery_drawn")),
        Err(StoreError::Refused(reason)) => Ok(redirect_with_flash(
            &context,
            &back,
            &registration::refusal_key(reason),
        )),
        Err(other) => Err(other.into()),
    }
}

/// The record of the draw: the seed, the entries and the result, for anyone to repeat.
pub async fn lottery_record(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let training = super::training(&state, &id).await?;
    let record = state
        .store()
        .lottery_record(training.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut response = Json(record).into_response();
    if let Ok(value) = axum::http::HeaderValue::from_str(&format!(
        "attachment; filename=\"lottery-{}.json\"",
        training.id
    )) {
        response
            .headers_mut()
            .insert(axum::http::header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

#[derive(Deserialize, Default)]
pub struct PurgeForm {
    #[serde(default)]
    sure: String,
}

pub async fn purge(
    State(state): State<AppState>,
    context: RequestContext,
    Path(id): Path<String>,
    CleanForm(form): CleanForm<PurgeForm>,
) -> Result<Response, AppError> {
    let training = super::training(&state, &id).await?;
    let back = format!("/manage/trainings/{}/applications", training.id);
    if form.sure != "yes" {
        return Ok(redirect_with_flash(
            &context,
            &back,
            "flash.tick_to_confirm",
        ));
    }
    state
        .store()
        .purge_personal_data(training.id, state.now())
        .await?;
    Ok(redirect_with_flash(&context, &back, "flash.purged"))
}
