//! The JSON API under `/api/v1/`. Authentication is by bearer token only (never cookies), so the
//! API needs no CSRF token. Errors share one shape: `{"error":{"code":"…","message":"…"}}`,
//! with `fields` added when a request body has mistakes.

pub mod applications;
pub mod catalogue;
mod clean_json;
pub use clean_json::CleanJson as CleanJsonBody;
pub mod qda;
pub mod qda_edit;
pub mod questionnaires;
pub mod registration;
mod system;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

pub use system::{healthz, me};

/// The one error shape of the API.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable machine-readable code, e.g. `not_found`, `unauthenticated`, `forbidden`, `invalid`.
    code: String,
    /// A human-readable explanation in English.
    message: String,
    /// For `invalid`: each field with a mistake.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fields: Vec<FieldMistake>,
}

#[derive(Serialize, ToSchema, Clone, Debug)]
pub struct FieldMistake {
    pub field: String,
    pub message: String,
}

/// A 422 answer listing what is wrong with a request body.
pub fn invalid(fields: Vec<FieldMistake>) -> Response {
    let body = ErrorBody {
        error: ErrorDetail {
            code: "invalid".to_owned(),
            message: "The request has mistakes; see fields.".to_owned(),
            fields,
        },
    };
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
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
    paths(
        system::healthz,
        system::me,
        openapi_document,
        catalogue::list_trainings,
        catalogue::get_training,
        catalogue::create_training,
        catalogue::update_training,
        catalogue::delete_training,
        catalogue::list_groups,
        catalogue::get_group,
        catalogue::create_group,
        catalogue::update_group,
        catalogue::delete_group,
        catalogue::list_venues,
        catalogue::create_venue,
        catalogue::update_venue,
        catalogue::delete_venue,
        applications::apply,
        registration::roster,
        registration::draw,
        registration::lottery,
        registration::record_attendance,
        registration::attendance,
        registration::decide,
        questionnaires::create,
        questionnaires::issue,
        questionnaires::answer,
        questionnaires::close,
        questionnaires::results,
        questionnaires::codebook,
        questionnaires::set_categories,
        questionnaires::code_answer,
        questionnaires::set_min_cell,
        qda::create_project,
        qda::projects,
        qda::add_member,
        qda::set_pseudonyms,
        qda::create_transcript,
        qda::transcript,
        qda::create_card,
        qda_edit::update_details,
        qda_edit::edit_turns,
        qda_edit::pseudonymise,
        qda::create_group,
        qda::table_csv,
        qda::table_xlsx,
        crate::pages::research::board::board_state,
        crate::pages::research::board::move_nodes,
        crate::pages::research::board::edit_node,
        crate::pages::research::board::place_node,
        crate::pages::research::board::dissolve,
        crate::pages::research::board::delete_card,
        crate::pages::research::board::relate,
        crate::pages::research::exchange::export_qdpx,
        crate::pages::research::exchange::codebook_qdc,
        crate::pages::research::exchange::import_api,
        crate::pages::research::search::api,
        crate::pages::research::agreement::compare_api,
        crate::pages::research::agreement::save_sorting_api,
    ),
    components(schemas(ErrorBody, ErrorDetail, FieldMistake)),
    modifiers(&BearerScheme),
    tags(
        (name = "system", description = "Health and the API description"),
        (name = "accounts", description = "Accounts and tokens"),
        (name = "catalogue", description = "Trainings, study groups and venues"),
        (name = "registration", description = "Applications to trainings"),
        (name = "questionnaires", description = "Anonymous evaluation questionnaires"),
        (name = "qda", description = "Qualitative analysis with the KJ method")
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
