//! MEDLINE/PubMed tagged text (`.nbib`, PubMed's "PubMed" format): a tag of up to four letters
//! padded to four, `- `, the value; a value goes on over lines indented by six spaces; records
//! are separated by blank lines and begin with `PMID-`. Written by hand for the same reasons as
//! the RIS reader (every field kept, the line of a mistake).

use crate::ReadError;
use crate::lines::numbered;
use crate::normalise;
use crate::record::{Field, Record};

fn tagged(line: &str) -> Option<(&str, &str)> {
    let (head, value) = (line.get(..4)?, line.get(4..)?);
    let tag = head.trim_end();
    let value = value
        .strip_prefix("- ")
        .or_else(|| value.strip_prefix('-'))?;
    (!tag.is_empty()
        && tag
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()))
    .then_some((tag, value.trim()))
}

pub fn read_medline(text: &str) -> Result<Vec<Record>, ReadError> {
    let mut records: Vec<Record> = Vec::new();
    let mut open: Option<Record> = None;
    for (number, line) in numbered(text) {
        if line.trim().is_empty() {
            if let Some(record) = open.take() {
                records.push(finish(record));
            }
            continue;
        }
        if let Some((tag, value)) = tagged(line) {
            if tag == "PMID"
                && let Some(record) = open.take()
            {
                records.push(finish(record));
            }
            let record = match open.as_mut() {
                Some(record) => record,
                None if tag == "PMID" => open.insert(Record {
                    line: number,
                    ..Record::default()
                }),
                None => {
                    return Err(ReadError {
                        line: number,
                        expected: format!("PMID- to begin a record before {tag}"),
                    });
                }
            };
            record.fields.push(Field {
                tag: tag.to_owned(),
                value: value.to_owned(),
            });
        } else if line.starts_with("      ")
            && let Some(last) = open.as_mut().and_then(|record| record.fields.last_mut())
        {
            last.value.push(' ');
            last.value.push_str(line.trim());
        } else {
            return Err(ReadError {
                line: number,
                expected: "a MEDLINE field (a tag, \"- \" and its value) or its continuation indented by six spaces".into(),
            });
        }
    }
    if let Some(record) = open {
        records.push(finish(record));
    }
    if records.is_empty() {
        return Err(ReadError {
            line: 1,
            expected: "a MEDLINE record (PMID- …)".into(),
        });
    }
    Ok(records)
}

fn finish(mut record: Record) -> Record {
    let own = |record: &Record, tags: &[&str]| record.first(tags).map(str::to_owned);
    record.kind = own(&record, &["PT"]).unwrap_or_default();
    record.title = own(&record, &["TI", "BTI"]).unwrap_or_default();
    // Full names where PubMed gives them, else the short ones.
    let full = record.all(&["FAU"]);
    let authors = if full.is_empty() {
        record.all(&["AU"])
    } else {
        full
    };
    record.authors = authors.into_iter().map(str::to_owned).collect();
    record.journal = own(&record, &["JT"]);
    record.journal_abbreviation = own(&record, &["TA"]);
    record.year = record
        .all(&["DP", "DEP"])
        .into_iter()
        .find_map(normalise::year);
    record.volume = own(&record, &["VI"]);
    record.issue = own(&record, &["IP"]);
    record.pages = normalise::pages(record.first(&["PG"]).unwrap_or_default(), "");
    record.doi = record
        .all(&["LID", "AID"])
        .into_iter()
        .filter(|value| value.contains("[doi]"))
        .find_map(normalise::doi);
    record.pmid = record.first(&["PMID"]).and_then(normalise::pmid);
    record.pmcid = record.first(&["PMC"]).and_then(normalise::pmcid);
    record.abstract_text = own(&record, &["AB"]);
    record.keywords = record
        .all(&["OT", "MH"])
        .into_iter()
        .map(str::to_owned)
        .collect();
    record.issn = record
        .all(&["IS"])
        .into_iter()
        .filter_map(|value| value.split_whitespace().next())
        .map(str::to_owned)
        .fold(Vec::new(), |mut found, issn| {
            if !found.contains(&issn) {
                found.push(issn);
            }
            found
        });
    record.language = own(&record, &["LA"]);
    record
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO: &str = "\nPMID- 30747696\nOWN - NLM\nIS  - 1555-9823 (Electronic)\nIS  - 0003-1348 (Linking)\nVI  - 84\nDP  - 2018 Oct 1\nTI  - Treatment Effect or Effective\n      Treatment?\nPG  - 1691-5\nFAU - Tibbits, Emily M\nAU  - Tibbits EM\nLID - 10.1177/000313481808401015 [doi]\nTA  - Am Surg\nJT  - The American surgeon\nPMC - PMC6543210\n\nPMID- 30747697\nTI  - Second\n";

    #[test]
    fn medline_records_are_read_whole() {
        let records = read_medline(TWO).unwrap();
        assert_eq!(records.len(), 2);
        let first = &records[0];
        assert_eq!((first.line, first.pmid.as_deref()), (2, Some("30747696")));
        assert_eq!(first.title, "Treatment Effect or Effective Treatment?");
        assert_eq!(first.authors, ["Tibbits, Emily M"]);
        assert_eq!(first.pages.as_deref(), Some("1691–1695"));
        assert_eq!(first.doi.as_deref(), Some("10.1177/000313481808401015"));
        assert_eq!(first.journal.as_deref(), Some("The American surgeon"));
        assert_eq!(first.journal_abbreviation.as_deref(), Some("Am Surg"));
        assert_eq!(first.issn, ["1555-9823", "0003-1348"]);
        assert_eq!(first.pmcid.as_deref(), Some("PMC6543210"));
        assert_eq!(first.year, Some(2018));
        assert_eq!(records[1].line, 18);
    }

    #[test]
    fn a_stray_line_is_named() {
        let error = read_medline("PMID- 1\nTI  - x\nnot medline\n").unwrap_err();
        assert_eq!(error.line, 3);
        assert_eq!(read_medline("TI  - x\n").unwrap_err().line, 1);
    }
}
