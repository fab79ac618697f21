//! Hostile files: codebooks nested thousands deep, GUIDs used twice, archives that inflate a
//! thousandfold, a `.docx` that is not one, transcripts too long, and trees joined past the
//! depth limit on the board. Each is refused with a 422 that names the limit, and the server
//! goes on answering (before, the deep ones overflowed the stack and aborted the process, this
//! test's process with it).

use std::io::Write;

use kizuki_domain::Role;
use kizuki_domain::qda::tree::MAX_DEPTH;
use reqwest::Method;
use serde_json::{Value, json};

use crate::api_catalogue::{Api, token_for};
use crate::qda::new_project;
use crate::support::TestApp;

async fn researcher() -> (TestApp, String, Api) {
    let app = TestApp::builder()
        .user("res@example.jp", Role::Researcher)
        .build()
        .await;
    let token = token_for(&app, "res@example.jp").await;
    let api = Api::new(&app, Some(token.clone()));
    (app, token, api)
}

/// An import through the API, and the message of its refusal if any.
async fn import(app: &TestApp, token: &str, file_name: &str, body: Vec<u8>) -> (u16, String) {
    let (status, body) =
        crate::qda_exchange::import(app, token, &format!("file_name={file_name}"), body).await;
    (
        status,
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

async fn still_answers(app: &TestApp) {
    let response = reqwest::get(format!("{}/healthz", app.base_url()))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

fn nested_codebook(depth: usize) -> Vec<u8> {
    let mut xml =
        String::from("<?xml version=\"1.0\"?><CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\"><Codes>");
    for level in 0..depth {
        xml.push_str(&format!(
            "<Code guid=\"00000000-0000-4000-8000-{level:012x}\" name=\"c{level}\">"
        ));
    }
    xml.push_str(&"</Code>".repeat(depth));
    xml.push_str("</Codes></CodeBook>");
    xml.into_bytes()
}

fn archive(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().large_file(true);
    for (name, content) in members {
        zip.start_file(*name, options).unwrap();
        zip.write_all(content).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[tokio::test]
async fn deep_and_doubled_codebooks_are_refused_with_the_reason() {
    let (app, token, _) = researcher().await;
    let (status, message) = import(&app, &token, "deep.qdc", nested_codebook(5_000)).await;
    assert_eq!(status, 422, "{message}");
    assert!(message.contains("32"), "{message}");
    still_answers(&app).await;
    let (status, _) = import(&app, &token, "deep.qdc", nested_codebook(MAX_DEPTH)).await;
    assert_eq!(status, 201, "the limit itself is accepted");
    let doubled = b"<CodeBook><Codes>\
        <Code guid=\"00000000-0000-4000-8000-0000000000c1\" name=\"a\"/>\
        <Code guid=\"00000000-0000-4000-8000-0000000000C1\" name=\"b\"/></Codes></CodeBook>";
    let (status, message) = import(&app, &token, "doubled.qdc", doubled.to_vec()).await;
    assert_eq!(status, 422, "{message}");
    assert!(
        message.contains("00000000-0000-4000-8000-0000000000c1") && message.contains("GUID"),
        "{message}"
    );
}

#[tokio::test]
async fn archives_that_inflate_and_texts_too_long_are_refused_by_their_limit() {
    let (app, token, _) = researcher().await;
    let qde = "<Project name=\"x\"><Sources><TextSource guid=\"00000000-0000-4000-8000-0000000000d1\" \
               name=\"s\" plainTextPath=\"internal://s.txt\"/></Sources></Project>";
    // 130 KB that unpack to 128 MiB, twice the limit.
    let spaces = vec![b' '; 128 << 20];
    let bomb = archive(&[("project.qde", qde.as_bytes()), ("sources/s.txt", &spaces)]);
    drop(spaces);
    assert!(bomb.len() < 200 << 10, "{} bytes", bomb.len());
    let (status, message) = import(&app, &token, "bomb.qdpx", bomb).await;
    assert_eq!(status, 422, "{message}");
    assert!(message.contains("64 MB"), "{message}");
    still_answers(&app).await;
    // A transcript of 350,000 characters comes in; one of a million and one does not.
    let long = "P01：とても長い話です。\n".repeat(25_000);
    assert_eq!(long.chars().count(), 350_000);
    let (status, message) = import(&app, &token, "long.txt", long.into_bytes()).await;
    assert_eq!(status, 201, "{message}");
    let too_long = "あ".repeat(1_000_001);
    let (status, message) = import(&app, &token, "too-long.txt", too_long.into_bytes()).await;
    assert_eq!(status, 422, "{message}");
    assert!(message.contains("1,000,000"), "{message}");
    let in_archive = archive(&[
        ("project.qde", qde.as_bytes()),
        ("sources/s.txt", "あ".repeat(1_000_001).as_bytes()),
    ]);
    let (status, message) = import(&app, &token, "long.qdpx", in_archive).await;
    assert_eq!(status, 422, "{message}");
    assert!(message.contains("1,000,000"), "{message}");
}

#[tokio::test]
async fn a_file_named_docx_that_is_not_one_is_refused_as_such() {
    let (app, token, _) = researcher().await;
    for body in [
        "司会：これは本当はテキストです".as_bytes().to_vec(),
        archive(&[("notes.txt", b"not word")]),
    ] {
        let (status, message) = import(&app, &token, "interview.docx", body).await;
        assert_eq!(status, 422, "{message}");
        assert!(message.contains("DOCX"), "{message}");
    }
}

#[tokio::test]
async fn no_board_change_makes_the_tree_deeper_than_the_limit() {
    let (app, _, api) = researcher().await;
    let project = new_project(&api, "深さ").await;
    // Two chains, of 20 and of 13 groups: each fits, joined they are one level too deep.
    let mut chains = Vec::new();
    for length in [20, MAX_DEPTH - 20 + 1] {
        let mut parent: Option<i64> = None;
        let mut top = None;
        for level in 0..length {
            let (status, group) = api
                .send(
                    Method::POST,
                    &format!("/api/v1/qda/projects/{project}/groups"),
                    Some(json!({"label": format!("g{level}"), "parent_id": parent})),
                )
                .await;
            assert_eq!(status, 201, "{group}");
            parent = group["id"].as_i64();
            top = top.or(parent);
        }
        chains.push((top.unwrap(), parent.unwrap()));
    }
    let (status, refused) = api
        .send(
            Method::POST,
            &format!("/api/v1/qda/projects/{project}/board/move"),
            Some(json!({"nodes": [chains[1].0], "parent": chains[0].1})),
        )
        .await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused.to_string().contains("32"), "{refused}");
    let (status, refused) = api
        .send(
            Method::POST,
            &format!("/api/v1/qda/projects/{project}/groups"),
            Some(json!({"label": "外", "member_ids": [chains[0].0, chains[1].0]})),
        )
        .await;
    assert_eq!(status, 201, "a group around both is fine: {refused}");
    let (status, refused) = api
        .send(
            Method::POST,
            &format!("/api/v1/qda/projects/{project}/groups"),
            Some(json!({"label": "deeper", "member_ids": [chains[1].0], "parent_id": chains[0].1})),
        )
        .await;
    assert_eq!(status, 422, "{refused}");
    // One level less fits, and every page and file of the tree still comes.
    let (status, moved) = api
        .send(
            Method::POST,
            &format!("/api/v1/qda/projects/{project}/groups"),
            Some(json!({"label": "内", "parent_id": chains[0].1})),
        )
        .await;
    assert_eq!(status, 201, "{moved}");
    for path in ["board", "export.qdpx", "codebook.qdc", "table.csv"] {
        let (status, _) = api
            .send(
                Method::GET,
                &format!("/api/v1/qda/projects/{project}/{path}"),
                None,
            )
            .await;
        assert_eq!(status, 200, "{path}");
    }
    still_answers(&app).await;
}

/// The answers to an application from `email`, through the API and through the form.
async fn apply_both_ways(app: &TestApp, training: i64, email: &str) -> (u16, Value, String) {
    let (status, body) = Api::new(app, None)
        .send(
            Method::POST,
            &format!("/api/v1/trainings/{training}/applications"),
            Some(json!({"name": "知られたくない人", "email": email, "backgrounds": ["service_user_now"], "consent": true})),
        )
        .await;
    let form = format!("/trainings/{training}/apply");
    let response = app
        .visitor()
        .submit(
            &form,
            &form,
            &[
                ("name", "知られたくない人"),
                ("email", email),
                ("background", "service_user_now"),
                ("consent", "yes"),
            ],
        )
        .await;
    (status, body, crate::support::location(&response))
}

#[tokio::test]
async fn no_answer_tells_whether_an_address_applied() {
    let app = TestApp::builder().mail().no_rate_limit().build().await;
    let training = crate::registration::open_training(&app, 3).await;
    // The person applies; then someone who knows their address tries it, in other letters.
    let (status, first, _) = apply_both_ways(&app, training, "known@example.jp").await;
    assert_eq!((status, first["status"].as_str()), (201, Some("held")));
    let seats_before = app.store.seats(training, app.now()).await.unwrap();
    let (status, probe, probe_page) =
        apply_both_ways(&app, training, "ＫＮＯＷＮ＠Example.jp").await;
    let (new_status, fresh, fresh_page) = apply_both_ways(&app, training, "new@example.jp").await;
    assert_eq!(
        (status, &probe),
        (new_status, &fresh),
        "the API answers alike"
    );
    assert_eq!(
        probe_page.replace("known", "new"),
        fresh_page,
        "the form answers alike"
    );
    assert_eq!(
        probe.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["position", "status"]
    );
    // Nothing changed for the known address; its owner is told, with the link they have.
    let seats_after = app.store.seats(training, app.now()).await.unwrap();
    assert_eq!(
        seats_after.taken,
        seats_before.taken + 1,
        "only the new address took a seat"
    );
    let smtp = app.smtp();
    let received = smtp.wait_for("known@example.jp", "お申し込みの確認").await;
    let notice = smtp
        .wait_for("known@example.jp", "お申し込みについて")
        .await;
    assert_eq!(
        crate::support::link_in(&notice.body),
        crate::support::link_in(&received.body)
    );
    // An address with a hidden character is refused as such, not stored.
    let (status, refused, _) = apply_both_ways(&app, training, "kno\u{200b}wn@example.jp").await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused.to_string().contains("invisible"), "{refused}");
}

#[tokio::test]
async fn private_links_are_put_in_as_mail_is_sent_and_never_stored() {
    let app = TestApp::builder().mail().build().await;
    let training = crate::registration::open_training(&app, 3).await;
    apply_both_ways(&app, training, "private@example.jp").await;
    let received = app
        .smtp()
        .wait_for("private@example.jp", "お申し込みの確認")
        .await;
    assert!(crate::support::link_in(&received.body).contains("kza_"));
    let everything = format!("{:?}", app.whole_database().await);
    assert!(
        !everything.contains("kza_"),
        "no private link anywhere in the database"
    );
}

/// Connections that send half a request and then nothing.
async fn half_open(base: &str, count: usize) -> Vec<tokio::net::TcpStream> {
    use tokio::io::AsyncWriteExt;
    let address = base.trim_start_matches("http://").to_owned();
    let mut streams = Vec::with_capacity(count);
    for _ in 0..count {
        let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: slow\r\n")
            .await
            .unwrap();
        streams.push(stream);
    }
    streams
}

async fn health_within(base: &str, limit: std::time::Duration) {
    let started = std::time::Instant::now();
    let health = reqwest::Client::new()
        .get(format!("{base}/healthz"))
        .timeout(std::time::Duration::from_secs(10))
        .send()
        .await
        .expect("the server still answers");
    assert_eq!(health.status(), 200);
    assert!(
        started.elapsed() < limit,
        "answered after {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn slow_clients_neither_stop_the_server_nor_stay_connected() {
    use tokio::io::AsyncReadExt;
    let app = TestApp::new().await;
    let server = app.serve_process(&["--header-timeout", "2"]).await;
    let mut streams = half_open(&server.base, 200).await;
    health_within(&server.base, std::time::Duration::from_secs(1)).await;
    // Every half-open connection is closed by the server once the header timeout has passed.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    for stream in &mut streams {
        let mut buffer = [0u8; 512];
        let read = tokio::time::timeout(
            std::time::Duration::from_millis(200),
            stream.read(&mut buffer),
        )
        .await;
        // Closed: an end of file or a reset (hyper closes without answering).
        assert!(
            matches!(read, Ok(Ok(0)) | Ok(Err(_))),
            "a slow connection is still open: {read:?}"
        );
    }
    // With more half-open connections than the server takes at once, it still answers, as
    // soon as the oldest are closed.
    let limited = app
        .serve_process(&["--header-timeout", "2", "--max-connections", "150"])
        .await;
    let _streams = half_open(&limited.base, 200).await;
    health_within(&limited.base, std::time::Duration::from_secs(4)).await;
}

#[tokio::test]
async fn only_the_keys_keepers_bring_text_in_and_learn_what_the_key_replaced() {
    let app = TestApp::builder()
        .user("res@example.jp", Role::Researcher)
        .user("member@example.jp", Role::Researcher)
        .build()
        .await;
    let keeper = Api::new(&app, Some(token_for(&app, "res@example.jp").await));
    let member_token = token_for(&app, "member@example.jp").await;
    let member = Api::new(&app, Some(member_token.clone()));
    let project = new_project(&keeper, "鍵").await;
    keeper
        .send(
            Method::PUT,
            &format!("/api/v1/qda/projects/{project}/pseudonyms"),
            Some(json!([{"real": "田中さん", "pseudonym": "P03"}])),
        )
        .await;
    let (status, _) = keeper
        .send(
            Method::POST,
            &format!("/api/v1/qda/projects/{project}/members"),
            Some(json!({"email": "member@example.jp"})),
        )
        .await;
    assert_eq!(status, 204);
    let guess = json!({"name": "確かめ", "text": "田中さん：こんにちは"});
    let path = format!("/api/v1/qda/projects/{project}/transcripts");
    // A member who could import a made-up text and read it back would see which guessed
    // names the key turns into pseudonyms.
    let (status, by_member) = member.send(Method::POST, &path, Some(guess.clone())).await;
    assert_eq!(status, 403, "{by_member}");
    assert!(
        by_member["error"]["message"]
            .as_str()
            .unwrap()
            .contains("key keepers")
    );
    let (status, imported) = crate::qda_exchange::import(
        &app,
        &member_token,
        &format!("file_name=guess.txt&project={project}"),
        "田中さん：どうも".as_bytes().to_vec(),
    )
    .await;
    assert_eq!(status, 403, "{imported}");
    assert!(
        app.store.transcripts(project).await.unwrap().is_empty(),
        "nothing came in"
    );
    let (status, by_keeper) = keeper.send(Method::POST, &path, Some(guess)).await;
    assert_eq!(status, 201);
    assert_eq!(by_keeper["replaced"], 1);

    // On the project page, the member is told whom to ask instead of being shown the forms;
    // posting them anyway is refused.
    let member_page = app.signed_in("member@example.jp").await;
    let page = member_page
        .get_text(&format!("/research/projects/{project}"))
        .await;
    assert!(page.contains(&crate::support::text(
        kizuki_i18n::Lang::Ja,
        "qda.project.import_keepers_only"
    )));
    assert!(!page.contains(&format!(
        "action=\"/research/projects/{project}/transcripts\""
    )));
    let refused = member_page
        .submit(
            &format!("/research/projects/{project}"),
            &format!("/research/projects/{project}/transcripts"),
            &[("name", "確かめ"), ("text", "田中さん：こんにちは")],
        )
        .await;
    assert_eq!(refused.status(), 403);
    assert_eq!(app.store.transcripts(project).await.unwrap().len(), 1);
}

#[tokio::test]
async fn one_client_cannot_hold_every_seat() {
    let app = TestApp::new().await;
    let training = crate::registration::open_training(&app, 30).await;
    let api = Api::new(&app, None);
    let mut answers = Vec::new();
    for n in 0..30 {
        let (status, _) = api
            .send(
                Method::POST,
                &format!("/api/v1/trainings/{training}/applications"),
                Some(json!({"name": format!("架空 {n}"), "email": format!("made-up{n}@example.jp"), "backgrounds": ["other"], "consent": true})),
            )
            .await;
        answers.push(status);
    }
    let held = answers.iter().filter(|s| **s == 201).count();
    assert_eq!(held, kizuki_web::APPLICATIONS_PER_CLIENT_PER_HOLD as usize);
    assert!(answers[held..].iter().all(|s| *s == 429), "{answers:?}");
    let seats = app.store.seats(training, app.now()).await.unwrap();
    assert_eq!(seats.taken, held as i64);
    // Unconfirmed, the holds lapse within the default half hour and the seats are free again.
    app.advance_clock(31 * 60);
    app.tick().await;
    let seats = app.store.seats(training, app.now()).await.unwrap();
    assert_eq!(seats.taken, 0);
}

#[tokio::test]
async fn names_that_turn_the_text_around_stay_in_their_place() {
    let app = TestApp::builder()
        .user("org@example.jp", Role::Organizer)
        .build()
        .await;
    let training = crate::registration::open_training(&app, 3).await;
    let reversed = "\u{202e}ウソの名前";
    Api::new(&app, None)
        .send(
            Method::POST,
            &format!("/api/v1/trainings/{training}/applications"),
            Some(json!({"name": reversed, "email": "bidi@example.jp", "backgrounds": ["other"], "consent": true})),
        )
        .await;
    let organiser = app.visitor();
    organiser
        .sign_in("org@example.jp", crate::support::PASSWORD)
        .await;
    let roster = organiser
        .get_text(&format!("/manage/trainings/{training}/applications"))
        .await;
    assert!(
        roster.contains(&format!("<bdi>{reversed}</bdi>")),
        "the name is isolated from the text around it"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_server_killed_mid_rush_loses_no_acknowledged_application_and_oversells_nothing() {
    const CAPACITY: i64 = 20;
    const APPLICANTS: usize = 240;
    let app = TestApp::new().await;
    let training = crate::registration::open_training(&app, CAPACITY).await;
    let mut doomed = app.serve_process(&["--rate-limit", "off"]).await;
    let survivor = app.serve_process(&["--rate-limit", "off"]).await;
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(20))
        .build()
        .unwrap();
    let answered_by_doomed = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for index in 0..APPLICANTS {
        let base = if index % 2 == 0 {
            &doomed.base
        } else {
            &survivor.base
        };
        let url = format!("{base}/api/v1/trainings/{training}/applications");
        let client = client.clone();
        let answered = std::sync::Arc::clone(&answered_by_doomed);
        tasks.push(tokio::spawn(async move {
            let email = format!("rush{index}@example.jp");
            let response = client
                .post(url)
                .json(&json!({"name": format!("応募 {index}"), "email": email, "backgrounds": ["other"], "consent": true}))
                .send()
                .await;
            let status = response.map(|r| r.status().as_u16()).unwrap_or(0);
            if index % 2 == 0 && status == 201 {
                answered.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
            (email, status)
        }));
    }
    // Mid-rush — once the doomed server has answered a few — it dies without a word.
    let waiting = std::time::Instant::now();
    while answered_by_doomed.load(std::sync::atomic::Ordering::SeqCst) < 5
        && waiting.elapsed() < std::time::Duration::from_secs(20)
    {
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    doomed.kill_now();
    let mut acknowledged = Vec::new();
    let (mut doomed_acknowledged, mut doomed_lost) = (0, 0);
    for (index, task) in tasks.into_iter().enumerate() {
        let (email, status) = task.await.unwrap();
        assert!(matches!(status, 0 | 201), "{email}: {status}");
        if index % 2 == 0 {
            if status == 201 {
                doomed_acknowledged += 1;
            } else {
                doomed_lost += 1;
            }
        }
        if status == 201 {
            acknowledged.push(email);
        }
    }
    // The kill came mid-rush: the doomed server had answered some and not others.
    assert!(
        doomed_acknowledged > 0 && doomed_lost > 0,
        "{doomed_acknowledged} answered, {doomed_lost} not"
    );
    assert!(
        acknowledged.len() >= APPLICANTS / 2,
        "the survivor took its half"
    );
    for email in &acknowledged {
        app.store
            .application_by_email(training, email)
            .await
            .unwrap_or_else(|_| panic!("{email} was told 201 and is not stored"));
    }
    let seats = app.store.seats(training, app.now()).await.unwrap();
    assert!(
        seats.taken <= CAPACITY,
        "{} seats taken of {CAPACITY}",
        seats.taken
    );
    let positions = app
        .sql_number(&format!(
            "SELECT COUNT(*) - COUNT(DISTINCT waitlist_position) FROM applications \
             WHERE training_id = {training} AND status = 'waitlisted'"
        ))
        .await;
    assert_eq!(
        positions,
        Some(0),
        "no place on the waitlist is given twice"
    );
}
