//! Registration end to end: the form, mail over real SMTP, the private link, the waitlist and
//! its offers, the lottery, frames, organisers' decisions, exports, attendance and the purge.

use kizuki_domain::{Role, Timestamp};
use kizuki_store::TrainingInput;
use serde_json::{Value, json};

use crate::api_catalogue::{Api, token_for};
use crate::registration::open_training;
use crate::support::{TestApp, Visitor, link_in, location};

const ORGANISER: &str = "organiser@example.jp";

/// Opens the private link from a message in a fresh browser, as the applicant would.
async fn open_link(app: &TestApp, link: &str) -> Visitor {
    let visitor = app.visitor();
    let path = &link[link.find("/application").expect("a private link")..];
    let response = visitor.get(path).await;
    assert_eq!(response.status(), 303, "the key leaves the address bar");
    assert!(location(&response).ends_with("/application"));
    assert!(!location(&response).contains("kza_"));
    let page = visitor.get(&location(&response)).await;
    assert_eq!(page.status(), 200);
    visitor
}

pub async fn set_close(app: &TestApp, training: i64, close: jiff::civil::Date) {
    let row = app.store.training(training).await.unwrap();
    let input = TrainingInput {
        title: &row.title,
        title_en: "",
        description: "",
        description_en: "",
        kind: row.kind,
        status: row.status,
        venue_id: None,
        language_note: "",
        language_note_en: "",
        fee_yen: None,
        fee_note: "",
        fee_note_en: "",
        capacity: row.capacity,
        applications_open_on: None,
        applications_close_on: Some(close),
        programme_version: "",
        attendance_count: None,
        days: &row.days,
        facilitator_ids: &[],
    };
    app.store
        .update_training(training, &input, Timestamp(0))
        .await
        .unwrap();
}

fn status_of(page: &str) -> String {
    let marker = "data-status=\"";
    let start = page.find(marker).expect("a status") + marker.len();
    page[start..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn an_applicant_applies_confirms_by_mail_and_a_cancellation_offers_the_place_to_the_waitlist()
{
    let app = TestApp::builder()
        .user(ORGANISER, Role::Organizer)
        .mail()
        .build()
        .await;
    let training = open_training(&app, 1).await;
    let form = format!("/trainings/{training}/apply");

    // Mistakes: clear messages, and everything typed is still there.
    let hanako = app.visitor();
    let response = hanako
        .submit(
            &form,
            &form,
            &[
                ("name", "山田 花子"),
                ("email", "hanako.example.jp"),
                ("motivation", "仲間と一緒に学びたいです。"),
                ("background", "service_user_before"),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert!(page.contains("value=\"山田 花子\""));
    assert!(page.contains("仲間と一緒に学びたいです。"));
    assert!(page.contains("value=\"service_user_before\" checked"));
    assert!(page.contains("メールアドレスを name@example.jp のような形で入力してください。"));
    assert!(page.contains("同意のチェックを入れてください"));
    assert!(page.contains("aria-invalid=\"true\""));

    let response = hanako
        .submit(
            &form,
            &form,
            &[
                ("name", "山田 花子"),
                ("email", "hanako@example.jp"),
                ("background", "service_user_before"),
                ("background", "peer_supporter"),
                ("consent", "yes"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        location(&response),
        format!("/trainings/{training}/applied?status=held")
    );
    let again = hanako
        .submit(
            &form,
            &form,
            &[
                ("name", "山田 花子"),
                ("email", "HANAKO@example.jp"),
                ("background", "peer_supporter"),
                ("consent", "yes"),
            ],
        )
        .await;
    // One application per address, and the answer does not say so: it is what a new
    // application would get now (the one seat is held, so the waitlist). Hanako hears by mail.
    assert_eq!(again.status(), 303);
    assert_eq!(
        location(&again),
        format!("/trainings/{training}/applied?status=waitlisted")
    );

    // The second applicant, in English, finds the training full.
    let taro = app.visitor();
    let english_form = format!("/en{form}");
    let response = taro
        .submit(
            &english_form,
            &english_form,
            &[
                ("name", "Taro Suzuki"),
                ("email", "taro@example.jp"),
                ("background", "family"),
                ("consent", "yes"),
            ],
        )
        .await;
    assert_eq!(
        location(&response),
        format!("/en/trainings/{training}/applied?status=waitlisted")
    );

    let smtp = app.smtp();
    let received = smtp.wait_for("hanako@example.jp", "お申し込みの確認").await;
    assert!(received.body.contains("山田 花子 様"));
    assert!(received.from.contains("kizuki@example.jp"));
    let waitlisted = smtp
        .wait_for("taro@example.jp", "You are on the waitlist")
        .await;
    assert!(waitlisted.body.contains("number 1 on the waitlist"));

    // Hanako opens her link and confirms.
    let hanako_link = link_in(&received.body);
    let notice = smtp
        .wait_for("hanako@example.jp", "【お申し込みについて】")
        .await;
    assert!(notice.body.contains("すでにお申し込みいただいています"));
    assert_eq!(
        link_in(&notice.body),
        hanako_link,
        "the link to her application"
    );
    let hanako = open_link(&app, &hanako_link).await;
    let page = hanako.get_text("/application").await;
    assert_eq!(status_of(&page), "held");
    let response = hanako
        .submit("/application", "/application/confirm", &[])
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        status_of(&hanako.get_text("/application").await),
        "confirmed"
    );
    smtp.wait_for("hanako@example.jp", "参加が決まりました")
        .await;

    // Cancelling needs the box ticked; then her place is offered to Taro by mail.
    hanako
        .submit("/application", "/application/cancel", &[])
        .await;
    assert_eq!(
        status_of(&hanako.get_text("/application").await),
        "confirmed"
    );
    hanako
        .submit("/application", "/application/cancel", &[("sure", "yes")])
        .await;
    assert_eq!(
        status_of(&hanako.get_text("/application").await),
        "cancelled"
    );
    let offer = smtp
        .wait_for("taro@example.jp", "A place has come free")
        .await;
    assert!(offer.body.contains("Dear Taro Suzuki"));
    assert!(
        offer.body.contains("by Sun 17 Jan 2027 17:00"),
        "{}",
        offer.body
    );
    let taro = open_link(&app, &link_in(&offer.body)).await;
    let page = taro.get_text("/en/application").await;
    assert_eq!(status_of(&page), "held");
    assert!(page.contains("A place has come free for you"), "{page}");
    taro.submit("/en/application", "/en/application/confirm", &[])
        .await;
    assert_eq!(
        status_of(&taro.get_text("/en/application").await),
        "confirmed"
    );
    smtp.wait_for("taro@example.jp", "Your place is confirmed")
        .await;

    // Every message is in the outbox, marked sent.
    let organiser = app.signed_in(ORGANISER).await;
    let outbox = organiser.get_text("/manage/outbox").await;
    assert!(outbox.contains("taro@example.jp"));
    assert!(outbox.contains("送信済み"));
    assert_eq!(
        app.store.outbox(Some(training), 100).await.unwrap().len(),
        smtp.messages().len()
    );
}

#[tokio::test]
async fn a_hold_that_runs_out_passes_the_place_on_and_the_link_can_be_sent_again() {
    let app = TestApp::builder().mail().build().await;
    let training = open_training(&app, 1).await;
    let api = Api::new(&app, None);
    let path = format!("/api/v1/trainings/{training}/applications");
    let (status, first) = api
        .send(reqwest::Method::POST, &path, Some(json!({"name": "一番目", "email": "first@example.jp", "backgrounds": ["researcher"], "consent": true})))
        .await;
    assert_eq!((status, first["status"].as_str()), (201, Some("held")));
    let (_, second) = api
        .send(reqwest::Method::POST, &path, Some(json!({"name": "二番目", "email": "second@example.jp", "backgrounds": ["family"], "consent": true})))
        .await;
    assert_eq!(second["status"], "waitlisted");
    assert_eq!(second["position"], 1);

    app.advance_clock(29 * 60);
    app.tick().await;
    let first_row = app
        .store
        .application(app.application_id(training, "first@example.jp").await)
        .await
        .unwrap();
    assert_eq!(
        first_row.status.as_str(),
        "held",
        "still within the 30 minutes"
    );
    app.advance_clock(2 * 60);
    app.tick().await;
    let first_row = app
        .store
        .application(app.application_id(training, "first@example.jp").await)
        .await
        .unwrap();
    assert_eq!(first_row.status.as_str(), "expired");
    let second_row = app
        .store
        .application(app.application_id(training, "second@example.jp").await)
        .await
        .unwrap();
    assert_eq!(second_row.status.as_str(), "held");
    assert!(second_row.offered_at.is_some());
    let smtp = app.smtp();
    smtp.wait_for("first@example.jp", "確定の期限が過ぎました")
        .await;
    let offer = smtp.wait_for("second@example.jp", "席が空きました").await;

    // Asking for the link again sends the very same link; an unknown address learns nothing.
    let visitor = app.visitor();
    let page = format!("/trainings/{training}/apply");
    let response = visitor
        .submit(
            &page,
            &format!("/trainings/{training}/resend-link"),
            &[("email", "second@example.jp")],
        )
        .await;
    assert_eq!(response.status(), 303);
    let unknown = visitor
        .submit(
            &page,
            &format!("/trainings/{training}/resend-link"),
            &[("email", "nobody@example.jp")],
        )
        .await;
    assert_eq!(location(&unknown), location(&response));
    let resent = smtp
        .wait_for("second@example.jp", "お申し込みのページ")
        .await;
    assert_eq!(link_in(&resent.body), link_in(&offer.body));

    // A made-up key finds nothing, and says so kindly.
    let stranger = app.visitor();
    let response = stranger
        .get("/application?key=kza_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
        .await;
    assert_eq!(response.status(), 303);
    let missing = stranger.get("/application").await;
    assert_eq!(missing.status(), 404);
    assert!(
        missing
            .text()
            .await
            .unwrap()
            .contains("お申し込みが見つかりません")
    );
    let robots = stranger.get_text("/robots.txt").await;
    assert!(
        robots.contains("Disallow: /application\n"),
        "private pages stay out of search engines"
    );
}

#[tokio::test]
async fn a_lottery_is_committed_before_and_can_be_repeated_from_its_record() {
    let app = TestApp::builder()
        .user(ORGANISER, Role::Organizer)
        .build()
        .await;
    let training = open_training(&app, 3).await;
    set_close(&app, training, jiff::civil::date(2027, 1, 20)).await;
    let organiser = app.signed_in(ORGANISER).await;
    let settings = format!("/manage/trainings/{training}/registration");
    let response = organiser
        .submit(
            &settings,
            &settings,
            &[
                ("allocation", "lottery"),
                ("hold_minutes", "48"),
                ("offer_hours", "48"),
                ("retention_months", "12"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let public = app
        .visitor()
        .get_text(&format!("/trainings/{training}"))
        .await;
    let marker = "id=\"lottery-hash\">";
    let hash_start = public.find(marker).unwrap() + marker.len();
    let published_hash = public[hash_start..hash_start + 64].to_owned();

    let api = Api::new(&app, None);
    let path = format!("/api/v1/trainings/{training}/applications");
    let mut ids = Vec::new();
    for index in 0..10 {
        let (status, body) = api
            .send(reqwest::Method::POST, &path, Some(json!({"name": format!("応募者 {index}"), "email": format!("entry{index}@example.jp"), "backgrounds": ["peer_supporter"], "consent": true})))
            .await;
        assert_eq!((status, body["status"].as_str()), (201, Some("lottery")));
        ids.push(
            app.application_id(training, &format!("entry{index}@example.jp"))
                .await,
        );
    }
    // Nine confirm their address; the tenth never does and is left out of the draw.
    for id in &ids[..9] {
        app.store
            .confirm_application(training, *id, app.now(), jiff::civil::date(2027, 1, 15))
            .await
            .unwrap();
    }
    let token = token_for(&app, ORGANISER).await;
    let organiser_api = Api::new(&app, Some(token));
    let (status, _) = organiser_api
        .send(
            reqwest::Method::POST,
            &format!("/api/v1/trainings/{training}/lottery"),
            None,
        )
        .await;
    assert_eq!(status, 409, "not before applications close");

    // The clock draws it the day after the close.
    app.advance_clock(6 * 24 * 3600);
    app.tick().await;
    let (status, record) = organiser_api
        .send(
            reqwest::Method::GET,
            &format!("/api/v1/trainings/{training}/lottery"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{record}");
    assert_eq!(record["seed_sha256"], published_hash.as_str());
    assert_eq!(record["entries"].as_array().unwrap().len(), 9);
    assert_eq!(record["excluded_unconfirmed"], json!([ids[9]]));
    assert_eq!(record["winners"].as_array().unwrap().len(), 3);

    // Anyone can repeat the draw from the record with an ordinary SHA-256: here, Python's.
    let script = r#"
import hashlib, json, sys
record = json.load(sys.stdin)
assert hashlib.sha256(record["seed"].encode()).hexdigest() == record["seed_sha256"]
order = sorted(record["entries"], key=lambda e: (hashlib.sha256(f'{record["seed"]}:{e["id"]}'.encode()).hexdigest(), e["id"]))
print(json.dumps([e["id"] for e in order][: record["seats"][0]["seats"]]))
"#;
    let mut child = std::process::Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), record.to_string().as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let repeated: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(repeated, record["winners"]);
    let parsed: kizuki_store::LotteryRecord = serde_json::from_value(record.clone()).unwrap();
    assert_eq!(
        serde_json::to_value(parsed.redraw().winners).unwrap(),
        record["winners"]
    );

    // The winners have places; the others wait in drawn order; the public page shows the seed.
    let roster = organiser_api
        .send(
            reqwest::Method::GET,
            &format!("/api/v1/trainings/{training}/applications"),
            None,
        )
        .await
        .1;
    let confirmed: Vec<i64> = roster
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["status"] == "confirmed")
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    let mut winners: Vec<i64> = record["winners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    winners.sort_unstable();
    let mut confirmed_sorted = confirmed.clone();
    confirmed_sorted.sort_unstable();
    assert_eq!(confirmed_sorted, winners);
    let first_waiting = roster
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["position"] == 1)
        .unwrap();
    assert_eq!(first_waiting["id"], record["waitlist"][0]);
    let public = app
        .visitor()
        .get_text(&format!("/trainings/{training}"))
        .await;
    assert!(public.contains(record["seed"].as_str().unwrap()));
    let (status, _) = organiser_api
        .send(
            reqwest::Method::POST,
            &format!("/api/v1/trainings/{training}/lottery"),
            None,
        )
        .await;
    assert_eq!(status, 409, "a lottery is drawn once");
}

#[tokio::test]
async fn organisers_decide_with_reasons_export_and_take_attendance_while_facilitators_see_names_only()
 {
    let app = TestApp::builder()
        .user(ORGANISER, Role::Organizer)
        .user("facilitator@example.jp", Role::Facilitator)
        .build()
        .await;
    let training = open_training(&app, 10).await;
    let organiser = app.signed_in(ORGANISER).await;
    let settings = format!("/manage/trainings/{training}/registration");
    organiser
        .submit(
            &settings,
            &settings,
            &[
                ("allocation", "first_come"),
                ("hold_minutes", "24"),
                ("offer_hours", "48"),
                ("retention_months", "12"),
                ("frame_name_0", "ピアサポーター枠"),
                ("frame_capacity_0", "1"),
                ("frame_name_1", "支援者枠"),
                ("frame_capacity_1", "1"),
                ("question_label_0", "当日の移動手段を教えてください"),
                ("question_required_0", "yes"),
            ],
        )
        .await;
    let registration = app.store.registration_settings(training).await.unwrap();
    let (peer, provider) = (registration.frames[0].id, registration.frames[1].id);
    let question = registration.questions[0].id;
    let seats = app.store.seats(training, app.now()).await.unwrap();
    assert_eq!(seats.capacity, 2, "the frames' places together");

    let api = Api::new(&app, None);
    let path = format!("/api/v1/trainings/{training}/applications");
    let (status, body) = api
        .send(reqwest::Method::POST, &path, Some(json!({"name": "枠なし", "email": "noframe@example.jp", "backgrounds": ["peer_supporter"], "consent": true})))
        .await;
    assert_eq!(status, 422);
    let fields: Vec<&str> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        vec!["frame".to_owned(), format!("question_{question}")]
    );

    let mut ids = Vec::new();
    for (index, frame) in [peer, peer, peer, provider].into_iter().enumerate() {
        let (status, body) = api
            .send(
                reqwest::Method::POST,
                &path,
                Some(json!({
                    "name": format!("参加者 {index}"), "furigana": format!("さんかしゃ {index}"),
                    "email": format!("p{index}@example.jp"), "backgrounds": ["peer_supporter"],
                    "consent": true, "frame": frame, "answers": { question.to_string(): "電車" }
                })),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        ids.push((
            app.application_id(training, &format!("p{index}@example.jp"))
                .await,
            body["status"].as_str().unwrap().to_owned(),
        ));
    }
    let statuses: Vec<&str> = ids.iter().map(|(_, s)| s.as_str()).collect();
    assert_eq!(
        statuses,
        vec!["held", "waitlisted", "waitlisted", "held"],
        "each frame has its own places"
    );

    // A decision needs a reason; a full frame stays full even by hand.
    let (waiting_a, waiting_b) = (ids[1].0, ids[2].0);
    let page = format!("/manage/applications/{waiting_b}");
    organiser
        .submit(&page, &page, &[("decision", "seat"), ("reason", "")])
        .await;
    assert_eq!(
        app.store
            .application(waiting_b)
            .await
            .unwrap()
            .status
            .as_str(),
        "waitlisted"
    );
    organiser
        .submit(
            &page,
            &page,
            &[("decision", "seat"), ("reason", "ご本人から強い希望")],
        )
        .await;
    assert_eq!(
        app.store
            .application(waiting_b)
            .await
            .unwrap()
            .status
            .as_str(),
        "waitlisted",
        "no place is free in the frame"
    );
    organiser
        .submit(
            &page,
            &page,
            &[
                ("decision", "reorder"),
                ("rank", "1"),
                ("reason", "遠方から参加のため"),
            ],
        )
        .await;
    assert_eq!(
        app.store
            .application(waiting_b)
            .await
            .unwrap()
            .waitlist_rank,
        Some(1)
    );
    assert_eq!(
        app.store
            .application(waiting_a)
            .await
            .unwrap()
            .waitlist_rank,
        Some(2)
    );
    let detail = organiser.get_text(&page).await;
    assert!(detail.contains("遠方から参加のため"));
    assert!(detail.contains("2 → 1"));
    assert!(detail.contains("電車"));

    // Cancelling the first peer supporter offers the place to the new first in line.
    let first = format!("/manage/applications/{}", ids[0].0);
    organiser
        .submit(
            &first,
            &first,
            &[
                ("decision", "cancel"),
                ("reason", "ご本人から電話で取り消し"),
                ("confirmed", "yes"),
            ],
        )
        .await;
    let promoted = app.store.application(waiting_b).await.unwrap();
    assert_eq!(promoted.status.as_str(), "held");
    app.store
        .confirm_application(
            training,
            waiting_b,
            app.now(),
            jiff::civil::date(2027, 1, 15),
        )
        .await
        .unwrap();

    // The roster, its counts and its exports.
    let roster = organiser
        .get_text(&format!("/manage/trainings/{training}/applications"))
        .await;
    assert!(roster.contains("参加者 2"));
    assert!(roster.contains("ピアサポーター枠"));
    let csv = organiser
        .get(&format!("/manage/trainings/{training}/applications.csv"))
        .await;
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let bytes = csv.bytes().await.unwrap();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "a BOM, so Excel reads UTF-8"
    );
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(text.starts_with("番号,状態,補欠順,枠,氏名"));
    assert!(text.contains("参加者 2,さんかしゃ 2,p2@example.jp"));
    let confirmed_only = organiser
        .get_text(&format!(
            "/manage/trainings/{training}/applications.csv?status=confirmed"
        ))
        .await;
    assert!(confirmed_only.contains("参加者 2") && !confirmed_only.contains("参加者 1,"));
    let xlsx = organiser
        .get(&format!("/manage/trainings/{training}/applications.xlsx"))
        .await
        .bytes()
        .await
        .unwrap();
    assert!(xlsx.starts_with(b"PK"), "an XLSX is a zip file");

    // Attendance for the day, and the sign-in sheet.
    let attendance = format!("/manage/trainings/{training}/attendance");
    let present = waiting_b.to_string();
    organiser
        .submit(
            &attendance,
            &attendance,
            &[("day", "2027-06-05"), ("present", &present)],
        )
        .await;
    let marks = app.store.attendance(training).await.unwrap();
    assert!(
        marks
            .iter()
            .any(|m| m.application_id == waiting_b && m.present)
    );
    let sheet = organiser
        .get_text(&format!("/manage/trainings/{training}/sign-in-sheet"))
        .await;
    assert!(sheet.contains("参加者 2"));

    // The facilitators of the training see names, not contact details (nor access needs the
    // applicant did not share); and never the roster.
    let facilitator_id = app
        .store
        .user_by_email(&kizuki_domain::EmailAddress::parse("facilitator@example.jp").unwrap())
        .await
        .unwrap()
        .id;
    lead(&app, facilitator_id, training).await;
    let facilitator = app.signed_in("facilitator@example.jp").await;
    let names = facilitator
        .get_text(&format!("/manage/trainings/{training}/participants"))
        .await;
    assert!(names.contains("参加者 2"));
    assert!(!names.contains("@example.jp"));
    assert!(!names.contains("電車"));
    let roster = facilitator
        .get(&format!("/manage/trainings/{training}/applications"))
        .await;
    assert_eq!(roster.status(), 403);
}

#[tokio::test]
async fn approval_mode_and_the_purge_keep_only_counts() {
    let app = TestApp::builder()
        .user(ORGANISER, Role::Organizer)
        .mail()
        .build()
        .await;
    let training = open_training(&app, 10).await;
    let organiser = app.signed_in(ORGANISER).await;
    let settings = format!("/manage/trainings/{training}/registration");
    organiser
        .submit(
            &settings,
            &settings,
            &[
                ("allocation", "approval"),
                ("hold_minutes", "48"),
                ("offer_hours", "48"),
                ("retention_months", "12"),
            ],
        )
        .await;
    let api = Api::new(&app, None);
    let path = format!("/api/v1/trainings/{training}/applications");
    let mut ids = Vec::new();
    for index in 0..6 {
        let (status, body) = api
            .send(reqwest::Method::POST, &path, Some(json!({"name": format!("承認 {index}"), "email": format!("a{index}@example.jp"), "backgrounds": ["service_provider_now"], "consent": true, "lang": "en"})))
            .await;
        assert_eq!(
            (status, body["status"].as_str()),
            (201, Some("pending_approval"))
        );
        ids.push(
            app.application_id(training, &format!("a{index}@example.jp"))
                .await,
        );
    }
    let token = token_for(&app, ORGANISER).await;
    let organiser_api = Api::new(&app, Some(token));
    for id in &ids {
        let (status, body) = organiser_api
            .send(
                reqwest::Method::POST,
                &format!("/api/v1/applications/{id}/decision"),
                Some(json!({"decision": "seat", "reason": "書類を確認しました"})),
            )
            .await;
        assert_eq!((status, body["status"].as_str()), (200, Some("confirmed")));
    }
    app.smtp()
        .wait_for("a5@example.jp", "Your place is confirmed")
        .await;
    let (status, _) = organiser_api
        .send(
            reqwest::Method::POST,
            &format!("/api/v1/applications/{}/decision", ids[0]),
            Some(json!({"decision": "seat"})),
        )
        .await;
    assert_eq!(status, 422, "no decision without a reason");

    // An applicant can have themselves deleted.
    let mail = app
        .smtp()
        .wait_for("a0@example.jp", "We have your application")
        .await;
    let applicant = open_link(&app, &link_in(&mail.body)).await;
    let response = applicant
        .submit(
            "/en/application",
            "/en/application/delete",
            &[("sure", "yes")],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert!(app.store.application(ids[0]).await.is_err());

    // Purging now keeps the counts for the statistics and nothing personal.
    let before = app.visitor().get_text("/statistics").await;
    assert!(before.contains("<th scope=\"row\">サービスを提供している</th><td>5</td>"));
    let roster = format!("/manage/trainings/{training}/applications");
    organiser
        .submit(
            &roster,
            &format!("/manage/trainings/{training}/purge"),
            &[("sure", "yes")],
        )
        .await;
    assert!(
        app.store
            .roster(training, &Default::default())
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        app.store
            .outbox(Some(training), 100)
            .await
            .unwrap()
            .is_empty()
    );
    let after = app.visitor().get_text("/statistics").await;
    assert!(after.contains("<th scope=\"row\">サービスを提供している</th><td>5</td>"));
    assert!(!after.contains("承認 1"));
}

#[tokio::test]
async fn confirmed_participants_are_reminded_once_the_day_before() {
    let app = TestApp::new().await;
    let training = open_training(&app, 5).await;
    let api = Api::new(&app, None);
    let (_, body) = api
        .send(
            reqwest::Method::POST,
            &format!("/api/v1/trainings/{training}/applications"),
            Some(json!({"name": "思い出す", "email": "remind@example.jp", "backgrounds": ["other"], "consent": true})),
        )
        .await;
    assert_eq!(body["status"], "held");
    let id = app.application_id(training, "remind@example.jp").await;
    app.store
        .confirm_application(training, id, app.now(), jiff::civil::date(2027, 1, 15))
        .await
        .unwrap();
    let reminders = |entries: Vec<kizuki_store::OutboxEntry>| {
        entries.iter().filter(|e| e.kind == "reminder").count()
    };
    // 137 days on it is 1 June: the training (5 June) is four days away; on 3 June, two.
    app.advance_clock(137 * 24 * 3600);
    app.tick().await;
    assert_eq!(
        reminders(app.store.outbox(Some(training), 50).await.unwrap()),
        0
    );
    app.advance_clock(2 * 24 * 3600);
    app.tick().await;
    assert_eq!(
        reminders(app.store.outbox(Some(training), 50).await.unwrap()),
        0
    );
    // 4 June, the day before.
    app.advance_clock(24 * 3600);
    app.tick().await;
    app.tick().await;
    assert_eq!(
        reminders(app.store.outbox(Some(training), 50).await.unwrap()),
        1
    );
}

/// Links a facilitator profile to `user_id` and makes it a facilitator of `training`.
async fn lead(app: &TestApp, user_id: i64, training: i64) {
    let person = app
        .store
        .create_person(
            &kizuki_store::PersonInput {
                name: "担当 ファシリテーター",
                name_en: "",
                bio: "",
                bio_en: "",
                user_id: Some(user_id),
            },
            app.now(),
        )
        .await
        .unwrap();
    app.sql_execute(&format!(
        "INSERT INTO training_facilitators (training_id, person_id, position) \
         VALUES ({training}, {person}, 0)"
    ))
    .await;
}

#[tokio::test]
async fn a_facilitator_opens_the_lists_of_the_trainings_they_lead_only() {
    let app = TestApp::builder()
        .user("admin@example.jp", Role::Admin)
        .user(ORGANISER, Role::Organizer)
        .user("host@example.jp", Role::Host)
        .user("researcher@example.jp", Role::Researcher)
        .no_rate_limit()
        .build()
        .await;
    let first = app.create_user("fac1@example.jp", Role::Facilitator).await;
    let second = app.create_user("fac2@example.jp", Role::Facilitator).await;
    app.create_user("fac3@example.jp", Role::Facilitator).await;
    let trainings = [
        open_training(&app, 10).await,
        open_training(&app, 10).await,
        open_training(&app, 10).await,
    ];
    lead(&app, first, trainings[0]).await;
    lead(&app, second, trainings[1]).await;
    // Two confirmed participants on each: one shares their access needs with facilitators.
    let client = reqwest::Client::new();
    for &training in &trainings {
        for (who, share) in [("share", true), ("keep", false)] {
            let email = format!("{who}{training}@example.jp");
            let response = client
                .post(format!(
                    "{}/api/v1/trainings/{training}/applications",
                    app.base_url()
                ))
                .json(&json!({
                    "name": format!("参加 {who}{training}"),
                    "email": email,
                    "backgrounds": ["peer_supporter"],
                    "access_needs": format!("{who}の配慮 {training}"),
                    "share_access_needs": share,
                    "consent": true
                }))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 201);
            let id = app.application_id(training, &email).await;
            app.store
                .confirm_application(training, id, app.now(), kizuki_web::today(app.now()))
                .await
                .unwrap();
        }
    }
    // Every role against every training.
    let leads = |email: &str, training: i64| match email {
        "admin@example.jp" | ORGANISER => true,
        "fac1@example.jp" => training == trainings[0],
        "fac2@example.jp" => training == trainings[1],
        _ => false,
    };
    for email in [
        "admin@example.jp",
        ORGANISER,
        "fac1@example.jp",
        "fac2@example.jp",
        "fac3@example.jp",
        "host@example.jp",
        "researcher@example.jp",
    ] {
        let visitor = app.signed_in(email).await;
        for &training in &trainings {
            let response = visitor
                .get(&format!("/manage/trainings/{training}/participants"))
                .await;
            let status = response.status().as_u16();
            let page = response.text().await.unwrap();
            if leads(email, training) {
                assert_eq!(status, 200, "{email} on training {training}");
                assert!(page.contains(&format!("参加 share{training}")), "{page}");
                assert!(page.contains(&format!("shareの配慮 {training}")), "{page}");
                assert!(
                    !page.contains(&format!("keepの配慮 {training}")),
                    "access needs not shared are not shown"
                );
            } else {
                assert_eq!(status, 403, "{email} on training {training}");
                assert!(!page.contains(&format!("参加 share{training}")));
            }
            // Who came: the same people may see it and record it, and no one else.
            let attendance = format!("/manage/trainings/{training}/attendance");
            let sheet = visitor.get(&attendance).await;
            let expected = if leads(email, training) { 200 } else { 403 };
            assert_eq!(sheet.status().as_u16(), expected, "{email} on {attendance}");
            let share = app
                .application_id(training, &format!("share{training}@example.jp"))
                .await;
            let recorded = visitor
                .submit(
                    "/dashboard",
                    &attendance,
                    &[("day", "2027-06-05"), ("present", &share.to_string())],
                )
                .await;
            let expected = if leads(email, training) { 303 } else { 403 };
            assert_eq!(
                recorded.status().as_u16(),
                expected,
                "{email} records on {attendance}"
            );
        }
    }
    let marks = app.store.attendance(trainings[0]).await.unwrap();
    assert!(
        marks.iter().any(|mark| mark.present),
        "a facilitator's record is kept"
    );
    // The facilitator's dashboard lists the trainings they lead, with their lists.
    let dashboard = app
        .signed_in("fac1@example.jp")
        .await
        .get_text("/dashboard")
        .await;
    assert!(dashboard.contains(&format!("/manage/trainings/{}/participants", trainings[0])));
    assert!(!dashboard.contains(&format!("/manage/trainings/{}/participants", trainings[1])));
    assert!(dashboard.contains(&format!("/manage/trainings/{}/attendance", trainings[0])));
    assert!(dashboard.contains("参加者 2 人"), "{dashboard}");
}

#[tokio::test]
async fn the_private_page_stays_open_half_an_hour_and_closes_on_this_device() {
    let app = TestApp::builder().mail().no_rate_limit().build().await;
    let training = open_training(&app, 10).await;
    let response = reqwest::Client::new()
        .post(format!(
            "{}/api/v1/trainings/{training}/applications",
            app.base_url()
        ))
        .json(&json!({
            "name": "共用 端末",
            "email": "shared@example.jp",
            "backgrounds": ["family"],
            "consent": true
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let received = app
        .smtp()
        .wait_for("shared@example.jp", "お申し込みの確認")
        .await;
    let link = link_in(&received.body);
    let visitor = app.visitor();
    let opened = visitor
        .get(&link[link.find("/application").unwrap()..])
        .await;
    let half_an_hour = |response: &reqwest::Response| {
        crate::support::set_cookies(response)
            .iter()
            .any(|c| c.starts_with("kizuki_application=") && c.contains("Max-Age=1800"))
    };
    assert!(
        half_an_hour(&opened),
        "{:?}",
        crate::support::set_cookies(&opened)
    );
    // Each visit starts the half hour again; the page says so and offers to close.
    let page = visitor.get("/application").await;
    assert_eq!(page.status(), 200);
    assert!(half_an_hour(&page));
    let page = page.text().await.unwrap();
    assert!(page.contains("id=\"close-device\""));
    assert!(page.contains("30 分"));
    // Closed on this device: the cookie goes, the page no longer opens here, the application
    // stays and its link opens it again.
    let closed = visitor
        .submit("/application", "/application/close", &[])
        .await;
    assert_eq!(closed.status(), 303);
    assert!(
        crate::support::set_cookies(&closed)
            .iter()
            .any(|c| c.starts_with("kizuki_application=;") && c.contains("Max-Age=0"))
    );
    assert_eq!(visitor.get("/application").await.status(), 404);
    let again = app.visitor();
    again.get(&link[link.find("/application").unwrap()..]).await;
    assert_eq!(again.get("/application").await.status(), 200);
}

#[tokio::test]
async fn a_full_training_says_so_and_offers_the_waitlist_with_its_length() {
    let app = TestApp::builder().no_rate_limit().build().await;
    let training = open_training(&app, 1).await;
    let apply = |n: usize| {
        reqwest::Client::new()
            .post(format!(
                "{}/api/v1/trainings/{training}/applications",
                app.base_url()
            ))
            .json(&json!({
                "name": format!("満席 {n}"),
                "email": format!("full{n}@example.jp"),
                "backgrounds": ["family"],
                "consent": true
            }))
            .send()
    };
    let visitor = app.visitor();
    let page = visitor.get_text(&format!("/trainings/{training}")).await;
    assert!(!page.contains("id=\"full-badge\""), "one seat is free");
    assert!(page.contains("id=\"apply-button\""));
    assert_eq!(apply(0).await.unwrap().status(), 201);
    let status_of = |page: &str| page.contains("id=\"full-badge\"");
    // Anonymous visitors' pages are cached for a second (microcache): wait that out.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let page = visitor.get_text(&format!("/trainings/{training}")).await;
    assert!(status_of(&page), "{page}");
    assert!(
        page.contains("補欠として申し込む（現在 0 人待ち）"),
        "{page}"
    );
    assert_eq!(apply(1).await.unwrap().status(), 201);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let page = visitor.get_text(&format!("/en/trainings/{training}")).await;
    assert!(page.contains("Join the waitlist (1 waiting)"), "{page}");
    let form = visitor
        .get_text(&format!("/trainings/{training}/apply"))
        .await;
    assert!(form.contains("id=\"apply-full\""));
    assert!(form.contains(">補欠として申し込む</button>"), "{form}");
    // The catalogue's card says so too, and the home page's.
    for path in ["/trainings", "/"] {
        let list = visitor.get_text(path).await;
        let card_start = list.find("IPS基礎研修 定員のテスト").unwrap();
        let card = &list[list[..card_start].rfind("<li").unwrap()..card_start];
        assert!(card.contains("status-full"), "{path}: {card}");
    }
}
