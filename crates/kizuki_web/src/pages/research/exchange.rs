//! Files in and out of a project: the project as QDPX and its groups as a QDC codebook (both
//! logged), and importing a file — QDPX or QDC from another tool, DOCX, WebVTT or plain text —
//! as a new project or into one. An import is all or nothing; a refused file is named with the
//! reason (and the line, for XML) and nothing is stored.

use askama::Template;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{id_of, project, project_base, project_chrome};
use crate::context::{CurrentUser, RequestContext};
use crate::download;
use crate::error::{AppError, ErrorKind, api_error};
use crate::forms::{redirect_with_flash, with_status};
use crate::qda_exchange::{self, ExportFormat, ImportReport};
use crate::state::AppState;
use crate::views::{self, Chrome};

async fn export(
    state: &AppState,
    id: &str,
    user: i64,
    format: ExportFormat,
) -> Result<Response, AppError> {
    let project = project(state, id, user).await?;
    let bytes = qda_exchange::export(state.store(), project.id, &project.name, format).await?;
    let file = format.file_name(&project.name, project.id, crate::today(state.now()));
    state
        .store()
        .log_qda_access(project.id, user, "export_project", &file, state.now())
        .await?;
    Ok(download::attachment(
        bytes.into_response(),
        format.content_type(),
        &file,
    ))
}

/// The whole project as a REFI-QDA project archive. Logged.
#[utoipa::path(get, path = "/api/v1/qda/projects/{id}/export.qdpx", tag = "qda",
    params(("id" = i64, Path, description = "Project id")),
    responses((status = 200, description = "QDPX (zip)")), security(("bearer" = [])))]
pub async fn export_qdpx(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    export(&state, &id, user.id, ExportFormat::Qdpx).await
}

/// The groups as a REFI-QDA codebook of nested codes. Logged.
#[utoipa::path(get, path = "/api/v1/qda/projects/{id}/codebook.qdc", tag = "qda",
    params(("id" = i64, Path, description = "Project id")),
    responses((status = 200, description = "QDC (XML)")), security(("bearer" = [])))]
pub async fn codebook_qdc(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    export(&state, &id, user.id, ExportFormat::Qdc).await
}

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

#[derive(Deserialize, ToSchema)]
pub struct ImportQuery {
    /// Import into this project (else a new one is made).
    #[serde(default)]
    project: Option<String>,
    /// The new project's name (else the file's own).
    #[serde(default)]
    name: Option<String>,
    /// The file's name; its ending tells WebVTT apart from plain text.
    #[serde(default)]
    file_name: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ImportedView {
    project_id: i64,
    transcripts: usize,
    groups: usize,
    cards: usize,
    relations: usize,
    /// Names the project's pseudonym key replaced (only key keepers import, so only they
    /// learn it: the count would let anyone else confirm a guessed real name).
    replaced: usize,
    /// Sources the file named but did not hold (a project document sent without its
    /// `sources/`): left out with their codings, so nothing is half imported.
    missing_sources: Vec<MissingSourceView>,
    /// The tool that wrote the file, as it says (REFI-QDA projects only).
    origin: String,
    /// How the file counted positions: `characters`, or `utf16` (NVivo's UTF-16 code units).
    positions: String,
    /// Each text source: what was mapped and what could not be.
    files: Vec<ImportedFileView>,
    /// Sources that are not text (PDF, pictures, recordings), left out with their codings.
    other_sources: Vec<OtherSourceView>,
}

#[derive(Serialize, ToSchema)]
pub struct ImportedFileView {
    name: String,
    /// Its `plainTextPath` as written; empty when the text was in the project document.
    path: String,
    /// Characters of the text as stored.
    characters: usize,
    /// Selections the file held in it.
    selections: usize,
    /// Cards made (a passage with two codes makes a card in each group).
    cards: usize,
    /// Selections left out for holding only spaces or line breaks, as `[start, end]` in the
    /// file's own positions.
    blank: Vec<[usize; 2]>,
}

#[derive(Serialize, ToSchema)]
pub struct OtherSourceView {
    name: String,
    /// `PDF`, `Picture`, `Audio`, `Video` (the element's name without `Source`).
    kind: String,
    /// Its codings, left out with it.
    selections: usize,
}

#[derive(Serialize, ToSchema)]
pub struct MissingSourceView {
    name: String,
    /// Its codings, left out with it.
    selections: usize,
}

impl ImportedView {
    fn new(project_id: i64, report: ImportReport) -> Self {
        ImportedView {
            project_id,
            transcripts: report.transcripts,
            groups: report.groups,
            cards: report.cards,
            relations: report.relations,
            replaced: report.replaced,
            missing_sources: report
                .missing_sources
                .into_iter()
                .map(|(name, selections)| MissingSourceView { name, selections })
                .collect(),
            origin: report.origin,
            positions: if report.utf16 { "utf16" } else { "characters" }.to_owned(),
            files: report
                .files
                .into_iter()
                .map(|file| ImportedFileView {
                    name: file.name,
                    path: file.path,
                    characters: file.characters,
                    selections: file.selections,
                    cards: file.cards,
                    blank: file.blank.into_iter().map(|(s, e)| [s, e]).collect(),
                })
                .collect(),
            other_sources: report
                .other_sources
                .into_iter()
                .map(|(name, kind, selections)| OtherSourceView {
                    name,
                    kind,
                    selections,
                })
                .collect(),
        }
    }
}

/// Imports a file sent as the request body: QDPX, QDC, a project document, DOCX, WebVTT or
/// plain text. All or nothing.
#[utoipa::path(post, path = "/api/v1/qda/import", tag = "qda",
    params(("project" = Option<i64>, Query, description = "Project to import into"),
        ("name" = Option<String>, Query, description = "Name of the new project"),
        ("file_name" = Option<String>, Query, description = "The file's name")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses(
        (status = 201, body = ImportedView),
        (status = 403, description = "Only the project's key keepers import into it", body = crate::api::ErrorBody),
        (status = 404, description = "No project with the id in `project`, or not this account's", body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn import_api(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(query): Query<ImportQuery>,
    body: Bytes,
) -> Result<Response, AppError> {
    let into = match query.project.as_deref() {
        Some(id) => {
            let project = state.store().qda_project_for(id_of(id)?, user.id).await?;
            if !crate::qda::may_import(&project) {
                return Ok(crate::qda::import_refused());
            }
            Some(project.id)
        }
        // A new project's importer keeps its (still empty) key.
        None => None,
    };
    let file_name = query.file_name.unwrap_or_default();
    let outcome = qda_exchange::import(
        state.store(),
        &body,
        &file_name,
        into,
        query.name.as_deref(),
        user.id,
        state.now(),
    )
    .await?;
    match outcome {
        Ok((project, report)) => {
            state
                .store()
                .log_qda_access(project, user.id, "import", &file_name, state.now())
                .await?;
            Ok((
                StatusCode::CREATED,
                Json(ImportedView::new(project, report)),
            )
                .into_response())
        }
        Err(refusal) => Ok(api_error(
            ErrorKind::Unprocessable,
            &refusal.message(kizuki_i18n::Lang::En),
        )),
    }
}
