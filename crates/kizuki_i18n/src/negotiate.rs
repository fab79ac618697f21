use crate::Lang;

/// Picks the language a browser prefers from an `Accept-Language` header (RFC 9110 §12.5.4),
/// or `None` when it names neither Japanese nor English.
pub fn preferred_from_accept_language(header: &str) -> Option<Lang> {
    let mut best: Option<(Lang, u16, usize)> = None;
    for (position, item) in header.split(',').enumerate() {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let quality = parts
            .find_map(|parameter| parameter.trim().strip_prefix("q="))
            .map_or(Some(1000), parse_quality);
        let Some(quality) = quality else { continue };
        let primary = tag.split('-').next().unwrap_or("");
        let Some(lang) = Lang::from_tag(primary) else {
            continue;
        };
        if quality == 0 {
            continue;
        }
        // Higher quality wins; on a tie, the one listed first.
        let better = match best {
            None => true,
            Some((_, best_quality, best_position)) => {
                quality > best_quality || (quality == best_quality && position < best_position)
            }
        };
        if better {
            best = Some((lang, quality, position));
        }
    }
    best.map(|(lang, _, _)| lang)
}

/// Parses a q-value ("0.8", "1", "0.125") into thousandths; `None` if malformed.
fn parse_quality(text: &str) -> Option<u16> {
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u16 = match whole {
        "0" => 0,
        "1" => 1,
        _ => return None,
    };
    let padded = format!("{fraction:0<3}");
    let thousandths: u16 = padded.parse().ok()?;
    let value = whole * 1000 + thousandths;
    (value <= 1000).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn common_headers() {
        let cases = [
            ("ja,en-US;q=0.9,en;q=0.8", Some(Lang::Ja)),
            ("en-US,en;q=0.9", Some(Lang::En)),
            ("en-GB,ja;q=0.5", Some(Lang::En)),
            ("fr-FR,fr;q=0.9,ja;q=0.8,en;q=0.7", Some(Lang::Ja)),
            ("de-DE", None),
            ("en;q=0, ja;q=0.1", Some(Lang::Ja)),
            ("*", None),
            ("", None),
            ("en;q=2", None),
        ];
        for (header, want) in cases {
            assert_eq!(preferred_from_accept_language(header), want, "{header}");
        }
    }

    proptest! {
        #[test]
        fn never_panics(header in "\\PC{0,100}") {
            let _ = preferred_from_accept_language(&header);
        }
    }
}
