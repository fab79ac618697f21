//! Projects: the list, a project's first page (what the board holds, its transcripts and
//! pasting one in), gathering cards into a group without script, and the table as CSV, Excel
//! and Markdown.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use kizuki_domain::text;
use kizuki_store::{QdaNode, QdaProject, StoreError};
use serde::Deserialize;

use super::project;
use crate::context::{CurrentUser, RequestContext};
use crate::error::AppError;
use crate::forms::{CleanForm, redirect_with_flash, see_other, with_status};
use crate::pages::manage::{FormErrors, optional_number};
use crate::qda::TranscriptForm;
use crate::state::AppState;
use crate::views::{self, Chrome};

pub struct ProjectRow {
    pub name: String,
    pub href: String,
    pub keeper: bool,
}

#[derive(Template)]
#[template(path = "research/projects.html")]
pub struct ListView {
    pub page: Chrome,
    pub projects: Vec<ProjectRow>,
}

pub async fn list(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
) -> Result<Response, AppError> {
    let projects = state.store().qda_projects_of(user.id).await?;
    Ok(views::render(&ListView {
        page: Chrome::new(&state, &context, "qda.projects.title"),
        projects: projects
            .into_iter()
            .map(|p| ProjectRow {
                href: context.href(&format!("/research/projects/{}", p.id)),
                keeper: p.role == "key_keeper",
                name: p.name,
            })
            .collect(),
    }))
}

#[derive(Deserialize)]
pub struct NameForm {
    #[serde(default)]
    name: String,
}

pub async fn create(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    CleanForm(form): CleanForm<NameForm>,
) -> Result<Response, AppError> {
    let name = text::normalize_line(&form.name);
    if name.is_empty() || name.chars().count() > 200 {
        return Ok(redirect_with_flash(
            &context,
            "/research/projects",
            "flash.qda_name",
        ));
    }
    let id = state
        .store()
        .create_qda_project(&name, user.id, state.now())
        .await?;
    Ok(see_other(
        &context.href(&format!("/research/projects/{id}")),
    ))
}

pub struct TranscriptRow {
    pub name: String,
    pub href: String,
    pub kind: &'static str,
    pub date: String,
    pub place: String,
    pub participants: String,
    pub length: usize,
}

/// What the board holds, in one line above the transcripts.
pub struct BoardCounts {
    pub cards: usize,
    pub groups: usize,
    pub lone: usize,
}

impl BoardCounts {
    fn of(nodes: &[QdaNode]) -> BoardCounts {
        let cards = nodes.iter().filter(|n| !n.is_group);
        BoardCounts {
            cards: cards.clone().count(),
            groups: nodes.iter().filter(|n| n.is_group).count(),
            lone: cards.filter(|n| n.parent_id.is_none()).count(),
        }
    }
}

#[derive(Template)]
#[template(path = "research/project.html")]
pub struct ProjectView {
    pub page: Chrome,
    pub base: String,
    pub name: String,
    pub keeper: bool,
    pub transcripts: Vec<TranscriptRow>,
    pub counts: BoardCounts,
    pub typed: TranscriptForm,
    pub participants: String,
    pub errors: FormErrors,
}

async fn view(
    state: &AppState,
    context: &RequestContext,
    project: &QdaProject,
    typed: TranscriptForm,
    participants: String,
    errors: FormErrors,
) -> Result<ProjectView, AppError> {
    let lang = context.lang;
    let transcripts = state.store().transcripts(project.id).await?;
    let nodes = state.store().qda_nodes(project.id).await?;
    let mut page = Chrome::new(state, context, "qda.project.title");
    page.title = project.name.clone();
    Ok(ProjectView {
        page,
        base: super::project_base(context, project.id),
        name: project.name.clone(),
        keeper: project.role == "key_keeper",
        transcripts: transcripts
            .iter()
            .map(|t| TranscriptRow {
                name: t.name.clone(),
                href: lang.localize(&format!("/research/transcripts/{}", t.id)),
                kind: kizuki_i18n::text(lang, &format!("qda.kind.{}", t.kind)),
                date: crate::format::stored_date(
                    lang,
                    t.session_date.as_deref().unwrap_or_default(),
                ),
                place: t.place.clone(),
                participants: t.participants.map(|n| n.to_string()).unwrap_or_default(),
                length: kizuki_domain::qda::length(&t.body),
            })
            .collect(),
        counts: BoardCounts::of(&nodes),
        typed,
        participants,
        errors,
    })
}

pub async fn show(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let project = project(&state, &id, user.id).await?;
    let view = view(
        &state,
        &context,
        &project,
        TranscriptForm::default(),
        String::new(),
        FormErrors::default(),
    )
    .await?;
    Ok(views::render(&view))
}

#[derive(Deserialize, Default)]
pub struct ImportForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    format: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    participants: String,
}

/// Imports a pasted transcript; mistakes show the page again with everything as typed.
pub async fn import(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    CleanForm(form): CleanForm<ImportForm>,
) -> Result<Response, AppError> {
    let project = project(&state, &id, user.id).await?;
    if !crate::qda::may_import(&project) {
        return Err(AppError::Forbidden);
    }
    let mut errors = FormErrors::default();
    let participants = optional_number(&form.participants).unwrap_or_else(|()| {
        errors.add(context.lang, "participants", "qda.error.participants");
        None
    });
    let typed = TranscriptForm {
        name: form.name,
        text: form.text,
        kind: form.kind,
        format: form.format,
        date: form.date,
        place: form.place,
        participants,
    };
    if errors.is_empty() {
        match crate::qda::import(&state, &project, &typed).await? {
            Ok(imported) => {
                return Ok(see_other(
                    &context.href(&format!("/research/transcripts/{}", imported.id)),
                ));
            }
            Err(mistakes) => {
                for m in mistakes {
                    let line = m.line.map(|l| l.to_string()).unwrap_or_default();
                    errors.add_text(
                        m.field,
                        kizuki_i18n::format(context.lang, m.key, &[("line", &line)]),
                    );
                }
            }
        }
    }
    let view = view(&state, &context, &project, typed, form.participants, errors).await?;
    Ok(with_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        views::render(&view),
    ))
}

/// Gathers the checked cards and groups into a new group with a label (the keyboard's way of
/// dragging cards together).
pub async fn gather(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    CleanForm(pairs): CleanForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let project = project(&state, &id, user.id).await?;
    let path = format!("/research/projects/{}/board", project.id);
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    };
    let label = text::normalize(get("label"));
    let members: Vec<i64> = pairs
        .iter()
        .filter(|(k, _)| k == "member" || k == "node")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    if label.is_empty() || label.chars().count() > 500 {
        return Ok(redirect_with_flash(&context, &path, "flash.qda_label"));
    }
    if members.is_empty() {
        return Ok(redirect_with_flash(&context, &path, "flash.qda_no_members"));
    }
    let parent = get("parent").parse::<i64>().ok();
    match state
        .store()
        .create_group(project.id, &label, parent, &members, user.id, state.now())
        .await
    {
        Ok(_) => Ok(redirect_with_flash(&context, &path, "flash.qda_grouped")),
        Err(StoreError::Refused("too_deep")) => {
            Ok(redirect_with_flash(&context, &path, "flash.qda_too_deep"))
        }
        Err(StoreError::Refused(_)) => Ok(redirect_with_flash(&context, &path, "flash.qda_loop")),
        Err(other) => Err(other.into()),
    }
}
