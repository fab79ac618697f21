//! Japan's 47 prefectures (JIS X 0401 codes), municipality positions and the map of Japan.
//!
//! The geodata is bundled (see `data/README.md` for sources and licences) and parsed once on
//! first use. Nothing here does IO at run time.

mod map;
mod municipalities;
mod outlines;
mod prefectures;
mod romaji;
mod view;

pub use map::{MapLabels, MapMarker, MarkerKind, escape, render_map_svg};
pub use municipalities::{municipalities_of, municipality_position, municipality_romaji};
pub use prefectures::{PREFECTURES, Prefecture, Region, prefecture, prefecture_by_name};
pub use view::{
    Cluster, PIN_RADIUS, Pin, PinKind, Place, ViewLabels, ViewProjection, Viewport, cluster,
    render_view, spread,
};

/// A point on the earth, in degrees.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LatLon {
    pub lat: f64,
    pub lon: f64,
}

/// Where a place in `prefecture_code` lies: the municipality's own position when known, else
/// the middle of the prefecture's outline.
pub fn locate(prefecture_code: u8, municipality: &str) -> Option<LatLon> {
    municipality_position(prefecture_code, municipality)
        .or_else(|| outlines::centroid(prefecture_code))
}
