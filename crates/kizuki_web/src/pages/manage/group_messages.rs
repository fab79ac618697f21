//! A study group's messages in its hosts' workspace: unread ones first, each answered from
//! here so that the answer reaches the sender's address and neither side sees the other's.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use kizuki_domain::{Timestamp, text};
use kizuki_store::{GroupMessage, GroupReply, StudyGroup};
use serde::Deserialize;

use super::FormErrors;
use super::groups::editable;
use crate::context::{CurrentUser, RequestContext};
use crate::error::AppError;
use crate::format::Localized;
use crate::forms::{CleanForm, redirect_with_flash, with_status};
use crate::pages::catalogue::contact::KEEP_DAYS;
use crate::state::AppState;
use crate::views::{self, Chrome, format_datetime};

const MAX_REPLY_CHARS: usize = 4000;

pub struct ReplyLine {
    /// Who answered, and when.
    pub label: String,
    pub body: String,
}

pub struct MessageCard {
    pub id: i64,
    pub from: String,
    pub sent: String,
    pub body: String,
    /// The language the sender wrote in, for the text's `lang`.
    pub lang: String,
    pub unread: bool,
    pub replies: Vec<ReplyLine>,
    /// The reply as typed, when it was sent back with a mistake.
    pub draft: String,
}

impl MessageCard {
    /// The reply box's id, which its mistakes are filed under.
    pub fn field(&self) -> String {
        reply_field(self.id)
    }
}

/// The reply box of a message, by the message's id.
fn reply_field(message_id: i64) -> String {
    format!("reply-{message_id}")
}

#[derive(Template)]
#[template(path = "manage/group_messages.html")]
pub struct MessagesView {
    pub page: Chrome,
    pub group_name: Localized,
    pub edit_href: String,
    pub base: String,
    pub messages: Vec<MessageCard>,
    pub unread: i64,
    pub keep_days: i64,
    pub errors: FormErrors,
}

fn cards(
    context: &RequestContext,
    messages: Vec<GroupMessage>,
    replies: &[GroupReply],
    draft: Option<(i64, &str)>,
) -> Vec<MessageCard> {
    let lang = context.lang;
    messages
        .into_iter()
        .map(|message| MessageCard {
            replies: replies
                .iter()
                .filter(|reply| reply.message_id == message.id)
                .map(|reply| {
                    let author = reply
                        .author_name
                        .as_deref()
                        .unwrap_or_else(|| kizuki_i18n::text(lang, "host_messages.former_host"));
                    let sent = format_datetime(lang, Timestamp(reply.sent_at));
                    ReplyLine {
                        label: kizuki_i18n::format(
                            lang,
                            "host_messages.replied",
                            &[("author", author), ("sent", &sent)],
                        ),
                        body: reply.body.clone(),
                    }
                })
                .collect(),
            draft: draft
                .filter(|(id, _)| *id == message.id)
                .map(|(_, text)| text.to_owned())
                .unwrap_or_default(),
            id: message.id,
            from: message.sender_name,
            sent: format_datetime(lang, Timestamp(message.sent_at)),
            body: message.body,
            lang: message.lang,
            unread: message.read_at.is_none(),
        })
        .collect()
}

async fn view(
    state: &AppState,
    context: &RequestContext,
    group: &StudyGroup,
    draft: Option<(i64, &str)>,
    errors: FormErrors,
) -> Result<MessagesView, AppError> {
    let messages = state.store().group_messages(group.id).await?;
    let replies = state.store().group_replies(group.id).await?;
    let messages = cards(context, messages, &replies, draft);
    let name = Localized::pick(context.lang, &group.name, &group.name_en);
    let mut page = Chrome::new(state, context, "host_messages.title");
    page.title = kizuki_i18n::format(
        context.lang,
        "host_messages.title_for",
        &[("group", &name.text)],
    );
    Ok(MessagesView {
        page,
        group_name: name,
        edit_href: context.href(&format!("/manage/study-groups/{}/edit", group.id)),
        base: context.href(&format!("/manage/study-groups/{}/messages", group.id)),
        unread: i64::try_from(messages.iter().filter(|m| m.unread).count()).unwrap_or(i64::MAX),
        messages,
        keep_days: KEEP_DAYS,
        errors,
    })
}

pub async fn list(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let group = editable(&state, &user, &id).await?;
    Ok(views::render(
        &view(&state, &context, &group, None, FormErrors::default()).await?,
    ))
}

async fn message_of(
    state: &AppState,
    group: &StudyGroup,
    message: &str,
) -> Result<GroupMessage, AppError> {
    let id: i64 = message.parse().map_err(|_| AppError::NotFound)?;
    state
        .store()
        .group_message(group.id, id)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn mark_read(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path((id, message)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let group = editable(&state, &user, &id).await?;
    let message = message_of(&state, &group, &message).await?;
    state
        .store()
        .mark_group_message_read(message.id, state.now())
        .await?;
    Ok(redirect_with_flash(
        &context,
        &format!("/manage/study-groups/{}/messages", group.id),
        "flash.message_read",
    ))
}

#[derive(Deserialize)]
pub struct ReplyForm {
    #[serde(default)]
    body: String,
}

pub async fn reply(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path((id, message)): Path<(String, String)>,
    CleanForm(form): CleanForm<ReplyForm>,
) -> Result<Response, AppError> {
    let group = editable(&state, &user, &id).await?;
    let message = message_of(&state, &group, &message).await?;
    let body = text::normalize(&form.body);
    if body.is_empty() || body.chars().count() > MAX_REPLY_CHARS {
        let mut errors = FormErrors::default();
        errors.add(
            context.lang,
            &reply_field(message.id),
            "host_messages.error_reply",
        );
        let page = view(
            &state,
            &context,
            &group,
            Some((message.id, &form.body)),
            errors,
        )
        .await?;
        return Ok(with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            views::render(&page),
        ));
    }
    state
        .store()
        .add_group_reply(message.id, user.id, &body, state.now())
        .await?;
    crate::group_mail::send_answer(&state, &group, &message, &body).await?;
    Ok(redirect_with_flash(
        &context,
        &format!("/manage/study-groups/{}/messages", group.id),
        "flash.reply_sent",
    ))
}
