use unicode_normalization::UnicodeNormalization;

/// Text as Kizuki stores it: NFC-normalised, `\n` line endings, no surrounding whitespace, and
/// no control characters other than newline and tab (PostgreSQL refuses NUL in text, and the
/// others only hide things from the people reading).
pub fn normalize(text: &str) -> String {
    let visible: String = text
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect();
    visible.trim().nfc().collect()
}

/// Normalises a one-line field (names, titles): also folds inner runs of whitespace, including
/// the ideographic space, into one ASCII space.
pub fn normalize_line(text: &str) -> String {
    normalize(text)
        .split(|c: char| c.is_whitespace())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_endings_become_newlines() {
        assert_eq!(normalize(" a\r\nb\rc \n"), "a\nb\nc");
    }

    #[test]
    fn decomposed_kana_is_composed() {
        // "が" written as "か" + combining voiced sound mark.
        assert_eq!(normalize("\u{304B}\u{3099}"), "\u{304C}");
    }

    #[test]
    fn control_characters_are_dropped() {
        assert_eq!(normalize("a\u{0}b\u{7}c\td\ne"), "abc\td\ne");
    }

    proptest::proptest! {
        #[test]
        fn normalizing_is_idempotent_and_never_keeps_nul(input in "\\PC*|[\u{0}-\u{1f}a-z]*") {
            let once = normalize(&input);
            proptest::prop_assert_eq!(normalize(&once), once.clone());
            let has_nul = once.contains('\0');
            proptest::prop_assert!(!has_nul);
        }
    }

    #[test]
    fn names_fold_ideographic_spaces() {
        assert_eq!(normalize_line("山田\u{3000}\u{3000}花子 "), "山田 花子");
    }
}
