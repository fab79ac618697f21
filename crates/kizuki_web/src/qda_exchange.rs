//! A KJ project as REFI-QDA and back. Groups become nested codes (the 表札 their names, memos
//! their descriptions); cards become selections of their transcript, coded with their group;
//! where nodes sit on the board and the A型 diagram's relations become a graph; the B型
//! write-up becomes a note. Files from other tools come in through the same mapping, their
//! texts normalised and pseudonymised with the project's key, every passage moved with its words.

use std::collections::BTreeMap;

use kizuki_domain::qda::pseudonyms::{self, Entry};
use kizuki_domain::qda::{self, transcript, webvtt};
use kizuki_refi::{self as refi, Direction};
use kizuki_store::{
    BundleNode, QdaBundle, QdaNode, QdaRelation, RELATION_KINDS, Store, StoreError, Transcript,
    TranscriptInput,
};

use crate::error::AppError;

// What the reader accepts is what the board can hold.
const _: () = assert!(refi::MAX_CODE_DEPTH == qda::tree::MAX_DEPTH);

/// The variables a transcript's session details travel in.
const KIND: (&str, &str) = ("6b697a75-6b69-4000-8000-00000000000a", "interview kind");
const DATE: (&str, &str) = ("6b697a75-6b69-4000-8000-00000000000b", "session date");
const PLACE: (&str, &str) = ("6b697a75-6b69-4000-8000-00000000000c", "place");
const PARTICIPANTS: (&str, &str) = ("6b697a75-6b69-4000-8000-00000000000d", "participants");

/// Everything of a project that goes into its exchange file.
pub struct ProjectContent<'a> {
    pub id: i64,
    pub name: &'a str,
    pub transcripts: &'a [Transcript],
    pub nodes: &'a [QdaNode],
    pub relations: &'a [QdaRelation],
    pub writeup: &'a str,
    /// Members: (user id, name).
    pub members: &'a [(i64, String)],
}

fn project_guid(id: i64, what: u64) -> String {
    format!("6b697a75-6b69-4{what:03x}-8000-{id:012x}")
}

fn user_guid(id: i64) -> String {
    format!("6b697a75-7573-4000-8000-{id:012x}")
}

/// The project as REFI-QDA sees it.
pub fn to_refi(content: &ProjectContent) -> refi::Project {
    let codes = codes_of(content.nodes);
    let guid_of: BTreeMap<i64, &str> = content
        .nodes
        .iter()
        .map(|n| (n.id, n.guid.as_str()))
        .collect();
    let sources = content
        .transcripts
        .iter()
        .map(|t| refi::Source {
            guid: t.guid.clone(),
            name: t.name.clone(),
            description: String::new(),
            path: String::new(),
            text: t.body.clone(),
            selections: content
                .nodes
                .iter()
                .filter(|n| !n.is_group && n.transcript_id == Some(t.id))
                .map(|card| refi::Selection {
                    guid: card.guid.clone(),
                    name: card.label.clone(),
                    description: card.memo.clone(),
                    start: card.start.unwrap_or(0).max(0) as usize,
                    end: card.end.unwrap_or(0).max(0) as usize,
                    codes: card
                        .parent_id
                        .and_then(|p| guid_of.get(&p))
                        .map(|guid| vec![(*guid).to_owned()])
                        .unwrap_or_default(),
                })
                .collect(),
            values: [
                (KIND.0, Some(t.kind.clone())),
                (DATE.0, t.session_date.clone()),
                (PLACE.0, Some(t.place.clone()).filter(|p| !p.is_empty())),
                (PARTICIPANTS.0, t.participants.map(|n| n.to_string())),
            ]
            .into_iter()
            .filter_map(|(guid, value)| Some((guid.to_owned(), value?)))
            .collect(),
        })
        .collect();
    let vertex_of = |node: &QdaNode| refi::derive_guid(&node.guid, 0x7e);
    let placed: Vec<&QdaNode> = content
        .nodes
        .iter()
        .filter(|n| {
            n.board_x.is_some()
                || content
                    .relations
                    .iter()
                    .any(|r| r.from_id == n.id || r.to_id == n.id)
        })
        .collect();
    // The graph's and the write-up's GUIDs follow the project's first source (or node), so
    // that a project exported, imported and exported again writes the same file.
    let anchor = content
        .transcripts
        .first()
        .map(|t| t.guid.clone())
        .or_else(|| content.nodes.first().map(|n| n.guid.clone()));
    let derived = |what: u64| match &anchor {
        Some(guid) => refi::derive_guid(guid, 0x6a00 + what as usize),
        None => project_guid(content.id, what),
    };
    let graph = refi::Graph {
        guid: derived(1),
        name: "A型図解".to_owned(),
        vertices: placed
            .iter()
            .map(|node| {
                let (x, y) = (node.board_x.unwrap_or(0), node.board_y.unwrap_or(0));
                refi::Vertex {
                    guid: vertex_of(node),
                    represented: Some(node.guid.clone()),
                    name: node_name(node),
                    first: (x, y),
                    second: Some((x + 200, y + 80)),
                }
            })
            .collect(),
        edges: content
            .relations
            .iter()
            .filter_map(|relation| {
                let from = content.nodes.iter().find(|n| n.id == relation.from_id)?;
                let to = content.nodes.iter().find(|n| n.id == relation.to_id)?;
                Some(refi::Edge {
                    guid: relation.guid.clone(),
                    name: relation.kind.clone(),
                    source_vertex: vertex_of(from),
                    target_vertex: vertex_of(to),
                    direction: match relation.kind.as_str() {
                        "cause" => Direction::OneWay,
                        "mutual" => Direction::Bidirectional,
                        _ => Direction::Associative,
                    },
                })
            })
            .collect(),
    };
    refi::Project {
        name: content.name.to_owned(),
        origin: "Kizuki".to_owned(),
        description: String::new(),
        users: content
            .members
            .iter()
            .map(|(id, name)| refi::User {
                guid: user_guid(*id),
                name: name.clone(),
            })
            .collect(),
        codes,
        variables: [KIND, DATE, PLACE, PARTICIPANTS]
            .iter()
            .map(|(guid, name)| refi::Variable {
                guid: (*guid).to_owned(),
                name: (*name).to_owned(),
            })
            .collect(),
        sources,
        notes: if content.writeup.is_empty() {
            Vec::new()
        } else {
            vec![refi::Note {
                guid: derived(2),
                name: "B型文章化".to_owned(),
                text: content.writeup.to_owned(),
            }]
        },
        graphs: if graph.vertices.is_empty() {
            Vec::new()
        } else {
            vec![graph]
        },
        missing_sources: Vec::new(),
        other_sources: Vec::new(),
    }
}

fn node_name(node: &QdaNode) -> String {
    if node.label.is_empty() {
        node.quote.clone().unwrap_or_default()
    } else {
        node.label.clone()
    }
}

/// The groups as nested codes, in the order they were made. Built bottom-up from the tree's
/// one walk, so no recursion follows the tree (the store keeps it at most
/// [`qda::tree::MAX_DEPTH`] deep, which is what bounds the nesting of the file written).
pub fn codes_of(nodes: &[QdaNode]) -> Vec<refi::Code> {
    let tree: Vec<qda::tree::Node> = nodes.iter().map(QdaNode::as_tree_node).collect();
    // Each open group's code, with the depth it sits at; a group is closed (moved into its
    // parent's children) when the walk comes back up past it.
    let mut open: Vec<(usize, refi::Code)> = Vec::new();
    let mut top = Vec::new();
    let close = |open: &mut Vec<(usize, refi::Code)>, top: &mut Vec<refi::Code>| {
        if let Some((_, code)) = open.pop() {
            match open.last_mut() {
                Some((_, parent)) => parent.children.push(code),
                None => top.push(code),
            }
        }
    };
    for step in qda::tree::walk(&tree) {
        let group = &nodes[step.index];
        if !group.is_group {
            continue;
        }
        while open.last().is_some_and(|(depth, _)| *depth >= step.depth) {
            close(&mut open, &mut top);
        }
        open.push((
            step.depth,
            refi::Code {
                guid: group.guid.clone(),
                name: group.label.clone(),
                description: group.memo.clone(),
                color: None,
                children: Vec::new(),
            },
        ));
    }
    while !open.is_empty() {
        close(&mut open, &mut top);
    }
    top
}

/// What an import brought, for the message after it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub transcripts: usize,
    pub groups: usize,
    pub cards: usize,
    pub relations: usize,
    /// Names the project's key replaced.
    pub replaced: usize,
    /// Sources the file named but did not hold, with how many selections each had: left out
    /// whole (their codes are still imported).
    pub missing_sources: Vec<(String, usize)>,
    /// Whether the file was a REFI-QDA project, which gets the per-file account below.
    pub is_project: bool,
    /// The tool that wrote it, as it says (`origin`), and whether its positions counted UTF-16
    /// code units (NVivo) rather than characters.
    pub origin: String,
    pub utf16: bool,
    /// Each text source, in the file's order: what was mapped and what could not be.
    pub files: Vec<FileReport>,
    /// Sources that are not text (PDF, pictures, recordings): (name, kind, selections).
    pub other_sources: Vec<(String, String, usize)>,
}

/// One text source of an imported project.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileReport {
    pub name: String,
    /// Its `plainTextPath` as written, or empty when the text was in the project document.
    pub path: String,
    /// Characters of the text as stored (line endings and spaces tidied).
    pub characters: usize,
    /// Selections the file holds in it.
    pub selections: usize,
    /// Cards made of them (a passage with two codes makes a card in each group).
    pub cards: usize,
    /// Selections that hold only spaces or line breaks once the text is tidied: no words to
    /// quote, so no card. As (start, end) in the file's own positions.
    pub blank: Vec<(usize, usize)>,
}

/// A REFI-QDA project as a bundle to store: texts in Kizuki's form with the key applied, every
/// selection moved with its words.
pub fn from_refi(project: &refi::Project, key: &[Entry]) -> (QdaBundle, ImportReport) {
    let unit = refi::PositionUnit::of(&project.origin);
    let mut report = ImportReport {
        origin: project.origin.trim().to_owned(),
        utf16: unit == refi::PositionUnit::Utf16,
        is_project: true,
        other_sources: project
            .other_sources
            .iter()
            .map(|other| (other.name.clone(), other.kind.clone(), other.selections))
            .collect(),
        ..ImportReport::default()
    };
    let mut bundle = QdaBundle {
        name: pseudonymise(&project.name, key, &mut report),
        ..QdaBundle::default()
    };
    let mut index_of: BTreeMap<String, usize> = BTreeMap::new();
    for (code, parent) in project.codes_with_parents() {
        index_of.insert(code.guid.clone(), bundle.nodes.len());
        bundle.nodes.push(BundleNode {
            guid: code.guid.clone(),
            is_group: true,
            parent: parent.and_then(|p| index_of.get(p).copied()),
            label: pseudonymise(&code.name, key, &mut report),
            memo: pseudonymise(&code.description, key, &mut report),
            ..BundleNode::default()
        });
        report.groups += 1;
    }
    let variables: BTreeMap<&str, &str> = project
        .variables
        .iter()
        .map(|v| (v.guid.as_str(), v.name.as_str()))
        .collect();
    for missing in &project.missing_sources {
        let name = pseudonymise(&missing.name, key, &mut report);
        report.missing_sources.push((name, missing.selections));
    }
    for source in &project.sources {
        let (normalized, map) = transcript::normalize_mapped(&source.text);
        let (body, replacements) = pseudonyms::apply(&normalized, key);
        report.replaced += replacements.len();
        let position = |raw: usize, is_end: bool| {
            let normal = map.get(raw).copied().unwrap_or(normalized.chars().count());
            pseudonyms::shift(normal, &replacements, is_end)
        };
        let value = |wanted: &str| {
            source.values.iter().find_map(|(guid, value)| {
                variables
                    .get(guid.as_str())
                    .filter(|name| name.eq_ignore_ascii_case(wanted))
                    .map(|_| value.trim().to_owned())
            })
        };
        let kind = value(KIND.1)
            .filter(|k| matches!(k.as_str(), "group" | "individual" | "other"))
            .unwrap_or_else(|| "other".to_owned());
        let transcript_index = bundle.transcripts.len();
        bundle.transcripts.push((
            source.guid.clone(),
            TranscriptInput {
                name: pseudonymise(&source.name, key, &mut report),
                kind,
                session_date: value(DATE.1).filter(|d| d.parse::<jiff::civil::Date>().is_ok()),
                place: pseudonymise(&value(PLACE.1).unwrap_or_default(), key, &mut report),
                participants: value(PARTICIPANTS.1).and_then(|n| n.parse().ok()),
                body: body.clone(),
            },
        ));
        report.transcripts += 1;
        let mut file = FileReport {
            name: bundle.transcripts[transcript_index].1.name.clone(),
            path: source.path.clone(),
            characters: body.chars().count(),
            selections: source.selections.len(),
            ..FileReport::default()
        };
        for selection in &source.selections {
            let (start, end) = (
                position(selection.start, false),
                position(selection.end, true),
            );
            let quote = qda::slice(&body, start, end).unwrap_or_default().to_owned();
            if quote.trim().is_empty() {
                file.blank.push(file_positions(source, selection, unit));
                continue;
            }
            let raw_quote =
                qda::slice(&source.text, selection.start, selection.end).unwrap_or_default();
            let label = if selection.name.trim() == raw_quote.trim() {
                String::new()
            } else {
                pseudonymise(&selection.name, key, &mut report)
            };
            let parents: Vec<Option<usize>> = if selection.codes.is_empty() {
                vec![None]
            } else {
                selection
                    .codes
                    .iter()
                    .map(|c| index_of.get(c).copied())
                    .collect()
            };
            // A KJ card sits in one group: a passage coded twice becomes a card in each.
            for (n, parent) in parents.into_iter().enumerate() {
                let guid = if n == 0 {
                    selection.guid.clone()
                } else {
                    refi::derive_guid(&selection.guid, n)
                };
                index_of.insert(guid.clone(), bundle.nodes.len());
                bundle.nodes.push(BundleNode {
                    guid,
                    is_group: false,
                    parent,
                    label: label.clone(),
                    memo: pseudonymise(&selection.description, key, &mut report),
                    transcript: Some(transcript_index),
                    start: Some(start as i64),
                    end: Some(end as i64),
                    quote: Some(quote.clone()),
                    board: None,
                });
                report.cards += 1;
                file.cards += 1;
            }
        }
        report.files.push(file);
    }
    for graph in &project.graphs {
        let node_of_vertex: BTreeMap<&str, usize> = graph
            .vertices
            .iter()
            .filter_map(|v| Some((v.guid.as_str(), *index_of.get(v.represented.as_deref()?)?)))
            .collect();
        for vertex in &graph.vertices {
            if let Some(node) = node_of_vertex.get(vertex.guid.as_str()) {
                bundle.nodes[*node].board.get_or_insert(vertex.first);
            }
        }
        for edge in &graph.edges {
            let (Some(from), Some(to)) = (
                node_of_vertex.get(edge.source_vertex.as_str()),
                node_of_vertex.get(edge.target_vertex.as_str()),
            ) else {
                continue;
            };
            if from == to {
                continue;
            }
            let kind = if RELATION_KINDS.contains(&edge.name.as_str()) {
                edge.name.clone()
            } else {
                match edge.direction {
                    Direction::OneWay => "cause",
                    Direction::Bidirectional => "mutual",
                    Direction::Associative => "similarity",
                }
                .to_owned()
            };
            bundle.relations.push((*from, *to, kind, edge.guid.clone()));
            report.relations += 1;
        }
    }
    bundle.writeup = match project.notes.as_slice() {
        [] => String::new(),
        [only] => pseudonymise(&only.text, key, &mut report),
        notes => notes
            .iter()
            .map(|note| format!("## {}\n\n{}", note.name, note.text))
            .map(|text| pseudonymise(&text, key, &mut report))
            .collect::<Vec<_>>()
            .join("\n\n"),
    };
    (bundle, report)
}

/// A selection's start and end as the file wrote them (NVivo's in UTF-16 code units), so that
/// a researcher can find it in the tool it came from.
fn file_positions(
    source: &refi::Source,
    selection: &refi::Selection,
    unit: refi::PositionUnit,
) -> (usize, usize) {
    let units = |at: usize| match unit {
        refi::PositionUnit::CodePoint => at,
        refi::PositionUnit::Utf16 => source.text.chars().take(at).map(char::len_utf16).sum(),
    };
    (units(selection.start), units(selection.end))
}

/// A QDC codebook's codes as empty groups.
pub fn from_codebook(codes: &[refi::Code], key: &[Entry]) -> (QdaBundle, ImportReport) {
    let project = refi::Project {
        codes: codes.to_vec(),
        ..refi::Project::default()
    };
    let (bundle, report) = from_refi(&project, key);
    (
        bundle,
        ImportReport {
            is_project: false,
            ..report
        },
    )
}

fn pseudonymise(text: &str, key: &[Entry], report: &mut ImportReport) -> String {
    let (out, replaced) = pseudonyms::apply(text, key);
    report.replaced += replaced.len();
    out
}

/// The files a project exports as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    Qdpx,
    Qdc,
    Csv,
    Xlsx,
}

impl std::str::FromStr for ExportFormat {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.to_ascii_lowercase().as_str() {
            "qdpx" => Ok(ExportFormat::Qdpx),
            "qdc" => Ok(ExportFormat::Qdc),
            "csv" => Ok(ExportFormat::Csv),
            "xlsx" => Ok(ExportFormat::Xlsx),
            other => Err(format!("{other}: use qdpx, qdc, csv or xlsx")),
        }
    }
}

impl ExportFormat {
    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Qdpx => "application/zip",
            ExportFormat::Qdc => "application/xml; charset=utf-8",
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        }
    }

    /// The file's name: the project's, with what it holds and the day it was made.
    pub fn file_name(self, name: &str, project: i64, today: jiff::civil::Date) -> String {
        let (part, extension) = match self {
            ExportFormat::Qdpx => (None, "qdpx"),
            ExportFormat::Qdc => (Some("codebook"), "qdc"),
            ExportFormat::Csv => (Some("table"), "csv"),
            ExportFormat::Xlsx => (Some("table"), "xlsx"),
        };
        crate::download::project_file_name(name, project, part, today, extension)
    }
}

/// Everything of a project, as REFI-QDA sees it.
async fn load(
    store: &Store,
    project: i64,
    name: &str,
    nodes: &[QdaNode],
) -> Result<refi::Project, AppError> {
    let transcripts = store.transcripts(project).await?;
    let relations = store.qda_relations(project).await?;
    let writeup = store.qda_writeup(project).await?;
    let members: Vec<(i64, String)> = store
        .qda_members(project)
        .await?
        .into_iter()
        .map(|member| (member.user_id, member.name))
        .collect();
    Ok(to_refi(&ProjectContent {
        id: project,
        name,
        transcripts: &transcripts,
        nodes,
        relations: &relations,
        writeup: &writeup,
        members: &members,
    }))
}

/// A project's file in `format`.
pub async fn export(
    store: &Store,
    project: i64,
    name: &str,
    format: ExportFormat,
) -> Result<Vec<u8>, AppError> {
    match format {
        ExportFormat::Qdpx | ExportFormat::Qdc => {
            // Every change keeps the tree within the limit; a tree stored before the limit was
            // kept is refused here rather than written as XML deeper than any reader follows.
            // (The table is read by the tree's walk, which has no depth to fear.)
            let nodes = store.qda_nodes(project).await?;
            let tree: Vec<qda::tree::Node> = nodes.iter().map(QdaNode::as_tree_node).collect();
            if qda::tree::depth(&tree) > qda::tree::MAX_DEPTH {
                return Err(AppError::Conflict("too_deep"));
            }
            if format == ExportFormat::Qdc {
                return Ok(refi::codebook_qdc(&codes_of(&nodes), "Kizuki").into_bytes());
            }
            refi::pack_qdpx(&load(store, project, name, &nodes).await?)
                .map_err(|error| AppError::Internal(error.to_string()))
        }
        ExportFormat::Csv => crate::download::csv_bytes(&crate::qda::table(store, project).await?),
        ExportFormat::Xlsx => {
            crate::download::xlsx_bytes(&crate::qda::table(store, project).await?)
        }
    }
}

/// What a file held, told from its bytes (and its name, for WebVTT).
enum Incoming {
    Project(Box<refi::Project>),
    Codebook(Vec<refi::Code>),
    Text { name: String, text: String },
}

/// Why a file was refused: a message in the catalogue (`qda.import.error.*`), the line of the
/// XML where it applies, and a detail (a path, a range, the parser's own words).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub key: &'static str,
    pub line: Option<u32>,
    pub detail: String,
}

impl Refusal {
    fn new(key: &'static str) -> Refusal {
        Refusal {
            key,
            line: None,
            detail: String::new(),
        }
    }

    /// The message in `lang`: "line N: …" first where there is a line.
    pub fn message(&self, lang: kizuki_i18n::Lang) -> String {
        let message = kizuki_i18n::format(
            lang,
            &format!("qda.import.error.{}", self.key),
            &[("detail", &self.detail)],
        );
        match self.line {
            Some(line) => kizuki_i18n::format(
                lang,
                "qda.import.error.at_line",
                &[("line", &line.to_string()), ("message", &message)],
            ),
            None => message,
        }
    }
}

impl From<refi::ExchangeError> for Refusal {
    fn from(error: refi::ExchangeError) -> Refusal {
        use refi::ExchangeError as E;
        let (key, line, detail) = match error {
            E::NotZip(detail) => ("not_zip", None, detail),
            E::NoProject => ("no_project", None, String::new()),
            E::Xml { line, message } => ("xml", Some(line), message),
            E::MissingSource { line, path } => ("missing_source", Some(line), path),
            E::NotText { path } => ("not_text", None, path),
            E::OutOfRange {
                line,
                start,
                end,
                length,
            } => (
                "out_of_range",
                Some(line),
                format!("{start}–{end} / {length}"),
            ),
            E::UnknownCode { line, guid } => ("unknown_code", Some(line), guid),
            E::DuplicateGuid { line, guid } => ("duplicate_guid", Some(line), guid),
            E::TooDeep { line, limit } => ("too_deep", Some(line), limit.to_string()),
            E::TooLarge { limit } => ("too_large", None, (limit / (1024 * 1024)).to_string()),
            E::TooManyMembers { limit } => (
                "too_many_members",
                None,
                crate::format::grouped(limit as u64),
            ),
            E::TooManyNodes { limit } => (
                "too_many_nodes",
                None,
                crate::format::grouped(u64::from(limit)),
            ),
            E::NotDocx => ("not_docx", None, String::new()),
        };
        // A stream reader knows no line: 0 says so.
        let line = line.filter(|line| *line > 0);
        Refusal { key, line, detail }
    }
}

/// Every text the file brings is at most [`transcript::MAX_CHARS`] long.
fn check_lengths(incoming: &Incoming) -> Result<(), Refusal> {
    let too_long = |text: &str| text.chars().nth(transcript::MAX_CHARS).is_some();
    let long = match incoming {
        Incoming::Project(project) => project.sources.iter().any(|s| too_long(&s.text)),
        Incoming::Codebook(_) => false,
        Incoming::Text { text, .. } => too_long(text),
    };
    if long {
        return Err(Refusal {
            key: "too_long",
            line: None,
            detail: crate::format::grouped(transcript::MAX_CHARS as u64),
        });
    }
    Ok(())
}

fn read_incoming(bytes: &[u8], file_name: &str) -> Result<Incoming, Refusal> {
    let stem = std::path::Path::new(file_name)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("transcript")
        .to_owned();
    if file_name.to_lowercase().ends_with(".docx") && !refi::docx::is_docx(bytes) {
        return Err(Refusal::new("not_docx"));
    }
    if bytes.starts_with(b"PK") {
        if refi::docx::is_docx(bytes) {
            let text = refi::docx::text(bytes)?;
            return Ok(Incoming::Text { name: stem, text });
        }
        return Ok(Incoming::Project(Box::new(refi::read_qdpx(bytes)?)));
    }
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
        .map_err(|_| Refusal::new("unknown_format"))?;
    let head = text.trim_start();
    if head.starts_with('<') {
        let root = head
            .split('<')
            .map(str::trim_start)
            .find(|part| !part.is_empty() && !part.starts_with('?') && !part.starts_with('!'))
            .unwrap_or_default();
        if root.starts_with("CodeBook") || root.contains(":CodeBook") {
            return Ok(Incoming::Codebook(refi::read_codebook(text)?));
        }
        if root.starts_with("Project") || root.contains(":Project") {
            return Ok(Incoming::Project(Box::new(refi::read_project(
                text,
                |_| None,
            )?)));
        }
    }
    let text = if head.starts_with("WEBVTT") || file_name.to_lowercase().ends_with(".vtt") {
        webvtt::to_text(text).map_err(|error| Refusal {
            key: "webvtt",
            line: u32::try_from(error.line).ok(),
            detail: String::new(),
        })?
    } else {
        text.to_owned()
    };
    Ok(Incoming::Text { name: stem, text })
}

/// Imports a file (QDPX, a project document, a QDC codebook, DOCX, WebVTT or plain text) into
/// the project `into`, or into a new project called `new_name` (else the file's own name).
/// All or nothing: `Ok(Err(refusal))` says what is wrong (with the line, for XML) and nothing
/// is stored.
pub async fn import(
    store: &Store,
    bytes: &[u8],
    file_name: &str,
    into: Option<i64>,
    new_name: Option<&str>,
    user_id: i64,
    now: kizuki_domain::Timestamp,
) -> Result<Result<(i64, ImportReport), Refusal>, AppError> {
    let incoming = match read_incoming(bytes, file_name).and_then(|incoming| {
        check_lengths(&incoming)?;
        Ok(incoming)
    }) {
        Ok(incoming) => incoming,
        Err(message) => return Ok(Err(message)),
    };
    let key = match into {
        Some(project) => store.pseudonyms(project).await?,
        None => Vec::new(),
    };
    let (mut bundle, report) = match incoming {
        Incoming::Project(project) => from_refi(&project, &key),
        Incoming::Codebook(codes) => from_codebook(&codes, &key),
        Incoming::Text { name, text } => {
            let (body, replaced) = pseudonyms::apply(&transcript::normalize(&text), &key);
            if body.is_empty() {
                return Ok(Err(Refusal::new("empty")));
            }
            let bundle = QdaBundle {
                name: name.clone(),
                transcripts: vec![(
                    kizuki_store::new_guid(),
                    TranscriptInput {
                        name,
                        kind: "other".to_owned(),
                        session_date: None,
                        place: String::new(),
                        participants: None,
                        body,
                    },
                )],
                ..QdaBundle::default()
            };
            let report = ImportReport {
                transcripts: 1,
                replaced: replaced.len(),
                ..ImportReport::default()
            };
            (bundle, report)
        }
    };
    if let Some(name) = new_name.map(kizuki_domain::text::normalize_line)
        && !name.is_empty()
    {
        bundle.name = name;
    }
    if bundle.name.trim().is_empty() {
        bundle.name = file_name.to_owned();
    }
    match store.import_qda(&bundle, into, user_id, now).await {
        Ok(project) => Ok(Ok((project, report))),
        Err(StoreError::Conflict(_)) => Ok(Err(Refusal::new("taken"))),
        Err(StoreError::Refused("too_deep")) => Ok(Err(Refusal {
            key: "too_deep",
            line: None,
            detail: qda::tree::MAX_DEPTH.to_string(),
        })),
        Err(other) => Err(other.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf_sources_keep_their_passages() {
        let source = refi::Source {
            guid: "00000000-0000-4000-8000-0000000000d1".to_owned(),
            name: "札幌市の会".to_owned(),
            text: "司会：どうぞ\r\n田中さん：楽しかったです\r\n".to_owned(),
            selections: vec![refi::Selection {
                guid: "00000000-0000-4000-8000-0000000000e1".to_owned(),
                start: 13,
                end: 21,
                ..refi::Selection::default()
            }],
            ..refi::Source::default()
        };
        let project = refi::Project {
            sources: vec![source],
            ..refi::Project::default()
        };
        let key = [
            Entry {
                real: "田中さん".to_owned(),
                pseudonym: "P03".to_owned(),
            },
            Entry {
                real: "札幌市".to_owned(),
                pseudonym: "A市".to_owned(),
            },
        ];
        let (bundle, report) = from_refi(&project, &key);
        let (_, transcript) = &bundle.transcripts[0];
        assert_eq!(transcript.body, "司会：どうぞ\nP03：楽しかったです");
        assert_eq!(transcript.name, "A市の会");
        assert_eq!(bundle.nodes[0].quote.as_deref(), Some("楽しかったです"));
        assert_eq!(report.replaced, 2);
    }

    #[test]
    fn each_file_is_accounted_for_and_blank_selections_make_no_card() {
        let code = refi::Code {
            guid: "00000000-0000-4000-8000-0000000000c1".to_owned(),
            name: "関係".to_owned(),
            ..refi::Code::default()
        };
        let coded = |guid: &str, start: usize, end: usize| refi::Selection {
            guid: guid.to_owned(),
            start,
            end,
            codes: vec![code.guid.clone()],
            ..refi::Selection::default()
        };
        // Positions here are characters, as the reader hands them on; NVivo counted the emoji
        // as two units, so the report gives the blank line at 5–7 where NVivo shows it.
        let text = "司会：😊\r\n\r\nA：楽しかった".to_owned();
        let project = refi::Project {
            origin: "NVivo 14".to_owned(),
            codes: vec![code.clone()],
            sources: vec![refi::Source {
                guid: "00000000-0000-4000-8000-0000000000d1".to_owned(),
                name: "A市 1".to_owned(),
                path: "internal://A.txt".to_owned(),
                text,
                selections: vec![
                    coded("00000000-0000-4000-8000-0000000000e1", 10, 15),
                    // The blank line between the turns.
                    coded("00000000-0000-4000-8000-0000000000e2", 4, 6),
                ],
                ..refi::Source::default()
            }],
            other_sources: vec![refi::OtherSource {
                name: "録音.m4a".to_owned(),
                kind: "Audio".to_owned(),
                selections: 3,
            }],
            ..refi::Project::default()
        };
        let (bundle, report) = from_refi(&project, &[]);
        assert!(report.is_project && report.utf16);
        assert_eq!(report.origin, "NVivo 14");
        assert_eq!(report.cards, 1);
        let quotes: Vec<_> = bundle
            .nodes
            .iter()
            .filter_map(|n| n.quote.as_deref())
            .collect();
        assert_eq!(quotes, ["楽しかった"]);
        let file = &report.files[0];
        assert_eq!(
            (file.name.as_str(), file.path.as_str()),
            ("A市 1", "internal://A.txt")
        );
        assert_eq!((file.selections, file.cards), (2, 1));
        // Said in NVivo's own units, where the researcher will look for it.
        assert_eq!(file.blank, [(5, 7)]);
        assert_eq!(
            report.other_sources,
            [("録音.m4a".to_owned(), "Audio".to_owned(), 3)]
        );
    }
}
