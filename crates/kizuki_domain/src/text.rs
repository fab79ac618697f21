use unicode_normalization::UnicodeNormalization;

/// Text as Kizuki stores it: NFC-normalised, `\n` line endings, no surrounding whitespace.
pub fn normalize(text: &str) -> String {
    let unified = text.replace("\r\n", "\n").replace('\r', "\n");
    unified.trim().nfc().collect()
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
    fn names_fold_ideographic_spaces() {
        assert_eq!(normalize_line("山田\u{3000}\u{3000}花子 "), "山田 花子");
    }
}
