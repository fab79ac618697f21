//! The map of Japan as SVG: prefecture outlines, and markers for towns with trainings (blue
//! circles) and towns with study groups (yellow diamonds), each marker a link with an accessible
//! name. Shapes differ as well as colours, so the map reads in greyscale and print.
//!
//! Everything is drawn with presentation attributes, not CSS, so the same SVG stands alone when
//! downloaded for a report.

use std::fmt::Write;

use crate::LatLon;
use crate::outlines::OUTLINES;

const WIDTH: f64 = 1000.0;
/// The latitude whose scale the projection keeps true (middle of Honshu).
const STANDARD_PARALLEL: f64 = 36.0;
/// Okinawa is drawn nearer the main islands, in a box, as Japanese maps usually do.
const OKINAWA_SHIFT: LatLon = LatLon { lat: 5.0, lon: 4.5 };
const OKINAWA_CODE: u8 = 47;

pub const TRAINING_COLOUR: &str = "#1f5fbf";
pub const GROUP_COLOUR: &str = "#f2c230";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarkerKind {
    Training,
    StudyGroup,
}

#[derive(Clone, Debug)]
pub struct MapMarker {
    pub prefecture_code: u8,
    pub position: LatLon,
    pub kind: MarkerKind,
    /// What a screen reader says for the link, e.g. "札幌市（北海道）: 研修会 3 回".
    pub label: String,
    pub href: String,
}

/// The words on the map, in the page's language.
pub struct MapLabels<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub legend_trainings: &'a str,
    pub legend_groups: &'a str,
    pub attribution: &'a str,
    pub lang: &'a str,
}

struct Projection {
    min_x: f64,
    max_y: f64,
    scale: f64,
}

impl Projection {
    fn fit() -> Projection {
        let (mut min_x, mut max_x, mut min_y, mut max_y) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for (index, ring) in OUTLINES.iter().enumerate() {
            for point in ring {
                let (x, y) = raw(shifted(index_code(index), *point));
                min_x = min_x.min(x);
                max_x = max_x.max(x);
                min_y = min_y.min(y);
                max_y = max_y.max(y);
            }
        }
        let scale = WIDTH / (max_x - min_x).max(f64::EPSILON);
        Projection {
            min_x,
            max_y,
            scale,
        }
    }

    fn height(&self) -> f64 {
        let min_y = OUTLINES
            .iter()
            .enumerate()
            .flat_map(|(index, ring)| {
                ring.iter()
                    .map(move |p| raw(shifted(index_code(index), *p)).1)
            })
            .fold(f64::MAX, f64::min);
        (self.max_y - min_y) * self.scale
    }

    fn point(&self, prefecture_code: u8, position: LatLon) -> (f64, f64) {
        let (x, y) = raw(shifted(prefecture_code, position));
        ((x - self.min_x) * self.scale, (self.max_y - y) * self.scale)
    }
}

pub(crate) fn index_code(index: usize) -> u8 {
    u8::try_from(index + 1).unwrap_or(0)
}

pub(crate) fn shifted(prefecture_code: u8, position: LatLon) -> LatLon {
    if prefecture_code == OKINAWA_CODE {
        LatLon {
            lat: position.lat + OKINAWA_SHIFT.lat,
            lon: position.lon + OKINAWA_SHIFT.lon,
        }
    } else {
        position
    }
}

/// Equirectangular with the standard parallel's scale: simple, and close enough for a country
/// this narrow that no one will measure distances on it.
pub(crate) fn raw(position: LatLon) -> (f64, f64) {
    (
        position.lon * STANDARD_PARALLEL.to_radians().cos(),
        position.lat,
    )
}

/// Escapes text for XML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

const MARGIN: f64 = 20.0;
const LEGEND_HEIGHT: f64 = 70.0;

/// Draws the map. `id_prefix` keeps element ids unique when a page holds several maps.
/// The projection and the drawn prefectures never change, so they are worked out once.
static PROJECTION: std::sync::LazyLock<Projection> = std::sync::LazyLock::new(Projection::fit);
static PREFECTURE_SHAPES: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let projection = &*PROJECTION;
    let mut svg = String::with_capacity(80_000);
    svg.push_str("<g aria-hidden=\"true\" fill=\"#fbf9f5\" stroke=\"#8c8577\" stroke-width=\"0.8\" stroke-linejoin=\"round\">");
    for (index, ring) in OUTLINES.iter().enumerate() {
        let code = index_code(index);
        svg.push_str("<path d=\"");
        for (position, point) in ring.iter().enumerate() {
            let (x, y) = projection.point(code, *point);
            let command = if position == 0 { 'M' } else { 'L' };
            let _ = write!(svg, "{command}{x:.1} {y:.1}");
        }
        svg.push_str("Z\"/>");
    }
    svg.push_str("</g>");
    okinawa_frame(&mut svg, projection);
    svg
});
static MAP_HEIGHT: std::sync::LazyLock<f64> = std::sync::LazyLock::new(|| PROJECTION.height());

pub fn render_map_svg(markers: &[MapMarker], labels: &MapLabels<'_>, id_prefix: &str) -> String {
    let projection = &*PROJECTION;
    let map_height = *MAP_HEIGHT;
    let height = map_height + LEGEND_HEIGHT + 2.0 * MARGIN;
    let mut svg = String::with_capacity(160_000);
    let title_id = format!("{id_prefix}-title");
    let desc_id = format!("{id_prefix}-desc");
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"{x:.0} {y:.0} {w:.0} {h:.0}\" \
         class=\"japan-map\" lang=\"{lang}\" aria-labelledby=\"{title_id} {desc_id}\">\
         <title id=\"{title_id}\">{title}</title><desc id=\"{desc_id}\">{desc}</desc>\
         <rect x=\"{x:.0}\" y=\"{y:.0}\" width=\"{w:.0}\" height=\"{h:.0}\" fill=\"#eef5f8\"/>",
        x = -MARGIN,
        y = -MARGIN,
        w = WIDTH + 2.0 * MARGIN,
        h = height,
        lang = escape(labels.lang),
        title = escape(labels.title),
        desc = escape(labels.description),
    );

    svg.push_str(&PREFECTURE_SHAPES);

    // Training circles first, study-group diamonds on top and nudged aside, so a town with both
    // shows both.
    let mut ordered: Vec<&MapMarker> = markers.iter().collect();
    ordered.sort_by_key(|marker| marker.kind == MarkerKind::StudyGroup);
    svg.push_str("<g class=\"markers\">");
    for marker in ordered {
        let (x, y) = projection.point(marker.prefecture_code, marker.position);
        let _ = write!(
            svg,
            "<a href=\"{href}\" aria-label=\"{label}\"><title>{label}</title>",
            href = escape(&marker.href),
            label = escape(&marker.label)
        );
        match marker.kind {
            MarkerKind::Training => {
                let _ = write!(
                    svg,
                    "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"9\" fill=\"{TRAINING_COLOUR}\" stroke=\"#ffffff\" stroke-width=\"2\"/>"
                );
            }
            MarkerKind::StudyGroup => {
                let (x, y) = (x + 7.0, y - 7.0);
                let _ = write!(
                    svg,
                    "<path d=\"M{x:.1} {top:.1}L{right:.1} {y:.1}L{x:.1} {bottom:.1}L{left:.1} {y:.1}Z\" fill=\"{GROUP_COLOUR}\" stroke=\"#5a4300\" stroke-width=\"1.5\"/>",
                    top = y - 8.0,
                    bottom = y + 8.0,
                    left = x - 8.0,
                    right = x + 8.0,
                );
            }
        }
        svg.push_str("</a>");
    }
    svg.push_str("</g>");

    legend(&mut svg, labels, map_height + MARGIN);
    svg.push_str("</svg>");
    svg
}

fn okinawa_frame(svg: &mut String, projection: &Projection) {
    let Some(ring) = crate::outlines::outline(OKINAWA_CODE) else {
        return;
    };
    let points: Vec<(f64, f64)> = ring
        .iter()
        .map(|p| projection.point(OKINAWA_CODE, *p))
        .collect();
    let min_x = points.iter().map(|p| p.0).fold(f64::MAX, f64::min) - 25.0;
    let max_x = points.iter().map(|p| p.0).fold(f64::MIN, f64::max) + 25.0;
    let min_y = points.iter().map(|p| p.1).fold(f64::MAX, f64::min) - 25.0;
    let max_y = points.iter().map(|p| p.1).fold(f64::MIN, f64::max) + 25.0;
    let _ = write!(
        svg,
        "<rect aria-hidden=\"true\" x=\"{min_x:.1}\" y=\"{min_y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"none\" stroke=\"#8c8577\" stroke-width=\"1\" stroke-dasharray=\"4 3\"/>",
        max_x - min_x,
        max_y - min_y
    );
}

fn legend(svg: &mut String, labels: &MapLabels<'_>, top: f64) {
    let y = top + 18.0;
    let _ = write!(
        svg,
        "<g font-family=\"sans-serif\" font-size=\"18\" fill=\"#1f2a2e\">\
         <circle cx=\"10\" cy=\"{y:.0}\" r=\"7\" fill=\"{TRAINING_COLOUR}\" stroke=\"#ffffff\" stroke-width=\"2\" aria-hidden=\"true\"/>\
         <text x=\"26\" y=\"{ty:.0}\">{trainings}</text>\
         <path aria-hidden=\"true\" d=\"M{gx:.0} {gt:.0}L{gr:.0} {y:.0}L{gx:.0} {gb:.0}L{gl:.0} {y:.0}Z\" fill=\"{GROUP_COLOUR}\" stroke=\"#5a4300\" stroke-width=\"1.5\"/>\
         <text x=\"{gtx:.0}\" y=\"{ty:.0}\">{groups}</text>\
         <text x=\"0\" y=\"{ay:.0}\" font-size=\"13\" fill=\"#4a5559\">{attribution}</text></g>",
        ty = y + 6.0,
        trainings = escape(labels.legend_trainings),
        gx = 420.0,
        gt = y - 8.0,
        gb = y + 8.0,
        gl = 412.0,
        gr = 428.0,
        gtx = 438.0,
        groups = escape(labels.legend_groups),
        ay = y + 40.0,
        attribution = escape(labels.attribution),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> MapLabels<'static> {
        MapLabels {
            title: "研修会と勉強会の開催地",
            description: "青い丸は研修会、黄色のひし形は勉強会",
            legend_trainings: "研修会",
            legend_groups: "勉強会",
            attribution: "地図データ: japanmap",
            lang: "ja",
        }
    }

    #[test]
    fn the_map_has_every_prefecture_and_each_marker_as_a_named_link() {
        let markers = vec![
            MapMarker {
                prefecture_code: 1,
                position: LatLon {
                    lat: 43.06,
                    lon: 141.35,
                },
                kind: MarkerKind::Training,
                label: "札幌市（北海道）: 研修会 3 回".to_owned(),
                href: "/trainings?prefecture=01".to_owned(),
            },
            MapMarker {
                prefecture_code: 47,
                position: LatLon {
                    lat: 26.21,
                    lon: 127.68,
                },
                kind: MarkerKind::StudyGroup,
                label: "那覇市（沖縄県）: 勉強会".to_owned(),
                href: "/study-groups?prefecture=47".to_owned(),
            },
        ];
        let svg = render_map_svg(&markers, &labels(), "map");
        assert_eq!(
            svg.matches("<path d=\"M").count(),
            47 + 1,
            "47 outlines and one diamond"
        );
        assert_eq!(svg.matches("<a href=").count(), 2);
        assert!(svg.contains("aria-label=\"札幌市（北海道）: 研修会 3 回\""));
        assert!(svg.contains(TRAINING_COLOUR) && svg.contains(GROUP_COLOUR));
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    }

    #[test]
    fn markers_land_inside_the_drawing_and_north_is_up() {
        let projection = Projection::fit();
        let sapporo = projection.point(
            1,
            LatLon {
                lat: 43.06,
                lon: 141.35,
            },
        );
        let fukuoka = projection.point(
            40,
            LatLon {
                lat: 33.59,
                lon: 130.40,
            },
        );
        assert!(sapporo.1 < fukuoka.1, "Sapporo is drawn above Fukuoka");
        assert!(sapporo.0 > fukuoka.0, "and to its right");
        for (x, y) in [sapporo, fukuoka] {
            assert!((0.0..=WIDTH).contains(&x) && (0.0..=projection.height()).contains(&y));
        }
    }

    #[test]
    fn text_in_the_svg_is_escaped() {
        let markers = vec![MapMarker {
            prefecture_code: 13,
            position: LatLon {
                lat: 35.68,
                lon: 139.76,
            },
            kind: MarkerKind::Training,
            label: "\"><script>alert(1)</script>".to_owned(),
            href: "/x?a=1&b=\"2\"".to_owned(),
        }];
        let svg = render_map_svg(&markers, &labels(), "map");
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&quot;&gt;&lt;script&gt;"));
        assert!(svg.contains("href=\"/x?a=1&amp;b=&quot;2&quot;\""));
    }
}

#[cfg(test)]
mod picture {
    /// Draws six towns from Sapporo to Naha and checks that they land where Japan has them:
    /// north above south, east right of west, all inside the map. With `KIZUKI_MAP_OUT` set it
    /// also writes the map there for looking at:
    /// `KIZUKI_MAP_OUT=/tmp/map.svg cargo test -p kizuki_geo picture`.
    #[test]
    fn towns_land_where_japan_has_them() {
        let towns = [
            (1u8, "札幌市"),
            (4, "仙台市"),
            (13, "新宿区"),
            (27, "大阪市"),
            (40, "福岡市"),
            (47, "那覇市"),
        ];
        let markers: Vec<super::MapMarker> = towns
            .iter()
            .map(|(code, town)| super::MapMarker {
                prefecture_code: *code,
                position: crate::municipality_position(*code, town).expect("a known town"),
                kind: super::MarkerKind::Training,
                label: (*town).to_owned(),
                href: "#".to_owned(),
            })
            .collect();
        let labels = super::MapLabels {
            title: "t",
            description: "d",
            legend_trainings: "研修会の開催地",
            legend_groups: "勉強会のある町",
            attribution: "地図データ: japanmap (Apache-2.0)",
            lang: "ja",
        };
        let svg = super::render_map_svg(&markers, &labels, "m");
        if let Ok(path) = std::env::var("KIZUKI_MAP_OUT") {
            std::fs::write(path, &svg).expect("write");
        }
        let at = |town: &str| -> (f64, f64) {
            let start = svg
                .find(&format!("aria-label=\"{town}\""))
                .unwrap_or_else(|| panic!("no marker for {town}"));
            let read = |name: &str| -> f64 {
                let from = svg[start..].find(&format!("{name}=\"")).expect("a circle") + start;
                let value = &svg[from + name.len() + 2..];
                value[..value.find('"').expect("a value")]
                    .parse()
                    .expect("a number")
            };
            (read("cx"), read("cy"))
        };
        let height = *super::MAP_HEIGHT;
        for (_, town) in towns {
            let (x, y) = at(town);
            assert!(
                (0.0..=super::WIDTH).contains(&x) && (0.0..=height).contains(&y),
                "{town} at ({x}, {y}) is off the map"
            );
        }
        let north_to_south = ["札幌市", "仙台市", "新宿区", "大阪市", "福岡市"];
        for pair in north_to_south.windows(2) {
            assert!(
                at(pair[0]).1 < at(pair[1]).1,
                "{} is drawn south of {}",
                pair[0],
                pair[1]
            );
        }
        let east_to_west = ["仙台市", "新宿区", "大阪市", "福岡市"];
        for pair in east_to_west.windows(2) {
            assert!(
                at(pair[0]).0 > at(pair[1]).0,
                "{} is drawn west of {}",
                pair[0],
                pair[1]
            );
        }
        assert_eq!(
            svg.matches("<circle cx=").count(),
            towns.len() + 1,
            "six towns and the legend"
        );
    }
}
