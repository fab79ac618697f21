//! A transcript as Kizuki keeps it: NFC, `\n` line endings, no byte-order mark or control
//! characters; and its speaker turns, found from the patterns transcribers use
//! ("A: …", "Ａ：…", "【司会】…", "司会：…").

use unicode_normalization::UnicodeNormalization;

use crate::qda::pseudonyms::Replacement;

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

/// [`normalize`] that also tells where each code point of `raw` went: `map[i]` is the position
/// in the result of what was at position `i` (`map[len]` is the end), so that passages marked in
/// another tool's copy of a text land on the same words here. A code point that composes with
/// its neighbours under NFC goes where its group starts.
pub fn normalize_mapped(raw: &str) -> (String, Vec<usize>) {
    let chars: Vec<char> = raw.chars().collect();
    let mut map = Vec::with_capacity(chars.len() + 1);
    let mut out = String::with_capacity(raw.len());
    let mut out_len = 0;
    let mut segment: Vec<char> = Vec::new();
    let mut segment_map: Vec<usize> = Vec::new();
    let flush = |segment: &mut Vec<char>,
                 segment_map: &mut Vec<usize>,
                 out: &mut String,
                 out_len: &mut usize,
                 map: &mut Vec<usize>| {
        let start = *out_len;
        let composed: String = segment.iter().collect::<String>().nfc().collect();
        let length = composed.chars().count();
        for offset in segment_map.drain(..) {
            map.push(start + offset.min(length));
        }
        out.push_str(&composed);
        *out_len += length;
        segment.clear();
    };
    let mut leading = true;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if leading && c == '\u{feff}' {
            segment_map.push(segment.len());
            i += 1;
            continue;
        }
        leading = false;
        let kept = match c {
            '\r' if chars.get(i + 1) == Some(&'\n') => None,
            '\r' => Some('\n'),
            '\n' | '\t' => Some(c),
            c if c.is_control() => None,
            c => Some(c),
        };
        match kept {
            None => segment_map.push(segment.len()),
            Some(kept) => {
                if starts_segment(kept) && !segment.is_empty() {
                    flush(
                        &mut segment,
                        &mut segment_map,
                        &mut out,
                        &mut out_len,
                        &mut map,
                    );
                }
                segment_map.push(segment.len());
                segment.push(kept);
            }
        }
        i += 1;
    }
    flush(
        &mut segment,
        &mut segment_map,
        &mut out,
        &mut out_len,
        &mut map,
    );
    let trimmed = out.trim_end().to_owned();
    let length = trimmed.chars().count();
    map.push(out_len);
    for position in &mut map {
        *position = (*position).min(length);
    }
    (trimmed, map)
}

/// Whether NFC can never join `c` to what comes before it: a starter that is not the vowel or
/// final of a Hangul syllable nor a character some composition takes as its second part.
fn starts_segment(c: char) -> bool {
    use unicode_normalization::char::{canonical_combining_class, compose};
    canonical_combining_class(c) == 0
        && !('\u{1160}'..='\u{11ff}').contains(&c)
        && !matches!(
            c,
            '\u{0CD5}'
                | '\u{0CD6}'
                | '\u{0B3E}'
                | '\u{0B57}'
                | '\u{0BBE}'
                | '\u{0BD7}'
                | '\u{0D3E}'
                | '\u{0D57}'
                | '\u{0DCF}'
                | '\u{0DDF}'
                | '\u{102E}'
                | '\u{0C56}'
                | '\u{0CC2}'
                | '\u{0DCA}'
                | '\u{1B35}'
                | '\u{09BE}'
                | '\u{09D7}'
                | '\u{0B56}'
                | '\u{11127}'
                | '\u{1133E}'
                | '\u{11357}'
                | '\u{114B0}'
                | '\u{114BA}'
                | '\u{114BD}'
                | '\u{115AF}'
        )
        && compose('a', c).is_none()
}

/// One speaker's turn: where it starts and ends (code points, end exclusive) and who speaks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Turn {
    pub start: usize,
    pub end: usize,
    pub speaker: String,
}

/// Who speaks at code point `at`, given the text's [`turns`] (in order, as `turns` gives them).
pub fn speaker_at(turns: &[Turn], at: usize) -> Option<&str> {
    let after = turns.partition_point(|turn| turn.start <= at);
    let turn = turns.get(after.checked_sub(1)?)?;
    (at < turn.end.max(turn.start + 1)).then_some(turn.speaker.as_str())
}

const MAX_SPEAKER_CHARS: usize = 20;

/// The longest transcript, in code points. A two-hour group interview transcribed word for
/// word is about 40,000 characters and the longest seen in practice about 300,000; a million
/// leaves room for a day's recording while bounding what one import can make the server hold
/// (the text, its normalised copy and a position map of eight bytes a character).
pub const MAX_CHARS: usize = 1_000_000;

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

/// How many code points a line's speaker's name takes, with the mark and space after it
/// (「P01：」, 「【司会】」); 0 for a line that does not open with a speaker.
pub fn speaker_prefix_length(line: &str) -> usize {
    speaker_of(line).map_or(0, |(_, offset)| offset)
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

/// The speakers of a text with how many turns each has, in order of first appearance.
pub fn speakers(text: &str) -> Vec<(String, usize)> {
    let mut counted: Vec<(String, usize)> = Vec::new();
    for turn in turns(text) {
        match counted.iter_mut().find(|(name, _)| *name == turn.speaker) {
            Some((_, count)) => *count += 1,
            None => counted.push((turn.speaker, 1)),
        }
    }
    counted
}

/// Where `from` is written as the speaker of a turn, to be written `to` instead (code points
/// of the text; apply with [`crate::qda::pseudonyms::rewrite`], which also moves the cards).
pub fn rename_speaker(text: &str, from: &str, to: &str) -> Vec<Replacement> {
    let mut found = Vec::new();
    let mut position = 0;
    for line in text.split('\n') {
        if let Some((speaker, _)) = speaker_of(line)
            && speaker == from
            && let Some(byte) = line.find(from)
        {
            let start = position + line[..byte].chars().count();
            found.push(Replacement {
                start,
                end: start + from.chars().count(),
                real: from.to_owned(),
                pseudonym: to.to_owned(),
            });
        }
        position += line.chars().count() + 1;
    }
    found
}

/// What to do to line `line` (counted from 1) so that `speaker` opens it, or so that no
/// speaker does (`None`): the name replaced, `名前：` put before the line's words, or the
/// speaker's mark taken off. `None` when the line does not exist or is already so.
pub fn set_speaker(text: &str, line: usize, speaker: Option<&str>) -> Option<Vec<Replacement>> {
    let index = line.checked_sub(1)?;
    let start: usize = text
        .split('\n')
        .take(index)
        .map(|l| l.chars().count() + 1)
        .sum();
    let content = text.split('\n').nth(index)?;
    let indent = content.chars().count() - content.trim_start().chars().count();
    let replacement = |from: usize, to: usize, real: &str, new: String| Replacement {
        start: start + from,
        end: start + to,
        real: real.to_owned(),
        pseudonym: new,
    };
    let found = match (speaker_of(content), speaker) {
        (Some((name, _)), Some(new)) if name == new => return None,
        (Some((name, _)), Some(new)) => {
            let byte = content.find(name.as_str())?;
            let from = content[..byte].chars().count();
            replacement(from, from + name.chars().count(), &name, new.to_owned())
        }
        (Some((_, speech)), None) => {
            let mark: String = content.chars().skip(indent).take(speech - indent).collect();
            replacement(indent, speech, &mark, String::new())
        }
        (None, Some(new)) => replacement(indent, indent, "", format!("{new}：")),
        (None, None) => return None,
    };
    Some(vec![found])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_follow_the_text_through_normalizing() {
        let raw = "\u{feff}A：か\u{3099}\r\nB：はい\r\n\r\n";
        let (text, map) = normalize_mapped(raw);
        assert_eq!(text, "A：が\nB：はい");
        assert_eq!(text, normalize(raw));
        // "B" was at 7 (BOM, A, ：, か, ゛, \r, \n) and is at 4 now.
        assert_eq!(map[7], 4);
        assert_eq!(crate::qda::slice(&text, map[7], map[10]), Some("B：は"));
        assert_eq!(map[raw.chars().count()], text.chars().count());
    }

    proptest::proptest! {
        #[test]
        fn mapped_normalizing_agrees(raw in "[\\PC\r\n\u{feff}\u{3099}\u{301}\u{1161}]{0,40}") {
            let (text, map) = normalize_mapped(&raw);
            proptest::prop_assert_eq!(&text, &normalize(&raw));
            proptest::prop_assert_eq!(map.len(), raw.chars().count() + 1);
            proptest::prop_assert!(map.windows(2).all(|w| w[0] <= w[1]));
            proptest::prop_assert!(map.iter().all(|p| *p <= text.chars().count()));
        }
    }
    use crate::qda::slice;
    use proptest::prelude::*;

    #[test]
    fn a_line_is_given_a_speaker_or_has_its_speaker_taken_off() {
        let text = "【司会】はじめます。\nそれでは順番に。\nA：はい。";
        let rewrite = |line, speaker| {
            set_speaker(text, line, speaker).map(|r| crate::qda::pseudonyms::rewrite(text, &r))
        };
        assert_eq!(
            rewrite(2, Some("司会")).as_deref(),
            Some("【司会】はじめます。\n司会：それでは順番に。\nA：はい。")
        );
        assert_eq!(
            rewrite(3, Some("P01")).as_deref(),
            Some("【司会】はじめます。\nそれでは順番に。\nP01：はい。")
        );
        assert_eq!(
            rewrite(1, None).as_deref(),
            Some("はじめます。\nそれでは順番に。\nA：はい。")
        );
        assert_eq!(rewrite(3, Some("A")), None);
        assert_eq!(rewrite(2, None), None);
        assert_eq!(rewrite(4, Some("A")), None);
        assert_eq!(rewrite(0, Some("A")), None);
        // The turns follow: line 2 is now a turn of its own.
        let changed = rewrite(2, Some("司会")).unwrap();
        assert_eq!(turns(&changed).len(), 3);
    }

    #[test]
    fn a_speaker_is_renamed_where_a_turn_opens_and_nowhere_else() {
        let text = "【A】はじめます。\nA：Aさんの話です。\nB：はい。\n  A: もう一度";
        let found = rename_speaker(text, "A", "P01");
        assert_eq!(found.len(), 3);
        let renamed = crate::qda::pseudonyms::rewrite(text, &found);
        assert_eq!(
            renamed,
            "【P01】はじめます。\nP01：Aさんの話です。\nB：はい。\n  P01: もう一度"
        );
        assert_eq!(
            speakers(&renamed),
            vec![("P01".to_owned(), 3), ("B".to_owned(), 1)]
        );
    }

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
