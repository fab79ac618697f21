//! Asking before what cannot be undone. A form for such an action (closing a questionnaire,
//! drawing the lottery, cancelling a place, deleting a training) posts without
//! [`FIELD`]; the handler answers with a page that says what will happen and asks again, and
//! only the second post, carrying `confirmed=yes`, acts. It needs no script, so it works in
//! every browser and with every assistive technology.

use askama::Template;
use axum::response::Response;
use serde::Deserialize;

use crate::context::RequestContext;
use crate::state::AppState;
use crate::views::{self, Chrome};

pub const FIELD: &str = "confirmed";

/// The form of an action that asks first, when it has no other fields.
#[derive(Deserialize, Default)]
pub struct Confirmation {
    #[serde(default)]
    pub confirmed: String,
}

impl Confirmation {
    pub fn given(&self) -> bool {
        given(&self.confirmed)
    }
}

pub fn given(value: &str) -> bool {
    value == "yes"
}

/// What the confirmation page says and where its buttons go.
pub struct Question {
    /// The page's title, a message key ("…しますか？").
    pub title_key: &'static str,
    /// What will happen, in a sentence or two.
    pub consequence: String,
    pub button_key: &'static str,
    /// Where the confirmed form posts (a page path, not yet localised).
    pub action: String,
    /// Where "go back" leads (a page path, not yet localised).
    pub back: String,
    /// The fields of the first post, sent again with the confirmation.
    pub fields: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "confirm.html")]
struct ConfirmView {
    page: Chrome,
    consequence: String,
    button_key: &'static str,
    action: String,
    back: String,
    fields: Vec<(String, String)>,
}

pub fn ask(state: &AppState, context: &RequestContext, question: Question) -> Response {
    views::render(&ConfirmView {
        page: Chrome::new(state, context, question.title_key),
        consequence: question.consequence,
        button_key: question.button_key,
        action: context.href(&question.action),
        back: context.href(&question.back),
        fields: question
            .fields
            .into_iter()
            .filter(|(name, _)| name != FIELD && name != crate::csrf::FORM_FIELD)
            .collect(),
    })
}
