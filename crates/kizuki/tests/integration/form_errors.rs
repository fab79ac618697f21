//! Every form sent back with mistakes shows each message beside its field as well as in the
//! summary, the summary's links lead to those messages, and each field names its message (so a
//! screen reader reads it on the field). Checked on the real pages, form by form.

use kizuki_domain::Role;

use crate::registration::open_training;
use crate::support::TestApp;

const ORGANISER: &str = "organiser@example.jp";

/// The summary's links, and for each the message beside the field and the field that names it.
fn assert_beside_fields(page: &str, expected: &[&str]) {
    let start = page
        .find("id=\"form-errors\"")
        .expect("a summary of the mistakes");
    let summary = &page[start..start + page[start..].find("</div>").unwrap()];
    let targets: Vec<&str> = summary
        .split("href=\"#")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .collect();
    for field in expected {
        let target = format!("{field}-error");
        assert!(
            targets.contains(&target.as_str()),
            "the summary links to the message about {field}: {targets:?}"
        );
    }
    let described: Vec<&str> = page
        .split("aria-describedby=\"")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .collect();
    for target in targets {
        assert!(
            page.contains(&format!("class=\"field-error\" id=\"{target}\"")),
            "{target} sits beside its field"
        );
        assert!(
            described
                .iter()
                .any(|ids| ids.split_whitespace().any(|id| id == target)),
            "a field names {target} in its aria-describedby"
        );
    }
}

#[tokio::test]
async fn the_application_form_puts_each_mistake_beside_its_field() {
    let app = TestApp::builder().build().await;
    let training = open_training(&app, 5).await;
    let path = format!("/trainings/{training}/apply");
    let long = "あ".repeat(4001);
    let response = app
        .visitor()
        .submit(
            &path,
            &path,
            &[
                ("name", ""),
                ("email", "hanako.example.jp"),
                ("background", "prefer_not_to_say"),
                ("background", "family"),
                ("motivation", &long),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert_beside_fields(
        &page,
        &["name", "email", "backgrounds", "motivation", "consent"],
    );
    assert!(page.contains("「答えたくない」を選ぶ場合は、ほかの立場のチェックを外してください。"));
    assert!(page.contains("入力した内容はそのまま残っています"));
    assert!(
        page.contains("value=\"hanako.example.jp\""),
        "what was typed stays"
    );
}

#[tokio::test]
async fn those_who_would_rather_not_say_apply_and_are_counted_as_such() {
    let app = TestApp::builder().build().await;
    let training = open_training(&app, 5).await;
    let path = format!("/trainings/{training}/apply");
    let form = app.visitor().get_text(&path).await;
    assert!(form.contains("value=\"prefer_not_to_say\""));
    assert!(form.contains("答えたくない"));
    // The notice gives this training's own retention, not a usual one.
    assert!(form.contains("この研修会の最終日から 12 か月がたつと"));
    let response = app
        .visitor()
        .submit(
            &path,
            &path,
            &[
                ("name", "山田 花子"),
                ("email", "hanako@example.jp"),
                ("background", "prefer_not_to_say"),
                ("consent", "yes"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    // The organisers' counts name it as it was chosen, in their own words.
    app.create_user(ORGANISER, Role::Organizer).await;
    let organiser = app.signed_in(ORGANISER).await;
    let roster = organiser
        .get_text(&format!("/manage/trainings/{training}/applications"))
        .await;
    assert!(
        roster.contains("<dt>答えたくない</dt><dd>1</dd>"),
        "{roster}"
    );
    assert!(roster.contains("申込者の立場"));
    assert!(!roster.contains("あなたの立場"));
}

#[tokio::test]
async fn organisers_forms_name_the_field_beside_it() {
    let app = TestApp::builder()
        .user(ORGANISER, Role::Organizer)
        .build()
        .await;
    let organiser = app.signed_in(ORGANISER).await;

    let response = organiser
        .submit(
            "/manage/trainings/new",
            "/manage/trainings",
            &[
                ("title", ""),
                ("kind", "basic"),
                ("status", "draft"),
                ("capacity", "たくさん"),
                ("fee_yen", "3000"),
                ("applications_open_on", "2027-05-10"),
                ("applications_close_on", "2027-05-01"),
                ("day_date_0", "2027-06-05"),
                ("day_start_0", "16:00"),
                ("day_end_0", "10:00"),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert_beside_fields(
        &page,
        &["title", "capacity", "applications_close_on", "days"],
    );
    assert!(
        page.contains("定員は数字で入力してください。"),
        "the message names the field"
    );

    let response = organiser
        .submit(
            "/manage/venues/new",
            "/manage/venues",
            &[("name", ""), ("latitude", "35.6")],
        )
        .await;
    assert_eq!(response.status(), 422);
    assert_beside_fields(
        &response.text().await.unwrap(),
        &["name", "prefecture", "latitude"],
    );

    let response = organiser
        .submit(
            "/manage/study-groups/new",
            "/manage/study-groups",
            &[
                ("name", "札幌 IPS 勉強会"),
                ("schedule", "ときどき"),
                ("first_meeting_on", "来月"),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert_beside_fields(&page, &["schedule", "first_meeting_on"]);
    assert!(
        page.contains("初回の日付は"),
        "the date message names the field"
    );

    let training = open_training(&app, 5).await;
    let path = format!("/manage/trainings/{training}/registration");
    let response = organiser
        .submit(
            &path,
            &path,
            &[
                ("allocation", "first_come"),
                ("hold_minutes", "1"),
                ("offer_hours", "24"),
                ("retention_months", "12"),
                ("frame_name_0", ""),
                ("frame_capacity_0", "10"),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert_beside_fields(&page, &["hold_minutes", "frame_name_0"]);
    assert!(page.contains("5 から 240 までの数字で入力してください。"));
}
