//! One error type at the HTTP edge. Handlers return [`AppError`]; the response it makes carries
//! only a marker, and [`render_if_needed`] (run by the context middleware, which knows the
//! language and the visitor) turns it into a translated page, or the JSON API's one error shape.
//! The same path turns axum's own plain-text rejections into proper pages.

use axum::Json;
use axum::http::header::{CONTENT_TYPE, LOCATION};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use kizuki_i18n::Lang;
use kizuki_store::StoreError;
use serde_json::json;

use crate::context::RequestContext;
use crate::state::AppState;
use crate::views::{self, Chrome};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("bad request")]
    BadRequest,
    #[error("sign-in required")]
    SignInRequired,
    #[error("forbidden")]
    Forbidden,
    #[error("missing or invalid CSRF token")]
    Forgery,
    #[error("not found")]
    NotFound,
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("service unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => AppError::NotFound,
            error if error.is_unavailable() => AppError::Unavailable(error.to_string()),
            other => AppError::Internal(other.to_string()),
        }
    }
}

/// What kind of error page to show; carried in the response's extensions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ErrorMarker(pub ErrorKind);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    BadRequest,
    SignInRequired,
    Forbidden,
    Forgery,
    NotFound,
    MethodNotAllowed,
    PayloadTooLarge,
    Unprocessable,
    TooManyRequests,
    Conflict,
    Unavailable,
    Internal,
}

impl ErrorKind {
    fn from_status(status: StatusCode) -> ErrorKind {
        match status {
            StatusCode::UNAUTHORIZED => ErrorKind::SignInRequired,
            StatusCode::FORBIDDEN => ErrorKind::Forbidden,
            StatusCode::NOT_FOUND => ErrorKind::NotFound,
            StatusCode::METHOD_NOT_ALLOWED => ErrorKind::MethodNotAllowed,
            StatusCode::PAYLOAD_TOO_LARGE => ErrorKind::PayloadTooLarge,
            StatusCode::UNPROCESSABLE_ENTITY | StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                ErrorKind::Unprocessable
            }
            StatusCode::TOO_MANY_REQUESTS => ErrorKind::TooManyRequests,
            StatusCode::CONFLICT => ErrorKind::Conflict,
            StatusCode::SERVICE_UNAVAILABLE => ErrorKind::Unavailable,
            status if status.is_server_error() => ErrorKind::Internal,
            _ => ErrorKind::BadRequest,
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            ErrorKind::BadRequest => StatusCode::BAD_REQUEST,
            ErrorKind::SignInRequired => StatusCode::UNAUTHORIZED,
            ErrorKind::Forbidden | ErrorKind::Forgery => StatusCode::FORBIDDEN,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorKind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorKind::Unprocessable => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorKind::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            ErrorKind::Conflict => StatusCode::CONFLICT,
            ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable `code` of the JSON API's error shape.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::BadRequest => "bad_request",
            ErrorKind::SignInRequired => "unauthenticated",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::Forgery => "csrf_token_invalid",
            ErrorKind::NotFound => "not_found",
            ErrorKind::MethodNotAllowed => "method_not_allowed",
            ErrorKind::PayloadTooLarge => "payload_too_large",
            ErrorKind::Unprocessable => "unprocessable",
            ErrorKind::TooManyRequests => "too_many_requests",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Unavailable => "unavailable",
            ErrorKind::Internal => "internal",
        }
    }

    /// The catalogue prefix of this error's title and explanation.
    fn message_key(self) -> &'static str {
        match self {
            ErrorKind::BadRequest => "error.bad_request",
            ErrorKind::SignInRequired => "error.sign_in_required",
            ErrorKind::Forbidden => "error.forbidden",
            ErrorKind::Forgery => "error.forgery",
            ErrorKind::NotFound => "error.not_found",
            ErrorKind::MethodNotAllowed => "error.method_not_allowed",
            ErrorKind::PayloadTooLarge => "error.payload_too_large",
            ErrorKind::Unprocessable => "error.unprocessable",
            ErrorKind::TooManyRequests => "error.too_many_requests",
            ErrorKind::Conflict => "error.conflict",
            ErrorKind::Unavailable => "error.unavailable",
            ErrorKind::Internal => "error.internal",
        }
    }
}

impl AppError {
    fn kind(&self) -> ErrorKind {
        match self {
            AppError::BadRequest => ErrorKind::BadRequest,
            AppError::SignInRequired => ErrorKind::SignInRequired,
            AppError::Forbidden => ErrorKind::Forbidden,
            AppError::Forgery => ErrorKind::Forgery,
            AppError::NotFound => ErrorKind::NotFound,
            AppError::PayloadTooLarge => ErrorKind::PayloadTooLarge,
            AppError::Conflict(_) => ErrorKind::Conflict,
            AppError::Unavailable(_) => ErrorKind::Unavailable,
            AppError::Internal(_) => ErrorKind::Internal,
        }
    }

    /// Renders immediately, for the rare places that run outside the context middleware's
    /// reach (the permission check runs inside it, but wants the redirect decided now).
    pub fn into_response_for(self, context: &RequestContext) -> Response {
        let kind = self.kind();
        if kind == ErrorKind::SignInRequired && !context.is_api {
            return sign_in_redirect(context);
        }
        self.into_response()
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match &self {
            AppError::Internal(detail) => tracing::error!(%detail, "internal error"),
            AppError::Unavailable(detail) => tracing::warn!(%detail, "service unavailable"),
            _ => {}
        }
        let kind = self.kind();
        let mut response = kind.status().into_response();
        response.extensions_mut().insert(ErrorMarker(kind));
        response
    }
}

fn sign_in_redirect(context: &RequestContext) -> Response {
    let mut next = context.href(&context.path);
    if let Some(query) = &context.query {
        next.push('?');
        next.push_str(query);
    }
    let target = format!("{}?next={}", context.href("/login"), url_escape(&next));
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(&target) {
        response.headers_mut().insert(LOCATION, value);
    }
    response
}

fn url_escape(text: &str) -> String {
    serde_urlencoded::to_string([("", text)])
        .map(|encoded| encoded.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}

/// Replaces a bare error response (an [`AppError`], or an axum rejection in plain text) with a
/// page in the visitor's language, or with the API's JSON error shape.
pub fn render_if_needed(
    state: &AppState,
    context: &RequestContext,
    response: Response,
) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let marker = response.extensions().get::<ErrorMarker>().copied();
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    let already_rendered = content_type.starts_with("text/html")
        || (context.is_api && content_type.starts_with("application/json"));
    if marker.is_none() && already_rendered {
        return response;
    }
    let kind = marker.map_or_else(|| ErrorKind::from_status(status), |ErrorMarker(kind)| kind);
    if context.is_api {
        return api_error(
            kind,
            kizuki_i18n::text(Lang::En, &format!("{}.detail", kind.message_key())),
        );
    }
    if kind == ErrorKind::SignInRequired {
        return sign_in_redirect(context);
    }
    let page = Chrome::new(state, context, &format!("{}.title", kind.message_key()));
    let view = views::ErrorView {
        detail: page.t_owned(&format!("{}.detail", kind.message_key())),
        show_sign_in: kind == ErrorKind::Forbidden && context.user.is_none(),
        page,
    };
    let mut rendered = views::render(&view).into_response();
    *rendered.status_mut() = kind.status();
    rendered
}

/// A minimal error page for when even the request context could not be built (the database is
/// down, say).
pub fn render_plain(lang: Lang, error: AppError) -> Response {
    tracing::warn!(%error, "request failed before routing");
    let kind = error.kind();
    let title = kizuki_i18n::text(lang, &format!("{}.title", kind.message_key()));
    let detail = kizuki_i18n::text(lang, &format!("{}.detail", kind.message_key()));
    let body = format!(
        "<!doctype html><html lang=\"{}\"><meta charset=\"utf-8\"><title>{}</title><h1>{}</h1><p>{}</p></html>",
        lang.tag(),
        title,
        title,
        detail
    );
    (kind.status(), Html(body)).into_response()
}

/// The JSON API's one error shape: `{"error":{"code":"…","message":"…"}}`.
pub fn api_error(kind: ErrorKind, message: &str) -> Response {
    let body = json!({ "error": { "code": kind.code(), "message": message } });
    (kind.status(), Json(body)).into_response()
}
