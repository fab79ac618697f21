//! The KJ board's changes, the one place that makes them for the board's page, its script and
//! the API alike: move cards and groups into a group or to the top, put one somewhere on the
//! table, rename, dissolve, relate, delete. Every change goes through one handler per kind,
//! answering forms with a redirect and scripts and API clients with JSON, and raises the
//! project's revision so that other researchers' boards know to refresh.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use kizuki_domain::qda::{spread, tree};
use kizuki_domain::text;
use kizuki_store::{Store, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::context::{CurrentUser, RequestContext};
use crate::error::{AppError, ErrorKind, api_error};
use crate::forms::{JsonOrForm, redirect_with_flash};
use crate::qda::project;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct BoardNode {
    id: i64,
    is_group: bool,
    parent_id: Option<i64>,
    label: String,
    memo: String,
    quote: Option<String>,
    transcript_id: Option<i64>,
    start: Option<i64>,
    end: Option<i64>,
    /// Where the group sits on the A型 diagram.
    x: Option<i64>,
    y: Option<i64>,
    /// Where the node lies on the board's table, relative to the inside of its group; none
    /// until someone puts it somewhere (it is then laid out in rows below what has been).
    spread_x: Option<i64>,
    spread_y: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct BoardRelation {
    id: i64,
    from_id: i64,
    to_id: i64,
    /// cause, contrast, similarity or mutual.
    kind: String,
}

#[derive(Serialize, ToSchema)]
pub struct BoardState {
    /// Rises with every change; poll it to know when to reload.
    revision: i64,
    /// Absent when the board has not changed since `since`.
    #[serde(skip_serializing_if = "Option::is_none")]
    nodes: Option<Vec<BoardNode>>,
    /// Absent when the board has not changed since `since`.
    #[serde(skip_serializing_if = "Option::is_none")]
    relations: Option<Vec<BoardRelation>>,
}

#[derive(Deserialize)]
pub struct SinceQuery {
    #[serde(default)]
    since: Option<i64>,
}

/// The board's cards, groups and relations, or only `{revision}` when it has not changed
/// since `since`.
#[utoipa::path(get, path = "/api/v1/qda/projects/{id}/board", tag = "qda",
    params(("id" = i64, Path, description = "Project id"),
        ("since" = Option<i64>, Query, description = "The revision the caller has")),
    responses((status = 200, body = BoardState)), security(("bearer" = [])))]
pub async fn board_state(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    Query(query): Query<SinceQuery>,
) -> Result<Response, AppError> {
    let project = project(&state, &id, user.id).await?;
    let revision = state.store().qda_revision(project.id).await?;
    if query.since == Some(revision) {
        return Ok(Json(BoardState {
            revision,
            nodes: None,
            relations: None,
        })
        .into_response());
    }
    let nodes = state.store().qda_nodes(project.id).await?;
    let relations = state.store().qda_relations(project.id).await?;
    Ok(Json(BoardState {
        revision,
        nodes: Some(
            nodes
                .into_iter()
                .map(|n| BoardNode {
                    id: n.id,
                    is_group: n.is_group,
                    parent_id: n.parent_id,
                    label: n.label,
                    memo: n.memo,
                    quote: n.quote,
                    transcript_id: n.transcript_id,
                    start: n.start,
                    end: n.end,
                    x: n.board_x,
                    y: n.board_y,
                    spread_x: n.spread_x,
                    spread_y: n.spread_y,
                })
                .collect(),
        ),
        relations: Some(
            relations
                .into_iter()
                .map(|r| BoardRelation {
                    id: r.id,
                    from_id: r.from_id,
                    to_id: r.to_id,
                    kind: r.kind,
                })
                .collect(),
        ),
    })
    .into_response())
}

/// A change to the board. Which fields count depends on the change.
#[derive(Deserialize, ToSchema, Default)]
pub struct BoardChange {
    /// The cards or groups to move.
    #[serde(default)]
    nodes: Vec<i64>,
    /// The one node to rename, place or remove.
    #[serde(default)]
    node: Option<i64>,
    /// The group to dissolve.
    #[serde(default)]
    group: Option<i64>,
    /// Where to move to: a group, or none for the top.
    #[serde(default)]
    parent: Option<i64>,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    memo: Option<String>,
    /// Where to put it: on the diagram (`place`), or on the table inside its group (`spread`,
    /// and `move` with both given).
    #[serde(default)]
    x: Option<i64>,
    #[serde(default)]
    y: Option<i64>,
    #[serde(default)]
    from: Option<i64>,
    #[serde(default)]
    to: Option<i64>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    relation: Option<i64>,
    /// Where a form came from: "diagram" sends it back there.
    #[serde(default)]
    back: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ChangeDone {
    revision: i64,
    /// For a dissolved group: the members it had (to gather them again on undo).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    members: Vec<i64>,
    /// For a new relation: its id.
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<i64>,
}

impl BoardChange {
    /// The one node a change is about: `node`, else the first ticked one (forms send ticks).
    fn target(&self) -> Option<i64> {
        self.node.or(self.nodes.first().copied())
    }
}

/// The kinds of change, one per endpoint.
#[derive(Clone, Copy)]
enum Kind {
    Move,
    Edit,
    Place,
    Spread,
    Dissolve,
    Relate,
    Delete,
}

enum Outcome {
    Done(ChangeDone),
    Refused(&'static str),
}

fn done(revision: i64) -> Outcome {
    Outcome::Done(ChangeDone {
        revision,
        members: Vec::new(),
        id: None,
    })
}

fn on_table(coordinate: i64) -> bool {
    (0..=spread::MAX_POSITION).contains(&coordinate)
}

/// Makes one change to a project's board.
async fn apply(
    store: &Store,
    project: i64,
    kind: Kind,
    change: &BoardChange,
) -> Result<Outcome, StoreError> {
    let invalid = Ok(Outcome::Refused("invalid"));
    match kind {
        Kind::Move => {
            let mut nodes = change.nodes.clone();
            nodes.extend(change.node);
            if nodes.is_empty() {
                return invalid;
            }
            let at = change.x.zip(change.y);
            if at.is_some_and(|(x, y)| !on_table(x) || !on_table(y)) {
                return invalid;
            }
            store
                .move_qda_nodes(project, &nodes, change.parent, at)
                .await
                .map(done)
        }
        Kind::Edit => {
            let label = text::normalize(change.label.as_deref().unwrap_or_default());
            let memo = text::normalize(change.memo.as_deref().unwrap_or_default());
            match change.target() {
                Some(node) if label.chars().count() <= 500 && memo.chars().count() <= 5000 => store
                    .edit_qda_node(project, node, &label, &memo)
                    .await
                    .map(done),
                _ => invalid,
            }
        }
        Kind::Place => match (change.target(), change.x, change.y) {
            (Some(node), Some(x), Some(y))
                if (0..=100_000).contains(&x) && (0..=100_000).contains(&y) =>
            {
                store.place_qda_node(project, node, x, y).await.map(done)
            }
            _ => invalid,
        },
        Kind::Spread => match (change.target(), change.x, change.y) {
            (Some(node), Some(x), Some(y)) if on_table(x) && on_table(y) => {
                store.spread_qda_node(project, node, x, y).await.map(done)
            }
            _ => invalid,
        },
        Kind::Dissolve => match change.group.or(change.target()) {
            Some(group) => {
                let (members, revision) = store.dissolve_qda_group(project, group).await?;
                Ok(Outcome::Done(ChangeDone {
                    revision,
                    members,
                    id: None,
                }))
            }
            None => invalid,
        },
        Kind::Relate => match (
            change.relation,
            change.from,
            change.to,
            change.kind.as_deref(),
        ) {
            (Some(relation), ..) => store.delete_qda_relation(project, relation).await.map(done),
            (None, Some(from), Some(to), Some(kind)) => {
                let (id, revision) = store.add_qda_relation(project, from, to, kind).await?;
                Ok(Outcome::Done(ChangeDone {
                    revision,
                    members: Vec::new(),
                    id: Some(id),
                }))
            }
            _ => invalid,
        },
        Kind::Delete => match change.target() {
            Some(card) => store.delete_qda_card(project, card).await.map(done),
            None => invalid,
        },
    }
}

/// Makes the change and answers in kind: JSON to scripts and API clients, a redirect with a
/// message to forms (back to the board, or to the diagram when the form came from there).
async fn change(
    state: &AppState,
    context: &RequestContext,
    user: i64,
    id: &str,
    kind: Kind,
    body: JsonOrForm<BoardChange>,
) -> Result<Response, AppError> {
    let project = project(state, id, user).await?;
    let outcome = match apply(state.store(), project.id, kind, &body.value).await {
        Ok(outcome) => outcome,
        Err(StoreError::NotFound) => Outcome::Refused("gone"),
        Err(StoreError::Refused(reason)) => Outcome::Refused(reason),
        Err(other) => return Err(other.into()),
    };
    let path = match body.value.back.as_deref() {
        Some("diagram") => format!("/research/projects/{}/diagram", project.id),
        _ => format!("/research/projects/{}/board", project.id),
    };
    Ok(match (outcome, body.is_json) {
        (Outcome::Done(done), true) => Json(done).into_response(),
        (Outcome::Done(_), false) => redirect_with_flash(context, &path, "flash.qda_board_saved"),
        (Outcome::Refused(reason), true) => api_error(
            if matches!(reason, "invalid" | "too_deep") {
                ErrorKind::Unprocessable
            } else {
                ErrorKind::Conflict
            },
            refusal_message(reason),
        ),
        (Outcome::Refused(reason), false) => redirect_with_flash(
            context,
            &path,
            match reason {
                "loop" => "flash.qda_loop",
                "too_deep" => "flash.qda_too_deep",
                "invalid" => "flash.qda_board_invalid",
                _ => "flash.qda_board_conflict",
            },
        ),
    })
}

// The messages below and in the catalogue say the limit in words.
const _: () = assert!(tree::MAX_DEPTH == 32);

fn refusal_message(reason: &str) -> &'static str {
    match reason {
        "loop" => "A group cannot go inside itself or one of its own groups.",
        "too_deep" => "Groups may nest at most 32 levels deep.",
        "not_a_group" => "The place to move to is not a group of this project (any more).",
        "gone" => "Someone else has changed the board: that card or group is no longer there.",
        "relation_kind" => "Use cause, contrast, similarity or mutual.",
        "relation_self" => "A relation joins two different groups.",
        "invalid" => "Something needed is missing or too long.",
        _ => "That change no longer fits the board; it has been reloaded.",
    }
}

/// Moves cards or groups into a group, or to the top: all of them, or (when one would put a
/// group inside itself, or the place is gone) none.
#[utoipa::path(post, path = "/api/v1/qda/projects/{id}/board/move", tag = "qda", request_body = BoardChange,
    params(("id" = i64, Path, description = "Project id")),
    responses(
        (status = 200, body = ChangeDone),
        (status = 409, description = "The board has changed: a card or group it names is gone", body = crate::api::ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn move_nodes(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    body: JsonOrForm<BoardChange>,
) -> Result<Response, AppError> {
    change(&state, &context, user.id, &id, Kind::Move, body).await
}

/// Renames a card or group (a group's label is its 表札) and sets its memo.
#[utoipa::path(post, path = "/api/v1/qda/projects/{id}/board/edit", tag = "qda", request_body = BoardChange,
    params(("id" = i64, Path, description = "Project id")),
    responses(
        (status = 200, body = ChangeDone),
        (status = 409, description = "The board has changed: a card or group it names is gone", body = crate::api::ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn edit_node(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    body: JsonOrForm<BoardChange>,
) -> Result<Response, AppError> {
    change(&state, &context, user.id, &id, Kind::Edit, body).await
}

/// Places a group on the A型 diagram.
#[utoipa::path(post, path = "/api/v1/qda/projects/{id}/board/place", tag = "qda", request_body = BoardChange,
    params(("id" = i64, Path, description = "Project id")),
    responses(
        (status = 200, body = ChangeDone),
        (status = 409, description = "The board has changed: a card or group it names is gone", body = crate::api::ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn place_node(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    body: JsonOrForm<BoardChange>,
) -> Result<Response, AppError> {
    change(&state, &context, user.id, &id, Kind::Place, body).await
}

/// Puts a card or group somewhere on the board's table, relative to the inside of its group.
#[utoipa::path(post, path = "/api/v1/qda/projects/{id}/board/spread", tag = "qda", request_body = BoardChange,
    params(("id" = i64, Path, description = "Project id")),
    responses(
        (status = 200, body = ChangeDone),
        (status = 409, description = "The board has changed: a card or group it names is gone", body = crate::api::ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn spread_node(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    body: JsonOrForm<BoardChange>,
) -> Result<Response, AppError> {
    change(&state, &context, user.id, &id, Kind::Spread, body).await
}

/// Dissolves a group: its members go up a level and the group is removed.
#[utoipa::path(post, path = "/api/v1/qda/projects/{id}/board/dissolve", tag = "qda", request_body = BoardChange,
    params(("id" = i64, Path, description = "Project id")),
    responses(
        (status = 200, body = ChangeDone),
        (status = 409, description = "The board has changed: a card or group it names is gone", body = crate::api::ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn dissolve(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    body: JsonOrForm<BoardChange>,
) -> Result<Response, AppError> {
    change(&state, &context, user.id, &id, Kind::Dissolve, body).await
}

/// Adds a relation of the A型 diagram, or removes one (`relation` given).
#[utoipa::path(post, path = "/api/v1/qda/projects/{id}/relations", tag = "qda", request_body = BoardChange,
    params(("id" = i64, Path, description = "Project id")),
    responses(
        (status = 200, body = ChangeDone),
        (status = 409, description = "The board has changed: a card or group it names is gone", body = crate::api::ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn relate(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    body: JsonOrForm<BoardChange>,
) -> Result<Response, AppError> {
    change(&state, &context, user.id, &id, Kind::Relate, body).await
}

/// Removes a card.
#[utoipa::path(post, path = "/api/v1/qda/projects/{id}/board/delete", tag = "qda", request_body = BoardChange,
    params(("id" = i64, Path, description = "Project id")),
    responses(
        (status = 200, body = ChangeDone),
        (status = 409, description = "The board has changed: a card or group it names is gone", body = crate::api::ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn delete_card(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    body: JsonOrForm<BoardChange>,
) -> Result<Response, AppError> {
    change(&state, &context, user.id, &id, Kind::Delete, body).await
}
