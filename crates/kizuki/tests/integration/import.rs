//! CSV import through the workspace page and the command line: all or nothing.

use kizuki_domain::Role;
use kizuki_i18n::Lang;
use reqwest::multipart::{Form, Part};

use crate::support::{TestApp, text};

const GOOD: &[u8] = include_bytes!("../../../../tests/fixtures/events.csv");
const BAD: &[u8] = include_bytes!("../../../../tests/fixtures/events-with-mistakes.csv");

async fn upload(
    visitor: &crate::support::Visitor,
    bytes: &[u8],
    with_token: bool,
) -> reqwest::Response {
    let mut form = Form::new().part(
        "file",
        Part::bytes(bytes.to_vec())
            .file_name("events.csv")
            .mime_str("text/csv")
            .unwrap(),
    );
    if with_token {
        form = form.text("csrf_token", visitor.csrf_token("/manage/import").await);
    }
    visitor
        .client
        .post(visitor.url("/manage/import"))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_good_file_is_imported_whole_and_a_bad_one_not_at_all() {
    let app = TestApp::builder()
        .user("org@example.jp", Role::Organizer)
        .build()
        .await;
    let organiser = app.signed_in("org@example.jp").await;

    let refused = upload(&organiser, BAD, true).await;
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.unwrap();
    assert!(page.contains(&text(Lang::Ja, "manage.import.nothing_imported")));
    for line in ["2 行目", "3 行目", "4 行目"] {
        assert!(page.contains(line), "{line} is named");
    }
    assert!(
        app.store.venues().await.unwrap().is_empty(),
        "nothing at all was stored"
    );

    let forged = upload(&organiser, GOOD, false).await;
    assert_eq!(forged.status(), 403, "an upload needs its CSRF token too");

    let imported = upload(&organiser, GOOD, true).await;
    assert_eq!(imported.status(), 200);
    assert!(
        imported
            .text()
            .await
            .unwrap()
            .contains("研修会 2 件、勉強会 1 件、新しい会場 2 か所")
    );
    let venues = app.store.venues().await.unwrap();
    assert_eq!(venues.len(), 2, "the group reuses the training's venue");
    let matsue = venues.iter().find(|v| v.municipality == "松江市").unwrap();
    assert!(matsue.position.is_some());
    assert!(
        app.visitor()
            .get_text("/trainings?month=2027-06")
            .await
            .contains("松江市")
    );
    assert!(
        app.visitor()
            .get_text("/study-groups")
            .await
            .contains("まつえIPS勉強会")
    );
}

#[tokio::test]
async fn the_command_line_import_reports_line_numbers() {
    let app = TestApp::new().await;
    let folder = std::env::temp_dir().join(format!("kizuki-import-{:x}", rand::random::<u64>()));
    std::fs::create_dir_all(&folder).unwrap();
    let shift_jis = as_shift_jis(GOOD);
    let good = folder.join("good.csv");
    std::fs::write(&good, shift_jis).unwrap();
    let bad = folder.join("bad.csv");
    std::fs::write(&bad, BAD).unwrap();
    let run = |file: &std::path::Path| {
        app.command()
            .args(["import", "events", file.to_str().unwrap()])
            .output()
            .unwrap()
    };
    let failed = run(&bad);
    assert!(!failed.status.success());
    let errors = String::from_utf8_lossy(&failed.stderr);
    assert!(
        errors.contains("line 2: kind")
            && errors.contains("line 3: prefecture")
            && errors.contains("line 4: schedule"),
        "{errors}"
    );
    assert!(app.store.venues().await.unwrap().is_empty());
    let done = run(&good);
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert!(String::from_utf8_lossy(&done.stdout).contains("Imported 2 trainings, 1 study groups"));
    let _ = std::fs::remove_dir_all(&folder);
}

/// The fixture as Excel in Japan would save it (iconv is part of every Debian system).
fn as_shift_jis(utf8: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut child = std::process::Command::new("iconv")
        .args(["-f", "UTF-8", "-t", "CP932"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("iconv");
    child.stdin.take().unwrap().write_all(utf8).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    assert!(
        std::str::from_utf8(&output.stdout).is_err(),
        "really Shift_JIS, not UTF-8"
    );
    output.stdout
}

/// A file of `count` past trainings at 50 venues, in the fixture's columns.
fn many_trainings(count: usize) -> Vec<u8> {
    let header = std::str::from_utf8(GOOD).unwrap().lines().next().unwrap();
    let mut csv = format!("{header}\n");
    for n in 0..count {
        csv += &format!(
            "研修会,IPS基礎研修 第{n}回,,基礎研修,開催済み,2013-09-{:02},10:00,16:30,,,会場{},,島根県,松江市,,24,\"6,000\",20,\n",
            n % 28 + 1,
            n % 50
        );
    }
    csv.into_bytes()
}

/// Every training stored and visible to an organiser.
async fn visible_trainings(app: &TestApp) -> i64 {
    let filter = kizuki_store::TrainingFilter {
        include_drafts: true,
        limit: 1,
        ..Default::default()
    };
    app.store.trainings(&filter).await.unwrap().1
}

type Progress = tokio::sync::mpsc::UnboundedReceiver<(usize, usize)>;

/// Starts importing `bytes` in the background; the receiver hears its progress.
fn start_import(
    app: &TestApp,
    bytes: Vec<u8>,
) -> (
    tokio::task::JoinHandle<Result<kizuki_store::ImportSummary, String>>,
    Progress,
) {
    let (sender, progress) = tokio::sync::mpsc::unbounded_channel();
    let store = app.store.clone();
    let now = app.now();
    let import = tokio::spawn(async move {
        kizuki_web::import_events_csv(&store, &bytes, None, now, move |done, total| {
            sender.send((done, total)).ok();
        })
        .await
        .map_err(|failure| format!("{failure:?}"))
    });
    (import, progress)
}

#[tokio::test]
async fn a_large_import_lets_applicants_in_and_shows_nothing_until_it_is_whole() {
    let app = TestApp::new().await;
    let training = crate::registration::open_training(&app, 30).await;
    let rows = 10 * kizuki_store::IMPORT_CHUNK_ROWS;
    let (import, mut progress) = start_import(&app, many_trainings(rows));

    let (first, total) = progress.recv().await.unwrap();
    assert_eq!((first, total), (kizuki_store::IMPORT_CHUNK_ROWS, rows));
    assert_eq!(visible_trainings(&app).await, 1, "no half import is shown");
    assert!(app.store.venues().await.unwrap().is_empty());
    let places = app.store.public_places().await.unwrap();
    assert_eq!(places.len(), 1, "nor on the map");
    assert!(app.store.unfinished_import_rows().await.unwrap() >= first as i64);

    // An applicant who comes now is answered between two chunks, not after the whole file.
    let (status, body) = crate::api_catalogue::Api::new(&app, None)
        .send(
            reqwest::Method::POST,
            &format!("/api/v1/trainings/{training}/applications"),
            Some(serde_json::json!({"name": "途中の人", "email": "midway@example.jp", "backgrounds": ["family"], "consent": true})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let mut written = first;
    while let Ok((done, _)) = progress.try_recv() {
        written = done;
    }
    assert!(
        written < rows,
        "the application waited until the import had written {written} of {rows} rows"
    );

    let summary = import.await.unwrap().unwrap();
    assert_eq!((summary.trainings, summary.venues_added), (rows, 50));
    assert_eq!(visible_trainings(&app).await, rows as i64 + 1);
    assert_eq!(app.store.venues().await.unwrap().len(), 50);
    assert_eq!(app.store.unfinished_import_rows().await.unwrap(), 0);
}

#[tokio::test]
async fn an_import_that_fails_halfway_leaves_nothing_behind() {
    let app = TestApp::new().await;
    // A rule of this database only (not of Kizuki) that the file's last row breaks, so that
    // the failure comes after several chunks are in.
    app.sql_execute("CREATE UNIQUE INDEX one_title_only ON trainings (title)")
        .await;
    let rows = 3 * kizuki_store::IMPORT_CHUNK_ROWS;
    let mut csv = many_trainings(rows - 1);
    csv.extend_from_slice(
        "研修会,IPS基礎研修 第0回,,基礎研修,開催済み,2013-10-01,10:00,16:30,,,会場0,,島根県,松江市,,24,0,20,\n"
            .as_bytes(),
    );
    let (import, mut progress) = start_import(&app, csv);
    let mut chunks = 0;
    while progress.recv().await.is_some() {
        chunks += 1;
    }
    assert!(chunks >= 2, "the failure came after {chunks} chunks");
    assert!(import.await.unwrap().is_err());
    assert_eq!(visible_trainings(&app).await, 0);
    assert!(app.store.venues().await.unwrap().is_empty());
    assert_eq!(app.store.unfinished_import_rows().await.unwrap(), 0);
    assert_eq!(
        app.sql_number("SELECT COUNT(*) FROM training_days").await,
        Some(0),
        "the days went with their trainings"
    );
}

#[tokio::test]
async fn an_import_whose_process_stopped_is_removed_by_housekeeping() {
    let app = TestApp::new().await;
    let (import, mut progress) =
        start_import(&app, many_trainings(5 * kizuki_store::IMPORT_CHUNK_ROWS));
    progress.recv().await.unwrap();
    import.abort();
    assert!(import.await.unwrap_err().is_cancelled());
    let left = app.store.unfinished_import_rows().await.unwrap();
    assert!(left > 0);
    assert_eq!(visible_trainings(&app).await, 0);

    // Soon after, it may be another server's import still at work: left alone.
    app.housekeeping().await;
    assert_eq!(app.store.unfinished_import_rows().await.unwrap(), left);
    app.advance_clock(kizuki_store::ABANDONED_IMPORT_SECONDS + 60);
    app.housekeeping().await;
    assert_eq!(app.store.unfinished_import_rows().await.unwrap(), 0);
    assert!(app.store.venues().await.unwrap().is_empty());
    assert_eq!(
        app.sql_number("SELECT COUNT(*) FROM catalogue_imports")
            .await,
        Some(0)
    );
}
