//! Rate limits on public endpoints that write, counted in the database so that every server
//! process counts the same requests. Operators set them with `--rate-limit` (`KIZUKI_RATE_LIMIT`);
//! `off` turns them off, for load tests.

use axum::http::HeaderValue;
use axum::http::header::RETRY_AFTER;
use axum::response::Response;
use kizuki_domain::rate::{RateLimit, window_start};

use crate::context::RequestContext;
use crate::error::{AppError, ErrorKind, api_error};
use crate::state::AppState;

/// Counts this request; answers 429 (with `Retry-After`) when the client is over the limit.
pub async fn refuse_if_over(
    state: &AppState,
    context: &RequestContext,
    endpoint: &str,
) -> Result<Option<Response>, AppError> {
    let RateLimit::Limit {
        requests,
        window_seconds,
    } = state.config().rate_limit
    else {
        return Ok(None);
    };
    let now = state.now();
    let start = window_start(now, window_seconds);
    // The client's address is kept only as a digest, and only until the window is over.
    let bucket = kizuki_domain::secret::digest(&format!("{endpoint}:{}", context.client_key));
    let hits = state.store().count_request(&bucket, start).await?;
    if hits <= requests {
        return Ok(None);
    }
    let wait = (start.seconds() + window_seconds - now.seconds()).max(1);
    let mut response = api_error(
        ErrorKind::TooManyRequests,
        "Too many requests from this address; please wait and try again.",
    );
    if let Ok(value) = HeaderValue::from_str(&wait.to_string()) {
        response.headers_mut().insert(RETRY_AFTER, value);
    }
    Ok(Some(response))
}
