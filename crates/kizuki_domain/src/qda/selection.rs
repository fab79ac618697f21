//! From a passage a researcher chose to the cards it makes. A selection is taken exactly, code
//! point for code point, but a card holds one speaker's words: a selection across turns makes one
//! card per turn, and the speakers' names and the 「：」 between turns fall away. The pasted
//! passage of the page without script is matched leniently (whitespace and speakers' names
//! aside), then made into cards the same way.

use super::transcript::{Turn, speaker_prefix_length, turns};

/// Code points `start..end` of a transcript.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SelectionError {
    /// Nothing but whitespace, or nothing at all.
    Empty,
    /// Only a speaker's name, or the marks between turns.
    NoSpeech,
    /// Outside the text.
    OutOfRange,
}

/// The cards the selection `start..end` of `text` makes, in order.
pub fn cards_for(text: &str, start: usize, end: usize) -> Result<Vec<Span>, SelectionError> {
    let chars: Vec<char> = text.chars().collect();
    if start > end || end > chars.len() {
        return Err(SelectionError::OutOfRange);
    }
    let trimmed = trim(&chars, Span { start, end }).ok_or(SelectionError::Empty)?;
    let turns = turns(text);
    if turns.is_empty() {
        return Ok(vec![trimmed]);
    }
    let before_first = turns
        .first()
        .map_or(0, |turn| line_start(&chars, turn.start));
    let mut cards: Vec<Span> = Vec::new();
    // Words before the first speaker (a heading, a note) make a card of their own.
    if trimmed.start < before_first {
        cards.extend(trim(
            &chars,
            Span {
                start: trimmed.start,
                end: trimmed.end.min(before_first),
            },
        ));
    }
    cards.extend(
        turns
            .iter()
            .filter_map(|turn| within(&chars, turn, trimmed)),
    );
    if cards.is_empty() {
        Err(SelectionError::NoSpeech)
    } else {
        Ok(cards)
    }
}

fn within(chars: &[char], turn: &Turn, selection: Span) -> Option<Span> {
    let start = selection.start.max(turn.start);
    let end = selection.end.min(turn.end);
    (start < end)
        .then_some(())
        .and_then(|()| trim(chars, Span { start, end }))
}

fn line_start(chars: &[char], at: usize) -> usize {
    chars[..at]
        .iter()
        .rposition(|c| *c == '\n')
        .map_or(0, |newline| newline + 1)
}

fn trim(chars: &[char], span: Span) -> Option<Span> {
    let mut start = span.start;
    let mut end = span.end;
    while start < end && chars[start].is_whitespace() {
        start += 1;
    }
    while end > start && chars[end - 1].is_whitespace() {
        end -= 1;
    }
    (start < end).then_some(Span { start, end })
}

/// Where a pasted passage is in `text`: compared without whitespace, and without the speakers'
/// names that open its lines (「P01：」, 「【司会】」), so that a copy with a line break or a space
/// more or less, or with a name, still finds its words. The first place not in `taken` (the
/// starts of cards already made from the same words) wins.
pub fn find_passage(text: &str, passage: &str, taken: &[usize]) -> Option<Span> {
    let wanted: Vec<char> = passage
        .split('\n')
        .flat_map(|line| line.chars().skip(speaker_prefix_length(line)))
        .filter(|c| !c.is_whitespace())
        .collect();
    if wanted.is_empty() {
        return None;
    }
    // The text's words, each with where it stands, speakers' names left out.
    let mut words: Vec<(char, usize)> = Vec::new();
    let mut position = 0;
    for line in text.split('\n') {
        let skip = speaker_prefix_length(line);
        for (index, c) in line.chars().enumerate() {
            if index >= skip && !c.is_whitespace() {
                words.push((c, position + index));
            }
        }
        position += line.chars().count() + 1;
    }
    let found = words.windows(wanted.len()).find(|window| {
        window.iter().map(|(c, _)| *c).eq(wanted.iter().copied()) && !taken.contains(&window[0].1)
    })?;
    Some(Span {
        start: found.first()?.1,
        end: found.last()?.1 + 1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "A市 グループインタビュー\nP01：つながりを感じた。\n  支えられていると思う。\n【司会】ありがとうございます。\nP02：😀 私もです。";

    fn quotes(spans: &[Span]) -> Vec<String> {
        spans
            .iter()
            .map(|s| TEXT.chars().skip(s.start).take(s.end - s.start).collect())
            .collect()
    }

    fn at(words: &str) -> usize {
        TEXT[..TEXT.find(words).unwrap()].chars().count()
    }

    #[test]
    fn a_selection_in_one_turn_is_taken_exactly() {
        let start = at("つながり");
        let cards = cards_for(TEXT, start, start + 5).unwrap();
        assert_eq!(quotes(&cards), ["つながりを"]);
    }

    #[test]
    fn a_selection_across_turns_makes_a_card_per_turn_without_the_names() {
        let start = at("支えられて");
        let end = at("ございます") + 5;
        let cards = cards_for(TEXT, start, end).unwrap();
        assert_eq!(
            quotes(&cards),
            ["支えられていると思う。", "ありがとうございます"]
        );
    }

    #[test]
    fn whitespace_at_the_edges_is_left_out_and_names_alone_make_nothing() {
        let start = at("P01");
        assert_eq!(
            cards_for(TEXT, start, start + 4),
            Err(SelectionError::NoSpeech)
        );
        let newline = at("\n  支え");
        assert_eq!(
            cards_for(TEXT, newline, newline + 3),
            Err(SelectionError::Empty)
        );
        assert_eq!(cards_for(TEXT, 0, 10_000), Err(SelectionError::OutOfRange));
    }

    #[test]
    fn offsets_count_code_points_so_emoji_do_not_shift_them() {
        let start = at("私も");
        assert_eq!(
            quotes(&cards_for(TEXT, start, start + 3).unwrap()),
            ["私もで"]
        );
    }

    #[test]
    fn a_pasted_passage_is_found_with_spaces_breaks_and_names() {
        let found = find_passage(TEXT, "P01： つながりを感じた。 支えられて", &[]).unwrap();
        assert_eq!(found.start, at("つながり"));
        assert_eq!(found.end, at("支えられて") + 5);
        assert_eq!(
            quotes(&cards_for(TEXT, found.start, found.end).unwrap()),
            ["つながりを感じた。\n  支えられて"]
        );
        assert_eq!(find_passage(TEXT, "存在しない言葉", &[]), None);
        let again = find_passage(TEXT, "私も", &[at("私も")]);
        assert_eq!(again, None, "the only place is taken");
    }

    proptest::proptest! {
        /// Whatever is selected, the cards lie inside the selection, in order, apart, each
        /// starting and ending on a word, and none holds a line that opens with a speaker.
        #[test]
        fn cards_stay_inside_the_selection_and_apart(
            text in "(P0[12]：|【司会】)?[あい う\n😀a]{0,40}(\nP03：[えお ]{0,10})?",
            a in 0usize..60,
            b in 0usize..60,
        ) {
            let (start, end) = (a.min(b), a.max(b));
            let chars: Vec<char> = text.chars().collect();
            if let Ok(cards) = cards_for(&text, start, end) {
                let mut last_end = start;
                for card in &cards {
                    proptest::prop_assert!(card.start >= last_end && card.start < card.end && card.end <= end);
                    proptest::prop_assert!(!chars[card.start].is_whitespace() && !chars[card.end - 1].is_whitespace());
                    let quote: String = chars[card.start..card.end].iter().collect();
                    proptest::prop_assert!(!quote.contains("：") && !quote.contains("【"), "{quote:?}");
                    last_end = card.end;
                }
            }
        }
    }
}
