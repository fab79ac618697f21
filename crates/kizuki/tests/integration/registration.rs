//! Applications: never more seats taken than there are, whatever the concurrency, with two real
//! `kizuki serve` processes sharing the database.

use jiff::civil::{date, time};
use kizuki_domain::Timestamp;
use kizuki_domain::catalogue::{TrainingDay, TrainingKind, TrainingStatus};
use kizuki_store::TrainingInput;
use serde_json::{Value, json};

use crate::support::TestApp;

pub async fn open_training(app: &TestApp, capacity: i64) -> i64 {
    let days = [TrainingDay {
        date: date(2027, 6, 5),
        start: time(10, 0, 0, 0),
        end: time(16, 30, 0, 0),
    }];
    app.store
        .create_training(
            &TrainingInput {
                title: "IPS基礎研修 定員のテスト",
                title_en: "",
                description: "",
                description_en: "",
                kind: TrainingKind::Basic,
                status: TrainingStatus::ApplicationOpen,
                venue_id: None,
                language_note: "",
                language_note_en: "",
                fee_yen: None,
                fee_note: "",
                fee_note_en: "",
                capacity: Some(capacity),
                applications_open_on: None,
                applications_close_on: None,
                programme_version: "",
                attendance_count: None,
                days: &days,
                facilitator_ids: &[],
            },
            None,
            Timestamp(0),
        )
        .await
        .unwrap()
}

fn applicant(index: usize) -> Value {
    json!({
        "name": format!("応募者 {index}"),
        "email": format!("applicant{index}@example.jp"),
        "backgrounds": ["peer_supporter"],
        "consent": true
    })
}

/// Sends `APPLICANTS` applications at once, alternately to each server, and answers how many
/// got a seat and the places in line of the rest, from the replies.
async fn rush(servers: &[crate::support::ServerProcess], training: i64) -> (i64, Vec<i64>) {
    let client = reqwest::Client::new();
    let mut tasks = Vec::new();
    for index in 0..APPLICANTS {
        let url = format!(
            "{}/api/v1/trainings/{training}/applications",
            servers[index % servers.len()].base
        );
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            let response = client
                .post(url)
                .json(&applicant(index))
                .send()
                .await
                .expect("request");
            let status = response.status().as_u16();
            (
                status,
                response.json::<Value>().await.unwrap_or(Value::Null),
            )
        }));
    }
    let mut held = 0;
    let mut positions = Vec::new();
    for task in tasks {
        let (status, body) = task.await.unwrap();
        assert_eq!(status, 201, "{body}");
        match body["status"].as_str() {
            Some("held") => held += 1,
            Some("waitlisted") => positions.push(body["position"].as_i64().unwrap()),
            other => panic!("unexpected status {other:?}"),
        }
    }
    (held, positions)
}

const CAPACITY: i64 = 30;
const APPLICANTS: usize = 300;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hundreds_of_applications_at_once_never_take_more_seats_than_there_are() {
    let app = TestApp::new().await;
    let training = open_training(&app, CAPACITY).await;
    // Every applicant here comes from one address; the limits are tested on their own.
    let servers = [
        app.serve_process(&["--rate-limit", "off"]).await,
        app.serve_process(&["--rate-limit", "off"]).await,
    ];
    let (held, mut positions) = rush(&servers, training).await;
    assert_eq!(held, CAPACITY, "exactly the capacity got seats");
    positions.sort_unstable();
    let expected: Vec<i64> = (1..=i64::try_from(APPLICANTS).unwrap() - CAPACITY).collect();
    assert_eq!(
        positions, expected,
        "every waiting applicant has their own place in line"
    );
    // The server processes run on the test's clock, so their holds are counted at its time.
    let seats = app.store.seats(training, app.now()).await.unwrap();
    assert_eq!(
        (seats.taken, seats.waitlisted),
        (CAPACITY, i64::try_from(APPLICANTS).unwrap() - CAPACITY)
    );

    let (status, answer) = {
        let response = reqwest::Client::new()
            .get(format!("{}/api/v1/trainings/{training}", servers[0].base))
            .send()
            .await
            .unwrap();
        (response.status(), response.json::<Value>().await.unwrap())
    };
    assert_eq!(status, 200);
    assert_eq!(answer["seats"]["taken"], CAPACITY);
    assert_eq!(answer["seats"]["waitlisted"], 270);
}

/// The negative control of the test above: the same rush against servers whose seat guard is
/// off (seats counted before the lock) must oversell, or that test could not see a broken
/// guard.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn without_the_seat_guard_the_same_rush_oversells() {
    let app = TestApp::new().await;
    let training = open_training(&app, CAPACITY).await;
    let servers = [
        app.serve_process_without(&["--rate-limit", "off"], &["seats"])
            .await,
        app.serve_process_without(&["--rate-limit", "off"], &["seats"])
            .await,
    ];
    let (held, _) = rush(&servers, training).await;
    let seats = app.store.seats(training, app.now()).await.unwrap();
    assert!(
        held > CAPACITY && seats.taken > CAPACITY,
        "without the guard {held} replies said held and {} seats are taken, of {CAPACITY}: \
         the rush does not reach the race the guard prevents",
        seats.taken
    );
}

#[tokio::test]
async fn applications_with_mistakes_or_at_the_wrong_time_are_refused_clearly() {
    let app = TestApp::new().await;
    let training = open_training(&app, 2).await;
    let client = reqwest::Client::new();
    let url = format!(
        "{}/api/v1/trainings/{training}/applications",
        app.base_url()
    );
    let first = client.post(&url).json(&applicant(1)).send().await.unwrap();
    assert_eq!(first.status(), 201);
    // The same address again is answered as a new application (see hostile.rs) and changes
    // nothing.
    let again = client.post(&url).json(&json!({ "name": "二回目", "email": "APPLICANT1@example.jp", "backgrounds": ["family"], "consent": true })).send().await.unwrap();
    assert_eq!(again.status(), 201, "the same email twice for one training");
    let stored = app
        .store
        .application_by_email(training, "applicant1@example.jp")
        .await
        .unwrap();
    assert_eq!(stored.name, applicant(1)["name"].as_str().unwrap());

    let bad = client
        .post(&url)
        .json(&json!({ "name": "", "email": "", "backgrounds": ["astronaut"], "motivation": "あ".repeat(4001), "consent": false }))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let body: Value = bad.json().await.unwrap();
    let fields: Vec<&str> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    for field in ["name", "email", "backgrounds", "motivation", "consent"] {
        assert!(fields.contains(&field), "{field} in {fields:?}");
    }
    let huge = client
        .post(&url)
        .header("content-type", "application/json")
        .body(format!(
            "{{\"motivation\":\"{}\"}}",
            "x".repeat(10 * 1024 * 1024)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        huge.status(),
        413,
        "a 10 MB body is refused before it is read"
    );

    let draft_like = open_training(&app, 5).await;
    let training_row = app.store.training(draft_like).await.unwrap();
    let mut input = TrainingInput {
        title: &training_row.title,
        title_en: "",
        description: "",
        description_en: "",
        kind: training_row.kind,
        status: TrainingStatus::ApplicationClosed,
        venue_id: None,
        language_note: "",
        language_note_en: "",
        fee_yen: None,
        fee_note: "",
        fee_note_en: "",
        capacity: Some(5),
        applications_open_on: None,
        applications_close_on: None,
        programme_version: "",
        attendance_count: None,
        days: &training_row.days,
        facilitator_ids: &[],
    };
    app.store
        .update_training(draft_like, &input, Timestamp(0))
        .await
        .unwrap();
    let closed = client
        .post(format!(
            "{}/api/v1/trainings/{draft_like}/applications",
            app.base_url()
        ))
        .json(&applicant(9))
        .send()
        .await
        .unwrap();
    assert_eq!(closed.status(), 409);
    input.status = TrainingStatus::ApplicationOpen;
    input.applications_close_on = Some(date(2027, 1, 1));
    app.store
        .update_training(draft_like, &input, Timestamp(0))
        .await
        .unwrap();
    let over = client
        .post(format!(
            "{}/api/v1/trainings/{draft_like}/applications",
            app.base_url()
        ))
        .json(&applicant(9))
        .send()
        .await
        .unwrap();
    assert_eq!(
        over.status(),
        409,
        "the window closed (the test clock reads 2027-01-15)"
    );
    let body: Value = over.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("closed")
    );
}

#[tokio::test]
async fn one_address_sending_too_many_applications_is_slowed_down() {
    let app = TestApp::new().await;
    // Five applications to each of seven trainings: within the limit per training while a hold
    // lasts (see hostile.rs), so that only the limit across them is met.
    let mut urls = Vec::new();
    for _ in 0..7 {
        let training = open_training(&app, 100).await;
        urls.push(format!(
            "{}/api/v1/trainings/{training}/applications",
            app.base_url()
        ));
    }
    let client = reqwest::Client::new();
    let url = urls[6].clone();
    for index in 0..30 {
        let response = client
            .post(&urls[index / 5])
            .json(&applicant(index))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            201,
            "request {index} is within the default 30 a minute"
        );
    }
    let refused = client.post(&url).json(&applicant(30)).send().await.unwrap();
    assert_eq!(refused.status(), 429);
    let wait: i64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "too_many_requests");
    app.advance_clock(61);
    let later = client.post(&url).json(&applicant(31)).send().await.unwrap();
    assert_eq!(later.status(), 201, "a new minute, a new allowance");
}

#[tokio::test]
async fn statistics_count_backgrounds_and_hide_small_groups() {
    let app = TestApp::builder().no_rate_limit().build().await;
    let before = app.visitor().get_text("/statistics").await;
    assert!(
        !before.contains("stats-backgrounds"),
        "no table before anyone applies"
    );
    let training = open_training(&app, 20).await;
    let client = reqwest::Client::new();
    let url = format!(
        "{}/api/v1/trainings/{training}/applications",
        app.base_url()
    );
    for index in 0..6 {
        let backgrounds = if index == 0 {
            json!(["peer_supporter", "family"])
        } else {
            json!(["peer_supporter", "service_user_before"])
        };
        let response = client
            .post(&url)
            .json(&json!({ "name": format!("参加者 {index}"), "email": format!("p{index}@example.jp"), "backgrounds": backgrounds, "consent": true }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        let held: Value = response.json().await.unwrap();
        assert_eq!(held["status"], "held");
        let id = app
            .application_id(training, &format!("p{index}@example.jp"))
            .await;
        if index == 0 {
            let partial = app.visitor().get_text("/statistics").await;
            assert!(
                !partial.contains("stats-backgrounds"),
                "a held seat is not a participant yet"
            );
        }
        app.store
            .confirm_application(training, id, app.now(), kizuki_web::today(app.now()))
            .await
            .unwrap();
    }
    let page = app.visitor().get_text("/statistics").await;
    assert!(page.contains("<th scope=\"row\">ピアサポーター</th><td>6</td>"));
    assert!(page.contains("<th scope=\"row\">以前サービスを利用していた</th><td>5</td>"));
    assert!(
        page.contains("<th scope=\"row\">家族・関係者</th><td>5 人未満</td>"),
        "one person is not singled out"
    );
    assert!(!page.contains("参加者 0"), "no names on the page");
    let english = app.visitor().get_text("/en/statistics").await;
    assert!(
        english.contains("<th scope=\"row\">Family or connected person</th><td>fewer than 5</td>")
    );
}
