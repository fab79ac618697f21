//! Dates, times, money and places, written the way each language writes them.

use jiff::civil::{Date, Time, Weekday};
use kizuki_i18n::Lang;

const JA_WEEKDAYS: [&str; 7] = ["月", "火", "水", "木", "金", "土", "日"];
const EN_WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const EN_MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn weekday_index(weekday: Weekday) -> usize {
    usize::try_from(weekday.to_monday_zero_offset()).unwrap_or(0)
}

fn month_name(date: Date) -> &'static str {
    EN_MONTHS[usize::try_from(date.month() - 1).unwrap_or(0)]
}

/// "2027年2月20日（土）" / "Sat 20 Feb 2027".
pub fn date(lang: Lang, date: Date) -> String {
    let day = weekday_index(date.weekday());
    match lang {
        Lang::Ja => format!(
            "{}年{}月{}日（{}）",
            date.year(),
            date.month(),
            date.day(),
            JA_WEEKDAYS[day]
        ),
        Lang::En => format!(
            "{} {} {} {}",
            EN_WEEKDAYS[day],
            date.day(),
            month_name(date),
            date.year()
        ),
    }
}

/// A span of days, shortened where the year or month repeats:
/// "2027年2月20日（土）〜21日（日）" / "Sat 20 – Sun 21 Feb 2027".
pub fn date_range(lang: Lang, first: Date, last: Date) -> String {
    if first == last {
        return date(lang, first);
    }
    let (a, b) = (
        weekday_index(first.weekday()),
        weekday_index(last.weekday()),
    );
    match lang {
        Lang::Ja => {
            let end = if first.year() != last.year() {
                format!(
                    "{}年{}月{}日（{}）",
                    last.year(),
                    last.month(),
                    last.day(),
                    JA_WEEKDAYS[b]
                )
            } else if first.month() != last.month() {
                format!("{}月{}日（{}）", last.month(), last.day(), JA_WEEKDAYS[b])
            } else {
                format!("{}日（{}）", last.day(), JA_WEEKDAYS[b])
            };
            format!("{}〜{end}", self::date(lang, first))
        }
        Lang::En => {
            if first.year() == last.year() && first.month() == last.month() {
                format!(
                    "{} {} – {} {} {} {}",
                    EN_WEEKDAYS[a],
                    first.day(),
                    EN_WEEKDAYS[b],
                    last.day(),
                    month_name(last),
                    last.year()
                )
            } else {
                format!("{} – {}", self::date(lang, first), self::date(lang, last))
            }
        }
    }
}

/// A training's days as one range ("2027年6月5日（土）〜6日（日）"), or nothing without days.
pub fn training_dates(lang: Lang, training: &kizuki_store::Training) -> String {
    match (training.first_day(), training.last_day()) {
        (Some(first), Some(last)) => date_range(lang, first, last),
        _ => String::new(),
    }
}

pub fn time_range(start: Time, end: Time) -> String {
    format!(
        "{:02}:{:02}–{:02}:{:02}",
        start.hour(),
        start.minute(),
        end.hour(),
        end.minute()
    )
}

/// A count as people write it in both languages: 10,000.
pub fn grouped(number: u64) -> String {
    let digits = number.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// "5,000円" / "¥5,000"; zero is "無料" / "Free".
pub fn yen(lang: Lang, amount: i64) -> String {
    if amount == 0 {
        return kizuki_i18n::text(lang, "catalogue.free").to_owned();
    }
    let grouped = grouped(amount.unsigned_abs());
    let sign = if amount < 0 { "-" } else { "" };
    match lang {
        Lang::Ja => format!("{sign}{grouped}円"),
        Lang::En => format!("{sign}¥{grouped}"),
    }
}

/// Text in the page's language if there is some, else the Japanese original, marked as such so
/// screen readers pronounce it correctly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Localized {
    pub text: String,
    /// `Some("ja")` when an English page shows Japanese text.
    pub lang: Option<&'static str>,
}

impl Localized {
    pub fn pick(lang: Lang, japanese: &str, english: &str) -> Localized {
        match lang {
            Lang::En if english.trim().is_empty() && !japanese.trim().is_empty() => Localized {
                text: japanese.to_owned(),
                lang: Some("ja"),
            },
            Lang::En => Localized {
                text: english.to_owned(),
                lang: None,
            },
            Lang::Ja => Localized {
                text: japanese.to_owned(),
                lang: None,
            },
        }
    }

    /// The `lang` attribute to put on the element showing this text, if it differs from the page.
    pub fn attr(&self) -> &'static str {
        if self.lang.is_some() {
            " lang=\"ja\""
        } else {
            ""
        }
    }

    pub fn is_empty(&self) -> bool {
        self.text.trim().is_empty()
    }
}

/// A prefecture's name in the page's language.
pub fn prefecture_name(lang: Lang, code: u8) -> String {
    kizuki_geo::prefecture(code).map_or_else(String::new, |p| match lang {
        Lang::Ja => p.name_ja.to_owned(),
        Lang::En => p.name_en.to_owned(),
    })
}

/// A stored date (`2013-09-14`) as the site writes dates (「2013年9月14日（土）」); text that is not a
/// date, as it is.
pub fn stored_date(lang: Lang, text: &str) -> String {
    text.parse::<jiff::civil::Date>()
        .map_or_else(|_| text.to_owned(), |day| date(lang, day))
}

/// A municipality's name in the page's language. English has the romaji where the bundled list
/// knows it ("Sapporo"); otherwise the name as written.
pub fn municipality_name(lang: Lang, prefecture_code: u8, municipality: &str) -> String {
    match lang {
        Lang::Ja => municipality.to_owned(),
        Lang::En => kizuki_geo::municipality_romaji(prefecture_code, municipality)
            .map_or_else(|| municipality.to_owned(), str::to_owned),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date as d, time};

    #[test]
    fn dates_in_both_languages() {
        assert_eq!(date(Lang::Ja, d(2027, 2, 20)), "2027年2月20日（土）");
        assert_eq!(date(Lang::En, d(2027, 2, 20)), "Sat 20 Feb 2027");
        assert_eq!(
            date_range(Lang::Ja, d(2027, 2, 20), d(2027, 2, 21)),
            "2027年2月20日（土）〜21日（日）"
        );
        assert_eq!(
            date_range(Lang::Ja, d(2027, 2, 27), d(2027, 3, 1)),
            "2027年2月27日（土）〜3月1日（月）"
        );
        assert_eq!(
            date_range(Lang::En, d(2027, 2, 20), d(2027, 2, 21)),
            "Sat 20 – Sun 21 Feb 2027"
        );
        assert_eq!(
            date_range(Lang::En, d(2027, 2, 27), d(2027, 3, 1)),
            "Sat 27 Feb 2027 – Mon 1 Mar 2027"
        );
        assert_eq!(
            time_range(time(9, 5, 0, 0), time(16, 30, 0, 0)),
            "09:05–16:30"
        );
    }

    #[test]
    fn money() {
        assert_eq!(yen(Lang::Ja, 5000), "5,000円");
        assert_eq!(yen(Lang::En, 1_234_567), "¥1,234,567");
        assert_eq!(yen(Lang::Ja, 500), "500円");
    }

    #[test]
    fn english_pages_fall_back_to_marked_japanese() {
        assert_eq!(
            Localized::pick(Lang::En, "勉強会", ""),
            Localized {
                text: "勉強会".into(),
                lang: Some("ja")
            }
        );
        assert_eq!(
            Localized::pick(Lang::En, "勉強会", "Study group").lang,
            None
        );
        assert_eq!(
            Localized::pick(Lang::Ja, "勉強会", "Study group").text,
            "勉強会"
        );
    }
}
