//! The KJ-method API's changes to a transcript after import: its details, its turns (a speaker
//! renamed, one line's speaker set or taken off), and the pseudonym key applied again, with a
//! preview for key keepers. The cards move with their words (`Store::rewrite_transcript`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kizuki_i18n::Lang;
use kizuki_store::StoreError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::clean_json::CleanJson;
use super::qda::{TurnView, turn_views};
use super::{ErrorBody, FieldMistake, invalid};
use crate::context::CurrentUser;
use crate::error::{AppError, ErrorKind, api_error};
use crate::qda::transcript as member_transcript;
use crate::qda::{TurnEdit, plan_turns};
use crate::state::AppState;

fn refused(field: &str, key: &str) -> Response {
    invalid(vec![FieldMistake {
        field: field.to_owned(),
        message: kizuki_i18n::text(Lang::En, key).to_owned(),
    }])
}

/// Fields to change; those left out keep their value.
#[derive(Deserialize, ToSchema)]
pub struct DetailsBody {
    #[serde(default)]
    name: Option<String>,
    /// group, individual or other.
    #[serde(default)]
    kind: Option<String>,
    /// YYYY-MM-DD, or "" for none.
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    place: Option<String>,
    #[serde(default)]
    participants: Option<i64>,
}

/// Changes a transcript's session details.
#[utoipa::path(patch, path = "/api/v1/qda/transcripts/{id}", tag = "qda", request_body = DetailsBody,
    params(("id" = i64, Path, description = "Transcript id")),
    responses((status = 204), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn update_details(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    CleanJson(body): CleanJson<DetailsBody>,
) -> Result<Response, AppError> {
    let (found, _) = member_transcript(&state, &id, user.id).await?;
    let form = crate::qda::TranscriptForm {
        name: body.name.unwrap_or(found.name),
        kind: body.kind.unwrap_or(found.kind),
        date: body.date.or(found.session_date).unwrap_or_default(),
        place: body.place.unwrap_or(found.place),
        participants: body.participants.or(found.participants),
        ..crate::qda::TranscriptForm::default()
    };
    let mut mistakes = Vec::new();
    let meta = crate::qda::meta(&form, &mut mistakes);
    if !mistakes.is_empty() {
        return Ok(invalid(
            mistakes
                .iter()
                .map(|m| FieldMistake {
                    field: m.field.to_owned(),
                    message: kizuki_i18n::text(Lang::En, m.key).to_owned(),
                })
                .collect(),
        ));
    }
    state
        .store()
        .update_transcript_meta(found.id, &meta)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct RenameBody {
    from: String,
    to: String,
}

/// Either `rename` (a speaker, wherever their turns open) or `line` with `speaker` (a turn of
/// that speaker starts at the line; "" takes the line's speaker off).
#[derive(Deserialize, ToSchema)]
pub struct TurnsBody {
    #[serde(default)]
    rename: Option<RenameBody>,
    /// Counted from 1.
    #[serde(default)]
    line: Option<usize>,
    #[serde(default)]
    speaker: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TurnsChanged {
    turns: Vec<TurnView>,
}

/// Edits a transcript's speaker turns; its cards keep their words. 409 when the text changed
/// meanwhile.
#[utoipa::path(post, path = "/api/v1/qda/transcripts/{id}/turns", tag = "qda", request_body = TurnsBody,
    params(("id" = i64, Path, description = "Transcript id")),
    responses((status = 200, body = TurnsChanged), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn edit_turns(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    CleanJson(body): CleanJson<TurnsBody>,
) -> Result<Response, AppError> {
    let (found, _) = member_transcript(&state, &id, user.id).await?;
    let speaker = body.speaker.unwrap_or_default();
    let edit = match (&body.rename, body.line) {
        (Some(rename), None) => TurnEdit::Rename {
            from: &rename.from,
            to: &rename.to,
        },
        (None, Some(line)) => TurnEdit::Line {
            line: Some(line),
            speaker: &speaker,
        },
        _ => return Ok(refused("rename", "qda.edit.turns_one")),
    };
    let planned = plan_turns(&found.body, edit);
    let replacements = match planned {
        Ok(replacements) => replacements,
        Err((field, key)) => return Ok(refused(field, key)),
    };
    match state
        .store()
        .rewrite_transcript(found.id, &found.body, &replacements, None)
        .await
    {
        Ok(body) => Ok(Json(TurnsChanged {
            turns: turn_views(&body),
        })
        .into_response()),
        Err(StoreError::Refused(_)) => Ok(api_error(
            ErrorKind::Conflict,
            kizuki_i18n::text(Lang::En, "qda.edit.changed"),
        )),
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize, ToSchema)]
pub struct PseudonymiseBody {
    /// Only list what would be replaced.
    #[serde(default)]
    preview: bool,
}

#[derive(Serialize, ToSchema)]
pub struct Replaced {
    /// Code points of the text before, end exclusive.
    start: usize,
    end: usize,
    real: String,
    pseudonym: String,
}

#[derive(Serialize, ToSchema)]
pub struct Pseudonymised {
    applied: bool,
    replaced: Vec<Replaced>,
}

/// Applies the project's pseudonym key to the stored text again (key keepers only), with the
/// card labels and group memos; `preview` lists the places without changing anything. Logged.
#[utoipa::path(post, path = "/api/v1/qda/transcripts/{id}/pseudonymise", tag = "qda", request_body = PseudonymiseBody,
    params(("id" = i64, Path, description = "Transcript id")),
    responses((status = 200, body = Pseudonymised), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn pseudonymise(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    CleanJson(body): CleanJson<PseudonymiseBody>,
) -> Result<Response, AppError> {
    let (found, project) = member_transcript(&state, &id, user.id).await?;
    if project.role != "key_keeper" {
        return Err(AppError::Forbidden);
    }
    let applied = !body.preview;
    let Some(replacements) =
        crate::qda::apply_key(&state, &project, &found, user.id, body.preview).await?
    else {
        return Ok(api_error(
            ErrorKind::Conflict,
            kizuki_i18n::text(Lang::En, "qda.edit.changed"),
        ));
    };
    Ok(Json(Pseudonymised {
        applied,
        replaced: replacements
            .into_iter()
            .map(|r| Replaced {
                start: r.start,
                end: r.end,
                real: r.real,
                pseudonym: r.pseudonym,
            })
            .collect(),
    })
    .into_response())
}
