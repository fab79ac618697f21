//! The same work found in several databases: records linked by DOI, by PMID, or by the same
//! title (letters and digits only, case folded) with years and first authors that agree, and
//! never two records whose DOIs (or PMIDs) differ. Linked records form groups (union–find);
//! the review keeps one of each group.

use std::collections::HashMap;

use crate::record::Record;

/// The title as compared: its letters and digits in lower case, markup (`<i>`) left out.
pub fn title_key(title: &str) -> String {
    let mut key = String::new();
    let mut in_tag = false;
    for c in title.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag && c.is_alphanumeric() => key.extend(c.to_lowercase()),
            _ => {}
        }
    }
    key
}

/// The first author's family name, folded as titles are.
fn first_author(record: &Record) -> Option<String> {
    let first = record.authors.first()?;
    let family = first.split([',', ' ']).find(|part| !part.is_empty())?;
    let key = title_key(family);
    (!key.is_empty()).then_some(key)
}

fn agree<T: PartialEq>(a: &Option<T>, b: &Option<T>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    }
}

/// Groups being built, each knowing the one DOI and PMID it may hold: two records whose DOIs
/// (or PMIDs) differ never end up in one group, even through a third without either.
struct Sets<'a> {
    parent: Vec<usize>,
    doi: Vec<Option<&'a str>>,
    pmid: Vec<Option<&'a str>>,
}

impl<'a> Sets<'a> {
    fn new(records: &'a [Record]) -> Self {
        Sets {
            parent: (0..records.len()).collect(),
            doi: records.iter().map(|r| r.doi.as_deref()).collect(),
            pmid: records.iter().map(|r| r.pmid.as_deref()).collect(),
        }
    }

    fn find(&mut self, at: usize) -> usize {
        let mut root = at;
        while self.parent[root] != root {
            root = self.parent[root];
        }
        let mut at = at;
        while self.parent[at] != root {
            let next = self.parent[at];
            self.parent[at] = root;
            at = next;
        }
        root
    }

    /// Joins the groups of `a` and `b` unless their DOIs or PMIDs differ.
    fn join(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a == b || !agree(&self.doi[a], &self.doi[b]) || !agree(&self.pmid[a], &self.pmid[b]) {
            return;
        }
        let (root, child) = (a.min(b), a.max(b));
        self.parent[child] = root;
        self.doi[root] = self.doi[root].or(self.doi[child]);
        self.pmid[root] = self.pmid[root].or(self.pmid[child]);
    }
}

/// Groups of two or more records (indices into `records`, in order) that are the same work.
pub fn duplicates(records: &[Record]) -> Vec<Vec<usize>> {
    let mut sets = Sets::new(records);
    let mut by_doi: HashMap<&str, usize> = HashMap::new();
    let mut by_pmid: HashMap<&str, usize> = HashMap::new();
    for (index, record) in records.iter().enumerate() {
        if let Some(doi) = record.doi.as_deref() {
            match by_doi.get(doi) {
                Some(first) => sets.join(*first, index),
                None => {
                    by_doi.insert(doi, index);
                }
            }
        }
        if let Some(pmid) = record.pmid.as_deref() {
            match by_pmid.get(pmid) {
                Some(first) => sets.join(*first, index),
                None => {
                    by_pmid.insert(pmid, index);
                }
            }
        }
    }
    let mut by_title: HashMap<String, Vec<usize>> = HashMap::new();
    for (index, record) in records.iter().enumerate() {
        let key = title_key(&record.title);
        // A very short title ("Editorial", "Reply") says too little to match on.
        if key.chars().count() >= 20 {
            by_title.entry(key).or_default().push(index);
        }
    }
    for block in by_title.values() {
        for (at, &a) in block.iter().enumerate() {
            for &b in &block[at + 1..] {
                let (x, y) = (&records[a], &records[b]);
                let years = match (x.year, y.year) {
                    (Some(p), Some(q)) => p.abs_diff(q) <= 1,
                    _ => true,
                };
                if years && agree(&first_author(x), &first_author(y)) {
                    sets.join(a, b);
                }
            }
        }
    }
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for index in 0..records.len() {
        let root = sets.find(index);
        groups.entry(root).or_default().push(index);
    }
    let mut groups: Vec<Vec<usize>> = groups.into_values().filter(|g| g.len() > 1).collect();
    groups.sort();
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(title: &str, year: i32, author: &str, doi: Option<&str>) -> Record {
        Record {
            title: title.to_owned(),
            year: Some(year),
            authors: vec![author.to_owned()],
            doi: doi.map(str::to_owned),
            ..Record::default()
        }
    }

    #[test]
    fn the_same_work_from_two_databases_is_one_group() {
        let records = [
            record(
                "Peer support in mental health: a review.",
                2019,
                "Smith, J",
                Some("10.1000/a"),
            ),
            record(
                "PEER SUPPORT IN MENTAL HEALTH - A REVIEW",
                2019,
                "Smith J",
                None,
            ),
            record(
                "Peer support in mental health: a review",
                2020,
                "Smith, John",
                Some("10.1000/b"),
            ),
            record(
                "Something else entirely, a different study",
                2019,
                "Doe, A",
                Some("10.1000/a"),
            ),
            record("Short", 2019, "Smith, J", None),
            record("Short", 2019, "Smith, J", None),
        ];
        // 0 and 1 by title; 3 by DOI with 0; 2 has another DOI and stays apart; short titles
        // are not matched.
        assert_eq!(duplicates(&records), [vec![0, 1, 3]]);
    }

    #[test]
    fn titles_are_compared_by_their_letters() {
        assert_eq!(
            title_key("The <i>in vivo</i> effect: a trial."),
            "theinvivoeffectatrial"
        );
        assert_eq!(title_key("ピアサポート、研修"), "ピアサポート研修");
    }
}
