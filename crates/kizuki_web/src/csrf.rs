//! Protection against cross-site request forgery.
//!
//! Each browser gets a random `kizuki_csrf` cookie. Every form carries
//! `csrf_token = HMAC-SHA256(site key, cookie)`, and every state-changing request to a page route
//! (anything but GET, HEAD and OPTIONS outside `/api/`) must present it, in the form body or the
//! `X-CSRF-Token` header. Another site can make a browser send the cookie but cannot read it, so
//! it cannot compute the token. The site key lives in the database, so every server process
//! accepts every other's tokens. The JSON API takes bearer tokens only, never cookies, so it
//! needs no CSRF token.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::context::RequestContext;
use crate::error::AppError;
use crate::state::AppState;

pub const FORM_FIELD: &str = "csrf_token";
pub const HEADER: &str = "x-csrf-token";
/// Forms are small; anything larger than this is refused before it is read.
pub const MAX_FORM_BYTES: usize = 1024 * 1024;
/// File uploads (CSV imports) may be larger.
pub const MAX_UPLOAD_BYTES: usize = 8 * 1024 * 1024;

/// The token for a browser's seed and, once signed in, its session: a token (or a seed
/// cookie planted by someone else) is worth nothing in another session, and signing in or out
/// makes every earlier token stale.
pub fn token_for(key: &[u8], seed: &str, session: Option<&str>) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mac) => mac,
        // HMAC accepts keys of any length, so this arm is unreachable.
        Err(_) => return String::new(),
    };
    mac.update(seed.as_bytes());
    if let Some(session) = session {
        mac.update(b"\0session:");
        mac.update(session.as_bytes());
    }
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

pub async fn verify(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if is_safe(request.method()) || request.uri().path().starts_with("/api/") {
        return next.run(request).await;
    }
    let Some(context) = request.extensions().get::<RequestContext>().cloned() else {
        return AppError::Forgery.into_response();
    };
    // A seed we just made up for this request was never seen by the browser: no valid token
    // can exist for it.
    if context.csrf_seed_is_new {
        return AppError::Forgery.into_response();
    }
    let expected = token_for(
        state.csrf_key(),
        &context.csrf_seed,
        context.session_digest.as_deref(),
    );

    if let Some(presented) = request
        .headers()
        .get(HEADER)
        .and_then(|value| value.to_str().ok())
    {
        return if kizuki_domain::secret::equal(presented, &expected) {
            next.run(request).await
        } else {
            AppError::Forgery.into_response()
        };
    }

    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("")
        .to_owned();
    if content_type.starts_with("multipart/form-data") {
        return verify_multipart(request, next, &content_type, &expected).await;
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return AppError::Forgery.into_response();
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_FORM_BYTES).await else {
        return AppError::PayloadTooLarge.into_response();
    };
    let presented = form_urlencoded_field(&bytes, FORM_FIELD);
    match presented {
        Some(token) if kizuki_domain::secret::equal(&token, &expected) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        _ => AppError::Forgery.into_response(),
    }
}

/// A file upload carries its token as an ordinary field; the body is read once here and handed on.
async fn verify_multipart(
    request: Request,
    next: Next,
    content_type: &str,
    expected: &str,
) -> Response {
    let Ok(boundary) = multer::parse_boundary(content_type) else {
        return AppError::BadRequest.into_response();
    };
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_UPLOAD_BYTES).await else {
        return AppError::PayloadTooLarge.into_response();
    };
    let stream =
        futures_util::stream::once(std::future::ready(Ok::<_, std::io::Error>(bytes.clone())));
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut presented = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some(FORM_FIELD) {
            presented = field.text().await.ok();
            break;
        }
    }
    match presented {
        Some(token) if kizuki_domain::secret::equal(&token, expected) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        _ => AppError::Forgery.into_response(),
    }
}

fn form_urlencoded_field(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_depend_on_key_and_seed() {
        let token = token_for(b"key", "seed", None);
        assert_eq!(token, token_for(b"key", "seed", None));
        assert_ne!(token, token_for(b"key", "other seed", None));
        assert_ne!(token, token_for(b"other key", "seed", None));
        let signed_in = token_for(b"key", "seed", Some("session"));
        assert_ne!(token, signed_in, "a session makes its own tokens");
        assert_ne!(
            signed_in,
            token_for(b"key", "seed", Some("another session"))
        );
    }

    #[test]
    fn the_field_is_found_among_others() {
        let body = b"email=a%40b.jp&csrf_token=abc&password=x";
        assert_eq!(
            form_urlencoded_field(body, FORM_FIELD).as_deref(),
            Some("abc")
        );
        assert_eq!(form_urlencoded_field(b"email=a", FORM_FIELD), None);
    }
}
