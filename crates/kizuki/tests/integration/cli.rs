//! The `kizuki` command itself, run as a user would run it.

use std::io::Write;
use std::process::{Output, Stdio};

use kizuki_domain::{Role, Timestamp};
use kizuki_store::Store;
use serde_json::Value;

use crate::support::{TEST_CLOCK_START, TestApp, TestDatabase, kizuki_command};

fn kizuki(database: &TestDatabase, args: &[&str], stdin: &str) -> Output {
    let mut child = kizuki_command(database, Timestamp(TEST_CLOCK_START))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run kizuki");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("wait for kizuki")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[tokio::test]
async fn user_add_reads_the_password_from_stdin_and_the_account_signs_in() {
    let app = TestApp::new().await;
    let output = kizuki(
        &app.database,
        &[
            "user",
            "add",
            "--email",
            "Yoko@Example.jp",
            "--name",
            "山田 陽子",
            "--role",
            "organiser",
        ],
        "a fine long password\n",
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("yoko@example.jp"));
    assert_eq!(
        app.visitor()
            .sign_in("yoko@example.jp", "a fine long password")
            .await
            .status(),
        303
    );

    let again = kizuki(
        &app.database,
        &[
            "user",
            "add",
            "--email",
            "yoko@example.jp",
            "--name",
            "二人目",
            "--role",
            "host",
        ],
        "another long password\n",
    );
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("already exists"),
        "{}",
        stderr(&again)
    );

    let short = kizuki(
        &app.database,
        &[
            "user",
            "add",
            "--email",
            "k@example.jp",
            "--name",
            "K",
            "--role",
            "host",
        ],
        "short\n",
    );
    assert!(!short.status.success());
    assert!(
        stderr(&short).contains("at least 10 characters"),
        "{}",
        stderr(&short)
    );

    let bad_role = kizuki(
        &app.database,
        &[
            "user",
            "add",
            "--email",
            "k@example.jp",
            "--name",
            "K",
            "--role",
            "owner",
        ],
        "long enough password\n",
    );
    assert!(!bad_role.status.success());
    assert!(
        stderr(&bad_role).contains("unknown role"),
        "{}",
        stderr(&bad_role)
    );

    let listed = kizuki(&app.database, &["user", "list"], "");
    assert!(stdout(&listed).contains("yoko@example.jp\t山田 陽子\torganizer\tactive"));
}

#[tokio::test]
async fn token_create_prints_a_token_the_api_accepts() {
    let app = TestApp::builder()
        .user("researcher@example.jp", Role::Researcher)
        .build()
        .await;
    let output = kizuki(
        &app.database,
        &[
            "token",
            "create",
            "--email",
            "researcher@example.jp",
            "--label",
            "nightly export",
        ],
        "",
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let token = stdout(&output).trim().to_owned();
    assert!(token.starts_with("kzk_"));
    let me: Value = reqwest::Client::new()
        .get(format!("{}/api/v1/me", app.base_url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["role"], "researcher");

    let unknown = kizuki(
        &app.database,
        &["token", "create", "--email", "nobody@example.jp"],
        "",
    );
    assert!(!unknown.status.success());
    assert!(stderr(&unknown).contains("no account"));
}

#[tokio::test]
async fn demo_fills_an_empty_database_once() {
    let database = TestDatabase::create().await;
    let first = kizuki(&database, &["demo"], "");
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(stderr(&first).contains("admin@example.jp"));
    let second = kizuki(&database, &["demo"], "");
    assert!(second.status.success());
    assert!(stderr(&second).contains("already has accounts"));
    let store = Store::open(&database.url).await.unwrap();
    assert_eq!(store.count_users().await.unwrap(), 5);
    assert_eq!(store.count_active_admins().await.unwrap(), 1);
}

#[tokio::test]
async fn migrate_is_repeatable() {
    let database = TestDatabase::create().await;
    for _ in 0..2 {
        let output = kizuki(&database, &["migrate"], "");
        assert!(output.status.success(), "{}", stderr(&output));
        assert!(stdout(&output).contains("up to date"));
    }
}

#[tokio::test]
async fn backup_writes_a_copy_that_can_be_restored() {
    let app = TestApp::builder()
        .user("admin@example.jp", Role::Admin)
        .build()
        .await;
    let folder = std::env::temp_dir().join(format!("kizuki-backup-{:x}", rand::random::<u64>()));
    std::fs::create_dir_all(&folder).unwrap();
    let file = folder.join("backup.db");
    let output = kizuki(
        &app.database,
        &["backup", "--out", file.to_str().unwrap()],
        "",
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let bytes = std::fs::read(&file).unwrap();
    if app.database.is_postgres() {
        assert!(
            bytes.starts_with(b"PGDMP"),
            "a pg_dump custom-format archive"
        );
    } else {
        assert!(bytes.starts_with(b"SQLite format 3"));
        let restored = Store::open(&format!("sqlite://{}", file.display()))
            .await
            .unwrap();
        assert_eq!(restored.count_users().await.unwrap(), 1);
        restored.close().await;
    }
    let again = kizuki(
        &app.database,
        &["backup", "--out", file.to_str().unwrap()],
        "",
    );
    assert!(
        !again.status.success(),
        "an existing file is never overwritten"
    );
    assert!(stderr(&again).contains("already exists"));
    let _ = std::fs::remove_dir_all(&folder);
}

#[tokio::test]
async fn serve_with_the_page_cache_off_builds_every_page_anew() {
    let app = TestApp::new().await;
    let server = app.serve_process(&["--page-cache", "off"]).await;
    let visitor = app.visitor_at(&server.base);
    let before = visitor.get_text("/trainings").await;
    assert!(!before.contains("定員のテスト"));
    // Written past the server (straight to the database), so nothing in it empties a cache:
    // only a page built anew can show it at once.
    crate::registration::open_training(&app, 10).await;
    let after = visitor.get_text("/trainings").await;
    assert!(after.contains("定員のテスト"), "the page came from a cache");

    let refused = kizuki(&app.database, &["serve", "--page-cache", "maybe"], "");
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("expected on or off"),
        "{}",
        stderr(&refused)
    );
}
