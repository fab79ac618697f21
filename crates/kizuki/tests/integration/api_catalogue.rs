//! The catalogue through the JSON API, with real bearer tokens.

use kizuki_domain::Role;
use serde_json::{Value, json};

use crate::support::{TestApp, find_secret};

pub async fn token_for(app: &TestApp, email: &str) -> String {
    let visitor = app.signed_in(email).await;
    let page = visitor
        .submit("/account", "/account/tokens", &[("label", "api test")])
        .await
        .text()
        .await
        .unwrap();
    find_secret(&page, "kzk_")
}

pub struct Api {
    client: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl Api {
    pub fn new(app: &TestApp, token: Option<String>) -> Api {
        Api {
            client: reqwest::Client::new(),
            base: app.base_url(),
            token,
        }
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

fn training_body() -> Value {
    json!({
        "title": "IPS基礎研修（2日間） 松江市",
        "title_en": "IPS basic training (2 days), Matsue",
        "description": "**対話**を学びます。",
        "kind": "basic",
        "status": "draft",
        "capacity": 24,
        "fee_yen": 6000,
        "applications_open_on": "2027-03-01",
        "applications_close_on": "2027-04-10",
        "days": [
            { "date": "2027-04-25", "start": "10:00", "end": "16:30" },
            { "date": "2027-04-24", "start": "10:00", "end": "16:30" }
        ]
    })
}

#[tokio::test]
async fn organisers_create_edit_and_delete_trainings() {
    let app = TestApp::builder()
        .demo()
        .user("org@example.jp", Role::Organizer)
        .build()
        .await;
    let organiser = Api::new(&app, Some(token_for(&app, "org@example.jp").await));
    let public = Api::new(&app, None);

    let (status, venues) = public
        .send(reqwest::Method::GET, "/api/v1/venues", None)
        .await;
    assert_eq!(status, 200);
    let venue_id = venues[0]["id"].as_i64().unwrap();
    let mut body = training_body();
    body["venue_id"] = json!(venue_id);
    let (status, created) = organiser
        .send(
            reqwest::Method::POST,
            "/api/v1/trainings",
            Some(body.clone()),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().unwrap();
    assert_eq!(
        created["days"][0]["date"], "2027-04-24",
        "days come back in date order"
    );
    assert_eq!(created["status"], "draft");

    // A draft is the organisers' business only.
    assert_eq!(
        public
            .send(
                reqwest::Method::GET,
                &format!("/api/v1/trainings/{id}"),
                None
            )
            .await
            .0,
        404
    );
    assert_eq!(
        organiser
            .send(
                reqwest::Method::GET,
                &format!("/api/v1/trainings/{id}"),
                None
            )
            .await
            .0,
        200
    );

    body["status"] = json!("application_open");
    let (status, updated) = organiser
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/trainings/{id}"),
            Some(body),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    let (status, fetched) = public
        .send(
            reqwest::Method::GET,
            &format!("/api/v1/trainings/{id}"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(fetched["venue"]["id"], venue_id);
    assert!(
        app.visitor()
            .get_text("/trainings?month=2027-04")
            .await
            .contains("松江市")
    );

    let (status, page) = public
        .send(
            reqwest::Method::GET,
            "/api/v1/trainings?when=past&per_page=10&page=2&area=kanto",
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(page["per_page"], 10);
    assert!(page["total"].as_i64().unwrap() > 5);
    // A page far past the end (schemathesis sent this one) is empty, not a server error.
    for list in ["trainings", "study-groups"] {
        let (status, far) = public
            .send(
                reqwest::Method::GET,
                &format!("/api/v1/{list}?per_page=13821&page=9223372036854775806"),
                None,
            )
            .await;
        assert_eq!(status, 200, "{list}: {far}");
        assert_eq!(far["items"].as_array().map(Vec::len), Some(0), "{list}");
    }

    assert_eq!(
        organiser
            .send(
                reqwest::Method::DELETE,
                &format!("/api/v1/trainings/{id}"),
                None
            )
            .await
            .0,
        204
    );
    assert_eq!(
        public
            .send(
                reqwest::Method::GET,
                &format!("/api/v1/trainings/{id}"),
                None
            )
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn mistakes_in_a_body_are_listed_by_field() {
    let app = TestApp::builder()
        .user("org@example.jp", Role::Organizer)
        .build()
        .await;
    let organiser = Api::new(&app, Some(token_for(&app, "org@example.jp").await));
    let body = json!({
        "title": "",
        "kind": "weekly",
        "capacity": 0,
        "venue_id": 9999,
        "applications_close_on": "someday",
        "days": [{ "date": "2027-02-30", "start": "25:00", "end": "10:00" }]
    });
    let (status, answer) = organiser
        .send(reqwest::Method::POST, "/api/v1/trainings", Some(body))
        .await;
    assert_eq!(status, 422);
    assert_eq!(answer["error"]["code"], "invalid");
    let fields: Vec<&str> = answer["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    for expected in [
        "kind",
        "capacity",
        "venue_id",
        "applications_close_on",
        "days[0].date",
        "days[0].start",
        "title",
    ] {
        assert!(
            fields.contains(&expected),
            "{expected} missing from {fields:?}"
        );
    }
    let (status, answer) = organiser
        .send(reqwest::Method::POST, "/api/v1/trainings", None)
        .await;
    assert!([400, 415, 422].contains(&status), "{status}");
    assert!(answer["error"]["code"].is_string(), "{answer}");
}

#[tokio::test]
async fn hosts_propose_groups_that_wait_for_approval() {
    let app = TestApp::builder()
        .user("host@example.jp", Role::Host)
        .user("other@example.jp", Role::Host)
        .user("org@example.jp", Role::Organizer)
        .build()
        .await;
    let host = Api::new(&app, Some(token_for(&app, "host@example.jp").await));
    let other = Api::new(&app, Some(token_for(&app, "other@example.jp").await));
    let organiser = Api::new(&app, Some(token_for(&app, "org@example.jp").await));
    let public = Api::new(&app, None);

    let (status, venue) = organiser
        .send(reqwest::Method::POST, "/api/v1/venues", Some(json!({ "name": "まつえ市民活動センター", "prefecture": "島根県", "municipality": "松江市", "accessibility": ["step_free"] })))
        .await;
    assert_eq!(status, 201, "{venue}");
    assert!(
        venue["latitude"].as_f64().unwrap() > 35.0,
        "coordinates from the bundled municipality data"
    );

    let body = json!({
        "name": "まつえIPS勉強会",
        "schedule": "毎月第１土曜日 14:00～16:00",
        "first_meeting_on": "2027-02-06",
        "venue_id": venue["id"],
        "status": "active"
    });
    let (status, group) = host
        .send(
            reqwest::Method::POST,
            "/api/v1/study-groups",
            Some(body.clone()),
        )
        .await;
    assert_eq!(status, 201, "{group}");
    assert_eq!(
        group["status"], "pending_approval",
        "a host's new group waits"
    );
    assert_eq!(group["rrule"], "FREQ=MONTHLY;BYDAY=1SA");
    let id = group["id"].as_i64().unwrap();
    let path = format!("/api/v1/study-groups/{id}");
    assert_eq!(public.send(reqwest::Method::GET, &path, None).await.0, 404);
    assert_eq!(
        host.send(reqwest::Method::GET, &path, None).await.0,
        200,
        "hosts see their own"
    );
    assert_eq!(
        other
            .send(reqwest::Method::PUT, &path, Some(body.clone()))
            .await
            .0,
        403
    );
    let (status, still) = host
        .send(reqwest::Method::PUT, &path, Some(body.clone()))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        still["status"], "pending_approval",
        "a host cannot approve their own group"
    );

    let (status, approved) = organiser.send(reqwest::Method::PUT, &path, Some(json!({ "name": "まつえIPS勉強会", "rrule": "FREQ=MONTHLY;BYDAY=1SA", "start": "14:00", "end": "16:00", "first_meeting_on": "2027-02-06", "venue_id": venue["id"], "status": "active", "host_user_ids": [] }))).await;
    assert_eq!(status, 200, "{approved}");
    assert_eq!(
        public.send(reqwest::Method::GET, &path, None).await.1["schedule"],
        "毎月第1土曜 14:00–16:00"
    );

    let venue_path = format!("/api/v1/venues/{}", venue["id"]);
    let (status, refused) = organiser
        .send(reqwest::Method::DELETE, &venue_path, None)
        .await;
    assert_eq!(status, 409, "the group still meets there");
    assert_eq!(refused["error"]["code"], "conflict");
    let bad = organiser
        .send(
            reqwest::Method::POST,
            "/api/v1/study-groups",
            Some(json!({ "name": "x", "schedule": "ときどき", "first_meeting_on": "2027-01-01" })),
        )
        .await;
    assert_eq!(bad.0, 422);
    assert_eq!(bad.1["error"]["fields"][0]["field"], "schedule");
}
