//! Accounts: invitation, roles, disabling, the audit log.

use kizuki_domain::Role;
use kizuki_i18n::Lang;

use crate::support::{PASSWORD, TestApp, find_secret, text};

#[tokio::test]
async fn an_invited_person_chooses_a_password_and_signs_in() {
    let app = TestApp::builder()
        .user("admin@example.jp", Role::Admin)
        .build()
        .await;
    let admin = app.signed_in("admin@example.jp").await;
    let response = admin
        .submit(
            "/admin/users",
            "/admin/users",
            &[
                ("display_name", "中村　さくら"),
                ("email", "Sakura@Example.jp"),
                ("role", "researcher"),
            ],
        )
        .await;
    assert_eq!(response.status(), 200);
    let page = response.text().await.unwrap();
    let path = &format!("/invitation/{}", find_secret(&page, "kzi_"));
    assert!(
        page.contains(&format!(
            "http://{}{path}",
            app.base_url().trim_start_matches("http://")
        )),
        "an absolute link"
    );
    assert!(page.contains("中村 さくら"), "the name is normalised");

    let newcomer = app.visitor();
    assert_eq!(newcomer.get(path).await.status(), 200);
    let mismatch = newcomer
        .submit(
            path,
            path,
            &[
                ("new_password", "correct horse battery"),
                ("confirm_password", "correct horse"),
            ],
        )
        .await;
    assert_eq!(mismatch.status(), 422);
    let accepted = newcomer
        .submit(
            path,
            path,
            &[
                ("new_password", "correct horse battery"),
                ("confirm_password", "correct horse battery"),
            ],
        )
        .await;
    assert_eq!(accepted.status(), 303);
    // The link works once.
    assert_eq!(newcomer.get(path).await.status(), 404);
    assert_eq!(
        newcomer
            .sign_in("sakura@example.jp", "correct horse battery")
            .await
            .status(),
        303
    );
    let dashboard = newcomer.get_text("/dashboard").await;
    assert!(dashboard.contains(&text(Lang::Ja, "role.researcher")));

    let log = admin.get_text("/admin/users").await;
    assert!(log.contains(&text(Lang::Ja, "audit.user_invited")));
    assert!(log.contains(&text(Lang::Ja, "audit.invitation_accepted")));
}

#[tokio::test]
async fn invitation_mistakes_keep_what_was_typed() {
    let app = TestApp::builder()
        .user("admin@example.jp", Role::Admin)
        .build()
        .await;
    let admin = app.signed_in("admin@example.jp").await;
    let response = admin
        .submit(
            "/en/admin/users",
            "/en/admin/users",
            &[
                ("display_name", "Ken <b>"),
                ("email", "not-an-address"),
                ("role", "host"),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert!(page.contains(&text(Lang::En, "admin.invite.email_invalid")));
    assert!(page.contains("value=\"not-an-address\""));
    assert!(
        page.contains("value=\"Ken &#60;b&#62;\""),
        "typed text is kept, and escaped"
    );
    assert!(page.contains("<option value=\"host\" selected>"));

    let taken = admin
        .submit(
            "/admin/users",
            "/admin/users",
            &[
                ("display_name", "二人目"),
                ("email", "ADMIN@example.jp"),
                ("role", "host"),
            ],
        )
        .await;
    assert_eq!(taken.status(), 422);
    assert!(
        taken
            .text()
            .await
            .unwrap()
            .contains(&text(Lang::Ja, "admin.invite.email_taken"))
    );
}

#[tokio::test]
async fn roles_change_and_the_last_administrator_stays() {
    let app = TestApp::builder()
        .user("admin@example.jp", Role::Admin)
        .user("organizer@example.jp", Role::Organizer)
        .build()
        .await;
    let organizer_id = app
        .store
        .user_by_email(&"organizer@example.jp".parse_email())
        .await
        .unwrap()
        .id;
    let admin_id = app
        .store
        .user_by_email(&"admin@example.jp".parse_email())
        .await
        .unwrap()
        .id;
    let admin = app.signed_in("admin@example.jp").await;

    let demote_self = admin
        .submit(
            "/admin/users",
            "/admin/users/role",
            &[("user_id", &admin_id.to_string()), ("role", "host")],
        )
        .await;
    assert_eq!(demote_self.status(), 409);
    assert!(
        demote_self
            .text()
            .await
            .unwrap()
            .contains(&text(Lang::Ja, "admin.users.last_admin"))
    );

    let promote = admin
        .submit(
            "/admin/users",
            "/admin/users/role",
            &[("user_id", &organizer_id.to_string()), ("role", "admin")],
        )
        .await;
    assert_eq!(promote.status(), 303);
    assert_eq!(
        app.store.user(organizer_id).await.unwrap().role,
        Role::Admin
    );

    let bad_role = admin
        .submit(
            "/admin/users",
            "/admin/users/role",
            &[("user_id", &organizer_id.to_string()), ("role", "owner")],
        )
        .await;
    assert_eq!(bad_role.status(), 400);
    let missing = admin
        .submit(
            "/admin/users",
            "/admin/users/role",
            &[("user_id", "999999"), ("role", "host")],
        )
        .await;
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn a_disabled_account_loses_its_sessions_and_tokens_at_once() {
    let app = TestApp::builder()
        .user("admin@example.jp", Role::Admin)
        .user("facilitator@example.jp", Role::Facilitator)
        .build()
        .await;
    let facilitator_id = app
        .store
        .user_by_email(&"facilitator@example.jp".parse_email())
        .await
        .unwrap()
        .id;
    let facilitator = app.signed_in("facilitator@example.jp").await;
    let token_page = facilitator
        .submit("/account", "/account/tokens", &[("label", "集計用")])
        .await
        .text()
        .await
        .unwrap();
    let token = find_secret(&token_page, "kzk_");
    let api = reqwest::Client::new();
    let me = format!("{}/api/v1/me", app.base_url());
    assert_eq!(
        api.get(&me)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    let admin = app.signed_in("admin@example.jp").await;
    let response = admin
        .submit(
            "/admin/users",
            "/admin/users/disable",
            &[("user_id", &facilitator_id.to_string())],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(facilitator.get("/dashboard").await.status(), 303);
    assert_eq!(
        api.get(&me)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        app.visitor()
            .sign_in("facilitator@example.jp", PASSWORD)
            .await
            .status(),
        422
    );

    let enable = admin
        .submit(
            "/admin/users",
            "/admin/users/enable",
            &[("user_id", &facilitator_id.to_string())],
        )
        .await;
    assert_eq!(enable.status(), 303);
    assert_eq!(
        app.visitor()
            .sign_in("facilitator@example.jp", PASSWORD)
            .await
            .status(),
        303
    );
    // Tokens revoked by disabling stay revoked.
    assert_eq!(
        api.get(&me)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        401
    );

    let admin_id = app
        .store
        .user_by_email(&"admin@example.jp".parse_email())
        .await
        .unwrap()
        .id;
    let self_disable = admin
        .submit(
            "/admin/users",
            "/admin/users/disable",
            &[("user_id", &admin_id.to_string())],
        )
        .await;
    assert_eq!(self_disable.status(), 409);
}

trait ParseEmail {
    fn parse_email(&self) -> kizuki_domain::EmailAddress;
}

impl ParseEmail for str {
    fn parse_email(&self) -> kizuki_domain::EmailAddress {
        kizuki_domain::EmailAddress::parse(self).unwrap()
    }
}
