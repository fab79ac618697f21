//! The dashboard shows each person their own work: an organiser the trainings to come with
//! their registration at a glance and what needs doing, a host their groups' unread messages.

use kizuki_domain::Role;
use serde_json::json;

use crate::registration::open_training;
use crate::support::TestApp;

const ORGANISER: &str = "organizer@example.jp";

#[tokio::test]
async fn an_organiser_sees_seats_waitlists_and_what_needs_doing() {
    let app = TestApp::builder()
        .user(ORGANISER, Role::Organizer)
        .user("host@example.jp", Role::Host)
        .no_rate_limit()
        .build()
        .await;
    let training = open_training(&app, 2).await;
    let client = reqwest::Client::new();
    let mut ids = Vec::new();
    for n in 0..4 {
        let email = format!("person{n}@example.jp");
        let response = client
            .post(format!(
                "{}/api/v1/trainings/{training}/applications",
                app.base_url()
            ))
            .json(&json!({
                "name": format!("申込 {n}"),
                "email": email,
                "backgrounds": ["family"],
                "consent": true
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        ids.push(app.application_id(training, &email).await);
    }
    // Two seats taken, then one waiting, one waiting for approval; one offer about to lapse
    // would need a free seat, so the approval and the failed mail are what need doing here.
    for id in &ids[..2] {
        app.store
            .confirm_application(training, *id, app.now(), kizuki_web::today(app.now()))
            .await
            .unwrap();
    }
    app.sql_execute(&format!(
        "UPDATE applications SET status = 'waitlisted', waitlist_position = 1, hold_expires_at = NULL WHERE id = {}",
        ids[2]
    ))
    .await;
    app.sql_execute(&format!(
        "UPDATE applications SET status = 'pending_approval', hold_expires_at = NULL WHERE id = {}",
        ids[3]
    ))
    .await;
    app.sql_execute(&format!(
        "UPDATE outbox SET attempts = {} WHERE id = (SELECT MIN(id) FROM outbox)",
        kizuki_store::MAX_MAIL_ATTEMPTS
    ))
    .await;

    let organiser = app.signed_in(ORGANISER).await;
    let page = organiser.get_text("/dashboard").await;
    let table = &page[page
        .find("id=\"organised-trainings\"")
        .expect("the trainings table")..];
    assert!(table.contains(&format!("/manage/trainings/{training}/applications")));
    let row = &table[..table.find("</ul>").unwrap_or(table.len())];
    assert!(row.contains("2 / 2"), "seats taken of the capacity: {row}");
    assert!(row.contains("満席"), "{row}");
    let actions = &page[page.find("id=\"action-items\"").expect("what needs doing")..];
    assert!(
        actions.contains("承認を待つ申し込みが 1 件あります"),
        "{actions}"
    );
    assert!(actions.contains(&format!(
        "/manage/trainings/{training}/applications?status=pending_approval"
    )));
    assert!(
        actions.contains("送れなかったメールが 1 通あります"),
        "{actions}"
    );
    assert!(actions.contains("href=\"/manage/outbox\""));

    // In English, counted in English.
    let english = organiser.get_text("/en/dashboard").await;
    assert!(
        english.contains("1 application to approve for"),
        "{english}"
    );
    assert!(english.contains("2 of 2"));

    // The link leads to the roster filtered to those applications.
    let filtered = organiser
        .get_text(&format!(
            "/manage/trainings/{training}/applications?status=pending_approval"
        ))
        .await;
    assert!(filtered.contains("申込 3"));
    assert!(!filtered.contains("申込 0"));

    // A host without trainings sees none of this.
    let host = app
        .signed_in("host@example.jp")
        .await
        .get_text("/dashboard")
        .await;
    assert!(!host.contains("organised-trainings"));
    assert!(!host.contains("action-items"));
}

#[tokio::test]
async fn a_host_sees_their_groups_with_unread_messages_first() {
    let app = TestApp::builder().demo().no_rate_limit().build().await;
    let host = app.visitor();
    assert_eq!(
        host.sign_in("host@example.jp", "kizuki-demo")
            .await
            .status(),
        303
    );
    let page = host.get_text("/dashboard").await;
    let hosted = &page[page
        .find("id=\"hosted-groups\"")
        .expect("the hosted groups")..];
    assert!(hosted.contains("IPS勉強会さっぽろ"), "{hosted}");
    assert!(hosted.contains("未読 1 件"), "{hosted}");
    assert!(hosted.contains("/messages\""));
    let english = host.get_text("/en/dashboard").await;
    assert!(english.contains("1 unread"));
}
