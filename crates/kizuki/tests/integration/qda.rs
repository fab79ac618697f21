//! KJ-method projects through the API: a transcript typed from the report's quotes, cards that
//! are exact code-point slices (Japanese and emoji), groups built bottom-up into the report's
//! Table 1, pseudonyms applied on import, members only, and an access log.

use kizuki_domain::Role;
use reqwest::Method;
use serde_json::json;

use crate::api_catalogue::{Api, token_for};
use crate::support::TestApp;

/// Table 1 of the report: one category, four subcategories, one quote each.
const TABLE_1: (&str, [(&str, &str); 4]) = (
    "自分への気付き、他者への気付き",
    [
        (
            "自分の物の見方に対する気付き",
            "自分はすごく先入観とか思い込みがすごくあるんだなっていうことに、すごく気づくようになって",
        ),
        (
            "他者の物の見方やその背景に対する気付き",
            "前より、何か、（相手や社会の）背景とか仕組みとか価値観とか、そういうものに目がいくようになったような気がする",
        ),
        (
            "自分の思い込みに他者をあてはめない",
            "別に相手は（まだ）何もしていない状態なのに、勝手に頭で（相手の）反応パターンを考えて、行動パターンまで考えて（中略）見てしまっていた。",
        ),
        (
            "自分のパターンに対する気付きと対応の変化",
            "最近、IPS とかいろいろと参加させてもらって、やっぱり自分の反応パターンを変えることによって相手の結果のパターンも変わってくるということがわかってきて",
        ),
    ],
);

fn code_points(text: &str, needle: &str) -> (usize, usize) {
    let byte = text.find(needle).expect("the quote is in the transcript");
    let start = text[..byte].chars().count();
    (start, start + needle.chars().count())
}

#[tokio::test]
async fn a_researcher_rebuilds_table_1_from_a_transcript() {
    let app = TestApp::builder()
        .user("res@example.jp", Role::Researcher)
        .user("other@example.jp", Role::Researcher)
        .user("org@example.jp", Role::Organizer)
        .build()
        .await;
    let researcher = Api::new(&app, Some(token_for(&app, "res@example.jp").await));
    let outsider = Api::new(&app, Some(token_for(&app, "other@example.jp").await));
    let organiser = Api::new(&app, Some(token_for(&app, "org@example.jp").await));

    let (status, project) = researcher
        .send(
            Method::POST,
            "/api/v1/qda/projects",
            Some(json!({"name": "IPS 研修の評価"})),
        )
        .await;
    assert_eq!(status, 201, "{project}");
    let project = project["id"].as_i64().unwrap();
    let (status, _) = researcher
        .send(
            Method::PUT,
            &format!("/api/v1/qda/projects/{project}/pseudonyms"),
            Some(json!([{"real": "田中", "pseudonym": "P03"}, {"real": "札幌市", "pseudonym": "A市"}])),
        )
        .await;
    assert_eq!(status, 200);

    // Typed with Windows line endings, a decomposed が, real names and an emoji.
    let (category, rows) = TABLE_1;
    let mut typed =
        "【司会】札幌市での第1回です。よろしくお願いします\u{304b}\u{3099}😊\r\n".to_owned();
    for (n, (_, quote)) in rows.iter().enumerate() {
        typed.push_str(&format!(
            "{}：{quote}\r\n",
            if n % 2 == 0 { "田中" } else { "P05" }
        ));
    }
    let (status, created) = researcher
        .send(
            Method::POST,
            &format!("/api/v1/qda/projects/{project}/transcripts"),
            Some(json!({"name": "A市 グループインタビュー 1", "text": typed, "kind": "group", "date": "2013-09-14", "participants": 15})),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["replaced"], 3);
    let speakers: Vec<&str> = created["turns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["speaker"].as_str().unwrap())
        .collect();
    assert_eq!(speakers, ["司会", "P03", "P05", "P03", "P05"]);
    let transcript_id = created["id"].as_i64().unwrap();
    let (_, transcript) = researcher
        .send(
            Method::GET,
            &format!("/api/v1/qda/transcripts/{transcript_id}"),
            None,
        )
        .await;
    let text = transcript["text"].as_str().unwrap().to_owned();
    assert!(!text.contains("田中") && !text.contains("札幌市") && !text.contains('\r'));
    assert!(text.starts_with("【司会】A市での第1回です。よろしくお願いしますが😊\n"));
    assert_eq!(transcript["length"], text.chars().count());

    // A card of the emoji alone, and one per quote.
    let (start, end) = code_points(&text, "😊");
    let (status, card) = researcher
        .send(
            Method::POST,
            &format!("/api/v1/qda/transcripts/{transcript_id}/cards"),
            Some(json!({"start": start, "end": end})),
        )
        .await;
    assert_eq!(status, 201, "{card}");
    assert_eq!(card["text"], "😊");
    let (status, _) = researcher
        .send(
            Method::POST,
            &format!("/api/v1/qda/transcripts/{transcript_id}/cards"),
            Some(json!({"start": 5, "end": text.chars().count() + 1})),
        )
        .await;
    assert_eq!(status, 422);
    let mut subgroups = Vec::new();
    for (label, quote) in rows {
        let (start, end) = code_points(&text, quote);
        let (status, card) = researcher
            .send(
                Method::POST,
                &format!("/api/v1/qda/transcripts/{transcript_id}/cards"),
                Some(json!({"start": start, "end": end})),
            )
            .await;
        assert_eq!(status, 201);
        assert_eq!(card["text"], quote);
        let (status, group) = researcher
            .send(
                Method::POST,
                &format!("/api/v1/qda/projects/{project}/groups"),
                Some(json!({"label": label, "member_ids": [card["id"]]})),
            )
            .await;
        assert_eq!(status, 201, "{group}");
        subgroups.push(group["id"].clone());
    }
    let (status, top) = researcher
        .send(
            Method::POST,
            &format!("/api/v1/qda/projects/{project}/groups"),
            Some(json!({"label": category, "member_ids": subgroups})),
        )
        .await;
    assert_eq!(status, 201);
    // A group cannot go inside its own member.
    let (status, _) = researcher
        .send(
            Method::POST,
            &format!("/api/v1/qda/projects/{project}/groups"),
            Some(json!({"label": "輪", "parent_id": subgroups[0], "member_ids": [top["id"]]})),
        )
        .await;
    assert_eq!(status, 409);

    // The table: CAT1 the category, CAT2 the subcategory, the quote, its source and speaker.
    let response = reqwest::Client::new()
        .get(format!(
            "{}/api/v1/qda/projects/{project}/table.csv",
            app.base_url()
        ))
        .bearer_auth(token_for(&app, "res@example.jp").await)
        .send()
        .await
        .unwrap();
    let csv = response.text().await.unwrap();
    let csv = csv.strip_prefix('\u{feff}').expect("a byte-order mark");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(&header[..4], ["CAT1", "CAT2", "label", "quote"]);
    let records: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    let rebuilt: Vec<(&str, &str, &str)> = records
        .iter()
        .take(4)
        .map(|r| (r[0].as_str(), r[1].as_str(), r[3].as_str()))
        .collect();
    let expected: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|(sub, quote)| (category, *sub, *quote))
        .collect();
    assert_eq!(rebuilt, expected);
    assert_eq!(records[0][4], "A市 グループインタビュー 1");
    assert_eq!(records[0][5], "P03");
    assert_eq!(records[1][5], "P05");
    // The lone emoji card comes last, in no group.
    assert_eq!((records[4][0].as_str(), records[4][3].as_str()), ("", "😊"));

    // Members only: another researcher sees nothing; organisers are not researchers.
    let (status, _) = outsider
        .send(
            Method::GET,
            &format!("/api/v1/qda/transcripts/{transcript_id}"),
            None,
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = outsider
        .send(
            Method::POST,
            &format!("/api/v1/qda/transcripts/{transcript_id}/cards"),
            Some(json!({"start": 0, "end": 1})),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = organiser
        .send(Method::GET, "/api/v1/qda/projects", None)
        .await;
    assert_eq!(status, 403);
    let (status, _) = researcher
        .send(
            Method::POST,
            &format!("/api/v1/qda/projects/{project}/members"),
            Some(json!({"email": "other@example.jp"})),
        )
        .await;
    assert_eq!(status, 204);
    let (status, _) = outsider
        .send(
            Method::GET,
            &format!("/api/v1/qda/transcripts/{transcript_id}"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    // A member who does not keep the key cannot change it.
    let (status, _) = outsider
        .send(
            Method::PUT,
            &format!("/api/v1/qda/projects/{project}/pseudonyms"),
            Some(json!([])),
        )
        .await;
    assert_eq!(status, 403);

    let log = app.store.qda_access_log(project).await.unwrap();
    let actions: Vec<&str> = log
        .iter()
        .map(|(_, action, _, _)| action.as_str())
        .collect();
    assert!(
        actions.contains(&"view_transcript") && actions.contains(&"export_table"),
        "{actions:?}"
    );
}

#[tokio::test]
async fn webvtt_becomes_speaker_lines_and_bad_files_say_where() {
    let app = TestApp::builder()
        .user("res@example.jp", Role::Researcher)
        .build()
        .await;
    let researcher = Api::new(&app, Some(token_for(&app, "res@example.jp").await));
    let project = new_project(&researcher, "録画").await;
    let vtt = "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v 司会>はじめます\n\n00:00:03.000 --> 00:00:05.000\n<v P01>はい\n";
    let (status, created) = researcher
        .send(
            Method::POST,
            &format!("/api/v1/qda/projects/{project}/transcripts"),
            Some(json!({"name": "オンライン", "text": vtt, "format": "webvtt", "kind": "individual"})),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["turns"].as_array().unwrap().len(), 2);
    let (status, body) = researcher
        .send(
            Method::POST,
            &format!("/api/v1/qda/projects/{project}/transcripts"),
            Some(json!({"name": "壊れた", "text": "WEBVTT\n\n00:01 --> x\nはい", "format": "webvtt"})),
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        body["error"]["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("line 3"),
        "{body}"
    );
}

#[tokio::test]
async fn the_pages_take_a_transcript_make_cards_and_gather_them_without_script() {
    let app = TestApp::builder()
        .user("res@example.jp", Role::Researcher)
        .build()
        .await;
    let visitor = app.signed_in("res@example.jp").await;
    let response = visitor
        .submit(
            "/research/projects",
            "/research/projects",
            &[("name", "ページで分析")],
        )
        .await;
    assert_eq!(response.status(), 303);
    let project = crate::support::location(&response);
    assert!(project.starts_with("/research/projects/"));

    // A mistake keeps what was typed.
    let text = "【司会】はじめます。\nP01：関係に目を向けるようになりました。\nP02：関係に目を向けるようになりました。";
    let response = visitor
        .submit(
            &project,
            &format!("{project}/transcripts"),
            &[
                ("name", ""),
                ("kind", "group"),
                ("format", "text"),
                ("text", text),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert!(page.contains("P02：関係に目を向けるようになりました。</textarea>"));

    let response = visitor
        .submit(
            &project,
            &format!("{project}/transcripts"),
            &[
                ("name", "B市 1"),
                ("kind", "group"),
                ("format", "text"),
                ("text", text),
                ("participants", "１０"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let transcript = crate::support::location(&response);

    // The same words twice: the second card takes the second place.
    let mut cards = Vec::new();
    for _ in 0..2 {
        let response = visitor
            .submit(
                &transcript,
                &format!("{transcript}/cards"),
                &[
                    ("passage", "関係に目を向けるようになりました。"),
                    ("label", "関係への着目"),
                ],
            )
            .await;
        assert_eq!(response.status(), 303);
        cards.push(crate::support::location(&response));
    }
    assert_ne!(cards[0], cards[1]);
    let response = visitor
        .submit(
            &transcript,
            &format!("{transcript}/cards"),
            &[("passage", "ない言葉")],
        )
        .await;
    assert_eq!(response.status(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("ない言葉</textarea>")
    );
    let page = visitor.get_text(&transcript).await;
    assert_eq!(page.matches("<mark id=\"card-").count(), 2);

    // Gather both cards under one label, with checkboxes.
    let ids: Vec<String> = cards
        .iter()
        .map(|c| c.rsplit("card-").next().unwrap().to_owned())
        .collect();
    let token = visitor.csrf_token(&project).await;
    let response = visitor
        .post_form(
            &format!("{project}/groups"),
            &[
                ("csrf_token", token.as_str()),
                ("member", &ids[0]),
                ("member", &ids[1]),
                ("label", "関係に着目する"),
                ("parent", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let csv = visitor.get_text(&format!("{project}/table.csv")).await;
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[1].starts_with(
            "関係に着目する,関係への着目,関係に目を向けるようになりました。,B市 1,P01,"
        ),
        "{csv}"
    );
    assert!(lines[2].contains(",P02,"), "{csv}");
    let markdown = visitor.get_text(&format!("{project}/table.md")).await;
    assert!(
        markdown.contains(
            "## 関係に着目する\n\n- 「関係に目を向けるようになりました。」（P01, B市 1; #"
        ),
        "{markdown}"
    );
    // The diagram as two plain links: the SVG, and the PNG the server draws at twice its size
    // on a white sheet.
    let diagram = visitor.get(&format!("{project}/diagram")).await;
    let diagram = diagram.text().await.unwrap();
    assert!(diagram.contains("/diagram.svg\" download>"), "{diagram}");
    assert!(diagram.contains("/diagram.png\" download>"), "{diagram}");
    let svg = visitor.get(&format!("{project}/diagram.svg")).await;
    let svg = svg.text().await.unwrap();
    let size = |name: &str| -> u32 {
        let start = svg.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        svg[start..start + svg[start..].find('"').unwrap()]
            .parse()
            .unwrap()
    };
    let png = visitor.get(&format!("{project}/diagram.png")).await;
    assert_eq!(png.status(), 200);
    assert_eq!(png.headers()["content-type"], "image/png");
    assert!(
        png.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains(".png")
    );
    let png = png.bytes().await.unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let number = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    assert_eq!(
        (number(16), number(20)),
        (size("width") * 2, size("height") * 2)
    );
    let xlsx = visitor.get(&format!("{project}/table.xlsx")).await;
    assert_eq!(xlsx.status(), 200);
    assert!(
        xlsx.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("spreadsheetml")
    );
    assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));
    let log = app
        .store
        .qda_access_log(project.rsplit('/').next().unwrap().parse().unwrap())
        .await
        .unwrap();
    let exports: Vec<&str> = log
        .iter()
        .filter(|e| e.1 == "export_table")
        .map(|e| e.2.as_str())
        .collect();
    assert_eq!(exports.len(), 3, "{exports:?}");
}

/// A new project made by `api`'s researcher (its key keeper).
pub(crate) async fn new_project(api: &Api, name: &str) -> i64 {
    let (status, project) = api
        .send(
            Method::POST,
            "/api/v1/qda/projects",
            Some(json!({ "name": name })),
        )
        .await;
    assert_eq!(status, 201, "{project}");
    project["id"].as_i64().unwrap()
}

pub(crate) async fn add_member(api: &Api, project: i64, email: &str) {
    let (status, body) = api
        .send(
            Method::POST,
            &format!("/api/v1/qda/projects/{project}/members"),
            Some(json!({ "email": email })),
        )
        .await;
    assert_eq!(status, 204, "{body}");
}

#[tokio::test]
async fn search_finds_japanese_without_spaces_in_the_pseudonymised_text() {
    let app = TestApp::builder()
        .user("res@example.jp", Role::Researcher)
        .user("other@example.jp", Role::Researcher)
        .build()
        .await;
    let researcher = Api::new(&app, Some(token_for(&app, "res@example.jp").await));
    let outsider = Api::new(&app, Some(token_for(&app, "other@example.jp").await));
    let project = new_project(&researcher, "検索").await;
    researcher
        .send(
            Method::PUT,
            &format!("/api/v1/qda/projects/{project}/pseudonyms"),
            Some(json!([{"real": "田中", "pseudonym": "P03"}])),
        )
        .await;
    let text = "【司会】はじめます。\n田中：ピアサポートの研修で、自分の思い込みに気付きました。\nP05：相手の背景に目がいくようになりました。I started to notice.";
    let (_, created) = researcher
        .send(
            Method::POST,
            &format!("/api/v1/qda/projects/{project}/transcripts"),
            Some(json!({"name": "A市 1", "text": text})),
        )
        .await;
    let transcript = created["id"].as_i64().unwrap();
    let (_, body) = researcher
        .send(
            Method::GET,
            &format!("/api/v1/qda/transcripts/{transcript}"),
            None,
        )
        .await;
    let stored = body["text"].as_str().unwrap().to_owned();
    let (start, end) = code_points(&stored, "相手の背景に目がいくようになりました。");
    let (_, card) = researcher
        .send(
            Method::POST,
            &format!("/api/v1/qda/transcripts/{transcript}/cards"),
            Some(json!({"start": start, "end": end, "label": "他者の背景への気付き"})),
        )
        .await;
    let search = |query: &str| {
        let path = format!(
            "/api/v1/qda/projects/{project}/search?q={}",
            utf8_percent(query)
        );
        let researcher = &researcher;
        async move { researcher.send(Method::GET, &path, None).await }
    };

    // Hiragana finds katakana; no spaces needed; the passage comes with who said it.
    let (status, found) = search("ぴあさぽーと").await;
    assert_eq!(status, 200, "{found}");
    let passage = &found["transcripts"][0]["passages"][0];
    assert_eq!(passage["matched"], "ピアサポート");
    assert_eq!(passage["speaker"], "P03");
    let (from, to) = (
        passage["start"].as_u64().unwrap() as usize,
        passage["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(
        kizuki_domain::qda::slice(&stored, from, to),
        Some("ピアサポート")
    );
    // All words must occur; the card is found by its label and its quote.
    let (_, found) = search("背景 気付き").await;
    assert_eq!(found["transcripts"].as_array().unwrap().len(), 1);
    assert_eq!(found["nodes"][0]["id"], card["id"]);
    let (_, found) = search("背景 楽しい").await;
    assert!(found["transcripts"].as_array().unwrap().is_empty());
    // English from the start of a word; the real name is not in the stored text.
    let (_, found) = search("NOTIC").await;
    assert_eq!(found["transcripts"][0]["passages"][0]["matched"], "notic");
    let (_, found) = search("田中").await;
    assert!(found["transcripts"].as_array().unwrap().is_empty());
    assert!(found["nodes"].as_array().unwrap().is_empty());
    let (status, _) = outsider
        .send(
            Method::GET,
            &format!("/api/v1/qda/projects/{project}/search?q=P03"),
            None,
        )
        .await;
    assert_eq!(status, 404);

    // The page: the passage marked, and its link opens the transcript at that place.
    let visitor = app.signed_in("res@example.jp").await;
    let page = visitor
        .get_text(&format!(
            "/research/projects/{project}/search?q={}",
            utf8_percent("思い込み")
        ))
        .await;
    assert!(page.contains("<mark>思い込み</mark>"), "{page}");
    let link = page
        .split("href=\"")
        .map(|rest| rest.split('"').next().unwrap())
        .find(|href| href.contains("?at="))
        .expect("a link to the place")
        .replace("&#x3d;", "=")
        .replace("&amp;", "&");
    let opened = visitor.get_text(&link).await;
    assert!(
        opened.contains("<mark id=\"hit\" class=\"search-hit\">思い込み</mark>"),
        "{link}"
    );
    let log = app.store.qda_access_log(project).await.unwrap();
    assert!(log.iter().any(|(_, action, _, _)| action == "search"));
}

fn utf8_percent(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[tokio::test]
async fn two_researchers_sort_the_same_cards_and_compare() {
    let app = TestApp::builder()
        .user("res@example.jp", Role::Researcher)
        .user("second@example.jp", Role::Researcher)
        .user("other@example.jp", Role::Researcher)
        .build()
        .await;
    let first = Api::new(&app, Some(token_for(&app, "res@example.jp").await));
    let outsider = Api::new(&app, Some(token_for(&app, "other@example.jp").await));
    let project = new_project(&first, "一致").await;
    add_member(&first, project, "second@example.jp").await;
    let lines: Vec<String> = (1..=6).map(|n| format!("P0{n}：発言{n}です。")).collect();
    let text = lines.join("\n");
    let (_, created) = first
        .send(
            Method::POST,
            &format!("/api/v1/qda/projects/{project}/transcripts"),
            Some(json!({"name": "記録", "text": text})),
        )
        .await;
    let transcript = created["id"].as_i64().unwrap();
    let mut cards = Vec::new();
    for n in 1..=6 {
        let (start, end) = code_points(&text, &format!("発言{n}です。"));
        let (_, card) = first
            .send(
                Method::POST,
                &format!("/api/v1/qda/transcripts/{transcript}/cards"),
                Some(json!({"start": start, "end": end})),
            )
            .await;
        cards.push(card["id"].as_i64().unwrap());
    }
    // The board: 自分 {1, 2, 3}, 他者 {4, 5}, card 6 alone.
    let mut groups = Vec::new();
    for (label, members) in [("自分", &cards[0..3]), ("他者", &cards[3..5])] {
        let (status, group) = first
            .send(
                Method::POST,
                &format!("/api/v1/qda/projects/{project}/groups"),
                Some(json!({"label": label, "member_ids": members})),
            )
            .await;
        assert_eq!(status, 201);
        groups.push(group["id"].as_i64().unwrap());
    }

    // The first researcher sorts into the board's codes, but puts card 3 under 他者.
    let places = |labels: [&str; 6]| -> serde_json::Value {
        cards
            .iter()
            .zip(labels)
            .map(|(card, label)| (card.to_string(), json!(label)))
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    let (status, saved) = first
        .send(
            Method::PUT,
            &format!("/api/v1/qda/projects/{project}/sorting"),
            Some(json!({"code_set": ["自分", "他者"], "places": places(["自分", "自分", "他者", "他者", "他者", ""])})),
        )
        .await;
    assert_eq!(status, 200, "{saved}");
    let key = saved["key"].as_str().unwrap().to_owned();
    let (status, refused) = first
        .send(
            Method::PUT,
            &format!("/api/v1/qda/projects/{project}/sorting"),
            Some(json!({"code_set": ["自分", "他者"], "places": places(["自分", "関係", "", "", "", ""])})),
        )
        .await;
    assert_eq!(status, 422);
    assert!(refused.to_string().contains("関係"), "{refused}");
    let (status, _) = first
        .send(
            Method::PUT,
            &format!("/api/v1/qda/projects/{project}/sorting"),
            Some(json!({"places": {"999999": "x"}})),
        )
        .await;
    assert_eq!(status, 422);

    let (status, compared) = first
        .send(
            Method::GET,
            &format!("/api/v1/qda/projects/{project}/agreement?a=board&b={key}"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{compared}");
    assert_eq!(compared["cards"], 6);
    assert_eq!(
        compared["pairs"],
        json!({"together_in_both": 2, "together_in_first_only": 2, "together_in_second_only": 2, "apart_in_both": 9})
    );
    assert!((compared["agreement"].as_f64().unwrap() - 11.0 / 15.0).abs() < 1e-9);
    // κ = (5/6 − 13/36) / (1 − 13/36) = 17/23.
    assert!((compared["kappa"]["kappa"].as_f64().unwrap() - 17.0 / 23.0).abs() < 1e-9);

    // The second researcher sorts on the page with free labels; a label too long keeps the rest.
    let visitor = app.signed_in("second@example.jp").await;
    let sorting = format!("/research/projects/{project}/sorting");
    let page = visitor.get_text(&sorting).await;
    assert!(page.contains("発言1です。") && !page.contains("value=\"他者\""));
    let long = "長".repeat(201);
    let mut fields: Vec<(String, String)> = vec![("codes".into(), String::new())];
    for (n, card) in cards.iter().enumerate() {
        let label = if n < 3 { "x" } else { "y" };
        fields.push((format!("card-{card}"), label.into()));
    }
    fields[1].1 = long.clone();
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let response = visitor.submit(&sorting, &sorting, &borrowed).await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert!(page.contains(&format!("value=\"{long}\"")) && page.contains("value=\"y\""));
    fields[1].1 = "x".into();
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let response = visitor.submit(&sorting, &sorting, &borrowed).await;
    assert_eq!(response.status(), 303);
    let sortings = app.store.qda_sortings(project).await.unwrap();
    let second = sortings
        .iter()
        .find(|s| s.code_set.is_empty())
        .expect("the second sorting");
    let page = visitor
        .get_text(&format!(
            "/research/projects/{project}/agreement?a={key}&b=sorting-{}",
            second.id
        ))
        .await;
    // Free labels: pairs compared, κ not.
    assert!(page.contains("計算できません"), "{page}");
    assert!(page.contains("id=\"cross-table\""));

    // At a chosen level: with 自分 and 他者 gathered under 気付き, the board at the top level
    // puts cards 1 to 5 together; the second researcher put {1, 2, 3} and {4, 5, 6}.
    let (status, _) = first
        .send(
            Method::POST,
            &format!("/api/v1/qda/projects/{project}/groups"),
            Some(json!({"label": "気付き", "member_ids": groups})),
        )
        .await;
    assert_eq!(status, 201);
    let against = format!(
        "/api/v1/qda/projects/{project}/agreement?a=board&b=sorting-{}",
        second.id
    );
    let (_, top) = first
        .send(Method::GET, &format!("{against}&level=1"), None)
        .await;
    assert_eq!(
        top["pairs"],
        json!({"together_in_both": 4, "together_in_first_only": 6, "together_in_second_only": 2, "apart_in_both": 3})
    );
    // The lowest level, as before the top group was made (and what a level past the deepest
    // or no number means).
    let (_, lowest) = first.send(Method::GET, &against, None).await;
    assert_eq!(
        lowest["pairs"],
        json!({"together_in_both": 4, "together_in_first_only": 0, "together_in_second_only": 2, "apart_in_both": 9})
    );
    for level in ["9", "x", "0"] {
        let (status, same) = first
            .send(Method::GET, &format!("{against}&level={level}"), None)
            .await;
        assert_eq!(
            (status, &same["pairs"]),
            (200, &lowest["pairs"]),
            "level={level}"
        );
    }
    let page = visitor
        .get_text(&format!("/research/projects/{project}/agreement?level=1"))
        .await;
    assert!(
        page.contains("<option value=\"1\" selected>上から 1 段目</option>"),
        "{page}"
    );
    let (status, _) = outsider
        .send(
            Method::GET,
            &format!("/api/v1/qda/projects/{project}/agreement?a=board&b={key}"),
            None,
        )
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn speakers_are_renamed_and_the_key_applied_again_with_the_cards_kept_on_their_words() {
    let app = TestApp::builder()
        .user("res@example.jp", Role::Researcher)
        .user("second@example.jp", Role::Researcher)
        .build()
        .await;
    let researcher = Api::new(&app, Some(token_for(&app, "res@example.jp").await));
    let project = new_project(&researcher, "修正").await;
    add_member(&researcher, project, "second@example.jp").await;
    let text =
        "A：田中さんと話して😊、思い込みに気付きました。\nB：はい。\nA：背景に目がいきます。";
    let (_, created) = researcher
        .send(
            Method::POST,
            &format!("/api/v1/qda/projects/{project}/transcripts"),
            Some(json!({"name": "個別 1", "text": text, "kind": "individual"})),
        )
        .await;
    let transcript = created["id"].as_i64().unwrap();
    for passage in [
        "思い込みに気付きました。",
        "背景に目がいきます。",
        "田中さんと話して😊",
    ] {
        let (start, end) = code_points(text, passage);
        let (status, card) = researcher
            .send(
                Method::POST,
                &format!("/api/v1/qda/transcripts/{transcript}/cards"),
                Some(json!({"start": start, "end": end, "label": "田中さんの気付き"})),
            )
            .await;
        assert_eq!(status, 201, "{card}");
    }
    let keeper = app.signed_in("res@example.jp").await;
    let edit = format!("/research/transcripts/{transcript}/edit");
    let check_cards = |body: serde_json::Value| {
        let stored = body["text"].as_str().unwrap().to_owned();
        for card in body["cards"].as_array().unwrap() {
            let (start, end) = (
                card["start"].as_u64().unwrap(),
                card["end"].as_u64().unwrap(),
            );
            assert_eq!(
                kizuki_domain::qda::slice(&stored, start as usize, end as usize),
                card["text"].as_str(),
                "{card}"
            );
        }
        stored
    };

    // A speaker renamed: the text changes where turns open, the cards keep their words.
    let response = keeper
        .submit(
            &edit,
            &format!("/research/transcripts/{transcript}/speaker"),
            &[("from", "A"), ("to", "P01")],
        )
        .await;
    assert_eq!(response.status(), 303);
    let (_, body) = researcher
        .send(
            Method::GET,
            &format!("/api/v1/qda/transcripts/{transcript}"),
            None,
        )
        .await;
    let stored = check_cards(body.clone());
    assert!(stored.starts_with("P01：田中さん") && stored.contains("\nP01：背景"));
    assert_eq!(body["cards"][0]["text"], "思い込みに気付きました。");
    let response = keeper
        .submit(
            &edit,
            &format!("/research/transcripts/{transcript}/speaker"),
            &[("from", "B"), ("to", "B：さん")],
        )
        .await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("value=\"B：さん\""));

    // One line's speaker taken off (it joins the turn before), then given back.
    let response = keeper
        .submit(
            &edit,
            &format!("/research/transcripts/{transcript}/line"),
            &[("line", "2"), ("speaker", "")],
        )
        .await;
    assert_eq!(response.status(), 303);
    let (_, body) = researcher
        .send(
            Method::GET,
            &format!("/api/v1/qda/transcripts/{transcript}"),
            None,
        )
        .await;
    assert!(check_cards(body.clone()).contains("\nはい。\n"));
    assert_eq!(body["turns"].as_array().unwrap().len(), 2);
    let response = keeper
        .submit(
            &edit,
            &format!("/research/transcripts/{transcript}/line"),
            &[("line", "2"), ("speaker", "P02")],
        )
        .await;
    assert_eq!(response.status(), 303);
    let response = keeper
        .submit(
            &edit,
            &format!("/research/transcripts/{transcript}/line"),
            &[("line", "99"), ("speaker", "P02")],
        )
        .await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("value=\"99\""));

    // A name added to the key: previewed for the key keeper only, then applied.
    researcher
        .send(
            Method::PUT,
            &format!("/api/v1/qda/projects/{project}/pseudonyms"),
            Some(json!([{"real": "田中さん", "pseudonym": "P03"}])),
        )
        .await;
    let page = keeper.get_text(&edit).await;
    assert!(page.contains("<del>田中さん</del><ins>P03</ins>"), "{page}");
    let member = app.signed_in("second@example.jp").await;
    let page = member.get_text(&edit).await;
    assert!(
        !page.contains("<del>")
            && page.contains("仮名表の当てはめは、仮名表を管理する方が行えます")
    );
    let response = member
        .submit(
            &edit,
            &format!("/research/transcripts/{transcript}/pseudonymise"),
            &[],
        )
        .await;
    assert_eq!(response.status(), 403);
    let response = keeper
        .submit(
            &edit,
            &format!("/research/transcripts/{transcript}/pseudonymise"),
            &[],
        )
        .await;
    assert_eq!(response.status(), 303);
    let (_, body) = researcher
        .send(
            Method::GET,
            &format!("/api/v1/qda/transcripts/{transcript}"),
            None,
        )
        .await;
    let stored = check_cards(body.clone());
    assert!(!stored.contains("田中") && stored.starts_with("P01：P03と話して😊"));
    assert_eq!(body["cards"][2]["text"], "P03と話して😊");
    assert!(
        body["cards"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["label"] == "P03の気付き")
    );
    assert!(
        keeper
            .get_text(&edit)
            .await
            .contains("id=\"key-preview-none\"")
    );

    // Details: a wrong date keeps what was typed.
    let response = keeper
        .submit(
            &edit,
            &format!("/research/transcripts/{transcript}/meta"),
            &[
                ("name", "個別 1（修正）"),
                ("kind", "individual"),
                ("date", "2013-13-40"),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("value=\"個別 1（修正）\"")
    );
    let response = keeper
        .submit(
            &edit,
            &format!("/research/transcripts/{transcript}/meta"),
            &[
                ("name", "個別 1（修正）"),
                ("kind", "individual"),
                ("date", "2013-10-05"),
                ("place", "B市"),
                ("participants", "1"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let (_, body) = researcher
        .send(
            Method::GET,
            &format!("/api/v1/qda/transcripts/{transcript}"),
            None,
        )
        .await;
    assert_eq!(
        (
            body["name"].as_str(),
            body["date"].as_str(),
            body["place"].as_str()
        ),
        (Some("個別 1（修正）"), Some("2013-10-05"), Some("B市"))
    );
}

#[tokio::test]
async fn the_api_edits_details_turns_and_applies_the_key_with_a_preview() {
    let app = TestApp::builder()
        .user("res@example.jp", Role::Researcher)
        .user("second@example.jp", Role::Researcher)
        .build()
        .await;
    let keeper = Api::new(&app, Some(token_for(&app, "res@example.jp").await));
    let member = Api::new(&app, Some(token_for(&app, "second@example.jp").await));
    let project = new_project(&keeper, "API で修正").await;
    add_member(&keeper, project, "second@example.jp").await;
    let text = "司会：佐藤さん、どうぞ。\n佐藤さんの話を聞きました。\nA：そうですね。";
    let (_, created) = keeper
        .send(
            Method::POST,
            &format!("/api/v1/qda/projects/{project}/transcripts"),
            Some(json!({"name": "B市", "text": text})),
        )
        .await;
    let id = created["id"].as_i64().unwrap();
    let path = format!("/api/v1/qda/transcripts/{id}");

    let (status, _) = member
        .send(
            Method::PATCH,
            &path,
            Some(json!({"place": "B市", "participants": 10})),
        )
        .await;
    assert_eq!(status, 204);
    let (status, body) = member
        .send(Method::PATCH, &path, Some(json!({"date": "2013-02-30"})))
        .await;
    assert_eq!(status, 422, "{body}");
    let (_, shown) = member.send(Method::GET, &path, None).await;
    assert_eq!(
        (shown["place"].as_str(), shown["participants"].as_i64()),
        (Some("B市"), Some(10))
    );
    assert_eq!(shown["name"], "B市");

    let (status, changed) = member
        .send(
            Method::POST,
            &format!("{path}/turns"),
            Some(json!({"line": 2, "speaker": "P01"})),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    let speakers: Vec<&str> = changed["turns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["speaker"].as_str().unwrap())
        .collect();
    assert_eq!(speakers, ["司会", "P01", "A"]);
    let (status, changed) = member
        .send(
            Method::POST,
            &format!("{path}/turns"),
            Some(json!({"rename": {"from": "A", "to": "P02"}})),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["turns"][2]["speaker"], "P02");
    let (status, _) = member
        .send(
            Method::POST,
            &format!("{path}/turns"),
            Some(json!({"rename": {"from": "Z", "to": "P09"}})),
        )
        .await;
    assert_eq!(status, 422);

    // The key grows; the preview lists the places (key keepers only), then it is applied.
    keeper
        .send(
            Method::PUT,
            &format!("/api/v1/qda/projects/{project}/pseudonyms"),
            Some(json!([{"real": "佐藤さん", "pseudonym": "P01"}])),
        )
        .await;
    let (status, _) = member
        .send(
            Method::POST,
            &format!("{path}/pseudonymise"),
            Some(json!({"preview": true})),
        )
        .await;
    assert_eq!(status, 403);
    let (status, preview) = keeper
        .send(
            Method::POST,
            &format!("{path}/pseudonymise"),
            Some(json!({"preview": true})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(preview["applied"], false);
    assert_eq!(preview["replaced"].as_array().unwrap().len(), 2);
    let (_, unchanged) = keeper.send(Method::GET, &path, None).await;
    assert!(unchanged["text"].as_str().unwrap().contains("佐藤さん"));
    let (status, applied) = keeper
        .send(
            Method::POST,
            &format!("{path}/pseudonymise"),
            Some(json!({})),
        )
        .await;
    assert_eq!((status, applied["applied"].clone()), (200, json!(true)));
    let (_, after) = keeper.send(Method::GET, &path, None).await;
    assert_eq!(
        after["text"],
        "司会：P01、どうぞ。\nP01：P01の話を聞きました。\nP02：そうですね。"
    );
}

/// Where in the whole database a text occurs, outside the pseudonym key itself (which holds
/// the real names by design, for key keepers only), as `table.column`.
async fn places_holding(app: &TestApp, text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (table, rows) in app.whole_database().await {
        if table == "qda_pseudonyms" {
            continue;
        }
        for row in rows {
            for (column, value) in row {
                if value.contains(text) {
                    found.push(format!("{table}.{column}"));
                }
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

#[tokio::test]
async fn a_real_name_in_the_key_is_stored_nowhere_and_the_scan_would_see_it() {
    let app = TestApp::builder()
        .user("res@example.jp", Role::Researcher)
        .build()
        .await;
    let researcher = Api::new(&app, Some(token_for(&app, "res@example.jp").await));
    let projects = [
        new_project(&researcher, "鍵のあるプロジェクト").await,
        new_project(&researcher, "鍵のないプロジェクト").await,
    ];
    let (status, _) = researcher
        .send(
            Method::PUT,
            &format!("/api/v1/qda/projects/{}/pseudonyms", projects[0]),
            Some(json!([{"real": "比嘉", "pseudonym": "P07"}])),
        )
        .await;
    assert_eq!(status, 200);
    let text = "【司会】今日はどうでしたか。\n比嘉：比嘉です。話せてよかったです。\n";
    for project in &projects {
        let (status, created) = researcher
            .send(
                Method::POST,
                &format!("/api/v1/qda/projects/{project}/transcripts"),
                Some(json!({"name": "面接 1", "text": text, "kind": "individual"})),
            )
            .await;
        assert_eq!(status, 201, "{created}");
        let transcript = created["id"].as_i64().unwrap();
        let (status, card) = researcher
            .send(
                Method::POST,
                &format!("/api/v1/qda/transcripts/{transcript}/cards"),
                Some(json!({"start": 15, "end": 25})),
            )
            .await;
        assert_eq!(status, 201, "{card}");
    }
    // The project with the key: the name is nowhere, not in the text, the speakers, the cards
    // or the log. The project without one is the negative control: the same scan finds the
    // name there, so a key that stopped working would not pass unseen.
    let holding = places_holding(&app, "比嘉").await;
    assert_eq!(
        holding,
        ["qda_nodes.quote", "qda_transcripts.body"],
        "the scan sees the name stored for the project without a key, and only there"
    );
    let (keyed, unkeyed) = (projects[0].to_string(), projects[1].to_string());
    let mut rows_with_name = 0;
    for (table, rows) in app.whole_database().await {
        if table == "qda_pseudonyms" {
            continue;
        }
        for row in rows
            .iter()
            .filter(|row| row.values().any(|v| v.contains("比嘉")))
        {
            assert_ne!(
                row.get("project_id"),
                Some(&keyed),
                "{table} keeps the real name in the project with a key: {row:?}"
            );
            assert_eq!(row.get("project_id"), Some(&unkeyed), "{table}: {row:?}");
            rows_with_name += 1;
        }
    }
    assert_eq!(rows_with_name, 2, "the unkeyed transcript and its card");
}

#[tokio::test]
async fn a_selection_becomes_cards_exactly_one_per_turn_and_a_loose_paste_still_finds_its_words() {
    let app = TestApp::builder()
        .user("res@example.jp", Role::Researcher)
        .build()
        .await;
    let visitor = app.signed_in("res@example.jp").await;
    let response = visitor
        .submit(
            "/research/projects",
            "/research/projects",
            &[("name", "選んで作る")],
        )
        .await;
    let project = crate::support::location(&response);
    let text = "【司会】はじめます。\r\nP01：😀 つながりを感じた。\n  支えられていると思う。\nP02：私もです。";
    let response = visitor
        .submit(
            &project,
            &format!("{project}/transcripts"),
            &[
                ("name", "C市 1"),
                ("date", "2013-09-14"),
                ("kind", "group"),
                ("format", "text"),
                ("text", text),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let transcript = crate::support::location(&response);
    let id: i64 = transcript.rsplit('/').next().unwrap().parse().unwrap();
    let body = app.store.transcript(id).await.unwrap().body;
    let at = |words: &str| body[..body.find(words).unwrap()].chars().count();
    let cards = format!("{transcript}/cards");

    // Exactly the code points chosen (the emoji before them counts as one).
    let start = at("つながり");
    let made = visitor
        .submit(
            &transcript,
            &cards,
            &[
                ("start", &start.to_string()),
                ("end", &(start + 5).to_string()),
            ],
        )
        .await;
    assert_eq!(made.status(), 303);
    assert!(crate::support::location(&made).contains("#card-"));
    let quotes = |cards: &[kizuki_store::QdaNode]| -> Vec<String> {
        cards.iter().filter_map(|c| c.quote.clone()).collect()
    };
    assert_eq!(
        quotes(&app.store.transcript_cards(id).await.unwrap()),
        ["つながりを"]
    );

    // Across two turns: one card each, the second speaker's name left out.
    let start = at("支えられて");
    let end = at("私もです") + 4;
    let made = visitor
        .submit(
            &transcript,
            &cards,
            &[("start", &start.to_string()), ("end", &end.to_string())],
        )
        .await;
    assert_eq!(made.status(), 303);
    let page = visitor.get_text(&transcript).await;
    assert!(
        page.contains("発言ごとにカードを作りました"),
        "the flash says so"
    );
    let all = app.store.transcript_cards(id).await.unwrap();
    assert_eq!(quotes(&all)[1..], ["支えられていると思う。", "私もです"]);
    assert!(
        page.contains("まだグループに入っていません"),
        "lone cards say so"
    );
    assert!(page.contains(&format!("data-card=\"{}\"", all[2].id)));

    // A name alone, or only spaces, makes nothing and says why.
    let name = at("P02");
    let refused = visitor
        .submit(
            &transcript,
            &cards,
            &[
                ("start", &name.to_string()),
                ("end", &(name + 4).to_string()),
            ],
        )
        .await;
    assert_eq!(refused.status(), 422);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("発言者の名前だけでした")
    );
    let refused = visitor
        .submit(&transcript, &cards, &[("start", "0"), ("end", "99999")])
        .await;
    assert_eq!(refused.status(), 422);

    // Without script: a paste with its speaker's name and other line breaks finds its words.
    let made = visitor
        .submit(
            &transcript,
            &cards,
            &[("passage", "P01： 😀 つながりを感じた。 支えられている")],
        )
        .await;
    assert_eq!(made.status(), 303);
    let page = visitor.get_text(&transcript).await;
    assert!(
        page.contains("空白や発言者名の違いを除いて"),
        "the flash says how it matched"
    );
    let last = app.store.transcript_cards(id).await.unwrap();
    assert_eq!(
        last.last().and_then(|c| c.quote.clone()).as_deref(),
        Some("😀 つながりを感じた。\n  支えられている")
    );
}
