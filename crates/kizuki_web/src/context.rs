//! Who is asking, in which language: resolved once per request by [`establish`], then read by
//! the permission check, the CSRF check, handlers and error pages.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::header::{AUTHORIZATION, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use kizuki_domain::secret::{self, SecretKind};
use kizuki_i18n::Lang;
use kizuki_store::User;

use crate::config::CookieSecure;
use crate::cookies;
use crate::error::{self, AppError};
use crate::state::AppState;

#[derive(Clone, Debug)]
pub struct RequestContext {
    pub lang: Lang,
    /// The request path without its language prefix ("/en/login" → "/login").
    pub path: String,
    pub query: Option<String>,
    pub is_api: bool,
    pub user: Option<User>,
    /// The stored digest of the session cookie, when signed in through one.
    pub session_digest: Option<String>,
    pub csrf_seed: String,
    pub csrf_seed_is_new: bool,
    /// A network address standing for the client, for throttling.
    pub client_key: String,
    pub https: bool,
    pub secure_cookies: bool,
    pub lang_cookie: Option<Lang>,
    /// A message key left by the previous response (after a redirect), shown once.
    pub flash: Option<String>,
}

impl RequestContext {
    pub fn role(&self) -> Option<kizuki_domain::Role> {
        self.user.as_ref().map(|user| user.role)
    }

    /// The same path in the request's language.
    pub fn href(&self, path: &str) -> String {
        self.lang.localize(path)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestContext {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<RequestContext>()
            .cloned()
            .ok_or(AppError::Internal("request context missing".to_owned()))
    }
}

/// The signed-in account; extracting it from a request without one asks the visitor to sign in.
pub struct CurrentUser(pub User);

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let context = RequestContext::from_request_parts(parts, state).await?;
        context
            .user
            .map(CurrentUser)
            .ok_or(AppError::SignInRequired)
    }
}

pub async fn establish(State(state): State<AppState>, request: Request, next: Next) -> Response {
    // The body is not `Sync`, so only the head is looked at across the database calls.
    let (mut parts, body) = request.into_parts();
    let context = match resolve(&state, &parts).await {
        Ok(context) => context,
        Err(error) => {
            let (lang, _) = Lang::split_path(parts.uri.path());
            return error::render_plain(lang, error);
        }
    };
    parts.extensions.insert(context.clone());
    let cache_key = state
        .config()
        .page_cache
        .then(|| cache_key(&parts, &context))
        .flatten();
    if let Some(cached) = cache_key.as_deref().and_then(|key| state.pages().get(key)) {
        let mut response = cached;
        remember_cookies(&context, response.headers_mut());
        strict_transport(&context, response.headers_mut());
        return response;
    }
    let changes_something = !matches!(
        parts.method,
        axum::http::Method::GET | axum::http::Method::HEAD
    );
    let request = Request::from_parts(parts, body);
    let response = next.run(request).await;
    // A change made through this process shows at once on its own pages; other processes show it
    // within the cache's second.
    if changes_something && response.status().as_u16() < 400 {
        state.pages().forget_all();
    }
    let response = match cache_key {
        Some(key) => state.pages().keep(key, response).await,
        None => response,
    };
    let mut response = error::render_if_needed(&state, &context, response);
    remember_cookies(&context, response.headers_mut());
    strict_transport(&context, response.headers_mut());
    response
}

/// Over HTTPS, tells the browser to use nothing else for a year (never over plain HTTP, where
/// the header would be ignored and could pin a site that is not yet ready for it).
fn strict_transport(context: &RequestContext, headers: &mut HeaderMap) {
    if context.https {
        headers.insert(
            axum::http::header::STRICT_TRANSPORT_SECURITY,
            axum::http::HeaderValue::from_static("max-age=31536000"),
        );
    }
}

async fn resolve(state: &AppState, request: &Parts) -> Result<RequestContext, AppError> {
    let headers = &request.headers;
    let (lang, path) = Lang::split_path(request.uri.path());
    let is_api = path.starts_with("/api/");
    let is_asset = path.starts_with("/assets/");
    let now = state.now();

    let https = state.config().trust_proxy
        && headers
            .get("x-forwarded-proto")
            .and_then(|value| value.to_str().ok())
            .is_some_and(|proto| proto.eq_ignore_ascii_case("https"));
    let secure_cookies = match state.config().cookie_secure {
        CookieSecure::Always => true,
        CookieSecure::Never => false,
        CookieSecure::Auto => https,
    };

    let mut user = None;
    let mut session_digest = None;
    if is_api {
        let token =
            bearer_token(headers).filter(|token| secret::looks_like(SecretKind::ApiToken, token));
        if let Some(token) = token {
            user = state
                .store()
                .api_token_user(&secret::digest(token), now)
                .await?;
        }
    } else if let Some(session) = cookies::read(headers, cookies::SESSION)
        .filter(|session| !is_asset && secret::looks_like(SecretKind::Session, session))
    {
        let digest = secret::digest(&session);
        user = state.store().session_user(&digest, now).await?;
        session_digest = user.as_ref().map(|_| digest);
    }

    let existing_seed = cookies::read(headers, cookies::CSRF)
        .filter(|seed| secret::looks_like(SecretKind::Session, seed));
    let (csrf_seed, csrf_seed_is_new) = match existing_seed {
        Some(seed) => (seed, false),
        None => (
            secret::generate(SecretKind::Session, &mut rand::rng()).plain,
            true,
        ),
    };

    Ok(RequestContext {
        lang,
        path: path.to_owned(),
        query: request.uri.query().map(str::to_owned),
        is_api,
        user,
        session_digest,
        csrf_seed,
        csrf_seed_is_new,
        client_key: client_key(state, request),
        https,
        secure_cookies,
        lang_cookie: cookies::read(headers, cookies::LANG).and_then(|tag| Lang::from_tag(&tag)),
        flash: cookies::read(headers, cookies::FLASH),
    })
}

/// Which requests may be answered from the one-second page cache: reads by anonymous visitors,
/// with no message waiting for them. A first visit to `/` from a browser that prefers English is
/// left out, because it is redirected to `/en/`.
fn cache_key(parts: &Parts, context: &RequestContext) -> Option<String> {
    let anonymous = context.user.is_none() && context.flash.is_none() && !context.is_api;
    let read = parts.method == axum::http::Method::GET || parts.method == axum::http::Method::HEAD;
    let redirected_home = context.path == "/"
        && context.lang == Lang::Ja
        && context.lang_cookie.is_none()
        && parts
            .headers
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|value| value.to_str().ok())
            .and_then(kizuki_i18n::preferred_from_accept_language)
            == Some(Lang::En);
    (anonymous && read && !redirected_home).then(|| {
        let scheme = if context.https { "https" } else { "http" };
        let host = parts
            .headers
            .get(axum::http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        format!("{scheme}://{host}{}", parts.uri)
    })
}

fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

fn client_key(state: &AppState, request: &Parts) -> String {
    if state.config().trust_proxy {
        let forwarded = request
            .headers
            .get("x-forwarded-for")
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split(',').next())
            .map(str::trim)
            .filter(|value| !value.is_empty());
        if let Some(address) = forwarded {
            return address.to_owned();
        }
    }
    request
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "unknown".to_owned(), |info| info.0.ip().to_string())
}

/// Sets the cookies a page response needs: the CSRF seed on first visit, the language the
/// visitor last read in (so `/` can skip the `Accept-Language` guess next time), and clears a
/// flash message that has been shown.
fn remember_cookies(context: &RequestContext, headers: &mut HeaderMap) {
    if context.is_api || context.path.starts_with("/assets/") {
        return;
    }
    let is_html = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    let mut set = Vec::new();
    if context.csrf_seed_is_new {
        set.push(cookies::build(
            cookies::CSRF,
            &context.csrf_seed,
            context.secure_cookies,
            None,
        ));
    }
    if is_html && context.lang_cookie != Some(context.lang) {
        set.push(cookies::build(
            cookies::LANG,
            context.lang.tag(),
            context.secure_cookies,
            Some(365 * 24 * 60 * 60),
        ));
    }
    if is_html && context.flash.is_some() {
        set.push(cookies::build(
            cookies::FLASH,
            "",
            context.secure_cookies,
            Some(0),
        ));
    }
    for cookie in set {
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            headers.append(SET_COOKIE, value);
        }
    }
}

/// Responds to a request that needs a permission it lacks.
pub fn deny(context: &RequestContext, access: kizuki_domain::Access) -> Response {
    match access {
        kizuki_domain::Access::Granted => AppError::Internal("deny called on granted".to_owned()),
        kizuki_domain::Access::SignInRequired => AppError::SignInRequired,
        kizuki_domain::Access::Forbidden => AppError::Forbidden,
    }
    .into_response_for(context)
}
