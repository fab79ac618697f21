//! Writing to a study group's hosts through the site, so that their own addresses are never
//! published. Messages wait in the hosts' workspace and are deleted after a while.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use kizuki_domain::catalogue::GroupStatus;
use kizuki_domain::{EmailAddress, text};
use kizuki_store::{NewGroupMessage, StudyGroup};
use serde::Deserialize;

use crate::context::RequestContext;
use crate::error::AppError;
use crate::format::Localized;
use crate::forms::{CleanForm, redirect_with_flash, with_status};
use crate::state::AppState;
use crate::views::{self, Chrome};

/// Messages are deleted this long after they are sent.
pub const KEEP_DAYS: i64 = 90;
/// At most this many messages an hour from one network address.
const PER_HOUR: i64 = 5;
const MAX_MESSAGE_CHARS: usize = 4000;

#[derive(Deserialize, Default)]
pub struct ContactForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    consent: String,
}

#[derive(Template)]
#[template(path = "contact.html")]
pub struct ContactView {
    pub page: Chrome,
    pub group_name: Localized,
    pub group_href: String,
    pub form: ContactForm,
    pub errors: Vec<String>,
    pub keep_days: i64,
}

async fn open_group(state: &AppState, id: &str) -> Result<StudyGroup, AppError> {
    let group = super::public_group(state, id).await?;
    // An ended group has nobody to write to.
    if matches!(group.status, GroupStatus::Active | GroupStatus::Paused) {
        Ok(group)
    } else {
        Err(AppError::NotFound)
    }
}

fn view(
    state: &AppState,
    context: &RequestContext,
    group: &StudyGroup,
    form: ContactForm,
    errors: Vec<String>,
) -> ContactView {
    ContactView {
        page: Chrome::new(state, context, "contact.title"),
        group_name: Localized::pick(context.lang, &group.name, &group.name_en),
        group_href: context.href(&format!("/study-groups/{}", group.id)),
        form,
        errors,
        keep_days: KEEP_DAYS,
    }
}

pub async fn form(
    State(state): State<AppState>,
    context: RequestContext,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let group = open_group(&state, &id).await?;
    Ok(views::render(&view(
        &state,
        &context,
        &group,
        ContactForm::default(),
        Vec::new(),
    )))
}

pub async fn send(
    State(state): State<AppState>,
    context: RequestContext,
    Path(id): Path<String>,
    CleanForm(form): CleanForm<ContactForm>,
) -> Result<Response, AppError> {
    let group = open_group(&state, &id).await?;
    let lang = context.lang;
    let t = |key: &str| kizuki_i18n::text(lang, key).to_owned();
    let mut errors = Vec::new();
    let name = text::normalize_line(&form.name);
    if name.is_empty() || name.chars().count() > 100 {
        errors.push(t("contact.error.name"));
    }
    let email = EmailAddress::parse(&form.email)
        .inspect_err(|_| errors.push(t("contact.error.email")))
        .ok();
    let message = text::normalize(&form.message);
    if message.is_empty() || message.chars().count() > MAX_MESSAGE_CHARS {
        errors.push(t("contact.error.message"));
    }
    if form.consent != "yes" {
        errors.push(t("contact.error.consent"));
    }
    let client_digest = kizuki_domain::secret::digest(&format!("contact:{}", context.client_key));
    let now = state.now();
    if state
        .store()
        .group_messages_from(&client_digest, now.minus_seconds(3600))
        .await?
        >= PER_HOUR
    {
        errors.push(t("contact.error.too_many"));
        let page = views::render(&view(&state, &context, &group, form, errors));
        return Ok(with_status(StatusCode::TOO_MANY_REQUESTS, page));
    }
    match (email, errors.is_empty()) {
        (Some(email), true) => {
            state
                .store()
                .add_group_message(
                    &NewGroupMessage {
                        group_id: group.id,
                        sender_name: &name,
                        sender_email: email.as_str(),
                        body: &message,
                        lang: lang.tag(),
                        client_digest: &client_digest,
                    },
                    now,
                )
                .await?;
            // The message is kept either way; a failure to queue the notice must not lose it
            // or tell the sender something went wrong with theirs.
            if let Err(error) = crate::group_mail::tell_hosts(&state, &group, &name, &message).await
            {
                tracing::warn!(%error, group = group.id, "could not queue the hosts' notice");
            }
            Ok(redirect_with_flash(
                &context,
                &format!("/study-groups/{}", group.id),
                "flash.message_sent",
            ))
        }
        _ => {
            let page = views::render(&view(&state, &context, &group, form, errors));
            Ok(with_status(StatusCode::UNPROCESSABLE_ENTITY, page))
        }
    }
}
