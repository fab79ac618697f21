//! Importing trainings and study groups from a CSV file in the workspace.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;

use crate::context::{CurrentUser, RequestContext};
use crate::error::AppError;
use crate::forms::with_status;
use crate::import::{ImportFailure, import_events_csv};
use crate::state::AppState;
use crate::views::{self, Chrome};

#[derive(Template)]
#[template(path = "manage/import.html")]
pub struct ImportView {
    pub page: Chrome,
    pub pasted: String,
    pub mistakes: Vec<String>,
    pub done: Option<String>,
}

pub async fn form(
    State(state): State<AppState>,
    context: RequestContext,
) -> Result<Response, AppError> {
    Ok(views::render(&ImportView {
        page: Chrome::new(&state, &context, "manage.import.title"),
        pasted: String::new(),
        mistakes: Vec::new(),
        done: None,
    }))
}

pub async fn upload(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    mut multipart: Multipart,
) -> Result<Response, AppError> {
    let lang = context.lang;
    let mut file = Vec::new();
    let mut pasted = String::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest)?
    {
        match field.name() {
            Some("file") => {
                file = field
                    .bytes()
                    .await
                    .map_err(|_| AppError::BadRequest)?
                    .to_vec()
            }
            Some("text") => pasted = field.text().await.map_err(|_| AppError::BadRequest)?,
            _ => {}
        }
    }
    let bytes = if file.is_empty() {
        pasted.clone().into_bytes()
    } else {
        file
    };
    let page = Chrome::new(&state, &context, "manage.import.title");
    if bytes.iter().all(u8::is_ascii_whitespace) {
        let view = ImportView {
            page,
            pasted,
            mistakes: vec![kizuki_i18n::text(lang, "manage.import.empty").to_owned()],
            done: None,
        };
        return Ok(with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            views::render(&view),
        ));
    }
    match import_events_csv(state.store(), &bytes, Some(user.id), state.now(), |_, _| {}).await {
        Ok(summary) => {
            let detail = format!(
                "{} / {} / {}",
                summary.trainings, summary.groups, summary.venues_added
            );
            state
                .store()
                .record_audit(
                    Some(user.id),
                    "events_imported",
                    "CSV",
                    &detail,
                    state.now(),
                )
                .await?;
            let done = kizuki_i18n::format(
                lang,
                "manage.import.done",
                &[
                    ("trainings", &summary.trainings.to_string()),
                    ("groups", &summary.groups.to_string()),
                    ("venues", &summary.venues_added.to_string()),
                ],
            );
            Ok(views::render(&ImportView {
                page,
                pasted: String::new(),
                mistakes: Vec::new(),
                done: Some(done),
            }))
        }
        Err(ImportFailure::Mistakes(mistakes)) => {
            let mistakes = mistakes
                .iter()
                .map(|mistake| {
                    kizuki_i18n::format(
                        lang,
                        "manage.import.mistake",
                        &[
                            ("line", &mistake.line.to_string()),
                            ("message", &mistake.message),
                        ],
                    )
                })
                .collect();
            let view = ImportView {
                page,
                pasted,
                mistakes,
                done: None,
            };
            Ok(with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                views::render(&view),
            ))
        }
        Err(ImportFailure::Store(error)) => Err(error.into()),
    }
}
