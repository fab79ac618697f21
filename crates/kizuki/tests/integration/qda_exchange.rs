//! The KJ board and REFI-QDA exchange through the API: moving, dissolving and relating on the
//! board (with refusals when changes cross), a project exported as QDPX and imported again
//! without loss, another tool's file with Windows line endings and its own folder name, and a
//! broken file refused whole with its line.

use kizuki_domain::Role;
use kizuki_domain::qda;
use reqwest::Method;
use serde_json::{Value, json};

use crate::api_catalogue::{Api, token_for};
use crate::qda::new_project;
use crate::support::{TestApp, Visitor};

const QUOTES: [(&str, &str); 3] = [
    (
        "自分の物の見方に対する気付き",
        "自分はすごく先入観とか思い込みがすごくあるんだなっていうことに、すごく気づくようになって😊",
    ),
    (
        "他者の物の見方やその背景に対する気付き",
        "前より、何か、（相手や社会の）背景とか仕組みとか価値観とか、そういうものに目がいくようになったような気がする",
    ),
    (
        "関係は変えていける",
        "いやあ、関係性って変わるんだなってすごく思った。",
    ),
];

fn code_points(text: &str, needle: &str) -> (usize, usize) {
    let byte = text.find(needle).expect("the quote is in the transcript");
    let start = text[..byte].chars().count();
    (start, start + needle.chars().count())
}

async fn bytes(app: &TestApp, token: &str, path: &str) -> Vec<u8> {
    let response = reqwest::Client::new()
        .get(format!("{}{path}", app.base_url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.bytes().await.unwrap().to_vec()
}

pub async fn import(app: &TestApp, token: &str, query: &str, body: Vec<u8>) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/qda/import?{query}", app.base_url()))
        .bearer_auth(token)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn user_id(app: &TestApp) -> i64 {
    let email = kizuki_domain::EmailAddress::parse("res@example.jp").unwrap();
    app.store.user_by_email(&email).await.unwrap().id
}

/// Makes a card of `quote`'s words in a transcript whose stored text is `text`; its id.
async fn card_of(api: &Api, transcript: i64, text: &str, quote: &str, label: &str) -> i64 {
    let (start, end) = code_points(text, quote);
    let (status, card) = api
        .send(
            Method::POST,
            &format!("/api/v1/qda/transcripts/{transcript}/cards"),
            Some(json!({"start": start, "end": end, "label": label})),
        )
        .await;
    assert_eq!(status, 201, "{card}");
    card["id"].as_i64().unwrap()
}

/// Every card's text is the code-point slice of its transcript.
async fn cards_are_slices(app: &TestApp, project: i64) -> usize {
    let transcripts = app.store.transcripts(project).await.unwrap();
    let nodes = app.store.qda_nodes(project).await.unwrap();
    let mut cards = 0;
    for card in nodes.iter().filter(|n| !n.is_group) {
        let body = &transcripts
            .iter()
            .find(|t| Some(t.id) == card.transcript_id)
            .unwrap()
            .body;
        let slice = qda::slice(
            body,
            card.start.unwrap() as usize,
            card.end.unwrap() as usize,
        );
        assert_eq!(slice, card.quote.as_deref(), "card {}", card.id);
        cards += 1;
    }
    cards
}

#[tokio::test]
async fn the_board_changes_and_a_project_survives_qdpx() {
    let app = TestApp::builder()
        .user("res@example.jp", Role::Researcher)
        .build()
        .await;
    let token = token_for(&app, "res@example.jp").await;
    let api = Api::new(&app, Some(token.clone()));
    let project = new_project(&api, "評価").await;
    let mut typed = "【司会】どうぞ。\r\n".to_owned();
    for (n, (_, quote)) in QUOTES.iter().enumerate() {
        typed.push_str(&format!("P0{n}：{quote}\r\n"));
    }
    let (_, transcript) = api
        .send(
            Method::POST,
            &format!("/api/v1/qda/projects/{project}/transcripts"),
            Some(json!({"name": "A市 1", "text": typed, "kind": "group", "date": "2013-09-14", "place": "A市", "participants": 15})),
        )
        .await;
    let transcript_id = transcript["id"].as_i64().unwrap();
    let text = app.store.transcript(transcript_id).await.unwrap().body;
    let mut groups = Vec::new();
    let mut cards = Vec::new();
    for (label, quote) in QUOTES {
        let card = card_of(&api, transcript_id, &text, quote, "要約").await;
        cards.push(card);
        let (_, group) = api
            .send(
                Method::POST,
                &format!("/api/v1/qda/projects/{project}/groups"),
                Some(json!({"label": label, "member_ids": [card]})),
            )
            .await;
        groups.push(group["id"].as_i64().unwrap());
    }
    let (_, top) = api
        .send(
            Method::POST,
            &format!("/api/v1/qda/projects/{project}/groups"),
            Some(json!({"label": "自分への気付き、他者への気付き", "member_ids": [groups[0], groups[1]]})),
        )
        .await;
    let top = top["id"].as_i64().unwrap();
    let board = |path: &str| format!("/api/v1/qda/projects/{project}/{path}");

    // Moving: a card to the top and back; a group into its own member is refused.
    let (status, moved) = api
        .send(
            Method::POST,
            &board("board/move"),
            Some(json!({"nodes": [cards[0]], "parent": null})),
        )
        .await;
    assert_eq!(status, 200, "{moved}");
    let revision = moved["revision"].as_i64().unwrap();
    let (_, state) = api
        .send(
            Method::GET,
            &board(&format!("board?since={revision}")),
            None,
        )
        .await;
    assert_eq!(state, json!({"revision": revision}));
    let (_, state) = api.send(Method::GET, &board("board?since=0"), None).await;
    let parent_of = |state: &Value, id: i64| {
        state["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["id"] == id)
            .map(|n| n["parent_id"].clone())
    };
    assert_eq!(parent_of(&state, cards[0]), Some(Value::Null));
    api.send(
        Method::POST,
        &board("board/move"),
        Some(json!({"nodes": [cards[0]], "parent": groups[0]})),
    )
    .await;
    let (status, _) = api
        .send(
            Method::POST,
            &board("board/move"),
            Some(json!({"nodes": [top], "parent": groups[0]})),
        )
        .await;
    assert_eq!(status, 409);
    // Dissolving gives back the members, so that undo can gather them again.
    let (status, dissolved) = api
        .send(
            Method::POST,
            &board("board/dissolve"),
            Some(json!({"group": groups[1]})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(dissolved["members"], json!([cards[1]]));
    let (_, again) = api
        .send(
            Method::POST,
            &format!("/api/v1/qda/projects/{project}/groups"),
            Some(json!({"label": QUOTES[1].0, "parent_id": top, "member_ids": [cards[1]]})),
        )
        .await;
    groups[1] = again["id"].as_i64().unwrap();
    // A change to what someone else removed meanwhile is refused, not half made.
    let (status, _) = api
        .send(
            Method::POST,
            &board("board/move"),
            Some(json!({"nodes": [cards[2]], "parent": 999_999})),
        )
        .await;
    assert_eq!(status, 409);
    // Relations, a memo and a place on the board.
    let (status, relation) = api
        .send(
            Method::POST,
            &board("relations"),
            Some(json!({"from": top, "to": groups[2], "kind": "cause"})),
        )
        .await;
    assert_eq!(status, 200, "{relation}");
    let (status, _) = api
        .send(
            Method::POST,
            &board("relations"),
            Some(json!({"from": top, "to": groups[2], "kind": "love"})),
        )
        .await;
    assert_eq!(status, 409);
    let (status, _) = api
        .send(
            Method::POST,
            &board("board/edit"),
            Some(json!({"node": top, "label": "自分への気付き、他者への気付き", "memo": "表1"})),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = api
        .send(
            Method::POST,
            &board("board/place"),
            Some(json!({"node": top, "x": 40, "y": 60})),
        )
        .await;
    assert_eq!(status, 200);
    app.store
        .set_qda_writeup(project, "気付きが関係を変える（#1）。")
        .await
        .unwrap();

    // Export, import as a new project, export again: the same project, byte for byte.
    let first = bytes(&app, &token, &board("export.qdpx")).await;
    let (status, imported) = import(&app, &token, "name=%E5%86%8D", first.clone()).await;
    assert_eq!(status, 201, "{imported}");
    assert_eq!(
        (
            imported["transcripts"].as_i64(),
            imported["groups"].as_i64(),
            imported["cards"].as_i64(),
            imported["relations"].as_i64()
        ),
        (Some(1), Some(4), Some(3), Some(1))
    );
    let copy = imported["project_id"].as_i64().unwrap();
    let second = bytes(
        &app,
        &token,
        &format!("/api/v1/qda/projects/{copy}/export.qdpx"),
    )
    .await;
    let (mut a, b) = (
        kizuki_refi::read_qdpx(&first).unwrap(),
        kizuki_refi::read_qdpx(&second).unwrap(),
    );
    a.name = b.name.clone();
    assert_eq!(a, b);
    assert_eq!(kizuki_refi::project_qde(&a), kizuki_refi::project_qde(&b));
    assert_eq!(cards_are_slices(&app, copy).await, 3);
    let copied = app.store.qda_nodes(copy).await.unwrap();
    let memo_top = copied.iter().find(|n| n.memo == "表1").unwrap();
    assert_eq!((memo_top.board_x, memo_top.board_y), (Some(40), Some(60)));
    assert_eq!(
        app.store.qda_writeup(copy).await.unwrap(),
        "気付きが関係を変える（#1）。"
    );
    let transcript = &app.store.transcripts(copy).await.unwrap()[0];
    assert_eq!(
        (
            transcript.kind.as_str(),
            transcript.session_date.as_deref(),
            transcript.place.as_str(),
            transcript.participants
        ),
        ("group", Some("2013-09-14"), "A市", Some(15))
    );
    // The same file again into the copy: its GUIDs are taken, so nothing is added.
    let (status, refused) = import(&app, &token, &format!("project={copy}"), first.clone()).await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(app.store.qda_nodes(copy).await.unwrap().len(), copied.len());

    // The codebook: the groups as nested codes.
    let qdc = String::from_utf8(bytes(&app, &token, &board("codebook.qdc")).await).unwrap();
    let codes = kizuki_refi::read_codebook(&qdc).unwrap();
    assert_eq!(codes.len(), 2);
    let category = codes
        .iter()
        .find(|c| c.name == "自分への気付き、他者への気付き")
        .unwrap();
    assert_eq!(category.children.len(), 2);
    assert_eq!(category.description, "表1");

    // A broken file: refused whole, with its line; no project appears.
    let before = app
        .store
        .qda_projects_of(user_id(&app).await)
        .await
        .unwrap()
        .len();
    let broken = "<?xml version=\"1.0\"?>\n<Project name=\"x\">\n<Sources>\n<TextSource guid=\"00000000-0000-4000-8000-0000000000d1\">\n<PlainTextContent>短い</PlainTextContent>\n<PlainTextSelection guid=\"00000000-0000-4000-8000-0000000000e1\" startPosition=\"1\" endPosition=\"9\"/>\n</TextSource></Sources></Project>";
    let (status, body) = import(&app, &token, "file_name=x.qde", broken.into()).await;
    assert_eq!(status, 422);
    assert!(body.to_string().contains("line 6"), "{body}");
    let after = app
        .store
        .qda_projects_of(user_id(&app).await)
        .await
        .unwrap()
        .len();
    assert_eq!(before, after);
}

#[tokio::test]
async fn another_tools_file_keeps_its_passages_through_line_endings_and_pseudonyms() {
    let app = TestApp::builder()
        .user("res@example.jp", Role::Researcher)
        .build()
        .await;
    let token = token_for(&app, "res@example.jp").await;
    let api = Api::new(&app, Some(token.clone()));
    let project = new_project(&api, "取り込み").await;
    api.send(
        Method::PUT,
        &format!("/api/v1/qda/projects/{project}/pseudonyms"),
        Some(json!([{"real": "田中さん", "pseudonym": "P03"}])),
    )
    .await;
    // As ATLAS.ti writes it: CRLF, a byte-order mark, "Sources" with a capital, braces on GUIDs.
    let raw = "司会：どうぞ\r\n田中さん：楽しかった😊です\r\n";
    let start = raw.chars().position(|c| c == '楽').unwrap();
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"ATLAS\" origin=\"ATLAS.ti\">\
         <CodeBook><Codes><Code guid=\"{{AAAAAAAA-0000-4000-8000-000000000001}}\" name=\"楽しさ\" isCodable=\"true\"/></Codes></CodeBook>\
         <Sources><TextSource guid=\"{{BBBBBBBB-0000-4000-8000-000000000001}}\" name=\"田中さんの回\" plainTextPath=\"internal://BBBBBBBB-0000-4000-8000-000000000001.txt\">\
         <PlainTextSelection guid=\"{{CCCCCCCC-0000-4000-8000-000000000001}}\" startPosition=\"{start}\" endPosition=\"{}\">\
         <Coding guid=\"{{DDDDDDDD-0000-4000-8000-000000000001}}\"><CodeRef targetGUID=\"{{AAAAAAAA-0000-4000-8000-000000000001}}\"/></Coding>\
         </PlainTextSelection></TextSource></Sources></Project>",
        start + "楽しかった😊です".chars().count()
    );
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    use std::io::Write;
    zip.start_file("project.qde", options).unwrap();
    zip.write_all(xml.as_bytes()).unwrap();
    zip.start_file("Sources/BBBBBBBB-0000-4000-8000-000000000001.txt", options)
        .unwrap();
    zip.write_all(b"\xef\xbb\xbf").unwrap();
    zip.write_all(raw.as_bytes()).unwrap();
    let file = zip.finish().unwrap().into_inner();
    let (status, imported) = import(&app, &token, &format!("project={project}"), file).await;
    assert_eq!(status, 201, "{imported}");
    assert_eq!(imported["replaced"], 2);
    let transcript = &app.store.transcripts(project).await.unwrap()[0];
    assert_eq!(transcript.body, "司会：どうぞ\nP03：楽しかった😊です");
    assert_eq!(transcript.name, "P03の回");
    let nodes = app.store.qda_nodes(project).await.unwrap();
    let card = nodes.iter().find(|n| !n.is_group).unwrap();
    assert_eq!(card.quote.as_deref(), Some("楽しかった😊です"));
    let group = nodes.iter().find(|n| n.is_group).unwrap();
    assert_eq!(
        (group.label.as_str(), card.parent_id),
        ("楽しさ", Some(group.id))
    );
    assert_eq!(cards_are_slices(&app, project).await, 1);
}

#[tokio::test]
async fn an_nvivo_file_lands_on_the_words_nvivo_coded_after_emoji_and_crlf() {
    let app = TestApp::builder()
        .user("res@example.jp", Role::Researcher)
        .build()
        .await;
    let token = token_for(&app, "res@example.jp").await;
    let api = Api::new(&app, Some(token.clone()));
    let project = new_project(&api, "NVivo から").await;
    // As NVivo writes it: CRLF, no byte-order mark, lowercase `sources/`, and positions in
    // UTF-16 code units over the text as it is in the file. Characters outside the BMP (an
    // emoji, 𠮷) come before the coded words, so counting code points would land late.
    let raw = "Interviewer: 😀 ようこそ\r\nP01: 𠮷田さんと話して、関係に目が向いた。\r\nP02: 私も😊そう思う\r\n";
    let units = |words: &str| raw[..raw.find(words).unwrap()].encode_utf16().count();
    let coded = [("関係に目が向いた", "関係"), ("そう思う", "共感")];
    let selections: String = coded
        .iter()
        .enumerate()
        .map(|(n, (words, _))| {
            let start = units(words);
            let end = start + words.encode_utf16().count();
            format!(
                "<PlainTextSelection guid=\"c0000000-0000-4000-8000-00000000000{n}\" name=\"{words}\" \
                 startPosition=\"{start}\" endPosition=\"{end}\"><Coding guid=\"d0000000-0000-4000-8000-00000000000{n}\">\
                 <CodeRef targetGUID=\"a0000000-0000-4000-8000-00000000000{n}\"/></Coding></PlainTextSelection>"
            )
        })
        .collect();
    // And two things NVivo sends that make no card: a selection of the line break between two
    // turns, and a coded PDF.
    let blank_start = units("\r\nP01");
    let selections = format!(
        "{selections}<PlainTextSelection guid=\"c0000000-0000-4000-8000-000000000009\" name=\"\" \
         startPosition=\"{blank_start}\" endPosition=\"{}\"><Coding guid=\"d0000000-0000-4000-8000-000000000009\">\
         <CodeRef targetGUID=\"a0000000-0000-4000-8000-000000000000\"/></Coding></PlainTextSelection>",
        blank_start + 2
    );
    let pdf = "<PDFSource guid=\"b0000000-0000-4000-8000-000000000002\" name=\"案内.pdf\" \
        path=\"internal://b0000000-0000-4000-8000-000000000002.pdf\"><PDFSelection guid=\"c0000000-0000-4000-8000-000000000008\" \
        page=\"1\" firstX=\"0\" firstY=\"0\" secondX=\"10\" secondY=\"10\"><Coding guid=\"d0000000-0000-4000-8000-000000000008\">\
        <CodeRef targetGUID=\"a0000000-0000-4000-8000-000000000001\"/></Coding></PDFSelection></PDFSource>";
    let codes: String = coded
        .iter()
        .enumerate()
        .map(|(n, (_, code))| {
            format!("<Code guid=\"a0000000-0000-4000-8000-00000000000{n}\" name=\"{code}\" isCodable=\"true\"/>")
        })
        .collect();
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\" ?><Project name=\"qc project\" origin=\"NVivo for Mac 15.0.0\" \
         xmlns=\"urn:QDA-XML:project:1.0\"><CodeBook><Codes>{codes}</Codes></CodeBook><Sources>\
         <TextSource guid=\"b0000000-0000-4000-8000-000000000001\" name=\"Interview 1\" \
         plainTextPath=\"internal://b0000000-0000-4000-8000-000000000001.txt\" \
         richTextPath=\"internal://b0000000-0000-4000-8000-000000000001.docx\">{selections}</TextSource>{pdf}</Sources></Project>"
    );
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    use std::io::Write;
    zip.start_file("project.qde", options).unwrap();
    zip.write_all(xml.as_bytes()).unwrap();
    zip.start_file("sources/b0000000-0000-4000-8000-000000000001.txt", options)
        .unwrap();
    zip.write_all(raw.as_bytes()).unwrap();
    let file = zip.finish().unwrap().into_inner();
    let (status, imported) =
        import(&app, &token, &format!("project={project}"), file.clone()).await;
    assert_eq!(status, 201, "{imported}");
    // The report names the producer, how it counted, and what each file gave.
    assert_eq!(imported["origin"], "NVivo for Mac 15.0.0");
    assert_eq!(imported["positions"], "utf16");
    assert_eq!(
        imported["files"],
        json!([{
            "name": "Interview 1",
            "path": "internal://b0000000-0000-4000-8000-000000000001.txt",
            "characters": raw.replace("\r\n", "\n").trim_end().chars().count(),
            "selections": 3,
            "cards": 2,
            "blank": [[blank_start, blank_start + 2]],
        }])
    );
    assert_eq!(
        imported["other_sources"],
        json!([{"name": "案内.pdf", "kind": "PDF", "selections": 1}])
    );
    let nodes = app.store.qda_nodes(project).await.unwrap();
    for (words, code) in coded {
        let card = nodes
            .iter()
            .find(|n| !n.is_group && n.quote.as_deref() == Some(words))
            .unwrap_or_else(|| panic!("no card holding {words}: {nodes:#?}"));
        let group = nodes.iter().find(|n| Some(n.id) == card.parent_id).unwrap();
        assert_eq!(group.label, code);
    }
    assert_eq!(cards_are_slices(&app, project).await, 2);
    // The page gives the same account, file by file.
    let visitor = app.signed_in("res@example.jp").await;
    let page = import_by_page(&visitor, file, "interview.qdpx", "NVivo から 2").await;
    assert!(
        page.contains("作成したツール：NVivo for Mac 15.0.0。"),
        "{page}"
    );
    assert!(page.contains("UTF-16 の単位"));
    assert!(page.contains("<bdi>Interview 1</bdi>"));
    assert!(page.contains("空白だけの選択範囲 1 件"));
    assert!(page.contains(&format!("({}–{})", blank_start, blank_start + 2)));
    assert!(page.contains("<bdi>案内.pdf</bdi>") && page.contains("（PDF・コーディング 1 件）"));
    assert!(!page.contains("ファイルになかったソース"));
    // Exported again, the file is named after the project and the day, in UTF-8.
    let response = reqwest::Client::new()
        .get(format!(
            "{}/api/v1/qda/projects/{project}/export.qdpx",
            app.base_url()
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let disposition = response.headers()["content-disposition"].to_str().unwrap();
    let day = kizuki_web::today(app.now());
    assert_eq!(
        disposition,
        format!(
            "attachment; filename=\"NVivo-{day}.qdpx\"; filename*=UTF-8''NVivo%E3%81%8B%E3%82%89-{day}.qdpx"
        )
    );
}

#[tokio::test]
async fn a_project_document_without_its_sources_brings_its_codes_and_names_what_is_missing() {
    let app = TestApp::builder()
        .user("res@example.jp", Role::Researcher)
        .build()
        .await;
    let token = token_for(&app, "res@example.jp").await;
    // A `.qde` sent alone, as MAXQDA or ATLAS.ti users sometimes do: two codes, one source
    // whose text lives in a `sources/` folder that did not come with it.
    let qde = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"単体\" origin=\"MAXQDA 2022\">\
        <CodeBook><Codes><Code guid=\"a1000000-0000-4000-8000-000000000001\" name=\"関係\" isCodable=\"true\">\
        <Code guid=\"a1000000-0000-4000-8000-000000000002\" name=\"気付き\" isCodable=\"true\"/></Code></Codes></CodeBook>\
        <Sources><TextSource guid=\"b1000000-0000-4000-8000-000000000001\" name=\"Interview A\" plainTextPath=\"sources/b1.txt\">\
        <PlainTextSelection guid=\"c1000000-0000-4000-8000-000000000001\" startPosition=\"0\" endPosition=\"3\">\
        <Coding guid=\"d1000000-0000-4000-8000-000000000001\"><CodeRef targetGUID=\"a1000000-0000-4000-8000-000000000002\"/></Coding>\
        </PlainTextSelection></TextSource></Sources></Project>";
    let (status, imported) = import(&app, &token, "file_name=single.qde", qde.into()).await;
    assert_eq!(status, 201, "{imported}");
    assert_eq!(imported["groups"], 2);
    assert_eq!(
        (imported["transcripts"].as_u64(), imported["cards"].as_u64()),
        (Some(0), Some(0))
    );
    assert_eq!(
        imported["missing_sources"],
        json!([{"name": "Interview A", "selections": 1}])
    );
    let project = imported["project_id"].as_i64().unwrap();
    assert!(
        app.store.transcripts(project).await.unwrap().is_empty(),
        "nothing half imported"
    );

    // The page says the same.
    let visitor = app.signed_in("res@example.jp").await;
    let page = import_by_page(&visitor, qde.as_bytes().to_vec(), "single.qde", "単体 2").await;
    assert!(page.contains("ファイルになかったソース"), "{page}");
    assert!(page.contains("<bdi>Interview A</bdi>") && page.contains("コーディング 1 件"));
    assert!(page.contains("コード（グループ）2 個"));
}

/// Sends a file through the import page's form, as a researcher's browser does, and returns
/// the page that answers it.
async fn import_by_page(visitor: &Visitor, file: Vec<u8>, file_name: &str, name: &str) -> String {
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(file).file_name(file_name.to_owned()),
        )
        .text("name", name.to_owned())
        .text("csrf_token", visitor.csrf_token("/research/projects").await);
    let page = visitor
        .client
        .post(visitor.url("/research/projects/import"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    page.text().await.unwrap()
}

/// Where a node lies on the board's table, from the API's board state.
fn spread_of(state: &Value, id: i64) -> (Value, Value) {
    let node = state["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == id)
        .unwrap();
    (node["spread_x"].clone(), node["spread_y"].clone())
}

#[tokio::test]
async fn the_table_keeps_where_cards_are_put_and_draws_it_as_a_stylesheet() {
    let app = TestApp::builder()
        .user("res@example.jp", Role::Researcher)
        .user("other@example.jp", Role::Researcher)
        .build()
        .await;
    let token = token_for(&app, "res@example.jp").await;
    let api = Api::new(&app, Some(token.clone()));
    let project = new_project(&api, "卓上").await;
    let (_, transcript) = api
        .send(
            Method::POST,
            &format!("/api/v1/qda/projects/{project}/transcripts"),
            Some(json!({"name": "A市 1", "text": format!("P01：{}\nP02：{}", QUOTES[0].1, QUOTES[1].1)})),
        )
        .await;
    let transcript_id = transcript["id"].as_i64().unwrap();
    let text = app.store.transcript(transcript_id).await.unwrap().body;
    let mut cards = Vec::new();
    for (_, quote) in &QUOTES[..2] {
        cards.push(card_of(&api, transcript_id, &text, quote, "").await);
    }
    let (_, group) = api
        .send(
            Method::POST,
            &format!("/api/v1/qda/projects/{project}/groups"),
            Some(json!({"label": "自分", "member_ids": [cards[1]]})),
        )
        .await;
    let group = group["id"].as_i64().unwrap();
    let board = |path: &str| format!("/api/v1/qda/projects/{project}/{path}");
    let state = || async { api.send(Method::GET, &board("board"), None).await.1 };

    // Put on the table: kept, and drawn there (inside the table's 24 px margin).
    let (status, _) = api
        .send(
            Method::POST,
            &board("board/spread"),
            Some(json!({"node": cards[0], "x": 600, "y": 120})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        spread_of(&state().await, cards[0]),
        (json!(600), json!(120))
    );
    let researcher = app.signed_in("res@example.jp").await;
    let css = researcher
        .get(&format!("/research/projects/{project}/board.css?r=1"))
        .await;
    assert_eq!(css.status(), 200);
    assert!(
        css.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    let css = css.text().await.unwrap();
    assert!(
        css.contains(&format!("#node-{}{{left:624px;top:144px}}", cards[0])),
        "{css}"
    );
    // The page links the stylesheet of this revision, and draws the card as a lone one.
    let page = researcher
        .get_text(&format!("/research/projects/{project}/board"))
        .await;
    assert!(page.contains(&format!("/research/projects/{project}/board.css?r=")));
    assert!(page.contains("board-card lone"));

    // Into a group, its place there is laid out afresh; moved with a place, it lies there.
    api.send(
        Method::POST,
        &board("board/move"),
        Some(json!({"nodes": [cards[0]], "parent": group})),
    )
    .await;
    assert_eq!(
        spread_of(&state().await, cards[0]),
        (Value::Null, Value::Null)
    );
    api.send(
        Method::POST,
        &board("board/move"),
        Some(json!({"nodes": [cards[0]], "parent": null, "x": 40, "y": 900})),
    )
    .await;
    assert_eq!(spread_of(&state().await, cards[0]), (json!(40), json!(900)));
    // A group folded is drawn as one card, what it holds left out.
    let folded = researcher
        .get_text(&format!("/research/projects/{project}/board?fold={group}"))
        .await;
    assert!(folded.contains("board-group board-depth-0 folded"));
    assert!(!folded.contains(&format!("id=\"node-{}\"", cards[1])));

    // Off the table, or not a node of this project: refused, nothing changed.
    let (status, _) = api
        .send(
            Method::POST,
            &board("board/spread"),
            Some(json!({"node": cards[0], "x": -5, "y": 10})),
        )
        .await;
    assert_eq!(status, 422);
    let (status, _) = api
        .send(
            Method::POST,
            &board("board/spread"),
            Some(json!({"node": 999_999, "x": 5, "y": 10})),
        )
        .await;
    assert_eq!(status, 409);
    assert_eq!(spread_of(&state().await, cards[0]), (json!(40), json!(900)));
    // The stylesheet answers the project's members only.
    let stranger = app.signed_in("other@example.jp").await;
    let css = stranger
        .get(&format!("/research/projects/{project}/board.css"))
        .await;
    assert_eq!(css.status(), 404);
}
