//! Search in a project by the API.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};

use super::ErrorBody;
use crate::context::CurrentUser;
use crate::error::AppError;
use crate::qda::project;
use crate::qda_search::{SearchParams, SearchResults, run};
use crate::state::AppState;

/// Finds words in a project's transcripts, cards and group labels. Japanese needs no spaces
/// between words; kana, width and case are folded. All terms must occur. Logged.
#[utoipa::path(get, path = "/api/v1/qda/projects/{id}/search", tag = "qda",
    params(("id" = i64, Path, description = "Project id"), SearchParams),
    responses((status = 200, body = SearchResults), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn search(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    Query(params): Query<SearchParams>,
) -> Result<Response, AppError> {
    let project = project(&state, &id, user.id).await?;
    Ok(Json(run(&state, &project, user.id, &params.q).await?).into_response())
}
