//! Health and the caller's own account.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use super::ErrorBody;

use crate::context::CurrentUser;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// "ok" when the server and its database answer.
    status: &'static str,
    /// "sqlite" or "postgres".
    database: &'static str,
    version: &'static str,
}

/// Liveness and readiness: 200 when the database answers, 503 when it does not.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "system",
    responses(
        (status = 200, description = "The server and its database are up", body = Health),
        (status = 503, description = "The database does not answer", body = Health)
    )
)]
pub async fn healthz(State(state): State<AppState>) -> Response {
    let up = state.store().ping().await;
    let database = match state.store().backend() {
        kizuki_store::Backend::Sqlite => "sqlite",
        kizuki_store::Backend::Postgres => "postgres",
    };
    let body = Health {
        status: if up { "ok" } else { "unavailable" },
        database,
        version: env!("CARGO_PKG_VERSION"),
    };
    let status = if up {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    id: i64,
    email: String,
    display_name: String,
    /// One of admin, organizer, facilitator, host, researcher.
    role: String,
}

/// The account the bearer token belongs to.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "accounts",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The token's account", body = Me),
        (status = 401, description = "No valid token", body = ErrorBody)
    )
)]
pub async fn me(CurrentUser(user): CurrentUser) -> Json<Me> {
    Json(Me {
        id: user.id,
        email: user.email,
        display_name: user.display_name,
        role: user.role.as_str().to_owned(),
    })
}
