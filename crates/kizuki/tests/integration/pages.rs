//! The web shell: languages, error pages, headers, forms that keep what was typed.

use kizuki_domain::Role;
use kizuki_i18n::Lang;

use crate::support::{TestApp, location, set_cookies, text};

#[tokio::test]
async fn home_pages_in_both_languages_link_to_each_other() {
    let app = TestApp::new().await;
    let visitor = app.visitor();
    let japanese = visitor.get_text("/").await;
    assert!(japanese.contains("<html lang=\"ja\">"));
    assert!(japanese.contains(&text(Lang::Ja, "home.heading")));
    assert!(japanese.contains("href=\"/en/\" hreflang=\"en\""));
    let english = visitor.get_text("/en/").await;
    assert!(english.contains("<html lang=\"en\">"));
    assert!(english.contains(&text(Lang::En, "home.heading")));
    assert!(english.contains("href=\"/\" hreflang=\"ja\""));
    assert_eq!(visitor.get("/en").await.status(), 200);
}

#[tokio::test]
async fn the_language_switch_keeps_the_page_and_its_query() {
    let app = TestApp::new().await;
    let visitor = app.visitor();
    let page = visitor.get_text("/login?next=%2Faccount").await;
    assert!(
        page.contains("href=\"/en/login?next=%2Faccount\""),
        "switch to English keeps the page"
    );
    let page = visitor.get_text("/en/login").await;
    assert!(page.contains("class=\"lang-switch\" href=\"/login\""));
}

#[tokio::test]
async fn the_first_visit_follows_accept_language_then_the_visitors_choice() {
    let app = TestApp::new().await;
    let visitor = app.visitor();
    let first = visitor
        .client
        .get(visitor.url("/"))
        .header("accept-language", "en-GB,en;q=0.9")
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 303);
    assert_eq!(location(&first), "/en/");
    let english = visitor.get("/en/").await;
    assert!(
        set_cookies(&english)
            .iter()
            .any(|c| c.starts_with("kizuki_lang=en"))
    );
    // The visitor now picks Japanese: the switch must not bounce them back to English.
    let japanese = visitor.get("/").await;
    assert_eq!(japanese.status(), 200);

    let japanese_browser = app.visitor();
    let response = japanese_browser
        .client
        .get(japanese_browser.url("/"))
        .header("accept-language", "ja,en;q=0.5")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn unknown_pages_get_a_404_page_in_the_right_language() {
    let app = TestApp::new().await;
    let visitor = app.visitor();
    let japanese = visitor.get("/no/such/page").await;
    assert_eq!(japanese.status(), 404);
    let body = japanese.text().await.unwrap();
    assert!(body.contains("<html lang=\"ja\">"));
    assert!(body.contains(&text(Lang::Ja, "error.not_found.title")));
    let english = visitor.get("/en/no/such/page").await;
    assert_eq!(english.status(), 404);
    let body = english.text().await.unwrap();
    assert!(body.contains("<html lang=\"en\">"));
    assert!(body.contains(&text(Lang::En, "error.not_found.title")));
    assert!(
        body.contains("href=\"/no/such/page\""),
        "the 404 page switches language too"
    );
}

#[tokio::test]
async fn a_form_without_its_token_gets_a_readable_403() {
    let app = TestApp::new().await;
    let visitor = app.visitor();
    visitor.get("/en/login").await;
    let response = visitor
        .post_form("/en/login", &[("email", "a@example.jp"), ("password", "x")])
        .await;
    assert_eq!(response.status(), 403);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let body = response.text().await.unwrap();
    assert!(body.contains(&text(Lang::En, "error.forgery.title")));
    // A browser that never visited (no CSRF cookie at all) is refused the same way.
    let fresh = app
        .visitor()
        .post_form("/login", &[("csrf_token", "anything")])
        .await;
    assert_eq!(fresh.status(), 403);
    assert!(
        fresh
            .text()
            .await
            .unwrap()
            .contains(&text(Lang::Ja, "error.forgery.title"))
    );
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::new().await;
    let visitor = app.visitor();
    for path in [
        "/",
        "/en/login",
        "/nowhere",
        "/healthz",
        "/api/v1/openapi.json",
        "/robots.txt",
    ] {
        let response = visitor.get(path).await;
        let headers = response.headers();
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{path}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "same-origin", "{path}");
    }
}

#[tokio::test]
async fn pages_use_only_their_own_assets() {
    let app = TestApp::new().await;
    let visitor = app.visitor();
    let page = visitor.get_text("/").await;
    for attribute in ["src=\"", "href=\""] {
        for (index, _) in page.match_indices(attribute) {
            let value = &page[index + attribute.len()..];
            assert!(
                value.starts_with('/') || value.starts_with('#'),
                "an outside reference: {}",
                &value[..40.min(value.len())]
            );
        }
    }
    assert!(!page.contains("<script>"), "no inline script");
    assert!(!page.contains("style=\""), "no inline style");
    let css = visitor.get("/assets/kizuki.css").await;
    assert_eq!(css.status(), 200);
    assert!(
        css.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    assert!(
        css.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
}

#[tokio::test]
async fn nothing_a_visitor_sends_causes_a_server_error() {
    let app = TestApp::builder()
        .user("admin@example.jp", Role::Admin)
        .build()
        .await;
    let admin = app.signed_in("admin@example.jp").await;
    let token = admin.csrf_token("/admin/users").await;
    let oddities: Vec<Vec<(&str, String)>> = vec![
        vec![],
        vec![("user_id", "-1".into()), ("role", "".into())],
        vec![("user_id", "99999999999999999999999".into())],
        vec![("user_id", "1 OR 1=1".into()), ("role", "admin'--".into())],
        vec![
            ("email", "\u{0}".into()),
            ("display_name", "x".repeat(5000)),
            ("role", "host".into()),
        ],
        vec![("label", "🙂".repeat(300)), ("token_id", "abc".into())],
        vec![("display_name", "".into()), ("new_password", "x".into())],
    ];
    let posts = [
        "/admin/users",
        "/admin/users/role",
        "/admin/users/disable",
        "/admin/users/enable",
        "/admin/users/reinvite",
        "/account/name",
        "/account/password",
        "/account/tokens",
        "/account/tokens/revoke",
        "/login",
        "/invitation/kzi_x",
    ];
    for path in posts {
        for fields in &oddities {
            let mut form: Vec<(&str, &str)> =
                fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            form.push(("csrf_token", &token));
            let response = admin.post_form(path, &form).await;
            let shown: Vec<_> = fields
                .iter()
                .map(|(k, v)| (k, v.chars().take(20).collect::<String>()))
                .collect();
            assert!(
                response.status().as_u16() < 500,
                "POST {path} {shown:?} → {}",
                response.status()
            );
        }
        // Not a form at all.
        let response = admin
            .client
            .post(admin.url(path))
            .header("content-type", "application/json")
            .header("x-csrf-token", &token)
            .body("{\"email\": 1}")
            .send()
            .await
            .unwrap();
        assert!(
            response.status().as_u16() < 500,
            "JSON to {path} → {}",
            response.status()
        );
    }
    let huge = admin
        .client
        .post(admin.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("a=".to_owned() + &"x".repeat(2 * 1024 * 1024))
        .send()
        .await
        .unwrap();
    assert_eq!(huge.status(), 413);
    let odd_paths = [
        "/%ff",
        "/en/%2e%2e/%2e%2e/etc/passwd",
        "/assets/..%2f..%2fCargo.toml",
        "/invitation/%00",
    ];
    for path in odd_paths {
        let response = admin.get(path).await;
        assert!(
            response.status().as_u16() < 500,
            "GET {path} → {}",
            response.status()
        );
    }
}

#[tokio::test]
async fn account_name_mistakes_keep_the_text() {
    let app = TestApp::builder()
        .user("host@example.jp", Role::Host)
        .build()
        .await;
    let host = app.signed_in("host@example.jp").await;
    let response = host
        .submit(
            "/account",
            "/account/name",
            &[("display_name", &"長".repeat(150))],
        )
        .await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert!(page.contains(&"長".repeat(150)));
    let saved = host
        .submit(
            "/account",
            "/account/name",
            &[("display_name", " 高橋　誠 ")],
        )
        .await;
    assert_eq!(saved.status(), 303);
    let page = host.get_text("/account").await;
    assert!(page.contains("value=\"高橋 誠\""));
    assert!(page.contains(&text(Lang::Ja, "flash.name_saved")));
    // The message is shown once.
    assert!(
        !host
            .get_text("/account")
            .await
            .contains(&text(Lang::Ja, "flash.name_saved"))
    );
}
