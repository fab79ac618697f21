//! Reading, de-duplicating and querying at the scale of a review: every export in
//! `../shared/external/biblio` read (timed per megabyte), then its records repeated to
//! 100,000 — nine in ten with a title of their own, one in ten a second copy — found
//! duplicates in, indexed, and the programme's query run over them, from the index and by
//! scanning every record. Prints figures.

use std::path::Path;
use std::time::Instant;

use kizuki_biblio::{Index, Query, Record, Searchable, duplicates, read};

fn main() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/external/biblio");
    let Ok(entries) = walk(&folder) else {
        println!("skipped: ../shared/external/biblio is not here");
        return;
    };
    let started = Instant::now();
    let (mut bytes_read, mut records) = (0usize, Vec::new());
    for path in entries {
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        if let Ok((found, _, _)) = read(&bytes, &path.to_string_lossy()) {
            bytes_read += bytes.len();
            records.extend(found);
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "read {} records from {:.1} MB of exports in {:.0} ms ({:.1} MB/s)",
        records.len(),
        bytes_read as f64 / 1e6,
        seconds * 1000.0,
        bytes_read as f64 / 1e6 / seconds
    );

    let mut many: Vec<Record> = Vec::with_capacity(100_000);
    for n in 0..100_000 {
        let mut record = records[n % records.len()].clone();
        if n % 10 != 0 {
            record.title = format!("{} {n}", record.title);
            record.doi = record.doi.map(|doi| format!("{doi}.{n}"));
            record.pmid = None;
        }
        many.push(record);
    }
    let started = Instant::now();
    let groups = duplicates(&many);
    println!(
        "duplicates among {} records: {} groups in {:.0} ms",
        many.len(),
        groups.len(),
        started.elapsed().as_secs_f64() * 1000.0
    );

    let started = Instant::now();
    let index = Index::new(&many);
    println!(
        "index of their words built in {:.0} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    let started = Instant::now();
    let prepared: Vec<Searchable> = many.iter().map(Searchable::of).collect();
    println!(
        "(for the scan, records prepared in {:.0} ms)",
        started.elapsed().as_secs_f64() * 1000.0
    );
    for text in [
        "(peer OR consumer) AND support",
        "\"mental health\" OR psychiatr*",
        "(peer OR consumer) AND support AND (\"mental health\" OR psychiatr*) NOT nurse*",
    ] {
        let query = Query::parse(text).unwrap_or_else(|error| panic!("{text}: {error}"));
        let started = Instant::now();
        let hits = index.search(&query).len();
        let indexed = started.elapsed().as_secs_f64() * 1000.0;
        let started = Instant::now();
        let scanned = prepared
            .iter()
            .filter(|record| query.matches(record))
            .count();
        let scan = started.elapsed().as_secs_f64() * 1000.0;
        assert_eq!(hits, scanned, "{text}: the index and the scan differ");
        println!(
            "{text}: {hits} of {} in {indexed:.1} ms from the index ({scan:.0} ms by scanning)",
            many.len()
        );
    }
}

fn walk(folder: &Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(folder)? {
        let path = entry?.path();
        if path.is_dir() {
            found.extend(walk(&path)?);
        } else if path.extension().is_none_or(|e| e != "md") {
            found.push(path);
        }
    }
    found.sort();
    Ok(found)
}
