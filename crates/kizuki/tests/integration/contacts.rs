//! Who runs the site and how to reach them: the operator's profile, each training's guide, the
//! contact on every page and in every message, the practical details of a confirmed place,
//! and the footer pages (the privacy policy is written from the settings in force).

use kizuki_domain::Role;
use serde_json::json;

use crate::api_catalogue::Api;
use crate::registration::open_training;
use crate::support::{TestApp, form_value, html_escape, link_in, location};

const ADMIN: &str = "admin@example.jp";
const ORGANISER: &str = "organiser@example.jp";

async fn save_operator(app: &TestApp) {
    let admin = app.signed_in(ADMIN).await;
    let response = admin
        .submit(
            "/admin/operator",
            "/admin/operator",
            &[
                ("organisation", "IPS 研究班"),
                ("organisation_en", "IPS research group"),
                ("address", "東京都千代田区千代田 1-1"),
                ("email", "office@example.jp"),
                ("phone", "０３－１２３４－５６７８"),
                ("hours", "平日 10時〜17時"),
                ("hours_en", "weekdays 10:00–17:00"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
}

#[tokio::test]
async fn administrators_keep_the_operator_profile_and_every_page_shows_how_to_reach_them() {
    let app = TestApp::builder()
        .user(ADMIN, Role::Admin)
        .user(ORGANISER, Role::Organizer)
        .build()
        .await;

    // Before anything is entered, the operator page says so, and a training's page points there.
    let about = app.visitor().get_text("/about").await;
    assert!(about.contains("id=\"operator-missing\""));
    let training = open_training(&app, 5).await;
    let page = app
        .visitor()
        .get_text(&format!("/trainings/{training}"))
        .await;
    assert!(page.contains("連絡先はまだ登録されていません"));
    assert!(page.contains("href=\"/about\""));

    // Only administrators edit it.
    let organiser = app.signed_in(ORGANISER).await;
    assert_eq!(organiser.get("/admin/operator").await.status(), 403);

    // A mistake names the field, beside it and in the summary, and keeps what was typed.
    let admin = app.signed_in(ADMIN).await;
    let response = admin
        .submit(
            "/admin/operator",
            "/admin/operator",
            &[
                ("organisation", "IPS 研究班"),
                ("email", "office.example.jp"),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert!(page.contains("value=\"IPS 研究班\""));
    assert!(page.contains("value=\"office.example.jp\""));
    assert!(
        page.contains("id=\"email-error\""),
        "the message sits beside the field"
    );
    assert!(
        page.contains("<a href=\"#email-error\">"),
        "the summary links to the field"
    );

    save_operator(&app).await;
    let about = app.visitor().get_text("/about").await;
    assert!(about.contains("IPS 研究班"));
    assert!(about.contains("mailto:office@example.jp"));
    assert!(about.contains("href=\"tel:0312345678\""));
    assert!(about.contains(">03-1234-5678</a>"), "written half-width");
    let about_en = app.visitor().get_text("/en/about").await;
    assert!(about_en.contains("IPS research group"));
    assert!(about_en.contains("weekdays 10:00–17:00"));

    // A training without a contact of its own shows the operator's, on its page and its form.
    for path in [
        format!("/trainings/{training}"),
        format!("/trainings/{training}/apply"),
    ] {
        let page = app.visitor().get_text(&path).await;
        assert!(page.contains("id=\"contact\""), "{path}");
        assert!(page.contains("mailto:office@example.jp"), "{path}");
        assert!(page.contains("運営者までお寄せください"), "{path}");
    }

    // With its own contact, the training's page shows that one, and what to bring.
    let guide = format!("/manage/trainings/{training}/guide");
    let response = organiser
        .submit(
            &guide,
            &guide,
            &[
                ("contact_name", "研修会事務局 佐藤"),
                ("contact_email", "training@example.jp"),
                ("bring", "筆記用具"),
                ("payment", "当日受付で現金でお支払いください。"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let page = app
        .visitor()
        .get_text(&format!("/trainings/{training}"))
        .await;
    assert!(page.contains("mailto:training@example.jp"));
    assert!(!page.contains("mailto:office@example.jp"));
    assert!(page.contains("研修会の担当までお寄せください"));
    assert!(page.contains("筆記用具"));
    assert!(page.contains("当日受付で現金でお支払いください。"));
    let response = organiser
        .submit(&guide, &guide, &[("contact_phone", "call me")])
        .await;
    assert_eq!(response.status(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains(&html_escape("電話番号は、数字とハイフンで入力してください"))
    );
}

#[tokio::test]
async fn every_message_says_how_to_reach_someone_and_a_confirmed_place_gets_the_practical_details()
{
    let app = TestApp::builder()
        .user(ADMIN, Role::Admin)
        .user(ORGANISER, Role::Organizer)
        .mail()
        .build()
        .await;
    let training = open_training(&app, 5).await;
    let form = format!("/trainings/{training}/apply");

    // With nobody to contact yet, the message asks for a reply.
    let early = app.visitor();
    early
        .submit(
            &form,
            &form,
            &[
                ("name", "早い 人"),
                ("email", "early@example.jp"),
                ("background", "family"),
                ("consent", "yes"),
            ],
        )
        .await;
    let received = app
        .smtp()
        .wait_for("early@example.jp", "お申し込みの確認")
        .await;
    assert!(received.body.contains("このメールにご返信ください"));

    save_operator(&app).await;
    let organiser = app.signed_in(ORGANISER).await;
    let guide = format!("/manage/trainings/{training}/guide");
    organiser
        .submit(
            &guide,
            &guide,
            &[
                ("bring", "筆記用具、飲み物"),
                ("payment", "当日受付で現金でお支払いください。"),
            ],
        )
        .await;

    // The confirmation page names the address the message went to.
    let hanako = app.visitor();
    let response = hanako
        .submit(
            &form,
            &form,
            &[
                ("name", "山田 花子"),
                ("email", "hanako@example.jp"),
                ("background", "peer_supporter"),
                ("consent", "yes"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let applied = hanako.get(&location(&response)).await;
    assert_eq!(
        applied.headers()["cache-control"].to_str().unwrap(),
        "no-store"
    );
    let applied = applied.text().await.unwrap();
    assert!(applied.contains("hanako@example.jp にお送りしました"));
    assert!(applied.contains("mailto:office@example.jp"));
    // Another browser sees no address.
    let stranger = app
        .visitor()
        .get_text(&format!("/trainings/{training}/applied?status=held"))
        .await;
    assert!(!stranger.contains("hanako@example.jp"));

    let smtp = app.smtp();
    let received = smtp.wait_for("hanako@example.jp", "お申し込みの確認").await;
    assert!(received.body.contains("お問い合わせ先：IPS 研究班"));
    assert!(received.body.contains("メール：office@example.jp"));
    assert!(
        received
            .body
            .contains("電話：03-1234-5678（受付：平日 10時〜17時）")
    );

    // Confirming: the message gives when, what it costs and how to pay, what to bring, and
    // the calendar file; the private page shows the same.
    let link = link_in(&received.body);
    let visitor = app.visitor();
    visitor
        .get(&link[link.find("/application").unwrap()..])
        .await;
    visitor
        .submit("/application", "/application/confirm", &[])
        .await;
    let confirmed = smtp
        .wait_for("hanako@example.jp", "参加が決まりました")
        .await;
    assert!(
        confirmed
            .body
            .contains("日時：2027年6月5日（土） 10:00–16:30")
    );
    assert!(confirmed.body.contains("持ち物：筆記用具、飲み物"));
    assert!(
        confirmed
            .body
            .contains("お支払い：当日受付で現金でお支払いください。")
    );
    assert!(
        confirmed
            .body
            .contains(&format!("/trainings/{training}/calendar.ics"))
    );
    assert!(confirmed.body.contains("メール：office@example.jp"));
    // The calendar comes with the message, made from the training's days as they are now.
    let [calendar] = confirmed.attachments.as_slice() else {
        panic!("one calendar file attached: {:?}", confirmed.attachments);
    };
    assert_eq!(calendar.file_name, format!("training-{training}.ics"));
    assert_eq!(calendar.mime_type, "text/calendar");
    assert_eq!(
        calendar.parameters.get("method").map(String::as_str),
        Some("PUBLISH")
    );
    assert!(calendar.body.contains("BEGIN:VEVENT"));
    assert!(
        calendar
            .body
            .contains("DTSTART;TZID=Asia/Tokyo:20270605T100000")
    );
    assert!(
        calendar
            .body
            .contains(&format!("/trainings/{training}\r\n"))
    );
    assert_eq!(
        link_in(&confirmed.body),
        link,
        "the private link is still found"
    );
    let page = visitor.get_text("/application").await;
    assert!(page.contains("id=\"practical\""));
    assert!(page.contains("筆記用具、飲み物"));
    assert!(page.contains(&format!("href=\"/trainings/{training}/calendar.ics\"")));
    assert!(page.contains("mailto:office@example.jp"));

    // A message that asks people to tell the organisers says how.
    let id = app.application_id(training, "hanako@example.jp").await;
    let roster = format!("/manage/trainings/{training}/applications");
    let application = format!("/manage/applications/{id}");
    let decision = [("decision", "cancel"), ("reason", "本人からの電話")];
    // Cancelling cannot be undone: the first post only asks, saying what will happen.
    let question = organiser
        .submit(&application, &application, &decision)
        .await;
    assert_eq!(question.status(), 200);
    let question = question.text().await.unwrap();
    assert!(
        question.contains("申し込みを取り消しますか？"),
        "{question}"
    );
    assert!(
        question.contains("山田 花子 さんの申し込みを取り消し"),
        "{question}"
    );
    assert!(question.contains("name=\"reason\" value=\"本人からの電話\""));
    assert_eq!(
        app.store.application(id).await.unwrap().status.as_str(),
        "confirmed",
        "nothing changed yet"
    );
    let mut confirmed = decision.to_vec();
    confirmed.push(("confirmed", "yes"));
    let decision = organiser
        .submit(&application, &application, &confirmed)
        .await;
    assert_eq!(decision.status(), 303);
    let cancelled = smtp.wait_for("hanako@example.jp", "取り消しました").await;
    assert!(cancelled.body.contains("運営担当までお知らせください"));
    assert!(cancelled.body.contains("メール：office@example.jp"));
    assert!(
        cancelled.attachments.is_empty(),
        "no calendar for a place given up"
    );

    // An organiser's own message ends the same way, with the applicant's page. It is
    // shown first: who it reaches, and the message as they will read it.
    let messages = format!("/manage/trainings/{training}/messages");
    let fields = [
        ("audience", "all"),
        ("subject", "会場のご案内"),
        ("body", "会場は 3 階です。"),
    ];
    let preview = organiser.submit(&roster, &messages, &fields).await;
    assert_eq!(preview.status(), 200);
    let preview = preview.text().await.unwrap();
    assert!(preview.contains("id=\"message-preview\""), "{preview}");
    assert!(
        preview.contains("1 人に送ります"),
        "only the one still applying: {preview}"
    );
    assert!(
        preview.contains("メール：office@example.jp"),
        "the closing is shown"
    );
    assert!(preview.contains("申込者ごとの確認ページのリンク"));
    assert!(
        smtp.messages().iter().all(|m| m.subject != "会場のご案内"),
        "nothing is sent from the preview"
    );
    // A stale preview (someone applied since) is shown again, not sent.
    let mut stale = fields.to_vec();
    stale.extend([("step", "send"), ("expected", "5")]);
    let again = organiser.submit(&roster, &messages, &stale).await;
    assert!(
        again
            .text()
            .await
            .unwrap()
            .contains("id=\"recipients-changed\"")
    );
    let expected = form_value(&preview, "expected").expect("the count it was shown for");
    let mut send = fields.to_vec();
    send.extend([("step", "send"), ("expected", expected.as_str())]);
    let sent = organiser.submit(&roster, &messages, &send).await;
    assert_eq!(sent.status(), 303);
    let message = smtp.wait_for("early@example.jp", "会場のご案内").await;
    assert!(message.body.starts_with("会場は 3 階です。"));
    assert!(message.body.contains("メール：office@example.jp"));
    assert!(link_in(&message.body).contains("/application?key="));
}

#[tokio::test]
async fn the_privacy_policy_says_the_retention_and_k_in_force_in_both_languages() {
    let app = TestApp::builder()
        .user(ORGANISER, Role::Organizer)
        .build()
        .await;
    let page = app.visitor().get_text("/privacy").await;
    assert!(
        page.contains("12 か月がたつと"),
        "the default when no training exists"
    );
    assert!(page.contains("5 件に満たない数"));
    assert!(page.contains("30 分たつと"));

    let first = open_training(&app, 5).await;
    open_training(&app, 5).await;
    let organiser = app.signed_in(ORGANISER).await;
    let settings = format!("/manage/trainings/{first}/registration");
    let response = organiser
        .submit(
            &settings,
            &settings,
            &[
                ("allocation", "first_come"),
                ("hold_minutes", "30"),
                ("offer_hours", "48"),
                ("retention_months", "6"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let page = app.visitor().get_text("/privacy").await;
    assert!(page.contains("6 か月から12 か月"), "{page}");
    let english = app.visitor().get_text("/en/privacy").await;
    assert!(english.contains("between 6 months and 12 months"));
    assert!(english.contains("smaller than 5"));

    // Every page's footer links to the three pages.
    let home = app.visitor().get_text("/en/").await;
    for href in ["/en/about", "/en/privacy", "/en/accessibility"] {
        assert!(home.contains(&format!("href=\"{href}\"")), "{href}");
    }
    let statement = app.visitor().get("/accessibility").await;
    assert_eq!(statement.status(), 200);
    assert!(statement.text().await.unwrap().contains("WCAG 2.2"));
}

#[tokio::test]
async fn a_lottery_tells_entrants_how_many_entered_when_it_is_drawn_and_how_to_check_it() {
    let app = TestApp::builder()
        .user(ORGANISER, Role::Organizer)
        .build()
        .await;
    let training = open_training(&app, 3).await;
    crate::enrolment::set_close(&app, training, jiff::civil::date(2027, 1, 20)).await;
    let organiser = app.signed_in(ORGANISER).await;
    let settings = format!("/manage/trainings/{training}/registration");
    organiser
        .submit(
            &settings,
            &settings,
            &[
                ("allocation", "lottery"),
                ("hold_minutes", "30"),
                ("offer_hours", "48"),
                ("retention_months", "12"),
            ],
        )
        .await;
    let api = Api::new(&app, None);
    for index in 0..2 {
        api.send(
            reqwest::Method::POST,
            &format!("/api/v1/trainings/{training}/applications"),
            Some(json!({"name": format!("応募者 {index}"), "email": format!("entry{index}@example.jp"), "backgrounds": ["other"], "consent": true})),
        )
        .await;
    }
    let english = app
        .visitor()
        .get_text(&format!("/en/trainings/{training}"))
        .await;
    // Entries count once the address is confirmed.
    assert!(english.contains("0 people have entered"), "{english}");
    let id = app.application_id(training, "entry0@example.jp").await;
    app.store
        .confirm_application(training, id, app.now(), jiff::civil::date(2027, 1, 15))
        .await
        .unwrap();
    // A change made past the server: anonymous pages may be a second old.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let english = app
        .visitor()
        .get_text(&format!("/en/trainings/{training}"))
        .await;
    assert!(english.contains("1 person has entered"));
    assert!(english.contains("The draw is on Thu 21 Jan 2027"));
    assert!(english.contains("<details>"));
    assert!(english.contains("id=\"lottery-hash\""));
    let japanese = app
        .visitor()
        .get_text(&format!("/trainings/{training}"))
        .await;
    assert!(japanese.contains("抽選は 2027年1月21日（木） に行い"));
}
