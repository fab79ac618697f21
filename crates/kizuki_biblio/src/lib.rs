//! Bibliographic records as the databases and reference managers export them.
//!
//! A file arrives as bytes: [`decode`] finds its encoding (a byte-order mark, UTF-8, Shift_JIS
//! for Japanese databases such as 医中誌 and CiNii, else Windows-1252, which Latin-1 files are),
//! [`detect`] its format, and a reader ([`read_ris`], [`read_medline`], [`read_wos`]) turns it
//! into [`Record`]s, each keeping every field in
//! the order it came, with the line it began on. A file that cannot be read is refused whole,
//! with the line and what was expected there ([`ReadError`]).

mod bibtex;
mod decode;
mod dedupe;
mod detect;
mod index;
mod lines;
mod medline;
mod normalise;
mod query;
mod record;
mod ris;
mod table;
mod wos;
mod xml;

pub use bibtex::read_bibtex;
pub use decode::{Decoded, Encoding, decode};
pub use dedupe::{duplicates, title_key};
pub use detect::{Format, detect};
pub use index::Index;
pub use medline::read_medline;
pub use normalise::{doi, pages, pmcid, pmid, year};
pub use query::{Field as QueryField, Query, QueryError, Searchable};
pub use record::{Field, Record};
pub use ris::read_ris;
pub use table::{COLUMNS, read_table};
pub use wos::read_wos;
pub use xml::{read_endnote_xml, read_pubmed_xml};

/// Why a file could not be read: the line (from 1) and what was expected there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {expected}")]
pub struct ReadError {
    pub line: usize,
    pub expected: String,
}

/// Reads a file of any format this crate knows, as it came.
pub fn read(bytes: &[u8], file_name: &str) -> Result<(Vec<Record>, Format, Encoding), ReadError> {
    let Decoded { text, encoding } = decode(bytes);
    let format = detect(&text, file_name);
    let records = match format {
        Format::Ris => read_ris(&text)?,
        Format::Medline => read_medline(&text)?,
        Format::WebOfScience => read_wos(&text)?,
        Format::PubmedXml => read_pubmed_xml(&text)?,
        Format::EndnoteXml => read_endnote_xml(&text)?,
        Format::Bibtex => read_bibtex(&text)?,
        Format::Csv => read_table(&text, file_name)?,
        Format::Unknown => {
            return Err(ReadError {
                line: 1,
                expected: "a bibliographic export (RIS, MEDLINE, PubMed XML, EndNote XML, BibTeX, Web of Science or CSV)".into(),
            });
        }
    };
    Ok((records, format, encoding))
}
