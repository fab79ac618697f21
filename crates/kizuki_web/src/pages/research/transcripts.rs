//! A transcript's page: its text with the cards marked where they come from, and the form to
//! make a card from a passage (copied from the text, so no script is needed to select it).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use kizuki_domain::qda;
use kizuki_domain::qda::selection::{self, SelectionError};
use kizuki_store::{QdaProject, Transcript};
use serde::Deserialize;

use super::transcript as member_transcript;
use crate::context::{CurrentUser, RequestContext};
use crate::error::AppError;
use crate::forms::{CleanForm, redirect_with_flash, with_status};
use crate::state::AppState;
use crate::views::{self, Chrome};

/// A piece of the text: plain, the passage of a card, or the passage a search led to.
pub struct Piece {
    pub text: String,
    pub card: Option<i64>,
    pub hit: bool,
}

pub struct CardLine {
    pub id: i64,
    pub quote: String,
    pub label: String,
    pub speaker: String,
    pub position: String,
    pub board_href: String,
    /// The 表札 of the group the card is in; none for a lone card.
    pub group: Option<String>,
}

#[derive(Template)]
#[template(path = "research/transcript.html")]
pub struct TranscriptView {
    pub page: Chrome,
    pub project_href: String,
    pub edit_href: String,
    pub project_name: String,
    pub action: String,
    pub kind: &'static str,
    pub date: String,
    pub place: String,
    pub participants: String,
    pub length: usize,
    pub pieces: Vec<Piece>,
    pub cards: Vec<CardLine>,
    pub passage: String,
    pub label: String,
    pub error: Option<String>,
}

/// The text cut where cards begin and end; a card overlapping an earlier one is listed but not
/// marked twice. A search hit, when there is one, is marked first and cards across it are not.
fn pieces(body: &str, cards: &[(i64, usize, usize)], hit: Option<(usize, usize)>) -> Vec<Piece> {
    let chars: Vec<char> = body.chars().collect();
    let hit = hit.filter(|(start, end)| start < end && *end <= chars.len());
    let mut sorted: Vec<(Option<i64>, usize, usize)> = cards
        .iter()
        .filter(|(_, start, end)| hit.is_none_or(|(from, to)| *end <= from || *start >= to))
        .map(|(id, start, end)| (Some(*id), *start, *end))
        .chain(hit.map(|(start, end)| (None, start, end)))
        .collect();
    sorted.sort_by_key(|(id, start, _)| (*start, *id));
    let mut out = Vec::new();
    let mut at = 0;
    for (card, start, end) in sorted {
        if start < at || end > chars.len() {
            continue;
        }
        if start > at {
            out.push(Piece {
                text: chars[at..start].iter().collect(),
                card: None,
                hit: false,
            });
        }
        out.push(Piece {
            text: chars[start..end].iter().collect(),
            card,
            hit: card.is_none(),
        });
        at = end;
    }
    if at < chars.len() {
        out.push(Piece {
            text: chars[at..].iter().collect(),
            card: None,
            hit: false,
        });
    }
    out
}

/// `12-20`: the passage a search result points at.
fn hit_range(at: &str) -> Option<(usize, usize)> {
    let (start, end) = at.split_once('-')?;
    Some((start.trim().parse().ok()?, end.trim().parse().ok()?))
}

#[derive(Deserialize, Default)]
pub struct ShowParams {
    #[serde(default)]
    at: String,
}

/// What the card form shows: as typed, and why it was refused.
#[derive(Default)]
struct CardDraft {
    passage: String,
    label: String,
    error: Option<String>,
}

async fn view(
    state: &AppState,
    context: &RequestContext,
    transcript: &Transcript,
    project: &QdaProject,
    draft: CardDraft,
    hit: Option<(usize, usize)>,
) -> Result<TranscriptView, AppError> {
    let CardDraft {
        passage,
        label,
        error,
    } = draft;
    let lang = context.lang;
    let cards = state.store().transcript_cards(transcript.id).await?;
    let ranges: Vec<(i64, usize, usize)> = cards
        .iter()
        .filter_map(|c| {
            Some((
                c.id,
                usize::try_from(c.start?).ok()?,
                usize::try_from(c.end?).ok()?,
            ))
        })
        .collect();
    let project_href = lang.localize(&format!("/research/projects/{}", project.id));
    let nodes = state.store().qda_nodes(project.id).await?;
    let group_of = |parent: Option<i64>| {
        parent
            .and_then(|id| nodes.iter().find(|node| node.id == id))
            .map(|group| group.label.clone())
    };
    let mut speakers = crate::qda::Speakers::default();
    let mut page = Chrome::new(state, context, "qda.transcript.title");
    page.title = transcript.name.clone();
    Ok(TranscriptView {
        page,
        action: lang.localize(&format!("/research/transcripts/{}/cards", transcript.id)),
        edit_href: lang.localize(&format!("/research/transcripts/{}/edit", transcript.id)),
        project_name: project.name.clone(),
        kind: kizuki_i18n::text(lang, &format!("qda.kind.{}", transcript.kind)),
        date: crate::format::stored_date(
            lang,
            transcript.session_date.as_deref().unwrap_or_default(),
        ),
        place: transcript.place.clone(),
        participants: transcript
            .participants
            .map(|n| n.to_string())
            .unwrap_or_default(),
        length: qda::length(&transcript.body),
        pieces: pieces(&transcript.body, &ranges, hit),
        cards: cards
            .iter()
            .map(|c| {
                let start = c.start.unwrap_or(0);
                CardLine {
                    id: c.id,
                    quote: c.quote.clone().unwrap_or_default(),
                    label: c.label.clone(),
                    speaker: speakers.at(transcript, start),
                    position: format!("{start}–{}", c.end.unwrap_or(0)),
                    board_href: format!("{project_href}#node-{}", c.id),
                    group: group_of(c.parent_id),
                }
            })
            .collect(),
        project_href,
        passage,
        label,
        error,
    })
}

pub async fn show(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    Query(params): Query<ShowParams>,
) -> Result<Response, AppError> {
    let (transcript, project) = super::viewed_transcript(&state, &id, user.id, "").await?;
    let view = view(
        &state,
        &context,
        &transcript,
        &project,
        CardDraft::default(),
        hit_range(&params.at),
    )
    .await?;
    Ok(views::render(&view))
}

#[derive(Deserialize)]
pub struct CardForm {
    #[serde(default)]
    passage: String,
    #[serde(default)]
    label: String,
    /// A selection's first code point and the one after its last, from the page's script.
    #[serde(default)]
    start: String,
    #[serde(default)]
    end: String,
}

/// Why no card was made, as a message key.
fn refusal(error: SelectionError) -> &'static str {
    match error {
        SelectionError::Empty => "qda.error.selection_empty",
        SelectionError::NoSpeech => "qda.error.selection_names",
        SelectionError::OutOfRange => "qda.error.selection_range",
    }
}

/// Makes cards from a selection (its code points, sent by the page's script) or, without
/// script, from a passage copied from the transcript, found leniently (whitespace and speakers'
/// names aside; see `kizuki_domain::qda::selection`). A selection across turns makes one card
/// per turn, each with its own speaker.
pub async fn create_card(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    CleanForm(form): CleanForm<CardForm>,
) -> Result<Response, AppError> {
    let (transcript, project) = member_transcript(&state, &id, user.id).await?;
    let body = &transcript.body;
    let selected = form
        .start
        .trim()
        .parse::<usize>()
        .ok()
        .zip(form.end.trim().parse::<usize>().ok());
    let (spans, loosely) = match selected {
        Some((start, end)) => (
            selection::cards_for(body, start, end).map_err(refusal),
            false,
        ),
        None => {
            let passage = kizuki_domain::qda::transcript::normalize(&form.passage);
            let passage = passage.trim();
            let cards = state.store().transcript_cards(transcript.id).await?;
            let taken: Vec<usize> = cards
                .iter()
                .filter_map(|card| usize::try_from(card.start?).ok())
                .collect();
            match selection::find_passage(body, passage, &taken) {
                Some(span) => (
                    selection::cards_for(body, span.start, span.end).map_err(refusal),
                    qda::slice(body, span.start, span.end) != Some(passage),
                ),
                None => (Err("qda.error.passage"), false),
            }
        }
    };
    let mut made = Vec::new();
    for span in spans.as_deref().unwrap_or_default() {
        if let Some((card, _)) = crate::qda::card(
            &state,
            &project,
            &transcript,
            span.start,
            span.end,
            &form.label,
            user.id,
        )
        .await?
        {
            made.push(card);
        }
    }
    if let Some(first) = made.first() {
        let flash = if made.len() > 1 {
            "flash.cards_made_per_turn"
        } else if loosely {
            "flash.card_found_loosely"
        } else {
            "flash.card_made"
        };
        return Ok(redirect_with_flash(
            &context,
            &format!("/research/transcripts/{}#card-{first}", transcript.id),
            flash,
        ));
    }
    let key = spans.err().unwrap_or("qda.error.passage");
    let view = view(
        &state,
        &context,
        &transcript,
        &project,
        CardDraft {
            passage: form.passage,
            label: form.label,
            error: Some(kizuki_i18n::text(context.lang, key).to_owned()),
        },
        None,
    )
    .await?;
    Ok(with_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        views::render(&view),
    ))
}
