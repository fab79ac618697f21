//! KJ-method work shared by the researchers' pages and the API: importing a transcript
//! (normalised, WebVTT read, pseudonymised before it is stored), a card from a passage, and the
//! report table.

use kizuki_domain::EmailAddress;
use kizuki_domain::qda::pseudonyms::Entry;
use kizuki_domain::qda::{self, pseudonyms, transcript, tree, webvtt};
use kizuki_domain::text;
use kizuki_store::{
    CardInput, QdaNode, QdaProject, Store, StoreError, Transcript, TranscriptInput, TranscriptMeta,
    User,
};

use crate::error::AppError;
use crate::state::AppState;

/// A transcript as sent, by form or JSON.
#[derive(Clone, Debug, Default)]
pub struct TranscriptForm {
    pub name: String,
    pub text: String,
    pub kind: String,
    pub format: String,
    pub date: String,
    pub place: String,
    pub participants: Option<i64>,
}

/// What was stored: the transcript's id, how many names the key replaced.
pub struct Imported {
    pub id: i64,
    pub body: String,
    pub replaced: usize,
}

/// A mistake: the field, the message key, and for WebVTT the line.
pub struct Mistake {
    pub field: &'static str,
    pub key: &'static str,
    pub line: Option<usize>,
}

// The catalogue's `qda.error.too_long` says the limit in words.
const _: () = assert!(transcript::MAX_CHARS == 1_000_000);

fn mistake(field: &'static str, key: &'static str) -> Mistake {
    Mistake {
        field,
        key,
        line: None,
    }
}

/// The session details of `form`, checked; mistakes are added to `mistakes`.
pub fn meta(form: &TranscriptForm, mistakes: &mut Vec<Mistake>) -> TranscriptMeta {
    let name = text::normalize_line(&form.name);
    if name.is_empty() || name.chars().count() > 200 {
        mistakes.push(mistake("name", "qda.error.name"));
    }
    let kind = if form.kind.is_empty() {
        "group"
    } else {
        form.kind.as_str()
    };
    if !matches!(kind, "group" | "individual" | "other") {
        mistakes.push(mistake("kind", "qda.error.kind"));
    }
    let date = form.date.trim();
    if !date.is_empty() && date.parse::<jiff::civil::Date>().is_err() {
        mistakes.push(mistake("date", "qda.error.date"));
    }
    if form.participants.is_some_and(|n| !(1..=1000).contains(&n)) {
        mistakes.push(mistake("participants", "qda.error.participants"));
    }
    TranscriptMeta {
        name,
        kind: kind.to_owned(),
        session_date: (!date.is_empty()).then(|| date.to_owned()),
        place: text::normalize_line(&form.place),
        participants: form.participants,
    }
}

/// Whether this member may bring text into the project. Only key keepers: the text before
/// import may hold real names, and someone who could import a made-up text and read it back
/// would learn from the pseudonyms put in which guessed names the key holds.
pub fn may_import(project: &QdaProject) -> bool {
    project.role == "key_keeper"
}

/// The API's answer to a member who is not a key keeper and tries to import.
pub fn import_refused() -> axum::response::Response {
    crate::error::api_error(
        crate::error::ErrorKind::Forbidden,
        "Only the project's key keepers can import transcripts and files: text before import may hold real names.",
    )
}

pub async fn import(
    state: &AppState,
    project: &QdaProject,
    form: &TranscriptForm,
) -> Result<Result<Imported, Vec<Mistake>>, AppError> {
    let mut mistakes = Vec::new();
    let meta = meta(form, &mut mistakes);
    let raw = match if form.format.is_empty() {
        "text"
    } else {
        form.format.as_str()
    } {
        "text" | "markdown" => Some(transcript::normalize(&form.text)),
        "webvtt" => match webvtt::to_text(&form.text) {
            Ok(text) => Some(text),
            Err(error) => {
                mistakes.push(Mistake {
                    field: "text",
                    key: "qda.error.webvtt",
                    line: Some(error.line),
                });
                None
            }
        },
        _ => {
            mistakes.push(mistake("format", "qda.error.format"));
            None
        }
    };
    if raw.as_ref().is_some_and(|t| t.is_empty()) {
        mistakes.push(mistake("text", "qda.error.empty"));
    }
    if raw
        .as_ref()
        .is_some_and(|t| t.chars().nth(transcript::MAX_CHARS).is_some())
    {
        mistakes.push(mistake("text", "qda.error.too_long"));
    }
    let Some(raw) = raw.filter(|_| mistakes.is_empty()) else {
        return Ok(Err(mistakes));
    };
    let key = state.store().pseudonyms(project.id).await?;
    let (body, replaced) = pseudonyms::apply(&raw, &key);
    let input = TranscriptInput {
        name: meta.name,
        kind: meta.kind,
        session_date: meta.session_date,
        place: meta.place,
        participants: meta.participants,
        body,
    };
    let id = state
        .store()
        .create_transcript(project.id, &input, state.now())
        .await?;
    Ok(Ok(Imported {
        id,
        body: input.body,
        replaced: replaced.len(),
    }))
}

/// Makes a card of the code points `start..end` of a transcript; `None` when the range does not
/// lie within it.
pub async fn card(
    state: &AppState,
    project: &QdaProject,
    transcript: &Transcript,
    start: usize,
    end: usize,
    label: &str,
    user: i64,
) -> Result<Option<(i64, String)>, AppError> {
    let Some(quote) = (start < end)
        .then(|| qda::slice(&transcript.body, start, end))
        .flatten()
    else {
        return Ok(None);
    };
    let card = CardInput {
        transcript_id: transcript.id,
        start: start as i64,
        end: end as i64,
        quote,
        label: &text::normalize(label),
    };
    let id = state
        .store()
        .create_card(project.id, &card, user, state.now())
        .await?;
    Ok(Some((id, quote.to_owned())))
}

/// The researcher with this address, if there is one: only researchers may join a project.
pub async fn researcher(state: &AppState, email: &str) -> Result<Option<User>, AppError> {
    let Ok(email) = EmailAddress::parse(email) else {
        return Ok(None);
    };
    match state.store().user_by_email(&email).await {
        Ok(user) => Ok(Some(user).filter(|u| {
            kizuki_domain::Permission::Research.check(Some(u.role))
                == kizuki_domain::Access::Granted
        })),
        Err(StoreError::NotFound) => Ok(None),
        Err(other) => Err(other.into()),
    }
}

/// As long as a speaker's name may be for the turn patterns to read it.
const MAX_SPEAKER_CHARS: usize = 20;

/// A change to a transcript's turns, as asked by a form or the API.
pub enum TurnEdit<'a> {
    /// A speaker renamed wherever their turns open.
    Rename { from: &'a str, to: &'a str },
    /// A turn of `speaker` starts at `line` (from 1); an empty speaker takes the line's off.
    Line {
        line: Option<usize>,
        speaker: &'a str,
    },
}

/// A name that the turn patterns will read back as a speaker.
fn speaker_name_ok(name: &str) -> bool {
    !name.is_empty()
        && name.chars().count() <= MAX_SPEAKER_CHARS
        && !name.chars().any(|c| {
            matches!(
                c,
                ':' | '：' | '【' | '】' | '。' | '、' | '.' | ',' | '「' | '」' | '\n'
            )
        })
}

/// The replacements `edit` makes in `body`, or the field and message key saying why not.
pub fn plan_turns(
    body: &str,
    edit: TurnEdit<'_>,
) -> Result<Vec<pseudonyms::Replacement>, (&'static str, &'static str)> {
    match edit {
        TurnEdit::Rename { from, to } => {
            let to = text::normalize_line(to);
            if !speaker_name_ok(&to) {
                return Err(("to", "qda.edit.speaker_invalid"));
            }
            Some(transcript::rename_speaker(body, from, &to))
                .filter(|found| !found.is_empty())
                .ok_or(("from", "qda.edit.speaker_missing"))
        }
        TurnEdit::Line { line, speaker } => {
            let line = line.ok_or(("line", "qda.edit.line_invalid"))?;
            let speaker = text::normalize_line(speaker);
            if !speaker.is_empty() && !speaker_name_ok(&speaker) {
                return Err(("speaker", "qda.edit.speaker_invalid"));
            }
            let speaker = (!speaker.is_empty()).then_some(speaker.as_str());
            transcript::set_speaker(body, line, speaker).ok_or(("line", "qda.edit.line_unchanged"))
        }
    }
}

/// Applies the project's key to a stored transcript again (its cards' labels and the groups'
/// memos too) and logs it; with `preview`, only finds the places. `None` when the text changed
/// meanwhile (nothing is changed then).
pub async fn apply_key(
    state: &AppState,
    project: &QdaProject,
    found: &Transcript,
    user: i64,
    preview: bool,
) -> Result<Option<Vec<pseudonyms::Replacement>>, AppError> {
    let key = state.store().pseudonyms(project.id).await?;
    let (_, replacements) = pseudonyms::apply(&found.body, &key);
    if !preview {
        match state
            .store()
            .rewrite_transcript(found.id, &found.body, &replacements, Some(&key))
            .await
        {
            Ok(_) => {}
            Err(StoreError::Refused(_)) => return Ok(None),
            Err(other) => return Err(other.into()),
        }
    }
    state
        .store()
        .log_qda_access(
            project.id,
            user,
            if preview { "preview_key" } else { "apply_key" },
            &format!("transcript {}: {} places", found.id, replacements.len()),
            state.now(),
        )
        .await?;
    Ok(Some(replacements))
}

/// Replaces a project's pseudonym key and logs the change; `false` when a real name appears
/// twice (nothing is changed then).
pub async fn save_key(
    state: &AppState,
    project: &QdaProject,
    user: i64,
    entries: &[Entry],
) -> Result<bool, AppError> {
    match state.store().set_pseudonyms(project.id, entries).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => return Ok(false),
        Err(other) => return Err(other.into()),
    }
    state
        .store()
        .log_qda_access(project.id, user, "change_key", "pseudonyms", state.now())
        .await?;
    Ok(true)
}

/// The report table: a header, then one row per card with the groups above it (CAT1 the top),
/// its label, quote, source, speaker, position and id.
pub async fn table(store: &Store, project_id: i64) -> Result<Vec<Vec<String>>, AppError> {
    let nodes = store.qda_nodes(project_id).await?;
    let transcripts = store.transcripts(project_id).await?;
    let tree_nodes: Vec<tree::Node> = nodes.iter().map(QdaNode::as_tree_node).collect();
    let rows = tree::rows(&tree_nodes);
    let depth = rows
        .iter()
        .map(|r| r.categories.len())
        .max()
        .unwrap_or(0)
        .max(1);
    let mut table = vec![
        (1..=depth)
            .map(|n| format!("CAT{n}"))
            .chain(
                [
                    "label", "quote", "source", "speaker", "start", "end", "card",
                ]
                .map(str::to_owned),
            )
            .collect::<Vec<_>>(),
    ];
    let by_id: std::collections::HashMap<i64, &QdaNode> = nodes.iter().map(|n| (n.id, n)).collect();
    let sources: std::collections::HashMap<i64, &kizuki_store::Transcript> =
        transcripts.iter().map(|t| (t.id, t)).collect();
    let mut speakers = Speakers::default();
    for row in rows {
        let Some(card) = by_id.get(&row.card) else {
            continue;
        };
        let source = card.transcript_id.and_then(|id| sources.get(&id).copied());
        let speaker = source
            .zip(card.start)
            .map(|(t, start)| speakers.at(t, start))
            .unwrap_or_default();
        let mut line = row.categories.clone();
        line.resize(depth, String::new());
        line.extend([
            card.label.clone(),
            card.quote.clone().unwrap_or_default(),
            source.map(|t| t.name.clone()).unwrap_or_default(),
            speaker,
            card.start.map(|n| n.to_string()).unwrap_or_default(),
            card.end.map(|n| n.to_string()).unwrap_or_default(),
            card.id.to_string(),
        ]);
        table.push(line);
    }
    Ok(table)
}

/// The speakers of a project's transcripts, each read once however many cards ask.
#[derive(Default)]
pub struct Speakers {
    turns: std::collections::HashMap<i64, Vec<transcript::Turn>>,
}

impl Speakers {
    /// Who speaks at code point `at` of `source`.
    pub fn at(&mut self, source: &kizuki_store::Transcript, at: i64) -> String {
        let turns = self
            .turns
            .entry(source.id)
            .or_insert_with(|| transcript::turns(&source.body));
        usize::try_from(at)
            .ok()
            .and_then(|at| transcript::speaker_at(turns, at))
            .unwrap_or_default()
            .to_owned()
    }
}

/// The table (as made by [`table`]) in Markdown: a heading for each category level, then the
/// quotes, each with its speaker, source and card number. Cards in no group come last.
pub fn markdown(title: &str, table: &[Vec<String>]) -> String {
    let Some(header) = table.first() else {
        return String::new();
    };
    let depth = header.iter().filter(|h| h.starts_with("CAT")).count();
    let mut out = format!("# {}\n", escape(title));
    let mut current: Vec<String> = Vec::new();
    for row in &table[1..] {
        let categories: Vec<String> = row[..depth]
            .iter()
            .filter(|c| !c.is_empty())
            .cloned()
            .collect();
        let shared = current
            .iter()
            .zip(&categories)
            .take_while(|(a, b)| a == b)
            .count();
        for (level, category) in categories.iter().enumerate().skip(shared) {
            if !out.ends_with("\n\n") {
                out.push('\n');
            }
            let hashes = "#".repeat((level + 2).min(6));
            out.push_str(&format!("{hashes} {}\n\n", escape(category)));
        }
        if categories.is_empty() && !current.is_empty() {
            out.push_str("\n## —\n\n");
        }
        current = categories;
        let [label, quote, source, speaker, _, _, card] = &row[depth..] else {
            continue;
        };
        let who: Vec<&str> = [speaker.as_str(), source.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect();
        out.push_str(&format!(
            "- 「{}」（{}; #{card}）",
            escape(quote).replace('\n', " "),
            escape(&who.join(", "))
        ));
        if !label.is_empty() {
            out.push_str(&format!(" — {}", escape(label)));
        }
        out.push('\n');
    }
    out
}

/// Keeps Markdown from reading a quote's characters as markup.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' | '|'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub fn id_of(id: &str) -> Result<i64, AppError> {
    id.parse().map_err(|_| AppError::NotFound)
}

pub async fn project(state: &AppState, id: &str, user: i64) -> Result<QdaProject, AppError> {
    Ok(state.store().qda_project_for(id_of(id)?, user).await?)
}

/// A transcript and its project, for a member of that project; "not found" for anyone else.
pub async fn transcript(
    state: &AppState,
    id: &str,
    user: i64,
) -> Result<(Transcript, QdaProject), AppError> {
    let transcript = state.store().transcript(id_of(id)?).await?;
    let project = state
        .store()
        .qda_project_for(transcript.project_id, user)
        .await?;
    Ok((transcript, project))
}

/// [`transcript`], logged as a view of its content (`note` says from where).
pub async fn viewed_transcript(
    state: &AppState,
    id: &str,
    user: i64,
    note: &str,
) -> Result<(Transcript, QdaProject), AppError> {
    let (found, project) = transcript(state, id, user).await?;
    state
        .store()
        .log_qda_access(
            project.id,
            user,
            "view_transcript",
            &format!("transcript {}{note}", found.id),
            state.now(),
        )
        .await?;
    Ok((found, project))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_follows_the_report_layout() {
        let row = |c1: &str, c2: &str, quote: &str, speaker: &str, id: &str| {
            [c1, c2, "", quote, "A市 1", speaker, "0", "1", id]
                .map(str::to_owned)
                .to_vec()
        };
        let table = vec![
            [
                "CAT1", "CAT2", "label", "quote", "source", "speaker", "start", "end", "card",
            ]
            .map(str::to_owned)
            .to_vec(),
            row("気付き", "自分", "思い込みに*気づく*", "P01", "1"),
            row("気付き", "他者", "背景に目がいく", "P02", "2"),
            row("", "", "一匹狼", "P03", "3"),
        ];
        let text = markdown("評価", &table);
        assert_eq!(
            text,
            "# 評価\n\n## 気付き\n\n### 自分\n\n- 「思い込みに\\*気づく\\*」（P01, A市 1; #1）\n\n### 他者\n\n- 「背景に目がいく」（P02, A市 1; #2）\n\n## —\n\n- 「一匹狼」（P03, A市 1; #3）\n"
        );
    }
}
