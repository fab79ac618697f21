//! The query answered from an index of the review's words: for each word (folded as the query
//! folds it), the records that hold it and in which fields. Built once per set of records; a
//! word is then looked up, a stem is a range of the sorted words, and only a phrase (or
//! Japanese, which has no spaces to find words by) is checked against the record's text.

use std::collections::HashMap;

use crate::query::{Field, Query, Searchable, Text};
use crate::record::Record;

const TITLE: u8 = 1;
const ABSTRACT: u8 = 2;
const KEYWORDS: u8 = 4;

fn mask(field: Field) -> u8 {
    match field {
        Field::Any => TITLE | ABSTRACT | KEYWORDS,
        Field::Title => TITLE,
        Field::Abstract => ABSTRACT,
        Field::TitleAbstract => TITLE | ABSTRACT,
        Field::Keywords => KEYWORDS,
    }
}

pub struct Index<'a> {
    records: &'a [Record],
    /// The words in sorted order, and for each the records (ascending) with the fields.
    words: Vec<String>,
    postings: Vec<Vec<(u32, u8)>>,
}

impl<'a> Index<'a> {
    pub fn new(records: &'a [Record]) -> Index<'a> {
        let mut found: HashMap<String, Vec<(u32, u8)>> = HashMap::new();
        for (id, record) in records.iter().enumerate() {
            let id = id as u32;
            let keywords = record.keywords.join(" ; ");
            let fields = [
                (TITLE, record.title.as_str()),
                (
                    ABSTRACT,
                    record.abstract_text.as_deref().unwrap_or_default(),
                ),
                (KEYWORDS, keywords.as_str()),
            ];
            for (field, text) in fields {
                let text = Text::of(text);
                for word in text.each_word() {
                    // Looked up before it is copied: most words are already known.
                    let Some(list) = found.get_mut(word) else {
                        found.insert(word.to_owned(), vec![(id, field)]);
                        continue;
                    };
                    match list.last_mut() {
                        Some((last, fields)) if *last == id => *fields |= field,
                        _ => list.push((id, field)),
                    }
                }
            }
        }
        let mut entries: Vec<(String, Vec<(u32, u8)>)> = found.into_iter().collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let (words, postings) = entries.into_iter().unzip();
        Index {
            records,
            words,
            postings,
        }
    }

    /// The records (by index, ascending) that match.
    pub fn search(&self, query: &Query) -> Vec<u32> {
        match query {
            Query::Or(parts) => parts
                .iter()
                .fold(Vec::new(), |all, part| union(&all, &self.search(part))),
            Query::And(parts) => {
                let (excluded, included): (Vec<&Query>, Vec<&Query>) =
                    parts.iter().partition(|part| matches!(part, Query::Not(_)));
                let mut found = match included.split_first() {
                    Some((first, rest)) => rest.iter().fold(self.search(first), |found, part| {
                        intersect(&found, &self.search(part))
                    }),
                    None => (0..self.records.len() as u32).collect(),
                };
                for part in excluded {
                    if let Query::Not(inner) = part {
                        found = difference(&found, &self.search(inner));
                    }
                }
                found
            }
            Query::Not(inner) => difference(
                &(0..self.records.len() as u32).collect::<Vec<_>>(),
                &self.search(inner),
            ),
            Query::Term { words, stem, field } => self.term(words, *stem, *field),
        }
    }

    fn word_records(&self, word: &str, stem: bool, fields: u8) -> Vec<u32> {
        let start = self.words.partition_point(|w| w.as_str() < word);
        let mut found: Vec<u32> = Vec::new();
        for at in start..self.words.len() {
            let matched = if stem {
                self.words[at].starts_with(word)
            } else {
                self.words[at] == word
            };
            if !matched {
                break;
            }
            let these: Vec<u32> = self.postings[at]
                .iter()
                .filter(|(_, f)| f & fields != 0)
                .map(|(id, _)| *id)
                .collect();
            found = if found.is_empty() {
                these
            } else {
                union(&found, &these)
            };
        }
        found
    }

    fn term(&self, words: &[String], stem: bool, field: Field) -> Vec<u32> {
        let fields = mask(field);
        let check = |id: &u32| {
            Query::Term {
                words: words.to_vec(),
                stem,
                field,
            }
            .matches(&Searchable::of(&self.records[*id as usize]))
        };
        if words.iter().any(|w| crate::query::is_japanese(w)) {
            return (0..self.records.len() as u32).filter(check).collect();
        }
        let last = words.len() - 1;
        let candidates = words
            .iter()
            .enumerate()
            .map(|(at, word)| self.word_records(word, stem && at == last, fields))
            .reduce(|a, b| intersect(&a, &b))
            .unwrap_or_default();
        if words.len() == 1 {
            candidates
        } else {
            candidates.into_iter().filter(check).collect()
        }
    }
}

fn union(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => {
                out.push(a[i]);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push(b[j]);
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

fn intersect(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

fn difference(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut out = Vec::new();
    let mut j = 0;
    for &x in a {
        while j < b.len() && b[j] < x {
            j += 1;
        }
        if j >= b.len() || b[j] != x {
            out.push(x);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn records() -> Vec<Record> {
        let make = |title: &str, abstract_text: &str| Record {
            title: title.into(),
            abstract_text: Some(abstract_text.into()),
            ..Record::default()
        };
        vec![
            make("Peer support for people with psychiatric disabilities", ""),
            make("Consumer-run support services", "In mental health care."),
            make("Support groups", "Peers and social support in oncology."),
            make("Peer support among nurses", "Mental health of nurses."),
            make("精神保健におけるピアサポートの研修", ""),
        ]
    }

    #[test]
    fn the_index_answers_as_the_records_do() {
        let records = records();
        let index = Index::new(&records);
        for text in [
            "(peer OR consumer) AND support",
            "\"mental health\" OR psychiatr*",
            "support NOT nurse*",
            "NOT support",
            "peer[ti] AND \"mental health\"[ab]",
            "ピアサポート",
            "support AND (peers OR oncology) NOT \"social support\"",
        ] {
            let query = Query::parse(text).unwrap();
            let scanned: Vec<u32> = (0..records.len() as u32)
                .filter(|id| query.matches(&Searchable::of(&records[*id as usize])))
                .collect();
            assert_eq!(index.search(&query), scanned, "{text}");
        }
    }

    proptest! {
        #[test]
        fn any_query_the_index_answers_the_scan_answers(text in "(peer|support|nurse\\*|health|\"mental health\"|AND|OR|NOT| |\\(|\\)){1,9}") {
            let records = records();
            let index = Index::new(&records);
            if let Ok(query) = Query::parse(&text) {
                let scanned: Vec<u32> = (0..records.len() as u32).filter(|id| query.matches(&Searchable::of(&records[*id as usize]))).collect();
                prop_assert_eq!(index.search(&query), scanned);
            }
        }
    }
}
