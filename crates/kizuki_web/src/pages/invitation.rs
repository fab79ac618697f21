//! Accepting an invitation: the new account holder chooses their password.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use kizuki_domain::secret::{self, SecretKind};
use kizuki_store::{Invitation, StoreError};
use serde::Deserialize;

use crate::context::RequestContext;
use crate::error::AppError;
use crate::forms::{redirect_with_flash, with_status};
use crate::pages::account::{check_new_password, password_error_message};
use crate::pages::auth::hash_new_password;
use crate::state::AppState;
use crate::views::{self, Chrome, InvitationView};

async fn usable(state: &AppState, token: &str) -> Result<Invitation, AppError> {
    if !secret::looks_like(SecretKind::Invitation, token) {
        return Err(AppError::NotFound);
    }
    state
        .store()
        .invitation(&secret::digest(token), state.now())
        .await?
        .ok_or(AppError::NotFound)
}

fn render(
    state: &AppState,
    context: &RequestContext,
    invitation: Invitation,
    errors: Vec<String>,
) -> Response {
    views::render(&InvitationView {
        page: Chrome::new(state, context, "invitation.title"),
        name: invitation.user.display_name,
        email: invitation.user.email,
        errors,
    })
}

pub async fn show(
    State(state): State<AppState>,
    context: RequestContext,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let invitation = usable(&state, &token).await?;
    Ok(render(&state, &context, invitation, Vec::new()))
}

#[derive(Deserialize)]
pub struct ChoosePassword {
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

pub async fn accept(
    State(state): State<AppState>,
    context: RequestContext,
    Path(token): Path<String>,
    Form(form): Form<ChoosePassword>,
) -> Result<Response, AppError> {
    let invitation = usable(&state, &token).await?;
    let mut errors = check_new_password(context.lang, &form.new_password, &form.confirm_password);
    if errors.is_empty() {
        match hash_new_password(form.new_password).await? {
            Ok(hash) => {
                let now = state.now();
                match state
                    .store()
                    .accept_invitation(&secret::digest(&token), &hash, now)
                    .await
                {
                    Ok(user_id) => {
                        state
                            .store()
                            .record_audit(
                                Some(user_id),
                                "invitation_accepted",
                                &invitation.user.email,
                                "",
                                now,
                            )
                            .await?;
                        return Ok(redirect_with_flash(
                            &context,
                            "/login",
                            "flash.invitation_accepted",
                        ));
                    }
                    Err(StoreError::NotFound) => return Err(AppError::NotFound),
                    Err(other) => return Err(other.into()),
                }
            }
            Err(error) => errors.push(password_error_message(context.lang, error)),
        }
    }
    let page = render(&state, &context, invitation, errors);
    Ok(with_status(StatusCode::UNPROCESSABLE_ENTITY, page))
}
