//! Anonymous questionnaires, end to end: codes, answers, results with small cells hidden,
//! coding, k lowered by an administrator, and proof, by reading every table of the database,
//! that nothing ties an answer to its code, a person or a moment.

use std::collections::BTreeSet;

use kizuki_domain::Role;
use kizuki_domain::questionnaire::code;
use reqwest::Method;
use serde_json::{Value, json};

use crate::api_catalogue::{Api, token_for};
use crate::registration::open_training;
use crate::support::TestApp;

/// The seed's 13 answers to "would you like to attend again?": 11 want to, 1 does not know, 1
/// wants to rest first (written for the test).
fn seed_answers() -> Vec<(String, usize)> {
    let mut answers: Vec<(String, usize)> = (1..=11)
        .map(|n| (format!("また参加したいです（回答 {n}）"), 0))
        .collect();
    answers.push(("まだわかりません".to_owned(), 1));
    answers.push((
        "自分を休ませたいので、今はまだ参加したいとは思えません".to_owned(),
        2,
    ));
    answers
}

pub async fn questionnaire(organiser: &Api, training: i64) -> (i64, i64, i64, i64) {
    let (status, body) = organiser
        .send(
            Method::POST,
            &format!("/api/v1/trainings/{training}/questionnaires"),
            Some(json!({
                "title": "研修会のふりかえり",
                "title_en": "After the training",
                "questions": [
                    {"kind": "free_text", "prompt": "研修会はいかがでしたか", "prompt_en": "How was the training for you?"},
                    {"kind": "free_text", "prompt": "また参加したいですか。なぜですか", "prompt_en": "Would you like to attend again? Why?"},
                    {"kind": "single_choice", "prompt": "立場", "options": [
                        {"label": "当事者", "label_en": "Service user"},
                        {"label": "支援者", "label_en": "Provider"}
                    ]}
                ]
            })),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_i64().unwrap();
    let question = |i: usize| body["questions"][i]["id"].as_i64().unwrap();
    (id, question(0), question(1), question(2))
}

/// Closes a questionnaire through the API, as its organiser.
pub async fn close(organiser: &Api, id: i64) {
    let (status, body) = organiser
        .send(
            Method::POST,
            &format!("/api/v1/questionnaires/{id}/close"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

pub async fn codes(organiser: &Api, id: i64, count: i64) -> Vec<String> {
    let (status, body) = organiser
        .send(
            Method::POST,
            &format!("/api/v1/questionnaires/{id}/tokens"),
            Some(json!({ "count": count })),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    body["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_owned())
        .collect()
}

/// Every count under `k` that a results document shows, wherever it is: a `count` that is a
/// number, or a `shown` text that is one (as `path = value`).
fn small_counts_shown(results: &Value, k: i64) -> Vec<String> {
    fn walk(value: &Value, path: &str, k: i64, found: &mut Vec<String>) {
        match value {
            Value::Object(fields) => {
                for (name, field) in fields {
                    let here = format!("{path}.{name}");
                    let number = match (name.as_str(), field) {
                        ("count", Value::Number(n)) => n.as_i64(),
                        ("shown", Value::String(text)) => text.trim().parse::<i64>().ok(),
                        _ => None,
                    };
                    match number {
                        Some(n) if n < k => found.push(format!("{here} = {n}")),
                        _ => walk(field, &here, k, found),
                    }
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(item, &format!("{path}[{i}]"), k, found);
                }
            }
            _ => {}
        }
    }
    let mut found = Vec::new();
    walk(&results["questions"], "questions", k, &mut found);
    found
}

/// Sends one answer as anyone would (no account); answers the status.
async fn answer(app: &TestApp, token: &str, answers: Value) -> u16 {
    Api::new(app, None)
        .send(
            Method::POST,
            "/api/v1/answers",
            Some(json!({ "token": token, "answers": answers })),
        )
        .await
        .0
}

#[tokio::test]
async fn thirteen_attendees_answer_and_the_researcher_codes_the_seed_table() {
    let app = TestApp::builder()
        .user("org@example.jp", Role::Organizer)
        .user("res@example.jp", Role::Researcher)
        .user("res2@example.jp", Role::Researcher)
        .user("admin@example.jp", Role::Admin)
        .build()
        .await;
    let training = open_training(&app, 30).await;
    let organiser = Api::new(&app, Some(token_for(&app, "org@example.jp").await));
    let researcher = Api::new(&app, Some(token_for(&app, "res@example.jp").await));
    let second = Api::new(&app, Some(token_for(&app, "res2@example.jp").await));
    let admin = Api::new(&app, Some(token_for(&app, "admin@example.jp").await));
    let public = Api::new(&app, None);
    let (id, how, again, role) = questionnaire(&organiser, training).await;
    let codes = codes(&organiser, id, 13).await;
    assert_eq!(codes.iter().collect::<BTreeSet<_>>().len(), 13);
    // Results wait for the close.
    let (status, _) = researcher
        .send(
            Method::GET,
            &format!("/api/v1/questionnaires/{id}/results"),
            None,
        )
        .await;
    assert_eq!(status, 409);

    let answers = seed_answers();
    let first_answer_at = app.now().seconds() + 1;
    for (index, (code, (text, _))) in codes.iter().zip(&answers).enumerate() {
        app.advance_clock(61);
        let (status, body) = public
            .send(
                Method::POST,
                "/api/v1/answers",
                Some(json!({
                    "token": code.to_lowercase(),
                    "answers": {
                        how.to_string(): format!("学びの多い研修でした（{index}）"),
                        again.to_string(): text,
                        // The last respondent leaves this one blank.
                        role.to_string(): if index == 12 { Value::Null } else { json!(1 + (index % 2)) },
                    }
                })),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
    let last_answer_at = app.now().seconds();

    // A used code is refused; an unknown one is not found; a mistake uses nothing up.
    let status = answer(&app, &codes[0], json!({again.to_string(): "もう一度"})).await;
    assert_eq!(status, 409);
    let status = answer(&app, "ABCD-EFGH-JKMN", json!({again.to_string(): "x"})).await;
    assert_eq!(status, 404);
    let spare = self::codes(&organiser, id, 1).await;
    let (status, body) = public
        .send(
            Method::POST,
            "/api/v1/answers",
            Some(json!({"token": spare[0], "answers": {role.to_string(): 7}})),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        app.store
            .code_state(&code::digest(&code::normalize(&spare[0]).unwrap()))
            .await
            .unwrap()
            .map(|s| s.1),
        Some(true)
    );

    app.advance_clock(3600);
    close(&organiser, id).await;
    // Closed: the spare code no longer admits an answer.
    let status = answer(&app, &spare[0], json!({again.to_string(): "遅れて"})).await;
    assert_eq!(status, 409);

    // The researcher defines categories and codes every answer.
    let (status, categories) = researcher
        .send(
            Method::PUT,
            &format!("/api/v1/questionnaires/{id}/questions/{again}/categories"),
            Some(json!([
                {"label": "したい", "definition": "また参加したいという回答"},
                {"label": "わからない"},
                {"label": "今はまだしたいと思えない", "definition": "休みたいなど"}
            ])),
        )
        .await;
    assert_eq!(status, 200, "{categories}");
    let category: Vec<i64> = categories
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    let (_, results) = researcher
        .send(
            Method::GET,
            &format!("/api/v1/questionnaires/{id}/results"),
            None,
        )
        .await;
    assert_eq!(results["released"], true);
    assert_eq!(results["responses"], 13);
    let again_result = results["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["id"] == again)
        .unwrap()
        .clone();
    let read_back: Vec<String> = again_result["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["text"].as_str().unwrap().to_owned())
        .collect();
    let submitted: Vec<String> = answers.iter().map(|(t, _)| t.clone()).collect();
    assert_eq!(
        read_back.iter().collect::<BTreeSet<_>>(),
        submitted.iter().collect::<BTreeSet<_>>()
    );
    assert_ne!(
        read_back, submitted,
        "answers must not come back in the order they were sent"
    );
    for answer in again_result["answers"].as_array().unwrap() {
        let text = answer["text"].as_str().unwrap();
        let which = answers.iter().find(|(t, _)| t == text).unwrap().1;
        for coder in [&researcher, &second] {
            // The second coder reads the "not yet" answer as "do not know".
            let which = if std::ptr::eq(coder, &second) && which == 2 {
                1
            } else {
                which
            };
            let (status, body) = coder
                .send(
                    Method::PUT,
                    &format!("/api/v1/questionnaires/{id}/codes"),
                    Some(json!({"response_id": answer["response_id"], "question_id": again, "categories": [category[which]]})),
                )
                .await;
            assert_eq!(status, 204, "{body}");
        }
    }

    // The seed's table, with its two small cells hidden at k = 5.
    let tally = |results: &Value| -> Vec<(String, Value, String)> {
        let question = results["questions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["id"] == again)
            .unwrap();
        question["tally"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| {
                (
                    row["label"].as_str().unwrap().to_owned(),
                    row["count"]["count"].clone(),
                    row["count"]["shown"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let (_, results) = organiser
        .send(
            Method::GET,
            &format!("/api/v1/questionnaires/{id}/results"),
            None,
        )
        .await;
    assert_eq!(
        small_counts_shown(&results, 5),
        Vec::<String>::new(),
        "no count under k anywhere in the results"
    );
    assert_eq!(
        tally(&results),
        [
            ("したい".to_owned(), json!(11), "11".to_owned()),
            ("わからない".to_owned(), Value::Null, "x".to_owned()),
            (
                "今はまだしたいと思えない".to_owned(),
                Value::Null,
                "x".to_owned()
            ),
        ]
    );
    // 6 + 6 on the choice question and one left blank: the blank is a small cell, so one choice
    // is hidden with it, and so is the number who answered (13 − 12 would give the blank away).
    let role_result = results["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["id"] == role)
        .unwrap();
    let shown: Vec<&str> = role_result["tally"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["count"]["shown"].as_str().unwrap())
        .collect();
    assert_eq!(shown, ["x", "6", "x"]);
    assert_eq!(role_result["tally"][2]["key"], -1);
    assert_eq!(role_result["answered"]["count"], Value::Null);

    // A cross-tabulation hides its small cells too, and more until none can be worked out from
    // everything it shows.
    let page = app
        .signed_in("org@example.jp")
        .await
        .get_text(&format!(
            "/manage/questionnaires/{id}/results?rows={role}&columns={again}"
        ))
        .await;
    let table = &page[page.find("id=\"cross-tab\"").expect("a cross-tabulation")..];
    let table = &table[..table.find("</table>").unwrap()];
    assert!(table.contains("<td>x</td>"), "{table}");
    assert!(!table.contains("<td>1</td>"), "{table}");
    assert!(table.contains("<td>13</td>"), "{table}");

    // Lowering k needs an administrator, and is logged.
    let (status, _) = organiser
        .send(
            Method::POST,
            &format!("/api/v1/questionnaires/{id}/min-cell"),
            Some(json!({"k": 1, "reason": "報告書の表のため"})),
        )
        .await;
    assert_eq!(status, 403);
    let (status, body) = admin
        .send(
            Method::POST,
            &format!("/api/v1/questionnaires/{id}/min-cell"),
            Some(json!({"k": 1, "reason": "報告書の表のため"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, results) = researcher
        .send(
            Method::GET,
            &format!("/api/v1/questionnaires/{id}/results"),
            None,
        )
        .await;
    let shown: Vec<String> = tally(&results).into_iter().map(|(_, _, s)| s).collect();
    assert_eq!(shown, ["11", "1", "1"]);
    // The negative control of the scan above: at k = 1 the same scan, asked about 5, sees the
    // small counts the lowered k now shows.
    let leaks = small_counts_shown(&results, 5);
    assert!(
        leaks.iter().filter(|leak| leak.ends_with("= 1")).count() >= 2,
        "the scan does not see small counts: {leaks:?}"
    );
    let audit = app.store.recent_audit(10).await.unwrap();
    assert!(
        audit.iter().any(|e| e.action == "questionnaire.min_cell"
            && e.detail.contains("5 → 1")
            && e.detail.contains("報告書の表のため")),
        "{audit:?}"
    );

    // The agreement page compares the two coders: 12 of 13, κ ≈ 0.717, one disagreement.
    let page = app
        .signed_in("res@example.jp")
        .await
        .get_text(&format!("/manage/questionnaires/{id}/agreement"))
        .await;
    assert!(
        page.contains("<dd class=\"agreement-compared\">13</dd>"),
        "{page}"
    );
    assert!(page.contains("<dd class=\"agreement-agreed\">12 (92.3%)</dd>"));
    assert!(page.contains("<dd class=\"agreement-kappa\">0.717</dd>"));
    assert!(page.contains("自分を休ませたいので"));

    // Codebook and exports: BOM, no code anywhere.
    let visitor = app.signed_in("res@example.jp").await;
    for file in [
        "answers.csv",
        "tallies.csv",
        "codebook.csv",
        "codebook.json",
    ] {
        let body = visitor
            .get(&format!("/manage/questionnaires/{id}/{file}"))
            .await
            .text()
            .await
            .unwrap();
        if file.ends_with(".csv") {
            assert!(body.starts_with('\u{feff}'), "{file}");
        }
        for code in &codes {
            assert!(
                !body.contains(code.as_str()) && !body.contains(&code::normalize(code).unwrap()),
                "{file} holds a code"
            );
        }
    }
    let codebook = visitor
        .get_text(&format!("/manage/questionnaires/{id}/codebook.csv"))
        .await;
    assert!(
        codebook.contains("今はまだしたいと思えない,,休みたいなど"),
        "{codebook}"
    );

    // The whole database: no code in plain, digests only with the codes, nothing in the answer
    // rows but a random key, the questionnaire and the answers, and no time of answering.
    let dump = app.whole_database().await;
    let digests: BTreeSet<String> = codes
        .iter()
        .map(|c| code::digest(&code::normalize(c).unwrap()))
        .collect();
    for (table, rows) in &dump {
        for row in rows {
            for (column, value) in row {
                for code in &codes {
                    let plain = code::normalize(code).unwrap();
                    assert!(
                        !value.contains(&plain) && !value.contains(code.as_str()),
                        "{table}.{column} holds a code"
                    );
                }
                if table != "questionnaire_tokens" {
                    assert!(
                        !digests.contains(value),
                        "{table}.{column} holds a code's digest"
                    );
                }
                if table.starts_with("questionnaire")
                    && let Ok(number) = value.parse::<i64>()
                {
                    assert!(
                        !(first_answer_at..=last_answer_at).contains(&number),
                        "{table}.{column} = {number} is a time while answers came in"
                    );
                }
                if submitted.iter().any(|text| value.contains(text.as_str())) {
                    assert_eq!(
                        table, "questionnaire_responses",
                        "{table}.{column} holds an answer"
                    );
                }
            }
        }
    }
    let responses = &dump["questionnaire_responses"];
    assert_eq!(responses.len(), 13);
    for row in responses {
        assert_eq!(
            row.keys().map(String::as_str).collect::<Vec<_>>(),
            ["answers", "id", "questionnaire_id"]
        );
        assert_eq!(row["id"].len(), 32);
    }
    let tokens = &dump["questionnaire_tokens"];
    assert_eq!(
        tokens[0].keys().map(String::as_str).collect::<Vec<_>>(),
        ["digest", "holder", "questionnaire_id", "state"]
    );
    assert_eq!(tokens.iter().filter(|t| t["state"] == "used").count(), 13);
    // Read straight from storage, the rows are not in the order they were written either.
    let stored_order: Vec<String> = responses
        .iter()
        .map(|row| {
            let answers: Value = serde_json::from_str(&row["answers"]).unwrap();
            answers[again.to_string()].as_str().unwrap().to_owned()
        })
        .collect();
    assert_ne!(stored_order, submitted);
}

#[tokio::test]
async fn fewer_than_k_answers_release_nothing() {
    let app = TestApp::builder()
        .user("org@example.jp", Role::Organizer)
        .build()
        .await;
    let training = open_training(&app, 30).await;
    let organiser = Api::new(&app, Some(token_for(&app, "org@example.jp").await));
    let (id, how, _, role) = questionnaire(&organiser, training).await;
    for code in codes(&organiser, id, 4).await {
        let (status, _) = Api::new(&app, None)
            .send(Method::POST, "/api/v1/answers", Some(json!({"token": code, "answers": {how.to_string(): "よかった", role.to_string(): "2"}})))
            .await;
        assert_eq!(status, 201);
    }
    close(&organiser, id).await;
    let (status, results) = organiser
        .send(
            Method::GET,
            &format!("/api/v1/questionnaires/{id}/results"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(results["released"], false);
    assert_eq!(results["responses"], Value::Null);
    assert_eq!(results["questions"], json!([]));
    let visitor = app.signed_in("org@example.jp").await;
    let page = visitor
        .get_text(&format!("/manage/questionnaires/{id}/results"))
        .await;
    assert!(page.contains("id=\"too-few\""));
    assert!(!page.contains("よかった"));
    let csv = visitor
        .get_text(&format!("/manage/questionnaires/{id}/answers.csv"))
        .await;
    assert!(!csv.contains("よかった"));
}

#[tokio::test]
async fn a_respondent_answers_on_the_pages_without_the_code_staying_in_the_address() {
    let app = TestApp::builder()
        .user("org@example.jp", Role::Organizer)
        .build()
        .await;
    let training = open_training(&app, 30).await;
    let organiser = Api::new(&app, Some(token_for(&app, "org@example.jp").await));
    let (id, how, again, role) = questionnaire(&organiser, training).await;
    let codes = codes(&organiser, id, 2).await;
    let visitor = app.visitor();

    // The link moves the code into a cookie and sends the browser to a clean address.
    let response = visitor.get(&format!("/answer?code={}", codes[0])).await;
    assert_eq!(response.status(), 303);
    assert_eq!(crate::support::location(&response), "/answer");
    let cookie = response
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.starts_with("kizuki_answer="));
    let form = visitor.get_text("/answer").await;
    assert!(form.contains("研修会はいかがでしたか"));
    assert!(form.contains("id=\"recorded\""));

    // A mistake keeps what was typed and uses nothing up.
    let response = visitor
        .submit(
            "/answer",
            "/answer",
            &[
                (&format!("q{how}"), "とても良かった"),
                (&format!("q{role}"), "9"),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert!(page.contains("とても良かった</textarea>"));
    assert!(page.contains("id=\"form-errors\""));

    let response = visitor
        .submit(
            "/answer",
            "/answer",
            &[
                (&format!("q{how}"), "とても良かった"),
                (&format!("q{again}"), "また来ます"),
                (&format!("q{role}"), "1"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(crate::support::location(&response), "/answer/thanks");
    // The code is gone from the browser; the page asks for a code again.
    let page = visitor.get_text("/answer").await;
    assert!(page.contains("name=\"code\""));

    // Typing the used code again is refused kindly; a mistyped one keeps what was typed.
    let response = visitor
        .submit(
            "/answer",
            "/answer/code",
            &[("code", &codes[0].to_lowercase())],
        )
        .await;
    assert_eq!(response.status(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("すでに回答をいただいています")
    );
    let response = visitor
        .submit(
            "/en/answer",
            "/en/answer/code",
            &[("code", "ZZZZ-ZZZZ-ZZZ")],
        )
        .await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert!(page.contains("value=\"ZZZZ-ZZZZ-ZZZ\""));
    assert!(page.contains("We could not find this code"));

    // The second code, typed in English with spaces, opens the English questionnaire.
    let spaced = codes[1].replace('-', " ");
    let response = visitor
        .submit("/en/answer", "/en/answer/code", &[("code", &spaced)])
        .await;
    assert_eq!(response.status(), 303);
    let page = visitor.get_text("/en/answer").await;
    assert!(page.contains("How was the training for you?"));
    assert_eq!(
        app.waiting_answers(),
        1,
        "one answer, waiting to be mixed with others"
    );
}

#[tokio::test]
async fn codes_go_by_mail_to_confirmed_participants_and_no_message_is_kept() {
    let app = TestApp::builder()
        .user("org@example.jp", Role::Organizer)
        .mail()
        .build()
        .await;
    let training = open_training(&app, 30).await;
    let public = Api::new(&app, None);
    for n in 0..3 {
        let (_, body) = public
            .send(
                Method::POST,
                &format!("/api/v1/trainings/{training}/applications"),
                Some(json!({"name": format!("参加者 {n}"), "email": format!("p{n}@example.jp"), "backgrounds": ["other"], "consent": true})),
            )
            .await;
        assert_eq!(body["status"], "held");
        app.store
            .confirm_application(
                training,
                app.application_id(training, &format!("p{n}@example.jp"))
                    .await,
                app.now(),
                jiff::civil::date(2027, 1, 15),
            )
            .await
            .unwrap();
    }
    let organiser = Api::new(&app, Some(token_for(&app, "org@example.jp").await));
    let (id, _, again, _) = questionnaire(&organiser, training).await;
    let visitor = app.signed_in("org@example.jp").await;
    let page = visitor
        .submit(
            &format!("/manage/questionnaires/{id}"),
            &format!("/manage/questionnaires/{id}/mail-codes"),
            &[],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("3 人にコードを送りました"), "{page}");
    let mut sent = Vec::new();
    for n in 0..3 {
        let mail = app
            .smtp()
            .wait_for(&format!("p{n}@example.jp"), "アンケート")
            .await;
        let link = crate::support::link_in(&mail.body);
        let code = link.rsplit("code=").next().unwrap().to_owned();
        sent.push(code);
    }
    assert_eq!(sent.iter().collect::<BTreeSet<_>>().len(), 3);
    // Nothing of these messages is kept: not in the outbox, nowhere in the database.
    let dump = app.whole_database().await;
    for (table, rows) in &dump {
        for row in rows {
            for value in row.values() {
                for code in &sent {
                    assert!(
                        !value.contains(&code::normalize(code).unwrap()),
                        "{table} holds a mailed code"
                    );
                }
                assert!(
                    !value.contains("アンケートのお願い"),
                    "{table} keeps the message"
                );
            }
        }
    }
    let status = answer(&app, &sent[0], json!({again.to_string(): "はい"})).await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn a_room_on_one_network_answers_at_once_but_trying_codes_is_slowed() {
    let app = TestApp::builder()
        .user("org@example.jp", Role::Organizer)
        .build()
        .await;
    let training = open_training(&app, 40).await;
    let organiser = Api::new(&app, Some(token_for(&app, "org@example.jp").await));
    let (id, how, _, _) = questionnaire(&organiser, training).await;
    // More people than the limit of 30 requests a minute, all from one address, in one minute.
    let mut all = codes(&organiser, id, 36).await;
    let spare = all.pop().unwrap();
    for code in all {
        assert_eq!(
            answer(&app, &code, json!({how.to_string(): "よかった"})).await,
            201
        );
    }
    let mut statuses = Vec::new();
    for n in 0..31 {
        let guess = format!("ZZZZ-ZZZZ-{:04}", 2000 + n).replace(['0', '1'], "A");
        statuses.push(answer(&app, &guess, json!({how.to_string(): "x"})).await);
    }
    assert!(statuses[..30].iter().all(|s| *s == 404), "{statuses:?}");
    assert_eq!(statuses[30], 429);
    // Over the limit, a right guess is refused like a wrong one: guessing gains nothing.
    assert_eq!(
        answer(&app, &spare, json!({how.to_string(): "x"})).await,
        429
    );
    app.advance_clock(61);
    assert_eq!(
        answer(&app, &spare, json!({how.to_string(): "よかった"})).await,
        201
    );
}

#[tokio::test]
async fn a_questionnaire_is_kept_as_a_template_for_the_next_training() {
    let app = TestApp::builder()
        .user("org@example.jp", Role::Organizer)
        .build()
        .await;
    let training = open_training(&app, 30).await;
    let organiser = Api::new(&app, Some(token_for(&app, "org@example.jp").await));
    let (id, _, _, _) = questionnaire(&organiser, training).await;
    let visitor = app.signed_in("org@example.jp").await;
    let response = visitor
        .submit(
            &format!("/manage/questionnaires/{id}"),
            &format!("/manage/questionnaires/{id}/save-template"),
            &[],
        )
        .await;
    assert_eq!(response.status(), 303);
    let templates = app.store.questionnaires(None).await.unwrap();
    assert_eq!(templates.len(), 1);
    let template = app.store.questionnaire(templates[0].id).await.unwrap();
    assert_eq!(template.training_id, None);
    assert_eq!(template.questions.len(), 3);
    assert_eq!(template.opens_at, None);
    // The next training's questionnaire starts from it.
    let next = open_training(&app, 30).await;
    let page = visitor
        .submit(
            &format!("/manage/trainings/{next}/questionnaires"),
            &format!("/manage/trainings/{next}/questionnaires"),
            &[("template", &template.id.to_string())],
        )
        .await;
    assert_eq!(page.status(), 303);
    let made = app.store.questionnaires(Some(next)).await.unwrap();
    let made = app.store.questionnaire(made[0].id).await.unwrap();
    assert_eq!(made.questions[2].options.len(), 2);
    assert_eq!(made.title, "研修会のふりかえり");
}

/// Sends one answer with `code` from `times` clients at once to `base`; answers how many were
/// stored (201) and how many were told the code was used (409).
async fn race_one_code(base: &str, code: &str, question: i64, times: usize) -> (usize, usize) {
    let client = reqwest::Client::new();
    let tasks: Vec<_> = (0..times)
        .map(|n| {
            let request = client
                .post(format!("{base}/api/v1/answers"))
                .json(&json!({"token": code, "answers": {question.to_string(): format!("同時に送った回答 {n}")}}));
            tokio::spawn(async move { request.send().await.unwrap().status().as_u16() })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    let stored = statuses.iter().filter(|&&s| s == 201).count();
    let used = statuses.iter().filter(|&&s| s == 409).count();
    assert_eq!(stored + used, times, "{statuses:?}");
    (stored, used)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_code_sent_twenty_times_at_once_is_taken_once_and_the_test_sees_a_broken_guard() {
    let app = TestApp::builder()
        .user("org@example.jp", Role::Organizer)
        .no_rate_limit()
        .build()
        .await;
    let training = open_training(&app, 30).await;
    let organiser = Api::new(&app, Some(token_for(&app, "org@example.jp").await));
    let (id, how, _, _) = questionnaire(&organiser, training).await;
    let issued = codes(&organiser, id, 6).await;
    let (stored, used) = race_one_code(&app.base_url(), &issued[0], how, 20).await;
    assert_eq!((stored, used), (1, 19), "a code admits one answer");
    assert_eq!(app.waiting_answers(), 1, "the answer waits to be mixed");
    assert_eq!(app.store.response_count(id).await.unwrap(), 0);
    // The negative control: the same race against a server whose code guard is off must let
    // the code in more than once, or the assertion above could not see a broken guard. Whether
    // two requests meet between reading the code and taking it depends on how the machine
    // schedules them, so a few codes are tried until one is let in twice.
    let mut unguarded = app
        .serve_process_without(&["--rate-limit", "off"], &["codes"])
        .await;
    let mut taken_again = 0;
    let mut stored_unguarded = 0;
    for code in &issued[1..] {
        let (stored, _) = race_one_code(&unguarded.base, code, how, 20).await;
        stored_unguarded += stored;
        if stored > 1 {
            taken_again += 1;
            break;
        }
    }
    assert!(
        taken_again > 0,
        "without its guard no code was taken twice in {} races",
        issued.len() - 1
    );
    // Stopped cleanly, that server writes every answer it took.
    unguarded.stop();
    assert_eq!(
        app.store.response_count(id).await.unwrap(),
        i64::try_from(stored_unguarded).unwrap()
    );
}
