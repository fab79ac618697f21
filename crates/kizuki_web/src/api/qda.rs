//! The KJ-method API for researchers: projects and their members, the pseudonym key,
//! transcripts (stored pseudonymised, positions in code points), cards, groups, and the report
//! table. Every endpoint needs `Research`, and a project answers only its members (404 for
//! anyone else). Reads and exports of transcript content are written to the project's access
//! log.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kizuki_domain::qda::pseudonyms::{self, Entry};
use kizuki_domain::qda::{self, transcript, tree, webvtt};
use kizuki_domain::{EmailAddress, text};
use kizuki_store::{CardInput, QdaNode, QdaProject, StoreError, TranscriptInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::clean_json::CleanJson;
use super::{ErrorBody, FieldMistake, invalid};
use crate::context::CurrentUser;
use crate::download;
use crate::error::{AppError, ErrorKind, api_error};
use crate::state::AppState;

fn id_of(id: &str) -> Result<i64, AppError> {
    id.parse().map_err(|_| AppError::NotFound)
}

fn mistake(field: &str, message: &str) -> FieldMistake {
    FieldMistake {
        field: field.to_owned(),
        message: message.to_owned(),
    }
}

async fn project(state: &AppState, id: &str, user: i64) -> Result<QdaProject, AppError> {
    Ok(state.store().qda_project_for(id_of(id)?, user).await?)
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
    responses((status = 201, body = ProjectView), (status = 422, body = ErrorBody)),
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
    let found = match EmailAddress::parse(&body.email) {
        Ok(email) => match state.store().user_by_email(&email).await {
            Ok(found) => Some(found),
            Err(StoreError::NotFound) => None,
            Err(other) => return Err(other.into()),
        },
        Err(_) => None,
    };
    let Some(member) = found.filter(|u| {
        kizuki_domain::Permission::Research.check(Some(u.role)) == kizuki_domain::Access::Granted
    }) else {
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
    match state.store().set_pseudonyms(project.id, &entries).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            return Ok(invalid(vec![mistake("real", "A real name appears twice.")]));
        }
        Err(other) => return Err(other.into()),
    }
    state
        .store()
        .log_qda_access(project.id, user.id, "change_key", "pseudonyms", state.now())
        .await?;
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
    /// How many real names the key replaced.
    replaced: usize,
}

fn turn_views(body: &str) -> Vec<TurnView> {
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
    responses((status = 201, body = TranscriptCreated), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn create_transcript(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    CleanJson(body): CleanJson<TranscriptBody>,
) -> Result<Response, AppError> {
    let project = project(&state, &id, user.id).await?;
    let mut mistakes = Vec::new();
    let name = text::normalize_line(&body.name);
    if name.is_empty() || name.chars().count() > 200 {
        mistakes.push(mistake("name", "Give a name of up to 200 characters."));
    }
    let kind = body.kind.as_deref().unwrap_or("group");
    if !matches!(kind, "group" | "individual" | "other") {
        mistakes.push(mistake("kind", "Use group, individual or other."));
    }
    let raw = match body.format.as_deref().unwrap_or("text") {
        "text" | "markdown" => Some(transcript::normalize(&body.text)),
        "webvtt" => match webvtt::to_text(&body.text) {
            Ok(text) => Some(text),
            Err(error) => {
                mistakes.push(mistake(
                    "text",
                    &format!("This is not WebVTT (line {}).", error.line),
                ));
                None
            }
        },
        _ => {
            mistakes.push(mistake("format", "Use text, markdown or webvtt."));
            None
        }
    };
    if raw.as_ref().is_some_and(|t| t.is_empty()) {
        mistakes.push(mistake("text", "The transcript is empty."));
    }
    let date = body
        .date
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty());
    if date.is_some_and(|d| d.parse::<jiff::civil::Date>().is_err()) {
        mistakes.push(mistake("date", "Give the date as YYYY-MM-DD."));
    }
    if body.participants.is_some_and(|n| !(1..=1000).contains(&n)) {
        mistakes.push(mistake("participants", "Give a number from 1 to 1000."));
    }
    let Some(raw) = raw.filter(|_| mistakes.is_empty()) else {
        return Ok(invalid(mistakes));
    };
    let key = state.store().pseudonyms(project.id).await?;
    let (body_text, replaced) = pseudonyms::apply(&raw, &key);
    let input = TranscriptInput {
        name,
        kind: kind.to_owned(),
        session_date: date.map(str::to_owned),
        place: text::normalize_line(body.place.as_deref().unwrap_or_default()),
        participants: body.participants,
        body: body_text,
    };
    let id = state
        .store()
        .create_transcript(project.id, &input, state.now())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(TranscriptCreated {
            id,
            length: qda::length(&input.body),
            turns: turn_views(&input.body),
            replaced: replaced.len(),
        }),
    )
        .into_response())
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

async fn transcript_in_project(
    state: &AppState,
    id: &str,
    user: i64,
) -> Result<(kizuki_store::Transcript, QdaProject), AppError> {
    let transcript = state.store().transcript(id_of(id)?).await?;
    let project = state
        .store()
        .qda_project_for(transcript.project_id, user)
        .await?;
    Ok((transcript, project))
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
    let (found, project) = transcript_in_project(&state, &id, user.id).await?;
    state
        .store()
        .log_qda_access(
            project.id,
            user.id,
            "view_transcript",
            &format!("transcript {}", found.id),
            state.now(),
        )
        .await?;
    let nodes = state.store().qda_nodes(project.id).await?;
    Ok(Json(TranscriptView {
        id: found.id,
        length: qda::length(&found.body),
        turns: turn_views(&found.body),
        cards: nodes
            .iter()
            .filter(|n| n.transcript_id == Some(found.id))
            .filter_map(card_view)
            .collect(),
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
    let (found, project) = transcript_in_project(&state, &id, user.id).await?;
    let quote = usize::try_from(body.start)
        .ok()
        .zip(usize::try_from(body.end).ok())
        .filter(|(start, end)| start < end)
        .and_then(|(start, end)| qda::slice(&found.body, start, end));
    let Some(quote) = quote else {
        return Ok(invalid(vec![mistake(
            "end",
            &format!(
                "Give 0 ≤ start < end ≤ {} (code points of the transcript).",
                qda::length(&found.body)
            ),
        )]));
    };
    let label = text::normalize(&body.label);
    let card = CardInput {
        transcript_id: found.id,
        start: body.start,
        end: body.end,
        quote,
        label: &label,
    };
    let id = state
        .store()
        .create_card(project.id, &card, user.id, state.now())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CardView {
            id,
            transcript_id: found.id,
            start: body.start,
            end: body.end,
            text: quote.to_owned(),
            label,
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

/// The report table as CSV (UTF-8 with BOM): one row per card, with the labels of the groups
/// above it (CAT1 the top), the transcript, the speaker and the quote. Logged.
#[utoipa::path(get, path = "/api/v1/qda/projects/{id}/table.csv", tag = "qda",
    params(("id" = i64, Path, description = "Project id")),
    responses((status = 200, description = "CSV")), security(("bearer" = [])))]
pub async fn table_csv(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let project = project(&state, &id, user.id).await?;
    let nodes = state.store().qda_nodes(project.id).await?;
    let transcripts = state.store().transcripts(project.id).await?;
    let tree_nodes: Vec<tree::Node> = nodes.iter().map(QdaNode::as_tree_node).collect();
    let rows = tree::rows(&tree_nodes);
    let depth = rows
        .iter()
        .map(|r| r.categories.len())
        .max()
        .unwrap_or(0)
        .max(1);
    let mut table = vec![
        (1..=depth)
            .map(|n| format!("CAT{n}"))
            .chain(
                [
                    "label", "quote", "source", "speaker", "start", "end", "card",
                ]
                .map(str::to_owned),
            )
            .collect::<Vec<_>>(),
    ];
    for row in rows {
        let Some(card) = nodes.iter().find(|n| n.id == row.card) else {
            continue;
        };
        let source = transcripts
            .iter()
            .find(|t| Some(t.id) == card.transcript_id);
        let speaker = source
            .and_then(|t| {
                let start = usize::try_from(card.start?).ok()?;
                transcript::turns(&t.body)
                    .into_iter()
                    .find(|turn| turn.start <= start && start < turn.end.max(turn.start + 1))
                    .map(|turn| turn.speaker)
            })
            .unwrap_or_default();
        let mut line = row.categories.clone();
        line.resize(depth, String::new());
        line.extend([
            card.label.clone(),
            card.quote.clone().unwrap_or_default(),
            source.map(|t| t.name.clone()).unwrap_or_default(),
            speaker,
            card.start.map(|n| n.to_string()).unwrap_or_default(),
            card.end.map(|n| n.to_string()).unwrap_or_default(),
            card.id.to_string(),
        ]);
        table.push(line);
    }
    state
        .store()
        .log_qda_access(
            project.id,
            user.id,
            "export_table",
            "table.csv",
            state.now(),
        )
        .await?;
    download::csv(&table, &format!("table-{}.csv", project.id))
}
