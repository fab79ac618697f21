//! Every RIS, MEDLINE, Web of Science, PubMed XML, EndNote XML, BibTeX and CSV file in `../shared/external/biblio` — exports from
//! PubMed, EBSCO, Ovid, Scopus, Web of Science, ProQuest, Dimensions, Lens, EndNote, Zotero and
//! others — reads with the number of records its source says it holds (`SOURCES.md`). Skipped when the folder is not there, as on
//! a user's clone.

use std::path::{Path, PathBuf};

fn external() -> Option<PathBuf> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/external");
    folder.join("SOURCES.md").exists().then_some(folder)
}

/// Each file of `biblio/` with the count `SOURCES.md` gives after `what` (`RIS records=`).
fn stated(sources: &str, what: &str) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    let mut file: Option<String> = None;
    for line in sources.lines() {
        if let Some(name) = line.strip_prefix("### `biblio/") {
            file = name.strip_suffix('`').map(str::to_owned);
        } else if line.starts_with('#') {
            // Another folder's files.
            file = None;
        } else if let (Some(name), Some(at)) = (&file, line.find(what)) {
            let count: String = line[at + what.len()..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            if let Ok(count) = count.parse() {
                found.push((name.clone(), count));
            }
        }
    }
    found
}

/// Every file `SOURCES.md` counts as `what` reads as `format` with that many records, each
/// holding a field besides its kind; but PubMed's search history, which holds searches, not
/// records, is refused as such.
fn every_file_of(what: &str, format: kizuki_biblio::Format, at_least: usize) {
    let Some(folder) = external() else {
        eprintln!("skipped: ../shared/external is not here");
        return;
    };
    let sources = std::fs::read_to_string(folder.join("SOURCES.md"))
        .unwrap_or_else(|error| panic!("SOURCES.md: {error}"));
    let files = stated(&sources, what);
    assert!(
        files.len() >= at_least,
        "SOURCES.md names {} files of {what}",
        files.len()
    );
    let mut wrong = Vec::new();
    for (name, count) in &files {
        let bytes = std::fs::read(folder.join("biblio").join(name))
            .unwrap_or_else(|error| panic!("{name}: {error}"));
        let history = bytes.starts_with(b"Recent queries in pubmed");
        match kizuki_biblio::read(&bytes, name) {
            Err(error) if history && error.expected.contains("search history") => {}
            Ok((records, found, _)) if records.len() == *count && found == format => {
                let empty = records.iter().filter(|r| r.fields.len() < 2).count();
                if empty > 0 {
                    wrong.push(format!(
                        "{name}: {empty} records with no field but their kind"
                    ));
                }
            }
            Ok((records, found, _)) => wrong.push(format!(
                "{name}: {} records as {}, the source says {count} as {}",
                records.len(),
                found.name(),
                format.name()
            )),
            Err(error) => wrong.push(format!("{name}: {error}")),
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_ris_export_reads_with_the_records_its_source_holds() {
    every_file_of("RIS records=", kizuki_biblio::Format::Ris, 30);
}

#[test]
fn every_medline_export_reads_with_the_records_its_source_holds() {
    every_file_of("MEDLINE/nbib records=", kizuki_biblio::Format::Medline, 8);
}

#[test]
fn every_web_of_science_export_reads_with_the_records_its_source_holds() {
    every_file_of(
        "WoS tagged records=",
        kizuki_biblio::Format::WebOfScience,
        5,
    );
}

#[test]
fn every_pubmed_xml_export_reads_with_the_articles_its_source_holds() {
    every_file_of(
        "PubMed XML PubmedArticle=",
        kizuki_biblio::Format::PubmedXml,
        8,
    );
}

#[test]
fn every_endnote_xml_export_reads_with_the_records_its_source_holds() {
    every_file_of("EndNote XML records=", kizuki_biblio::Format::EndnoteXml, 3);
}

#[test]
fn every_bibtex_export_reads_with_the_entries_its_source_holds() {
    every_file_of("BibTeX entries=", kizuki_biblio::Format::Bibtex, 5);
}

#[test]
fn every_csv_and_tsv_export_reads_with_the_rows_its_source_holds() {
    every_file_of("rows=", kizuki_biblio::Format::Csv, 10);
}

#[test]
fn the_ovid_export_keeps_its_journal_abbreviations_and_dois() {
    let Some(folder) = external() else {
        eprintln!("skipped: ../shared/external is not here");
        return;
    };
    let bytes = std::fs::read(folder.join("biblio/asreview/ovid_psycinfo.ris")).unwrap();
    let (records, _, _) = kizuki_biblio::read(&bytes, "ovid_psycinfo.ris").unwrap();
    assert!(
        records.iter().all(|r| r.journal_abbreviation.is_some()),
        "Ovid's NL after ER"
    );
    assert!(records.iter().filter(|r| r.doi.is_some()).count() >= 5);
    assert!(
        records
            .iter()
            .all(|r| r.doi.as_deref().is_none_or(|d| d.starts_with("10.")))
    );
}

/// Precision and recall of the duplicates found in a set labelled record by record (no
/// cluster ids), as the labels mean it: either the records to take out (in each group all but
/// one; a group is credited with at most as many as its labelled members), or the records that
/// have a duplicate at all (each one in a group should be, and each should be in one).
fn scored(
    records: &[kizuki_biblio::Record],
    labelled: impl Fn(&kizuki_biblio::Record) -> bool,
    taken_out: bool,
) -> (f64, f64, usize, usize) {
    let groups = kizuki_biblio::duplicates(records);
    let truth = records.iter().filter(|r| labelled(r)).count();
    let (mut found, mut right) = (0, 0);
    for group in &groups {
        let marked = group.iter().filter(|&&i| labelled(&records[i])).count();
        if taken_out {
            found += group.len() - 1;
            right += marked.min(group.len() - 1);
        } else {
            found += group.len();
            right += marked;
        }
    }
    let precision = if found == 0 {
        1.0
    } else {
        right as f64 / found as f64
    };
    (precision, right as f64 / truth as f64, found, truth)
}

#[test]
fn duplicates_in_the_labelled_sets_are_found() {
    let Some(folder) = external() else {
        eprintln!("skipped: ../shared/external is not here");
        return;
    };
    let field = |record: &kizuki_biblio::Record, tag: &str| {
        record
            .fields
            .iter()
            .find(|f| f.tag == tag)
            .map(|f| f.value.clone())
            .unwrap_or_default()
    };
    // (file, field, value, whether the value marks records to take out, least recall). In
    // dedupe-sweep every member of a duplicate set is captioned; in ASySD's set `source` says
    // `unique` of the one kept and `duplicate` of the ones taken out.
    let sets: [(&str, &str, &str, bool, f64); 3] = [
        (
            "dedupe-sweep/copper.xml",
            "caption",
            "Duplicate",
            false,
            0.95,
        ),
        (
            "dedupe-sweep/tafenoquine.xml",
            "caption",
            "Duplicate",
            false,
            0.95,
        ),
        (
            "ASySD/labelled_test_set.csv",
            "source",
            "duplicate",
            true,
            0.95,
        ),
    ];
    for (name, tag, value, taken_out, least) in sets {
        let bytes = std::fs::read(folder.join("biblio").join(name))
            .unwrap_or_else(|error| panic!("{name}: {error}"));
        let (records, _, _) =
            kizuki_biblio::read(&bytes, name).unwrap_or_else(|error| panic!("{name}: {error}"));
        let (precision, recall, found, truth) =
            scored(&records, |r| field(r, tag) == value, taken_out);
        eprintln!(
            "{name}: {found} found, {truth} labelled: precision {precision:.3}, recall {recall:.3}"
        );
        assert!(precision >= 0.95, "{name}: precision {precision:.3}");
        assert!(recall >= least, "{name}: recall {recall:.3}");
    }
}
