//! The JSON API under `/api/v1/`. Authentication is by bearer token only (never cookies), so the
//! API needs no CSRF token. Errors share one shape: `{"error":{"code":"…","message":"…"}}`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

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

/// The one error shape of the API.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable machine-readable code, e.g. `not_found`, `unauthenticated`, `forbidden`.
    code: String,
    /// A human-readable explanation in English.
    message: String,
}

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API token (kzk_…) from the account page or `kizuki token create`",
                    ))
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Kizuki API",
        description = "Trainings, study groups and research data of a peer-support training network."
    ),
    paths(healthz, me, openapi_document),
    components(schemas(Health, Me, ErrorBody, ErrorDetail)),
    modifiers(&BearerScheme),
    tags(
        (name = "system", description = "Health and the API description"),
        (name = "accounts", description = "Accounts and tokens")
    )
)]
pub struct ApiDoc;

/// This document.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "system",
    responses((status = 200, description = "The OpenAPI 3.1 document of this API"))
)]
pub async fn openapi_document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
