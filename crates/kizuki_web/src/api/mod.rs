//! The JSON API under `/api/v1/`. Authentication is by bearer token only (never cookies), so the
//! API needs no CSRF token. Errors share one shape: `{"error":{"code":"…","message":"…"}}`,
//! with `fields` added when a request body has mistakes.

pub mod applications;
pub mod catalogue;
mod clean_json;
pub use clean_json::CleanJson as CleanJsonBody;
pub mod qda;
pub mod qda_agreement;
pub mod qda_edit;
pub mod qda_import;
pub mod qda_search;
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

/// The error answers every operation can give for the same reasons, documented once and added
/// to each operation they apply to, so that the document lists every status the API sends:
/// schemathesis checks this against the running server in the test suite.
struct CommonErrors;

/// Which operations an answer applies to.
#[derive(Clone, Copy)]
enum AppliesTo {
    /// Those that read parameters or a body: it may be malformed (400) or hold values that
    /// are refused (422).
    Input,
    /// Those that need a token.
    Secured,
    /// Those with an id in the path.
    PathId,
    /// Those with a request body.
    Body,
    /// Those the public rate limits count.
    RateLimited,
}

const COMMON_ERRORS: [(&str, &str, &str, AppliesTo); 7] = [
    (
        "400",
        "BadRequest",
        "The request could not be read: malformed JSON, a query or path parameter of the wrong type",
        AppliesTo::Input,
    ),
    (
        "401",
        "Unauthenticated",
        "No API token, or one that is unknown, revoked or expired",
        AppliesTo::Secured,
    ),
    (
        "403",
        "Forbidden",
        "The token's account may not do this (its role, or not a member of the project)",
        AppliesTo::Secured,
    ),
    (
        "404",
        "NotFound",
        "Nothing with this id, or nothing this account may see",
        AppliesTo::PathId,
    ),
    (
        "413",
        "PayloadTooLarge",
        "The request body is larger than the server accepts (8 MiB)",
        AppliesTo::Body,
    ),
    (
        "422",
        "Invalid",
        "The request was read but its values are not acceptable; `fields` says which",
        AppliesTo::Input,
    ),
    (
        "429",
        "TooManyRequests",
        "Too many requests from this client; `Retry-After` says when to try again",
        AppliesTo::RateLimited,
    ),
];

/// The public operations that the rate limits count.
const RATE_LIMITED: [&str; 2] = ["/api/v1/trainings/{id}/applications", "/api/v1/answers"];

impl Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::{Operation, ParameterIn};
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};

        let components = openapi.components.get_or_insert_with(Default::default);
        for (_, name, description, _) in COMMON_ERRORS {
            let content = ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build();
            components.responses.insert(
                name.to_owned(),
                RefOr::T(
                    ResponseBuilder::new()
                        .description(description)
                        .content("application/json", content)
                        .build(),
                ),
            );
        }
        for (path, item) in openapi.paths.paths.iter_mut() {
            let operations: [&mut Option<Operation>; 5] = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                let parameters = operation.parameters.as_deref().unwrap_or_default();
                let has_path_id = parameters.iter().any(|parameter| {
                    matches!(parameter, RefOr::T(p) if p.parameter_in == ParameterIn::Path)
                });
                let has_body = operation.request_body.is_some();
                let secured = operation
                    .security
                    .as_ref()
                    .is_some_and(|requirements| !requirements.is_empty());
                for (status, name, _, applies_to) in COMMON_ERRORS {
                    let applies = match applies_to {
                        AppliesTo::Input => has_body || !parameters.is_empty(),
                        AppliesTo::Secured => secured,
                        AppliesTo::PathId => has_path_id,
                        AppliesTo::Body => has_body,
                        AppliesTo::RateLimited => RATE_LIMITED.contains(&path.as_str()),
                    };
                    if applies {
                        operation
                            .responses
                            .responses
                            .entry(status.to_owned())
                            .or_insert_with(|| RefOr::Ref(Ref::from_response_name(name)));
                    }
                }
            }
        }
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
        crate::qda_downloads::table_csv,
        crate::qda_downloads::table_xlsx,
        crate::qda_board::board_state,
        crate::qda_board::move_nodes,
        crate::qda_board::edit_node,
        crate::qda_board::place_node,
        crate::qda_board::spread_node,
        crate::qda_board::dissolve,
        crate::qda_board::delete_card,
        crate::qda_board::relate,
        crate::qda_downloads::export_qdpx,
        crate::qda_downloads::codebook_qdc,
        qda_import::import_api,
        qda_search::search,
        qda_agreement::compare,
        qda_agreement::save_sorting,
    ),
    components(schemas(ErrorBody, ErrorDetail, FieldMistake)),
    modifiers(&BearerScheme, &CommonErrors),
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
