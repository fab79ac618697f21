//! Romaji for municipality names, for the English pages: "札幌市" → "Sapporo". Made on first use
//! from the bundled readings (Japan Post's postal code data, see `data/README.md`) with the
//! `wana_kana` crate, written the way English texts and road signs write Japanese places: the
//! 市・区・町・村 left off and long vowels not marked ("Osaka", not "Oosaka" or "Ōsaka").

use std::collections::HashMap;
use std::sync::LazyLock;

use wana_kana::ConvertJapanese;

use crate::PREFECTURES;

static ROMAJI: LazyLock<HashMap<(u8, String), String>> = LazyLock::new(|| {
    include_str!("../data/municipality-readings.tsv")
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let mut fields = line.split('\t');
            let (prefecture, municipality, reading) =
                (fields.next()?, fields.next()?, fields.next()?);
            let code = PREFECTURES.iter().find(|p| p.name_ja == prefecture)?.code;
            Some((
                (code, municipality.to_owned()),
                romanise(municipality, reading)?,
            ))
        })
        .collect()
});

pub(crate) fn of(prefecture_code: u8, municipality: &str) -> Option<&'static str> {
    ROMAJI
        .get(&(prefecture_code, municipality.to_owned()))
        .map(String::as_str)
}

/// The reading of the name without the reading of its last character (市 シ, 区 ク, 町 チョウ
/// or マチ, 村 ソン or ムラ), in romaji with a capital.
fn romanise(municipality: &str, reading: &str) -> Option<String> {
    let suffixes: &[&str] = match municipality.chars().last()? {
        '市' => &["シ"],
        '区' => &["ク"],
        '町' => &["チョウ", "マチ"],
        '村' => &["ソン", "ムラ"],
        _ => &[],
    };
    let stem = suffixes
        .iter()
        .find_map(|suffix| reading.strip_suffix(suffix))
        .unwrap_or(reading);
    let romaji = plain_vowels(&stem.to_romaji());
    let mut chars = romaji.chars();
    let first = chars.next()?;
    Some(first.to_uppercase().chain(chars).collect())
}

/// "oo" and "ou" as "o", "uu" as "u": how place names are usually written in English.
fn plain_vowels(romaji: &str) -> String {
    romaji
        .replace("ou", "o")
        .replace("oo", "o")
        .replace("uu", "u")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_as_english_writes_them() {
        for (code, name, expected) in [
            (1, "札幌市", "Sapporo"),
            (27, "大阪市", "Osaka"),
            (13, "新宿区", "Shinjuku"),
            (13, "世田谷区", "Setagaya"),
            (26, "京都市", "Kyoto"),
            (4, "仙台市", "Sendai"),
            (47, "那覇市", "Naha"),
            (1, "当別町", "Tobetsu"),
            (7, "郡山市", "Koriyama"),
        ] {
            assert_eq!(of(code, name), Some(expected), "{name}");
        }
        assert!(ROMAJI.len() > 1700, "{}", ROMAJI.len());
        assert!(ROMAJI.values().all(|name| name.is_ascii()));
    }
}
