//! Proof that the database's own bookkeeping does not join a code to its answer: run after run,
//! 13 codes are used in a known order, and everything an administrator could read — the rows
//! as the database lays them out (PostgreSQL's heap, `ORDER BY ctid`), a `pg_dump` taken while
//! the questionnaire is open, the SQLite file and its write-ahead log byte by byte — is read for
//! the order of the answers. Over all runs that order must not follow the order of use better
//! than chance; the same reading of a server whose mixing is off (each answer written at once)
//! must find the order, or the test could not see it.

use kizuki_domain::Role;
use serde_json::json;

use crate::api_catalogue::{Api, token_for};
use crate::questionnaires::{close, codes, questionnaire};
use crate::registration::open_training;
use crate::support::TestApp;

const PEOPLE: usize = 13;

/// The text each answer carries, unique to its run and to its place in the order of use.
fn mark(run: usize, used: usize) -> String {
    format!("ORDERMARK{run:03}X{used:02}Y")
}

/// Where each of a run's marks first appears in `text`, as the order of use of the answers in
/// the order they appear (answers not there are left out).
fn order_in(text: &[u8], run: usize) -> Vec<usize> {
    // Lossy text keeps every ASCII mark where it was, and std's search is quick on megabytes.
    let text = String::from_utf8_lossy(text);
    let mut found: Vec<(usize, usize)> = (0..PEOPLE)
        .filter_map(|used| text.find(&mark(run, used)).map(|at| (at, used)))
        .collect();
    found.sort_unstable();
    found.into_iter().map(|(_, used)| used).collect()
}

/// Spearman's rank correlation between the place an answer is found and the order it was
/// used: 1 when the database keeps the order of use, about 0 on average when it says nothing.
/// `None` for fewer than three answers.
fn rank_correlation(order: &[usize]) -> Option<f64> {
    let n = order.len();
    if n < 3 {
        return None;
    }
    let mut ranks: Vec<(usize, usize)> = order.iter().copied().zip(0..).collect();
    ranks.sort_unstable();
    let d2: f64 = ranks
        .iter()
        .enumerate()
        .map(|(rank_of_use, &(_, place))| {
            let d = rank_of_use as f64 - place as f64;
            d * d
        })
        .sum();
    let n = n as f64;
    Some(1.0 - 6.0 * d2 / (n * (n * n - 1.0)))
}

/// Everything an administrator could read, each as one text: on PostgreSQL the live rows in
/// heap order and a `pg_dump`; on SQLite the database file and its write-ahead log.
async fn readings(app: &TestApp, questionnaire_id: i64) -> Vec<(&'static str, Vec<u8>)> {
    if app.database.is_postgres() {
        let heap = app
            .sql_strings(&format!(
                "SELECT answers FROM questionnaire_responses \
                 WHERE questionnaire_id = {questionnaire_id} ORDER BY ctid"
            ))
            .await
            .join("\n");
        let dump = std::process::Command::new("pg_dump")
            .args(["--data-only", "--table=questionnaire_responses", "--dbname"])
            .arg(&app.database.url)
            .output()
            .expect("run pg_dump");
        assert!(
            dump.status.success(),
            "pg_dump: {}",
            String::from_utf8_lossy(&dump.stderr)
        );
        vec![("heap", heap.into_bytes()), ("pg_dump", dump.stdout)]
    } else {
        let file = app
            .database
            .url
            .strip_prefix("sqlite://")
            .expect("a SQLite file")
            .to_owned();
        let read = |path: &str| std::fs::read(path).unwrap_or_default();
        // The log first, as it is; then a backup as `kizuki backup` makes it; then the file
        // itself once the log has been copied into it.
        let wal = read(&format!("{file}-wal"));
        let backup = format!("{file}.backup-{:016x}", rand::random::<u64>());
        app.store
            .backup_sqlite(std::path::Path::new(&backup))
            .await
            .expect("a backup");
        let backed_up = read(&backup);
        std::fs::remove_file(&backup).expect("remove the backup");
        app.sql_execute("PRAGMA wal_checkpoint(TRUNCATE)").await;
        vec![("wal", wal), ("backup", backed_up), ("file", read(&file))]
    }
}

/// Runs `runs` questionnaires through the server at `base`, 13 codes each used in turn, and
/// answers the rank correlations found in each reading, while open and after close.
async fn correlations(
    app: &TestApp,
    base: &str,
    runs: std::ops::Range<usize>,
) -> Vec<(&'static str, &'static str, f64)> {
    let organiser = Api::new(app, Some(token_for(app, "org@example.jp").await));
    let training = open_training(app, 30).await;
    let client = reqwest::Client::new();
    let mut found = Vec::new();
    for run in runs {
        let (id, _, again, _) = questionnaire(&organiser, training).await;
        let issued = codes(&organiser, id, PEOPLE as i64).await;
        for (used, code) in issued.iter().enumerate() {
            let status = client
                .post(format!("{base}/api/v1/answers"))
                .json(&json!({"token": code, "answers": {again.to_string(): mark(run, used)}}))
                .send()
                .await
                .unwrap()
                .status();
            assert_eq!(status, 201);
        }
        for (name, text) in readings(app, id).await {
            if let Some(rho) = rank_correlation(&order_in(&text, run)) {
                found.push(("open", name, rho));
            }
        }
        close(&organiser, id).await;
        for (name, text) in readings(app, id).await {
            if let Some(rho) = rank_correlation(&order_in(&text, run)) {
                found.push(("closed", name, rho));
            }
        }
    }
    found
}

/// The mean correlation of each (phase, reading) and how many runs it rests on.
fn means(found: &[(&'static str, &'static str, f64)]) -> Vec<(String, f64, usize)> {
    let mut keys: Vec<(&str, &str)> = found.iter().map(|&(p, r, _)| (p, r)).collect();
    keys.sort_unstable();
    keys.dedup();
    keys.into_iter()
        .map(|(phase, reading)| {
            let values: Vec<f64> = found
                .iter()
                .filter(|&&(p, r, _)| (p, r) == (phase, reading))
                .map(|&(_, _, rho)| rho)
                .collect();
            (
                format!("{phase}/{reading}"),
                values.iter().sum::<f64>() / values.len() as f64,
                values.len(),
            )
        })
        .collect()
}

#[test]
fn the_rank_correlation_sees_order_and_its_reverse() {
    assert_eq!(rank_correlation(&[0, 1, 2, 3, 4]), Some(1.0));
    assert_eq!(rank_correlation(&[4, 3, 2, 1, 0]), Some(-1.0));
    assert_eq!(rank_correlation(&[0, 5, 9]), Some(1.0));
    assert_eq!(rank_correlation(&[1, 2]), None);
    assert_eq!(order_in(b"..ORDERMARK001X02Y..ORDERMARK001X00Y", 1), [2, 0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_order_codes_were_used_in_is_not_the_order_of_their_answers() {
    let app = TestApp::builder()
        .user("org@example.jp", Role::Organizer)
        .no_rate_limit()
        .build()
        .await;
    // The negative control, first, while the tables are new: without mixing, the same
    // readings find the order of use (later, PostgreSQL fills the room deleted rows left, and
    // the order blurs).
    let unmixed_server = app
        .serve_process_without(&["--rate-limit", "off"], &["mixing"])
        .await;
    let found = correlations(&app, &unmixed_server.base, 100..106).await;
    let unmixed = means(&found);
    assert!(
        unmixed
            .iter()
            .any(|(name, mean, _)| name.starts_with("open/") && *mean > 0.7),
        "without mixing some reading must show the order of use: {unmixed:?}"
    );
    drop(unmixed_server);
    // A reading that says nothing has a mean correlation of 0: over 40 runs its spread is
    // about 0.08 for the 5 answers written while open and 0.05 for the 13 after close, so 0.4
    // is five spreads away. SQLite's log is emptied into the file after each reading, so the
    // log read after close holds what the close wrote; what a log kept from before (or
    // PostgreSQL's WAL) adds is which batch an answer was written in, the bound ARCHITECTURE.md
    // states under "Anonymity".
    let found = correlations(&app, &app.base_url(), 0..40).await;
    let mixed = means(&found);
    assert!(
        mixed
            .iter()
            .any(|(name, _, runs)| name.starts_with("open/") && *runs == 40),
        "while open, some answers are written: {mixed:?}"
    );
    for (name, mean, runs) in &mixed {
        assert!(
            mean.abs() < 0.4,
            "{name}: the answers follow the order of use (mean ρ {mean:.2} over {runs} runs); \
             all: {mixed:?}"
        );
    }
}

/// Sends one answer through the server at `base`; answers the status.
async fn answer_at(base: &str, code: &str, question: i64) -> u16 {
    reqwest::Client::new()
        .post(format!("{base}/api/v1/answers"))
        .json(&json!({"token": code, "answers": {question.to_string(): "よい研修でした"}}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_server_that_dies_gives_its_codes_back_and_one_that_stops_writes_what_it_held() {
    let app = TestApp::builder()
        .user("org@example.jp", Role::Organizer)
        .no_rate_limit()
        .build()
        .await;
    let organiser = Api::new(&app, Some(token_for(&app, "org@example.jp").await));
    let training = open_training(&app, 30).await;
    let (id, how, _, _) = questionnaire(&organiser, training).await;
    let issued = codes(&organiser, id, 4).await;
    let sealed =
        format!("SELECT COUNT(*) FROM questionnaires WHERE id = {id} AND sealed_at IS NOT NULL");

    // A server takes two answers and dies before enough others came to write them.
    let mut dying = app.serve_process(&["--rate-limit", "off"]).await;
    assert_eq!(answer_at(&dying.base, &issued[0], how).await, 201);
    assert_eq!(answer_at(&dying.base, &issued[1], how).await, 201);
    dying.kill_now();
    assert_eq!(app.store.response_count(id).await.unwrap(), 0);
    assert_eq!(app.store.held_count(id).await.unwrap(), 2);
    // Used meanwhile: the codes are held, so no one else can answer with them.
    assert_eq!(answer_at(&app.base_url(), &issued[0], how).await, 409);
    // Not yet silent for long enough: the codes stay held.
    app.mixer_tick().await;
    assert_eq!(app.store.held_count(id).await.unwrap(), 2);
    // Silent past the limit, its codes are given back and answer again.
    app.advance_clock(kizuki_store::MIXER_SILENCE_SECONDS + 60);
    app.mixer_tick().await;
    assert_eq!(app.store.held_count(id).await.unwrap(), 0);
    assert_eq!(answer_at(&app.base_url(), &issued[0], how).await, 201);

    // Another server takes two answers; closing the questionnaire here writes this server's
    // answer but cannot seal while the other still holds two.
    let mut stopping = app.serve_process(&["--rate-limit", "off"]).await;
    assert_eq!(answer_at(&stopping.base, &issued[2], how).await, 201);
    assert_eq!(answer_at(&stopping.base, &issued[3], how).await, 201);
    close(&organiser, id).await;
    assert_eq!(app.store.response_count(id).await.unwrap(), 1);
    assert_eq!(app.sql_number(&sealed).await, Some(0));
    // Stopped cleanly, it writes what it held; then the answers are sealed.
    stopping.stop();
    assert_eq!(app.store.response_count(id).await.unwrap(), 3);
    assert_eq!(app.store.held_count(id).await.unwrap(), 0);
    app.housekeeping().await;
    assert_eq!(app.sql_number(&sealed).await, Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn batches_written_at_once_all_stay() {
    let app = TestApp::builder()
        .user("org@example.jp", Role::Organizer)
        .build()
        .await;
    let organiser = Api::new(&app, Some(token_for(&app, "org@example.jp").await));
    let training = open_training(&app, 30).await;
    let (id, how, _, _) = questionnaire(&organiser, training).await;
    let issued = codes(&organiser, id, 40).await;
    let mut batches = Vec::new();
    for chunk in issued.chunks(5) {
        let mut batch = Vec::new();
        for code in chunk {
            let digest = kizuki_domain::questionnaire::code::digest(
                &kizuki_domain::questionnaire::code::normalize(code).unwrap(),
            );
            let outcome = app
                .store
                .hold_code(&digest, id, "test", app.now())
                .await
                .unwrap();
            assert_eq!(outcome, kizuki_store::AnswerOutcome::Held);
            let answers = std::collections::BTreeMap::from([(
                how,
                kizuki_domain::questionnaire::Answer::Text(format!("同時 {code}")),
            )]);
            batch.push(
                kizuki_store::HeldAnswer::new(
                    digest,
                    format!("{:032x}", rand::random::<u128>()),
                    &answers,
                )
                .unwrap(),
            );
        }
        batches.push(batch);
    }
    // Eight batches written at the same moment: each rewrites every row, and none may lose
    // another's.
    let writes: Vec<_> = batches
        .into_iter()
        .map(|batch| {
            let store = app.store.clone();
            tokio::spawn(async move { store.write_mixed(id, &batch).await })
        })
        .collect();
    for write in writes {
        write.await.unwrap().unwrap();
    }
    assert_eq!(app.store.response_count(id).await.unwrap(), 40);
    assert_eq!(app.store.held_count(id).await.unwrap(), 0);
}
