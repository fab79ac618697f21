//! Web of Science tagged text (`.ciw`, "Plain text" export): `FN` and `VR` first, then records
//! of two-character tags, a space and the value, a value going on over lines indented by three
//! spaces, each record ended by `ER`, the file by `EF`. Written by hand as the RIS reader is.

use crate::ReadError;
use crate::lines::numbered;
use crate::normalise;
use crate::record::{Field, Record};

fn tagged(line: &str) -> Option<(&str, &str)> {
    let bytes = line.as_bytes();
    let tag_like = bytes.len() >= 2
        && bytes[0].is_ascii_uppercase()
        && (bytes[1].is_ascii_uppercase() || bytes[1].is_ascii_digit());
    if !tag_like {
        return None;
    }
    match line.get(2..)? {
        "" => Some((&line[..2], "")),
        rest => rest
            .strip_prefix(' ')
            .map(|value| (&line[..2], value.trim())),
    }
}

pub fn read_wos(text: &str) -> Result<Vec<Record>, ReadError> {
    let mut records: Vec<Record> = Vec::new();
    let mut open: Option<Record> = None;
    let mut last_line = 1;
    for (number, line) in numbered(text) {
        last_line = number;
        if line.trim().is_empty() {
            continue;
        }
        if line.starts_with("   ") {
            if let Some(last) = open.as_mut().and_then(|record| record.fields.last_mut()) {
                // Authors and keywords go on one to a line: kept apart, as separate values.
                last.value.push('\n');
                last.value.push_str(line.trim());
                continue;
            }
            return Err(ReadError {
                line: number,
                expected: "a field before its continuation".into(),
            });
        }
        let Some((tag, value)) = tagged(line) else {
            return Err(ReadError {
                line: number,
                expected: "a Web of Science field: two capitals, a space and the value".into(),
            });
        };
        match (tag, open.as_mut()) {
            ("FN" | "VR" | "EF", None) => {}
            ("PT", None) => {
                open = Some(Record {
                    line: number,
                    fields: vec![Field {
                        tag: "PT".into(),
                        value: value.to_owned(),
                    }],
                    ..Record::default()
                });
            }
            ("ER", Some(_)) => {
                if let Some(record) = open.take() {
                    records.push(finish(record));
                }
            }
            ("PT", Some(record)) => {
                return Err(ReadError {
                    line: number,
                    expected: format!("ER to end the record begun on line {}", record.line),
                });
            }
            (_, Some(record)) => record.fields.push(Field {
                tag: tag.to_owned(),
                value: value.to_owned(),
            }),
            (_, None) => {
                return Err(ReadError {
                    line: number,
                    expected: format!("PT to begin a record before {tag}"),
                });
            }
        }
    }
    if let Some(record) = open {
        return Err(ReadError {
            line: last_line,
            expected: format!("ER to end the record begun on line {}", record.line),
        });
    }
    if records.is_empty() {
        return Err(ReadError {
            line: 1,
            expected: "a Web of Science record (PT … ER)".into(),
        });
    }
    Ok(records)
}

/// The values of `tags`, a value of several lines being one per line.
fn each(record: &Record, tags: &[&str]) -> Vec<String> {
    record
        .all(tags)
        .into_iter()
        .flat_map(|value| value.lines())
        .map(str::trim)
        .filter(|value| !value.is_empty())
        .map(str::to_owned)
        .collect()
}

fn one_line(value: Option<&str>) -> Option<String> {
    value.map(|value| value.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn finish(mut record: Record) -> Record {
    record.kind = one_line(record.first(&["DT", "PT"])).unwrap_or_default();
    record.title = one_line(record.first(&["TI"])).unwrap_or_default();
    let full = each(&record, &["AF"]);
    record.authors = if full.is_empty() {
        each(&record, &["AU"])
    } else {
        full
    };
    record.journal = one_line(record.first(&["SO"]));
    record.journal_abbreviation = one_line(record.first(&["J9", "JI"]));
    record.year = record
        .all(&["PY", "PD"])
        .into_iter()
        .find_map(normalise::year);
    record.volume = one_line(record.first(&["VL"]));
    record.issue = one_line(record.first(&["IS"]));
    // Zoological Record (through Web of Science) gives the pages whole in PS.
    record.pages = match record.first(&["BP"]) {
        Some(first) => normalise::pages(first, record.first(&["EP"]).unwrap_or_default()),
        None => normalise::pages(record.first(&["PS", "AR"]).unwrap_or_default(), ""),
    };
    record.doi = record.first(&["DI"]).and_then(normalise::doi);
    record.pmid = record.first(&["PM"]).and_then(normalise::pmid);
    record.abstract_text = one_line(record.first(&["AB"]));
    record.keywords = each(&record, &["DE", "ID"])
        .into_iter()
        .flat_map(|line| {
            line.split(';')
                .map(str::trim)
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .filter(|keyword| !keyword.is_empty())
        .collect();
    record.issn = each(&record, &["SN", "EI"]);
    record.language = one_line(record.first(&["LA"]));
    record
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO: &str = "FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nAU Li, W\n   Dou, Z\nAF Li, Wei\n   Dou, Zhiguo\nTI Soil fauna diversity at different stages of reed restoration in a\n   lakeshore wetland\nSO ECOSYSTEM HEALTH AND SUSTAINABILITY\nAR UNSP 1722034\nDI 10.1080/20964129.2020.1722034\nPY 2020\nER\n\nPT J\nTI Second\nBP 590\nEP 5\nER\n\nEF\n";

    #[test]
    fn web_of_science_records_are_read_whole() {
        let records = read_wos(TWO).unwrap();
        assert_eq!(records.len(), 2);
        let first = &records[0];
        assert_eq!(first.line, 3);
        assert_eq!(first.authors, ["Li, Wei", "Dou, Zhiguo"]);
        assert_eq!(
            first.title,
            "Soil fauna diversity at different stages of reed restoration in a lakeshore wetland"
        );
        assert_eq!(first.doi.as_deref(), Some("10.1080/20964129.2020.1722034"));
        assert_eq!(first.year, Some(2020));
        assert_eq!(records[1].pages.as_deref(), Some("590–595"));
    }

    #[test]
    fn a_record_left_open_is_named() {
        let error = read_wos("FN x\nVR 1.0\nPT J\nTI a\nPT J\n").unwrap_err();
        assert_eq!(error.line, 5);
        assert!(error.expected.contains("line 3"));
        assert_eq!(read_wos("FN x\nPT J\nTI a\n").unwrap_err().line, 3);
    }
}
