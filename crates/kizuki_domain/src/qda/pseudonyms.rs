//! Pseudonyms: a project's key of real names and places and what replaces them
//! (田中さん → P03, 札幌市 → A市). Longer names are replaced first, so 田中花子 is not half
//! replaced by 田中; replacements never overlap.

/// One entry of the key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub real: String,
    pub pseudonym: String,
}

/// One place where a real name was replaced (code points in the text before replacement).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replacement {
    pub start: usize,
    pub end: usize,
    pub real: String,
    pub pseudonym: String,
}

/// The text with every real name replaced, and where each was.
pub fn apply(text: &str, key: &[Entry]) -> (String, Vec<Replacement>) {
    let mut entries: Vec<&Entry> = key.iter().filter(|e| !e.real.is_empty()).collect();
    entries.sort_by_key(|e| std::cmp::Reverse(e.real.chars().count()));
    let chars: Vec<char> = text.chars().collect();
    let patterns: Vec<(Vec<char>, &Entry)> = entries
        .into_iter()
        .map(|e| (e.real.chars().collect(), e))
        .collect();
    let mut out = String::with_capacity(text.len());
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let hit = patterns
            .iter()
            .find(|(pattern, _)| chars[i..].starts_with(pattern));
        match hit {
            Some((pattern, entry)) => {
                out.push_str(&entry.pseudonym);
                found.push(Replacement {
                    start: i,
                    end: i + pattern.len(),
                    real: entry.real.clone(),
                    pseudonym: entry.pseudonym.clone(),
                });
                i += pattern.len();
            }
            None => {
                out.push(chars[i]);
                i += 1;
            }
        }
    }
    (out, found)
}

/// `text` with `replacements` (in order, not overlapping, code points of `text`) made.
pub fn rewrite(text: &str, replacements: &[Replacement]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut next = replacements.iter().peekable();
    let mut skip_until = 0;
    for (i, c) in text.chars().enumerate() {
        while let Some(replacement) = next.peek()
            && replacement.start == i
        {
            out.push_str(&replacement.pseudonym);
            skip_until = skip_until.max(replacement.end);
            next.next();
        }
        if i >= skip_until {
            out.push(c);
        }
    }
    for replacement in next {
        out.push_str(&replacement.pseudonym);
    }
    out
}

/// Where a position of the text before replacement lands after it. A position inside a
/// replaced name goes to the replacement's start when it opens a passage (`is_end` false) and
/// to its end when it closes one, so a passage never cuts a pseudonym in half.
pub fn shift(position: usize, replacements: &[Replacement], is_end: bool) -> usize {
    let mut shifted = position as isize;
    for replacement in replacements {
        let grown = replacement.pseudonym.chars().count() as isize
            - (replacement.end - replacement.start) as isize;
        if replacement.end <= position {
            shifted += grown;
        } else if replacement.start < position {
            let start = shifted - (position - replacement.start) as isize;
            return if is_end {
                (start + replacement.pseudonym.chars().count() as isize) as usize
            } else {
                start as usize
            };
        } else {
            break;
        }
    }
    shifted.max(0) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_shift_past_replacements() {
        let key = [Entry {
            real: "田中花子さん".to_owned(),
            pseudonym: "P03".to_owned(),
        }];
        let text = "司会：田中花子さん、どうぞ。";
        let (out, found) = apply(text, &key);
        assert_eq!(out, "司会：P03、どうぞ。");
        // "どうぞ" was 10..13, now 7..10.
        assert_eq!(shift(10, &found, false), 7);
        assert_eq!(shift(13, &found, true), 10);
        // Inside the name: to the pseudonym's edges.
        assert_eq!(shift(5, &found, false), 3);
        assert_eq!(shift(5, &found, true), 6);
        assert_eq!(shift(2, &found, false), 2);
    }
    use proptest::prelude::*;

    fn key() -> Vec<Entry> {
        [("田中", "P03"), ("田中花子", "P04"), ("札幌市", "A市")]
            .into_iter()
            .map(|(real, pseudonym)| Entry {
                real: real.into(),
                pseudonym: pseudonym.into(),
            })
            .collect()
    }

    #[test]
    fn longer_names_first_and_positions_kept() {
        let (text, found) = apply("田中花子さんと田中さんは札幌市から来ました", &key());
        assert_eq!(text, "P04さんとP03さんはA市から来ました");
        let spans: Vec<(usize, usize, &str)> = found
            .iter()
            .map(|r| (r.start, r.end, r.pseudonym.as_str()))
            .collect();
        assert_eq!(spans, [(0, 4, "P04"), (7, 9, "P03"), (12, 15, "A市")]);
    }

    proptest! {
        #[test]
        fn no_real_name_is_left(text in "[田中花子札幌市さんはと、]{0,40}") {
            let (out, _) = apply(&text, &key());
            prop_assert!(!out.contains("田中"));
            prop_assert!(!out.contains("札幌市"));
            // Applying again changes nothing.
            prop_assert_eq!(apply(&out, &key()).0, out.clone());
        }
    }

    proptest::proptest! {
        #[test]
        fn rewriting_with_the_found_places_gives_what_apply_gives(text in "[田中花子札幌市はいP ]{0,30}") {
            let key = vec![
                Entry { real: "田中".into(), pseudonym: "P03".into() },
                Entry { real: "札幌市".into(), pseudonym: "A市".into() },
            ];
            let (applied, found) = apply(&text, &key);
            proptest::prop_assert_eq!(rewrite(&text, &found), applied);
        }
    }
}
