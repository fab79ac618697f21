/// The eight regions conventionally used to group prefectures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Region {
    Hokkaido,
    Tohoku,
    Kanto,
    Chubu,
    Kinki,
    Chugoku,
    Shikoku,
    KyushuOkinawa,
}

impl Region {
    pub const ALL: [Region; 8] = [
        Region::Hokkaido,
        Region::Tohoku,
        Region::Kanto,
        Region::Chubu,
        Region::Kinki,
        Region::Chugoku,
        Region::Shikoku,
        Region::KyushuOkinawa,
    ];

    /// Stable name for URLs and message keys.
    pub fn slug(self) -> &'static str {
        match self {
            Region::Hokkaido => "hokkaido",
            Region::Tohoku => "tohoku",
            Region::Kanto => "kanto",
            Region::Chubu => "chubu",
            Region::Kinki => "kinki",
            Region::Chugoku => "chugoku",
            Region::Shikoku => "shikoku",
            Region::KyushuOkinawa => "kyushu-okinawa",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Region> {
        Region::ALL.into_iter().find(|region| region.slug() == slug)
    }

    pub fn prefectures(self) -> impl Iterator<Item = &'static Prefecture> {
        PREFECTURES
            .iter()
            .filter(move |prefecture| prefecture.region == self)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prefecture {
    /// JIS X 0401 code, 1 (北海道) to 47 (沖縄県).
    pub code: u8,
    pub name_ja: &'static str,
    pub name_en: &'static str,
    pub region: Region,
}

impl Prefecture {
    /// The two-digit form used in URLs and imports ("01" … "47").
    pub fn code_text(&self) -> String {
        format!("{:02}", self.code)
    }
}

macro_rules! prefectures {
    ($(($code:expr, $ja:expr, $en:expr, $region:ident)),* $(,)?) => {
        [$(Prefecture { code: $code, name_ja: $ja, name_en: $en, region: Region::$region }),*]
    };
}

pub const PREFECTURES: [Prefecture; 47] = prefectures![
    (1, "北海道", "Hokkaido", Hokkaido),
    (2, "青森県", "Aomori", Tohoku),
    (3, "岩手県", "Iwate", Tohoku),
    (4, "宮城県", "Miyagi", Tohoku),
    (5, "秋田県", "Akita", Tohoku),
    (6, "山形県", "Yamagata", Tohoku),
    (7, "福島県", "Fukushima", Tohoku),
    (8, "茨城県", "Ibaraki", Kanto),
    (9, "栃木県", "Tochigi", Kanto),
    (10, "群馬県", "Gunma", Kanto),
    (11, "埼玉県", "Saitama", Kanto),
    (12, "千葉県", "Chiba", Kanto),
    (13, "東京都", "Tokyo", Kanto),
    (14, "神奈川県", "Kanagawa", Kanto),
    (15, "新潟県", "Niigata", Chubu),
    (16, "富山県", "Toyama", Chubu),
    (17, "石川県", "Ishikawa", Chubu),
    (18, "福井県", "Fukui", Chubu),
    (19, "山梨県", "Yamanashi", Chubu),
    (20, "長野県", "Nagano", Chubu),
    (21, "岐阜県", "Gifu", Chubu),
    (22, "静岡県", "Shizuoka", Chubu),
    (23, "愛知県", "Aichi", Chubu),
    (24, "三重県", "Mie", Kinki),
    (25, "滋賀県", "Shiga", Kinki),
    (26, "京都府", "Kyoto", Kinki),
    (27, "大阪府", "Osaka", Kinki),
    (28, "兵庫県", "Hyogo", Kinki),
    (29, "奈良県", "Nara", Kinki),
    (30, "和歌山県", "Wakayama", Kinki),
    (31, "鳥取県", "Tottori", Chugoku),
    (32, "島根県", "Shimane", Chugoku),
    (33, "岡山県", "Okayama", Chugoku),
    (34, "広島県", "Hiroshima", Chugoku),
    (35, "山口県", "Yamaguchi", Chugoku),
    (36, "徳島県", "Tokushima", Shikoku),
    (37, "香川県", "Kagawa", Shikoku),
    (38, "愛媛県", "Ehime", Shikoku),
    (39, "高知県", "Kochi", Shikoku),
    (40, "福岡県", "Fukuoka", KyushuOkinawa),
    (41, "佐賀県", "Saga", KyushuOkinawa),
    (42, "長崎県", "Nagasaki", KyushuOkinawa),
    (43, "熊本県", "Kumamoto", KyushuOkinawa),
    (44, "大分県", "Oita", KyushuOkinawa),
    (45, "宮崎県", "Miyazaki", KyushuOkinawa),
    (46, "鹿児島県", "Kagoshima", KyushuOkinawa),
    (47, "沖縄県", "Okinawa", KyushuOkinawa),
];

pub fn prefecture(code: u8) -> Option<&'static Prefecture> {
    PREFECTURES.get(usize::from(code).checked_sub(1)?)
}

/// Finds a prefecture by code ("13", "1"), Japanese name with or without its suffix ("東京都",
/// "東京"), or English name ("Tokyo", "tokyo-to").
pub fn prefecture_by_name(text: &str) -> Option<&'static Prefecture> {
    let text = text.trim();
    if let Ok(code) = text.parse::<u8>() {
        return prefecture(code);
    }
    let lower = text.to_ascii_lowercase();
    let english = lower
        .trim_end_matches(" prefecture")
        .trim_end_matches("-ken")
        .trim_end_matches("-to")
        .trim_end_matches("-fu");
    PREFECTURES.iter().find(|prefecture| {
        prefecture.name_ja == text
            || short_name(prefecture.name_ja) == text
            || prefecture.name_en.eq_ignore_ascii_case(english)
    })
}

/// "東京都" → "東京", "北海道" stays (its 道 is part of the name people use).
fn short_name(name: &str) -> &str {
    if name == "北海道" {
        return name;
    }
    name.strip_suffix(['都', '府', '県']).unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_run_from_one_to_forty_seven() {
        for (index, prefecture) in PREFECTURES.iter().enumerate() {
            assert_eq!(usize::from(prefecture.code), index + 1);
        }
        assert_eq!(prefecture(13).map(|p| p.name_ja), Some("東京都"));
        assert_eq!(prefecture(0), None);
        assert_eq!(prefecture(48), None);
    }

    #[test]
    fn prefectures_are_found_by_any_usual_name() {
        for text in [
            "東京都",
            "東京",
            "Tokyo",
            "tokyo-to",
            "13",
            "Tokyo Prefecture",
        ] {
            assert_eq!(prefecture_by_name(text).map(|p| p.code), Some(13), "{text}");
        }
        assert_eq!(prefecture_by_name("北海道").map(|p| p.code), Some(1));
        assert_eq!(prefecture_by_name("京都").map(|p| p.code), Some(26));
        assert_eq!(prefecture_by_name("Atlantis"), None);
    }

    #[test]
    fn every_region_has_prefectures() {
        let total: usize = Region::ALL
            .iter()
            .map(|region| region.prefectures().count())
            .sum();
        assert_eq!(total, 47);
        assert_eq!(
            Region::from_slug("kyushu-okinawa"),
            Some(Region::KyushuOkinawa)
        );
    }
}
