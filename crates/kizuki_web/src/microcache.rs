//! A one-second cache of public pages as anonymous visitors see them.
//!
//! Public catalogue pages are the same for every visitor who is not signed in, and under load
//! the same page is asked for many times a second. Handlers mark such responses [`Cacheable`];
//! the context middleware keeps them for [`TIME_TO_LIVE`] and answers repeats from memory.
//! Signed-in people always get a fresh page, so an organiser sees their own edit at once; an
//! anonymous visitor may see a page up to one second old. Nothing here is shared state that
//! matters for correctness: a process that has no entry simply builds the page, and any change
//! made through a process empties that process's cache at once.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

pub const TIME_TO_LIVE: Duration = Duration::from_secs(1);
const MAX_BYTES: u64 = 64 * 1024 * 1024;

/// Put in a response's extensions by a handler whose page is the same for every anonymous
/// visitor.
#[derive(Clone, Copy, Debug)]
pub struct Cacheable;

#[derive(Clone)]
pub struct CachedPage {
    headers: HeaderMap<HeaderValue>,
    body: Bytes,
}

#[derive(Clone)]
pub struct MicroCache {
    pages: moka::sync::Cache<String, Arc<CachedPage>>,
}

impl Default for MicroCache {
    fn default() -> Self {
        MicroCache {
            pages: moka::sync::Cache::builder()
                .time_to_live(TIME_TO_LIVE)
                .weigher(|key: &String, page: &Arc<CachedPage>| {
                    u32::try_from(key.len() + page.body.len()).unwrap_or(u32::MAX)
                })
                .max_capacity(MAX_BYTES)
                .build(),
        }
    }
}

impl MicroCache {
    pub fn get(&self, key: &str) -> Option<Response> {
        let page = self.pages.get(key)?;
        let mut response = (StatusCode::OK, page.body.clone()).into_response();
        for (name, value) in &page.headers {
            response.headers_mut().insert(name, value.clone());
        }
        Some(response)
    }

    pub fn forget_all(&self) {
        self.pages.invalidate_all();
    }

    /// Keeps a marked, successful response, and gives back an equivalent one to send.
    pub async fn keep(&self, key: String, response: Response) -> Response {
        if response.status() != StatusCode::OK || response.extensions().get::<Cacheable>().is_none()
        {
            return response;
        }
        let (parts, body) = response.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, 8 * 1024 * 1024).await else {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        };
        let mut headers = HeaderMap::new();
        for name in [
            axum::http::header::CONTENT_TYPE,
            axum::http::header::CONTENT_DISPOSITION,
            axum::http::header::VARY,
            axum::http::header::CACHE_CONTROL,
        ] {
            if let Some(value) = parts.headers.get(&name) {
                headers.insert(name, value.clone());
            }
        }
        self.pages.insert(
            key,
            Arc::new(CachedPage {
                headers,
                body: bytes.clone(),
            }),
        );
        Response::from_parts(parts, axum::body::Body::from(bytes))
    }
}

/// Marks a response as the same for every anonymous visitor.
pub fn cacheable(mut response: Response) -> Response {
    response.extensions_mut().insert(Cacheable);
    response
}
