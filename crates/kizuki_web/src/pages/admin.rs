//! Accounts: invite, change role, disable and enable. Every change is written to the audit log.

use axum::Form;
use axum::extract::State;
use axum::http::header::HOST;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use kizuki_domain::secret::{self, SecretKind};
use kizuki_domain::{EmailAddress, Role, text};
use kizuki_store::{NewUser, StoreError, User};
use serde::Deserialize;

use crate::context::{CurrentUser, RequestContext};
use crate::error::AppError;
use crate::forms::{redirect_with_flash, with_status};
use crate::state::AppState;
use crate::views::{self, AdminUsersView, Chrome, InviteForm};

const AUDIT_ROWS: i64 = 30;

struct Extras {
    invite: InviteForm,
    invitation_link: Option<(String, String)>,
    error: Option<String>,
}

impl Default for Extras {
    fn default() -> Self {
        Extras {
            invite: InviteForm {
                email: String::new(),
                display_name: String::new(),
                role: Role::Facilitator.as_str().to_owned(),
                errors: Vec::new(),
            },
            invitation_link: None,
            error: None,
        }
    }
}

async fn render(
    state: &AppState,
    context: &RequestContext,
    extras: Extras,
) -> Result<Response, AppError> {
    Ok(views::render(&AdminUsersView {
        page: Chrome::new(state, context, "admin.users.title"),
        users: state.store().list_users().await?,
        roles: Role::ALL.to_vec(),
        invite: extras.invite,
        invitation_link: extras.invitation_link,
        audit: state.store().recent_audit(AUDIT_ROWS).await?,
        error: extras.error,
    }))
}

pub async fn users(
    State(state): State<AppState>,
    context: RequestContext,
) -> Result<Response, AppError> {
    render(&state, &context, Extras::default()).await
}

#[derive(Deserialize)]
pub struct InviteFields {
    #[serde(default)]
    email: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
}

pub async fn invite(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(admin): CurrentUser,
    headers: HeaderMap,
    Form(form): Form<InviteFields>,
) -> Result<Response, AppError> {
    let t = |key: &str| kizuki_i18n::text(context.lang, key).to_owned();
    let mut errors = Vec::new();
    let email = EmailAddress::parse(&form.email)
        .inspect_err(|_| errors.push(t("admin.invite.email_invalid")))
        .ok();
    let name = text::normalize_line(&form.display_name);
    if name.is_empty() || name.chars().count() > 100 {
        errors.push(t("admin.invite.name_required"));
    }
    let role = form
        .role
        .parse::<Role>()
        .inspect_err(|_| errors.push(t("admin.invite.role_invalid")))
        .ok();
    let now = state.now();
    let created = match (email, role, errors.is_empty()) {
        (Some(email), Some(role), true) => {
            let result = state
                .store()
                .create_user(NewUser {
                    email: &email,
                    display_name: &name,
                    role,
                    password_hash: None,
                    now,
                })
                .await;
            match result {
                Ok(id) => Some((id, email, role)),
                Err(StoreError::Conflict(_)) => {
                    errors.push(t("admin.invite.email_taken"));
                    None
                }
                Err(other) => return Err(other.into()),
            }
        }
        _ => None,
    };
    let Some((user_id, email, role)) = created else {
        let extras = Extras {
            invite: InviteForm {
                email: form.email,
                display_name: form.display_name,
                role: form.role,
                errors,
            },
            ..Extras::default()
        };
        let page = render(&state, &context, extras).await?;
        return Ok(with_status(StatusCode::UNPROCESSABLE_ENTITY, page));
    };
    state
        .store()
        .record_audit(
            Some(admin.id),
            "user_invited",
            email.as_str(),
            role.as_str(),
            now,
        )
        .await?;
    let link = issue_invitation(&state, &context, &headers, user_id, admin.id).await?;
    let extras = Extras {
        invitation_link: Some((name, link)),
        ..Extras::default()
    };
    render(&state, &context, extras).await
}

/// Makes a new invitation link for `user_id`, as an absolute URL to give to its owner.
async fn issue_invitation(
    state: &AppState,
    context: &RequestContext,
    headers: &HeaderMap,
    user_id: i64,
    invited_by: i64,
) -> Result<String, AppError> {
    let invitation = secret::generate(SecretKind::Invitation, &mut rand::rng());
    state
        .store()
        .create_invitation(&invitation.digest, user_id, Some(invited_by), state.now())
        .await?;
    let host = headers
        .get(HOST)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("127.0.0.1:8080");
    let scheme = if context.https { "https" } else { "http" };
    Ok(format!(
        "{scheme}://{host}{}",
        context.href(&format!("/invitation/{}", invitation.plain))
    ))
}

#[derive(Deserialize)]
pub struct UserAction {
    #[serde(default)]
    user_id: String,
    #[serde(default)]
    role: String,
}

async fn target_user(state: &AppState, form: &UserAction) -> Result<User, AppError> {
    let id: i64 = form
        .user_id
        .trim()
        .parse()
        .map_err(|_| AppError::BadRequest)?;
    Ok(state.store().user(id).await?)
}

/// Refuses a change that would leave nobody able to manage accounts.
async fn keeps_an_admin(
    state: &AppState,
    target: &User,
    removes_admin: bool,
) -> Result<bool, AppError> {
    if target.role != Role::Admin || !target.is_active() || !removes_admin {
        return Ok(true);
    }
    Ok(state.store().count_active_admins().await? > 1)
}

async fn refuse(
    state: &AppState,
    context: &RequestContext,
    key: &str,
) -> Result<Response, AppError> {
    let extras = Extras {
        error: Some(kizuki_i18n::text(context.lang, key).to_owned()),
        ..Extras::default()
    };
    let page = render(state, context, extras).await?;
    Ok(with_status(StatusCode::CONFLICT, page))
}

pub async fn change_role(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(admin): CurrentUser,
    Form(form): Form<UserAction>,
) -> Result<Response, AppError> {
    let target = target_user(&state, &form).await?;
    let role: Role = form.role.parse().map_err(|_| AppError::BadRequest)?;
    if role == target.role {
        return Ok(redirect_with_flash(
            &context,
            "/admin/users",
            "flash.role_changed",
        ));
    }
    if !keeps_an_admin(&state, &target, role != Role::Admin).await? {
        return refuse(&state, &context, "admin.users.last_admin").await;
    }
    state.store().set_role(target.id, role).await?;
    let detail = format!("{} → {}", target.role, role);
    state
        .store()
        .record_audit(
            Some(admin.id),
            "role_changed",
            &target.email,
            &detail,
            state.now(),
        )
        .await?;
    Ok(redirect_with_flash(
        &context,
        "/admin/users",
        "flash.role_changed",
    ))
}

pub async fn disable(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(admin): CurrentUser,
    Form(form): Form<UserAction>,
) -> Result<Response, AppError> {
    let target = target_user(&state, &form).await?;
    if target.id == admin.id {
        return refuse(&state, &context, "admin.users.not_yourself").await;
    }
    if !keeps_an_admin(&state, &target, true).await? {
        return refuse(&state, &context, "admin.users.last_admin").await;
    }
    state.store().disable_user(target.id, state.now()).await?;
    state
        .store()
        .record_audit(
            Some(admin.id),
            "user_disabled",
            &target.email,
            "",
            state.now(),
        )
        .await?;
    Ok(redirect_with_flash(
        &context,
        "/admin/users",
        "flash.user_disabled",
    ))
}

pub async fn enable(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(admin): CurrentUser,
    Form(form): Form<UserAction>,
) -> Result<Response, AppError> {
    let target = target_user(&state, &form).await?;
    state.store().enable_user(target.id).await?;
    state
        .store()
        .record_audit(
            Some(admin.id),
            "user_enabled",
            &target.email,
            "",
            state.now(),
        )
        .await?;
    Ok(redirect_with_flash(
        &context,
        "/admin/users",
        "flash.user_enabled",
    ))
}

pub async fn reinvite(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(admin): CurrentUser,
    headers: HeaderMap,
    Form(form): Form<UserAction>,
) -> Result<Response, AppError> {
    let target = target_user(&state, &form).await?;
    if target.has_password || !target.is_active() {
        return refuse(&state, &context, "admin.users.reinvite_not_needed").await;
    }
    let link = issue_invitation(&state, &context, &headers, target.id, admin.id).await?;
    state
        .store()
        .record_audit(
            Some(admin.id),
            "invitation_reissued",
            &target.email,
            "",
            state.now(),
        )
        .await?;
    let extras = Extras {
        invitation_link: Some((target.display_name, link)),
        ..Extras::default()
    };
    render(&state, &context, extras).await
}
