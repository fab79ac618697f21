//! Reading QDPX archives, project documents and QDC codebooks, including those other tools
//! write: elements are matched by local name (namespaces and prefixes vary), the sources folder
//! is found whatever its case or slash, and a source's text is kept exactly as stored.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Cursor, Read};

use roxmltree::{Document, Node};

use crate::{
    Code, Direction, Edge, ExchangeError, Graph, Note, Project, Selection, Source, User, Variable,
    Vertex,
};

/// The largest archive member read, so a small zip cannot unpack into gigabytes.
const MAX_MEMBER_BYTES: u64 = 256 * 1024 * 1024;

/// A QDPX archive.
pub fn read_qdpx(bytes: &[u8]) -> Result<Project, ExchangeError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|error| ExchangeError::NotZip(error.to_string()))?;
    let mut members: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for index in 0..archive.len() {
        let mut file = archive
            .by_index(index)
            .map_err(|error| ExchangeError::NotZip(error.to_string()))?;
        if file.is_dir() {
            continue;
        }
        let name = file.name().replace('\\', "/");
        let mut content = Vec::new();
        file.by_ref()
            .take(MAX_MEMBER_BYTES)
            .read_to_end(&mut content)
            .map_err(|error| ExchangeError::NotZip(error.to_string()))?;
        members.insert(name, content);
    }
    let project_name = members
        .keys()
        .find(|name| name.to_lowercase().ends_with(".qde"))
        .cloned()
        .ok_or(ExchangeError::NoProject)?;
    let xml = text_of(&members[&project_name], &project_name)?;
    read_project(&xml, |path| {
        let wanted = path.to_lowercase();
        members
            .iter()
            .find(|(name, _)| {
                let name = name.to_lowercase();
                name == wanted || name.strip_prefix("sources/") == Some(wanted.as_str())
            })
            .map(|(name, bytes)| text_of(bytes, name))
    })
}

/// UTF-8 text (a byte-order mark dropped), or UTF-16 when it says so with its mark.
fn text_of(bytes: &[u8], path: &str) -> Result<String, ExchangeError> {
    let not_text = || ExchangeError::NotText {
        path: path.to_owned(),
    };
    if let Some(rest) = bytes.strip_prefix(&[0xef, 0xbb, 0xbf]) {
        return String::from_utf8(rest.to_vec()).map_err(|_| not_text());
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
    String::from_utf8(bytes.to_vec()).map_err(|_| not_text())
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
                for source in elements(child, "TextSource") {
                    project.sources.push(source_of(&document, source, &load)?);
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
        ..roxmltree::ParsingOptions::default()
    };
    Document::parse_with_options(xml, options).map_err(|error| ExchangeError::Xml {
        line: error.pos().row,
        message: error.to_string(),
    })
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
            codes.push(code_of(document, code)?);
        }
    }
    Ok(codes)
}

fn code_of(document: &Document, node: Node) -> Result<Code, ExchangeError> {
    let mut code = Code {
        guid: guid(document, node)?,
        name: node.attribute("name").unwrap_or_default().to_owned(),
        description: description_of(node),
        color: node.attribute("color").map(str::to_owned),
        children: Vec::new(),
    };
    for child in elements(node, "Code") {
        code.children.push(code_of(document, child)?);
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
    let inner = path
        .strip_prefix("internal://")
        .ok_or_else(|| ExchangeError::MissingSource {
            line: line_of(document, node),
            path: path.to_owned(),
        })?;
    load(inner).unwrap_or_else(|| {
        Err(ExchangeError::MissingSource {
            line: line_of(document, node),
            path: path.to_owned(),
        })
    })
}

fn source_of(
    document: &Document,
    node: Node,
    load: &impl Fn(&str) -> Option<Result<String, ExchangeError>>,
) -> Result<Source, ExchangeError> {
    let text = plain_text(document, node, load)?;
    let length = text.chars().count();
    let mut source = Source {
        guid: guid(document, node)?,
        name: node.attribute("name").unwrap_or_default().to_owned(),
        description: description_of(node),
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
        if start > end || end > length {
            return Err(ExchangeError::OutOfRange {
                line: line_of(document, selection),
                start,
                end,
                length,
            });
        }
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
    use crate::{pack_qdpx, project_qde};

    fn sample() -> Project {
        let code = |guid: &str, name: &str, children: Vec<Code>| Code {
            guid: guid.to_owned(),
            name: name.to_owned(),
            children,
            ..Code::default()
        };
        Project {
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
