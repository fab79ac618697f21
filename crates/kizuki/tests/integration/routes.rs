//! Walks the route table: every route declares a permission, and the router enforces it.

use kizuki_domain::{Permission, Role};
use kizuki_web::route_specs;
use reqwest::Method;

use crate::support::{TestApp, location};

/// A concrete path for a route pattern ("/invitation/{token}" → "/invitation/x").
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|part| if part.starts_with('{') { "x" } else { part })
        .collect::<Vec<_>>()
        .join("/")
}

fn is_page(path: &str) -> bool {
    !path.starts_with("/api/") && path != "/healthz"
}

#[tokio::test]
async fn the_table_lists_every_page_in_both_languages() {
    let specs = route_specs();
    assert!(specs.len() > 20, "the table looks empty: {}", specs.len());
    for spec in &specs {
        if is_page(&spec.path)
            && !spec.path.starts_with("/en")
            && !spec.path.starts_with("/assets/")
            && spec.path != "/robots.txt"
        {
            let english = if spec.path == "/" {
                "/en/".to_owned()
            } else {
                format!("/en{}", spec.path)
            };
            assert!(
                specs.iter().any(|other| other.path == english
                    && other.method == spec.method
                    && other.permission == spec.permission),
                "{} {} has no English twin with the same permission",
                spec.method,
                spec.path
            );
        }
    }
}

#[tokio::test]
async fn every_route_that_needs_someone_refuses_a_stranger() {
    let app = TestApp::new().await;
    let stranger = app.visitor();
    // The CSRF cookie, so that POSTs are judged on permission and not on the token.
    let token = stranger.csrf_token("/login").await;
    for spec in route_specs() {
        let path = concrete(&spec.path);
        let request = stranger
            .client
            .request(spec.method.clone(), stranger.url(&path));
        let request = if spec.method == Method::GET {
            request
        } else {
            request.form(&[("csrf_token", token.as_str())])
        };
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        match spec.permission {
            Permission::Public => {
                assert!(
                    status != 401 && status != 403 && status < 500,
                    "{} {path} is public but answered {status}",
                    spec.method
                );
            }
            _ if is_page(&spec.path) => {
                assert_eq!(
                    status, 303,
                    "{} {path} should send a stranger to sign in",
                    spec.method
                );
                assert!(
                    location(&response).contains("/login?next="),
                    "{} {path}",
                    spec.method
                );
            }
            _ => {
                assert_eq!(status, 401, "{} {path} should need a token", spec.method);
                let body: serde_json::Value = response.json().await.expect("json");
                assert_eq!(body["error"]["code"], "unauthenticated");
            }
        }
    }
}

#[tokio::test]
async fn every_state_changing_page_route_needs_the_csrf_token() {
    let app = TestApp::builder()
        .user("admin@example.jp", Role::Admin)
        .build()
        .await;
    let admin = app.signed_in("admin@example.jp").await;
    for spec in route_specs() {
        if spec.method == Method::GET || !is_page(&spec.path) {
            continue;
        }
        let path = concrete(&spec.path);
        let response = admin
            .post_form(&path, &[("user_id", "1"), ("label", "x")])
            .await;
        assert_eq!(response.status(), 403, "POST {path} without a token");
        let wrong = admin
            .post_form(&path, &[("csrf_token", "forged"), ("user_id", "1")])
            .await;
        assert_eq!(wrong.status(), 403, "POST {path} with a forged token");
    }
    // And the admin is still signed in: nothing above changed anything.
    assert_eq!(admin.get("/admin/users").await.status(), 200);
}

#[tokio::test]
async fn unlisted_paths_are_not_found() {
    let app = TestApp::new().await;
    let visitor = app.visitor();
    for path in [
        "/admin",
        "/secret",
        "/en/nothing-here",
        "/api/v1/nothing",
        "/assets/missing.css",
    ] {
        assert_eq!(visitor.get(path).await.status(), 404, "{path}");
    }
}
