//! Search over a project's transcripts and cards, in Japanese and English alike.
//!
//! Japanese is written without spaces, so words cannot be found by splitting on them. Instead
//! both the text and the query are folded (NFKC, lower case, katakana as hiragana) and each
//! query term is looked for as a run of characters anywhere in the text — what an n-gram index
//! answers, without the index: a project's text is small enough to read whole, and an index
//! on disk would be one more copy of interview text to protect. Terms written in Latin letters
//! or digits match only from the start of a word ("care" finds "career" but not "scare").
//! Positions come back in the code points of the original text, like every position in QDA.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::{canonical_combining_class, compose};

/// What was asked: the terms (whitespace, including the ideographic space, separates them;
/// "double quotes" keep a phrase together), each folded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    terms: Vec<String>,
}

impl Query {
    pub fn parse(raw: &str) -> Query {
        let mut terms = Vec::new();
        let mut current = String::new();
        let mut quoted = false;
        for c in raw.chars() {
            match c {
                '"' | '“' | '”' | '「' | '」' => {
                    push_term(&mut terms, &mut current);
                    quoted = !quoted;
                }
                c if c.is_whitespace() && !quoted => push_term(&mut terms, &mut current),
                c => current.push(c),
            }
        }
        push_term(&mut terms, &mut current);
        terms.dedup();
        Query { terms }
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    pub fn terms(&self) -> &[String] {
        &self.terms
    }
}

fn push_term(terms: &mut Vec<String>, current: &mut String) {
    let folded = fold(current.trim()).text;
    if !folded.trim().is_empty() && !terms.contains(&folded) {
        terms.push(folded);
    }
    current.clear();
}

/// A text folded for matching, and where each of its bytes came from in the original.
pub struct Folded {
    text: String,
    /// `origin[b]` is the code point of the original that the folded byte `b` came from;
    /// `origin[text.len()]` is the original's length.
    origin: Vec<u32>,
}

/// Folds `c` onto the end of `out`, recording `position` as the origin of each byte written. A
/// mark that composes with what came before (the ﾟ of half-width ﾋﾟ) joins it, so that ﾋﾟ folds
/// to the same ぴ a query holds; the joined character's first byte keeps the earlier origin.
fn fold_char(c: char, position: u32, out: &mut String, origin: &mut Vec<u32>) {
    for folded in std::iter::once(c).nfkc() {
        for lower in folded.to_lowercase() {
            let kana = match lower {
                // Katakana ァ..ヶ sit 0x60 above their hiragana.
                'ァ'..='ヶ' => char::from_u32(lower as u32 - 0x60).unwrap_or(lower),
                other => other,
            };
            let joined = (canonical_combining_class(kana) != 0)
                .then(|| out.chars().next_back())
                .flatten()
                .and_then(|previous| Some((previous, compose(previous, kana)?)));
            match joined {
                Some((previous, composed)) => {
                    let at = out.len() - previous.len_utf8();
                    let first = origin[at];
                    out.truncate(at);
                    origin.truncate(at);
                    out.push(composed);
                    origin.push(first);
                    origin.resize(out.len(), position);
                }
                None => {
                    out.push(kana);
                    origin.resize(out.len(), position);
                }
            }
        }
    }
}

pub fn fold(text: &str) -> Folded {
    let mut folded = String::with_capacity(text.len());
    let mut origin = Vec::with_capacity(text.len() + 1);
    let mut position = 0u32;
    for c in text.chars() {
        fold_char(c, position, &mut folded, &mut origin);
        position += 1;
    }
    origin.push(position);
    Folded {
        text: folded,
        origin,
    }
}

/// Where a term was found, in code points of the original text, end exclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    pub start: usize,
    pub end: usize,
}

fn starts_word(text: &str, at: usize, term: &str) -> bool {
    let latin = |c: char| c.is_ascii_alphanumeric();
    if !term.chars().next().is_some_and(latin) {
        return true;
    }
    !text[..at].chars().next_back().is_some_and(latin)
}

/// Every place each term occurs, or `None` unless all of them occur (terms are ANDed).
/// Also returns how often each term occurred, in the order of the query's terms.
pub fn find(text: &Folded, query: &Query) -> Option<(Vec<Hit>, Vec<usize>)> {
    if query.is_empty() {
        return None;
    }
    let mut hits = Vec::new();
    let mut counts = Vec::with_capacity(query.terms.len());
    for term in &query.terms {
        let before = hits.len();
        // Overlapping occurrences count: "ああ" is twice in "あああ".
        let step = term.chars().next().map_or(1, char::len_utf8);
        let mut from = 0;
        while let Some(found) = text.text[from..].find(term.as_str()) {
            let at = from + found;
            from = at + step;
            if starts_word(&text.text, at, term) {
                hits.push(Hit {
                    start: text.origin[at] as usize,
                    // The last folded byte of the match belongs to the last original code
                    // point matched; the hit ends just after it.
                    end: text.origin[at + term.len() - 1] as usize + 1,
                });
            }
        }
        if hits.len() == before {
            return None;
        }
        counts.push(hits.len() - before);
    }
    hits.sort();
    Some((hits, counts))
}

/// How well each document matched: occurrences of each term weighted by how rare the term is
/// among the documents (a term in every document says little), highest first. `found` holds,
/// per matching document, its key and its counts from [`find`]; `documents` is how many were
/// searched.
pub fn rank<K: Clone>(found: &[(K, Vec<usize>)], documents: usize) -> Vec<(K, f64)> {
    let terms = found.first().map_or(0, |(_, counts)| counts.len());
    let weight: Vec<f64> = (0..terms)
        .map(|_| (1.0 + documents as f64 / found.len().max(1) as f64).ln())
        .collect();
    let mut ranked: Vec<(K, f64)> = found
        .iter()
        .map(|(key, counts)| {
            let score = counts
                .iter()
                .zip(&weight)
                .map(|(count, weight)| (1.0 + *count as f64).ln() * weight)
                .sum();
            (key.clone(), score)
        })
        .collect();
    // Stable: equal scores keep the order the documents came in.
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    ranked
}

/// Every text that holds all the terms, best first, with its hits: [`find`] on each, then
/// [`rank`]. Returns places in `texts` and the hits.
pub fn search<'a>(
    texts: impl IntoIterator<Item = &'a str>,
    query: &Query,
) -> Vec<(usize, Vec<Hit>)> {
    let mut searched = 0;
    let mut found: Vec<(usize, Vec<Hit>)> = Vec::new();
    let mut counts: Vec<(usize, Vec<usize>)> = Vec::new();
    for (index, text) in texts.into_iter().enumerate() {
        searched += 1;
        if let Some((hits, count)) = find(&fold(text), query) {
            counts.push((found.len(), count));
            found.push((index, hits));
        }
    }
    rank(&counts, searched)
        .into_iter()
        .map(|(at, _)| (found[at].0, std::mem::take(&mut found[at].1)))
        .collect()
}

/// A hit with some of the text around it, on one line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snippet {
    pub before: String,
    pub matched: String,
    pub after: String,
    pub hit: Hit,
}

/// Up to `limit` snippets of `text` around `hits` (overlapping hits are merged), each with up to
/// `context` code points either side, cut at line breaks.
pub fn snippets(text: &str, hits: &[Hit], context: usize, limit: usize) -> Vec<Snippet> {
    let chars: Vec<char> = text.chars().collect();
    let mut merged: Vec<Hit> = Vec::new();
    for hit in hits {
        match merged.last_mut() {
            Some(last) if hit.start < last.end => last.end = last.end.max(hit.end),
            _ => merged.push(*hit),
        }
    }
    let line = |from: usize, to: usize| -> String {
        chars[from..to]
            .iter()
            .map(|c| if *c == '\n' { ' ' } else { *c })
            .collect()
    };
    merged
        .into_iter()
        .take(limit)
        .map(|hit| {
            let end = hit.end.min(chars.len());
            let start = hit.start.min(end);
            let from = chars[..start]
                .iter()
                .rposition(|c| *c == '\n')
                .map_or(0, |p| p + 1)
                .max(start.saturating_sub(context));
            let to = chars[end..]
                .iter()
                .position(|c| *c == '\n')
                .map_or(chars.len(), |p| end + p)
                .min(end + context);
            Snippet {
                before: line(from, start),
                matched: line(start, end),
                after: line(end, to),
                hit: Hit { start, end },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qda::slice;
    use proptest::prelude::*;

    fn hits(text: &str, query: &str) -> Option<Vec<String>> {
        let (found, _) = find(&fold(text), &Query::parse(query))?;
        Some(
            found
                .iter()
                .map(|h| slice(text, h.start, h.end).unwrap().to_owned())
                .collect(),
        )
    }

    #[test]
    fn japanese_is_found_without_spaces_and_across_kana_and_width() {
        let text = "P01：自分の思い込みに気付きました。ピアサポートは難しい。";
        assert_eq!(hits(text, "思い込み"), Some(vec!["思い込み".into()]));
        assert_eq!(
            hits(text, "ぴあさぽーと"),
            Some(vec!["ピアサポート".into()])
        );
        assert_eq!(hits(text, "ｐ０１"), Some(vec!["P01".into()]));
        assert_eq!(
            hits(text, "思い込み　難しい"),
            Some(vec!["思い込み".into(), "難しい".into()])
        );
        assert_eq!(hits(text, "思い込み 楽しい"), None, "terms are ANDed");
        assert_eq!(hits(text, "   "), None);
    }

    #[test]
    fn latin_terms_match_from_the_start_of_a_word() {
        let text = "Daycare care: we scare nobody. CARE again.";
        assert_eq!(hits(text, "care"), Some(vec!["care".into(), "CARE".into()]));
        assert_eq!(hits("Careers matter", "care"), Some(vec!["Care".into()]));
        assert_eq!(
            hits(text, "\"care again\""),
            Some(vec!["CARE again".into()])
        );
    }

    #[test]
    fn positions_are_code_points_of_the_original_even_when_folding_changes_lengths() {
        // ㍻ folds to two characters and 😊 is outside the BMP.
        let text = "😊㍻の記録、ﾋﾟｱ活動";
        assert_eq!(hits(text, "平成"), Some(vec!["㍻".into()]));
        assert_eq!(hits(text, "ぴあ"), Some(vec!["ﾋﾟｱ".into()]));
        let (found, counts) = find(&fold(text), &Query::parse("記録")).unwrap();
        assert_eq!(found, vec![Hit { start: 3, end: 5 }]);
        assert_eq!(counts, vec![1]);
    }

    #[test]
    fn snippets_show_context_on_one_line_and_merge_overlaps() {
        let text = "一行目\nここで思い込みと思い込みに気付いた\n三行目";
        let (found, _) = find(&fold(text), &Query::parse("思い込み 込みと")).unwrap();
        let shown = snippets(text, &found, 3, 5);
        assert_eq!(shown.len(), 2);
        assert_eq!(shown[0].before, "ここで");
        assert_eq!(shown[0].matched, "思い込みと");
        assert_eq!(shown[0].after, "思い込");
        assert_eq!(shown[1].before, "込みと");
        assert_eq!(shown[1].matched, "思い込み");
        assert_eq!(shown[1].after, "に気付");
        assert!(shown.iter().all(|s| !s.before.contains('\n')));
    }

    #[test]
    fn search_returns_the_texts_with_every_term_best_first() {
        let texts = [
            "思い込み",
            "思い込み、思い込み、思い込み",
            "気付き",
            "思い込みと気付き",
        ];
        let found = search(texts, &Query::parse("思い込み"));
        let order: Vec<usize> = found.iter().map(|(index, _)| *index).collect();
        assert_eq!(order[0], 1);
        assert_eq!(order.len(), 3);
        assert!(!order.contains(&2));
        assert_eq!(found[0].1.len(), 3);
    }

    #[test]
    fn rarer_terms_and_more_occurrences_rank_higher() {
        let found = vec![("a", vec![1]), ("b", vec![3]), ("c", vec![2])];
        let ranked: Vec<&str> = rank(&found, 10).into_iter().map(|(k, _)| k).collect();
        assert_eq!(ranked, vec!["b", "c", "a"]);
    }

    proptest! {
        #[test]
        fn every_hit_is_the_term_once_folded(text in "[a-zアイウあいう漢字😊㍻ｱ \n]{0,40}", term in "[aアあ漢ｱ]{1,2}") {
            if let Some((found, _)) = find(&fold(&text), &Query::parse(&term)) {
                for hit in found {
                    let passage = slice(&text, hit.start, hit.end).unwrap();
                    prop_assert_eq!(fold(passage).text, fold(&term).text);
                }
            }
        }

        #[test]
        fn a_term_taken_from_the_text_is_found_there(text in "[あいう漢字ア😊]{1,30}", a in 0usize..30, b in 0usize..30) {
            let length = text.chars().count();
            let (start, end) = (a.min(b) % length, (a.max(b) % length) + 1);
            prop_assume!(start < end);
            let term = slice(&text, start, end).unwrap();
            let (found, _) = find(&fold(&text), &Query::parse(term)).unwrap();
            let wanted = Hit { start, end };
            prop_assert!(found.contains(&wanted), "{:?} not in {:?}", wanted, found);
        }
    }
}
