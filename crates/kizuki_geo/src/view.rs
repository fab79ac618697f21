//! The map as a page shows it, made for a finger as much as a mouse: the whole country, a region
//! or a prefecture, drawn by the server. Towns that would sit closer than a fingertip are
//! gathered into one pin with their count; a pin is at least [`PIN_CSS_PX`] CSS pixels across on
//! a phone, carries a number and a name, and leads one level closer (country → region →
//! prefecture → the town itself).
//!
//! Sizes are worked out for the narrowest screen the site supports: the map is drawn
//! [`VIEW_WIDTH`] units wide and fills about [`PHONE_MAP_CSS_PX`] CSS pixels on a phone. Wider
//! screens show the same map larger, and the stylesheet scales each pin's body back down (the
//! pin is drawn around its own origin for that), so nothing here depends on the screen.

use std::fmt::Write;

use crate::map::{GROUP_COLOUR, TRAINING_COLOUR, escape, index_code, raw, shifted};
use crate::outlines::OUTLINES;
use crate::{LatLon, Region};

/// Width of every map view, in SVG units.
pub const VIEW_WIDTH: f64 = 1000.0;
/// The tallest a view may be, in SVG units, so that a tall region still fits a phone's screen.
const MAX_VIEW_HEIGHT: f64 = 1250.0;
/// How wide the map is on a 360 px phone, in CSS pixels (the page's side margins taken off).
pub const PHONE_MAP_CSS_PX: f64 = 340.0;
/// The least a pin measures on that phone, in CSS pixels: a fingertip (WCAG 2.5.5).
pub const PIN_CSS_PX: f64 = 46.0;
/// A pin's radius in SVG units.
pub const PIN_RADIUS: f64 = PIN_CSS_PX / PHONE_MAP_CSS_PX * VIEW_WIDTH / 2.0;
/// Labels are drawn at this size (units), about 14 CSS px on the phone.
const LABEL_SIZE: f64 = 42.0;
/// A prefecture view shows a little of its neighbours around it.
const PREFECTURE_MARGIN: f64 = 0.18;

/// Which part of Japan a map shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Viewport {
    Japan,
    Region(Region),
    Prefecture(u8),
}

impl Viewport {
    fn codes(self) -> Vec<u8> {
        match self {
            Viewport::Japan => (1..=47).collect(),
            Viewport::Region(region) => region.prefectures().map(|p| p.code).collect(),
            Viewport::Prefecture(code) => vec![code],
        }
    }
}

/// The projection of one view: from degrees to SVG units.
#[derive(Clone, Copy, Debug)]
pub struct ViewProjection {
    min_x: f64,
    max_y: f64,
    scale: f64,
    offset_x: f64,
    pub height: f64,
}

impl ViewProjection {
    pub fn fit(viewport: Viewport) -> ViewProjection {
        let (mut min_x, mut max_x, mut min_y, mut max_y) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for code in viewport.codes() {
            let Some(ring) = OUTLINES.get(usize::from(code).saturating_sub(1)) else {
                continue;
            };
            for point in ring {
                let (x, y) = raw(shifted(code, *point));
                min_x = min_x.min(x);
                max_x = max_x.max(x);
                min_y = min_y.min(y);
                max_y = max_y.max(y);
            }
        }
        if min_x > max_x {
            (min_x, max_x, min_y, max_y) = (0.0, 1.0, 0.0, 1.0);
        }
        if let Viewport::Prefecture(_) = viewport {
            let (dx, dy) = (
                (max_x - min_x) * PREFECTURE_MARGIN,
                (max_y - min_y) * PREFECTURE_MARGIN,
            );
            (min_x, max_x, min_y, max_y) = (min_x - dx, max_x + dx, min_y - dy, max_y + dy);
        }
        let (width, height) = (
            (max_x - min_x).max(f64::EPSILON),
            (max_y - min_y).max(f64::EPSILON),
        );
        let scale = (VIEW_WIDTH / width).min(MAX_VIEW_HEIGHT / height);
        ViewProjection {
            min_x,
            max_y,
            scale,
            // A tall view is centred across the width.
            offset_x: (VIEW_WIDTH - width * scale) / 2.0,
            height: height * scale,
        }
    }

    pub fn point(&self, prefecture_code: u8, position: LatLon) -> (f64, f64) {
        let (x, y) = raw(shifted(prefecture_code, position));
        (
            (x - self.min_x) * self.scale + self.offset_x,
            (self.max_y - y) * self.scale,
        )
    }

    fn inside(&self, (x, y): (f64, f64), margin: f64) -> bool {
        (-margin..=VIEW_WIDTH + margin).contains(&x)
            && (-margin..=self.height + margin).contains(&y)
    }
}

/// A place to show: a town with what happened there.
#[derive(Clone, Debug, PartialEq)]
pub struct Place {
    pub prefecture_code: u8,
    pub position: LatLon,
    pub trainings: usize,
    pub groups: usize,
}

/// Places close enough to share one pin, and where the pin goes (their middle).
#[derive(Clone, Debug, PartialEq)]
pub struct Cluster {
    /// Indexes into the places given, largest first.
    pub members: Vec<usize>,
    pub x: f64,
    pub y: f64,
}

impl Cluster {
    /// A pin for these places: at their middle, the biggest place first.
    pub fn of(mut members: Vec<usize>, places: &[Place], projection: &ViewProjection) -> Cluster {
        members.sort_by_key(|&i| std::cmp::Reverse(places[i].trainings + places[i].groups));
        let points: Vec<(f64, f64)> = members
            .iter()
            .map(|&i| projection.point(places[i].prefecture_code, places[i].position))
            .collect();
        #[allow(clippy::cast_precision_loss)]
        let n = points.len().max(1) as f64;
        Cluster {
            x: points.iter().map(|p| p.0).sum::<f64>() / n,
            y: points.iter().map(|p| p.1).sum::<f64>() / n,
            members,
        }
    }
}

/// Gathers the places inside the view into pins: each place joins the first pin nearer than two
/// radii (biggest places first, so a city keeps its own pin and draws its suburbs in); then
/// pins that still overlap are merged until none do.
pub fn cluster(places: &[Place], projection: &ViewProjection) -> Vec<Cluster> {
    let mut order: Vec<usize> = (0..places.len())
        .filter(|&i| {
            projection.inside(
                projection.point(places[i].prefecture_code, places[i].position),
                PIN_RADIUS,
            )
        })
        .collect();
    order.sort_by_key(|&i| std::cmp::Reverse(places[i].trainings + places[i].groups));
    let mut clusters: Vec<Cluster> = Vec::new();
    let point = |i: usize| projection.point(places[i].prefecture_code, places[i].position);
    for i in order {
        let (x, y) = point(i);
        match clusters
            .iter_mut()
            .find(|c| distance((c.x, c.y), (x, y)) < 2.0 * PIN_RADIUS)
        {
            Some(cluster) => cluster.members.push(i),
            None => clusters.push(Cluster {
                members: vec![i],
                x,
                y,
            }),
        }
    }
    // Centre each pin on its places, then merge any that came to overlap.
    loop {
        clusters = clusters
            .into_iter()
            .map(|cluster| Cluster::of(cluster.members, places, projection))
            .collect();
        let overlapping = (0..clusters.len()).find_map(|a| {
            ((a + 1)..clusters.len())
                .find(|&b| {
                    distance(
                        (clusters[a].x, clusters[a].y),
                        (clusters[b].x, clusters[b].y),
                    ) < 2.0 * PIN_RADIUS
                })
                .map(|b| (a, b))
        });
        let Some((a, b)) = overlapping else { break };
        let absorbed = clusters.remove(b);
        clusters[a].members.extend(absorbed.members);
    }
    clusters
}

/// Moves pins apart until no two overlap (or a few rounds have passed), each pair pushed
/// equally along the line between them; for pins that stand for an area (a region on the
/// country's map), where a little off the middle is better than one pin hiding another.
pub fn spread(points: &mut [(f64, f64)], projection: &ViewProjection) {
    let least = 2.0 * PIN_RADIUS + 4.0;
    for _ in 0..60 {
        let mut moved = false;
        for a in 0..points.len() {
            for b in (a + 1)..points.len() {
                let (pa, pb) = (points[a], points[b]);
                let gap = distance(pa, pb);
                if gap >= least {
                    continue;
                }
                moved = true;
                let (dx, dy) = if gap < f64::EPSILON {
                    (1.0, 0.0)
                } else {
                    ((pb.0 - pa.0) / gap, (pb.1 - pa.1) / gap)
                };
                let push = (least - gap) / 2.0;
                points[a] = (pa.0 - dx * push, pa.1 - dy * push);
                points[b] = (pb.0 + dx * push, pb.1 + dy * push);
            }
        }
        for point in points.iter_mut() {
            point.0 = point.0.clamp(PIN_RADIUS, VIEW_WIDTH - PIN_RADIUS);
            point.1 = point
                .1
                .clamp(PIN_RADIUS, (projection.height - PIN_RADIUS).max(PIN_RADIUS));
        }
        if !moved {
            break;
        }
    }
}

fn distance(a: (f64, f64), b: (f64, f64)) -> f64 {
    (a.0 - b.0).hypot(a.1 - b.1)
}

/// What a pin stands for, which decides its shape and colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PinKind {
    Trainings,
    Groups,
    Both,
}

impl PinKind {
    pub fn of(trainings: usize, groups: usize) -> PinKind {
        match (trainings > 0, groups > 0) {
            (true, true) => PinKind::Both,
            (false, true) => PinKind::Groups,
            _ => PinKind::Trainings,
        }
    }
}

/// A pin as drawn: where, what it says, what it is called for a screen reader, where it leads.
#[derive(Clone, Debug)]
pub struct Pin {
    pub x: f64,
    pub y: f64,
    pub kind: PinKind,
    /// The number on the pin.
    pub count: usize,
    /// The name under it.
    pub label: String,
    /// The link's accessible name, the whole sentence.
    pub accessible_name: String,
    pub href: String,
    /// The town or area the page is about.
    pub current: bool,
}

pub struct ViewLabels<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub lang: &'a str,
}

/// The view as SVG: prefecture outlines (those that reach into the view) and the pins.
pub fn render_view(
    projection: &ViewProjection,
    pins: &[Pin],
    labels: &ViewLabels<'_>,
    id_prefix: &str,
) -> String {
    let mut svg = String::with_capacity(120_000);
    let (title_id, desc_id) = (format!("{id_prefix}-title"), format!("{id_prefix}-desc"));
    let height = projection.height;
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {VIEW_WIDTH:.0} {height:.0}\" \
         class=\"japan-map map-view\" lang=\"{lang}\" aria-labelledby=\"{title_id} {desc_id}\">\
         <title id=\"{title_id}\">{title}</title><desc id=\"{desc_id}\">{desc}</desc>\
         <rect width=\"{VIEW_WIDTH:.0}\" height=\"{height:.0}\" fill=\"#eef5f8\"/>",
        lang = escape(labels.lang),
        title = escape(labels.title),
        desc = escape(labels.description),
    );
    svg.push_str("<g aria-hidden=\"true\" fill=\"#fbf9f5\" stroke=\"#8c8577\" stroke-width=\"1.2\" stroke-linejoin=\"round\">");
    for (index, ring) in OUTLINES.iter().enumerate() {
        let code = index_code(index);
        let points: Vec<(f64, f64)> = ring.iter().map(|p| projection.point(code, *p)).collect();
        let reaches_in = points.iter().any(|p| projection.inside(*p, 50.0));
        if !reaches_in {
            continue;
        }
        svg.push_str("<path d=\"");
        for (position, (x, y)) in points.iter().enumerate() {
            let command = if position == 0 { 'M' } else { 'L' };
            let _ = write!(svg, "{command}{x:.1} {y:.1}");
        }
        svg.push_str("Z\"/>");
    }
    svg.push_str("</g><g class=\"pins\">");
    let placed = label_places(pins, projection);
    // Small pins first, so that a big one is drawn (and tapped) on top.
    let mut order: Vec<usize> = (0..pins.len()).collect();
    order.sort_by_key(|&i| pins[i].count);
    for i in order {
        pin(&mut svg, &pins[i], placed[i]);
    }
    svg.push_str("</g></svg>");
    svg
}

/// Where a pin's name is written, relative to its centre: the baseline's offset and the anchor.
#[derive(Clone, Copy, Debug, PartialEq)]
struct LabelPlace {
    dx: f64,
    dy: f64,
    anchor: &'static str,
    /// The label's box, relative to the centre: left, top, right, bottom.
    area: (f64, f64, f64, f64),
}

fn label_candidates(width: f64) -> [LabelPlace; 4] {
    let r = PIN_RADIUS;
    let line = LABEL_SIZE * 1.2;
    [
        // Below, then to the right, to the left, above.
        LabelPlace {
            dx: 0.0,
            dy: r + LABEL_SIZE + 2.0,
            anchor: "middle",
            area: (-width / 2.0, r + 4.0, width / 2.0, r + 4.0 + line),
        },
        LabelPlace {
            dx: r + 8.0,
            dy: LABEL_SIZE * 0.35,
            anchor: "start",
            area: (r + 4.0, -line / 2.0, r + 8.0 + width, line / 2.0),
        },
        LabelPlace {
            dx: -(r + 8.0),
            dy: LABEL_SIZE * 0.35,
            anchor: "end",
            area: (-(r + 8.0 + width), -line / 2.0, -(r + 4.0), line / 2.0),
        },
        LabelPlace {
            dx: 0.0,
            dy: -(r + 12.0),
            anchor: "middle",
            area: (-width / 2.0, -(r + 8.0 + line), width / 2.0, -(r + 8.0)),
        },
    ]
}

/// Where each pin's name goes: the biggest pins first, each at the first place (below, right,
/// left, above) that covers no other name or pin and stays on the map; none if no place does.
fn label_places(pins: &[Pin], projection: &ViewProjection) -> Vec<Option<LabelPlace>> {
    let mut order: Vec<usize> = (0..pins.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(pins[i].count));
    let mut taken: Vec<(f64, f64, f64, f64)> = pins
        .iter()
        .map(|p| {
            (
                p.x - PIN_RADIUS,
                p.y - PIN_RADIUS,
                p.x + PIN_RADIUS,
                p.y + PIN_RADIUS,
            )
        })
        .collect();
    let mut placed = vec![None; pins.len()];
    for i in order {
        let pin = &pins[i];
        let own = taken[i];
        for candidate in label_candidates(label_width(&pin.label)) {
            let (l, t, r, b) = candidate.area;
            let area = (pin.x + l, pin.y + t, pin.x + r, pin.y + b);
            let fits = area.0 >= 0.0
                && area.2 <= VIEW_WIDTH
                && area.1 >= 0.0
                && area.3 <= projection.height;
            let covers = |other: &(f64, f64, f64, f64)| {
                area.0 < other.2 && other.0 < area.2 && area.1 < other.3 && other.1 < area.3
            };
            if fits && !taken.iter().filter(|t| **t != own).any(covers) {
                taken.push(area);
                placed[i] = Some(candidate);
                break;
            }
        }
    }
    placed
}

/// About how wide a label is drawn: full-width characters take a whole em, others about half.
fn label_width(text: &str) -> f64 {
    text.chars()
        .map(|c| if c.is_ascii() { 0.55 } else { 1.0 })
        .sum::<f64>()
        * LABEL_SIZE
        + 16.0
}

fn pin(svg: &mut String, pin: &Pin, label: Option<LabelPlace>) {
    let (x, y, r) = (pin.x, pin.y, PIN_RADIUS);
    let _ = write!(
        svg,
        "<a href=\"{href}\" aria-label=\"{name}\" class=\"pin pin-{kind}{current}\"{aria_current}>\
         <title>{name}</title><g transform=\"translate({x:.1} {y:.1})\"><g class=\"pin-body\">",
        href = escape(&pin.href),
        name = escape(&pin.accessible_name),
        kind = match pin.kind {
            PinKind::Trainings => "trainings",
            PinKind::Groups => "groups",
            PinKind::Both => "both",
        },
        current = if pin.current { " pin-current" } else { "" },
        aria_current = if pin.current {
            " aria-current=\"location\""
        } else {
            ""
        },
    );
    // An empty box reaching as far on each side of the centre as the pin and its label do:
    // the stylesheet scales the body about its box's middle, which must be the pin's centre.
    let (mut reach_x, mut reach_y) = (r, r);
    if let Some(place) = label {
        let (l, t, right, b) = place.area;
        reach_x = reach_x.max(l.abs()).max(right.abs());
        reach_y = reach_y.max(t.abs()).max(b.abs());
    }
    let _ = write!(
        svg,
        "<rect x=\"{x0:.0}\" y=\"{y0:.0}\" width=\"{w:.0}\" height=\"{h:.0}\" fill=\"none\"/>",
        x0 = -reach_x,
        y0 = -reach_y,
        w = 2.0 * reach_x,
        h = 2.0 * reach_y,
    );
    let outline = if pin.current { "#1f2a2e" } else { "#ffffff" };
    let (ink, shape) = match pin.kind {
        PinKind::Trainings => (
            "#ffffff",
            format!(
                "<circle class=\"pin-shape\" r=\"{r:.0}\" fill=\"{TRAINING_COLOUR}\" stroke=\"{outline}\" stroke-width=\"6\"/>"
            ),
        ),
        PinKind::Groups => {
            let d = r * 1.2;
            (
                "#1f2a2e",
                format!(
                    "<path class=\"pin-shape\" d=\"M0 {top:.0}L{d:.0} 0L0 {d:.0}L{left:.0} 0Z\" fill=\"{GROUP_COLOUR}\" stroke=\"{stroke}\" stroke-width=\"5\"/>",
                    top = -d,
                    left = -d,
                    stroke = if pin.current { "#1f2a2e" } else { "#5a4300" },
                ),
            )
        }
        PinKind::Both => (
            "#ffffff",
            format!(
                "<circle class=\"pin-shape\" r=\"{r:.0}\" fill=\"{TRAINING_COLOUR}\" stroke=\"{outline}\" stroke-width=\"6\"/>\
                 <circle r=\"{inner:.0}\" fill=\"none\" stroke=\"{GROUP_COLOUR}\" stroke-width=\"10\"/>",
                inner = r - 11.0,
            ),
        ),
    };
    svg.push_str(&shape);
    // The name first and then the number, as the link's accessible name reads them.
    if let Some(place) = label {
        let _ = write!(
            svg,
            "<text x=\"{dx:.0}\" y=\"{dy:.0}\" text-anchor=\"{anchor}\" font-family=\"sans-serif\" font-size=\"{LABEL_SIZE:.0}\" \
             fill=\"#1f2a2e\" stroke=\"#ffffff\" stroke-width=\"10\" stroke-linejoin=\"round\" paint-order=\"stroke\" \
             class=\"pin-label\">{text}</text> ",
            dx = place.dx,
            dy = place.dy,
            anchor = place.anchor,
            text = escape(&pin.label),
        );
    }
    let _ = write!(
        svg,
        "<text y=\"{baseline:.0}\" text-anchor=\"middle\" font-family=\"sans-serif\" font-weight=\"bold\" \
         font-size=\"{size:.0}\" fill=\"{ink}\">{count}</text>",
        baseline = r * 0.36,
        size = r,
        count = pin.count,
    );
    svg.push_str("</g></g></a>");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(code: u8, town: &str, trainings: usize, groups: usize) -> Place {
        Place {
            prefecture_code: code,
            position: crate::municipality_position(code, town).expect("a known town"),
            trainings,
            groups,
        }
    }

    #[test]
    fn a_pin_is_a_fingertip_wide_on_a_phone() {
        let css = 2.0 * PIN_RADIUS * PHONE_MAP_CSS_PX / VIEW_WIDTH;
        assert!(css >= 44.0, "{css} px");
    }

    #[test]
    fn neighbours_share_a_pin_in_the_country_and_part_in_their_region() {
        let places = [
            place(13, "新宿区", 3, 1),
            place(13, "世田谷区", 1, 0),
            place(10, "前橋市", 1, 0),
            place(1, "札幌市", 2, 1),
            place(47, "那覇市", 0, 1),
        ];
        let country = cluster(&places, &ViewProjection::fit(Viewport::Japan));
        let tokyo = country
            .iter()
            .find(|c| c.members.contains(&0))
            .expect("Shinjuku has a pin");
        assert!(tokyo.members.contains(&1) && tokyo.members.contains(&2));
        assert_eq!(tokyo.members[0], 0, "the biggest place first");
        assert_eq!(country.len(), 3, "Tokyo's pin, Sapporo and Naha");
        for (i, a) in country.iter().enumerate() {
            for b in &country[i + 1..] {
                assert!(distance((a.x, a.y), (b.x, b.y)) >= 2.0 * PIN_RADIUS);
            }
        }
        let hokkaido = cluster(&places, &ViewProjection::fit(Viewport::Prefecture(1)));
        assert_eq!(hokkaido.len(), 1, "only Sapporo is inside Hokkaido's view");
        let kanto = cluster(
            &places,
            &ViewProjection::fit(Viewport::Region(Region::Kanto)),
        );
        assert_eq!(kanto.len(), 2, "{kanto:?}");
        assert!(
            kanto.iter().any(|c| c.members == vec![2]),
            "Maebashi has its own pin in Kanto: {kanto:?}"
        );
    }

    #[test]
    fn spread_pins_do_not_cover_each_other() {
        let projection = ViewProjection::fit(Viewport::Japan);
        let mut points = vec![(500.0, 600.0), (510.0, 620.0), (505.0, 600.0)];
        spread(&mut points, &projection);
        for (i, a) in points.iter().enumerate() {
            for b in &points[i + 1..] {
                assert!(distance(*a, *b) >= 2.0 * PIN_RADIUS, "{points:?}");
            }
        }
    }

    #[test]
    fn a_view_fits_its_prefectures_and_pins_are_named_links() {
        let projection = ViewProjection::fit(Viewport::Region(Region::Hokkaido));
        assert!(projection.height <= MAX_VIEW_HEIGHT + 1.0);
        let sapporo = projection.point(1, crate::municipality_position(1, "札幌市").unwrap());
        assert!(projection.inside(sapporo, 0.0));
        let pins = [Pin {
            x: sapporo.0,
            y: sapporo.1,
            kind: PinKind::Both,
            count: 3,
            label: "札幌市".to_owned(),
            accessible_name: "札幌市: 研修会 2 回、勉強会 1 つ".to_owned(),
            href: "/map?area=01&town=札幌市".to_owned(),
            current: true,
        }];
        let svg = render_view(
            &projection,
            &pins,
            &ViewLabels {
                title: "t",
                description: "d",
                lang: "ja",
            },
            "m",
        );
        assert!(svg.contains("aria-label=\"札幌市: 研修会 2 回、勉強会 1 つ\""));
        assert!(svg.contains("aria-current=\"location\""));
        assert!(svg.contains(">札幌市</text>"), "the label is written");
        assert!(svg.contains("href=\"/map?area=01&amp;town=札幌市\""));
        assert!(
            svg.matches("<path d=\"M").count() < 20,
            "only the prefectures near Hokkaido are drawn"
        );
    }
}
