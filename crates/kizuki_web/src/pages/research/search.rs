//! Search in a project: its transcripts, cards and group labels, Japanese and English alike
//! (see `kizuki_domain::qda::search`). What is searched is what is stored, so results are in
//! pseudonymised form; each search is logged without its words, which could hold a real name.

use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use kizuki_domain::qda::search::{self, Query as Terms, Snippet};
use kizuki_store::QdaProject;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::project;
use crate::context::{CurrentUser, RequestContext};
use crate::error::AppError;
use crate::state::AppState;
use crate::views::{self, Chrome};

const CONTEXT: usize = 40;
const SNIPPETS_PER_TRANSCRIPT: usize = 5;
const MAX_QUERY_CHARS: usize = 200;

#[derive(Deserialize, IntoParams)]
pub struct SearchParams {
    /// Words to find, separated by spaces; "quotes" keep a phrase together. All must occur.
    #[serde(default)]
    q: String,
}

/// A passage found, with its context and where it is.
#[derive(Serialize, ToSchema)]
pub struct Passage {
    before: String,
    matched: String,
    after: String,
    /// Code points of the transcript (or of the card's quote), end exclusive.
    start: usize,
    end: usize,
    /// Who speaks there, in a transcript.
    speaker: String,
}

#[derive(Serialize, ToSchema)]
pub struct NodeFound {
    id: i64,
    is_group: bool,
    label: String,
    /// A card's passage from its transcript.
    quote: Option<String>,
    transcript_id: Option<i64>,
    passages: Vec<Passage>,
}

#[derive(Serialize, ToSchema)]
pub struct TranscriptFound {
    id: i64,
    name: String,
    /// How many places matched; up to five are shown.
    hits: usize,
    passages: Vec<Passage>,
}

#[derive(Serialize, ToSchema, Default)]
pub struct SearchResults {
    query: String,
    /// The terms as searched (folded: NFKC, lower case, katakana as hiragana).
    terms: Vec<String>,
    nodes: Vec<NodeFound>,
    transcripts: Vec<TranscriptFound>,
}

fn passage(snippet: Snippet, speaker: String) -> Passage {
    Passage {
        before: snippet.before,
        matched: snippet.matched,
        after: snippet.after,
        start: snippet.hit.start,
        end: snippet.hit.end,
        speaker,
    }
}

/// Searches `project` as `user` (a member), logging that transcript content was read.
async fn run(
    state: &AppState,
    project: &QdaProject,
    user: i64,
    raw: &str,
) -> Result<SearchResults, AppError> {
    let raw: String = raw.trim().chars().take(MAX_QUERY_CHARS).collect();
    let terms = Terms::parse(&raw);
    let mut results = SearchResults {
        terms: terms.terms().to_vec(),
        query: raw,
        ..SearchResults::default()
    };
    if terms.is_empty() {
        return Ok(results);
    }
    let store = state.store();
    let transcripts = store.transcripts(project.id).await?;
    let nodes = store.qda_nodes(project.id).await?;

    let mut speakers = crate::qda::Speakers::default();
    let bodies = transcripts.iter().map(|t| t.body.as_str());
    for (index, places) in search::search(bodies, &terms) {
        let transcript = &transcripts[index];
        results.transcripts.push(TranscriptFound {
            id: transcript.id,
            name: transcript.name.clone(),
            hits: places.len(),
            passages: search::snippets(&transcript.body, &places, CONTEXT, SNIPPETS_PER_TRANSCRIPT)
                .into_iter()
                .map(|s| {
                    let speaker = speakers.at(transcript, s.hit.start as i64);
                    passage(s, speaker)
                })
                .collect(),
        });
    }

    // A card is found by its label or its quote; a group by its label or memo.
    let texts: Vec<String> = nodes
        .iter()
        .map(|n| {
            if n.is_group {
                format!("{}\n{}", n.label, n.memo)
            } else {
                format!("{}\n{}", n.quote.as_deref().unwrap_or_default(), n.label)
            }
        })
        .collect();
    for (index, places) in search::search(texts.iter().map(String::as_str), &terms) {
        let node = &nodes[index];
        results.nodes.push(NodeFound {
            id: node.id,
            is_group: node.is_group,
            label: node.label.clone(),
            quote: node.quote.clone(),
            transcript_id: node.transcript_id,
            passages: search::snippets(&texts[index], &places, CONTEXT * 3, 3)
                .into_iter()
                .map(|s| passage(s, String::new()))
                .collect(),
        });
    }
    store
        .log_qda_access(
            project.id,
            user,
            "search",
            &format!(
                "{} transcripts, {} cards or groups found",
                results.transcripts.len(),
                results.nodes.len()
            ),
            state.now(),
        )
        .await?;
    Ok(results)
}

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

/// Finds words in a project's transcripts, cards and group labels. Japanese needs no spaces
/// between words; kana, width and case are folded. All terms must occur. Logged.
#[utoipa::path(get, path = "/api/v1/qda/projects/{id}/search", tag = "qda",
    params(("id" = i64, Path, description = "Project id"), SearchParams),
    responses((status = 200, body = SearchResults), (status = 404, body = crate::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn api(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    Query(params): Query<SearchParams>,
) -> Result<Response, AppError> {
    let project = project(&state, &id, user.id).await?;
    Ok(Json(run(&state, &project, user.id, &params.q).await?).into_response())
}
