//! Importing a file by the API: QDPX, QDC, a project document, DOCX, WebVTT or plain text,
//! as a new project or into one, all or nothing, with a report of what was placed.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ErrorBody;
use crate::context::CurrentUser;
use crate::error::{AppError, ErrorKind, api_error};
use crate::qda::id_of;
use crate::qda_exchange::{self, ImportReport};
use crate::state::AppState;

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
        (status = 403, description = "Only the project's key keepers import into it", body = ErrorBody),
        (status = 404, description = "No project with the id in `project`, or not this account's", body = ErrorBody),
        (status = 422, body = ErrorBody)
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
