//! Qualitative analysis with the KJ method: transcripts as text measured in Unicode code points
//! (what REFI-QDA counts), speaker turns, pseudonyms, and WebVTT read as a transcript. No IO.

pub mod agreement;
pub mod diagram;
pub mod pseudonyms;
pub mod search;
pub mod selection;
pub mod spread;
pub mod transcript;
pub mod tree;
pub mod webvtt;

/// The passage of `text` from code point `start` up to (not including) `end`, or `None` when
/// the range does not lie within the text.
pub fn slice(text: &str, start: usize, end: usize) -> Option<&str> {
    if start > end {
        return None;
    }
    let mut indices = text.char_indices().map(|(i, _)| i).chain([text.len()]);
    let from = indices.nth(start)?;
    let to = if end == start {
        from
    } else {
        indices.nth(end - start - 1)?
    };
    Some(&text[from..to])
}

/// The length of `text` in code points.
pub fn length(text: &str) -> usize {
    text.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn slices_count_code_points_not_bytes() {
        let text = "司会：今日は😊ようこそ";
        assert_eq!(slice(text, 3, 6), Some("今日は"));
        assert_eq!(slice(text, 6, 7), Some("😊"));
        assert_eq!(slice(text, 7, 11), Some("ようこそ"));
        assert_eq!(slice(text, 11, 11), Some(""));
        assert_eq!(slice(text, 7, 12), None);
        assert_eq!(slice(text, 5, 4), None);
        assert_eq!(length(text), 11);
    }

    proptest! {
        #[test]
        fn a_slice_is_the_chars_between(text in "\\PC{0,40}", a in 0usize..45, b in 0usize..45) {
            let (start, end) = (a.min(b), a.max(b));
            let expected: Option<String> = (end <= text.chars().count())
                .then(|| text.chars().skip(start).take(end - start).collect());
            prop_assert_eq!(slice(&text, start, end).map(str::to_owned), expected);
        }
    }
}
