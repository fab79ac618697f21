//! One application as an organiser sees it, with its history, and the decisions on it (approve,
//! decline, move between the waitlist and a seat, reorder the waitlist, cancel), each needing a
//! reason that the log keeps. Also the decisions on a whole training: messages, the draw, the
//! purge of personal data.

use askama::Template;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kizuki_domain::allocation::Status;
use kizuki_domain::text;
use kizuki_store::{OutgoingMail, RosterFilter, StoreError};
use serde::Deserialize;

use super::{backgrounds_label, status_label};
use crate::confirm::{self, Confirmation, Question};
use crate::context::{CurrentUser, RequestContext};
use crate::error::AppError;
use crate::format::Localized;
use crate::forms::{CleanForm, redirect_with_flash, with_status};
use crate::mail::moment;
use crate::pages::manage::FormErrors;
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
    pub message_action: String,
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
        message_action: context.href(&format!("/manage/trainings/{}/messages", training.id)),
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
    #[serde(default)]
    confirmed: String,
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
    // Ending an application cannot be undone, and its applicant is told at once: ask first.
    let ending = match decision {
        Decision::Cancel => Some("cancel"),
        Decision::Decline => Some("decline"),
        _ => None,
    };
    if let Some(which) = ending.filter(|_| !confirm::given(&form.confirmed)) {
        return Ok(confirm::ask(
            &state,
            &context,
            Question {
                title_key: if which == "cancel" {
                    "confirm.cancel.title"
                } else {
                    "confirm.decline.title"
                },
                consequence: kizuki_i18n::format(
                    context.lang,
                    &format!("confirm.{which}.consequence"),
                    &[("name", &application.name)],
                ),
                button_key: if which == "cancel" {
                    "confirm.cancel.button"
                } else {
                    "confirm.decline.button"
                },
                action: back.clone(),
                back,
                fields: vec![
                    ("decision".to_owned(), form.decision.clone()),
                    ("reason".to_owned(), reason.clone()),
                    ("rank".to_owned(), form.rank.clone()),
                ],
            },
        ));
    }
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
    /// One application, for a message to one applicant (its page's form).
    #[serde(default)]
    to: String,
    /// `send` on the preview's button; anything else shows the preview.
    #[serde(default)]
    step: String,
    /// How many the preview said it would reach: if that changed, the preview is shown again.
    #[serde(default)]
    expected: String,
}

/// Who may be written to together: those whose application is still in play.
const AUDIENCES: [(&str, &[Status]); 3] = [
    ("confirmed", &[Status::Confirmed]),
    ("waitlisted", &[Status::Waitlisted]),
    (
        "all",
        &[
            Status::Confirmed,
            Status::Held,
            Status::Waitlisted,
            Status::PendingApproval,
            Status::Lottery,
        ],
    ),
];

pub struct Recipient {
    pub name: String,
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "manage/message_preview.html")]
pub struct MessagePreviewView {
    pub page: Chrome,
    pub training_title: Localized,
    pub roster_href: String,
    pub action: String,
    pub errors: FormErrors,
    pub audience: String,
    pub audiences: Vec<crate::pages::manage::Choice>,
    /// Set for a message to one applicant.
    pub to: String,
    pub subject: String,
    pub body: String,
    pub recipients: Vec<Recipient>,
    pub count: i64,
    /// The message as its first recipient will read it (their private link shown as a mark).
    pub sample: String,
    /// The number of recipients changed since the preview the organiser confirmed.
    pub changed: bool,
}

/// Writes a message to one applicant, or to everyone, the confirmed or the waitlisted, as the
/// organiser wrote it. The first post shows who it will reach and the message as they will
/// read it; only the preview's button sends.
pub async fn message(
    State(state): State<AppState>,
    context: RequestContext,
    Path(id): Path<String>,
    CleanForm(form): CleanForm<MessageForm>,
) -> Result<Response, AppError> {
    let training = super::training(&state, &id).await?;
    let lang = context.lang;
    let subject = text::normalize_line(&form.subject);
    let body = text::normalize(&form.body);
    let mut errors = FormErrors::default();
    let everyone = state
        .store()
        .roster(training.id, &RosterFilter::default())
        .await?;
    let to: Option<i64> = form.to.parse().ok();
    let recipients: Vec<&kizuki_store::ApplicationRecord> = match to {
        Some(one) => everyone.iter().filter(|a| a.id == one).collect(),
        None => match AUDIENCES.iter().find(|(name, _)| *name == form.audience) {
            Some((_, statuses)) => everyone
                .iter()
                .filter(|a| statuses.contains(&a.status))
                .collect(),
            None => {
                errors.add(lang, "audience", "registration.message.error_audience");
                Vec::new()
            }
        },
    };
    if !form.to.is_empty() && recipients.is_empty() {
        // An application of another training, or one deleted since.
        return Err(AppError::NotFound);
    }
    if recipients.is_empty() && !errors.has("audience") {
        errors.add(lang, "audience", "registration.message.error_nobody");
    }
    if subject.is_empty() {
        errors.add(lang, "subject", "registration.message.error_subject");
    }
    if body.is_empty() {
        errors.add(lang, "body", "registration.message.error_body");
    } else if body.chars().count() > MAX_MESSAGE_CHARS {
        errors.add_text(
            "body",
            kizuki_i18n::format(
                lang,
                "registration.message.error_long",
                &[("max", &MAX_MESSAGE_CHARS.to_string())],
            ),
        );
    }
    let changed = form.step == "send" && form.expected != recipients.len().to_string();
    if form.step != "send" || changed || !errors.is_empty() {
        let guide = crate::guide::Guide::load(&state, training.id).await?;
        let sample = recipients
            .first()
            .map(|first| {
                let their_lang = kizuki_i18n::Lang::from_tag(&first.lang).unwrap_or_default();
                crate::mail::closing(their_lang, &guide, &body).replace(
                    crate::mail::LINK_MARK,
                    kizuki_i18n::text(lang, "registration.message.link_mark"),
                )
            })
            .unwrap_or_default();
        let status = if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        let view = MessagePreviewView {
            page: Chrome::new(&state, &context, "registration.message.preview_title"),
            training_title: Localized::pick(lang, &training.title, &training.title_en),
            roster_href: context.href(&format!("/manage/trainings/{}/applications", training.id)),
            action: context.href(&format!("/manage/trainings/{}/messages", training.id)),
            errors,
            audiences: AUDIENCES
                .iter()
                .map(|(name, _)| crate::pages::manage::Choice {
                    value: (*name).to_owned(),
                    label: kizuki_i18n::text(lang, &format!("registration.message.{name}"))
                        .to_owned(),
                    selected: *name == form.audience,
                })
                .collect(),
            audience: form.audience.clone(),
            to: form.to.clone(),
            subject,
            body,
            recipients: recipients
                .iter()
                .map(|a| Recipient {
                    name: a.name.clone(),
                    status: status_label(lang, a.status),
                })
                .collect(),
            count: i64::try_from(recipients.len()).unwrap_or(i64::MAX),
            sample,
            changed,
        };
        return Ok(with_status(status, views::render(&view)));
    }
    let guide = crate::guide::Guide::load(&state, training.id).await?;
    for application in &recipients {
        let their_lang = kizuki_i18n::Lang::from_tag(&application.lang).unwrap_or_default();
        let body = crate::mail::closing(their_lang, &guide, &body);
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
    let back = match to {
        Some(one) => format!("/manage/applications/{one}"),
        None => format!("/manage/trainings/{}/applications", training.id),
    };
    Ok(redirect_with_flash(
        &context,
        &back,
        "flash.messages_queued",
    ))
}

/// The longest message an organiser may send.
const MAX_MESSAGE_CHARS: usize = 10_000;

pub async fn draw(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    CleanForm(form): CleanForm<Confirmation>,
) -> Result<Response, AppError> {
    let training = super::training(&state, &id).await?;
    let back = format!("/manage/trainings/{}/applications", training.id);
    if !form.given() {
        let seats = state.store().seats(training.id, state.now()).await?;
        return Ok(confirm::ask(
            &state,
            &context,
            Question {
                title_key: "confirm.draw.title",
                consequence: kizuki_i18n::format(
                    context.lang,
                    "confirm.draw.consequence",
                    &[
                        ("entries", &seats.lottery_entries.to_string()),
                        ("seats", &(seats.capacity - seats.taken).max(0).to_string()),
                    ],
                ),
                button_key: "registration.lottery.draw",
                action: format!("/manage/trainings/{}/lottery", training.id),
                back,
                fields: Vec::new(),
            },
        ));
    }
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
