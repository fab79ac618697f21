//! The text of a Word (DOCX) file: paragraphs as lines, tabs and line breaks kept, everything
//! else (styles, images, comments, tracked deletions) left out.

use std::io::{BufReader, Cursor, Read};

use quick_xml::events::Event;

use crate::{ExchangeError, MAX_UNPACKED_BYTES};

/// Whether `bytes` look like a DOCX file (a zip holding `word/document.xml`).
pub fn is_docx(bytes: &[u8]) -> bool {
    zip::ZipArchive::new(Cursor::new(bytes))
        .is_ok_and(|mut archive| archive.by_name("word/document.xml").is_ok())
}

/// Elements whose text is not the document's: deleted text of tracked changes, and drawings'
/// alternative content.
const SKIPPED: [&str; 5] = ["del", "delText", "drawing", "pict", "AlternateContent"];

/// The document's text, one line per paragraph. The XML is read as a stream, never as a tree:
/// memory grows with the text, not with the markup or its nesting, and the document may unpack
/// to at most [`MAX_UNPACKED_BYTES`].
pub fn text(bytes: &[u8]) -> Result<String, ExchangeError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|error| ExchangeError::NotZip(error.to_string()))?;
    let member = archive
        .by_name("word/document.xml")
        .map_err(|_| ExchangeError::NotDocx)?;
    if member.size() > MAX_UNPACKED_BYTES {
        return Err(ExchangeError::TooLarge {
            limit: MAX_UNPACKED_BYTES,
        });
    }
    let mut reader =
        quick_xml::Reader::from_reader(BufReader::new(member.take(MAX_UNPACKED_BYTES + 1)));
    let mut buffer = Vec::new();
    let mut out = String::new();
    // How many skipped elements the reader is inside.
    let mut skipping = 0usize;
    let mut in_text = false;
    loop {
        if reader.buffer_position() > MAX_UNPACKED_BYTES {
            return Err(ExchangeError::TooLarge {
                limit: MAX_UNPACKED_BYTES,
            });
        }
        let event = reader
            .read_event_into(&mut buffer)
            .map_err(|error| ExchangeError::Xml {
                line: 0,
                message: error.to_string(),
            })?;
        match event {
            Event::Start(element) => {
                let name = element.local_name();
                if skipping > 0 || SKIPPED.contains(&name.as_ref()) {
                    skipping += 1;
                } else {
                    in_text = name.as_ref() == "t";
                }
            }
            Event::Empty(element) if skipping == 0 => match element.local_name().as_ref() {
                "tab" => out.push('\t'),
                "br" | "cr" => out.push('\n'),
                "p" => out.push('\n'),
                _ => {}
            },
            Event::End(element) => {
                if skipping > 0 {
                    skipping -= 1;
                } else {
                    match element.local_name().as_ref() {
                        "t" => in_text = false,
                        "p" => out.push('\n'),
                        _ => {}
                    }
                }
            }
            Event::Text(content) if in_text && skipping == 0 => {
                out.push_str(&content.xml10_content());
            }
            Event::CData(content) if in_text && skipping == 0 => {
                out.push_str(&content.xml10_content());
            }
            Event::GeneralRef(reference) if in_text && skipping == 0 => {
                match reference.resolve_char_ref() {
                    Ok(Some(character)) => out.push(character),
                    _ => match quick_xml::escape::resolve_predefined_entity(&reference) {
                        Some(text) => out.push_str(text),
                        None => {
                            return Err(ExchangeError::Xml {
                                line: 0,
                                message: format!("unknown entity &{};", &*reference),
                            });
                        }
                    },
                }
            }
            Event::DocType(_) => {
                return Err(ExchangeError::Xml {
                    line: 0,
                    message: "a document type declaration is not allowed".to_owned(),
                });
            }
            Event::Eof => break,
            _ => {}
        }
        buffer.clear();
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    pub fn docx_of(body: &str) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        zip.start_file("[Content_Types].xml", options).expect("zip");
        zip.write_all(b"<Types/>").expect("zip");
        zip.start_file("word/document.xml", options).expect("zip");
        write!(
            zip,
            "<?xml version=\"1.0\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>"
        )
        .expect("zip");
        zip.finish().expect("zip").into_inner()
    }

    #[test]
    fn paragraphs_become_lines() {
        let bytes = docx_of(
            "<w:p><w:r><w:t>司会：</w:t></w:r><w:r><w:t xml:space=\"preserve\">今日は </w:t></w:r></w:p>\
             <w:p><w:r><w:t>A：</w:t><w:tab/><w:t>はい</w:t><w:br/><w:t>😊</w:t></w:r>\
             <w:del><w:r><w:delText>消した</w:delText></w:r></w:del></w:p>",
        );
        assert!(is_docx(&bytes));
        assert_eq!(
            text(&bytes),
            Ok("司会：今日は \nA：\tはい\n😊\n".to_owned())
        );
        assert!(!is_docx(b"plain text"));
    }

    #[test]
    fn markup_of_any_depth_is_read_as_a_stream() {
        let deep = format!(
            "<w:p>{}<w:r><w:t>深い &amp; &#x263A;</w:t></w:r>{}</w:p>",
            "<w:sdt>".repeat(200_000),
            "</w:sdt>".repeat(200_000)
        );
        assert_eq!(text(&docx_of(&deep)), Ok("深い & ☺\n".to_owned()));
    }

    #[test]
    fn what_is_not_a_document_is_refused_as_such() {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file("notes.txt", zip::write::SimpleFileOptions::default())
            .expect("zip");
        let not_word = zip.finish().expect("zip").into_inner();
        assert_eq!(text(&not_word), Err(ExchangeError::NotDocx));
        let entity = docx_of("<w:p><w:r><w:t>&unknown;</w:t></w:r></w:p>");
        assert!(matches!(text(&entity), Err(ExchangeError::Xml { .. })));
    }
}
