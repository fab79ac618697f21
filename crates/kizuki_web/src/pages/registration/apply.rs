//! The application form for one training. No account is needed; what was typed is kept when
//! something needs correcting.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use kizuki_domain::EmailAddress;
use kizuki_domain::registration::{
    ApplicationForm, Background, PRIVACY_NOTICE_VERSION, question_field,
};
use kizuki_store::{RegistrationSettings, StoreError, Training};
use serde::Deserialize;

use super::{FrameChoice, QuestionField};
use crate::context::RequestContext;
use crate::cookies;
use crate::error::AppError;
use crate::form_errors::FormErrors;
use crate::format::{self, Localized};
use crate::forms::{CleanForm, redirect_with_flash, see_other, with_status};
use crate::guide::{ContactView, Guide};
use crate::mail::{self, MailKind};
use crate::registration::{self, Refusal, accepting, allocation_key, closed_message_key};
use crate::state::AppState;
use crate::views::{self, Chrome};

pub struct BackgroundChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub checked: bool,
    /// Set apart from the others: 「答えたくない」 is chosen instead of them, not with them.
    pub apart: bool,
}

/// The form as typed.
#[derive(Default)]
pub struct Typed {
    fields: HashMap<String, String>,
    backgrounds: Vec<String>,
}

impl Typed {
    pub fn get(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }

    fn from_pairs(pairs: Vec<(String, String)>) -> Typed {
        let mut typed = Typed::default();
        for (key, value) in pairs {
            if key == "background" {
                typed.backgrounds.push(value);
            } else {
                typed.fields.insert(key, value);
            }
        }
        typed
    }

    fn to_form(&self, settings: &RegistrationSettings) -> ApplicationForm {
        ApplicationForm {
            name: self.get("name").to_owned(),
            furigana: self.get("furigana").to_owned(),
            email: self.get("email").to_owned(),
            phone: self.get("phone").to_owned(),
            backgrounds: self.backgrounds.clone(),
            background_other: self.get("background_other").to_owned(),
            motivation: self.get("motivation").to_owned(),
            access_needs: self.get("access_needs").to_owned(),
            share_access_needs: self.get("share_access_needs") == "yes",
            consent: self.get("consent") == "yes",
            frame: self.fields.get("frame").cloned(),
            answers: settings
                .questions
                .iter()
                .map(|q| (q.id, self.get(&question_field(q.id)).to_owned()))
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "apply.html")]
pub struct ApplyView {
    pub page: Chrome,
    pub training_title: Localized,
    pub training_href: String,
    pub dates: String,
    pub allocation: &'static str,
    pub seats_line: String,
    /// Every seat is taken: the form says the application joins the waitlist.
    pub full: bool,
    pub closed: Option<&'static str>,
    pub form: Typed,
    pub backgrounds: Vec<BackgroundChoice>,
    pub frames: Vec<FrameChoice>,
    pub questions: Vec<QuestionField>,
    pub errors: FormErrors,
    pub privacy_version: &'static str,
    /// How long this training keeps personal data, in the notice's own sentence.
    pub privacy_keep: String,
    pub hold_minutes: i64,
    pub contact: ContactView,
}

async fn view(
    state: &AppState,
    context: &RequestContext,
    training: &Training,
    settings: &RegistrationSettings,
    form: Typed,
    errors: FormErrors,
) -> Result<ApplyView, AppError> {
    let lang = context.lang;
    let seats = state.store().seats(training.id, state.now()).await?;
    let contact = Guide::load(state, training.id).await?.contact_view(lang);
    let title = Localized::pick(lang, &training.title, &training.title_en);
    let mut page = Chrome::new(state, context, "apply.title");
    page.title = kizuki_i18n::format(lang, "apply.title_for", &[("training", &title.text)]);
    let chosen_frame = form.get("frame").to_owned();
    let frames = settings
        .frames
        .iter()
        .map(|frame| FrameChoice {
            id: frame.id,
            name: Localized::pick(lang, &frame.name, &frame.name_en),
            capacity: frame.capacity,
            checked: chosen_frame == frame.id.to_string(),
        })
        .collect();
    let questions = settings
        .questions
        .iter()
        .map(|question| {
            let field = question_field(question.id);
            QuestionField {
                label: Localized::pick(lang, &question.label, &question.label_en),
                required: question.required,
                value: form.get(&field).to_owned(),
                field,
            }
        })
        .collect();
    Ok(ApplyView {
        page,
        training_href: context.href(&format!("/trainings/{}", training.id)),
        dates: format::training_dates(lang, training),
        training_title: title,
        allocation: kizuki_i18n::text(lang, allocation_key(settings.allocation)),
        seats_line: kizuki_i18n::format(
            lang,
            "apply.seats_line",
            &[
                ("capacity", &seats.capacity.to_string()),
                ("left", &(seats.capacity - seats.taken).max(0).to_string()),
                ("waiting", &seats.waitlisted.to_string()),
            ],
        ),
        full: crate::registration::is_full(&seats),
        closed: accepting(state, training)
            .err()
            .map(|closed| kizuki_i18n::text(lang, closed_message_key(closed))),
        backgrounds: Background::ALL
            .iter()
            .map(|background| BackgroundChoice {
                value: background.as_str(),
                label: kizuki_i18n::text(lang, &format!("background.{}", background.as_str())),
                checked: form.backgrounds.iter().any(|b| b == background.as_str()),
                apart: background.is_refusal(),
            })
            .collect(),
        frames,
        questions,
        form,
        errors,
        privacy_version: PRIVACY_NOTICE_VERSION,
        privacy_keep: kizuki_i18n::format(
            lang,
            "apply.privacy.keep",
            &[("months", &settings.retention_months.to_string())],
        ),
        hold_minutes: settings.hold_minutes,
        contact,
    })
}

async fn open_training(state: &AppState, id: &str) -> Result<Training, AppError> {
    crate::pages::catalogue::public_training(state, id).await
}

pub async fn form(
    State(state): State<AppState>,
    context: RequestContext,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let training = open_training(&state, &id).await?;
    let settings = state.store().registration_settings(training.id).await?;
    let view = view(
        &state,
        &context,
        &training,
        &settings,
        Typed::default(),
        FormErrors::with_summary("apply.error.summary"),
    )
    .await?;
    Ok(views::render(&view))
}

pub async fn submit(
    State(state): State<AppState>,
    context: RequestContext,
    Path(id): Path<String>,
    CleanForm(pairs): CleanForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let training = open_training(&state, &id).await?;
    let settings = state.store().registration_settings(training.id).await?;
    let typed = Typed::from_pairs(pairs);
    let lang = context.lang;
    let mut errors = FormErrors::with_summary("apply.error.summary");
    let over = match crate::rate::refuse_if_over(&state, &context, "applications").await? {
        Some(refused) => Some(refused),
        None => crate::rate::refuse_if_holding(&state, &context, training.id, &settings).await?,
    };
    let status = if over.is_some() {
        errors.add(lang, FormErrors::WHOLE_FORM, "apply.error.too_many");
        StatusCode::TOO_MANY_REQUESTS
    } else {
        match registration::submit(
            &state,
            &training,
            &settings,
            &typed.to_form(&settings),
            lang,
        )
        .await
        {
            Ok(applied) => {
                let mut response = see_other(&context.href(&format!(
                    "/trainings/{}/applied?status={}",
                    training.id,
                    applied.status()
                )));
                remember_address(&mut response, &context, typed.get("email"));
                return Ok(response);
            }
            Err(Refusal::Closed(closed)) => {
                errors.add(lang, FormErrors::WHOLE_FORM, closed_message_key(closed));
                StatusCode::CONFLICT
            }
            Err(Refusal::Mistakes(mistakes)) => {
                for mistake in mistakes {
                    errors.add(lang, &mistake.field, mistake.message);
                }
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Err(Refusal::Failed(error)) => return Err(error),
        }
    };
    let view = view(&state, &context, &training, &settings, typed, errors).await?;
    Ok(with_status(status, views::render(&view)))
}

#[derive(Deserialize)]
pub struct AppliedQuery {
    #[serde(default)]
    status: String,
}

/// The address the confirmation went to, kept in the applicant's own browser for ten minutes
/// so the next page can name it (a typo is seen at once). Never in the URL, where history and
/// logs would keep it.
const SENT_TO: &str = "kizuki_sent_to";

fn remember_address(response: &mut Response, context: &RequestContext, email: &str) {
    let Ok(address) = EmailAddress::parse(email) else {
        return;
    };
    let cookie = cookies::build(SENT_TO, address.as_str(), context.secure_cookies, Some(600));
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(SET_COOKIE, value);
    }
}

#[derive(Template)]
#[template(path = "applied.html")]
pub struct AppliedView {
    pub page: Chrome,
    pub training_title: Localized,
    pub training_href: String,
    pub message: String,
    pub sent_to: Option<String>,
    pub contact: ContactView,
}

pub async fn applied(
    State(state): State<AppState>,
    context: RequestContext,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(query): Query<AppliedQuery>,
) -> Result<Response, AppError> {
    let training = open_training(&state, &id).await?;
    let settings = state.store().registration_settings(training.id).await?;
    let lang = context.lang;
    let key = match query.status.as_str() {
        "held" => "apply.done.held",
        "waitlisted" => "apply.done.waitlisted",
        "lottery" => "apply.done.lottery",
        "pending_approval" => "apply.done.pending_approval",
        "link" => "apply.done.link",
        _ => "apply.done.other",
    };
    // After "send the link again" the page must not say a message went anywhere: there may
    // be no application with that address, and the answer must not tell.
    let sent_to = cookies::read(&headers, SENT_TO)
        .filter(|_| key != "apply.done.link")
        .filter(|address| EmailAddress::parse(address).is_ok())
        .map(|address| {
            kizuki_i18n::format(lang, "apply.done.sent_to", &[("address", address.as_str())])
        });
    let contact = Guide::load(&state, training.id).await?.contact_view(lang);
    let mut response = views::render(&AppliedView {
        page: Chrome::new(&state, &context, "apply.done.title"),
        sent_to,
        contact,
        training_title: Localized::pick(lang, &training.title, &training.title_en),
        training_href: context.href(&format!("/trainings/{}", training.id)),
        message: kizuki_i18n::format(
            lang,
            key,
            &[("minutes", &settings.hold_minutes.to_string())],
        ),
    });
    // It may name the applicant's address: not for any cache.
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

#[derive(Deserialize)]
pub struct ResendForm {
    #[serde(default)]
    email: String,
}

/// Sends the private link again to the address it was made for. The answer is the same
/// whether or not there is such an application, so nobody can learn who applied.
pub async fn resend_link(
    State(state): State<AppState>,
    context: RequestContext,
    Path(id): Path<String>,
    CleanForm(form): CleanForm<ResendForm>,
) -> Result<Response, AppError> {
    let training = open_training(&state, &id).await?;
    let over = crate::rate::refuse_if_over(&state, &context, "applications")
        .await?
        .is_some();
    if let (false, Ok(email)) = (over, EmailAddress::parse(&form.email)) {
        match state
            .store()
            .application_by_email(training.id, email.as_str())
            .await
        {
            Ok(application) => {
                mail::send(&state, &application, &training, MailKind::Link).await?;
            }
            Err(StoreError::NotFound) => {}
            Err(other) => return Err(other.into()),
        }
    }
    Ok(redirect_with_flash(
        &context,
        &format!("/trainings/{}/applied?status=link", training.id),
        "flash.link_sent",
    ))
}
