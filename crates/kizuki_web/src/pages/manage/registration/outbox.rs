//! Every message Kizuki sent or will send, for organisers to check.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

use crate::context::RequestContext;
use crate::error::AppError;
use crate::mail::moment;
use crate::state::AppState;
use crate::views::{self, Chrome};

#[derive(Deserialize, Default)]
pub struct OutboxQuery {
    #[serde(default)]
    training: String,
}

pub struct MailRow {
    pub created: String,
    pub recipient: String,
    pub kind: String,
    pub subject: String,
    pub body: String,
    pub state: String,
    pub state_class: &'static str,
    pub error: String,
}

#[derive(Template)]
#[template(path = "manage/outbox.html")]
pub struct OutboxView {
    pub page: Chrome,
    pub rows: Vec<MailRow>,
}

pub async fn show(
    State(state): State<AppState>,
    context: RequestContext,
    Query(query): Query<OutboxQuery>,
) -> Result<Response, AppError> {
    let lang = context.lang;
    let entries = state
        .store()
        .outbox(query.training.parse().ok(), 200)
        .await?;
    Ok(views::render(&OutboxView {
        page: Chrome::new(&state, &context, "registration.outbox.title"),
        rows: entries
            .into_iter()
            .map(|entry| {
                let (state_key, state_class) = match (entry.sent_at, entry.attempts) {
                    (Some(_), _) => ("registration.outbox.sent", "sent"),
                    (None, 0) => ("registration.outbox.waiting", "waiting"),
                    (None, n) if n >= kizuki_store::MAX_MAIL_ATTEMPTS => {
                        ("registration.outbox.failed", "failed")
                    }
                    (None, _) => ("registration.outbox.retrying", "retrying"),
                };
                MailRow {
                    created: moment(lang, kizuki_domain::Timestamp(entry.created_at)),
                    recipient: entry.recipient,
                    kind: kizuki_i18n::text(
                        lang,
                        &format!("registration.mail_kind.{}", entry.kind),
                    )
                    .to_owned(),
                    subject: entry.subject,
                    body: entry.body.replace(
                        crate::mail::LINK_MARK,
                        kizuki_i18n::text(lang, "registration.mail_kind.private_link"),
                    ),
                    state: kizuki_i18n::text(lang, state_key).to_owned(),
                    state_class,
                    error: entry.last_error,
                }
            })
            .collect(),
    }))
}
