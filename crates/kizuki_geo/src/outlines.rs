//! Prefecture outlines from `japanmap`'s `japan.json`: a list of points (`[[lon, lat], weight]`)
//! and, per prefecture, the chains of point indices along each of its borders.

use std::sync::LazyLock;

use serde::Deserialize;

use crate::LatLon;

#[derive(Deserialize)]
struct RawOutlines(Vec<([f64; 2], f64)>, Vec<Vec<(u32, Vec<usize>)>>);

/// One outline (a closed ring of points) per prefecture, in code order.
pub(crate) static OUTLINES: LazyLock<Vec<Vec<LatLon>>> = LazyLock::new(|| {
    let Ok(RawOutlines(points, prefectures)) =
        serde_json::from_str::<RawOutlines>(include_str!("../data/japanmap-japan.json"))
    else {
        return Vec::new();
    };
    prefectures
        .iter()
        .map(|borders| {
            borders
                .iter()
                .flat_map(|(_, chain)| chain.iter())
                .filter_map(|&index| points.get(index))
                .map(|([lon, lat], _)| LatLon {
                    lat: *lat,
                    lon: *lon,
                })
                .collect()
        })
        .collect()
});

pub(crate) fn outline(prefecture_code: u8) -> Option<&'static [LatLon]> {
    OUTLINES
        .get(usize::from(prefecture_code).checked_sub(1)?)
        .map(Vec::as_slice)
}

/// The area-weighted centre of a prefecture's outline.
pub(crate) fn centroid(prefecture_code: u8) -> Option<LatLon> {
    let ring = outline(prefecture_code)?;
    let (mut area, mut x, mut y) = (0.0, 0.0, 0.0);
    for (a, b) in ring.iter().zip(ring.iter().cycle().skip(1)) {
        let cross = a.lon * b.lat - b.lon * a.lat;
        area += cross;
        x += (a.lon + b.lon) * cross;
        y += (a.lat + b.lat) * cross;
    }
    if area.abs() < f64::EPSILON {
        return None;
    }
    Some(LatLon {
        lat: y / (3.0 * area),
        lon: x / (3.0 * area),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_forty_seven_outlines_are_present() {
        assert_eq!(OUTLINES.len(), 47);
        for (index, ring) in OUTLINES.iter().enumerate() {
            assert!(
                ring.len() >= 10,
                "prefecture {} has {} points",
                index + 1,
                ring.len()
            );
        }
    }

    #[test]
    fn centroids_fall_inside_the_right_part_of_japan() {
        let hokkaido = centroid(1).expect("Hokkaido");
        assert!(hokkaido.lat > 42.0 && hokkaido.lon > 141.0, "{hokkaido:?}");
        let tokyo = centroid(13).expect("Tokyo");
        assert!(
            (tokyo.lat - 35.7).abs() < 0.3 && (tokyo.lon - 139.5).abs() < 0.5,
            "{tokyo:?}"
        );
        let okinawa = centroid(47).expect("Okinawa");
        assert!(okinawa.lat < 27.5, "{okinawa:?}");
    }
}
