//! Search in a project: its transcripts, cards and group labels, Japanese and English alike
//! (see `kizuki_domain::qda::search`). What is searched is what is stored, so results are in
//! pseudonymised form; each search is logged without its words, which could hold a real name.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;

use super::project;
use crate::context::{CurrentUser, RequestContext};
use crate::error::AppError;
use crate::qda_search::{SearchParams, SearchResults, run};
use crate::state::AppState;
use crate::views::{self, Chrome};

#[derive(Template)]
#[template(path = "research/search.html")]
pub struct SearchView {
    pub page: Chrome,
    pub base: String,
    pub name: String,
    pub transcript_base: String,
    pub results: SearchResults,
    pub searched: bool,
    pub summary: String,
}

pub async fn page(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    Query(params): Query<SearchParams>,
) -> Result<Response, AppError> {
    let project = project(&state, &id, user.id).await?;
    let searched = !params.q.trim().is_empty();
    let results = run(&state, &project, user.id, &params.q).await?;
    let page = super::project_chrome(&state, &context, "qda.search.title_of", &project);
    let summary = kizuki_i18n::format(
        context.lang,
        "qda.search.summary",
        &[
            ("transcripts", &results.transcripts.len().to_string()),
            ("nodes", &results.nodes.len().to_string()),
        ],
    );
    Ok(views::render(&SearchView {
        page,
        summary,
        base: super::project_base(&context, project.id),
        transcript_base: context.href("/research/transcripts"),
        name: project.name,
        results,
        searched,
    }))
}
