//! The A型 diagram (A型図解): the top-level groups as boxes, each listing the groups inside it,
//! and the relations between them as arrows. Laid out where researchers placed the groups, else
//! in a grid of three columns whose rows are as tall as their tallest box; then, in that order,
//! any box that would overlap one laid before it moves down until it is clear, so nothing
//! overlaps and a box someone placed stays where it was put unless it would cover another.
//! Above the boxes: the title, the date and a legend of the four relations, told apart by line
//! style and arrowheads (not by colour). Drawn as SVG by hand because no crate draws this (a box
//! and arrow layout with Japanese labels) and the markup is small.

use std::fmt::Write;

/// A group (or lone card) at the top of the tree, with the labels of what it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    pub id: i64,
    pub label: String,
    pub inner: Vec<String>,
    pub placed: Option<(i64, i64)>,
}

/// A relation between two blocks (by id): cause (→), contrast (⇔ dashed), similarity (＝ dotted)
/// or mutual (↔).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub from: i64,
    pub to: i64,
    pub kind: String,
}

/// What the diagram says above its boxes, in the page's language.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Heading {
    pub title: String,
    /// The day it was drawn, in the site's form (2026年12月3日).
    pub date: String,
    /// The legend's name for each kind: cause, contrast, similarity, mutual.
    pub kinds: [String; 4],
}

/// The relations' kinds, in the legend's order.
pub const KINDS: [&str; 4] = ["cause", "contrast", "similarity", "mutual"];

/// Room above the boxes for the title, the date and the legend.
const TOP: i64 = 96;
const LEGEND_ITEM: i64 = 170;

const WIDTH: i64 = 240;
const LINE: i64 = 20;
const GAP: i64 = 80;
const COLUMNS: i64 = 3;
const WRAP: usize = 14;

struct Placed<'a> {
    block: &'a Block,
    x: i64,
    y: i64,
    lines: Vec<String>,
    height: i64,
}

/// Breaks a label into lines as wide as `WRAP` Japanese characters, where Unicode's line-breaking
/// rules allow (UAX #14: between Japanese characters but not before 、。」 and the like, at
/// spaces in English), balancing the lines so that none is left with a lone character.
fn wrap(text: &str) -> Vec<String> {
    let options = textwrap::Options::new(WRAP * 2)
        .word_separator(textwrap::WordSeparator::UnicodeBreakProperties);
    let lines: Vec<String> = textwrap::wrap(text, options)
        .into_iter()
        .map(|line| line.into_owned())
        .collect();
    if lines.is_empty() {
        vec![String::new()]
    } else {
        lines
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Where `(x, y)` inside a box of size `w`×`h` centred at `(cx, cy)` leaves it, heading for
/// `(tx, ty)`.
fn edge_point(cx: f64, cy: f64, w: f64, h: f64, tx: f64, ty: f64) -> (f64, f64) {
    let (dx, dy) = (tx - cx, ty - cy);
    if dx == 0.0 && dy == 0.0 {
        return (cx, cy);
    }
    let scale = (w / 2.0 / dx.abs()).min(h / 2.0 / dy.abs());
    (cx + dx * scale, cy + dy * scale)
}

/// Where each block goes (its id, left and top): where it was placed, else the next cell of the
/// grid. What the diagram draws, for forms that move a block from where it is.
pub fn layout(blocks: &[Block]) -> Vec<(i64, i64, i64)> {
    arrange(blocks)
        .iter()
        .map(|p| (p.block.id, p.x, p.y))
        .collect()
}

fn arrange(blocks: &[Block]) -> Vec<Placed<'_>> {
    let mut placed: Vec<Placed> = Vec::new();
    // Unplaced blocks fill a grid whose rows are as tall as their tallest block.
    let mut row_top = 20;
    let mut row_height = 0;
    for (index, block) in blocks.iter().enumerate() {
        let mut lines = wrap(&block.label);
        let title_lines = lines.len();
        for inner in &block.inner {
            for (n, line) in wrap(inner).into_iter().enumerate() {
                lines.push(if n == 0 {
                    format!("・{line}")
                } else {
                    format!("　{line}")
                });
            }
        }
        let height = 24 + LINE * lines.len() as i64 + if title_lines < lines.len() { 6 } else { 0 };
        let column = index as i64 % COLUMNS;
        if column == 0 && index > 0 {
            row_top += row_height + GAP;
            row_height = 0;
        }
        row_height = row_height.max(height);
        let (x, mut y) = block
            .placed
            .unwrap_or((20 + column * (WIDTH + GAP), row_top));
        while let Some(bottom) = placed
            .iter()
            .filter(|other| {
                x < other.x + WIDTH + GAP / 2
                    && other.x < x + WIDTH + GAP / 2
                    && y < other.y + other.height + GAP / 2
                    && other.y < y + height + GAP / 2
            })
            .map(|other| other.y + other.height)
            .max()
        {
            y = bottom + GAP / 2;
        }
        placed.push(Placed {
            block,
            x,
            y,
            lines,
            height,
        });
    }
    placed
}

/// The diagram as a standalone SVG document; `title` and `description` make it readable by
/// screen readers.
pub fn svg(blocks: &[Block], links: &[Link], heading: &Heading, description: &str) -> String {
    let placed = arrange(blocks);
    let width = placed
        .iter()
        .map(|p| p.x + WIDTH + 20)
        .max()
        .unwrap_or(200)
        .max(20 + LEGEND_ITEM * KINDS.len() as i64);
    let height = TOP
        + placed
            .iter()
            .map(|p| p.y + p.height + 20)
            .max()
            .unwrap_or(40);
    let title = &heading.title;
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-labelledby=\"diagram-title diagram-desc\" font-family=\"IPAexGothic, IPAPGothic, IPAGothic, 'Noto Sans CJK JP', 'Hiragino Sans', sans-serif\" font-size=\"14\">\
         <title id=\"diagram-title\">{}</title><desc id=\"diagram-desc\">{}</desc>\
         <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M0 0L10 5L0 10z\" fill=\"#333\"/></marker></defs>\
         <rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>",
        escape(title),
        escape(description)
    );
    let _ = write!(
        out,
        "<g class=\"heading\"><text x=\"20\" y=\"32\" font-size=\"20\" font-weight=\"bold\">{}</text><text x=\"20\" y=\"54\" font-size=\"13\" fill=\"#444\">{}</text></g><g class=\"legend\">",
        escape(title),
        escape(&heading.date)
    );
    for (n, (kind, name)) in KINDS.iter().zip(&heading.kinds).enumerate() {
        let x = 20 + LEGEND_ITEM * n as i64;
        let (dash, start, end) = line_style(kind);
        let _ = write!(
            out,
            "<line class=\"legend-{kind}\" x1=\"{}\" y1=\"76\" x2=\"{}\" y2=\"76\" stroke=\"#333\" stroke-width=\"2\"{dash}{start}{end}/><text x=\"{}\" y=\"81\" font-size=\"13\">{}</text>",
            x + 4,
            x + 52,
            x + 62,
            escape(name)
        );
    }
    let _ = write!(
        out,
        "</g><g class=\"boxes\" transform=\"translate(0 {TOP})\">"
    );
    for link in links {
        let (Some(from), Some(to)) = (
            placed.iter().find(|p| p.block.id == link.from),
            placed.iter().find(|p| p.block.id == link.to),
        ) else {
            continue;
        };
        if from.block.id == to.block.id {
            continue;
        }
        let centre = |p: &Placed| ((p.x + WIDTH / 2) as f64, (p.y + p.height / 2) as f64);
        let ((fx, fy), (tx, ty)) = (centre(from), centre(to));
        let (x1, y1) = edge_point(fx, fy, WIDTH as f64 + 8.0, from.height as f64 + 8.0, tx, ty);
        let (x2, y2) = edge_point(tx, ty, WIDTH as f64 + 8.0, to.height as f64 + 8.0, fx, fy);
        let (dash, start, end) = line_style(&link.kind);
        let _ = write!(
            out,
            "<line class=\"relation relation-{}\" x1=\"{x1:.0}\" y1=\"{y1:.0}\" x2=\"{x2:.0}\" y2=\"{y2:.0}\" stroke=\"#333\" stroke-width=\"2\"{dash}{start}{end}/>",
            escape(&link.kind)
        );
    }
    for p in &placed {
        let _ = write!(
            out,
            "<g class=\"block\" data-node=\"{}\" transform=\"translate({} {})\"><rect width=\"{WIDTH}\" height=\"{}\" rx=\"10\" fill=\"#fdf8ec\" stroke=\"#6b4f1d\" stroke-width=\"2\"/>",
            p.block.id, p.x, p.y, p.height
        );
        let title_lines = wrap(&p.block.label).len();
        for (n, line) in p.lines.iter().enumerate() {
            let y = 22 + LINE * n as i64 + if n >= title_lines { 6 } else { 0 };
            let weight = if n < title_lines {
                " font-weight=\"bold\""
            } else {
                ""
            };
            let _ = write!(
                out,
                "<text x=\"12\" y=\"{y}\"{weight}>{}</text>",
                escape(line)
            );
        }
        let _ = write!(out, "</g>");
    }
    out.push_str("</g></svg>");
    out
}

/// How a relation's line is drawn: cause a solid line with one arrowhead, mutual solid with
/// two, contrast dashed with two, similarity dotted with none.
fn line_style(kind: &str) -> (&'static str, &'static str, &'static str) {
    match kind {
        "cause" => ("", "", " marker-end=\"url(#arrow)\""),
        "mutual" => (
            "",
            " marker-start=\"url(#arrow)\"",
            " marker-end=\"url(#arrow)\"",
        ),
        "contrast" => (
            " stroke-dasharray=\"8 4\"",
            " marker-start=\"url(#arrow)\"",
            " marker-end=\"url(#arrow)\"",
        ),
        _ => (" stroke-dasharray=\"2 4\"", "", ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(id: i64, label: &str, inner: &[&str]) -> Block {
        Block {
            id,
            label: label.to_owned(),
            inner: inner.iter().map(|s| (*s).to_owned()).collect(),
            placed: None,
        }
    }

    #[test]
    fn labels_break_where_a_reader_expects() {
        // Japanese: no line opens with 、 and no character is left alone on the last line.
        let lines = wrap("自分への気付き、他者への気付き");
        assert!(
            lines.iter().all(|line| line.chars().count() <= WRAP),
            "{lines:?}"
        );
        assert!(
            lines.iter().all(|line| !line.starts_with('、')),
            "{lines:?}"
        );
        assert!(lines.last().unwrap().chars().count() > 1, "{lines:?}");
        assert_eq!(lines.concat(), "自分への気付き、他者への気付き");
        // English: at spaces, never inside a word, as wide as the Japanese lines.
        let lines = wrap("Awareness of how one sees things and of one's patterns");
        assert!(lines.len() > 1, "{lines:?}");
        for line in &lines {
            assert!(line.len() <= WRAP * 2, "{lines:?}");
            assert!(!line.starts_with(' ') && !line.ends_with(' '), "{lines:?}");
        }
        assert_eq!(
            lines.join(" "),
            "Awareness of how one sees things and of one's patterns"
        );
        assert_eq!(wrap(""), vec![String::new()]);
    }

    #[test]
    fn boxes_and_arrows() {
        let blocks = [
            block(
                1,
                "自分への気付き、他者への気付き",
                &["自分の物の見方に対する気付き"],
            ),
            block(2, "関係への着目と変化", &[]),
        ];
        let links = [Link {
            from: 1,
            to: 2,
            kind: "cause".to_owned(),
        }];
        let heading = Heading {
            title: "A型図解 <test>".to_owned(),
            date: "2026年12月3日".to_owned(),
            kinds: ["原因", "対立", "類似", "相互"].map(str::to_owned),
        };
        let svg = svg(&blocks, &links, &heading, "2 groups");
        // The title and date are drawn, and the legend shows every kind by its line.
        assert!(
            svg.contains(">A型図解 &lt;test&gt;</text>") && svg.contains(">2026年12月3日</text>")
        );
        for kind in KINDS {
            assert!(svg.contains(&format!("class=\"legend-{kind}\"")), "{kind}");
        }
        assert!(svg.contains("legend-contrast\" x1=\"194\" y1=\"76\" x2=\"242\" y2=\"76\" stroke=\"#333\" stroke-width=\"2\" stroke-dasharray=\"8 4\""));
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains("<title id=\"diagram-title\">A型図解 &lt;test&gt;</title>"));
        assert_eq!(svg.matches("class=\"block\"").count(), 2);
        // One in the drawing, and three in the legend (cause, contrast, mutual).
        assert_eq!(svg.matches("marker-end=\"url(#arrow)\"").count(), 4);
        assert!(svg.contains("・自分の物の見方に対する気付"));
        // The second box sits to the right of the first: the arrow runs left to right.
        assert!(svg.contains("relation-cause"));
    }

    #[test]
    fn tall_boxes_push_the_next_row_down() {
        let tall: Vec<&str> = vec!["サブカテゴリー"; 12];
        let blocks: Vec<Block> = (1..=4).map(|id| block(id, "カテゴリー", &tall)).collect();
        let svg = svg(&blocks, &[], &Heading::default(), "d");
        // 12 inner lines and a title: 24 + 20 × 13 + 6 = 290 high, so the second row starts
        // below 20 + 290 + 80.
        assert!(svg.contains("translate(20 390)"), "{svg}");
    }

    #[test]
    fn a_box_placed_over_another_moves_down_until_clear() {
        let mut first = block(1, "A", &["a", "b"]);
        first.placed = Some((100, 100));
        let mut second = block(2, "B", &[]);
        second.placed = Some((150, 120));
        let third = block(3, "C", &[]);
        let laid = layout(&[first, second, third]);
        assert_eq!(laid[0], (1, 100, 100));
        // A is 24 + 20 × 3 + 6 = 90 high: B goes below it, at the same x.
        assert_eq!(laid[1], (2, 150, 100 + 90 + GAP / 2));
        // C keeps its cell of the grid, which nothing covers.
        assert_eq!(laid[2], (3, 20 + 2 * (WIDTH + GAP), 20));
        // A box of the grid that a placed one covers moves below it.
        let mut over = block(1, "A", &[]);
        over.placed = Some((30, 30));
        let laid = layout(&[over, block(2, "B", &[]), block(3, "C", &[])]);
        assert_eq!(laid[0], (1, 30, 30));
        assert_eq!(laid[1], (2, 20 + WIDTH + GAP, 20));
    }

    #[test]
    fn the_layout_is_what_the_svg_draws() {
        let mut second = block(2, "B", &[]);
        second.placed = Some((700, 300));
        let blocks = [block(1, "A", &["a"]), second, block(3, "C", &[])];
        let layout = layout(&blocks);
        assert_eq!(layout[1], (2, 700, 300));
        let drawn = svg(&blocks, &[], &Heading::default(), "d");
        for (id, x, y) in layout {
            assert!(
                drawn.contains(&format!(
                    "data-node=\"{id}\" transform=\"translate({x} {y})\""
                )),
                "{id} at {x} {y}"
            );
        }
    }

    #[test]
    fn placed_blocks_stay_where_they_were_put() {
        let mut placed = block(1, "A", &[]);
        placed.placed = Some((500, 40));
        let svg = svg(&[placed], &[], &Heading::default(), "d");
        assert!(svg.contains("translate(500 40)"));
    }
}
