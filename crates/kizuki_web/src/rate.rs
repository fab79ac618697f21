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

/// Applications one network address may make to one training while a hold lasts: a family or
/// a few colleagues applying together, not a script taking every seat with made-up addresses
/// (each unconfirmed application holds a seat until its hold runs out).
pub const APPLICATIONS_PER_CLIENT_PER_HOLD: i64 = 5;

/// The operator's limit: (requests, window in seconds), or none when limits are off.
fn limit(state: &AppState) -> Option<(i64, i64)> {
    match state.config().rate_limit {
        RateLimit::Limit {
            requests,
            window_seconds,
        } => Some((requests, window_seconds)),
        RateLimit::Off => None,
    }
}

/// Counts this request; answers 429 (with `Retry-After`) when the client is over the limit.
pub async fn refuse_if_over(
    state: &AppState,
    context: &RequestContext,
    endpoint: &str,
) -> Result<Option<Response>, AppError> {
    let Some((requests, window_seconds)) = limit(state) else {
        return Ok(None);
    };
    refuse_over(state, context, endpoint, requests, window_seconds).await
}

/// Counts an application to `training` (besides the general limit, checked first): at most
/// [`APPLICATIONS_PER_CLIENT_PER_HOLD`] from one client while a hold of `hold_minutes` lasts.
pub async fn refuse_if_holding(
    state: &AppState,
    context: &RequestContext,
    training: i64,
    settings: &kizuki_store::RegistrationSettings,
) -> Result<Option<Response>, AppError> {
    // Only first come, first served holds seats; a lottery draws among confirmed entries, and
    // approval waits for an organiser.
    let hold_minutes = settings.hold_minutes;
    if state.config().rate_limit == RateLimit::Off
        || settings.allocation != kizuki_domain::allocation::Allocation::FirstCome
    {
        return Ok(None);
    }
    refuse_over(
        state,
        context,
        &format!("holds:{training}"),
        APPLICATIONS_PER_CLIENT_PER_HOLD,
        hold_minutes.max(1) * 60,
    )
    .await
}

/// Answers 429 when the client is already over the limit for `endpoint`, counting nothing:
/// for checks that must come before the work a refusal would count (a code looked up).
pub async fn refuse_if_already_over(
    state: &AppState,
    context: &RequestContext,
    endpoint: &str,
) -> Result<Option<Response>, AppError> {
    let Some((requests, window_seconds)) = limit(state) else {
        return Ok(None);
    };
    let now = state.now();
    let start = window_start(now, window_seconds);
    let bucket = kizuki_domain::secret::digest(&format!("{endpoint}:{}", context.client_key));
    if state.store().request_count(&bucket, start).await? < requests {
        return Ok(None);
    }
    Ok(Some(too_many(
        start.seconds() + window_seconds - now.seconds(),
    )))
}

fn too_many(wait: i64) -> Response {
    let mut response = api_error(
        ErrorKind::TooManyRequests,
        "Too many requests from this address; please wait and try again.",
    );
    if let Ok(value) = HeaderValue::from_str(&wait.max(1).to_string()) {
        response.headers_mut().insert(RETRY_AFTER, value);
    }
    response
}

async fn refuse_over(
    state: &AppState,
    context: &RequestContext,
    endpoint: &str,
    requests: i64,
    window_seconds: i64,
) -> Result<Option<Response>, AppError> {
    let now = state.now();
    let start = window_start(now, window_seconds);
    // The client's address is kept only as a digest, and only until the window is over.
    let bucket = kizuki_domain::secret::digest(&format!("{endpoint}:{}", context.client_key));
    let hits = state.store().count_request(&bucket, start).await?;
    if hits <= requests {
        return Ok(None);
    }
    Ok(Some(too_many(
        start.seconds() + window_seconds - now.seconds(),
    )))
}
