//! A JSON body whose every string is first made into text as Kizuki stores it (NFC, `\n` line
//! ends, no control characters): an API client cannot slip a NUL or a stray control character
//! into the database.

use axum::Json;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;
use serde_json::Value;

pub struct CleanJson<T>(pub T);

fn clean(value: &mut Value) {
    match value {
        Value::String(text) => *text = kizuki_domain::text::normalize(text),
        Value::Array(items) => items.iter_mut().for_each(clean),
        Value::Object(fields) => fields.values_mut().for_each(clean),
        _ => {}
    }
}

impl<S, T> FromRequest<S> for CleanJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = axum::response::Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        use axum::response::IntoResponse;
        let Json(mut value) = Json::<Value>::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        clean(&mut value);
        serde_json::from_value(value)
            .map(CleanJson)
            .map_err(|error| {
                crate::error::api_error(
                    crate::error::ErrorKind::Unprocessable,
                    &format!("The body does not have the expected shape: {error}"),
                )
            })
    }
}
