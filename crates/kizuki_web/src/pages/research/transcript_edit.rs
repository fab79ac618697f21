//! Changing a transcript after import: its session details, a speaker's name wherever their
//! turns open, and the pseudonym key applied again (after names were added to it), shown first
//! as a preview. Text changes move every card with its words (`Store::rewrite_transcript`).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use kizuki_domain::qda::pseudonyms::{self, Replacement};
use kizuki_domain::qda::search::{self, Hit};
use kizuki_domain::qda::transcript;
use kizuki_store::{QdaProject, StoreError, Transcript};
use serde::Deserialize;

use super::transcript as member_transcript;
use crate::context::{CurrentUser, RequestContext};
use crate::error::AppError;
use crate::forms::{CleanForm, redirect_with_flash, with_status};
use crate::pages::manage::{FormErrors, optional_number};
use crate::qda::{TranscriptForm, TurnEdit, plan_turns};
use crate::state::AppState;
use crate::views::{self, Chrome};

const PREVIEW_LINES: usize = 50;
const PREVIEW_CONTEXT: usize = 15;

/// One replacement the key would make, with a little text either side.
pub struct PreviewLine {
    pub before: String,
    pub real: String,
    pub pseudonym: String,
    pub after: String,
}

#[derive(Template)]
#[template(path = "research/transcript_edit.html")]
pub struct EditView {
    pub page: Chrome,
    pub back: String,
    pub action: String,
    pub typed: TranscriptForm,
    pub participants: String,
    pub errors: FormErrors,
    pub speakers: Vec<(String, usize)>,
    pub speaker_error: Option<String>,
    pub rename_to: String,
    pub line_error: Option<String>,
    pub line_typed: String,
    pub line_speaker: String,
    /// Each line of the text with who opens it (line numbers count from 1).
    pub lines: Vec<(usize, String, String)>,
    pub keeper: bool,
    pub preview: Vec<PreviewLine>,
    pub replacements: usize,
}

fn numbered_lines(body: &str) -> Vec<(usize, String, String)> {
    let turns = transcript::turns(body);
    let mut position = 0;
    body.split('\n')
        .enumerate()
        .map(|(index, line)| {
            let length = line.chars().count();
            let next = turns.partition_point(|t| t.start < position);
            let opens = turns
                .get(next)
                .filter(|t| t.start <= position + length)
                .map(|t| t.speaker.clone())
                .unwrap_or_default();
            position += length + 1;
            (index + 1, opens, line.to_owned())
        })
        .collect()
}

/// The places the key would change, each with the text around it on its line (as search shows
/// its passages).
fn preview(body: &str, found: &[Replacement]) -> Vec<PreviewLine> {
    let hits: Vec<Hit> = found
        .iter()
        .map(|r| Hit {
            start: r.start,
            end: r.end,
        })
        .collect();
    // Replacements never overlap, so each snippet is one replacement, in order.
    search::snippets(body, &hits, PREVIEW_CONTEXT, PREVIEW_LINES)
        .into_iter()
        .zip(found)
        .map(|(snippet, r)| PreviewLine {
            before: snippet.before,
            real: snippet.matched,
            pseudonym: r.pseudonym.clone(),
            after: snippet.after,
        })
        .collect()
}

/// The session details as typed, and what was wrong with them.
struct MetaDraft {
    typed: TranscriptForm,
    participants: String,
    errors: FormErrors,
}

impl MetaDraft {
    /// The details as stored.
    fn of(found: &Transcript) -> MetaDraft {
        MetaDraft {
            typed: TranscriptForm {
                name: found.name.clone(),
                kind: found.kind.clone(),
                date: found.session_date.clone().unwrap_or_default(),
                place: found.place.clone(),
                participants: found.participants,
                ..TranscriptForm::default()
            },
            participants: found
                .participants
                .map(|n| n.to_string())
                .unwrap_or_default(),
            errors: FormErrors::default(),
        }
    }
}

async fn edit_view(
    state: &AppState,
    context: &RequestContext,
    found: &Transcript,
    project: &QdaProject,
    draft: MetaDraft,
    speaker_error: Option<String>,
) -> Result<EditView, AppError> {
    let MetaDraft {
        typed,
        participants,
        errors,
    } = draft;
    let keeper = project.role == "key_keeper";
    let (preview, replacements) = if keeper {
        let key = state.store().pseudonyms(project.id).await?;
        let (_, found_names) = pseudonyms::apply(&found.body, &key);
        (preview(&found.body, &found_names), found_names.len())
    } else {
        (Vec::new(), 0)
    };
    let mut page = Chrome::new(state, context, "qda.edit.title");
    page.title = kizuki_i18n::format(context.lang, "qda.edit.title_of", &[("name", &found.name)]);
    Ok(EditView {
        page,
        back: context.href(&format!("/research/transcripts/{}", found.id)),
        action: context.href(&format!("/research/transcripts/{}", found.id)),
        typed,
        participants,
        errors,
        speakers: transcript::speakers(&found.body),
        speaker_error,
        rename_to: String::new(),
        line_error: None,
        line_typed: String::new(),
        line_speaker: String::new(),
        lines: numbered_lines(&found.body),
        keeper,
        preview,
        replacements,
    })
}

pub async fn page(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (found, project) = super::viewed_transcript(&state, &id, user.id, " (edit)").await?;
    let view = edit_view(
        &state,
        &context,
        &found,
        &project,
        MetaDraft::of(&found),
        None,
    )
    .await?;
    Ok(views::render(&view))
}

#[derive(Deserialize, Default)]
pub struct MetaForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    participants: String,
}

pub async fn save_meta(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    CleanForm(form): CleanForm<MetaForm>,
) -> Result<Response, AppError> {
    let (found, project) = member_transcript(&state, &id, user.id).await?;
    let mut errors = FormErrors::default();
    let participants = optional_number(&form.participants).unwrap_or_else(|()| {
        errors.add(context.lang, "participants", "qda.error.participants");
        None
    });
    let typed = TranscriptForm {
        name: form.name,
        kind: form.kind,
        date: form.date,
        place: form.place,
        participants,
        ..TranscriptForm::default()
    };
    let mut mistakes = Vec::new();
    let meta = crate::qda::meta(&typed, &mut mistakes);
    for m in mistakes {
        errors.add(context.lang, m.field, m.key);
    }
    if errors.is_empty() {
        state
            .store()
            .update_transcript_meta(found.id, &meta)
            .await?;
        return Ok(redirect_with_flash(
            &context,
            &format!("/research/transcripts/{}", found.id),
            "flash.qda_transcript_saved",
        ));
    }
    let draft = MetaDraft {
        typed,
        participants: form.participants,
        errors,
    };
    let view = edit_view(&state, &context, &found, &project, draft, None).await?;
    Ok(with_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        views::render(&view),
    ))
}

#[derive(Deserialize, Default)]
pub struct RenameForm {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// Makes `planned` (or explains, in the form it came from, why not) and goes back to the
/// transcript with `flash`. `keep` puts what was typed back into the form with the message.
async fn rewrite_or_explain(
    state: &AppState,
    context: &RequestContext,
    found: &Transcript,
    project: &QdaProject,
    planned: Result<Vec<Replacement>, &'static str>,
    flash: &str,
    keep: impl FnOnce(&mut EditView, String),
) -> Result<Response, AppError> {
    let problem = match planned {
        Err(key) => Some(key),
        Ok(replacements) => match state
            .store()
            .rewrite_transcript(found.id, &found.body, &replacements, None)
            .await
        {
            Ok(_) => None,
            Err(StoreError::Refused(_)) => Some("qda.edit.changed"),
            Err(other) => return Err(other.into()),
        },
    };
    let Some(key) = problem else {
        return Ok(redirect_with_flash(
            context,
            &format!("/research/transcripts/{}", found.id),
            flash,
        ));
    };
    let message = kizuki_i18n::text(context.lang, key).to_owned();
    let mut view = edit_view(state, context, found, project, MetaDraft::of(found), None).await?;
    keep(&mut view, message);
    Ok(with_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        views::render(&view),
    ))
}

pub async fn rename_speaker(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    CleanForm(form): CleanForm<RenameForm>,
) -> Result<Response, AppError> {
    let (found, project) = member_transcript(&state, &id, user.id).await?;
    let edit = TurnEdit::Rename {
        from: &form.from,
        to: &form.to,
    };
    let planned = plan_turns(&found.body, edit).map_err(|(_, key)| key);
    rewrite_or_explain(
        &state,
        &context,
        &found,
        &project,
        planned,
        "flash.qda_speaker_renamed",
        |view, message| {
            view.speaker_error = Some(message);
            view.rename_to = form.to;
        },
    )
    .await
}

#[derive(Deserialize, Default)]
pub struct LineForm {
    #[serde(default)]
    line: String,
    #[serde(default)]
    speaker: String,
}

/// Gives one line a speaker (a new turn starts there), another speaker, or none.
pub async fn set_line_speaker(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    CleanForm(form): CleanForm<LineForm>,
) -> Result<Response, AppError> {
    let (found, project) = member_transcript(&state, &id, user.id).await?;
    let line = optional_number(&form.line)
        .ok()
        .flatten()
        .and_then(|n| usize::try_from(n).ok());
    let edit = TurnEdit::Line {
        line,
        speaker: &form.speaker,
    };
    let planned = plan_turns(&found.body, edit).map_err(|(_, key)| key);
    rewrite_or_explain(
        &state,
        &context,
        &found,
        &project,
        planned,
        "flash.qda_line_saved",
        |view, message| {
            view.line_error = Some(message);
            view.line_typed = form.line;
            view.line_speaker = form.speaker;
        },
    )
    .await
}

/// Applies the project's key to the stored text again (a key keeper's step, after adding names
/// to the key): the preview on the edit page shows what will change.
pub async fn pseudonymise(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (found, project) = member_transcript(&state, &id, user.id).await?;
    if project.role != "key_keeper" {
        return Err(AppError::Forbidden);
    }
    let flash = match crate::qda::apply_key(&state, &project, &found, user.id, false).await? {
        Some(_) => "flash.qda_key_applied",
        None => "flash.qda_transcript_changed",
    };
    Ok(redirect_with_flash(
        &context,
        &format!("/research/transcripts/{}", found.id),
        flash,
    ))
}
