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
