//! Reading QDPX archives, project documents and QDC codebooks, including those other tools
//! write: elements are matched by local name (namespaces and prefixes vary), the sources folder
//! is found whatever its case or slash, and a source's text is kept exactly as stored.

use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use std::io::{Cursor, Read};

use roxmltree::{Document, Node};

use crate::{
    Code, Direction, Edge, ExchangeError, Graph, MAX_CODE_DEPTH, MAX_MEMBERS, MAX_UNPACKED_BYTES,
    MAX_XML_NODES, MissingSource, Note, OtherSource, Project, Selection, Source, User, Variable,
    Vertex,
};

/// A QDPX archive. Only the project document and the sources it names are unpacked (pictures,
/// recordings and anything else are never read), all of them together at most
/// [`MAX_UNPACKED_BYTES`].
pub fn read_qdpx(bytes: &[u8]) -> Result<Project, ExchangeError> {
    let archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|error| ExchangeError::NotZip(error.to_string()))?;
    if archive.len() > MAX_MEMBERS {
        return Err(ExchangeError::TooManyMembers { limit: MAX_MEMBERS });
    }
    let names: Vec<(usize, String)> = (0..archive.len())
        .filter_map(|index| {
            let name = archive.name_for_index(index)?;
            (!name.ends_with('/')).then(|| (index, name.replace('\\', "/")))
        })
        .collect();
    let archive = RefCell::new(archive);
    let budget = Cell::new(MAX_UNPACKED_BYTES);
    let unpack = |index: usize, name: &str| -> Result<String, ExchangeError> {
        let mut archive = archive.borrow_mut();
        let file = archive
            .by_index(index)
            .map_err(|error| ExchangeError::NotZip(error.to_string()))?;
        let left = budget.get();
        let too_large = ExchangeError::TooLarge {
            limit: MAX_UNPACKED_BYTES,
        };
        if file.size() > left {
            return Err(too_large);
        }
        let mut content = Vec::with_capacity(file.size() as usize);
        file.take(left + 1)
            .read_to_end(&mut content)
            .map_err(|error| ExchangeError::NotZip(error.to_string()))?;
        let read = content.len() as u64;
        if read > left {
            return Err(too_large);
        }
        budget.set(left - read);
        text_of(content, name)
    };
    let (project_index, project_name) = names
        .iter()
        .find(|(_, name)| name.to_lowercase().ends_with(".qde"))
        .cloned()
        .ok_or(ExchangeError::NoProject)?;
    let xml = unpack(project_index, &project_name)?;
    read_project(&xml, |path| {
        let wanted = path.to_lowercase();
        names
            .iter()
            .find(|(_, name)| {
                let name = name.to_lowercase();
                name == wanted || name.strip_prefix("sources/") == Some(wanted.as_str())
            })
            .map(|(index, name)| unpack(*index, name))
    })
}

/// UTF-8 text (a byte-order mark dropped), or UTF-16 when it says so with its mark.
fn text_of(mut bytes: Vec<u8>, path: &str) -> Result<String, ExchangeError> {
    let not_text = || ExchangeError::NotText {
        path: path.to_owned(),
    };
    if bytes.starts_with(&[0xef, 0xbb, 0xbf]) {
        bytes.drain(..3);
        return String::from_utf8(bytes).map_err(|_| not_text());
    }
    let utf16 = |rest: &[u8], little: bool| {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|pair| {
                if little {
                    u16::from_le_bytes([pair[0], pair[1]])
                } else {
                    u16::from_be_bytes([pair[0], pair[1]])
                }
            })
            .collect();
        String::from_utf16(&units).map_err(|_| not_text())
    };
    if let Some(rest) = bytes.strip_prefix(&[0xff, 0xfe]) {
        return utf16(rest, true);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xfe, 0xff]) {
        return utf16(rest, false);
    }
    String::from_utf8(bytes).map_err(|_| not_text())
}

/// A project document; `load` gives the text of a source stored in the archive, by its path
/// after `internal://`.
pub fn read_project(
    xml: &str,
    load: impl Fn(&str) -> Option<Result<String, ExchangeError>>,
) -> Result<Project, ExchangeError> {
    let document = parse(xml)?;
    let root = document.root_element();
    if root.tag_name().name() != "Project" {
        return Err(at(&document, root, "the root element is not Project"));
    }
    let mut project = Project {
        name: root.attribute("name").unwrap_or_default().to_owned(),
        origin: root.attribute("origin").unwrap_or_default().to_owned(),
        ..Project::default()
    };
    for child in root.children().filter(Node::is_element) {
        match child.tag_name().name() {
            "Users" => {
                for user in elements(child, "User") {
                    project.users.push(User {
                        guid: guid(&document, user)?,
                        name: user.attribute("name").unwrap_or_default().to_owned(),
                    });
                }
            }
            "CodeBook" => project.codes = codes_in(&document, child)?,
            "Variables" => {
                for variable in elements(child, "Variable") {
                    project.variables.push(Variable {
                        guid: guid(&document, variable)?,
                        name: variable.attribute("name").unwrap_or_default().to_owned(),
                    });
                }
            }
            "Sources" => {
                for other in child.children().filter(|n| {
                    n.is_element()
                        && n.tag_name().name().ends_with("Source")
                        && n.tag_name().name() != "TextSource"
                }) {
                    project.other_sources.push(OtherSource {
                        name: other.attribute("name").unwrap_or_default().to_owned(),
                        kind: other
                            .tag_name()
                            .name()
                            .trim_end_matches("Source")
                            .to_owned(),
                        selections: other
                            .descendants()
                            .filter(|n| {
                                n.is_element() && n.tag_name().name().ends_with("Selection")
                            })
                            .count(),
                    });
                }
                for source in elements(child, "TextSource") {
                    let unit = PositionUnit::of(&project.origin);
                    match source_of(&document, source, &load, unit) {
                        Ok(read) => project.sources.push(read),
                        Err(ExchangeError::MissingSource { path, .. }) => {
                            project.missing_sources.push(MissingSource {
                                name: source.attribute("name").unwrap_or_default().to_owned(),
                                path,
                                selections: elements(source, "PlainTextSelection").count(),
                            });
                        }
                        Err(other) => return Err(other),
                    }
                }
            }
            "Notes" => {
                for note in elements(child, "Note") {
                    project.notes.push(Note {
                        guid: guid(&document, note)?,
                        name: note.attribute("name").unwrap_or_default().to_owned(),
                        text: plain_text(&document, note, &load)?,
                    });
                }
            }
            "Graphs" => {
                for graph in elements(child, "Graph") {
                    project.graphs.push(graph_of(&document, graph)?);
                }
            }
            "Description" => project.description = child.text().unwrap_or_default().to_owned(),
            _ => {}
        }
    }
    check_codings(&document, &project, root)?;
    Ok(project)
}

/// A QDC codebook: its codes.
pub fn read_codebook(xml: &str) -> Result<Vec<Code>, ExchangeError> {
    let document = parse(xml)?;
    let root = document.root_element();
    if root.tag_name().name() != "CodeBook" {
        return Err(at(&document, root, "the root element is not CodeBook"));
    }
    codes_in(&document, root)
}

fn parse(xml: &str) -> Result<Document<'_>, ExchangeError> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_XML_NODES,
        ..roxmltree::ParsingOptions::default()
    };
    let document = Document::parse_with_options(xml, options).map_err(|error| match error {
        roxmltree::Error::NodesLimitReached => ExchangeError::TooManyNodes {
            limit: MAX_XML_NODES,
        },
        error => ExchangeError::Xml {
            line: error.pos().row,
            message: error.to_string(),
        },
    })?;
    check_guids_unique(&document)?;
    Ok(document)
}

/// No two of the elements Kizuki keeps — codes, text sources and their selections — share a
/// GUID: cards and groups are keyed by them. (Other elements may: ATLAS.ti gives a PDF's
/// selection and a transcript's the same one.)
fn check_guids_unique(document: &Document) -> Result<(), ExchangeError> {
    let kept = |node: &Node| match node.tag_name().name() {
        "Code" | "TextSource" => true,
        "PlainTextSelection" => node
            .parent_element()
            .is_some_and(|p| p.tag_name().name() == "TextSource"),
        _ => false,
    };
    let mut seen = BTreeSet::new();
    for node in document
        .root()
        .descendants()
        .filter(|n| n.is_element() && kept(n))
    {
        if let Some(value) = node.attribute("guid")
            && !seen.insert(bare_guid(value))
        {
            return Err(ExchangeError::DuplicateGuid {
                line: line_of(document, node),
                guid: bare_guid(value),
            });
        }
    }
    Ok(())
}

fn at(document: &Document, node: Node, message: &str) -> ExchangeError {
    ExchangeError::Xml {
        line: line_of(document, node),
        message: message.to_owned(),
    }
}

fn line_of(document: &Document, node: Node) -> u32 {
    document.text_pos_at(node.range().start).row
}

fn elements<'a, 'input>(
    parent: Node<'a, 'input>,
    name: &'static str,
) -> impl Iterator<Item = Node<'a, 'input>> {
    parent
        .children()
        .filter(move |n| n.is_element() && n.tag_name().name() == name)
}

/// A GUID as Kizuki compares them: no braces, lower case (tools write both forms).
fn bare_guid(value: &str) -> String {
    value
        .trim()
        .trim_start_matches('{')
        .trim_end_matches('}')
        .to_lowercase()
}

/// The text of an element's `Description` child, or nothing.
fn description_of(node: Node) -> String {
    elements(node, "Description")
        .next()
        .and_then(|d| d.text())
        .unwrap_or_default()
        .to_owned()
}

fn guid(document: &Document, node: Node) -> Result<String, ExchangeError> {
    let value = node
        .attribute("guid")
        .ok_or_else(|| at(document, node, "an element has no guid"))?;
    let bare = bare_guid(value);
    let well_formed = bare.len() == 36
        && bare.char_indices().all(|(i, c)| {
            if [8, 13, 18, 23].contains(&i) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        });
    if !well_formed {
        return Err(at(document, node, &format!("{value} is not a GUID")));
    }
    Ok(bare)
}

fn codes_in(document: &Document, codebook: Node) -> Result<Vec<Code>, ExchangeError> {
    let mut codes = Vec::new();
    for list in elements(codebook, "Codes") {
        for code in elements(list, "Code") {
            codes.push(code_of(document, code, 1)?);
        }
    }
    Ok(codes)
}

/// A code and the codes inside it, `level` levels down from the codebook (the top is 1). The
/// recursion is bounded by [`MAX_CODE_DEPTH`]: deeper codes are refused before they are read.
fn code_of(document: &Document, node: Node, level: usize) -> Result<Code, ExchangeError> {
    if level > MAX_CODE_DEPTH {
        return Err(ExchangeError::TooDeep {
            line: line_of(document, node),
            limit: MAX_CODE_DEPTH,
        });
    }
    let mut code = Code {
        guid: guid(document, node)?,
        name: node.attribute("name").unwrap_or_default().to_owned(),
        description: description_of(node),
        color: node.attribute("color").map(str::to_owned),
        children: Vec::new(),
    };
    for child in elements(node, "Code") {
        code.children.push(code_of(document, child, level + 1)?);
    }
    Ok(code)
}

/// The text a source's `plainTextPath` or `PlainTextContent` holds.
fn plain_text(
    document: &Document,
    node: Node,
    load: &impl Fn(&str) -> Option<Result<String, ExchangeError>>,
) -> Result<String, ExchangeError> {
    if let Some(content) = elements(node, "PlainTextContent").next() {
        return Ok(content.text().unwrap_or_default().to_owned());
    }
    let Some(path) = node.attribute("plainTextPath") else {
        return Ok(String::new());
    };
    // `internal://` names a file in the archive; some tools (qc) write the bare name.
    let inner = match path.strip_prefix("internal://") {
        Some(inner) => inner,
        None if !path.contains("://") => path,
        None => {
            return Err(ExchangeError::MissingSource {
                line: line_of(document, node),
                path: path.to_owned(),
            });
        }
    };
    load(inner).unwrap_or_else(|| {
        Err(ExchangeError::MissingSource {
            line: line_of(document, node),
            path: path.to_owned(),
        })
    })
}

/// How a tool counts the positions of its selections in a source's text. The standard counts
/// characters; NVivo, a .NET program, counts UTF-16 code units, so that every character outside
/// the Basic Multilingual Plane (an emoji, a rare kanji) before a selection moves it by one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PositionUnit {
    CodePoint,
    Utf16,
}

impl PositionUnit {
    /// The unit of the tool named in a project's `origin` ("NVivo for Mac 15.0.0", "NVivo 14").
    pub fn of(origin: &str) -> PositionUnit {
        if origin.trim_start().to_lowercase().starts_with("nvivo") {
            PositionUnit::Utf16
        } else {
            PositionUnit::CodePoint
        }
    }
}

/// The code point at UTF-16 code unit `units` of `text`; none inside a surrogate pair or past
/// the end.
fn code_point_at(text: &str, units: usize) -> Option<usize> {
    let mut counted = 0;
    for (index, c) in text.chars().enumerate() {
        if counted == units {
            return Some(index);
        }
        if counted > units {
            return None;
        }
        counted += c.len_utf16();
    }
    (counted == units).then(|| text.chars().count())
}

fn source_of(
    document: &Document,
    node: Node,
    load: &impl Fn(&str) -> Option<Result<String, ExchangeError>>,
    unit: PositionUnit,
) -> Result<Source, ExchangeError> {
    let text = plain_text(document, node, load)?;
    let length = match unit {
        PositionUnit::CodePoint => text.chars().count(),
        PositionUnit::Utf16 => text.encode_utf16().count(),
    };
    let mut source = Source {
        guid: guid(document, node)?,
        name: node.attribute("name").unwrap_or_default().to_owned(),
        description: description_of(node),
        path: if elements(node, "PlainTextContent").next().is_some() {
            String::new()
        } else {
            node.attribute("plainTextPath")
                .unwrap_or_default()
                .to_owned()
        },
        text,
        ..Source::default()
    };
    for selection in elements(node, "PlainTextSelection") {
        let position = |name: &str| -> Result<usize, ExchangeError> {
            selection
                .attribute(name)
                .and_then(|v| v.trim().parse().ok())
                .ok_or_else(|| at(document, selection, &format!("{name} is not a number")))
        };
        let (start, end) = (position("startPosition")?, position("endPosition")?);
        let out_of_range = || ExchangeError::OutOfRange {
            line: line_of(document, selection),
            start,
            end,
            length,
        };
        if start > end || end > length {
            return Err(out_of_range());
        }
        let (start, end) = match unit {
            PositionUnit::CodePoint => (start, end),
            PositionUnit::Utf16 => (
                code_point_at(&source.text, start).ok_or_else(out_of_range)?,
                code_point_at(&source.text, end).ok_or_else(out_of_range)?,
            ),
        };
        let mut codes = Vec::new();
        for coding in elements(selection, "Coding") {
            if let Some(code_ref) = elements(coding, "CodeRef").next() {
                let target = code_ref
                    .attribute("targetGUID")
                    .ok_or_else(|| at(document, code_ref, "a CodeRef has no targetGUID"))?;
                codes.push(bare_guid(target));
            }
        }
        source.selections.push(Selection {
            guid: guid(document, selection)?,
            name: selection.attribute("name").unwrap_or_default().to_owned(),
            description: description_of(selection),
            start,
            end,
            codes,
        });
    }
    for value in elements(node, "VariableValue") {
        let Some(variable) = elements(value, "VariableRef")
            .next()
            .and_then(|r| r.attribute("targetGUID"))
        else {
            continue;
        };
        let text = value
            .children()
            .find(|n| n.is_element() && n.tag_name().name().ends_with("Value"))
            .and_then(|n| n.text())
            .unwrap_or_default();
        source.values.push((bare_guid(variable), text.to_owned()));
    }
    Ok(source)
}

fn graph_of(document: &Document, node: Node) -> Result<Graph, ExchangeError> {
    let mut graph = Graph {
        guid: guid(document, node)?,
        name: node.attribute("name").unwrap_or_default().to_owned(),
        ..Graph::default()
    };
    let number = |n: Node, name: &str| n.attribute(name).and_then(|v| v.trim().parse().ok());
    for vertex in elements(node, "Vertex") {
        graph.vertices.push(Vertex {
            guid: guid(document, vertex)?,
            represented: vertex.attribute("representedGUID").map(bare_guid),
            name: vertex.attribute("name").unwrap_or_default().to_owned(),
            first: (
                number(vertex, "firstX").unwrap_or(0),
                number(vertex, "firstY").unwrap_or(0),
            ),
            second: number(vertex, "secondX").zip(number(vertex, "secondY")),
        });
    }
    for edge in elements(node, "Edge") {
        let end = |name: &str| -> Result<String, ExchangeError> {
            edge.attribute(name)
                .map(bare_guid)
                .ok_or_else(|| at(document, edge, &format!("an Edge has no {name}")))
        };
        graph.edges.push(Edge {
            guid: guid(document, edge)?,
            name: edge.attribute("name").unwrap_or_default().to_owned(),
            source_vertex: end("sourceVertex")?,
            target_vertex: end("targetVertex")?,
            direction: match edge.attribute("direction") {
                Some("OneWay") => Direction::OneWay,
                Some("Bidirectional") => Direction::Bidirectional,
                _ => Direction::Associative,
            },
        });
    }
    Ok(graph)
}

/// Every coding names a code of the codebook.
fn check_codings(document: &Document, project: &Project, root: Node) -> Result<(), ExchangeError> {
    let known: BTreeSet<&str> = project
        .codes_with_parents()
        .into_iter()
        .map(|(code, _)| code.guid.as_str())
        .collect();
    for source in &project.sources {
        for selection in &source.selections {
            if let Some(unknown) = selection.codes.iter().find(|c| !known.contains(c.as_str())) {
                let line = root
                    .descendants()
                    .find(|n| {
                        n.tag_name().name() == "CodeRef"
                            && n.attribute("targetGUID")
                                .is_some_and(|t| bare_guid(t) == *unknown)
                    })
                    .map_or(0, |n| line_of(document, n));
                return Err(ExchangeError::UnknownCode {
                    line,
                    guid: unknown.clone(),
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nvivo_counts_utf16_code_units_and_they_become_code_points() {
        let text = "😀 emoji\r\nP01：𠮷野家で話した。";
        let units = |words: &str| text[..text.find(words).unwrap()].encode_utf16().count();
        let (start, end) = (units("𠮷野家"), units("で話した"));
        let xml = format!(
            "<Project name=\"n\" origin=\"NVivo 14.23.0\" xmlns=\"urn:QDA-XML:project:1.0\"><Sources>\
             <TextSource guid=\"00000000-0000-4000-8000-0000000000a1\" name=\"s\" plainTextPath=\"internal://s.txt\">\
             <PlainTextSelection guid=\"00000000-0000-4000-8000-0000000000a2\" name=\"x\" startPosition=\"{start}\" endPosition=\"{end}\"/>\
             </TextSource></Sources></Project>"
        );
        let project = read_project(&xml, |_| Some(Ok(text.to_owned()))).unwrap();
        let selection = &project.sources[0].selections[0];
        let quote: String = text
            .chars()
            .skip(selection.start)
            .take(selection.end - selection.start)
            .collect();
        assert_eq!(quote, "𠮷野家");
        // Read as code points, the same numbers would land two characters late.
        assert_eq!(PositionUnit::of("ATLAS.ti 23"), PositionUnit::CodePoint);
        assert_eq!(code_point_at("𠮷a", 1), None, "inside a surrogate pair");
        assert_eq!(code_point_at("𠮷a", 3), Some(2));
    }
    use crate::{pack_qdpx, project_qde};

    fn sample() -> Project {
        let code = |guid: &str, name: &str, children: Vec<Code>| Code {
            guid: guid.to_owned(),
            name: name.to_owned(),
            children,
            ..Code::default()
        };
        Project {
            missing_sources: Vec::new(),
            other_sources: Vec::new(),
            name: "研修の評価 <&>".to_owned(),
            origin: "Kizuki".to_owned(),
            description: String::new(),
            users: vec![User {
                guid: "00000000-0000-4000-8000-000000000001".to_owned(),
                name: "研究者".to_owned(),
            }],
            codes: vec![code(
                "00000000-0000-4000-8000-0000000000c1",
                "IPSを体験する",
                vec![code(
                    "00000000-0000-4000-8000-0000000000c2",
                    "つながり",
                    vec![],
                )],
            )],
            variables: vec![Variable {
                guid: "00000000-0000-4000-8000-0000000000a1".to_owned(),
                name: "place".to_owned(),
            }],
            sources: vec![Source {
                guid: "00000000-0000-4000-8000-0000000000d1".to_owned(),
                name: "A市 1".to_owned(),
                description: String::new(),
                path: "internal://00000000-0000-4000-8000-0000000000d1.txt".to_owned(),
                text: "司会：今日は😊\nA：楽しかった & <よかった>".to_owned(),
                selections: vec![Selection {
                    guid: "00000000-0000-4000-8000-0000000000e1".to_owned(),
                    name: "楽しい".to_owned(),
                    description: String::new(),
                    start: 10,
                    end: 15,
                    codes: vec!["00000000-0000-4000-8000-0000000000c2".to_owned()],
                }],
                values: vec![(
                    "00000000-0000-4000-8000-0000000000a1".to_owned(),
                    "A市".to_owned(),
                )],
            }],
            notes: vec![Note {
                guid: "00000000-0000-4000-8000-0000000000f1".to_owned(),
                name: "B型".to_owned(),
                text: "まとめ\n\n二行目".to_owned(),
            }],
            graphs: vec![Graph {
                guid: "00000000-0000-4000-8000-0000000000b1".to_owned(),
                name: "A型".to_owned(),
                vertices: vec![Vertex {
                    guid: "00000000-0000-4000-8000-0000000000b2".to_owned(),
                    represented: Some("00000000-0000-4000-8000-0000000000c1".to_owned()),
                    name: "IPSを体験する".to_owned(),
                    first: (10, 20),
                    second: Some((210, 120)),
                }],
                edges: vec![],
            }],
        }
    }

    #[test]
    fn a_project_survives_the_archive() {
        let project = sample();
        let bytes = pack_qdpx(&project).expect("packs");
        assert_eq!(read_qdpx(&bytes), Ok(project));
    }

    #[test]
    fn sources_are_found_whatever_the_folder_is_called() {
        let project = sample();
        let xml = project_qde(&project);
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        use std::io::Write;
        zip.start_file("project.qde", options).expect("zip");
        zip.write_all(xml.as_bytes()).expect("zip");
        zip.start_file(
            format!("Sources\\{}.txt", project.sources[0].guid.to_uppercase()),
            options,
        )
        .expect("zip");
        zip.write_all(b"\xef\xbb\xbf").expect("zip");
        zip.write_all(project.sources[0].text.as_bytes())
            .expect("zip");
        let bytes = zip.finish().expect("zip").into_inner();
        assert_eq!(read_qdpx(&bytes), Ok(project));
    }

    #[test]
    fn mistakes_are_reported_with_their_line() {
        let xml = "<?xml version=\"1.0\"?>\n<Project name=\"x\">\n<Sources>\n\
                   <TextSource guid=\"00000000-0000-4000-8000-0000000000d1\">\n\
                   <PlainTextContent>短い</PlainTextContent>\n\
                   <PlainTextSelection guid=\"00000000-0000-4000-8000-0000000000e1\" \
                   startPosition=\"1\" endPosition=\"9\"/>\n</TextSource></Sources></Project>";
        assert_eq!(
            read_project(xml, |_| None),
            Err(ExchangeError::OutOfRange {
                line: 6,
                start: 1,
                end: 9,
                length: 2
            })
        );
        let broken = "<Project name=\"x\">\n<Sources>\n</Project>";
        assert!(matches!(
            read_project(broken, |_| None),
            Err(ExchangeError::Xml { line: 3, .. })
        ));
        assert!(matches!(
            read_qdpx(b"not a zip"),
            Err(ExchangeError::NotZip(_))
        ));
        let unknown = "<Project name=\"x\"><Sources>\n<TextSource guid=\"00000000-0000-4000-8000-0000000000d1\">\
                   <PlainTextContent>短い</PlainTextContent>\n\
                   <PlainTextSelection guid=\"00000000-0000-4000-8000-0000000000e1\" \
                   startPosition=\"0\" endPosition=\"1\"><Coding guid=\"00000000-0000-4000-8000-0000000000e2\">\n\
                   <CodeRef targetGUID=\"00000000-0000-4000-8000-00000000dead\"/></Coding>\
                   </PlainTextSelection></TextSource></Sources></Project>";
        assert!(matches!(
            read_project(unknown, |_| None),
            Err(ExchangeError::UnknownCode { line: 4, .. })
        ));
    }

    #[test]
    fn a_codebook_survives() {
        let codes = sample().codes;
        let xml = crate::codebook_qdc(&codes, "Kizuki");
        assert!(xml.contains("urn:QDA-XML:codebook:1.0"));
        assert_eq!(read_codebook(&xml), Ok(codes));
    }

    /// A codebook whose codes nest `depth` deep.
    fn nested_codebook(depth: usize) -> String {
        let mut xml = String::from("<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\"><Codes>");
        for level in 0..depth {
            xml.push_str(&format!(
                "<Code guid=\"00000000-0000-4000-8000-{level:012x}\" name=\"c{level}\">"
            ));
        }
        xml.push_str(&"</Code>".repeat(depth));
        xml.push_str("</Codes></CodeBook>");
        xml
    }

    #[test]
    fn codes_nested_deeper_than_the_limit_are_refused_not_followed() {
        assert!(read_codebook(&nested_codebook(MAX_CODE_DEPTH)).is_ok());
        assert_eq!(
            read_codebook(&nested_codebook(MAX_CODE_DEPTH + 1)),
            Err(ExchangeError::TooDeep {
                line: 1,
                limit: MAX_CODE_DEPTH
            })
        );
        // Deep enough to overflow any stack if it were followed.
        assert!(matches!(
            read_codebook(&nested_codebook(100_000)),
            Err(ExchangeError::TooDeep { .. })
        ));
    }

    #[test]
    fn a_guid_used_twice_is_named() {
        let xml = "<CodeBook><Codes>\n<Code guid=\"{00000000-0000-4000-8000-0000000000C1}\" name=\"a\"/>\n\
                   <Code guid=\"00000000-0000-4000-8000-0000000000c1\" name=\"b\"/></Codes></CodeBook>";
        assert_eq!(
            read_codebook(xml),
            Err(ExchangeError::DuplicateGuid {
                line: 3,
                guid: "00000000-0000-4000-8000-0000000000c1".to_owned()
            })
        );
    }

    fn archive_of(members: &[(&str, &[u8])]) -> Vec<u8> {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default().large_file(true);
        for (name, content) in members {
            zip.start_file(*name, options).expect("zip");
            zip.write_all(content).expect("zip");
        }
        zip.finish().expect("zip").into_inner()
    }

    #[test]
    fn archives_that_inflate_are_refused_before_they_fill_memory() {
        let project = sample();
        let qde = project_qde(&project);
        let source = format!("sources/{}.txt", project.sources[0].guid);
        // A source of zeros, compressed a thousandfold, larger than the whole budget.
        let zeros = vec![b'0'; (MAX_UNPACKED_BYTES + 1) as usize];
        let bomb = archive_of(&[("project.qde", qde.as_bytes()), (&source, &zeros)]);
        assert!(bomb.len() < 200 * 1024, "{} bytes", bomb.len());
        assert_eq!(
            read_qdpx(&bomb),
            Err(ExchangeError::TooLarge {
                limit: MAX_UNPACKED_BYTES
            })
        );
        // Members the project does not name are never unpacked, however large.
        let text = project.sources[0].text.as_bytes();
        let with_recording = archive_of(&[
            ("project.qde", qde.as_bytes()),
            (&source, text),
            ("sources/recording.m4a", &zeros),
        ]);
        assert_eq!(read_qdpx(&with_recording), Ok(project));
        let many: Vec<(String, Vec<u8>)> = (0..=MAX_MEMBERS)
            .map(|n| (format!("sources/{n}.txt"), Vec::new()))
            .collect();
        let many: Vec<(&str, &[u8])> = many
            .iter()
            .map(|(name, content)| (name.as_str(), content.as_slice()))
            .collect();
        assert_eq!(
            read_qdpx(&archive_of(&many)),
            Err(ExchangeError::TooManyMembers { limit: MAX_MEMBERS })
        );
    }

    proptest::proptest! {
        #[test]
        fn reading_any_bytes_never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
            let _ = read_qdpx(&bytes);
            if let Ok(text) = std::str::from_utf8(&bytes) {
                let _ = read_project(text, |_| None);
                let _ = read_codebook(text);
            }
        }
    }
}
