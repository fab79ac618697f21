//! Signing in and out, sessions, throttling.

use kizuki_domain::Role;
use kizuki_i18n::Lang;
use kizuki_web::CookieSecure;

use crate::support::{PASSWORD, TestApp, location, set_cookies, text};

#[tokio::test]
async fn signing_in_lands_on_the_dashboard_with_a_safe_session_cookie() {
    let app = TestApp::builder()
        .user("host@example.jp", Role::Host)
        .build()
        .await;
    let visitor = app.visitor();
    let response = visitor.sign_in("Host@Example.jp ", PASSWORD).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/dashboard");
    let session = set_cookies(&response)
        .into_iter()
        .find(|cookie| cookie.starts_with("kizuki_session="))
        .expect("a session cookie");
    assert!(session.contains("HttpOnly"), "{session}");
    assert!(session.contains("SameSite=Lax"), "{session}");
    assert!(
        !session.contains("Secure"),
        "plain http must not get Secure: {session}"
    );
    let page = visitor.get_text("/dashboard").await;
    assert!(
        page.contains("テスト host"),
        "the dashboard greets the user"
    );
}

#[tokio::test]
async fn unknown_address_and_wrong_password_get_the_same_answer() {
    let app = TestApp::builder()
        .user("organizer@example.jp", Role::Organizer)
        .build()
        .await;
    let wrong_password = app
        .visitor()
        .sign_in("organizer@example.jp", "not the password")
        .await;
    let unknown = app
        .visitor()
        .sign_in("nobody@example.jp", "not the password")
        .await;
    assert_eq!(wrong_password.status(), unknown.status());
    assert_eq!(wrong_password.status(), 422);
    let message = text(Lang::Ja, "login.failed");
    let first = wrong_password.text().await.unwrap();
    let second = unknown.text().await.unwrap();
    assert!(first.contains(&message) && second.contains(&message));
    // The address typed is kept, the password is not.
    assert!(first.contains("value=\"organizer@example.jp\""));
    assert!(!first.contains("not the password"));
}

#[tokio::test]
async fn sign_in_follows_next_only_within_the_site() {
    let app = TestApp::builder()
        .user("admin@example.jp", Role::Admin)
        .build()
        .await;
    let visitor = app.visitor();
    let redirect = visitor.get("/en/admin/users").await;
    assert_eq!(redirect.status(), 303);
    assert_eq!(location(&redirect), "/en/login?next=%2Fen%2Fadmin%2Fusers");
    let token = visitor
        .csrf_token("/en/login?next=%2Fen%2Fadmin%2Fusers")
        .await;
    let response = visitor
        .post_form(
            "/en/login",
            &[
                ("email", "admin@example.jp"),
                ("password", PASSWORD),
                ("next", "/en/admin/users"),
                ("csrf_token", &token),
            ],
        )
        .await;
    assert_eq!(location(&response), "/en/admin/users");

    let other = app.visitor();
    let token = other.csrf_token("/login").await;
    let response = other
        .post_form(
            "/login",
            &[
                ("email", "admin@example.jp"),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
                ("csrf_token", &token),
            ],
        )
        .await;
    assert_eq!(location(&response), "/dashboard");
}

#[tokio::test]
async fn repeated_failures_slow_the_guesser_and_never_lock_the_owner_out() {
    let app = TestApp::builder()
        .user("researcher@example.jp", Role::Researcher)
        .trust_proxy()
        .build()
        .await;
    let guesser = app.visitor_from("203.0.113.9");
    let status = |response: reqwest::Response| response.status().as_u16();
    for _ in 0..5 {
        let response = guesser
            .sign_in("researcher@example.jp", "wrong password!")
            .await;
        assert_eq!(status(response), 422);
    }
    // The guesser now waits, even with the right password, and is told for how long.
    let paused = guesser.sign_in("researcher@example.jp", PASSWORD).await;
    assert_eq!(paused.status(), 429);
    assert!(paused.text().await.unwrap().contains('1'), "a minute");
    // The owner, from their own network, signs in at once.
    let owner = app.visitor_from("198.51.100.7");
    let signed_in = owner.sign_in("researcher@example.jp", PASSWORD).await;
    assert_eq!(location(&signed_in), "/dashboard");
    // Their sign-in forgives nothing of the guesser's: the wait grows with each failure.
    app.advance_clock(31);
    let response = guesser
        .sign_in("researcher@example.jp", "wrong again!!")
        .await;
    assert_eq!(status(response), 422);
    assert_eq!(
        status(guesser.sign_in("researcher@example.jp", PASSWORD).await),
        429
    );
    app.advance_clock(31);
    assert_eq!(
        status(guesser.sign_in("researcher@example.jp", PASSWORD).await),
        429,
        "the second wait is a minute"
    );
    // An address with no account is treated the same way: nothing tells them apart.
    for _ in 0..5 {
        guesser.sign_in("ghost@example.jp", "wrong password!").await;
    }
    assert_eq!(
        status(guesser.sign_in("ghost@example.jp", "wrong password!").await),
        429
    );
    // One client failing across many accounts is stopped for the window.
    let sprayer = app.visitor_from("192.0.2.50");
    for n in 0..20 {
        sprayer
            .sign_in(&format!("someone{n}@example.jp"), "Password1!")
            .await;
    }
    assert_eq!(
        status(sprayer.sign_in("researcher@example.jp", PASSWORD).await),
        429
    );
    app.advance_clock(15 * 60 + 1);
    assert_eq!(
        location(&guesser.sign_in("researcher@example.jp", PASSWORD).await),
        "/dashboard",
        "the window has passed"
    );
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server() {
    let app = TestApp::builder()
        .user("host@example.jp", Role::Host)
        .build()
        .await;
    let visitor = app.visitor();
    let response = visitor.sign_in("host@example.jp", PASSWORD).await;
    let session = set_cookies(&response)
        .into_iter()
        .find(|cookie| cookie.starts_with("kizuki_session="))
        .and_then(|cookie| cookie.split(';').next().map(str::to_owned))
        .expect("a session cookie");
    let copy = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let dashboard = format!("{}/dashboard", app.base_url());
    let with_copy = copy
        .get(&dashboard)
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(
        with_copy.status(),
        200,
        "the cookie works before signing out"
    );

    let response = visitor.submit("/dashboard", "/logout", &[]).await;
    assert_eq!(response.status(), 303);
    assert!(
        set_cookies(&response)
            .iter()
            .any(|c| c.starts_with("kizuki_session=;") && c.contains("Max-Age=0"))
    );
    assert_eq!(visitor.get("/dashboard").await.status(), 303, "signed out");
    // A copy of the cookie kept elsewhere is worthless too: the session is gone from the database.
    let with_copy = copy
        .get(&dashboard)
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(with_copy.status(), 303);
}

#[tokio::test]
async fn idle_sessions_expire() {
    let app = TestApp::builder()
        .user("host@example.jp", Role::Host)
        .build()
        .await;
    let visitor = app.signed_in("host@example.jp").await;
    app.advance_clock(7 * 60 * 60);
    assert_eq!(
        visitor.get("/dashboard").await.status(),
        200,
        "still within eight idle hours"
    );
    app.advance_clock(7 * 60 * 60);
    assert_eq!(
        visitor.get("/dashboard").await.status(),
        200,
        "the last request touched it"
    );
    app.advance_clock(8 * 60 * 60 + 1);
    assert_eq!(
        visitor.get("/dashboard").await.status(),
        303,
        "idle for over eight hours"
    );
}

#[tokio::test]
async fn cookies_are_secure_behind_an_https_proxy() {
    let app = TestApp::builder()
        .trust_proxy()
        .user("host@example.jp", Role::Host)
        .build()
        .await;
    let visitor = app.visitor();
    let page = visitor
        .client
        .get(visitor.url("/login"))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert_eq!(
        page.headers()["strict-transport-security"],
        "max-age=31536000",
        "HTTPS is pinned over HTTPS"
    );
    let cookies = set_cookies(&page);
    assert!(
        cookies.iter().all(|cookie| cookie.contains("Secure")),
        "{cookies:?}"
    );

    let plain = app.visitor().get("/login").await;
    assert!(
        !plain.headers().contains_key("strict-transport-security"),
        "never over plain HTTP"
    );
    assert!(
        set_cookies(&plain)
            .iter()
            .all(|cookie| !cookie.contains("Secure"))
    );

    let always = TestApp::builder()
        .cookie_secure(CookieSecure::Always)
        .build()
        .await;
    let response = always.visitor().get("/login").await;
    assert!(
        set_cookies(&response)
            .iter()
            .all(|cookie| cookie.contains("Secure"))
    );
}

#[tokio::test]
async fn changing_the_password_signs_out_other_devices() {
    let app = TestApp::builder()
        .user("organizer@example.jp", Role::Organizer)
        .build()
        .await;
    let laptop = app.signed_in("organizer@example.jp").await;
    let phone = app.signed_in("organizer@example.jp").await;

    let mistake = laptop
        .submit(
            "/account",
            "/account/password",
            &[
                ("current_password", "wrong"),
                ("new_password", "short"),
                ("confirm_password", "other"),
            ],
        )
        .await;
    assert_eq!(mistake.status(), 422);
    let page = mistake.text().await.unwrap();
    assert!(page.contains(&text(Lang::Ja, "password.current_wrong")));
    assert!(page.contains(&text(Lang::Ja, "password.mismatch")));

    let response = laptop
        .submit(
            "/account",
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "a brand new passphrase"),
                ("confirm_password", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert!(
        laptop
            .get_text("/account")
            .await
            .contains(&text(Lang::Ja, "flash.password_changed"))
    );
    assert_eq!(
        phone.get("/account").await.status(),
        303,
        "the other device is signed out"
    );
    assert_eq!(
        app.visitor()
            .sign_in("organizer@example.jp", PASSWORD)
            .await
            .status(),
        422
    );
    assert_eq!(
        app.visitor()
            .sign_in("organizer@example.jp", "a brand new passphrase")
            .await
            .status(),
        303
    );
}

#[tokio::test]
async fn signing_in_again_and_again_ends_the_oldest_sessions() {
    let app = TestApp::builder()
        .user("host@example.jp", Role::Host)
        .no_rate_limit()
        .build()
        .await;
    let limit = kizuki_store::MAX_SESSIONS_PER_USER as usize;
    let mut visitors = Vec::new();
    for _ in 0..=limit {
        let visitor = app.visitor();
        visitor.sign_in("host@example.jp", PASSWORD).await;
        app.advance_clock(1);
        visitors.push(visitor);
    }
    let sessions = app.sql_number("SELECT COUNT(*) FROM sessions").await;
    assert_eq!(sessions, Some(limit as i64));
    assert_eq!(
        visitors[0].get("/dashboard").await.status(),
        303,
        "the oldest ended"
    );
    assert_eq!(
        visitors[limit].get("/dashboard").await.status(),
        200,
        "the newest lives"
    );
    assert_eq!(visitors[1].get("/dashboard").await.status(), 200);
}

#[tokio::test]
async fn a_form_token_belongs_to_its_session() {
    let app = TestApp::builder()
        .user("host@example.jp", Role::Host)
        .build()
        .await;
    let visitor = app.visitor();
    let before = visitor.csrf_token("/login").await;
    visitor.sign_in("host@example.jp", PASSWORD).await;
    // A token from before signing in (or one planted with a seed cookie) is refused now.
    let stale = visitor
        .post_form("/logout", &[("csrf_token", before.as_str())])
        .await;
    assert_eq!(stale.status(), 403);
    let current = visitor.csrf_token("/account").await;
    assert_ne!(current, before);
    let signed_out = visitor
        .post_form("/logout", &[("csrf_token", current.as_str())])
        .await;
    assert_eq!(signed_out.status(), 303);
}
