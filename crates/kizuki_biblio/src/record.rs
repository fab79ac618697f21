//! One record as it arrived, and the fields a review compares, normalised.

use crate::normalise;

/// A field as the file had it: its tag (or column) and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub tag: String,
    pub value: String,
}

/// A bibliographic record: every field in the order it came, with the line it began on, and
/// the fields read from them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Record {
    pub line: usize,
    pub fields: Vec<Field>,
    /// The kind as the file says it (`JOUR`, `Journal Article`, `article` …).
    pub kind: String,
    pub title: String,
    /// "Family, Given" as written, in order.
    pub authors: Vec<String>,
    pub journal: Option<String>,
    pub journal_abbreviation: Option<String>,
    pub year: Option<i32>,
    pub volume: Option<String>,
    pub issue: Option<String>,
    /// `first–last`, a short last page written out.
    pub pages: Option<String>,
    /// Lower case, without a resolver.
    pub doi: Option<String>,
    pub pmid: Option<String>,
    pub pmcid: Option<String>,
    pub abstract_text: Option<String>,
    pub keywords: Vec<String>,
    pub issn: Vec<String>,
    pub language: Option<String>,
}

impl Record {
    /// The first value of any of `tags`, in the order of the tags.
    pub fn first(&self, tags: &[&str]) -> Option<&str> {
        tags.iter().find_map(|tag| {
            self.fields
                .iter()
                .find(|field| field.tag == *tag && !field.value.trim().is_empty())
                .map(|field| field.value.as_str())
        })
    }

    /// Every value of any of `tags`, in the file's order.
    pub fn all(&self, tags: &[&str]) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|field| tags.contains(&field.tag.as_str()) && !field.value.trim().is_empty())
            .map(|field| field.value.as_str())
            .collect()
    }

    /// The DOI wherever the record holds one: its own field first, then a link or a note.
    pub(crate) fn find_doi(&self, own: &[&str], elsewhere: &[&str]) -> Option<String> {
        self.all(own)
            .into_iter()
            .chain(self.all(elsewhere))
            .find_map(normalise::doi)
    }
}
