//! Search in a project: its transcripts, cards and group labels, Japanese and English alike
//! (see `kizuki_domain::qda::search`), for the search page and the API. What is searched is
//! what is stored, so results are in pseudonymised form; each search is logged without its
//! words, which could hold a real name.

use kizuki_domain::qda::search::{self, Query as Terms, Snippet};
use kizuki_store::QdaProject;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::AppError;
use crate::state::AppState;

const CONTEXT: usize = 40;
const SNIPPETS_PER_TRANSCRIPT: usize = 5;
const MAX_QUERY_CHARS: usize = 200;

#[derive(Deserialize, IntoParams)]
pub struct SearchParams {
    /// Words to find, separated by spaces; "quotes" keep a phrase together. All must occur.
    #[serde(default)]
    pub q: String,
}

/// A passage found, with its context and where it is.
#[derive(Serialize, ToSchema)]
pub struct Passage {
    pub before: String,
    pub matched: String,
    pub after: String,
    /// Code points of the transcript (or of the card's quote), end exclusive.
    pub start: usize,
    pub end: usize,
    /// Who speaks there, in a transcript.
    pub speaker: String,
}

#[derive(Serialize, ToSchema)]
pub struct NodeFound {
    pub id: i64,
    pub is_group: bool,
    pub label: String,
    /// A card's passage from its transcript.
    pub quote: Option<String>,
    pub transcript_id: Option<i64>,
    pub passages: Vec<Passage>,
}

#[derive(Serialize, ToSchema)]
pub struct TranscriptFound {
    pub id: i64,
    pub name: String,
    /// How many places matched; up to five are shown.
    pub hits: usize,
    pub passages: Vec<Passage>,
}

#[derive(Serialize, ToSchema, Default)]
pub struct SearchResults {
    pub query: String,
    /// The terms as searched (folded: NFKC, lower case, katakana as hiragana).
    pub terms: Vec<String>,
    pub nodes: Vec<NodeFound>,
    pub transcripts: Vec<TranscriptFound>,
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
pub async fn run(
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
