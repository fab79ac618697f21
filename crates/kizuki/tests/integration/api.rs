//! The JSON API: health, OpenAPI, bearer tokens, the one error shape.

use kizuki_domain::Role;
use kizuki_web::route_specs;
use serde_json::Value;

use crate::support::{TestApp, find_secret};

#[tokio::test]
async fn health_reports_the_database() {
    let app = TestApp::new().await;
    let response = app.visitor().get("/healthz").await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    let expected = if app.database.is_postgres() {
        "postgres"
    } else {
        "sqlite"
    };
    assert_eq!(body["database"], expected);
}

#[tokio::test]
async fn the_openapi_document_describes_every_api_route() {
    let app = TestApp::new().await;
    let document: Value = app
        .visitor()
        .get("/api/v1/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    assert!(document["openapi"].as_str().unwrap().starts_with("3."));
    assert!(document["components"]["securitySchemes"]["bearer"].is_object());
    assert!(document["components"]["schemas"]["ErrorBody"].is_object());
    for spec in route_specs() {
        if spec.path.starts_with("/api/") || spec.path == "/healthz" {
            let method = spec.method.as_str().to_lowercase();
            assert!(
                document["paths"][&spec.path][&method].is_object(),
                "{} {} is missing from the OpenAPI document",
                spec.method,
                spec.path
            );
        }
    }
}

#[tokio::test]
async fn tokens_are_shown_once_work_and_can_be_revoked() {
    let app = TestApp::builder()
        .user("researcher@example.jp", Role::Researcher)
        .build()
        .await;
    let researcher = app.signed_in("researcher@example.jp").await;
    let created = researcher
        .submit("/account", "/account/tokens", &[("label", "文献レビュー")])
        .await;
    assert_eq!(created.status(), 200);
    let page = created.text().await.unwrap();
    let token = find_secret(&page, "kzk_");
    assert_eq!(token.len(), 47);
    let later = researcher.get_text("/account").await;
    assert!(!later.contains(&token), "the token is never shown again");
    assert!(later.contains("文献レビュー"));

    let api = reqwest::Client::new();
    let me_url = format!("{}/api/v1/me", app.base_url());
    let me: Value = api
        .get(&me_url)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["email"], "researcher@example.jp");
    assert_eq!(me["role"], "researcher");

    // Stored hashed: the database holds no copy of the token.
    let tokens = app
        .store
        .api_tokens(me["id"].as_i64().unwrap())
        .await
        .unwrap();
    assert_eq!(tokens.len(), 1);

    let revoke = researcher
        .submit(
            "/account",
            "/account/tokens/revoke",
            &[("token_id", &tokens[0].id.to_string())],
        )
        .await;
    assert_eq!(revoke.status(), 303);
    let refused = api.get(&me_url).bearer_auth(&token).send().await.unwrap();
    assert_eq!(refused.status(), 401);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthenticated");
    assert!(body["error"]["message"].as_str().unwrap().len() > 5);
}

#[tokio::test]
async fn another_users_token_cannot_be_revoked() {
    let app = TestApp::builder()
        .user("a@example.jp", Role::Host)
        .user("b@example.jp", Role::Host)
        .build()
        .await;
    let a = app.signed_in("a@example.jp").await;
    a.submit("/account", "/account/tokens", &[("label", "mine")])
        .await;
    let a_id = app
        .store
        .user_by_email(&kizuki_domain::EmailAddress::parse("a@example.jp").unwrap())
        .await
        .unwrap()
        .id;
    let token_id = app.store.api_tokens(a_id).await.unwrap()[0].id;
    let b = app.signed_in("b@example.jp").await;
    let response = b
        .submit(
            "/account",
            "/account/tokens/revoke",
            &[("token_id", &token_id.to_string())],
        )
        .await;
    assert_eq!(response.status(), 404);
    assert!(
        app.store.api_tokens(a_id).await.unwrap()[0]
            .revoked_at
            .is_none()
    );
}

#[tokio::test]
async fn api_errors_share_one_shape() {
    let app = TestApp::new().await;
    let api = reqwest::Client::new();
    let cases = [
        ("/api/v1/nothing", None, 404, "not_found"),
        ("/api/v1/me", None, 401, "unauthenticated"),
        (
            "/api/v1/me",
            Some("kzk_not-a-real-token"),
            401,
            "unauthenticated",
        ),
        ("/api/v1/me", Some("Basic abc"), 401, "unauthenticated"),
    ];
    for (path, token, status, code) in cases {
        let mut request = api.get(format!("{}{path}", app.base_url()));
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), status, "{path}");
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], code, "{path}");
    }
    let wrong_method = api
        .delete(format!("{}/api/v1/me", app.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_method.status(), 405);
    let body: Value = wrong_method.json().await.unwrap();
    assert_eq!(body["error"]["code"], "method_not_allowed");
}
