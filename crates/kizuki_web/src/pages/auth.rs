//! Signing in and out.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use kizuki_domain::secret::{self, SecretKind};
use kizuki_domain::throttle::{self, ThrottleDecision};
use kizuki_domain::{EmailAddress, password};
use serde::Deserialize;

use crate::context::RequestContext;
use crate::cookies;
use crate::error::AppError;
use crate::forms::{redirect_with_flash, safe_next, see_other, with_status};
use crate::state::AppState;
use crate::views::{self, Chrome, LoginView};

#[derive(Deserialize, Default)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

pub async fn login_form(
    State(state): State<AppState>,
    context: RequestContext,
    Query(query): Query<NextQuery>,
) -> Response {
    if context.user.is_some() {
        return see_other(&landing(&context, &query.next));
    }
    render_form(&state, &context, String::new(), query.next, None)
}

fn render_form(
    state: &AppState,
    context: &RequestContext,
    email: String,
    next: String,
    error: Option<String>,
) -> Response {
    let view = LoginView {
        page: Chrome::new(state, context, "login.title"),
        email,
        next: safe_next(&next).unwrap_or_default().to_owned(),
        error,
    };
    views::render(&view)
}

/// Where to go after signing in: the page that asked for it, or the dashboard.
fn landing(context: &RequestContext, next: &str) -> String {
    safe_next(next).map_or_else(|| context.href("/dashboard"), str::to_owned)
}

pub async fn login(
    State(state): State<AppState>,
    context: RequestContext,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    let now = state.now();
    let email = EmailAddress::parse(&form.email);
    // Failures are counted per address typed and client, whether or not an account has the
    // address, so the throttle itself reveals nothing about which addresses exist; and only the
    // client that fails waits (see kizuki_domain::throttle).
    let account_key = match &email {
        Ok(address) => address.as_str().to_owned(),
        Err(_) => kizuki_domain::text::normalize(&form.email).to_lowercase(),
    };
    let (pair_failures, client_failures) = state
        .store()
        .recent_login_failures(
            &account_key,
            &context.client_key,
            throttle::window_start(now),
        )
        .await?;
    if let ThrottleDecision::Wait { until } = throttle::assess(pair_failures, client_failures, now)
    {
        let minutes = ((until.seconds() - now.seconds()) + 59) / 60;
        let message = kizuki_i18n::format(
            context.lang,
            "login.throttled",
            &[("minutes", &minutes.max(1).to_string())],
        );
        let page = render_form(&state, &context, form.email, form.next, Some(message));
        return Ok(with_status(StatusCode::TOO_MANY_REQUESTS, page));
    }

    let candidate = match &email {
        Ok(address) => state.store().user_for_login(address).await?,
        Err(_) => None,
    };
    let stored_hash = candidate
        .as_ref()
        .filter(|(user, hash)| user.is_active() && !hash.is_empty())
        .map_or(password::DECOY_HASH.to_owned(), |(_, hash)| hash.clone());
    let typed = form.password.clone();
    // Verifying takes tens of milliseconds of CPU; keep it off the async workers. An unknown
    // address is checked against a decoy hash so it takes just as long as a wrong password.
    let verified = tokio::task::spawn_blocking(move || password::verify(&typed, &stored_hash))
        .await
        .map_err(|error| AppError::Internal(error.to_string()))?;
    let user = match candidate {
        Some((user, hash)) if verified && user.is_active() && !hash.is_empty() => user,
        _ => {
            state
                .store()
                .record_login_failure(&account_key, &context.client_key, now)
                .await?;
            let message = kizuki_i18n::text(context.lang, "login.failed").to_owned();
            let page = render_form(&state, &context, form.email, form.next, Some(message));
            return Ok(with_status(StatusCode::UNPROCESSABLE_ENTITY, page));
        }
    };

    state
        .store()
        .clear_login_failures(&account_key, &context.client_key)
        .await?;
    if let Some(previous) = &context.session_digest {
        state.store().delete_session(previous).await?;
    }
    let session = secret::generate(SecretKind::Session, &mut rand::rng());
    state
        .store()
        .create_session(&session.digest, user.id, now)
        .await?;
    let mut response = see_other(&landing(&context, &form.next));
    set_cookie(
        &mut response,
        &cookies::build(
            cookies::SESSION,
            &session.plain,
            context.secure_cookies,
            None,
        ),
    );
    Ok(response)
}

pub async fn logout(
    State(state): State<AppState>,
    context: RequestContext,
) -> Result<Response, AppError> {
    if let Some(digest) = &context.session_digest {
        state.store().delete_session(digest).await?;
    }
    let mut response = redirect_with_flash(&context, "/", "flash.signed_out");
    set_cookie(
        &mut response,
        &cookies::build(cookies::SESSION, "", context.secure_cookies, Some(0)),
    );
    Ok(response)
}

pub(crate) fn set_cookie(response: &mut Response, cookie: &str) {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(SET_COOKIE, value);
    }
}

/// Hashes a new password with a fresh salt from the operating system, off the async workers.
pub(crate) async fn hash_new_password(
    plain: String,
) -> Result<Result<String, password::PasswordError>, AppError> {
    tokio::task::spawn_blocking(move || {
        let mut salt = [0u8; password::SALT_LENGTH];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut salt);
        password::hash(&plain, &salt)
    })
    .await
    .map_err(|error| AppError::Internal(error.to_string()))
}
