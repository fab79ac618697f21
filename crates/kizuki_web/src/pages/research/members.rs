//! A project's members and its pseudonym key: who may open the project (and who keeps the key),
//! adding a researcher, and the key itself for its keepers.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use kizuki_domain::qda::pseudonyms::Entry;
use kizuki_domain::text;
use kizuki_store::StoreError;
use serde::Deserialize;

use super::{project, project_base, project_chrome};
use crate::confirm::{self, Question};
use crate::context::{CurrentUser, RequestContext};
use crate::error::AppError;
use crate::forms::{CleanForm, redirect_with_flash};
use crate::state::AppState;
use crate::views::{self, Chrome};

/// One line of the access log as its keepers read it.
pub struct LogRow {
    pub when: String,
    pub who: String,
    pub action: &'static str,
    pub subject: String,
}

/// The log's newest lines shown in the page; enough to see who has read what lately.
const LOG_LINES: i64 = 50;

pub struct MemberRow {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub keeper: bool,
    pub you: bool,
    /// Whether the reader may take them out: a keeper anyone, anyone themselves.
    pub removable: bool,
}

#[derive(Template)]
#[template(path = "research/members.html")]
pub struct MembersView {
    pub page: Chrome,
    pub base: String,
    pub name: String,
    pub keeper: bool,
    pub members: Vec<MemberRow>,
    pub key: String,
    pub log: Vec<LogRow>,
    pub log_total: i64,
}

fn members_path(project: i64) -> String {
    format!("/research/projects/{project}/members")
}

pub async fn show(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let project = project(&state, &id, user.id).await?;
    let keeper = project.role == "key_keeper";
    let entries = if keeper {
        state.store().pseudonyms(project.id).await?
    } else {
        Vec::new()
    };
    let members = state.store().qda_members(project.id).await?;
    let keepers = members.iter().filter(|m| m.role == "key_keeper").count();
    let (log, log_total) = if keeper {
        state
            .store()
            .qda_access_log_recent(project.id, LOG_LINES)
            .await?
    } else {
        (Vec::new(), 0)
    };
    let name_of = |id: Option<i64>| match id {
        None => kizuki_i18n::text(context.lang, "qda.log.operator").to_owned(),
        Some(id) => members
            .iter()
            .find(|member| member.user_id == id)
            .map(|member| member.name.clone())
            .unwrap_or_else(|| kizuki_i18n::text(context.lang, "qda.log.former").to_owned()),
    };
    let log: Vec<LogRow> = log
        .into_iter()
        .map(|(user, action, subject, at)| LogRow {
            when: crate::mail::moment(context.lang, kizuki_domain::time::Timestamp(at)),
            who: name_of(user),
            action: kizuki_i18n::text(context.lang, &format!("qda.log.{action}")),
            subject,
        })
        .collect();
    Ok(views::render(&MembersView {
        page: project_chrome(&state, &context, "qda.members.title_of", &project),
        base: project_base(&context, project.id),
        name: project.name,
        keeper,
        members: members
            .into_iter()
            .map(|member| MemberRow {
                keeper: member.role == "key_keeper",
                you: member.user_id == user.id,
                // The last keeper stays (the store refuses it too).
                removable: (keeper || member.user_id == user.id)
                    && !(member.role == "key_keeper" && keepers == 1),
                user_id: member.user_id,
                name: member.name,
                email: member.email,
            })
            .collect(),
        log,
        log_total,
        key: entries
            .into_iter()
            .map(|e| format!("{} | {}", e.real, e.pseudonym))
            .collect::<Vec<_>>()
            .join("\n"),
    }))
}

#[derive(Deserialize)]
pub struct KeyForm {
    #[serde(default)]
    key: String,
}

/// Saves the pseudonym key (key keepers), one "real | pseudonym" per line.
pub async fn save_key(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    CleanForm(form): CleanForm<KeyForm>,
) -> Result<Response, AppError> {
    let project = project(&state, &id, user.id).await?;
    if project.role != "key_keeper" {
        return Err(AppError::Forbidden);
    }
    let path = members_path(project.id);
    let mut entries = Vec::new();
    for line in form.key.lines().filter(|l| !l.trim().is_empty()) {
        let Some((real, pseudonym)) = line.split_once('|') else {
            return Ok(redirect_with_flash(&context, &path, "flash.qda_key_line"));
        };
        let (real, pseudonym) = (text::normalize_line(real), text::normalize_line(pseudonym));
        if real.is_empty() || pseudonym.is_empty() {
            return Ok(redirect_with_flash(&context, &path, "flash.qda_key_line"));
        }
        entries.push(Entry { real, pseudonym });
    }
    if !crate::qda::save_key(&state, &project, user.id, &entries).await? {
        return Ok(redirect_with_flash(&context, &path, "flash.qda_key_twice"));
    }
    Ok(redirect_with_flash(&context, &path, "flash.qda_key_saved"))
}

#[derive(Deserialize)]
pub struct MemberForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

/// Adds a researcher by their address; a key keeper may make them a key keeper too. Someone
/// already in the project is told so and keeps their role.
pub async fn add(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    CleanForm(form): CleanForm<MemberForm>,
) -> Result<Response, AppError> {
    let project = project(&state, &id, user.id).await?;
    let path = members_path(project.id);
    let role = if form.role == "key_keeper" {
        if project.role != "key_keeper" {
            return Err(AppError::Forbidden);
        }
        "key_keeper"
    } else {
        "member"
    };
    let Some(member) = crate::qda::researcher(&state, &form.email).await? else {
        return Ok(redirect_with_flash(
            &context,
            &path,
            "flash.qda_no_researcher",
        ));
    };
    let already = state.store().is_qda_member(project.id, member.id).await?;
    if already && role == "member" {
        return Ok(redirect_with_flash(
            &context,
            &path,
            "flash.qda_already_member",
        ));
    }
    state
        .store()
        .add_qda_member(project.id, member.id, role)
        .await?;
    let action = if role == "key_keeper" {
        "keeper_added"
    } else {
        "member_added"
    };
    state
        .store()
        .log_qda_access(
            project.id,
            user.id,
            action,
            member.email.as_str(),
            state.now(),
        )
        .await?;
    let said = match (already, role) {
        (true, _) => "flash.qda_keeper_made",
        (false, "key_keeper") => "flash.qda_keeper_added",
        _ => "flash.qda_member_added",
    };
    Ok(redirect_with_flash(&context, &path, said))
}

#[derive(Deserialize)]
pub struct RemoveForm {
    #[serde(default)]
    user: String,
    #[serde(default)]
    confirmed: String,
}

/// Takes a member out of the project, after asking: a key keeper may take out anyone, anyone
/// may leave; the last key keeper may not go. Written to the access log.
pub async fn remove(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    CleanForm(form): CleanForm<RemoveForm>,
) -> Result<Response, AppError> {
    let project = project(&state, &id, user.id).await?;
    let path = members_path(project.id);
    let target: i64 = form.user.trim().parse().map_err(|_| AppError::NotFound)?;
    let leaving = target == user.id;
    if !leaving && project.role != "key_keeper" {
        return Err(AppError::Forbidden);
    }
    let members = state.store().qda_members(project.id).await?;
    let member = members
        .iter()
        .find(|member| member.user_id == target)
        .ok_or(AppError::NotFound)?;
    if !confirm::given(&form.confirmed) {
        let consequence = if leaving {
            kizuki_i18n::format(
                context.lang,
                "qda.members.leave_consequence",
                &[("project", &project.name)],
            )
        } else {
            kizuki_i18n::format(
                context.lang,
                "qda.members.remove_consequence",
                &[("name", &member.name), ("email", &member.email)],
            )
        };
        return Ok(confirm::ask(
            &state,
            &context,
            Question {
                title_key: if leaving {
                    "qda.members.leave_title"
                } else {
                    "qda.members.remove_title"
                },
                consequence,
                button_key: if leaving {
                    "qda.members.leave"
                } else {
                    "qda.members.remove"
                },
                action: format!("{path}/remove"),
                back: path,
                fields: vec![("user".to_owned(), target.to_string())],
            },
        ));
    }
    match state.store().remove_qda_member(project.id, target).await {
        Ok(()) => {}
        Err(StoreError::Refused(_)) => {
            return Ok(redirect_with_flash(
                &context,
                &path,
                "flash.qda_last_keeper",
            ));
        }
        Err(other) => return Err(other.into()),
    }
    state
        .store()
        .log_qda_access(
            project.id,
            user.id,
            "member_removed",
            &member.email,
            state.now(),
        )
        .await?;
    if leaving {
        Ok(redirect_with_flash(
            &context,
            "/research/projects",
            "flash.qda_left",
        ))
    } else {
        Ok(redirect_with_flash(
            &context,
            &path,
            "flash.qda_member_removed",
        ))
    }
}
