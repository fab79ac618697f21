//! Writing: `project.qde`, a QDC codebook, and the QDPX archive around them.

use std::io::{Cursor, Write};

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use zip::write::SimpleFileOptions;

use crate::{CODEBOOK_NAMESPACE, Code, Graph, Note, PROJECT_NAMESPACE, Project, Source};

type XmlWriter = Writer<Vec<u8>>;

/// Where a source's text sits in the archive, as `plainTextPath` names it.
fn source_path(source: &Source) -> String {
    format!("internal://{}.txt", source.guid)
}

/// The archive member holding a source's text.
fn source_member(source: &Source) -> String {
    format!("sources/{}.txt", source.guid)
}

/// `project.qde`: the project document, its sources referred to by `plainTextPath`.
pub fn project_qde(project: &Project) -> String {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 1);
    let written = write_project(&mut writer, project);
    debug_assert!(written.is_ok(), "writing to a Vec does not fail");
    into_string(writer)
}

/// A QDC codebook of `codes`.
pub fn codebook_qdc(codes: &[Code], origin: &str) -> String {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 1);
    let written = declaration(&mut writer).and_then(|()| {
        writer
            .create_element("CodeBook")
            .with_attribute(("xmlns", CODEBOOK_NAMESPACE))
            .with_attribute(("origin", origin))
            .write_inner_content(|w| write_codes(w, codes))
            .map(|_| ())
    });
    debug_assert!(written.is_ok(), "writing to a Vec does not fail");
    into_string(writer)
}

/// The QDPX archive: `project.qde` and every source's text under `sources/`.
pub fn pack_qdpx(project: &Project) -> std::io::Result<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o644);
    zip.start_file("project.qde", options)?;
    zip.write_all(project_qde(project).as_bytes())?;
    for source in &project.sources {
        zip.start_file(source_member(source), options)?;
        zip.write_all(source.text.as_bytes())?;
    }
    Ok(zip.finish()?.into_inner())
}

fn into_string(writer: XmlWriter) -> String {
    String::from_utf8(writer.into_inner()).unwrap_or_default()
}

fn declaration(writer: &mut XmlWriter) -> std::io::Result<()> {
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))
}

fn write_project(writer: &mut XmlWriter, project: &Project) -> std::io::Result<()> {
    declaration(writer)?;
    writer
        .create_element("Project")
        .with_attribute(("xmlns", PROJECT_NAMESPACE))
        .with_attribute(("name", project.name.as_str()))
        .with_attribute(("origin", project.origin.as_str()))
        .write_inner_content(|w| {
            if !project.users.is_empty() {
                w.create_element("Users").write_inner_content(|w| {
                    for user in &project.users {
                        w.create_element("User")
                            .with_attribute(("guid", user.guid.as_str()))
                            .with_attribute(("name", user.name.as_str()))
                            .write_empty()?;
                    }
                    Ok(())
                })?;
            }
            if !project.codes.is_empty() {
                w.create_element("CodeBook")
                    .write_inner_content(|w| write_codes(w, &project.codes))?;
            }
            if !project.variables.is_empty() {
                w.create_element("Variables").write_inner_content(|w| {
                    for variable in &project.variables {
                        w.create_element("Variable")
                            .with_attribute(("guid", variable.guid.as_str()))
                            .with_attribute(("name", variable.name.as_str()))
                            .with_attribute(("typeOfVariable", "Text"))
                            .write_empty()?;
                    }
                    Ok(())
                })?;
            }
            if !project.sources.is_empty() {
                w.create_element("Sources").write_inner_content(|w| {
                    for source in &project.sources {
                        write_source(w, source)?;
                    }
                    Ok(())
                })?;
            }
            if !project.notes.is_empty() {
                w.create_element("Notes").write_inner_content(|w| {
                    for note in &project.notes {
                        write_note(w, note)?;
                    }
                    Ok(())
                })?;
            }
            if !project.graphs.is_empty() {
                w.create_element("Graphs").write_inner_content(|w| {
                    for graph in &project.graphs {
                        write_graph(w, graph)?;
                    }
                    Ok(())
                })?;
            }
            if !project.description.is_empty() {
                text_element(w, "Description", &project.description)?;
            }
            for note in &project.notes {
                w.create_element("NoteRef")
                    .with_attribute(("targetGUID", note.guid.as_str()))
                    .write_empty()?;
            }
            Ok(())
        })?;
    Ok(())
}

fn text_element(writer: &mut XmlWriter, name: &str, text: &str) -> std::io::Result<()> {
    writer
        .create_element(name)
        .write_text_content(BytesText::new(text))?;
    Ok(())
}

fn write_codes(writer: &mut XmlWriter, codes: &[Code]) -> std::io::Result<()> {
    writer.create_element("Codes").write_inner_content(|w| {
        for code in codes {
            write_code(w, code)?;
        }
        Ok(())
    })?;
    Ok(())
}

fn write_code(writer: &mut XmlWriter, code: &Code) -> std::io::Result<()> {
    let mut element = writer
        .create_element("Code")
        .with_attribute(("guid", code.guid.as_str()))
        .with_attribute(("name", code.name.as_str()))
        .with_attribute(("isCodable", "true"));
    if let Some(color) = &code.color {
        element = element.with_attribute(("color", color.as_str()));
    }
    if code.description.is_empty() && code.children.is_empty() {
        element.write_empty()?;
        return Ok(());
    }
    element.write_inner_content(|w| {
        if !code.description.is_empty() {
            text_element(w, "Description", &code.description)?;
        }
        for child in &code.children {
            write_code(w, child)?;
        }
        Ok(())
    })?;
    Ok(())
}

fn write_source(writer: &mut XmlWriter, source: &Source) -> std::io::Result<()> {
    let path = source_path(source);
    writer
        .create_element("TextSource")
        .with_attribute(("guid", source.guid.as_str()))
        .with_attribute(("name", source.name.as_str()))
        .with_attribute(("plainTextPath", path.as_str()))
        .write_inner_content(|w| {
            if !source.description.is_empty() {
                text_element(w, "Description", &source.description)?;
            }
            for selection in &source.selections {
                let start = selection.start.to_string();
                let end = selection.end.to_string();
                let mut element = w
                    .create_element("PlainTextSelection")
                    .with_attribute(("guid", selection.guid.as_str()));
                if !selection.name.is_empty() {
                    element = element.with_attribute(("name", selection.name.as_str()));
                }
                element
                    .with_attribute(("startPosition", start.as_str()))
                    .with_attribute(("endPosition", end.as_str()))
                    .write_inner_content(|w| {
                        if !selection.description.is_empty() {
                            text_element(w, "Description", &selection.description)?;
                        }
                        for (index, code) in selection.codes.iter().enumerate() {
                            let guid = derive_guid(&selection.guid, index);
                            w.create_element("Coding")
                                .with_attribute(("guid", guid.as_str()))
                                .write_inner_content(|w| {
                                    w.create_element("CodeRef")
                                        .with_attribute(("targetGUID", code.as_str()))
                                        .write_empty()?;
                                    Ok(())
                                })?;
                        }
                        Ok(())
                    })?;
            }
            for (variable, value) in &source.values {
                w.create_element("VariableValue").write_inner_content(|w| {
                    w.create_element("VariableRef")
                        .with_attribute(("targetGUID", variable.as_str()))
                        .write_empty()?;
                    text_element(w, "TextValue", value)
                })?;
            }
            Ok(())
        })?;
    Ok(())
}

/// A GUID derived from another (a coding's from its selection's, a board vertex from its node's)
/// so that the same project always writes the same file: the last block of `base` mixed with
/// `index`.
pub fn derive_guid(selection: &str, index: usize) -> String {
    let (head, tail) = selection.split_at(selection.len().saturating_sub(12));
    let tail = u64::from_str_radix(tail, 16).unwrap_or(0);
    let mixed = (tail ^ 0x0000_c0d1_0000_0000).wrapping_add(index as u64) & 0xffff_ffff_ffff;
    format!("{head}{mixed:012x}")
}

fn write_note(writer: &mut XmlWriter, note: &Note) -> std::io::Result<()> {
    writer
        .create_element("Note")
        .with_attribute(("guid", note.guid.as_str()))
        .with_attribute(("name", note.name.as_str()))
        .write_inner_content(|w| text_element(w, "PlainTextContent", &note.text))?;
    Ok(())
}

fn write_graph(writer: &mut XmlWriter, graph: &Graph) -> std::io::Result<()> {
    writer
        .create_element("Graph")
        .with_attribute(("guid", graph.guid.as_str()))
        .with_attribute(("name", graph.name.as_str()))
        .write_inner_content(|w| {
            for vertex in &graph.vertices {
                let (x, y) = (vertex.first.0.to_string(), vertex.first.1.to_string());
                let mut element = w
                    .create_element("Vertex")
                    .with_attribute(("guid", vertex.guid.as_str()));
                if let Some(represented) = &vertex.represented {
                    element = element.with_attribute(("representedGUID", represented.as_str()));
                }
                element = element
                    .with_attribute(("name", vertex.name.as_str()))
                    .with_attribute(("firstX", x.as_str()))
                    .with_attribute(("firstY", y.as_str()));
                if let Some((x2, y2)) = vertex.second {
                    let (x2, y2) = (x2.to_string(), y2.to_string());
                    element = element
                        .with_attribute(("secondX", x2.as_str()))
                        .with_attribute(("secondY", y2.as_str()));
                }
                element
                    .with_attribute(("shape", "RoundedRectangle"))
                    .write_empty()?;
            }
            for edge in &graph.edges {
                w.create_element("Edge")
                    .with_attribute(("guid", edge.guid.as_str()))
                    .with_attribute(("name", edge.name.as_str()))
                    .with_attribute(("sourceVertex", edge.source_vertex.as_str()))
                    .with_attribute(("targetVertex", edge.target_vertex.as_str()))
                    .with_attribute(("direction", edge.direction.as_str()))
                    .write_empty()?;
            }
            Ok(())
        })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_guids_are_stable_guids() {
        let guid = derive_guid("6b697a75-6b69-4000-8000-000000000001", 0);
        assert_eq!(guid.len(), 36);
        assert_eq!(guid, derive_guid("6b697a75-6b69-4000-8000-000000000001", 0));
        assert_ne!(guid, derive_guid("6b697a75-6b69-4000-8000-000000000001", 1));
        assert!(guid.starts_with("6b697a75-6b69-4000-8000-"));
    }
}
