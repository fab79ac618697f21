//! SVG drawings as PNG pictures, drawn by the server (resvg) with the fonts this machine has, so
//! that a PNG is a plain link like the SVG beside it and looks the same in every browser.
//!
//! Japanese text needs a Japanese font on the server (Debian: `fonts-ipafont-gothic` or
//! `fonts-noto-cjk`). Whether one is there is found out once, by drawing a character and
//! looking for ink, and pages offer the PNG only when it is.

use std::sync::{Arc, Mutex, OnceLock};

use resvg::{tiny_skia, usvg};

/// How much larger than the SVG's own size the picture is drawn: sharp on a slide or in print.
pub const SCALE: f32 = 2.0;

/// The largest picture drawn, in pixels (4,000 × 4,000, 64 MB while it is drawn): far beyond a
/// diagram people read; a larger drawing is drawn at a lower scale rather than refused.
const MAX_PIXELS: f32 = 16_000_000.0;

#[derive(Debug, thiserror::Error)]
pub enum PngError {
    #[error("the drawing could not be read: {0}")]
    Unreadable(String),
    #[error("the drawing has no size")]
    Empty,
    #[error("the picture could not be encoded: {0}")]
    Encoding(String),
}

/// The machine's fonts, read once: reading them takes a moment and they do not change while
/// the server runs.
fn fonts() -> Arc<usvg::fontdb::Database> {
    static FONTS: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut fonts = usvg::fontdb::Database::new();
            fonts.load_system_fonts();
            Arc::new(fonts)
        })
        .clone()
}

/// Whether this server can draw Japanese text (read once).
pub fn draws_japanese() -> bool {
    static DRAWS: OnceLock<bool> = OnceLock::new();
    *DRAWS.get_or_init(|| {
        let probe = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"40\" height=\"40\" \
                     font-family=\"IPAexGothic, IPAGothic, 'Noto Sans CJK JP', sans-serif\">\
                     <text x=\"4\" y=\"32\" font-size=\"32\">気</text></svg>";
        render(probe, 1.0)
            .ok()
            .is_some_and(|picture| picture.has_ink)
    })
}

struct Picture {
    png: Vec<u8>,
    has_ink: bool,
}

fn render(svg: &str, scale: f32) -> Result<Picture, PngError> {
    let options = usvg::Options {
        fontdb: fonts(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options)
        .map_err(|error| PngError::Unreadable(error.to_string()))?;
    let size = tree.size();
    let area = size.width() * size.height();
    let scale = if area * scale * scale > MAX_PIXELS {
        (MAX_PIXELS / area).sqrt()
    } else {
        scale
    };
    let width = (size.width() * scale).ceil() as u32;
    let height = (size.height() * scale).ceil() as u32;
    let mut pixmap = tiny_skia::Pixmap::new(width, height).ok_or(PngError::Empty)?;
    // A white sheet: a transparent PNG turns black text unreadable on a dark slide.
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    let has_ink = pixmap
        .pixels()
        .iter()
        .any(|pixel| pixel.red() < 128 && pixel.alpha() > 0);
    let png = pixmap
        .encode_png()
        .map_err(|error| PngError::Encoding(error.to_string()))?;
    Ok(Picture { png, has_ink })
}

/// The SVG drawing as a PNG at [`SCALE`] times its size on a white sheet. One picture is drawn
/// at a time, so that many requests at once cannot hold many sheets in memory.
pub fn from_svg(svg: &str) -> Result<Vec<u8>, PngError> {
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _turn = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    render(svg, SCALE).map(|picture| picture.png)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The width and height a PNG's header gives.
    fn dimensions(png: &[u8]) -> (u32, u32) {
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(&png[12..16], b"IHDR");
        let number = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
        (number(16), number(20))
    }

    #[test]
    fn a_drawing_becomes_a_picture_twice_its_size() {
        let png = from_svg(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"120\" height=\"80\">\
             <rect x=\"10\" y=\"10\" width=\"50\" height=\"30\" fill=\"#000\"/></svg>",
        )
        .unwrap();
        assert_eq!(dimensions(&png), (240, 160));
    }

    #[test]
    fn a_huge_drawing_is_drawn_smaller_rather_than_exhausting_memory() {
        let png = from_svg(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"20000\" height=\"20000\"></svg>",
        )
        .unwrap();
        let (width, height) = dimensions(&png);
        assert!(
            (width as f32) * (height as f32) <= MAX_PIXELS * 1.01,
            "{width}×{height}"
        );
        assert!(width >= 3_900, "{width}");
    }

    #[test]
    fn what_is_not_svg_is_refused_plainly() {
        assert!(matches!(from_svg("<html>"), Err(PngError::Unreadable(_))));
    }

    #[test]
    fn a_blank_sheet_has_no_ink_and_a_box_does() {
        let blank = render(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>",
            1.0,
        )
        .unwrap();
        assert!(!blank.has_ink);
        let boxed = render(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><rect width=\"5\" height=\"5\"/></svg>",
            1.0,
        )
        .unwrap();
        assert!(boxed.has_ink);
    }
}
