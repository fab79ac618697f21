//! Small helpers shared by form handlers.

use axum::http::HeaderValue;
use axum::http::StatusCode;
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::response::{IntoResponse, Response};

use crate::context::RequestContext;
use crate::cookies;

/// Redirects after a successful POST (so a reload does not post again), leaving a message key
/// for the next page to show once.
pub fn redirect_with_flash(context: &RequestContext, path: &str, flash_key: &str) -> Response {
    let mut response = see_other(&context.href(path));
    let cookie = cookies::build(cookies::FLASH, flash_key, context.secure_cookies, Some(60));
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(SET_COOKIE, value);
    }
    response
}

pub fn see_other(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(LOCATION, value);
    }
    response
}

/// A page re-shown because of a mistake in the form: the input is kept, the status says so.
pub fn with_status(status: StatusCode, mut response: Response) -> Response {
    if response.status().is_success() {
        *response.status_mut() = status;
    }
    response
}

/// Accepts a sign-in redirect target only if it stays on this site.
pub fn safe_next(next: &str) -> Option<&str> {
    let local = next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\");
    let clean = !next.chars().any(|c| c.is_control());
    (local && clean).then_some(next)
}

/// A form whose every value is first made into text as Kizuki stores it (NFC, `\n` line ends,
/// no control characters, trimmed), so that no handler has to remember to. Not for passwords,
/// which must reach the hash exactly as typed.
pub struct CleanForm<T>(pub T);

impl<S, T> axum::extract::FromRequest<S> for CleanForm<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned,
{
    type Rejection = Response;

    async fn from_request(
        request: axum::extract::Request,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        let axum::Form(pairs) = axum::Form::<Vec<(String, String)>>::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let cleaned: Vec<(String, String)> = pairs
            .into_iter()
            .map(|(key, value)| (key, kizuki_domain::text::normalize(&value)))
            .collect();
        let encoded = serde_urlencoded::to_string(&cleaned)
            .map_err(|_| StatusCode::BAD_REQUEST.into_response())?;
        serde_urlencoded::from_str(&encoded)
            .map(CleanForm)
            .map_err(|_| StatusCode::UNPROCESSABLE_ENTITY.into_response())
    }
}

/// A body sent either as JSON (by script or API client) or as an ordinary form (without
/// script): the same handler serves both and answers each in kind. Form fields named in
/// `NUMERIC` are read as numbers (blank as none) and `node` may repeat.
pub struct JsonOrForm<T> {
    pub value: T,
    pub is_json: bool,
}

const NUMERIC: [&str; 8] = [
    "node", "parent", "group", "from", "to", "relation", "x", "y",
];

impl<S, T> axum::extract::FromRequest<S> for JsonOrForm<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned,
{
    type Rejection = Response;

    async fn from_request(
        request: axum::extract::Request,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        let is_json = request
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if is_json {
            let crate::api::CleanJsonBody(value) =
                crate::api::CleanJsonBody::from_request(request, state).await?;
            return Ok(JsonOrForm {
                value,
                is_json: true,
            });
        }
        let CleanForm(pairs) =
            CleanForm::<Vec<(String, String)>>::from_request(request, state).await?;
        let mut object = serde_json::Map::new();
        let mut nodes = Vec::new();
        for (key, value) in pairs {
            let numeric = NUMERIC.contains(&key.as_str());
            let value = if !numeric {
                serde_json::Value::String(value)
            } else if value.is_empty() {
                serde_json::Value::Null
            } else {
                match value.parse::<i64>() {
                    Ok(n) => serde_json::Value::from(n),
                    Err(_) => return Err(StatusCode::UNPROCESSABLE_ENTITY.into_response()),
                }
            };
            if key == "node" {
                nodes.push(value);
            } else {
                object.insert(key, value);
            }
        }
        object.insert("nodes".to_owned(), serde_json::Value::Array(nodes));
        serde_json::from_value(serde_json::Value::Object(object))
            .map(|value| JsonOrForm {
                value,
                is_json: false,
            })
            .map_err(|_| StatusCode::UNPROCESSABLE_ENTITY.into_response())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_targets_are_followed() {
        assert_eq!(safe_next("/account"), Some("/account"));
        assert_eq!(
            safe_next("/en/admin/users?x=1"),
            Some("/en/admin/users?x=1")
        );
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "",
            "/a\nb",
        ] {
            assert_eq!(safe_next(bad), None, "{bad}");
        }
    }
}
