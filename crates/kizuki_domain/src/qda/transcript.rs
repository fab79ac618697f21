//! A transcript as Kizuki keeps it: NFC, `\n` line endings, no byte-order mark or control
//! characters; and its speaker turns, found from the patterns transcribers use
//! ("A: …", "Ａ：…", "【司会】…", "司会：…").

use unicode_normalization::UnicodeNormalization;

/// Text ready to store. Unlike one-line fields, inner whitespace is kept: positions in it are
/// what cards point at.
pub fn normalize(raw: &str) -> String {
    raw.trim_start_matches('\u{feff}')
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect::<String>()
        .nfc()
        .collect::<String>()
        .trim_end()
        .to_owned()
}

/// One speaker's turn: where it starts and ends (code points, end exclusive) and who speaks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Turn {
    pub start: usize,
    pub end: usize,
    pub speaker: String,
}

const MAX_SPEAKER_CHARS: usize = 20;

/// The speaker a line opens with, and where the speech begins (in code points from the line's
/// start), if the line follows one of the patterns.
fn speaker_of(line: &str) -> Option<(String, usize)> {
    let trimmed = line.trim_start();
    let indent = line.chars().count() - trimmed.chars().count();
    if let Some(rest) = trimmed.strip_prefix('【') {
        let close = rest.find('】')?;
        let name = rest[..close].trim();
        let after = &rest[close + '】'.len_utf8()..];
        let speech = after.trim_start();
        let skipped = 1
            + rest[..close].chars().count()
            + 1
            + (after.chars().count() - speech.chars().count());
        return (!name.is_empty() && name.chars().count() <= MAX_SPEAKER_CHARS)
            .then(|| (name.to_owned(), indent + skipped));
    }
    let colon = trimmed.find([':', '：'])?;
    let name = trimmed[..colon].trim();
    if name.is_empty()
        || name.chars().count() > MAX_SPEAKER_CHARS
        || name
            .chars()
            .any(|c| matches!(c, '。' | '、' | '.' | ',' | '「' | '」'))
        || name.contains("http")
    {
        return None;
    }
    let colon_char = trimmed[colon..].chars().next()?;
    let after = &trimmed[colon + colon_char.len_utf8()..];
    let speech = after.trim_start();
    let skipped =
        trimmed[..colon].chars().count() + 1 + (after.chars().count() - speech.chars().count());
    Some((name.to_owned(), indent + skipped))
}

/// The speaker turns of a transcript. A turn runs from its speaker's words to the line before
/// the next speaker; lines before the first speaker belong to no turn.
pub fn turns(text: &str) -> Vec<Turn> {
    let mut turns: Vec<Turn> = Vec::new();
    let mut position = 0;
    for line in text.split('\n') {
        let length = line.chars().count();
        if let Some((speaker, offset)) = speaker_of(line) {
            turns.push(Turn {
                start: position + offset,
                end: position + length,
                speaker,
            });
        } else if let Some(last) = turns.last_mut()
            && !line.trim().is_empty()
        {
            last.end = position + length;
        }
        position += length + 1;
    }
    turns
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qda::slice;
    use proptest::prelude::*;

    #[test]
    fn text_is_stored_in_one_form() {
        assert_eq!(normalize("\u{feff}が\r\nＡ\rb\u{7}  \n"), "が\nＡ\nb");
        // Decomposed が (か + combining mark) is composed.
        assert_eq!(normalize("\u{304b}\u{3099}"), "が");
    }

    #[test]
    fn finds_the_usual_speaker_patterns() {
        let text = "第1回 グループインタビュー\n【司会】今日はよろしくお願いします。\nP01：はい。\n関係の見方が変わりました。\nB: Yes, I think so.\nこれは、発言ではありません：本当に";
        let found = turns(text);
        let speakers: Vec<&str> = found.iter().map(|t| t.speaker.as_str()).collect();
        assert_eq!(speakers, ["司会", "P01", "B"]);
        assert_eq!(
            slice(text, found[0].start, found[0].end),
            Some("今日はよろしくお願いします。")
        );
        assert_eq!(
            slice(text, found[1].start, found[1].end),
            Some("はい。\n関係の見方が変わりました。")
        );
        assert_eq!(
            slice(text, found[2].start, found[2].end),
            Some("Yes, I think so.\nこれは、発言ではありません：本当に")
        );
    }

    proptest! {
        #[test]
        fn turns_lie_within_the_text_and_in_order(text in "(\\PC{0,12}[:：\\n【】]?){0,12}") {
            let text = normalize(&text);
            let found = turns(&text);
            let mut last_end = 0;
            for turn in &found {
                prop_assert!(turn.start <= turn.end);
                prop_assert!(turn.start >= last_end);
                prop_assert!(slice(&text, turn.start, turn.end).is_some());
                last_end = turn.end;
            }
        }
    }
}
