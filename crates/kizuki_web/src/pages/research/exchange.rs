//! Files in and out of a project: the page listing every download (served by
//! `crate::qda_downloads`), and importing a file by form — QDPX or QDC from another tool, DOCX,
//! WebVTT or plain text — as a new project or into one. An import is all or nothing; a refused
//! file is named with the reason (and the line, for XML) and nothing is stored.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::{project, project_base, project_chrome};
use crate::context::{CurrentUser, RequestContext};
use crate::error::AppError;
use crate::forms::{redirect_with_flash, with_status};
use crate::qda_exchange::{self, ImportReport};
use crate::state::AppState;
use crate::views::{self, Chrome};

#[derive(Template)]
#[template(path = "research/exchange.html")]
pub struct ExchangeView {
    pub page: Chrome,
    pub base: String,
    pub name: String,
    pub keeper: bool,
    pub png: bool,
}

/// The project's files in one place: every export, and importing a file into the project.
pub async fn show(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let project = project(&state, &id, user.id).await?;
    Ok(views::render(&ExchangeView {
        page: project_chrome(&state, &context, "qda.exchange.title_of", &project),
        base: project_base(&context, project.id),
        keeper: crate::qda::may_import(&project),
        name: project.name,
        png: crate::png::draws_japanese(),
    }))
}

#[derive(Template)]
#[template(path = "research/import.html")]
pub struct ImportView {
    pub page: Chrome,
    pub action: String,
    pub back: String,
    pub error: String,
}

/// What came in from a REFI-QDA project, file by file: the producer, what each source gave,
/// and what could not be placed (sources missing from the file, sources that are not text,
/// selections that hold no words).
#[derive(Template)]
#[template(path = "research/imported.html")]
pub struct ImportedPage {
    pub page: Chrome,
    pub done: String,
    pub origin: String,
    pub utf16: bool,
    pub files: Vec<FileLine>,
    pub missing: Vec<MissingLine>,
    pub others: Vec<OtherLine>,
    /// Codings left out with the sources that are not text.
    pub other_codings: i64,
    /// Whether any file had selections of blank space, which the page then explains.
    pub any_blank: bool,
    pub project_href: String,
}

pub struct FileLine {
    pub name: String,
    pub path: String,
    pub characters: i64,
    pub selections: i64,
    pub cards: i64,
    /// The selections left out for holding no words, as `start–end` in the file's positions.
    pub blank: Vec<String>,
    pub blank_count: i64,
}

pub struct MissingLine {
    pub name: String,
    pub codings: i64,
}

pub struct OtherLine {
    pub name: String,
    /// Its kind and the codings left out with it, in the page's language.
    pub detail: String,
}

fn count_of(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl ImportedPage {
    fn new(state: &AppState, context: &RequestContext, project: i64, report: ImportReport) -> Self {
        let lang = context.lang;
        let count = |key: &str, n: usize| kizuki_i18n::count(lang, key, count_of(n));
        let done = kizuki_i18n::format(
            lang,
            "qda.import.done",
            &[
                (
                    "transcripts",
                    &count("qda.import.transcripts_n", report.transcripts),
                ),
                ("groups", &count("qda.import.codes_n", report.groups)),
                ("cards", &count("qda.import.cards_n", report.cards)),
            ],
        );
        ImportedPage {
            page: Chrome::new(state, context, "qda.import.partly_title"),
            done,
            origin: report.origin,
            utf16: report.utf16,
            any_blank: report.files.iter().any(|file| !file.blank.is_empty()),
            files: report
                .files
                .into_iter()
                .map(|file| FileLine {
                    name: file.name,
                    path: file.path,
                    characters: count_of(file.characters),
                    selections: count_of(file.selections),
                    cards: count_of(file.cards),
                    blank_count: count_of(file.blank.len()),
                    blank: file
                        .blank
                        .into_iter()
                        .map(|(start, end)| format!("{start}–{end}"))
                        .collect(),
                })
                .collect(),
            missing: report
                .missing_sources
                .into_iter()
                .map(|(name, selections)| MissingLine {
                    name,
                    codings: count_of(selections),
                })
                .collect(),
            other_codings: report
                .other_sources
                .iter()
                .map(|(_, _, selections)| count_of(*selections))
                .sum(),
            others: report
                .other_sources
                .into_iter()
                .map(|(name, kind, selections)| {
                    let kind = match kind.as_str() {
                        "PDF" | "Picture" | "Audio" | "Video" => {
                            kizuki_i18n::text(lang, &format!("qda.import.kind.{kind}"))
                        }
                        _ => kind.as_str(),
                    };
                    let codings = count("qda.import.missing_codings", selections);
                    OtherLine {
                        name,
                        detail: kizuki_i18n::format(
                            lang,
                            "qda.import.other_detail",
                            &[("kind", kind), ("codings", &codings)],
                        ),
                    }
                })
                .collect(),
            project_href: context.href(&format!("/research/projects/{project}")),
        }
    }
}

/// A file sent by form: its name and bytes, and the name for a new project.
async fn upload(mut multipart: Multipart) -> Result<(String, Vec<u8>, String), AppError> {
    let (mut file_name, mut bytes, mut name) = (String::new(), Vec::new(), String::new());
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest)?
    {
        match field.name() {
            Some("file") => {
                file_name = field.file_name().unwrap_or_default().to_owned();
                bytes = field
                    .bytes()
                    .await
                    .map_err(|_| AppError::BadRequest)?
                    .to_vec();
            }
            Some("name") => name = field.text().await.map_err(|_| AppError::BadRequest)?,
            _ => {}
        }
    }
    Ok((file_name, bytes, name))
}

fn refused(
    state: &AppState,
    context: &RequestContext,
    action: &str,
    back: &str,
    error: String,
) -> Response {
    with_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        views::render(&ImportView {
            page: Chrome::new(state, context, "qda.import.title"),
            action: context.href(action),
            back: context.href(back),
            error,
        }),
    )
}

async fn import_upload(
    state: &AppState,
    context: &RequestContext,
    user: i64,
    into: Option<i64>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let (action, back) = match into {
        Some(id) => (
            format!("/research/projects/{id}/import"),
            format!("/research/projects/{id}/exchange"),
        ),
        None => (
            "/research/projects/import".to_owned(),
            "/research/projects".to_owned(),
        ),
    };
    let (file_name, bytes, name) = upload(multipart).await?;
    if bytes.is_empty() {
        let message = kizuki_i18n::text(context.lang, "qda.import.empty").to_owned();
        return Ok(refused(state, context, &action, &back, message));
    }
    let outcome = qda_exchange::import(
        state.store(),
        &bytes,
        &file_name,
        into,
        Some(&name),
        user,
        state.now(),
    )
    .await?;
    match outcome {
        Ok((project, report)) => {
            state
                .store()
                .log_qda_access(project, user, "import", &file_name, state.now())
                .await?;
            if report.is_project {
                return Ok(views::render(&ImportedPage::new(
                    state, context, project, report,
                )));
            }
            Ok(redirect_with_flash(
                context,
                &format!("/research/projects/{project}"),
                "flash.qda_imported",
            ))
        }
        Err(refusal) => Ok(refused(
            state,
            context,
            &action,
            &back,
            refusal.message(context.lang),
        )),
    }
}

/// A new project from a file.
pub async fn import_new(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    multipart: Multipart,
) -> Result<Response, AppError> {
    import_upload(&state, &context, user.id, None, multipart).await
}

/// A file into a project.
pub async fn import_into(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let project = project(&state, &id, user.id).await?;
    if !crate::qda::may_import(&project) {
        return Err(AppError::Forbidden);
    }
    import_upload(&state, &context, user.id, Some(project.id), multipart).await
}
