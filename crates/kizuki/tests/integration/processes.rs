//! Two `kizuki serve` processes on one database behave as one: sessions, CSRF keys and
//! throttles live in the database, not in either process. These start the real binary twice
//! (each with its own memory, keys read from the database), not two routers in one process.

use kizuki_domain::Role;

use crate::support::{PASSWORD, TestApp};

#[tokio::test]
async fn a_session_and_a_form_from_one_server_work_on_the_other() {
    let app = TestApp::builder()
        .user("organizer@example.jp", Role::Organizer)
        .build()
        .await;
    let servers = [app.serve_process(&[]).await, app.serve_process(&[]).await];
    let browser = app.visitor_at(&servers[0].base);
    assert_eq!(
        browser
            .sign_in("organizer@example.jp", PASSWORD)
            .await
            .status(),
        303
    );
    let second = &servers[1].base;
    // The same browser (same cookies) now reaches the other server.
    let dashboard = browser
        .client
        .get(format!("{second}/dashboard"))
        .send()
        .await
        .unwrap();
    assert_eq!(dashboard.status(), 200);
    // A form rendered by the first server is accepted by the second.
    let token = browser.csrf_token("/account").await;
    let response = browser
        .client
        .post(format!("{second}/account/name"))
        .form(&[("display_name", "佐藤 健一"), ("csrf_token", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    // Signing out on the second ends the session on the first.
    let token = browser.csrf_token("/account").await;
    browser
        .client
        .post(format!("{second}/logout"))
        .form(&[("csrf_token", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(browser.get("/dashboard").await.status(), 303);
}

#[tokio::test]
async fn failures_on_one_server_count_on_the_other() {
    let app = TestApp::builder()
        .user("host@example.jp", Role::Host)
        .build()
        .await;
    // The second server's clock runs five seconds behind the first's, as two machines' clocks
    // may: the first's failures look a little in the future to it, and must count the same.
    let ahead = app.serve_process(&[]).await;
    app.advance_clock(-5);
    let behind = app.serve_process(&[]).await;
    let servers = [ahead, behind];
    let first = app.visitor_at(&servers[0].base);
    let second = app.visitor_at(&servers[1].base);
    // Each mistake must be refused as a mistake (and so counted), or the lockout below would
    // prove nothing; the assertion says which one was not.
    for (attempt, visitor) in [&first, &first, &first, &second, &second]
        .into_iter()
        .enumerate()
    {
        assert_eq!(
            visitor
                .sign_in("host@example.jp", "wrong password!")
                .await
                .status(),
            422,
            "wrong password number {}",
            attempt + 1
        );
    }
    assert_eq!(
        first.sign_in("host@example.jp", PASSWORD).await.status(),
        429
    );
    assert_eq!(
        second.sign_in("host@example.jp", PASSWORD).await.status(),
        429
    );
}
