//! Demo trainings, venues and study groups that mirror the programme's history as its final
//! report gives it: trainings per year 2008:1, 2009:1, 2010:3, 2011:4, 2012:9, 2013:16 and
//! 2014 (to March):2, in towns across Japan, with study groups in some of those towns. The
//! people and venues are fictional; the counts are not.

use anyhow::{Result, anyhow};
use jiff::civil::{Date, Weekday, date, time};
use kizuki_domain::Timestamp;
use kizuki_domain::catalogue::{
    AccessibilityFeature, GroupStatus, TrainingDay, TrainingKind, TrainingStatus,
};
use kizuki_domain::recurrence::Recurrence;
use kizuki_store::{PersonInput, Store, StudyGroupInput, TrainingInput, VenueInput};

/// (prefecture code, municipality, venue name, English venue name)
const TOWNS: [(u8, &str, &str, &str); 20] = [
    (
        13,
        "新宿区",
        "新宿こころの交流プラザ 研修室",
        "Shinjuku Kokoro Exchange Plaza, training room",
    ),
    (
        27,
        "大阪市",
        "なにわ市民活動センター 大会議室",
        "Naniwa Civic Activity Centre, main hall",
    ),
    (
        26,
        "京都市",
        "かもがわ福祉会館 ホール",
        "Kamogawa Welfare Hall",
    ),
    (
        1,
        "札幌市",
        "さっぽろ市民交流センター 研修室",
        "Sapporo Community Exchange Centre, training room",
    ),
    (
        13,
        "世田谷区",
        "せたがや地域ケアセンター 会議室",
        "Setagaya Community Care Centre, meeting room",
    ),
    (
        4,
        "仙台市",
        "せんだい青葉ふれあい館",
        "Sendai Aoba Fureai Hall",
    ),
    (
        40,
        "福岡市",
        "ふくおか市民ひろば 多目的室",
        "Fukuoka Civic Square, multipurpose room",
    ),
    (
        14,
        "横浜市",
        "よこはま港北ボランティアセンター",
        "Yokohama Kohoku Volunteer Centre",
    ),
    (
        23,
        "名古屋市",
        "なごや市民福祉プラザ 研修室",
        "Nagoya Civic Welfare Plaza, training room",
    ),
    (
        28,
        "神戸市",
        "こうべ六甲ふれあいホール",
        "Kobe Rokko Fureai Hall",
    ),
    (
        34,
        "広島市",
        "ひろしま平和通り市民会館",
        "Hiroshima Heiwa-dori Civic Hall",
    ),
    (
        15,
        "新潟市",
        "にいがた万代交流センター",
        "Niigata Bandai Exchange Centre",
    ),
    (
        20,
        "長野市",
        "ながの善光寺平市民会館",
        "Nagano Zenkojidaira Civic Hall",
    ),
    (
        33,
        "岡山市",
        "おかやま桃の里福祉会館",
        "Okayama Momonosato Welfare Hall",
    ),
    (
        37,
        "高松市",
        "たかまつ瀬戸内市民プラザ",
        "Takamatsu Setouchi Civic Plaza",
    ),
    (
        43,
        "熊本市",
        "くまもと白川ふれあいセンター",
        "Kumamoto Shirakawa Fureai Centre",
    ),
    (
        47,
        "那覇市",
        "なは市民協働プラザ",
        "Naha Civic Collaboration Plaza",
    ),
    (
        11,
        "さいたま市",
        "さいたま大宮市民活動サロン",
        "Saitama Omiya Civic Activity Salon",
    ),
    (
        12,
        "千葉市",
        "ちば市民交流会館",
        "Chiba Civic Exchange Hall",
    ),
    (
        7,
        "郡山市",
        "こおりやま市民ふれあい館",
        "Koriyama Civic Fureai Hall",
    ),
];

/// Which town (index into TOWNS) and kind each held training had, year by year.
const HISTORY: [(i16, i8, usize, TrainingKind); 36] = [
    (2008, 10, 0, TrainingKind::FiveDay),
    (2009, 11, 1, TrainingKind::FiveDay),
    (2010, 3, 0, TrainingKind::Basic),
    (2010, 7, 2, TrainingKind::Basic),
    (2010, 11, 3, TrainingKind::Lecture),
    (2011, 2, 4, TrainingKind::Basic),
    (2011, 6, 5, TrainingKind::Basic),
    (2011, 9, 6, TrainingKind::Basic),
    (2011, 11, 0, TrainingKind::FiveDay),
    (2012, 1, 7, TrainingKind::Basic),
    (2012, 3, 1, TrainingKind::Basic),
    (2012, 5, 3, TrainingKind::Basic),
    (2012, 6, 8, TrainingKind::Basic),
    (2012, 7, 2, TrainingKind::Advanced),
    (2012, 9, 9, TrainingKind::Basic),
    (2012, 10, 5, TrainingKind::Basic),
    (2012, 11, 10, TrainingKind::Lecture),
    (2012, 12, 0, TrainingKind::Basic),
    (2013, 1, 11, TrainingKind::Basic),
    (2013, 2, 6, TrainingKind::Basic),
    (2013, 3, 12, TrainingKind::Basic),
    (2013, 4, 1, TrainingKind::Advanced),
    (2013, 5, 13, TrainingKind::Basic),
    (2013, 5, 4, TrainingKind::Basic),
    (2013, 6, 14, TrainingKind::Basic),
    (2013, 7, 3, TrainingKind::Basic),
    (2013, 7, 15, TrainingKind::Lecture),
    (2013, 8, 0, TrainingKind::Facilitator),
    (2013, 9, 16, TrainingKind::Basic),
    (2013, 10, 17, TrainingKind::Basic),
    (2013, 10, 2, TrainingKind::Basic),
    (2013, 11, 18, TrainingKind::Basic),
    (2013, 11, 8, TrainingKind::Basic),
    (2013, 12, 19, TrainingKind::Basic),
    (2014, 1, 7, TrainingKind::Basic),
    (2014, 3, 6, TrainingKind::Basic),
];

fn title(kind: TrainingKind, town: &str) -> (String, String, String) {
    let (ja, en) = match kind {
        TrainingKind::Basic => ("IPS基礎研修（2日間）", "IPS basic training (2 days)"),
        TrainingKind::FiveDay => ("IPS研修（5日間）", "IPS training (5 days)"),
        TrainingKind::Advanced => ("IPSアドバンス研修", "IPS advanced training"),
        TrainingKind::Facilitator => ("IPSファシリテーター養成研修", "IPS facilitator training"),
        TrainingKind::Lecture => ("IPS講演会", "IPS lecture"),
    };
    (format!("{ja} {town}"), en.to_owned(), ja.to_owned())
}

fn days_for(kind: TrainingKind, year: i16, month: i8) -> Result<Vec<TrainingDay>> {
    let first_of_month = Date::new(year, month, 1)?;
    let (first, count, start, end) = match kind {
        TrainingKind::FiveDay | TrainingKind::Facilitator => (
            first_of_month.nth_weekday_of_month(2, Weekday::Monday)?,
            5,
            time(9, 30, 0, 0),
            time(16, 30, 0, 0),
        ),
        TrainingKind::Lecture => (
            first_of_month.nth_weekday_of_month(3, Weekday::Saturday)?,
            1,
            time(13, 30, 0, 0),
            time(16, 30, 0, 0),
        ),
        TrainingKind::Basic | TrainingKind::Advanced => (
            first_of_month.nth_weekday_of_month(2, Weekday::Saturday)?,
            2,
            time(10, 0, 0, 0),
            time(16, 30, 0, 0),
        ),
    };
    (0..count)
        .map(|offset| {
            Ok(TrainingDay {
                date: first.checked_add(jiff::Span::new().days(offset))?,
                start,
                end,
            })
        })
        .collect()
}

const DESCRIPTION: &str = "意図的なピアサポート（IPS）の考え方と、対話の方法を学ぶ研修です。\n\n\
- つながり（connection）\n- 世界観（worldview）\n- 相互性（mutuality）\n- 向かう方向（moving towards）\n\n\
サービスを利用している方、提供している方、家族の方、研究者など、立場をこえて一緒に学びます。\
途中で休みたくなったときは、いつでも休んでかまいません。";

const DESCRIPTION_EN: &str = "A training in the ideas of Intentional Peer Support (IPS) and its way of talking together.\n\n\
- connection\n- worldview\n- mutuality\n- moving towards\n\n\
People who use services, people who provide them, families and researchers learn side by side. \
You are welcome to take a break whenever you need one.";

fn days_from(day: Date, days: i64) -> Result<Date> {
    Ok(day.checked_add(jiff::Span::new().days(days))?)
}

/// The first Saturday at least `days` after `today` (the demo's trainings are on Saturdays).
fn saturday_on_or_after(today: Date, days: i64) -> Result<Date> {
    let earliest = days_from(today, days)?;
    Ok(if earliest.weekday() == Weekday::Saturday {
        earliest
    } else {
        earliest.nth_weekday(1, Weekday::Saturday)?
    })
}

fn first_sunday_of_next_month(today: Date) -> Result<Date> {
    let next_month = today
        .first_of_month()
        .checked_add(jiff::Span::new().months(1))?;
    Ok(next_month.nth_weekday_of_month(1, Weekday::Sunday)?)
}

/// Fills the catalogue; answers the number of held trainings and study groups, and the id of
/// the last held training.
/// `host` is the demo host's account, which hosts the Sapporo group (and has mail waiting).
pub async fn fill(
    store: &Store,
    host: Option<i64>,
    now: Timestamp,
) -> Result<(usize, usize, Option<i64>)> {
    let mut venue_ids = Vec::new();
    for (index, (code, town, name, name_en)) in TOWNS.iter().enumerate() {
        let position = kizuki_geo::locate(*code, town).map(|p| (p.lat, p.lon));
        let accessibility: &[AccessibilityFeature] = if index % 3 == 0 {
            &[
                AccessibilityFeature::StepFree,
                AccessibilityFeature::AccessibleToilet,
                AccessibilityFeature::QuietRoom,
            ]
        } else {
            &[
                AccessibilityFeature::StepFree,
                AccessibilityFeature::AccessibleToilet,
            ]
        };
        let prefecture =
            kizuki_geo::prefecture(*code).ok_or_else(|| anyhow!("prefecture {code}"))?;
        let id = store
            .create_venue(
                &VenueInput {
                    is_online: false,
                    name,
                    name_en,
                    address: &format!("{}{}中央1-2-3", prefecture.name_ja, town),
                    prefecture_code: Some(*code),
                    municipality: town,
                    position,
                    access_notes: "最寄り駅から徒歩5分です。",
                    access_notes_en: "Five minutes' walk from the nearest station.",
                    accessibility,
                    accessibility_notes: "休憩用の静かな部屋を用意しています。",
                    accessibility_notes_en: "A quiet room is set aside for breaks.",
                },
                now,
            )
            .await?;
        venue_ids.push(id);
    }
    let online = store
        .create_venue(
            &VenueInput {
                is_online: true,
                name: "オンライン（Zoom）",
                name_en: "Online (Zoom)",
                address: "",
                prefecture_code: None,
                municipality: "",
                position: None,
                access_notes: "参加方法は、お申し込みの方にメールでお知らせします。",
                access_notes_en: "How to join is sent by email to those who sign up.",
                accessibility: &[],
                accessibility_notes: "字幕機能を使えます。",
                accessibility_notes_en: "Captions are available.",
            },
            now,
        )
        .await?;

    let mut people = Vec::new();
    for (name, name_en, bio, bio_en) in [
        (
            "森本 和子",
            "Kazuko Morimoto",
            "IPSファシリテーター。精神科病院での入院経験をきっかけに、ピアサポートの活動を始めました。",
            "IPS facilitator. Began working in peer support after her own stay in a psychiatric hospital.",
        ),
        (
            "石井 亮",
            "Ryo Ishii",
            "精神保健福祉士。地域の相談支援事業所で働きながら、IPS勉強会を続けています。",
            "Psychiatric social worker. Works at a community support office and runs an IPS study group.",
        ),
        (
            "ジョーダン・エリス",
            "Jordan Ellis",
            "米国のIPSトレーナー（架空の人物です）。",
            "IPS trainer from the United States (a fictional person).",
        ),
        (
            "野村 さやか",
            "Sayaka Nomura",
            "ピアサポーター。家族の立場からも活動しています。",
            "Peer supporter, also active as a family member.",
        ),
    ] {
        people.push(
            store
                .create_person(
                    &PersonInput {
                        name,
                        name_en,
                        bio,
                        bio_en,
                        user_id: None,
                    },
                    now,
                )
                .await?,
        );
    }

    let mut held = 0;
    let mut last_held = None;
    for (index, (year, month, town, kind)) in HISTORY.iter().enumerate() {
        let (title_ja, title_en_base, _) = title(*kind, TOWNS[*town].1);
        let days = days_for(*kind, *year, *month)?;
        let facilitators = [people[index % 2], people[2 + index % 2]];
        // Between 14 and 30 people a training; the total passes 700 as the report says.
        let attendance = 14 + i64::try_from((index * 7) % 17).unwrap_or(0);
        let id = store
            .create_training(
                &TrainingInput {
                    title: &title_ja,
                    title_en: &format!("{title_en_base}, {}", english_town(TOWNS[*town].3)),
                    description: DESCRIPTION,
                    description_en: DESCRIPTION_EN,
                    kind: *kind,
                    status: TrainingStatus::Held,
                    venue_id: Some(venue_ids[*town]),
                    language_note: if index < 2 {
                        "英語（日本語の逐次通訳あり）"
                    } else {
                        "日本語"
                    },
                    language_note_en: if index < 2 {
                        "English, with consecutive Japanese interpretation"
                    } else {
                        "Japanese"
                    },
                    fee_yen: Some(if *kind == TrainingKind::Lecture {
                        1000
                    } else {
                        5000
                    }),
                    fee_note: "当事者の方は減額があります。",
                    fee_note_en: "Reduced fee for people with lived experience.",
                    capacity: Some(30),
                    applications_open_on: None,
                    applications_close_on: None,
                    programme_version: if *year < 2012 { "pilot" } else { "provisional" },
                    attendance_count: Some(attendance),
                    days: &days,
                    facilitator_ids: &facilitators,
                },
                None,
                now,
            )
            .await?;
        last_held = Some(id);
        held += 1;
    }

    // Trainings to come, so the public pages have something to apply for. They are placed from
    // the day the demo is made (the programme's history above stays where it was), so a demo
    // made in any year has a training open for applications, one closing soon and one later.
    let today = kizuki_web::today(now);
    let basic = saturday_on_or_after(today, 35)?;
    let lecture = saturday_on_or_after(today, 14)?;
    let upcoming = [
        (
            TrainingKind::Basic,
            3usize,
            basic,
            TrainingStatus::ApplicationOpen,
            Some((days_from(today, -75)?, days_from(basic, -15)?)),
        ),
        (
            TrainingKind::Lecture,
            usize::MAX,
            lecture,
            TrainingStatus::ApplicationOpen,
            Some((days_from(today, -61)?, days_from(lecture, -2)?)),
        ),
        (
            TrainingKind::Advanced,
            1,
            saturday_on_or_after(today, 119)?,
            TrainingStatus::ApplicationOpen,
            // Applications open later: its page says when.
            Some((days_from(today, 30)?, days_from(today, 90)?)),
        ),
    ];
    for (guided, (kind, town, first, status, window)) in upcoming.into_iter().enumerate() {
        let (venue_id, town_name, town_en) = if town == usize::MAX {
            (online, "オンライン", "online")
        } else {
            (venue_ids[town], TOWNS[town].1, english_town(TOWNS[town].3))
        };
        let (title_ja, title_en_base, _) = title(kind, town_name);
        let length = if kind == TrainingKind::Lecture { 1 } else { 2 };
        let (start, end) = if kind == TrainingKind::Lecture {
            (time(19, 0, 0, 0), time(21, 0, 0, 0))
        } else {
            (time(10, 0, 0, 0), time(16, 30, 0, 0))
        };
        let days: Vec<TrainingDay> = (0..length)
            .map(|offset| {
                Ok(TrainingDay {
                    date: first.checked_add(jiff::Span::new().days(offset))?,
                    start,
                    end,
                })
            })
            .collect::<Result<_>>()?;
        let training_id = store
            .create_training(
                &TrainingInput {
                    title: &title_ja,
                    title_en: &format!("{title_en_base}, {town_en}"),
                    description: DESCRIPTION,
                    description_en: DESCRIPTION_EN,
                    kind,
                    status,
                    venue_id: Some(venue_id),
                    language_note: "日本語",
                    language_note_en: "Japanese",
                    fee_yen: Some(if kind == TrainingKind::Lecture {
                        0
                    } else {
                        8000
                    }),
                    fee_note: if kind == TrainingKind::Lecture {
                        ""
                    } else {
                        "当事者の方は4,000円です。"
                    },
                    fee_note_en: if kind == TrainingKind::Lecture {
                        ""
                    } else {
                        "¥4,000 for people with lived experience."
                    },
                    capacity: Some(if kind == TrainingKind::Lecture {
                        100
                    } else {
                        30
                    }),
                    applications_open_on: window.map(|(open, _)| open),
                    applications_close_on: window.map(|(_, close)| close),
                    programme_version: "final",
                    attendance_count: None,
                    days: &days,
                    facilitator_ids: &[people[0], people[1]],
                },
                None,
                now,
            )
            .await?;
        // Trainings to come tell participants how to pay and what to bring; the first has a
        // contact of its own, the others show the operator's.
        store
            .save_training_guide(
                training_id,
                &demo_guide(guided == 0, kind == TrainingKind::Lecture),
                now,
            )
            .await?;
    }

    let groups = fill_groups(store, &venue_ids, online, host, now).await?;
    Ok((held, groups, last_held))
}

/// A free online lecture has nothing to pay and nothing to bring.
fn demo_guide(own_contact: bool, online_and_free: bool) -> kizuki_store::TrainingGuide {
    let (name, name_en, email) = if own_contact {
        (
            "研修会事務局 佐藤",
            "Training office (Sato)",
            "training@example.jp",
        )
    } else {
        ("", "", "")
    };
    if online_and_free {
        return kizuki_store::TrainingGuide {
            contact_name: name.to_owned(),
            contact_name_en: name_en.to_owned(),
            contact_email: email.to_owned(),
            bring: "Zoom が使える端末。静かに話せる場所からご参加ください。".to_owned(),
            bring_en: "A device that runs Zoom, and a quiet place to talk.".to_owned(),
            ..kizuki_store::TrainingGuide::default()
        };
    }
    kizuki_store::TrainingGuide {
        contact_name: name.to_owned(),
        contact_name_en: name_en.to_owned(),
        contact_email: email.to_owned(),
        contact_phone: String::new(),
        payment: "当日、受付で現金でお支払いください。領収書をお渡しします。".to_owned(),
        payment_en: "Please pay in cash at the reception desk on the first day; you will be given a receipt.".to_owned(),
        bring: "筆記用具、飲み物。昼食は各自でご用意ください。".to_owned(),
        bring_en: "Something to write with and a drink. Please bring your own lunch.".to_owned(),
    }
}

fn english_town(venue_en: &str) -> &str {
    venue_en.split(' ').next().unwrap_or(venue_en)
}

/// (town index, or None for online; name; English name; rule in words; first meeting; status)
type DemoGroup = (
    Option<usize>,
    &'static str,
    &'static str,
    &'static str,
    Date,
    GroupStatus,
);

async fn fill_groups(
    store: &Store,
    venue_ids: &[i64],
    online: i64,
    host: Option<i64>,
    now: Timestamp,
) -> Result<usize> {
    // (town index or online, name, English name, rule in words, first meeting, status)
    let groups: [DemoGroup; 10] = [
        (
            Some(0),
            "IPS勉強会しんじゅく",
            "IPS study group Shinjuku",
            "毎月第2土曜 14:00-16:00",
            date(2011, 4, 9),
            GroupStatus::Active,
        ),
        (
            Some(1),
            "IPS勉強会なにわ",
            "IPS study group Naniwa",
            "毎月第4土曜 13:30-16:00",
            date(2012, 6, 23),
            GroupStatus::Active,
        ),
        (
            Some(2),
            "京都IPSの会",
            "Kyoto IPS circle",
            "隔週水曜 19:00-21:00",
            date(2012, 9, 5),
            GroupStatus::Active,
        ),
        (
            Some(3),
            "IPS勉強会さっぽろ",
            "IPS study group Sapporo",
            "毎月第3日曜 10:00-12:00",
            date(2012, 7, 15),
            GroupStatus::Active,
        ),
        (
            Some(5),
            "せんだいIPS勉強会",
            "Sendai IPS study group",
            "毎月第1土曜 14:00-16:30",
            date(2013, 3, 2),
            GroupStatus::Active,
        ),
        (
            Some(6),
            "ふくおかIPSの集い",
            "Fukuoka IPS gathering",
            "毎月第2日曜 13:00-15:00",
            date(2013, 4, 14),
            GroupStatus::Active,
        ),
        (
            Some(15),
            "くまもとIPS勉強会",
            "Kumamoto IPS study group",
            "毎月第4日曜 14:00-16:00",
            date(2013, 10, 27),
            GroupStatus::Paused,
        ),
        (
            Some(16),
            "なはIPSゆんたく会",
            "Naha IPS yuntaku circle",
            "毎月最終土曜 15:00-17:00",
            date(2014, 1, 25),
            GroupStatus::Ended,
        ),
        (
            None,
            "オンラインIPS勉強会",
            "Online IPS study group",
            "毎月最終日曜 20:00-21:30",
            date(2020, 5, 31),
            GroupStatus::Active,
        ),
        (
            Some(8),
            "なごやIPS勉強会（準備中）",
            "Nagoya IPS study group (starting)",
            "毎月第1日曜 10:00-12:00",
            first_sunday_of_next_month(kizuki_web::today(now))?,
            GroupStatus::PendingApproval,
        ),
    ];
    let mut count = 0;
    for (town, name, name_en, words, first, status) in groups {
        let recurrence = Recurrence::parse_words(words).map_err(|error| anyhow!("{error}"))?;
        let hosts: Vec<i64> = host
            .filter(|_| name == "IPS勉強会さっぽろ")
            .into_iter()
            .collect();
        let id = store
            .create_study_group(
                &StudyGroupInput {
                    name,
                    name_en,
                    description: "IPS研修会に参加した仲間で続けている勉強会です。はじめての方も、研修会に参加したことがない方も歓迎します。話したくないときは、聞いているだけでもかまいません。",
                    description_en: "A study group kept going by people who met at IPS trainings. Newcomers are welcome, including people who have not been to a training. If you would rather not speak, you are welcome just to listen.",
                    venue_id: Some(town.map_or(online, |index| venue_ids[index])),
                    host_name: "世話人会",
                    host_name_en: "The hosts",
                    recurrence,
                    first_meeting_on: first,
                    contact_note: "見学だけの参加も歓迎します。はじめての方は、下のボタンから世話人にひとことお知らせください。",
                    contact_note_en: "You are welcome to come just to watch. If it is your first time, please send the hosts a short note with the button below.",
                    status,
                    host_user_ids: &hosts,
                },
                None,
                now,
            )
            .await?;
        if !hosts.is_empty() {
            fill_messages(store, id, hosts[0], now).await?;
        }
        count += 1;
    }
    Ok(count)
}

/// Two messages to the demo host's group: one answered, one waiting to be read.
async fn fill_messages(store: &Store, group_id: i64, host: i64, now: Timestamp) -> Result<()> {
    let answered = store
        .add_group_message(
            &kizuki_store::NewGroupMessage {
                group_id,
                sender_name: "みどり",
                sender_email: "midori@example.jp",
                body: "はじめまして。研修会にはまだ出たことがないのですが、参加してもよいでしょうか。",
                lang: "ja",
                client_digest: "demo",
            },
            now.minus_seconds(5 * 24 * 3600),
        )
        .await?;
    store
        .add_group_reply(
            answered,
            host,
            "みどりさん、メッセージをありがとうございます。研修会に出ていない方も歓迎しています。当日は会場の入口でお声がけください。",
            now.minus_seconds(4 * 24 * 3600),
        )
        .await?;
    store
        .add_group_message(
            &kizuki_store::NewGroupMessage {
                group_id,
                sender_name: "Alex",
                sender_email: "alex@example.jp",
                body: "Hello. I am moving to Sapporo next month. Is the group held in Japanese only, and can I just listen at first?",
                lang: "en",
                client_digest: "demo",
            },
            now.minus_seconds(3 * 3600),
        )
        .await?;
    Ok(())
}
