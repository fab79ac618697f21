//! Records as rows of a CSV or TSV file: PubMed's (both its current and its older layout),
//! Embase's, Zotero's, ASReview's, and our own (the column names of [`COLUMNS`]). A column is
//! known by its heading, whatever its case or the spaces around it; every cell is kept as a
//! field named by its heading.

use crate::ReadError;
use crate::normalise;
use crate::record::{Field, Record};

/// The headings each field is found under, first match first. Kizuki's own layout is the first
/// name of each: title, authors, journal, journal_abbreviation, year, volume, issue, pages,
/// doi, pmid, pmcid, abstract, keywords, issn, language, type.
pub const COLUMNS: &[(&str, &[&str])] = &[
    (
        "title",
        &[
            "title",
            "article title",
            "document title",
            "ti",
            "primary_title",
        ],
    ),
    (
        "authors",
        &[
            "authors",
            "author",
            "author names",
            "au",
            "author full names",
        ],
    ),
    (
        "journal",
        &[
            "journal",
            "journal/book",
            "publication title",
            "source title",
            "source",
            "journal title",
            "jo",
            "so",
            "secondary_title",
        ],
    ),
    (
        "journal_abbreviation",
        &[
            "journal_abbreviation",
            "journal abbreviation",
            "abbreviated source title",
            "j2",
            "ji",
        ],
    ),
    (
        "year",
        &[
            "year",
            "publication year",
            "publication_year",
            "py",
            "date",
            "da",
        ],
    ),
    ("volume", &["volume", "vl"]),
    ("issue", &["issue", "number", "is"]),
    ("pages", &["pages", "page", "pg", "sp"]),
    ("doi", &["doi", "do", "di"]),
    ("pmid", &["pmid", "pubmed id", "entrezuid", "medline pmid"]),
    ("pmcid", &["pmcid"]),
    (
        "abstract",
        &["abstract", "abstract note", "ab", "abstract_note"],
    ),
    (
        "keywords",
        &["keywords", "author keywords", "manual tags", "kw", "de"],
    ),
    ("issn", &["issn", "sn"]),
    (
        "language",
        &["language", "la", "language of original document"],
    ),
    (
        "type",
        &[
            "type",
            "item type",
            "document type",
            "publication type",
            "ty",
        ],
    ),
];

fn column(headings: &[String], field: &str) -> Option<usize> {
    let (_, names) = COLUMNS.iter().find(|(name, _)| *name == field)?;
    names
        .iter()
        .find_map(|name| headings.iter().position(|heading| heading == name))
}

pub fn read_table(text: &str, file_name: &str) -> Result<Vec<Record>, ReadError> {
    let first = text
        .lines()
        .next()
        .unwrap_or_default()
        .trim_start_matches('\u{feff}');
    if first.trim() == "Recent queries in pubmed" {
        return Err(ReadError {
            line: 1,
            expected: "records, not PubMed's search history (its searches and the number each found belong in the review's protocol)".into(),
        });
    }
    let tabs = first.matches('\t').count();
    let delimiter =
        if file_name.to_ascii_lowercase().ends_with(".tsv") || tabs > first.matches(',').count() {
            b'\t'
        } else {
            b','
        };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        // Checked below: PubMed's older CSV ends every row with one comma more than its
        // headings, which is no mistake.
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let raw_headings: Vec<String> = reader
        .headers()
        .map_err(|error| csv_error(&error, 1))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    let headings: Vec<String> = raw_headings.iter().map(|h| h.to_lowercase()).collect();
    let Some(title) = column(&headings, "title") else {
        return Err(ReadError {
            line: 1,
            expected: format!(
                "a heading naming the title (one of: {})",
                COLUMNS[0].1.join(", ")
            ),
        });
    };
    // PubMed's older CSV gives the authors as "Description" and the citation as "Details".
    let legacy_pubmed = headings.iter().any(|h| h == "entrezuid");
    let authors = column(&headings, "authors").or_else(|| {
        legacy_pubmed
            .then(|| headings.iter().position(|h| h == "description"))
            .flatten()
    });
    let embase =
        headings.iter().any(|h| h == "author names") && headings.iter().any(|h| h == "source");
    let mut records = Vec::new();
    for row in reader.records() {
        let row = row.map_err(|error| csv_error(&error, 0))?;
        let line = row.position().map_or(0, |p| p.line() as usize);
        let extra_empty = row
            .iter()
            .skip(headings.len())
            .all(|cell| cell.trim().is_empty());
        if row.len() < headings.len() || !extra_empty {
            return Err(ReadError {
                line,
                expected: format!(
                    "{} cells as in the headings (this row has {})",
                    headings.len(),
                    row.len()
                ),
            });
        }
        let cell = |index: Option<usize>| {
            index
                .and_then(|i| row.get(i))
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let get = |field: &str| cell(column(&headings, field));
        let authors_cell = cell(authors).unwrap_or_default();
        let authors: Vec<String> = if authors_cell.contains(';') {
            authors_cell
                .split(';')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_owned)
                .collect()
        } else {
            authors_cell
                .trim_end_matches('.')
                .split(", ")
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_owned)
                .collect()
        };
        let details = legacy_pubmed
            .then(|| cell(headings.iter().position(|h| h == "details")))
            .flatten();
        // Embase puts journal, year, volume, issue and pages in one "Source" cell, and the DOI
        // in its link resolver's address.
        let embase = embase
            .then(|| cell(column(&headings, "journal")).map(|s| embase_source(&s)))
            .flatten();
        let link = embase
            .as_ref()
            .and(cell(headings.iter().position(|h| h == "open url link")));
        records.push(Record {
            line,
            fields: raw_headings
                .iter()
                .zip(row.iter())
                .filter(|(_, value)| !value.trim().is_empty())
                .map(|(tag, value)| Field {
                    tag: tag.clone(),
                    value: value.trim().to_owned(),
                })
                .collect(),
            kind: get("type").unwrap_or_default(),
            title: cell(Some(title)).unwrap_or_default(),
            authors,
            journal: embase
                .as_ref()
                .map_or_else(|| get("journal"), |e| e.journal.clone()),
            journal_abbreviation: get("journal_abbreviation"),
            year: get("year")
                .and_then(|y| normalise::year(&y))
                .or(embase.as_ref().and_then(|e| e.year)),
            volume: get("volume").or(embase.as_ref().and_then(|e| e.volume.clone())),
            issue: get("issue").or(embase.as_ref().and_then(|e| e.issue.clone())),
            pages: get("pages")
                .or(embase.as_ref().and_then(|e| e.pages.clone()))
                .and_then(|p| normalise::pages(&p, "")),
            doi: get("doi")
                .into_iter()
                .chain(details)
                .chain(link.and_then(|link| {
                    link.split('&')
                        .find(|part| part.contains("doi:"))
                        .map(|part| part.replace("%2F", "/").replace("%2f", "/"))
                }))
                .find_map(|d| normalise::doi(&d)),
            pmid: get("pmid").and_then(|p| normalise::pmid(&p)),
            pmcid: get("pmcid").and_then(|p| normalise::pmcid(&p)),
            abstract_text: get("abstract"),
            keywords: get("keywords")
                .map(|k| {
                    k.split([';', ','])
                        .map(str::trim)
                        .filter(|k| !k.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            issn: get("issn")
                .map(|i| {
                    i.split([';', ',', ' '])
                        .map(str::trim)
                        .filter(|i| !i.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            language: get("language"),
        });
    }
    if records.is_empty() {
        return Err(ReadError {
            line: 2,
            expected: "a row of records under the headings".into(),
        });
    }
    Ok(records)
}

struct EmbaseSource {
    journal: Option<String>,
    year: Option<i32>,
    volume: Option<String>,
    issue: Option<String>,
    pages: Option<String>,
}

/// Embase's "Source": `Endoscopic Ultrasound (2014) 3:3 (152-160). Date of Publication: …`.
fn embase_source(source: &str) -> EmbaseSource {
    let source = source
        .split(". Date of Publication")
        .next()
        .unwrap_or(source);
    let (journal, rest) = source.split_once(" (").unwrap_or((source, ""));
    let (year, rest) = rest.split_once(')').unwrap_or(("", rest));
    let rest = rest.trim();
    let (numbers, pages) = match rest.split_once('(') {
        Some((numbers, pages)) => (numbers.trim(), pages.split(')').next().unwrap_or_default()),
        None => (rest, ""),
    };
    let (volume, issue) = numbers.split_once(':').unwrap_or((numbers, ""));
    let some = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
    EmbaseSource {
        journal: some(journal),
        year: normalise::year(year),
        volume: some(volume),
        issue: some(issue),
        pages: some(pages),
    }
}

fn csv_error(error: &csv::Error, fallback: usize) -> ReadError {
    let line = error
        .position()
        .map_or(fallback, |p| p.line() as usize)
        .max(1);
    let expected = match error.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("{expected_len} cells as in the headings (this row has {len})")
        }
        _ => format!("a CSV row ({error})"),
    };
    ReadError { line, expected }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pubmeds_csv_is_read_by_its_headings() {
        let text = "PMID,Title,Authors,Citation,First Author,Journal/Book,Publication Year,Create Date,PMCID,NIHMS ID,DOI\n31234567,\"Peer support, a review\",\"Smith J, Doe A\",x,Smith J,BMC Psychiatry,2019,2019/06/01,PMC6543210,,10.1186/S12888-019-1234-5\n";
        let records = read_table(text, "pubmed.csv").unwrap();
        let record = &records[0];
        assert_eq!(record.line, 2);
        assert_eq!(record.title, "Peer support, a review");
        assert_eq!(record.authors, ["Smith J", "Doe A"]);
        assert_eq!(record.pmid.as_deref(), Some("31234567"));
        assert_eq!(record.doi.as_deref(), Some("10.1186/s12888-019-1234-5"));
        assert_eq!(record.journal.as_deref(), Some("BMC Psychiatry"));
        assert_eq!(
            record
                .fields
                .iter()
                .find(|f| f.tag == "First Author")
                .map(|f| f.value.as_str()),
            Some("Smith J")
        );
    }

    #[test]
    fn a_row_of_the_wrong_width_and_a_missing_title_are_named() {
        let error = read_table("title,year\na,2019\nb,2020,extra\n", "x.csv").unwrap_err();
        assert_eq!(error.line, 3);
        assert!(error.expected.contains("2 cells"), "{error}");
        assert_eq!(read_table("name,year\na,1\n", "x.csv").unwrap_err().line, 1);
        let history = read_table(
            "Recent queries in pubmed\nSearch,Query,Items found,Time\n",
            "pubmed.txt",
        )
        .unwrap_err();
        assert!(history.expected.contains("search history"));
    }

    #[test]
    fn embases_source_is_taken_apart() {
        let text = "Title,Author Names,Source,Open URL Link\nDuplication cysts,\"Liu R., Adler D.G.\",Endoscopic Ultrasound (2014) 3:3 (152-160). Date of Publication: 1 Jul 2014,http://sfx.example/?sid=EMBASE&id=doi:10.4103%2F2303-9027.138783&atitle=x\n";
        let record = &read_table(text, "embase.csv").unwrap()[0];
        assert_eq!(record.journal.as_deref(), Some("Endoscopic Ultrasound"));
        assert_eq!(record.year, Some(2014));
        assert_eq!(
            (record.volume.as_deref(), record.issue.as_deref()),
            (Some("3"), Some("3"))
        );
        assert_eq!(record.pages.as_deref(), Some("152–160"));
        assert_eq!(record.doi.as_deref(), Some("10.4103/2303-9027.138783"));
    }

    #[test]
    fn tabs_are_told_from_commas() {
        let records =
            read_table("TY\tTI\tPY\nJOUR\tA title, with a comma\t2020\n", "x.tsv").unwrap();
        assert_eq!(
            (records[0].title.as_str(), records[0].year),
            ("A title, with a comma", Some(2020))
        );
    }
}
