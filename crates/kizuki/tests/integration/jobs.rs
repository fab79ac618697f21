//! The work `kizuki serve` does on its own clock — the daily purge and the hourly
//! housekeeping — run through the same code on the clock the test sets.

use kizuki_domain::Role;
use serde_json::{Value, json};

use crate::registration::open_training;
use crate::support::TestApp;

const DAY: i64 = 24 * 60 * 60;

async fn apply(app: &TestApp, training: i64, index: usize) -> Value {
    let response = app
        .visitor()
        .client
        .post(format!(
            "{}/api/v1/trainings/{training}/applications",
            app.base_url()
        ))
        .json(&json!({
            "name": format!("保存期間 {index}"),
            "email": format!("keep{index}@example.jp"),
            "backgrounds": ["peer_supporter"],
            "consent": true
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

/// The statistics page's row for peer supporters, as a signed-in person sees it (never from the
/// anonymous page cache, which could show the page from before a change).
async fn peer_supporters_row(app: &TestApp) -> String {
    let page = app
        .signed_in("admin@example.jp")
        .await
        .get_text("/statistics")
        .await;
    let label = "<th scope=\"row\">ピアサポーター";
    let start = page
        .find(label)
        .unwrap_or_else(|| panic!("no peer supporters row"));
    let end = page[start..].find("</tr>").unwrap() + start;
    page[start..end].to_owned()
}

#[tokio::test]
async fn the_daily_purge_comes_when_retention_ends_and_the_statistics_do_not_move() {
    let app = TestApp::builder()
        .user("admin@example.jp", Role::Admin)
        .no_rate_limit()
        .build()
        .await;
    // The training is on 2027-06-05; its data is kept for 12 months after it.
    let training = open_training(&app, 7).await;
    let mut held = Vec::new();
    for index in 0..8 {
        let answer = apply(&app, training, index).await;
        let id = app
            .application_id(training, &format!("keep{index}@example.jp"))
            .await;
        held.push((id, answer["status"].clone()));
    }
    assert_eq!(held[7].1, "waitlisted");
    let today = kizuki_web::today(app.now());
    for (id, _) in &held[..6] {
        app.store
            .confirm_application(training, *id, app.now(), today)
            .await
            .unwrap();
    }
    // The seventh still holds its seat unconfirmed when the purge comes (no clock ran).
    assert_eq!(
        app.store
            .application(held[6].0)
            .await
            .unwrap()
            .status
            .as_str(),
        "held"
    );
    let before = peer_supporters_row(&app).await;
    assert!(before.contains("<td>6</td>"), "{before}");

    assert!(app.purge_due().await.is_empty(), "nothing is due yet");
    // 2027-01-15 + 506 days is 2028-06-04; the last day to keep is 2028-06-05.
    app.advance_clock(507 * DAY);
    assert_eq!(kizuki_web::today(app.now()).to_string(), "2028-06-05");
    assert!(
        app.purge_due().await.is_empty(),
        "kept through the last day"
    );
    app.advance_clock(DAY);
    assert_eq!(app.purge_due().await, vec![(training, 8)]);
    for (id, _) in &held {
        assert!(app.store.application(*id).await.is_err(), "{id} was purged");
    }
    assert!(
        app.store
            .outbox(Some(training), 100)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(peer_supporters_row(&app).await, before);
    assert!(app.purge_due().await.is_empty(), "a purge runs once");
}

#[tokio::test]
async fn housekeeping_clears_what_has_run_out_at_the_test_clock() {
    let app = TestApp::builder()
        .user("admin@example.jp", Role::Admin)
        .user("host@example.jp", Role::Host)
        .build()
        .await;
    let admin = app.signed_in("admin@example.jp").await;
    for _ in 0..3 {
        app.visitor()
            .sign_in("host@example.jp", "not the password")
            .await;
    }
    let count = |table: &'static str| {
        let app = &app;
        async move {
            app.sql_number(&format!("SELECT COUNT(*) FROM {table}"))
                .await
                .unwrap()
        }
    };
    app.housekeeping().await;
    assert_eq!(count("sessions").await, 1, "a fresh session stays");
    assert_eq!(count("login_failures").await, 3, "recent failures stay");
    assert_eq!(admin.get("/dashboard").await.status(), 200);
    app.advance_clock(400 * DAY);
    app.housekeeping().await;
    assert_eq!(count("sessions").await, 0, "expired sessions go");
    assert_eq!(count("login_failures").await, 0, "old failures go");
}
