//! BibTeX, as Scopus, Google Scholar, Zotero and JabRef write it, read by hand: the crates
//! refuse Scopus' field names with a space (`funding_text 1`) and its lines before the first
//! entry, and none keeps every field with the line of a mistake. `@string` abbreviations and
//! `#` joins are expanded; `@comment` and `@preamble` are passed over.

use std::collections::HashMap;

use crate::ReadError;
use crate::normalise;
use crate::record::{Field, Record};

struct Cursor {
    chars: Vec<char>,
    at: usize,
    /// Where each line begins, in characters, for naming a line.
    line_starts: Vec<usize>,
}

impl Cursor {
    fn new(text: &str) -> Self {
        let chars: Vec<char> = text.chars().collect();
        let line_starts = std::iter::once(0)
            .chain(
                chars
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| **c == '\n')
                    .map(|(at, _)| at + 1),
            )
            .collect();
        Cursor {
            chars,
            at: 0,
            line_starts,
        }
    }

    fn line(&self, at: usize) -> usize {
        self.line_starts.partition_point(|start| *start <= at)
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.at += 1;
        }
    }

    fn error(&self, at: usize, expected: impl Into<String>) -> ReadError {
        ReadError {
            line: self.line(at.min(self.chars.len())),
            expected: expected.into(),
        }
    }

    /// The text up to (not including) the first of `stops`.
    fn until(&mut self, stops: &[char]) -> String {
        let start = self.at;
        while self.peek().is_some_and(|c| !stops.contains(&c)) {
            self.at += 1;
        }
        self.chars[start..self.at].iter().collect()
    }

    /// A `{…}` or `"…"` value with its braces balanced, without the outer delimiters.
    fn delimited(&mut self, entry_line: usize) -> Result<String, ReadError> {
        let open = self.at;
        let quote = self.peek() == Some('"');
        self.at += 1;
        let mut depth = 0usize;
        let start = self.at;
        loop {
            match self.peek() {
                None => {
                    return Err(self.error(open, format!("{} to close the value begun on line {} (the entry begins on line {entry_line})", if quote { "\"" } else { "}" }, self.line(open))));
                }
                Some('\\') => self.at += 2,
                Some('{') => {
                    depth += 1;
                    self.at += 1;
                }
                Some('}') if depth == 0 && !quote => break,
                Some('}') => {
                    depth = depth.saturating_sub(1);
                    self.at += 1;
                }
                Some('"') if quote && depth == 0 => break,
                Some(_) => self.at += 1,
            }
        }
        let value: String = self.chars[start..self.at.min(self.chars.len())]
            .iter()
            .collect();
        self.at += 1;
        Ok(value)
    }

    /// A field's value: parts joined by `#`, each braced, quoted, a number or an abbreviation.
    fn value(
        &mut self,
        strings: &HashMap<String, String>,
        entry_line: usize,
    ) -> Result<String, ReadError> {
        let mut value = String::new();
        loop {
            self.skip_space();
            match self.peek() {
                Some('{' | '"') => value.push_str(&self.delimited(entry_line)?),
                Some(c) if c.is_alphanumeric() || c == '_' || c == '-' || c == '.' => {
                    let word = self.until(&[',', '}', ')', '#', ' ', '\t', '\r', '\n']);
                    let key = word.to_lowercase();
                    value.push_str(strings.get(&key).map_or(word.as_str(), String::as_str));
                }
                _ => return Err(self.error(self.at, format!("a value in braces, quotes or a number (in the entry begun on line {entry_line})"))),
            }
            self.skip_space();
            if self.peek() == Some('#') {
                self.at += 1;
            } else {
                return Ok(value);
            }
        }
    }
}

fn month_strings() -> HashMap<String, String> {
    [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ]
    .iter()
    .map(|m| ((*m).to_owned(), (*m).to_owned()))
    .collect()
}

pub fn read_bibtex(text: &str) -> Result<Vec<Record>, ReadError> {
    let mut cursor = Cursor::new(text);
    let mut strings = month_strings();
    let mut records = Vec::new();
    while cursor.at < cursor.chars.len() {
        // Outside entries anything goes (Scopus writes "Scopus" and the export date first).
        if cursor.peek() != Some('@') {
            cursor.at += 1;
            continue;
        }
        let start = cursor.at;
        let entry_line = cursor.line(start);
        cursor.at += 1;
        let kind = cursor.until(&['{', '(']).trim().to_owned();
        let Some(open) = cursor.peek() else {
            return Err(cursor.error(start, format!("{{ after @{kind}")));
        };
        let close = if open == '(' { ')' } else { '}' };
        match kind.to_lowercase().as_str() {
            "comment" | "preamble" => {
                cursor.delimited(entry_line)?;
                continue;
            }
            "string" => {
                cursor.at += 1;
                cursor.skip_space();
                let name = cursor.until(&['=']).trim().to_lowercase();
                cursor.at += 1;
                let value = cursor.value(&strings, entry_line)?;
                strings.insert(name, value);
                cursor.skip_space();
                if cursor.peek() == Some(close) {
                    cursor.at += 1;
                }
                continue;
            }
            _ => {}
        }
        cursor.at += 1;
        cursor.skip_space();
        let key = cursor.until(&[',', close]).trim().to_owned();
        let mut record = Record {
            line: entry_line,
            kind: kind.to_lowercase(),
            fields: vec![
                Field {
                    tag: "ENTRYTYPE".into(),
                    value: kind.to_lowercase(),
                },
                Field {
                    tag: "ID".into(),
                    value: key,
                },
            ],
            ..Record::default()
        };
        loop {
            cursor.skip_space();
            match cursor.peek() {
                Some(',') => {
                    cursor.at += 1;
                    continue;
                }
                Some(c) if c == close => {
                    cursor.at += 1;
                    break;
                }
                None => {
                    return Err(cursor.error(
                        cursor.at,
                        format!("{close} to close the entry begun on line {entry_line}"),
                    ));
                }
                Some('@') => return Err(cursor.error(
                    cursor.at,
                    format!(
                        "{close} to close the entry begun on line {entry_line} before the next @"
                    ),
                )),
                Some(_) => {}
            }
            let name_at = cursor.at;
            let name = cursor.until(&['=', close, '@']).trim().to_lowercase();
            if cursor.peek() != Some('=') || name.is_empty() {
                return Err(cursor.error(
                    name_at,
                    format!("a field as name = {{value}} in the entry begun on line {entry_line}"),
                ));
            }
            cursor.at += 1;
            let value = cursor.value(&strings, entry_line)?;
            record.fields.push(Field {
                tag: name,
                value: clean(&value),
            });
        }
        records.push(finish(record));
    }
    if records.is_empty() {
        return Err(ReadError {
            line: 1,
            expected: "a BibTeX entry (@article{key, …})".into(),
        });
    }
    Ok(records)
}

/// A value as text: TeX's accents and escapes made characters, protecting braces left out,
/// spaces run together.
fn clean(value: &str) -> String {
    const ACCENTS: &[(&str, &str)] = &[
        ("\\\"a", "ä"),
        ("\\\"o", "ö"),
        ("\\\"u", "ü"),
        ("\\\"A", "Ä"),
        ("\\\"O", "Ö"),
        ("\\\"U", "Ü"),
        ("\\'e", "é"),
        ("\\'a", "á"),
        ("\\'i", "í"),
        ("\\'o", "ó"),
        ("\\'u", "ú"),
        ("\\'E", "É"),
        ("\\`e", "è"),
        ("\\`a", "à"),
        ("\\^e", "ê"),
        ("\\^o", "ô"),
        ("\\~n", "ñ"),
        ("\\~a", "ã"),
        ("\\c{c}", "ç"),
        ("\\c c", "ç"),
        ("\\ss", "ß"),
        ("\\o", "ø"),
        ("\\aa", "å"),
        ("\\&", "&"),
        ("\\%", "%"),
        ("\\_", "_"),
        ("\\$", "$"),
        ("\\#", "#"),
        ("--", "–"),
    ];
    let mut text = value.to_owned();
    for (tex, character) in ACCENTS {
        text = text.replace(tex, character);
    }
    let text: String = text.chars().filter(|c| *c != '{' && *c != '}').collect();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn finish(mut record: Record) -> Record {
    let own = |record: &Record, tags: &[&str]| record.first(tags).map(str::to_owned);
    record.title = own(&record, &["title"]).unwrap_or_default();
    record.authors = record
        .first(&["author"])
        .map(|all| {
            all.split(" and ")
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    record.journal = own(&record, &["journal", "journaltitle", "booktitle"]);
    record.journal_abbreviation = own(
        &record,
        &["abbrev_source_title", "shortjournal", "journal-iso"],
    );
    record.year = record
        .all(&["year", "date"])
        .into_iter()
        .find_map(normalise::year);
    record.volume = own(&record, &["volume"]);
    record.issue = own(&record, &["number", "issue"]);
    record.pages = normalise::pages(record.first(&["pages"]).unwrap_or_default(), "");
    record.doi = record.find_doi(&["doi"], &["url", "note"]);
    record.pmid = record.first(&["pmid"]).and_then(normalise::pmid);
    record.pmcid = record.first(&["pmcid"]).and_then(normalise::pmcid);
    record.abstract_text = own(&record, &["abstract"]);
    record.keywords = record
        .all(&["keywords", "author_keywords"])
        .into_iter()
        .flat_map(|k| k.split([';', ',']))
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(str::to_owned)
        .collect();
    record.issn = record
        .all(&["issn"])
        .into_iter()
        .map(str::to_owned)
        .collect();
    record.language = own(&record, &["language", "langid"]);
    record
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SCOPUS: &str = "Scopus\nEXPORT DATE: 2 March 2019\n\n@ARTICLE{Bui20181477,\nauthor={Bui, K.T.A. and Abdaem, J.},\ntitle={Improving the {Quality} of reviews},\njournal={European Journal of Neurology},\nyear={2018},\npages={1477-85},\ndoi={10.1111/ene.13758},\nfunding_text 1={The Fund},\nauthor_keywords={a;  b},\nabbrev_source_title={Eur. J. Neurol.},\n}\n@string{ejn = \"Eur J\"}\n@article{two, title = \"M{\\\"u}ller\" # { and more}, journal = ejn, month = mar, year = 2020}\n";

    #[test]
    fn scopus_and_hand_written_entries_are_read() {
        let records = read_bibtex(SCOPUS).unwrap();
        assert_eq!(records.len(), 2);
        let first = &records[0];
        assert_eq!(first.line, 4);
        assert_eq!(first.authors, ["Bui, K.T.A.", "Abdaem, J."]);
        assert_eq!(first.title, "Improving the Quality of reviews");
        assert_eq!(first.pages.as_deref(), Some("1477–1485"));
        assert_eq!(first.doi.as_deref(), Some("10.1111/ene.13758"));
        assert_eq!(first.keywords, ["a", "b"]);
        assert_eq!(
            first.journal_abbreviation.as_deref(),
            Some("Eur. J. Neurol.")
        );
        assert!(
            first
                .fields
                .iter()
                .any(|f| f.tag == "funding_text 1" && f.value == "The Fund")
        );
        let second = &records[1];
        assert_eq!(second.title, "Müller and more");
        assert_eq!(second.journal.as_deref(), Some("Eur J"));
        assert_eq!(second.year, Some(2020));
    }

    #[test]
    fn an_unclosed_entry_names_where_it_began() {
        let error =
            read_bibtex("@article{a,\n title={x},\n\n@article{b, title={y}}\n").unwrap_err();
        assert_eq!(error.line, 4);
        assert!(error.expected.contains("line 1"), "{error}");
        let error = read_bibtex("@article{a,\n title={x\n").unwrap_err();
        assert_eq!(error.line, 2);
    }

    proptest! {
        #[test]
        fn any_text_gives_entries_or_a_line_within_it(text in "(@article\\{k,|title=\\{[a-z{}]{0,6}\\}|,|\\}|\n|[a-z=\"#@ ]{0,6}){0,12}") {
            let lines = text.lines().count().max(1) + 1;
            match read_bibtex(&text) {
                Ok(records) => prop_assert!(!records.is_empty()),
                Err(error) => prop_assert!(error.line >= 1 && error.line <= lines, "{} of {}", error.line, lines),
            }
        }
    }
}
