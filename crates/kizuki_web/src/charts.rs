//! Bar charts as SVG, drawn by the server. Each chart carries a title and description for
//! screen readers, and the page shows the same figures in a table beside it.

use std::fmt::Write;

use kizuki_geo::escape;

/// A vertical bar chart of labelled values.
pub fn bar_chart(id: &str, title: &str, description: &str, bars: &[(String, i64)]) -> String {
    let width = 720.0;
    let height = 300.0;
    let (left, right, top, bottom) = (44.0, 12.0, 24.0, 40.0);
    let max = bars
        .iter()
        .map(|(_, value)| *value)
        .max()
        .unwrap_or(0)
        .max(1);
    let step = nice_step(max);
    let top_value = ((max + step - 1) / step) * step;
    let plot_width = width - left - right;
    let plot_height = height - top - bottom;
    let slot = plot_width / bars.len().max(1) as f64;
    let bar_width = (slot * 0.7).min(60.0);
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" class=\"chart\" role=\"img\" \
         aria-labelledby=\"{id}-title {id}-desc\"><title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>\
         <g font-family=\"sans-serif\" font-size=\"12\" fill=\"#4a5559\">",
        escape(title),
        escape(description)
    );
    let mut tick = 0;
    while tick <= top_value {
        let y = top + plot_height - (tick as f64 / top_value as f64) * plot_height;
        let _ = write!(
            svg,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#d9d3c7\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{tick}</text>",
            width - right,
            left - 6.0,
            y + 4.0
        );
        tick += step;
    }
    for (index, (label, value)) in bars.iter().enumerate() {
        let x = left + slot * index as f64 + (slot - bar_width) / 2.0;
        let bar_height = (*value as f64 / top_value as f64) * plot_height;
        let y = top + plot_height - bar_height;
        let centre = x + bar_width / 2.0;
        let _ = write!(
            svg,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bar_width:.1}\" height=\"{bar_height:.1}\" fill=\"#2f6f6a\"/>\
             <text x=\"{centre:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#1f2a2e\">{value}</text>\
             <text x=\"{centre:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            y - 5.0,
            height - bottom + 18.0,
            escape(label)
        );
    }
    svg.push_str("</g></svg>");
    svg
}

/// A round step for the axis: 1, 2, 5, 10, 20, 50, …
fn nice_step(max: i64) -> i64 {
    let mut step = 1;
    loop {
        for factor in [1, 2, 5] {
            if max / (step * factor) <= 5 {
                return step * factor;
            }
        }
        step *= 10;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bar_is_drawn_with_its_value() {
        let bars = vec![("2008".to_owned(), 1), ("2013".to_owned(), 16)];
        let svg = bar_chart("c", "Trainings per year", "d", &bars);
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(svg.contains(">16</text>") && svg.contains(">2013</text>"));
        assert!(svg.contains("role=\"img\""));
    }

    #[test]
    fn steps_are_round() {
        assert_eq!(nice_step(4), 1);
        assert_eq!(nice_step(16), 5);
        assert_eq!(nice_step(700), 200);
    }

    #[test]
    fn labels_are_escaped() {
        let svg = bar_chart("c", "<t>", "<d>", &[("<b>".to_owned(), 1)]);
        assert!(!svg.contains("<b>") && !svg.contains("<t>"));
    }
}
