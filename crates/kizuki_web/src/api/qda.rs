//! The KJ-method API for researchers: projects and their members, the pseudonym key,
//! transcripts (stored pseudonymised, positions in code points), cards, groups, and the report
//! table. Every endpoint needs `Research`, and a project answers only its members (404 for
//! anyone else). Reads and exports of transcript content are written to the project's access
//! log.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kizuki_domain::qda::pseudonyms::Entry;
use kizuki_domain::qda::{self, transcript};
use kizuki_domain::text;
use kizuki_i18n::Lang;
use kizuki_store::{QdaNode, QdaProject, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::clean_json::CleanJson;
use super::{ErrorBody, FieldMistake, invalid};
use crate::context::CurrentUser;
use crate::error::{AppError, ErrorKind, api_error};
use crate::qda::{project, transcript as member_transcript};
use crate::state::AppState;

fn mistake(field: &str, message: &str) -> FieldMistake {
    FieldMistake {
        field: field.to_owned(),
        message: message.to_owned(),
    }
}

fn keeper_only(project: &QdaProject) -> Result<(), AppError> {
    if project.role == "key_keeper" {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

#[derive(Deserialize, ToSchema)]
pub struct ProjectBody {
    name: String,
}

#[derive(Serialize, ToSchema)]
pub struct ProjectView {
    id: i64,
    name: String,
    /// member, or key_keeper (may read and change the pseudonym key).
    role: String,
}

impl From<QdaProject> for ProjectView {
    fn from(p: QdaProject) -> Self {
        ProjectView {
            id: p.id,
            name: p.name,
            role: p.role,
        }
    }
}

/// Starts a project; its maker is its first member and keeps the pseudonym key.
#[utoipa::path(post, path = "/api/v1/qda/projects", tag = "qda", request_body = ProjectBody,
    responses(
        (status = 201, body = ProjectView),
        (status = 409, description = "A project of this name already exists", body = ErrorBody),
        (status = 422, body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn create_project(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    CleanJson(body): CleanJson<ProjectBody>,
) -> Result<Response, AppError> {
    let name = text::normalize_line(&body.name);
    if name.is_empty() || name.chars().count() > 200 {
        return Ok(invalid(vec![mistake(
            "name",
            "Give a name of up to 200 characters.",
        )]));
    }
    let id = state
        .store()
        .create_qda_project(&name, user.id, state.now())
        .await?;
    let project = state.store().qda_project_for(id, user.id).await?;
    Ok((StatusCode::CREATED, Json(ProjectView::from(project))).into_response())
}

/// The projects the caller belongs to.
#[utoipa::path(get, path = "/api/v1/qda/projects", tag = "qda",
    responses((status = 200, body = [ProjectView])), security(("bearer" = [])))]
pub async fn projects(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Json<Vec<ProjectView>>, AppError> {
    let list = state.store().qda_projects_of(user.id).await?;
    Ok(Json(list.into_iter().map(ProjectView::from).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct MemberBody {
    email: String,
    /// member (default) or key_keeper.
    #[serde(default)]
    role: Option<String>,
}

/// Adds a researcher to the project. Only a key keeper may add another key keeper.
#[utoipa::path(post, path = "/api/v1/qda/projects/{id}/members", tag = "qda", request_body = MemberBody,
    params(("id" = i64, Path, description = "Project id")),
    responses((status = 204), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn add_member(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    CleanJson(body): CleanJson<MemberBody>,
) -> Result<Response, AppError> {
    let project = project(&state, &id, user.id).await?;
    let role = body.role.as_deref().unwrap_or("member");
    if !matches!(role, "member" | "key_keeper") {
        return Ok(invalid(vec![mistake("role", "Use member or key_keeper.")]));
    }
    if role == "key_keeper" {
        keeper_only(&project)?;
    }
    let Some(member) = crate::qda::researcher(&state, &body.email).await? else {
        return Ok(invalid(vec![mistake(
            "email",
            "No researcher has an account with this address.",
        )]));
    };
    state
        .store()
        .add_qda_member(project.id, member.id, role)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize, Serialize, ToSchema)]
pub struct PseudonymBody {
    real: String,
    pseudonym: String,
}

/// Replaces the pseudonym key (key keepers). It applies to transcripts imported from then on.
#[utoipa::path(put, path = "/api/v1/qda/projects/{id}/pseudonyms", tag = "qda", request_body = Vec<PseudonymBody>,
    params(("id" = i64, Path, description = "Project id")),
    responses((status = 200, body = [PseudonymBody]), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn set_pseudonyms(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    CleanJson(body): CleanJson<Vec<PseudonymBody>>,
) -> Result<Response, AppError> {
    let project = project(&state, &id, user.id).await?;
    keeper_only(&project)?;
    let mut entries = Vec::new();
    for (i, entry) in body.iter().enumerate() {
        let real = text::normalize_line(&entry.real);
        let pseudonym = text::normalize_line(&entry.pseudonym);
        if real.is_empty() || pseudonym.is_empty() {
            return Ok(invalid(vec![mistake(
                &format!("[{i}]"),
                "Give both the real name and its pseudonym.",
            )]));
        }
        entries.push(Entry { real, pseudonym });
    }
    if !crate::qda::save_key(&state, &project, user.id, &entries).await? {
        return Ok(invalid(vec![mistake("real", "A real name appears twice.")]));
    }
    Ok(Json(body).into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct TranscriptBody {
    name: String,
    text: String,
    /// group, individual or other.
    #[serde(default)]
    kind: Option<String>,
    /// text (default), markdown (kept as written) or webvtt.
    #[serde(default)]
    format: Option<String>,
    /// YYYY-MM-DD.
    #[serde(default)]
    date: Option<String>,
    /// The place, as a pseudonym (A市).
    #[serde(default)]
    place: Option<String>,
    #[serde(default)]
    participants: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct TurnView {
    start: usize,
    end: usize,
    speaker: String,
}

#[derive(Serialize, ToSchema)]
pub struct TranscriptCreated {
    id: i64,
    /// Code points.
    length: usize,
    turns: Vec<TurnView>,
    /// How many real names the key replaced (only key keepers import, so only they learn it:
    /// the count would let anyone else confirm a guessed real name).
    replaced: usize,
}

pub fn turn_views(body: &str) -> Vec<TurnView> {
    transcript::turns(body)
        .into_iter()
        .map(|t| TurnView {
            start: t.start,
            end: t.end,
            speaker: t.speaker,
        })
        .collect()
}

/// Imports a transcript: NFC with `\n` line endings, WebVTT read as speaker lines, and the
/// project's pseudonym key applied before anything is stored.
#[utoipa::path(post, path = "/api/v1/qda/projects/{id}/transcripts", tag = "qda", request_body = TranscriptBody,
    params(("id" = i64, Path, description = "Project id")),
    responses(
        (status = 201, body = TranscriptCreated),
        (status = 403, description = "Only the project's key keepers import transcripts", body = ErrorBody),
        (status = 422, body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn create_transcript(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    CleanJson(body): CleanJson<TranscriptBody>,
) -> Result<Response, AppError> {
    let project = project(&state, &id, user.id).await?;
    if !crate::qda::may_import(&project) {
        return Ok(crate::qda::import_refused());
    }
    let form = crate::qda::TranscriptForm {
        name: body.name,
        text: body.text,
        kind: body.kind.unwrap_or_default(),
        format: body.format.unwrap_or_default(),
        date: body.date.unwrap_or_default(),
        place: body.place.unwrap_or_default(),
        participants: body.participants,
    };
    match crate::qda::import(&state, &project, &form).await? {
        Ok(imported) => Ok((
            StatusCode::CREATED,
            Json(TranscriptCreated {
                id: imported.id,
                length: qda::length(&imported.body),
                turns: turn_views(&imported.body),
                replaced: imported.replaced,
            }),
        )
            .into_response()),
        Err(mistakes) => Ok(invalid(
            mistakes
                .iter()
                .map(|m| {
                    let line = m.line.map(|l| l.to_string()).unwrap_or_default();
                    mistake(
                        m.field,
                        &kizuki_i18n::format(Lang::En, m.key, &[("line", &line)]),
                    )
                })
                .collect(),
        )),
    }
}

#[derive(Serialize, ToSchema)]
pub struct CardView {
    id: i64,
    transcript_id: i64,
    start: i64,
    end: i64,
    /// Exactly the code points from start to end of the transcript.
    text: String,
    label: String,
    group_id: Option<i64>,
}

fn card_view(node: &QdaNode) -> Option<CardView> {
    Some(CardView {
        id: node.id,
        transcript_id: node.transcript_id?,
        start: node.start?,
        end: node.end?,
        text: node.quote.clone()?,
        label: node.label.clone(),
        group_id: node.parent_id,
    })
}

#[derive(Serialize, ToSchema)]
pub struct TranscriptView {
    id: i64,
    name: String,
    kind: String,
    date: Option<String>,
    place: String,
    participants: Option<i64>,
    text: String,
    length: usize,
    turns: Vec<TurnView>,
    cards: Vec<CardView>,
}

/// A transcript with its speaker turns and cards. Logged.
#[utoipa::path(get, path = "/api/v1/qda/transcripts/{id}", tag = "qda",
    params(("id" = i64, Path, description = "Transcript id")),
    responses((status = 200, body = TranscriptView), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn transcript(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<TranscriptView>, AppError> {
    let (found, _) = crate::qda::viewed_transcript(&state, &id, user.id, "").await?;
    let cards = state.store().transcript_cards(found.id).await?;
    Ok(Json(TranscriptView {
        id: found.id,
        length: qda::length(&found.body),
        turns: turn_views(&found.body),
        cards: cards.iter().filter_map(card_view).collect(),
        name: found.name,
        kind: found.kind,
        date: found.session_date,
        place: found.place,
        participants: found.participants,
        text: found.body,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct CardBody {
    /// Code points, end exclusive.
    start: i64,
    end: i64,
    /// A researcher's words summarising the passage (optional).
    #[serde(default)]
    label: String,
}

/// Makes a card from a passage: its text is exactly the code points from start to end.
#[utoipa::path(post, path = "/api/v1/qda/transcripts/{id}/cards", tag = "qda", request_body = CardBody,
    params(("id" = i64, Path, description = "Transcript id")),
    responses((status = 201, body = CardView), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn create_card(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    CleanJson(body): CleanJson<CardBody>,
) -> Result<Response, AppError> {
    let (found, project) = member_transcript(&state, &id, user.id).await?;
    let range = usize::try_from(body.start)
        .ok()
        .zip(usize::try_from(body.end).ok());
    let made = match range {
        Some((start, end)) => {
            crate::qda::card(&state, &project, &found, start, end, &body.label, user.id).await?
        }
        None => None,
    };
    let Some((id, quote)) = made else {
        return Ok(invalid(vec![mistake(
            "end",
            &format!(
                "Give 0 ≤ start < end ≤ {} (code points of the transcript).",
                qda::length(&found.body)
            ),
        )]));
    };
    Ok((
        StatusCode::CREATED,
        Json(CardView {
            id,
            transcript_id: found.id,
            start: body.start,
            end: body.end,
            text: quote,
            label: text::normalize(&body.label),
            group_id: None,
        }),
    )
        .into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct GroupBody {
    /// The group's summary label (表札).
    label: String,
    /// The group this one goes under, if any.
    #[serde(default)]
    parent_id: Option<i64>,
    /// Cards and groups gathered into this group.
    #[serde(default)]
    member_ids: Vec<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct GroupCreated {
    id: i64,
}

/// Gathers cards and groups under a new label, at the top or under another group.
#[utoipa::path(post, path = "/api/v1/qda/projects/{id}/groups", tag = "qda", request_body = GroupBody,
    params(("id" = i64, Path, description = "Project id")),
    responses((status = 201, body = GroupCreated), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_group(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    CleanJson(body): CleanJson<GroupBody>,
) -> Result<Response, AppError> {
    let project = project(&state, &id, user.id).await?;
    let label = text::normalize(&body.label);
    if label.is_empty() || label.chars().count() > 500 {
        return Ok(invalid(vec![mistake(
            "label",
            "Give a label of up to 500 characters.",
        )]));
    }
    match state
        .store()
        .create_group(
            project.id,
            &label,
            body.parent_id,
            &body.member_ids,
            user.id,
            state.now(),
        )
        .await
    {
        Ok(id) => Ok((StatusCode::CREATED, Json(GroupCreated { id })).into_response()),
        Err(StoreError::Refused("too_deep")) => Ok(api_error(
            ErrorKind::Unprocessable,
            "Groups may nest at most 32 levels deep.",
        )),
        Err(StoreError::Refused(reason)) => Ok(api_error(
            ErrorKind::Conflict,
            match reason {
                "not_a_group" => "parent_id is not a group of this project.",
                "loop" => "A group cannot go inside itself.",
                _ => "Every member must be a card or group of this project.",
            },
        )),
        Err(other) => Err(other.into()),
    }
}
