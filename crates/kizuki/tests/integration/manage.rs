//! The organisers' and hosts' workspace forms.

use kizuki_domain::Role;
use kizuki_i18n::Lang;

use crate::support::{TestApp, location, text};

#[tokio::test]
async fn an_organiser_creates_edits_and_deletes_a_training_in_the_browser_forms() {
    let app = TestApp::builder()
        .user("org@example.jp", Role::Organizer)
        .build()
        .await;
    let organiser = app.signed_in("org@example.jp").await;
    let venue = organiser
        .submit(
            "/manage/venues/new",
            "/manage/venues",
            &[
                ("name", "まつえ市民活動センター"),
                ("prefecture", "32"),
                ("municipality", "松江市"),
                ("accessibility", "step_free"),
                ("accessibility", "quiet_room"),
            ],
        )
        .await;
    assert_eq!(venue.status(), 303);
    let venues = app.store.venues().await.unwrap();
    assert!(
        venues[0].position.is_some(),
        "position from the municipality"
    );
    assert_eq!(venues[0].accessibility.len(), 2);
    let venue_id = venues[0].id.to_string();

    let mistake = organiser
        .submit(
            "/manage/trainings/new",
            "/manage/trainings",
            &[
                ("title", "IPS基礎研修 松江"),
                ("kind", "basic"),
                ("status", "published"),
                ("capacity", "たくさん"),
                ("day_date_0", "2027-06-05"),
                ("day_start_0", "16:00"),
                ("day_end_0", "10:00"),
                ("description", "**学ぶ**"),
            ],
        )
        .await;
    assert_eq!(mistake.status(), 422);
    let page = mistake.text().await.unwrap();
    assert!(
        page.contains("定員は数字で入力してください。"),
        "the message names the field"
    );
    assert!(page.contains(&text(Lang::Ja, "catalogue.error.day_times")));
    assert!(
        page.contains("value=\"IPS基礎研修 松江\"")
            && page.contains("value=\"たくさん\"")
            && page.contains("**学ぶ**"),
        "what was typed is kept"
    );

    let created = organiser
        .submit(
            "/manage/trainings/new",
            "/manage/trainings",
            &[
                ("title", "IPS基礎研修 松江"),
                ("kind", "basic"),
                ("status", "application_open"),
                ("venue_id", &venue_id),
                ("capacity", "２４"),
                ("fee_yen", "6,000"),
                ("day_date_0", "2027-06-05"),
                ("day_start_0", "10:00"),
                ("day_end_0", "16:30"),
                ("day_date_1", "2027-06-06"),
                ("day_start_1", "10:00"),
                ("day_end_1", "16:00"),
            ],
        )
        .await;
    assert_eq!(created.status(), 303);
    let edit = location(&created);
    let id: i64 = edit
        .trim_start_matches("/manage/trainings/")
        .trim_end_matches("/edit")
        .parse()
        .unwrap();
    let training = app.store.training(id).await.unwrap();
    assert_eq!(
        (training.capacity, training.fee_yen, training.days.len()),
        (Some(24), Some(6000), 2)
    );
    let public = app.visitor().get_text(&format!("/trainings/{id}")).await;
    assert!(public.contains("6,000円") && public.contains("24 名"));

    let form = organiser.get_text(&edit).await;
    assert!(
        form.contains("value=\"2027-06-06\""),
        "the edit form shows the stored days"
    );
    let delete = format!("/manage/trainings/{id}/delete");
    let asked = organiser.submit(&edit, &delete, &[]).await;
    assert_eq!(asked.status(), 200, "deleting asks first");
    assert!(
        asked
            .text()
            .await
            .unwrap()
            .contains("研修会を削除しますか？")
    );
    assert_eq!(
        app.visitor()
            .get(&format!("/trainings/{id}"))
            .await
            .status(),
        200,
        "and deletes nothing yet"
    );
    let deleted = organiser
        .submit(&edit, &delete, &[("confirmed", "yes")])
        .await;
    assert_eq!(deleted.status(), 303);
    assert_eq!(
        app.visitor()
            .get(&format!("/trainings/{id}"))
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn a_host_proposes_a_group_an_organiser_approves_it_and_the_host_cancels_a_meeting() {
    let app = TestApp::builder()
        .user("host@example.jp", Role::Host)
        .user("org@example.jp", Role::Organizer)
        .build()
        .await;
    let host = app.signed_in("host@example.jp").await;
    let proposed = host
        .submit(
            "/manage/study-groups/new",
            "/manage/study-groups",
            &[
                ("name", "まつえIPS勉強会"),
                ("schedule", "毎月第１土曜日　14:00～16:00"),
                ("first_meeting_on", "2027-02-06"),
                ("status", "active"),
                ("contact_note", "事務局までご連絡ください"),
            ],
        )
        .await;
    assert_eq!(proposed.status(), 303);
    let edit = location(&proposed);
    let id: i64 = edit
        .trim_start_matches("/manage/study-groups/")
        .trim_end_matches("/edit")
        .parse()
        .unwrap();
    assert_eq!(
        app.visitor()
            .get(&format!("/study-groups/{id}"))
            .await
            .status(),
        404,
        "waits for approval"
    );

    let organiser = app.signed_in("org@example.jp").await;
    let list = organiser.get_text("/manage/study-groups").await;
    assert!(list.contains(&text(Lang::Ja, "manage.groups.approve")));
    let approved = organiser
        .submit(
            "/manage/study-groups",
            &format!("/manage/study-groups/{id}/approve"),
            &[],
        )
        .await;
    assert_eq!(approved.status(), 303);
    assert_eq!(
        app.visitor()
            .get(&format!("/study-groups/{id}"))
            .await
            .status(),
        200
    );

    // The test clock reads 2027-01-15; the first Saturday of February is the 6th.
    let cancelled = host
        .submit(
            &edit,
            &format!("/manage/study-groups/{id}/meetings"),
            &[
                ("original_on", "2027-02-06"),
                ("action", "cancel"),
                ("note", "会場の点検のため"),
            ],
        )
        .await;
    assert_eq!(cancelled.status(), 303);
    let public = app.visitor().get_text(&format!("/study-groups/{id}")).await;
    assert!(public.contains("<del>2027年2月6日（土） 14:00–16:00</del>"));
    assert!(public.contains("会場の点検のため"));

    // Another host cannot touch it.
    app.create_user("other@example.jp", Role::Host).await;
    let other = app.signed_in("other@example.jp").await;
    assert_eq!(other.get(&edit).await.status(), 403);
    let sneaky = other
        .submit(
            "/manage/study-groups",
            &format!("/manage/study-groups/{id}/meetings"),
            &[("original_on", "2027-03-06"), ("action", "cancel")],
        )
        .await;
    assert_eq!(sneaky.status(), 403);
}

#[tokio::test]
async fn a_change_shows_at_once_even_though_public_pages_are_cached() {
    let app = TestApp::builder()
        .demo()
        .user("org@example.jp", Role::Organizer)
        .build()
        .await;
    let visitor = app.visitor();
    let before = visitor.get_text("/trainings?month=2027-02").await;
    assert!(before.contains("札幌市"));
    let again = visitor.get_text("/trainings?month=2027-02").await;
    assert_eq!(before, again, "the same page for every anonymous visitor");

    let organiser = app.signed_in("org@example.jp").await;
    let start = before.find("href=\"/trainings/").unwrap() + "href=\"/trainings/".len();
    let id: i64 = before[start..start + before[start..].find('"').unwrap()]
        .parse()
        .unwrap();
    let edit = format!("/manage/trainings/{id}/edit");
    let training = app.store.training(id).await.unwrap();
    let mut fields: Vec<(String, String)> = vec![("kind".into(), training.kind.as_str().into())];
    for (index, day) in training.days.iter().enumerate() {
        fields.push((format!("day_date_{index}"), day.date.to_string()));
        fields.push((
            format!("day_start_{index}"),
            kizuki_domain::recurrence::hhmm(day.start),
        ));
        fields.push((
            format!("day_end_{index}"),
            kizuki_domain::recurrence::hhmm(day.end),
        ));
    }
    fields.push(("title".into(), "IPS基礎研修 札幌（会場変更あり）".into()));
    fields.push(("status".into(), "cancelled".into()));
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let saved = organiser
        .submit(&edit, &format!("/manage/trainings/{id}"), &borrowed)
        .await;
    assert_eq!(saved.status(), 303);
    let after = visitor.get_text("/trainings?month=2027-02").await;
    assert!(
        after.contains("会場変更あり")
            && after.contains(&text(Lang::Ja, "training_status.cancelled")),
        "the cached page was dropped by the change"
    );
}

#[tokio::test]
async fn visitors_write_to_hosts_without_seeing_their_addresses() {
    let app = TestApp::builder()
        .demo()
        .user("sapporo-host@example.jp", Role::Host)
        .build()
        .await;
    let host_id = app
        .store
        .user_by_email(&kizuki_domain::EmailAddress::parse("sapporo-host@example.jp").unwrap())
        .await
        .unwrap()
        .id;
    let (groups, _) = app
        .store
        .study_groups(&kizuki_store::StudyGroupFilter {
            statuses: vec![kizuki_domain::catalogue::GroupStatus::Active],
            limit: 50,
            ..Default::default()
        })
        .await
        .unwrap();
    let group = groups
        .iter()
        .find(|g| g.name == "せんだいIPS勉強会")
        .unwrap();
    let input = kizuki_store::StudyGroupInput {
        name: &group.name,
        name_en: &group.name_en,
        description: &group.description,
        description_en: &group.description_en,
        venue_id: group.venue.as_ref().map(|v| v.id),
        host_name: &group.host_name,
        host_name_en: &group.host_name_en,
        recurrence: group.recurrence,
        first_meeting_on: group.first_meeting_on,
        contact_note: &group.contact_note,
        contact_note_en: &group.contact_note_en,
        status: group.status,
        host_user_ids: &[host_id],
    };
    app.store
        .update_study_group(group.id, &input, app.now())
        .await
        .unwrap();

    let visitor = app.visitor();
    let page = visitor
        .get_text(&format!("/study-groups/{}", group.id))
        .await;
    assert!(
        !page.contains("sapporo-host@example.jp"),
        "the host's address is never shown"
    );
    assert!(
        !page.contains("事務局まで"),
        "the button that writes to the hosts is not undercut by a note sending people elsewhere"
    );
    let contact = format!("/study-groups/{}/contact", group.id);
    assert!(page.contains(&format!("href=\"{contact}\"")));

    let mistake = visitor
        .submit(
            &contact,
            &contact,
            &[
                ("name", "さくら"),
                ("email", "not an address"),
                ("message", "はじめて参加したいです。"),
            ],
        )
        .await;
    assert_eq!(mistake.status(), 422);
    let form = mistake.text().await.unwrap();
    assert!(
        form.contains(&text(Lang::Ja, "contact.error.email"))
            && form.contains(&text(Lang::Ja, "contact.error.consent"))
    );
    assert!(
        form.contains("はじめて参加したいです。"),
        "the message is kept"
    );

    let sent = visitor
        .submit(
            &contact,
            &contact,
            &[
                ("name", "さくら"),
                ("email", "sakura@example.jp"),
                (
                    "message",
                    "はじめて参加したいです。\n見学だけでも大丈夫ですか？",
                ),
                ("consent", "yes"),
            ],
        )
        .await;
    assert_eq!(sent.status(), 303);
    assert!(
        visitor
            .get_text(&format!("/study-groups/{}", group.id))
            .await
            .contains(&text(Lang::Ja, "flash.message_sent"))
    );

    // The host is told by mail, with the message but not the sender's address.
    let outbox = app.store.outbox(None, 20).await.unwrap();
    let notice = outbox
        .iter()
        .find(|mail| mail.kind == "group_message")
        .expect("the hosts are told");
    assert_eq!(notice.recipient, "sapporo-host@example.jp");
    assert!(notice.body.contains("見学だけでも大丈夫ですか？"));
    assert!(
        notice
            .body
            .contains(&format!("/manage/study-groups/{}/messages", group.id))
    );
    assert!(!notice.body.contains("sakura@example.jp"));

    let host = app.signed_in("sapporo-host@example.jp").await;
    let edit = host
        .get_text(&format!("/manage/study-groups/{}/edit", group.id))
        .await;
    assert!(edit.contains("未読のメッセージが 1 件あります。"));
    let messages = format!("/manage/study-groups/{}/messages", group.id);
    let inbox = host.get_text(&messages).await;
    assert!(inbox.contains("見学だけでも大丈夫ですか？") && inbox.contains("さくら"));
    assert!(
        !inbox.contains("sakura@example.jp"),
        "hosts answer through the site, not from their own mail"
    );
    let message = app.store.group_messages(group.id).await.unwrap()[0].clone();
    let reply = format!("{messages}/{}/reply", message.id);

    // An empty reply is refused beside its box; a real one goes to the sender's address.
    let empty = host.submit(&messages, &reply, &[("body", "  ")]).await;
    assert_eq!(empty.status(), 422);
    assert!(
        empty
            .text()
            .await
            .unwrap()
            .contains(&format!("id=\"reply-{}-error\"", message.id))
    );
    let answered = host
        .submit(
            &messages,
            &reply,
            &[(
                "body",
                "見学だけでも大歓迎です。当日は入口でお声がけください。",
            )],
        )
        .await;
    assert_eq!(answered.status(), 303);
    let outbox = app.store.outbox(None, 20).await.unwrap();
    let answer = outbox
        .iter()
        .find(|mail| mail.kind == "group_reply")
        .expect("the answer is mailed");
    assert_eq!(answer.recipient, "sakura@example.jp");
    assert!(answer.body.contains("見学だけでも大歓迎です。"));
    assert!(
        answer.body.contains("> 見学だけでも大丈夫ですか？"),
        "the message is quoted"
    );
    assert!(!answer.body.contains("sapporo-host@example.jp"));
    let inbox = host.get_text(&messages).await;
    assert!(
        inbox.contains("未読のメッセージはありません。"),
        "answering reads it"
    );
    assert!(
        inbox.contains("見学だけでも大歓迎です。"),
        "the answer is kept beside it"
    );

    // Nobody but its hosts and the organisers reads a group's messages.
    app.create_user("other-host@example.jp", Role::Host).await;
    let other = app.signed_in("other-host@example.jp").await;
    assert_eq!(other.get(&messages).await.status(), 403);
    let refused = other
        .submit(
            "/manage/study-groups",
            &reply,
            &[("body", "横から失礼します")],
        )
        .await;
    assert_eq!(refused.status(), 403);

    for _ in 0..4 {
        visitor
            .submit(
                &contact,
                &contact,
                &[
                    ("name", "x"),
                    ("email", "x@example.jp"),
                    ("message", "x"),
                    ("consent", "yes"),
                ],
            )
            .await;
    }
    let flood = visitor
        .submit(
            &contact,
            &contact,
            &[
                ("name", "x"),
                ("email", "x@example.jp"),
                ("message", "x"),
                ("consent", "yes"),
            ],
        )
        .await;
    assert_eq!(flood.status(), 429);
    assert_eq!(app.store.group_messages(group.id).await.unwrap().len(), 5);
}

#[tokio::test]
async fn odd_input_to_the_catalogue_never_causes_a_server_error() {
    let app = TestApp::builder()
        .demo()
        .user("org@example.jp", Role::Organizer)
        .build()
        .await;
    let organiser = app.signed_in("org@example.jp").await;
    let token = organiser.csrf_token("/manage/trainings").await;
    let odd: Vec<Vec<(&str, String)>> = vec![
        vec![],
        vec![
            ("title", "x".repeat(10_000)),
            ("kind", "🙂".into()),
            ("status", "'; DROP TABLE trainings; --".into()),
        ],
        vec![
            ("day_date_0", "2027-02-30".into()),
            ("day_start_0", "99:99".into()),
            ("day_end_0", "-1".into()),
            ("capacity", "1e99".into()),
        ],
        vec![
            ("fee_yen", "99999999999999999999999".into()),
            ("venue_id", "-5".into()),
            ("facilitator", "abc".into()),
        ],
        vec![
            ("schedule", "毎月第9土曜 25:00-26:00".into()),
            ("first_meeting_on", "yesterday".into()),
            ("prefecture", "99".into()),
        ],
        vec![
            ("latitude", "NaN".into()),
            ("longitude", "inf".into()),
            ("online", "1".into()),
            ("name", "\u{0}".into()),
        ],
        vec![
            ("original_on", "2027-13-01".into()),
            ("action", "move".into()),
            ("moved_to", "x".into()),
        ],
        vec![
            ("name", "a".into()),
            ("email", "a@b.jp".into()),
            ("message", "m".into()),
            ("consent", "yes".into()),
        ],
        // Valid in every other way, with a NUL inside the text: PostgreSQL refuses NUL in text,
        // so it must be gone before anything is stored.
        vec![
            ("title", "研修\u{0}会".into()),
            ("name", "会\u{0}場".into()),
            ("prefecture", "13".into()),
            ("municipality", "新宿区".into()),
            ("kind", "basic".into()),
            ("status", "draft".into()),
            ("day_date_0", "2027-03-01".into()),
            ("day_start_0", "10:00".into()),
            ("day_end_0", "12:00".into()),
            ("schedule", "毎月第2土曜 14:00-16:00".into()),
            ("first_meeting_on", "2027-01-09".into()),
            ("bio", "紹介\u{0}文".into()),
            ("description", "説明\u{7}\u{0}".into()),
            ("email", "a@b.jp".into()),
            ("message", "こんにちは\u{0}".into()),
            ("consent", "yes".into()),
        ],
    ];
    let posts = [
        "/manage/trainings",
        "/manage/trainings/1",
        "/manage/trainings/999999",
        "/manage/trainings/x/delete",
        "/manage/venues",
        "/manage/venues/1",
        "/manage/venues/999/delete",
        "/manage/people",
        "/manage/people/999",
        "/manage/study-groups",
        "/manage/study-groups/1",
        "/manage/study-groups/1/meetings",
        "/manage/study-groups/999/approve",
        "/study-groups/1/contact",
        "/study-groups/999/contact",
    ];
    for path in posts {
        for fields in &odd {
            let mut form: Vec<(&str, &str)> =
                fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            form.push(("csrf_token", &token));
            let response = organiser.post_form(path, &form).await;
            let shown: Vec<_> = fields
                .iter()
                .map(|(k, v)| (k, v.chars().take(16).collect::<String>()))
                .collect();
            assert!(
                response.status().as_u16() < 500,
                "POST {path} {shown:?} → {}",
                response.status()
            );
        }
    }
    let gets = [
        "/trainings?page=999999999999&area=%00&month=0000-00&q=%25%5F%5C",
        "/trainings?when=past&kind=%F0%9F%99%82&year=-1",
        "/study-groups?area=kyushu-okinawa&online=yes&page=0",
        "/map?year=99999&kind=lecture",
        "/map.svg?year=abc",
        "/trainings/99999999999999999999/calendar.ics",
        "/study-groups/-1/calendar.ics",
        "/venues/0",
        "/api/v1/trainings?per_page=100000&page=-1&month=2027-99",
        "/api/v1/study-groups?area=%E2%80%AE",
    ];
    let api_token = {
        let page = organiser
            .submit("/account", "/account/tokens", &[("label", "odd")])
            .await
            .text()
            .await
            .unwrap();
        crate::support::find_secret(&page, "kzk_")
    };
    let api = reqwest::Client::new();
    for (path, body) in [
        (
            "/api/v1/venues",
            r#"{"name":"a\u0000b","prefecture":"13","municipality":"新宿区"}"#,
        ),
        (
            "/api/v1/trainings",
            r#"{"title":"x\u0000y","kind":"basic","days":[{"date":"2027-03-01","start":"10:00","end":"12:00"}]}"#,
        ),
        (
            "/api/v1/study-groups",
            r#"{"name":"g\u0000","schedule":"毎月第2土曜 14:00-16:00","first_meeting_on":"2027-01-09","description":"\u0000"}"#,
        ),
        ("/api/v1/trainings", r#"{"title": 5}"#),
        ("/api/v1/trainings", r#"[1,2,3]"#),
    ] {
        let response = api
            .post(format!("{}{path}", app.base_url()))
            .bearer_auth(&api_token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().as_u16() < 500,
            "POST {path} {body} → {}",
            response.status()
        );
    }
    for path in gets {
        let response = organiser.get(path).await;
        assert!(
            response.status().as_u16() < 500,
            "GET {path} → {}",
            response.status()
        );
    }
}
