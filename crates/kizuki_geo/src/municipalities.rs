use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Deserialize;

use crate::{LatLon, prefecture};

#[derive(Deserialize)]
struct Position {
    lat: f64,
    lng: f64,
}

/// (prefecture code, municipality) → position.
static POSITIONS: LazyLock<HashMap<(u8, String), LatLon>> = LazyLock::new(|| {
    let raw: HashMap<String, Position> =
        serde_json::from_str(include_str!("../data/jpgeocode-municipalities.json"))
            .unwrap_or_default();
    raw.into_iter()
        .filter_map(|(key, position)| {
            let (prefecture_name, municipality) = key.split_once(',')?;
            let code = crate::PREFECTURES
                .iter()
                .find(|p| p.name_ja == prefecture_name)?
                .code;
            Some((
                (code, municipality.to_owned()),
                LatLon {
                    lat: position.lat,
                    lon: position.lng,
                },
            ))
        })
        .collect()
});

pub fn municipality_position(prefecture_code: u8, municipality: &str) -> Option<LatLon> {
    prefecture(prefecture_code)?;
    POSITIONS
        .get(&(prefecture_code, municipality.trim().to_owned()))
        .copied()
}

/// The municipalities known in a prefecture, sorted, for suggestions in forms.
pub fn municipalities_of(prefecture_code: u8) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = POSITIONS
        .keys()
        .filter(|(code, _)| *code == prefecture_code)
        .map(|(_, name)| name.as_str())
        .collect();
    names.sort_unstable();
    names
}

/// A municipality's name in romaji, without its 市・区・町・村 ("Sapporo", "Shinjuku"), when
/// the bundled readings know it.
pub fn municipality_romaji(prefecture_code: u8, municipality: &str) -> Option<&'static str> {
    crate::romaji::of(prefecture_code, municipality.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_list_is_complete_and_placed_in_japan() {
        assert!(POSITIONS.len() > 1700, "{}", POSITIONS.len());
        for position in POSITIONS.values() {
            assert!((20.0..46.0).contains(&position.lat) && (122.0..154.0).contains(&position.lon));
        }
    }

    #[test]
    fn known_towns_are_where_they_should_be() {
        let sapporo = municipality_position(1, "札幌市").expect("Sapporo");
        assert!((sapporo.lat - 43.06).abs() < 0.1 && (sapporo.lon - 141.35).abs() < 0.1);
        let naha = municipality_position(47, "那覇市").expect("Naha");
        assert!((naha.lat - 26.2).abs() < 0.2);
        assert!(
            municipality_position(13, "札幌市").is_none(),
            "Sapporo is not in Tokyo"
        );
        assert!(municipalities_of(13).contains(&"世田谷区"));
    }
}
