//! RIS, written by hand: every database writes it a little differently, and what a review
//! needs — each field as it came, the line of a mistake, the quirks below — is what the RIS
//! crates leave out. Ovid numbers its records (`1.`), writes `NL` after `ER` and a paragraph of
//! links between records; EndNote and Web of Science begin with a byte-order mark; lines end in
//! CR LF, LF or a lone CR; a long value goes on over the next lines without a tag.

use crate::ReadError;
use crate::detect::ris_tag;
use crate::lines::numbered;
use crate::normalise;
use crate::record::{Field, Record};

/// The records of a RIS file, or the first line that is not RIS where RIS must be.
pub fn read_ris(text: &str) -> Result<Vec<Record>, ReadError> {
    let mut records: Vec<Record> = Vec::new();
    let mut open: Option<Record> = None;
    // Whether the last line was a field of the open record, which an untagged line continues.
    let mut continuing = false;
    for (number, line) in numbered(text) {
        match ris_tag(line) {
            Some(("TY", kind)) => {
                if let Some(record) = &open {
                    return Err(ReadError {
                        line: number,
                        expected: format!(
                            "ER  - to end the record begun on line {} before the next TY  -",
                            record.line
                        ),
                    });
                }
                open = Some(Record {
                    line: number,
                    kind: kind.to_owned(),
                    fields: vec![field("TY", kind)],
                    ..Record::default()
                });
                continuing = true;
            }
            Some((tag, value)) => {
                if let Some(record) = open.as_mut() {
                    if tag == "ER" {
                        let ended = std::mem::take(record);
                        open = None;
                        records.push(finish(ended));
                        continuing = false;
                    } else {
                        record.fields.push(field(tag, value));
                        continuing = true;
                    }
                } else if let (false, Some(last)) = (tag == "ER", records.last_mut()) {
                    // Ovid writes NL (and sometimes more) after ER: it belongs to the record
                    // just ended.
                    last.fields.push(field(tag, value));
                    *last = finish(std::mem::take(last));
                } else {
                    return Err(ReadError {
                        line: number,
                        expected: format!("TY  - to begin a record before {tag}  -"),
                    });
                }
            }
            None => {
                // An untagged line goes on with the field before it; elsewhere it is a blank
                // line, Ovid's number or links, or a header before the first record.
                if let (true, Some(record)) = (continuing && !line.trim().is_empty(), open.as_mut())
                    && let Some(last) = record.fields.last_mut()
                {
                    last.value.push(' ');
                    last.value.push_str(line.trim());
                }
            }
        }
    }
    if let Some(record) = open {
        return Err(ReadError {
            line: lines_count(text),
            expected: format!("ER  - to end the record begun on line {}", record.line),
        });
    }
    if records.is_empty() {
        return Err(ReadError {
            line: 1,
            expected: "a RIS record (TY  - … ER  -)".into(),
        });
    }
    Ok(records)
}

fn field(tag: &str, value: &str) -> Field {
    Field {
        tag: tag.to_owned(),
        value: value.to_owned(),
    }
}

fn lines_count(text: &str) -> usize {
    numbered(text).len().max(1)
}

/// The record with its compared fields read from the tags the databases use.
fn finish(mut record: Record) -> Record {
    let own = |record: &Record, tags: &[&str]| record.first(tags).map(str::to_owned);
    record.title = own(&record, &["TI", "T1", "CT", "BT", "ST"]).unwrap_or_default();
    record.authors = record
        .all(&["AU", "A1"])
        .into_iter()
        .map(str::to_owned)
        .collect();
    record.journal = own(&record, &["T2", "JF", "JO", "SE"])
        .filter(|j| Some(j.as_str()) != record.first(&["TI", "T1"]));
    record.journal_abbreviation = own(&record, &["J2", "JA", "J1", "NL"]);
    record.year = record
        .all(&["PY", "Y1", "DA", "Y2"])
        .into_iter()
        .find_map(normalise::year);
    record.volume = own(&record, &["VL", "VO"]);
    record.issue = own(&record, &["IS", "CP"]);
    record.pages = normalise::pages(
        record.first(&["SP"]).unwrap_or_default(),
        record.first(&["EP"]).unwrap_or_default(),
    );
    record.doi = record.find_doi(&["DO", "DI"], &["UR", "L2", "L3", "M3", "N1", "AN"]);
    // PubMed's own exports (and EndNote's of them) put the PMID in AN; others write "PMID:".
    let pubmed = is_pubmed(&record);
    record.pmid = record
        .all(&["PM"])
        .into_iter()
        .chain(record.all(&["AN"]).into_iter().filter(|_| pubmed))
        .chain(
            record
                .all(&["AN", "ID", "N1", "C2", "M2"])
                .into_iter()
                .filter(|value| value.contains("PMID")),
        )
        .find_map(|value| normalise::pmid(&value[value.find("PMID").unwrap_or(0)..]));
    record.pmcid = record
        .all(&["C2", "N1", "PM"])
        .into_iter()
        .find_map(normalise::pmcid);
    record.abstract_text = own(&record, &["AB", "N2"]);
    record.keywords = record
        .all(&["KW"])
        .into_iter()
        .flat_map(|k| k.split(';'))
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(str::to_owned)
        .collect();
    let mut issn: Vec<String> = Vec::new();
    for number in record
        .all(&["SN"])
        .into_iter()
        .flat_map(|s| s.split([';', ' ', ',']))
    {
        let number = number.trim();
        if number.len() >= 8 && !issn.iter().any(|known| known == number) {
            issn.push(number.to_owned());
        }
    }
    record.issn = issn;
    record.language = own(&record, &["LA"]);
    record
}

/// Whether the record came from PubMed, whose accession number is its PMID.
fn is_pubmed(record: &Record) -> bool {
    record
        .all(&["DB", "DP"])
        .into_iter()
        .map(str::to_ascii_lowercase)
        .any(|db| {
            ["pubmed", "medline", "nlm"]
                .iter()
                .any(|name| db.contains(name))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const OVID: &str = "1.\r\nTY  - JOUR\r\nID  - 2019-65183-001\r\nDO  - http://dx.doi.org/10.1002/cpp.2398\r\nT1  - The influence of self-criticism.\r\nA1  - Trindade, Ines A\r\nA1  - Irons, Chris\r\nY1  - 2019//\r\nN2  - Considering that self-criticism\r\n  is an important process.\r\nJF  - Clinical Psychology & Psychotherapy\r\nSP  - 590\r\nEP  - 5\r\nER  -\r\nNL  - Clin Psychol Psychother\r\n\r\nLink to the Ovid Full Text or citation: https://example.org\r\n\r\n2.\r\nTY  - JOUR\r\nT1  - Second.\r\nER  - \r\n";

    #[test]
    fn ovids_numbers_links_and_late_fields_are_understood() {
        let records = read_ris(OVID).unwrap();
        assert_eq!(records.len(), 2);
        let first = &records[0];
        assert_eq!(first.line, 2);
        assert_eq!(first.title, "The influence of self-criticism.");
        assert_eq!(first.authors, ["Trindade, Ines A", "Irons, Chris"]);
        assert_eq!(first.year, Some(2019));
        assert_eq!(first.doi.as_deref(), Some("10.1002/cpp.2398"));
        assert_eq!(first.pages.as_deref(), Some("590–595"));
        assert_eq!(
            first.journal.as_deref(),
            Some("Clinical Psychology & Psychotherapy")
        );
        assert_eq!(
            first.journal_abbreviation.as_deref(),
            Some("Clin Psychol Psychother")
        );
        assert_eq!(
            first.abstract_text.as_deref(),
            Some("Considering that self-criticism is an important process.")
        );
        // Every field kept, in order, the late one too.
        assert_eq!(first.fields.first().map(|f| f.tag.as_str()), Some("TY"));
        assert_eq!(first.fields.last().map(|f| f.tag.as_str()), Some("NL"));
        assert_eq!(records[1].line, 20);
    }

    #[test]
    fn a_broken_file_names_the_line_and_what_was_expected() {
        let missing_end = "TY  - JOUR\nTI  - a\nTY  - JOUR\nER  -\n";
        let error = read_ris(missing_end).unwrap_err();
        assert_eq!(error.line, 3);
        assert!(error.expected.contains("line 1"), "{error}");
        let unfinished = "TY  - JOUR\nTI  - a\n";
        assert_eq!(read_ris(unfinished).unwrap_err().line, 2);
        let headless = "TI  - a\nER  -\n";
        assert_eq!(read_ris(headless).unwrap_err().line, 1);
        assert_eq!(read_ris("").unwrap_err().line, 1);
    }

    #[test]
    fn pubmeds_accession_number_is_its_pmid_and_only_there() {
        let from_pubmed = read_ris("TY  - JOUR\nST  - Short\nAN  - 21553931\nDP  - NLM\nVO  - 8\nSN  - 1895-5770 1895-5770\nER  -\n").unwrap();
        assert_eq!(from_pubmed[0].pmid.as_deref(), Some("21553931"));
        assert_eq!(from_pubmed[0].title, "Short");
        assert_eq!(from_pubmed[0].volume.as_deref(), Some("8"));
        assert_eq!(from_pubmed[0].issn, ["1895-5770"]);
        let from_psycinfo =
            read_ris("TY  - JOUR\nAN  - 2019-65183-001\nDB  - APA PsycInfo\nER  -\n").unwrap();
        assert_eq!(from_psycinfo[0].pmid, None);
        let noted = read_ris("TY  - JOUR\nN1  - PMID: 31234567\nER  -\n").unwrap();
        assert_eq!(noted[0].pmid.as_deref(), Some("31234567"));
    }

    #[test]
    fn lone_carriage_returns_end_lines_too() {
        let records = read_ris("TY  - JOUR\rTI  - a\rER  -\r").unwrap();
        assert_eq!(records[0].title, "a");
    }

    proptest! {
        #[test]
        fn any_text_gives_records_or_a_line_within_it(text in "(TY  - JOUR\n|TI  - [a-z ]{0,8}\n|ER  -\n|[a-z0-9. ]{0,10}\n|\r){0,12}") {
            match read_ris(&text) {
                Ok(records) => prop_assert!(!records.is_empty()),
                Err(error) => prop_assert!(error.line >= 1 && error.line <= numbered(&text).len().max(1)),
            }
        }
    }
}
