//! Exchange with other qualitative-analysis tools: the text of DOCX transcripts (`docx`), and
//! REFI-QDA (<https://www.qdasoftware.org>): a project as QDPX — a zip of `project.qde`
//! and the texts under `sources/` — and a code hierarchy as QDC. This crate writes and reads the
//! format faithfully and nothing more: positions are code points of the text as stored in the
//! file (NVivo's UTF-16 code units are turned into code points as they are read, see
//! [`PositionUnit`]);
//! file; what Kizuki makes of them (its own text rules, its KJ tree) is the caller's business.

pub mod docx;
mod read;
mod write;

pub use read::{PositionUnit, read_codebook, read_project, read_qdpx};
pub use write::{codebook_qdc, derive_guid, pack_qdpx, project_qde};

/// The most an archive (a QDPX or a DOCX) may unpack to, all its members read together. A
/// project of a hundred hour-long interviews is about 15 MB of text; 64 MiB is four times that
/// while keeping the memory one import can take well under the server's budget.
pub const MAX_UNPACKED_BYTES: u64 = 64 * 1024 * 1024;
/// The most members an archive may list. Tools write one per source (and per picture or
/// recording, which are not read); no real project comes near ten thousand.
pub const MAX_MEMBERS: usize = 10_000;
/// The most elements, attributes and texts an XML document may hold: about 80 MB of parsed
/// tree at the most, and ten times the largest project a real tool has been seen to write.
pub const MAX_XML_NODES: u32 = 1_000_000;
/// The most levels codes may nest in a codebook or project. It is the KJ tree's own limit
/// (`kizuki_domain::qda::tree::MAX_DEPTH`, where the reasons are), so that everything read can
/// be placed on the board.
pub const MAX_CODE_DEPTH: usize = 32;

/// The project document's namespace.
pub const PROJECT_NAMESPACE: &str = "urn:QDA-XML:project:1.0";
/// The codebook document's namespace.
pub const CODEBOOK_NAMESPACE: &str = "urn:QDA-XML:codebook:1.0";

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Project {
    pub name: String,
    pub origin: String,
    pub description: String,
    pub users: Vec<User>,
    pub codes: Vec<Code>,
    pub variables: Vec<Variable>,
    pub sources: Vec<Source>,
    /// Notes of the project as a whole (memos, a write-up).
    pub notes: Vec<Note>,
    pub graphs: Vec<Graph>,
    /// Sources the project document names whose text the file does not hold (a `.qde` sent
    /// without its `sources/`): left out, with their selections, and named here so that the
    /// importer can say so.
    pub missing_sources: Vec<MissingSource>,
    /// Sources that are not text (PDF, pictures, recordings, video): Kizuki's cards quote text,
    /// so these are left out with their selections, and named so that the importer can say so.
    pub other_sources: Vec<OtherSource>,
}

/// A source of another kind than text, left out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OtherSource {
    pub name: String,
    /// Its element without `Source`: `PDF`, `Picture`, `Audio`, `Video`.
    pub kind: String,
    /// The selections in it (of any kind), left out with it.
    pub selections: usize,
}

/// A source whose text was not in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MissingSource {
    pub name: String,
    /// Its `plainTextPath`, as written.
    pub path: String,
    /// The selections in it, left out with it.
    pub selections: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub guid: String,
    pub name: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Code {
    pub guid: String,
    pub name: String,
    pub description: String,
    pub color: Option<String>,
    pub children: Vec<Code>,
}

/// A text variable (REFI-QDA has typed ones; Kizuki writes and reads them as text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variable {
    pub guid: String,
    pub name: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Source {
    pub guid: String,
    pub name: String,
    pub description: String,
    /// Where the text was: its `plainTextPath` as written, or empty when the project document
    /// holds it (`PlainTextContent`).
    pub path: String,
    /// The plain text, exactly as in the file (line endings included).
    pub text: String,
    pub selections: Vec<Selection>,
    /// (variable GUID, value).
    pub values: Vec<(String, String)>,
}

/// A passage of a source: code points, end exclusive.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    pub guid: String,
    pub name: String,
    pub description: String,
    pub start: usize,
    pub end: usize,
    /// GUIDs of the codes applied to the passage.
    pub codes: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub guid: String,
    pub name: String,
    pub text: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Graph {
    pub guid: String,
    pub name: String,
    pub vertices: Vec<Vertex>,
    pub edges: Vec<Edge>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vertex {
    pub guid: String,
    /// The code (or other object) the vertex stands for.
    pub represented: Option<String>,
    pub name: String,
    pub first: (i64, i64),
    pub second: Option<(i64, i64)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edge {
    pub guid: String,
    pub name: String,
    pub source_vertex: String,
    pub target_vertex: String,
    pub direction: Direction,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Associative,
    OneWay,
    Bidirectional,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Associative => "Associative",
            Direction::OneWay => "OneWay",
            Direction::Bidirectional => "Bidirectional",
        }
    }
}

/// Why a file could not be read. `line` is 1-based, in the XML document.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ExchangeError {
    #[error("not a zip archive: {0}")]
    NotZip(String),
    #[error("the archive holds no project.qde")]
    NoProject,
    #[error("line {line}: {message}")]
    Xml { line: u32, message: String },
    #[error("line {line}: the source file {path} is not in the archive")]
    MissingSource { line: u32, path: String },
    #[error("the source file {path} is not UTF-8 text")]
    NotText { path: String },
    #[error(
        "line {line}: the selection {start}–{end} lies outside its source of {length} characters"
    )]
    OutOfRange {
        line: u32,
        start: usize,
        end: usize,
        length: usize,
    },
    #[error("line {line}: the coding refers to a code that is not in the codebook ({guid})")]
    UnknownCode { line: u32, guid: String },
    #[error("line {line}: the GUID {guid} is used by more than one element")]
    DuplicateGuid { line: u32, guid: String },
    #[error("line {line}: codes nest more than {limit} levels deep")]
    TooDeep { line: u32, limit: usize },
    #[error("the file unpacks to more than {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("the archive holds more than {limit} files")]
    TooManyMembers { limit: usize },
    #[error("the document holds more than {limit} XML nodes")]
    TooManyNodes { limit: u32 },
    #[error("the file is not a Word document (DOCX)")]
    NotDocx,
}

impl Project {
    /// Every code, depth first, with its parent's GUID.
    pub fn codes_with_parents(&self) -> Vec<(&Code, Option<&str>)> {
        fn walk<'a>(
            code: &'a Code,
            parent: Option<&'a str>,
            out: &mut Vec<(&'a Code, Option<&'a str>)>,
        ) {
            out.push((code, parent));
            for child in &code.children {
                walk(child, Some(&code.guid), out);
            }
        }
        let mut out = Vec::new();
        for code in &self.codes {
            walk(code, None, &mut out);
        }
        out
    }
}
