//! The public catalogue on the demo data: figures, map, lists, pages, structured data, and
//! text that must stay text.

use jiff::civil::{date, time};
use kizuki_domain::Timestamp;
use kizuki_domain::catalogue::{GroupStatus, TrainingDay, TrainingKind, TrainingStatus};
use kizuki_domain::recurrence::{Change, Recurrence};
use kizuki_i18n::Lang;
use kizuki_store::{MeetingChange, StudyGroupInput, TrainingInput, VenueInput};
use serde_json::Value;

use crate::support::{TestApp, text};

/// The programme's own figures (final report): trainings held per year.
const REPORTED: [(i16, i64); 7] = [
    (2008, 1),
    (2009, 1),
    (2010, 3),
    (2011, 4),
    (2012, 9),
    (2013, 16),
    (2014, 2),
];

fn table_cell_after(html: &str, row_header: &str) -> Option<i64> {
    let marker = format!("<th scope=\"row\">{row_header}</th><td>");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('<')? + start;
    html[start..end].parse().ok()
}

#[tokio::test]
async fn statistics_show_exactly_the_reported_trainings_per_year() {
    let app = TestApp::builder().demo().build().await;
    for path in ["/statistics", "/en/statistics"].iter().copied() {
        let page = app.visitor().get_text(path).await;
        for &(year, count) in &REPORTED {
            assert_eq!(
                table_cell_after(&page, &year.to_string()),
                Some(count),
                "{path} {year}"
            );
        }
        assert!(
            page.contains("<svg") && page.contains("role=\"img\""),
            "charts are drawn"
        );
    }
    let page = app.visitor().get_text("/statistics").await;
    let lead_total: i64 = REPORTED.iter().map(|(_, count)| count).sum();
    assert!(
        page.contains(&format!("{lead_total} 回")),
        "36 trainings in all"
    );
    // "延べ 700 名を超えた": the attendances add up past 700.
    let start = page.find("延べ ").unwrap() + "延べ ".len();
    let attendances: i64 = page[start..].split(' ').next().unwrap().parse().unwrap();
    assert!(attendances > 700, "{attendances}");
}

#[tokio::test]
async fn the_map_marks_training_towns_and_study_group_towns_apart() {
    let app = TestApp::builder().demo().build().await;
    let page = app.visitor().get_text("/map").await;
    let svg = &page[page.find("<svg").unwrap()..page.find("</svg>").unwrap()];
    // The country's map has one pin per region, each leading to that region's map.
    let pins = svg.matches("<a href=\"/map?region=").count();
    assert_eq!(pins, 8, "the demo has towns in all eight regions");
    assert!(svg.contains(
        "aria-label=\"北海道 5：北海道地方（札幌市）の研修会 4 回・勉強会 1 つ。この地方を拡大して表示します\""
    ));
    assert!(svg.contains(">北海道</text>"), "the pin is labelled");
    // The towns as text, for screen readers and for finding one by name.
    let list = &page[page.find("id=\"towns\"").unwrap()..];
    assert_eq!(
        list.matches("<a href=\"/trainings?").count(),
        20,
        "20 demo towns held trainings"
    );
    assert_eq!(
        list.matches("<a href=\"/study-groups?").count(),
        7,
        "active and paused groups in 7 towns (the online one has no town)"
    );
    assert!(list.contains("<h3>北海道</h3>"));
    assert!(
        page.contains(&text(Lang::Ja, "map.legend_trainings"))
            && page.contains(&text(Lang::Ja, "map.legend_groups"))
            && page.contains(&text(Lang::Ja, "map.legend_both"))
    );
    assert!(page.contains(&text(Lang::Ja, "map.attribution")));

    // A region's map: its towns, each a pin that opens the town.
    let hokkaido = app.visitor().get_text("/map?region=hokkaido").await;
    let svg = &hokkaido[hokkaido.find("<svg").unwrap()..hokkaido.find("</svg>").unwrap()];
    assert!(
        svg.contains("href=\"/map?area=01&amp;town=%E6%9C%AD%E5%B9%8C%E5%B8%82\""),
        "{svg}"
    );
    assert!(svg.contains("aria-label=\"札幌市 5：研修会 4 回・勉強会 1 つ\""));
    assert!(hokkaido.contains("<span aria-current=\"page\">北海道地方</span>"));

    // The town: its trainings and study groups in one place, and the towns nearest it.
    let sapporo = app.visitor().get_text("/map?area=01&town=札幌市").await;
    let focus = &sapporo[sapporo.find("id=\"focus\"").unwrap()..];
    assert!(focus.contains("札幌市（北海道）"));
    assert!(focus.contains("id=\"focus-trainings\""));
    assert!(focus.contains("IPS勉強会さっぽろ"), "{focus}");
    let nearby = &focus[focus.find("id=\"focus-nearby\"").unwrap()..];
    assert!(nearby.contains("km"), "{nearby}");
    assert!(
        sapporo.contains("aria-current=\"location\""),
        "its pin is marked"
    );
    let english = app.visitor().get_text("/en/map?area=01&town=札幌市").await;
    assert!(english.contains("Sapporo, Hokkaido"), "romaji in English");
    assert!(english.contains(">Sapporo</text>"));

    // Near me: a town with nothing yet shows the nearest; an unknown name says so.
    let otaru = app.visitor().get_text("/map?area=01&town=小樽市").await;
    assert!(otaru.contains("「小樽市」には、まだ研修会や勉強会の記録がありません。"));
    assert!(otaru[otaru.find("id=\"focus-nearby\"").unwrap()..].contains("札幌市"));
    let unknown = app.visitor().get_text("/map?area=01&town=どこでも市").await;
    assert!(unknown.contains("「どこでも市」という市区町村が見つかりませんでした。"));

    let in_2008 = app.visitor().get_text("/map?year=2008").await;
    let list_2008 = &in_2008[in_2008.find("id=\"towns\"").unwrap()..];
    assert_eq!(
        list_2008.matches("<a href=\"/trainings?").count(),
        1,
        "one town in 2008"
    );

    let download = app.visitor().get("/en/map.svg?kind=lecture").await;
    assert_eq!(
        download.headers()["content-type"],
        "image/svg+xml; charset=utf-8"
    );
    assert!(
        download.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let svg = download.text().await.unwrap();
    assert!(svg.starts_with("<?xml") && svg.contains("lang=\"en\""));
    assert_eq!(
        svg.matches("<a href=\"/en/trainings?").count(),
        3,
        "three towns held lectures"
    );
}

#[tokio::test]
async fn lists_filter_by_area_kind_month_and_time() {
    let app = TestApp::builder().demo().build().await;
    let visitor = app.visitor();
    let upcoming = visitor.get_text("/trainings").await;
    assert!(upcoming.contains("3 件"), "three trainings to come");
    let past = visitor.get_text("/trainings?when=past").await;
    assert!(past.contains("36 件"));
    assert!(
        past.contains("rel=\"next\""),
        "36 past trainings need two pages"
    );
    let second = visitor.get_text("/trainings?when=past&page=2").await;
    assert!(second.contains("rel=\"prev\""));
    let sapporo = visitor.get_text("/trainings?when=past&area=01").await;
    assert!(sapporo.contains("3 件"), "three past trainings in Hokkaido");
    let kanto_lectures = visitor
        .get_text("/trainings?when=all&area=kanto&kind=lecture")
        .await;
    assert!(kanto_lectures.contains("0 件"));
    let february = visitor.get_text("/trainings?month=2027-02").await;
    assert!(february.contains("1 件") && february.contains("札幌市"));
    let words = visitor
        .get_text("/trainings?when=all&q=%E6%9C%AD%E5%B9%8C")
        .await;
    assert!(
        words.contains("4 件"),
        "four trainings with 札幌 in the title"
    );
    let english_words = visitor.get_text("/en/trainings?when=past&q=SAPPORO").await;
    assert!(english_words.contains("3 found"), "case does not matter");
    let wildcard = visitor.get_text("/trainings?when=all&q=%25").await;
    assert!(
        wildcard.contains("0 件"),
        "a % is looked for, not a wildcard"
    );
    let online = visitor.get_text("/trainings?online=1").await;
    assert!(online.contains("1 件"));
    let odd = visitor
        .get("/trainings?area=<script>&month=2027-99&page=-3&kind=x")
        .await;
    assert_eq!(odd.status(), 200, "odd filters are ignored, not errors");

    let groups = visitor.get_text("/study-groups").await;
    assert!(
        groups.contains("8 件"),
        "active and paused groups, not the ended or unapproved ones"
    );
    assert!(
        !groups.contains("準備中"),
        "a group awaiting approval is not public"
    );
    let kinki = visitor.get_text("/en/study-groups?area=kinki").await;
    assert!(kinki.contains("2 found"));
}

#[tokio::test]
async fn a_training_page_carries_schema_org_event_data() {
    let app = TestApp::builder().demo().build().await;
    let list = app.visitor().get_text("/trainings?month=2027-02").await;
    let start = list.find("href=\"/trainings/").unwrap() + "href=\"".len();
    let path = &list[start..start + list[start..].find('"').unwrap()];
    let page = app.visitor().get_text(path).await;
    let json_start = page.find("<script type=\"application/ld+json\">").unwrap()
        + "<script type=\"application/ld+json\">".len();
    let json_end = page[json_start..].find("</script>").unwrap() + json_start;
    let event: Value = serde_json::from_str(&page[json_start..json_end]).unwrap();
    assert_eq!(event["@type"], "Event");
    assert_eq!(event["startDate"], "2027-02-20T10:00:00+09:00");
    assert_eq!(event["endDate"], "2027-02-21T16:30:00+09:00");
    assert_eq!(
        event["eventAttendanceMode"],
        "https://schema.org/OfflineEventAttendanceMode"
    );
    assert_eq!(event["location"]["@type"], "Place");
    assert_eq!(event["location"]["address"]["addressRegion"], "北海道");
    assert!(event["location"]["geo"]["latitude"].as_f64().unwrap() > 42.0);
    assert_eq!(event["organizer"]["@type"], "Organization");
    assert!(page.contains("<meta property=\"og:title\" content=\"IPS基礎研修（2日間） 札幌市\">"));
    assert!(page.contains("2027年2月20日（土） 10:00–16:30"));

    let english = app.visitor().get_text(&format!("/en{path}")).await;
    assert!(english.contains("IPS basic training (2 days), Sapporo"));
    assert!(english.contains("Sat 20 Feb 2027 10:00–16:30"));
}

#[tokio::test]
async fn drafts_and_unapproved_groups_stay_private() {
    let app = TestApp::builder().demo().build().await;
    let draft = app
        .store
        .create_training(
            &training("下書きの研修", TrainingStatus::Draft, None),
            None,
            Timestamp(0),
        )
        .await
        .unwrap();
    assert_eq!(
        app.visitor()
            .get(&format!("/trainings/{draft}"))
            .await
            .status(),
        404
    );
    assert!(
        !app.visitor()
            .get_text("/trainings?when=all")
            .await
            .contains("下書きの研修")
    );
    let (pending, _) = app
        .store
        .study_groups(&kizuki_store::StudyGroupFilter {
            statuses: vec![GroupStatus::PendingApproval],
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(
        app.visitor()
            .get(&format!("/study-groups/{}", pending[0].id))
            .await
            .status(),
        404
    );
    assert_eq!(app.visitor().get("/trainings/999999").await.status(), 404);
    assert_eq!(app.visitor().get("/study-groups/abc").await.status(), 404);
}

fn training<'a>(
    title: &'a str,
    status: TrainingStatus,
    venue_id: Option<i64>,
) -> TrainingInput<'a> {
    const DAYS: [TrainingDay; 1] = [TrainingDay {
        date: date(2027, 3, 6),
        start: time(10, 0, 0, 0),
        end: time(16, 0, 0, 0),
    }];
    TrainingInput {
        title,
        title_en: "",
        description: title,
        description_en: "",
        kind: TrainingKind::Basic,
        status,
        venue_id,
        language_note: "",
        language_note_en: "",
        fee_yen: None,
        fee_note: "",
        fee_note_en: "",
        capacity: None,
        applications_open_on: None,
        applications_close_on: None,
        programme_version: "",
        attendance_count: None,
        days: &DAYS,
        facilitator_ids: &[],
    }
}

#[tokio::test]
async fn html_in_any_field_is_shown_as_text_everywhere() {
    let app = TestApp::new().await;
    let attack = "<script>alert(1)</script>\"><img src=x onerror=alert(2)>";
    let venue = app
        .store
        .create_venue(
            &VenueInput {
                is_online: false,
                name: attack,
                name_en: attack,
                address: attack,
                prefecture_code: Some(13),
                municipality: attack,
                position: Some((35.69, 139.7)),
                access_notes: attack,
                access_notes_en: attack,
                accessibility: &[],
                accessibility_notes: attack,
                accessibility_notes_en: attack,
            },
            Timestamp(0),
        )
        .await
        .unwrap();
    let id = app
        .store
        .create_training(
            &training(attack, TrainingStatus::Published, Some(venue)),
            None,
            Timestamp(0),
        )
        .await
        .unwrap();
    let group = app
        .store
        .create_study_group(
            &StudyGroupInput {
                name: attack,
                name_en: "",
                description: attack,
                description_en: "",
                venue_id: Some(venue),
                host_name: attack,
                host_name_en: "",
                recurrence: Recurrence::parse_words("毎月第2土曜 14:00-16:00").unwrap(),
                first_meeting_on: date(2026, 1, 10),
                contact_note: attack,
                contact_note_en: "",
                status: GroupStatus::Active,
                host_user_ids: &[],
            },
            None,
            Timestamp(0),
        )
        .await
        .unwrap();
    for path in [
        format!("/trainings/{id}"),
        format!("/en/trainings/{id}"),
        "/trainings".to_owned(),
        format!("/study-groups/{group}"),
        "/study-groups".to_owned(),
        format!("/venues/{venue}"),
        "/map".to_owned(),
        "/map.svg".to_owned(),
        "/feed.atom".to_owned(),
        "/".to_owned(),
    ] {
        let page = app.visitor().get_text(&path).await;
        assert!(
            !page.contains("<script>alert"),
            "{path} lets a script through"
        );
        assert!(
            !page.contains("<img src=x"),
            "{path} lets an element through"
        );
        assert!(!page.contains("onerror=alert(2)>"), "{path}");
    }
}

#[tokio::test]
async fn a_group_page_shows_moved_and_cancelled_meetings() {
    let app = TestApp::builder().demo().build().await;
    let (groups, _) = app
        .store
        .study_groups(&kizuki_store::StudyGroupFilter {
            statuses: vec![GroupStatus::Active],
            limit: 50,
            ..Default::default()
        })
        .await
        .unwrap();
    let shinjuku = groups
        .iter()
        .find(|group| group.name == "IPS勉強会しんじゅく")
        .unwrap();
    // The test clock reads 2027-01-15: the next second Saturdays are 2027-02-13 and 03-13.
    app.store
        .set_meeting_change(
            shinjuku.id,
            &MeetingChange {
                original_on: date(2027, 2, 13),
                change: Change::Cancelled,
                note: "会場の都合によりお休みです".into(),
                note_en: "".into(),
            },
        )
        .await
        .unwrap();
    app.store
        .set_meeting_change(
            shinjuku.id,
            &MeetingChange {
                original_on: date(2027, 3, 13),
                change: Change::Moved {
                    to: date(2027, 3, 20),
                    start: time(13, 0, 0, 0),
                    end: time(15, 0, 0, 0),
                },
                note: "".into(),
                note_en: "".into(),
            },
        )
        .await
        .unwrap();
    let page = app
        .visitor()
        .get_text(&format!("/study-groups/{}", shinjuku.id))
        .await;
    assert!(page.contains("毎月第2土曜 14:00–16:00"));
    assert!(page.contains("<del>2027年2月13日（土） 14:00–16:00</del>"));
    assert!(page.contains("会場の都合によりお休みです"));
    assert!(page.contains("2027年3月20日（土） 13:00–15:00"));
    assert!(page.contains("2027年3月13日（土） から変更"));
    let english = app
        .visitor()
        .get_text(&format!("/en/study-groups/{}", shinjuku.id))
        .await;
    assert!(english.contains("Second Saturday of every month, 14:00–16:00"));
    assert!(
        english.contains("lang=\"ja\">会場の都合によりお休みです"),
        "Japanese-only text is marked as Japanese"
    );
}
