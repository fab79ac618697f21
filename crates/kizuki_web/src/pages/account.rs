//! The signed-in person's own settings: name, password, API tokens.

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use kizuki_domain::password::{self, PasswordError};
use kizuki_domain::secret::{self, SecretKind};
use kizuki_domain::text;
use kizuki_i18n::Lang;
use serde::Deserialize;

use crate::context::{CurrentUser, RequestContext};
use crate::error::AppError;
use crate::forms::{redirect_with_flash, with_status};
use crate::pages::auth::hash_new_password;
use crate::state::AppState;
use crate::views::{self, AccountView, Chrome};

const MAX_NAME_CHARS: usize = 100;
const MAX_TOKEN_LABEL_CHARS: usize = 100;

/// What the account page shows besides the stored settings: a mistake to point out, a token
/// to show once, the text someone typed.
#[derive(Default)]
struct AccountExtras {
    new_token: Option<String>,
    token_label: String,
    password_errors: Vec<String>,
    token_error: Option<String>,
    display_name: Option<String>,
    name_error: Option<String>,
}

async fn render(
    state: &AppState,
    context: &RequestContext,
    user_id: i64,
    extras: AccountExtras,
) -> Result<Response, AppError> {
    let tokens = state.store().api_tokens(user_id).await?;
    let page = Chrome::new(state, context, "account.title");
    let display_name = extras
        .display_name
        .or_else(|| page.user.as_ref().map(|user| user.display_name.clone()))
        .unwrap_or_default();
    Ok(views::render(&AccountView {
        page,
        tokens,
        new_token: extras.new_token,
        token_label: extras.token_label,
        password_errors: extras.password_errors,
        token_error: extras.token_error,
        display_name,
        name_error: extras.name_error,
    }))
}

pub async fn show(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
) -> Result<Response, AppError> {
    render(&state, &context, user.id, AccountExtras::default()).await
}

#[derive(Deserialize)]
pub struct NameForm {
    #[serde(default)]
    display_name: String,
}

pub async fn change_name(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Form(form): Form<NameForm>,
) -> Result<Response, AppError> {
    let name = text::normalize_line(&form.display_name);
    let problem = if name.is_empty() {
        Some("account.profile.name_required")
    } else if name.chars().count() > MAX_NAME_CHARS {
        Some("account.profile.name_too_long")
    } else {
        None
    };
    if let Some(key) = problem {
        let extras = AccountExtras {
            display_name: Some(form.display_name),
            name_error: Some(kizuki_i18n::text(context.lang, key).to_owned()),
            ..AccountExtras::default()
        };
        let page = render(&state, &context, user.id, extras).await?;
        return Ok(with_status(StatusCode::UNPROCESSABLE_ENTITY, page));
    }
    state.store().set_display_name(user.id, &name).await?;
    Ok(redirect_with_flash(
        &context,
        "/account",
        "flash.name_saved",
    ))
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

pub fn password_error_message(lang: Lang, error: PasswordError) -> String {
    let key = match error {
        PasswordError::TooShort => "password.too_short",
        PasswordError::TooLong => "password.too_long",
        PasswordError::Hashing => "error.internal.detail",
    };
    kizuki_i18n::format(
        lang,
        key,
        &[
            ("min", &password::MIN_LENGTH.to_string()),
            ("max", &password::MAX_LENGTH.to_string()),
        ],
    )
}

/// Checks a new password and its confirmation; the messages to show if they fail.
pub fn check_new_password(lang: Lang, new: &str, confirm: &str) -> Vec<String> {
    let mut errors = Vec::new();
    if let Err(error) = password::check_new(new) {
        errors.push(password_error_message(lang, error));
    }
    if new != confirm {
        errors.push(kizuki_i18n::text(lang, "password.mismatch").to_owned());
    }
    errors
}

pub async fn change_password(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Form(form): Form<PasswordForm>,
) -> Result<Response, AppError> {
    let stored = state
        .store()
        .password_hash(user.id)
        .await?
        .unwrap_or_default();
    let current = form.current_password.clone();
    let current_ok = tokio::task::spawn_blocking(move || password::verify(&current, &stored))
        .await
        .map_err(|error| AppError::Internal(error.to_string()))?;
    let mut errors = Vec::new();
    if !current_ok {
        errors.push(kizuki_i18n::text(context.lang, "password.current_wrong").to_owned());
    }
    errors.extend(check_new_password(
        context.lang,
        &form.new_password,
        &form.confirm_password,
    ));
    if errors.is_empty() {
        match hash_new_password(form.new_password).await? {
            Ok(hash) => {
                state
                    .store()
                    .set_password(
                        user.id,
                        &hash,
                        context.session_digest.as_deref(),
                        state.now(),
                    )
                    .await?;
                state
                    .store()
                    .record_audit(
                        Some(user.id),
                        "password_changed",
                        &user.email,
                        "",
                        state.now(),
                    )
                    .await?;
                return Ok(redirect_with_flash(
                    &context,
                    "/account",
                    "flash.password_changed",
                ));
            }
            Err(error) => errors.push(password_error_message(context.lang, error)),
        }
    }
    let extras = AccountExtras {
        password_errors: errors,
        ..AccountExtras::default()
    };
    let page = render(&state, &context, user.id, extras).await?;
    Ok(with_status(StatusCode::UNPROCESSABLE_ENTITY, page))
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    label: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Form(form): Form<TokenForm>,
) -> Result<Response, AppError> {
    let label = text::normalize_line(&form.label);
    if label.is_empty() || label.chars().count() > MAX_TOKEN_LABEL_CHARS {
        let extras = AccountExtras {
            token_label: form.label,
            token_error: Some(
                kizuki_i18n::text(context.lang, "account.tokens.label_required").to_owned(),
            ),
            ..AccountExtras::default()
        };
        let page = render(&state, &context, user.id, extras).await?;
        return Ok(with_status(StatusCode::UNPROCESSABLE_ENTITY, page));
    }
    let token = secret::generate(SecretKind::ApiToken, &mut rand::rng());
    state
        .store()
        .create_api_token(user.id, &label, &token.digest, state.now())
        .await?;
    state
        .store()
        .record_audit(
            Some(user.id),
            "token_created",
            &user.email,
            &label,
            state.now(),
        )
        .await?;
    // The one time the token is shown: rendered directly, not after a redirect, so it never
    // sits in a cookie or a URL.
    let extras = AccountExtras {
        new_token: Some(token.plain),
        ..AccountExtras::default()
    };
    render(&state, &context, user.id, extras).await
}

#[derive(Deserialize)]
pub struct RevokeForm {
    #[serde(default)]
    token_id: String,
}

pub async fn revoke_token(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Form(form): Form<RevokeForm>,
) -> Result<Response, AppError> {
    let token_id: i64 = form
        .token_id
        .trim()
        .parse()
        .map_err(|_| AppError::BadRequest)?;
    state
        .store()
        .revoke_api_token(user.id, token_id, state.now())
        .await?;
    state
        .store()
        .record_audit(
            Some(user.id),
            "token_revoked",
            &user.email,
            &token_id.to_string(),
            state.now(),
        )
        .await?;
    Ok(redirect_with_flash(
        &context,
        "/account",
        "flash.token_revoked",
    ))
}
