//! Agreement between sortings by the API: compare two, and save one's own.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use kizuki_i18n::Lang;
use kizuki_store::StoreError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{CleanJsonBody, ErrorBody};
use crate::context::{CurrentUser, RequestContext};
use crate::error::{AppError, ErrorKind, api_error};
use crate::qda::project;
use crate::qda_agreement::{self as agreement, CompareParams, Comparison};
use crate::state::AppState;

/// Compares two sortings of a project's cards, or a sorting and the board (`board`): pairs
/// of cards put together or kept apart, the Rand and adjusted Rand indices, and Cohen's κ when
/// both sorted into the same codes.
#[utoipa::path(get, path = "/api/v1/qda/projects/{id}/agreement", tag = "qda",
    params(("id" = i64, Path, description = "Project id"), CompareParams),
    responses((status = 200, body = Comparison), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn compare(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    Query(params): Query<CompareParams>,
) -> Result<Response, AppError> {
    let project = project(&state, &id, user.id).await?;
    let sides = agreement::load_sides(&state, &project, context.lang, params.level())
        .await?
        .sides;
    let pick = |key: &str| sides.iter().find(|s| s.key == key);
    match pick(&params.a).zip(pick(&params.b)) {
        Some((a, b)) => Ok(Json(agreement::compare(a, b).0).into_response()),
        None => Ok(api_error(
            ErrorKind::NotFound,
            "Give a and b as board or sorting-{id} of this project.",
        )),
    }
}

#[derive(Deserialize, ToSchema)]
pub struct SortingBody {
    /// The codes to sort into; leave out for free labels.
    #[serde(default)]
    code_set: Vec<String>,
    /// Card id → label ("" leaves the card alone, 一匹狼).
    places: BTreeMap<i64, String>,
}

#[derive(Serialize, ToSchema)]
pub struct SortingSaved {
    id: i64,
    /// The key to compare it by: `sorting-{id}`.
    key: String,
}

/// Saves the caller's own sorting of the project's cards, whole (the intercoder check).
#[utoipa::path(put, path = "/api/v1/qda/projects/{id}/sorting", tag = "qda", request_body = SortingBody,
    params(("id" = i64, Path, description = "Project id")),
    responses((status = 200, body = SortingSaved), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn save_sorting(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    CleanJsonBody(body): CleanJsonBody<SortingBody>,
) -> Result<Response, AppError> {
    let project = project(&state, &id, user.id).await?;
    let (code_set, places) =
        match agreement::check(&body.code_set.join("\n"), body.places, Lang::En) {
            Ok(checked) => checked,
            Err(errors) => {
                return Ok(api_error(ErrorKind::Unprocessable, &errors.all().join(" ")));
            }
        };
    match state
        .store()
        .save_qda_sorting(project.id, user.id, &code_set, &places, state.now())
        .await
    {
        Ok(id) => Ok(Json(SortingSaved {
            id,
            key: format!("sorting-{id}"),
        })
        .into_response()),
        Err(StoreError::Refused(_)) => Ok(api_error(
            ErrorKind::Unprocessable,
            "Every key of places must be a card of this project.",
        )),
        Err(other) => Err(other.into()),
    }
}
