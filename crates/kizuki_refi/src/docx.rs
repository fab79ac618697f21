//! The text of a Word (DOCX) file: paragraphs as lines, tabs and line breaks kept, everything
//! else (styles, images, comments, tracked deletions) left out.

use std::io::{Cursor, Read};

use roxmltree::Node;

use crate::ExchangeError;

const MAX_DOCUMENT_BYTES: u64 = 64 * 1024 * 1024;

/// Whether `bytes` look like a DOCX file (a zip holding `word/document.xml`).
pub fn is_docx(bytes: &[u8]) -> bool {
    zip::ZipArchive::new(Cursor::new(bytes))
        .is_ok_and(|mut archive| archive.by_name("word/document.xml").is_ok())
}

/// The document's text, one line per paragraph.
pub fn text(bytes: &[u8]) -> Result<String, ExchangeError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|error| ExchangeError::NotZip(error.to_string()))?;
    let mut xml = String::new();
    archive
        .by_name("word/document.xml")
        .map_err(|_| ExchangeError::NoProject)?
        .take(MAX_DOCUMENT_BYTES)
        .read_to_string(&mut xml)
        .map_err(|_| ExchangeError::NotText {
            path: "word/document.xml".to_owned(),
        })?;
    let document = roxmltree::Document::parse(&xml).map_err(|error| ExchangeError::Xml {
        line: error.pos().row,
        message: error.to_string(),
    })?;
    let mut out = String::new();
    collect(document.root_element(), &mut out);
    Ok(out)
}

fn collect(node: Node, out: &mut String) {
    for child in node.children().filter(Node::is_element) {
        match child.tag_name().name() {
            "t" => out.push_str(child.text().unwrap_or_default()),
            "tab" => out.push('\t'),
            "br" | "cr" => out.push('\n'),
            // Deleted text of tracked changes, and drawings' alternative content.
            "del" | "delText" | "drawing" | "pict" | "AlternateContent" => {}
            "p" => {
                collect(child, out);
                out.push('\n');
            }
            _ => collect(child, out),
        }
    }
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
}
