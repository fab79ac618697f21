//! How far two researchers who sorted the same cards independently agree.
//!
//! KJ groups have no fixed names, so the first measure asks of every pair of cards whether both
//! sorters put them together or both kept them apart (the Rand index), with the adjusted Rand
//! index beside it, which is 0 for sortings no better than chance and 1 for identical ones.
//! When both sorted into the same set of codes, Cohen's κ compares the codes card by card.
//! A card given no group is a lone card (一匹狼): a group of its own for the pairs, and the
//! code "" for κ.

use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Where one sorter put each card: card id → group label ("" for a lone card).
pub type Sorting = BTreeMap<i64, String>;

/// The four kinds of pair, counted over every pair of cards.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pairs {
    pub together_in_both: u64,
    pub together_in_first_only: u64,
    pub together_in_second_only: u64,
    pub apart_in_both: u64,
}

impl Pairs {
    pub fn total(&self) -> u64 {
        self.together_in_both
            + self.together_in_first_only
            + self.together_in_second_only
            + self.apart_in_both
    }

    /// The share of pairs on which the two agree (the Rand index); `None` with fewer than two
    /// cards.
    pub fn agreement(&self) -> Option<f64> {
        let total = self.total();
        (total > 0).then(|| (self.together_in_both + self.apart_in_both) as f64 / total as f64)
    }

    /// The adjusted Rand index (Hubert and Arabie): agreement beyond what chance would give with
    /// groups of the same sizes. `None` when it is undefined (both put every card together, or
    /// both kept every card apart).
    pub fn adjusted(&self) -> Option<f64> {
        let total = self.total() as f64;
        let first = (self.together_in_both + self.together_in_first_only) as f64;
        let second = (self.together_in_both + self.together_in_second_only) as f64;
        if total == 0.0 {
            return None;
        }
        let expected = first * second / total;
        let maximum = (first + second) / 2.0;
        (maximum != expected)
            .then(|| (self.together_in_both as f64 - expected) / (maximum - expected))
    }
}

fn pairs_in(count: u64) -> u64 {
    count * count.saturating_sub(1) / 2
}

/// The pairs of cards sorted by both, counted from the cross table of their groups, so that ten
/// thousand cards take no longer than reading them.
pub fn pairs(first: &Sorting, second: &Sorting) -> Pairs {
    let mut cells: HashMap<(&str, &str), u64> = HashMap::new();
    let mut rows: HashMap<&str, u64> = HashMap::new();
    let mut columns: HashMap<&str, u64> = HashMap::new();
    let mut cards = 0u64;
    for (card, a) in first {
        let Some(b) = second.get(card) else {
            continue;
        };
        // A lone card is in a group of one; these keys never meet another card's.
        let alone_a = a.is_empty();
        let alone_b = b.is_empty();
        cards += 1;
        if !alone_a {
            *rows.entry(a).or_default() += 1;
        }
        if !alone_b {
            *columns.entry(b).or_default() += 1;
        }
        if !alone_a && !alone_b {
            *cells.entry((a, b)).or_default() += 1;
        }
    }
    let both: u64 = cells.values().map(|n| pairs_in(*n)).sum();
    let in_first: u64 = rows.values().map(|n| pairs_in(*n)).sum();
    let in_second: u64 = columns.values().map(|n| pairs_in(*n)).sum();
    let total = pairs_in(cards);
    Pairs {
        together_in_both: both,
        together_in_first_only: in_first - both,
        together_in_second_only: in_second - both,
        apart_in_both: total + both - in_first - in_second,
    }
}

pub use crate::kappa::Kappa;

/// Cohen's κ over the cards coded by both; `None` when there are none.
pub fn cohen_kappa(first: &Sorting, second: &Sorting) -> Option<Kappa> {
    let (a, b): (Vec<&str>, Vec<&str>) = first
        .iter()
        .filter_map(|(card, a)| Some((a.as_str(), second.get(card)?.as_str())))
        .unzip();
    crate::kappa::cohen(&a, &b)
}

/// The cross table of the two sortings: for each pair of labels, how many cards both placed so.
/// Rows and columns in order of size, largest first.
pub struct CrossTable {
    pub rows: Vec<String>,
    pub columns: Vec<String>,
    /// `cells[r][c]`.
    pub cells: Vec<Vec<usize>>,
}

pub fn cross_table(first: &Sorting, second: &Sorting) -> CrossTable {
    let mut counts: HashMap<(&str, &str), usize> = HashMap::new();
    let mut rows: HashMap<&str, usize> = HashMap::new();
    let mut columns: HashMap<&str, usize> = HashMap::new();
    for (card, a) in first {
        if let Some(b) = second.get(card) {
            *counts.entry((a, b)).or_default() += 1;
            *rows.entry(a).or_default() += 1;
            *columns.entry(b).or_default() += 1;
        }
    }
    let order = |totals: HashMap<&str, usize>| -> Vec<String> {
        let mut labels: Vec<(&str, usize)> = totals.into_iter().collect();
        labels.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        labels
            .into_iter()
            .map(|(label, _)| label.to_owned())
            .collect()
    };
    let rows = order(rows);
    let columns = order(columns);
    let cells = rows
        .iter()
        .map(|r| {
            columns
                .iter()
                .map(|c| *counts.get(&(r.as_str(), c.as_str())).unwrap_or(&0))
                .collect()
        })
        .collect();
    CrossTable {
        rows,
        columns,
        cells,
    }
}

/// The codes a sorting used, lone cards aside.
pub fn codes(sorting: &Sorting) -> BTreeSet<&str> {
    sorting
        .values()
        .map(String::as_str)
        .filter(|code| !code.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sorting(places: &[(i64, &str)]) -> Sorting {
        places.iter().map(|(c, l)| (*c, (*l).to_owned())).collect()
    }

    /// Every pair looked at one by one, to check the counting by cross table.
    fn pairs_by_hand(first: &Sorting, second: &Sorting) -> Pairs {
        let cards: Vec<i64> = first
            .keys()
            .filter(|c| second.contains_key(c))
            .copied()
            .collect();
        let together = |s: &Sorting, a: i64, b: i64| !s[&a].is_empty() && s[&a] == s[&b];
        let mut pairs = Pairs::default();
        for (i, a) in cards.iter().enumerate() {
            for b in &cards[i + 1..] {
                match (together(first, *a, *b), together(second, *a, *b)) {
                    (true, true) => pairs.together_in_both += 1,
                    (true, false) => pairs.together_in_first_only += 1,
                    (false, true) => pairs.together_in_second_only += 1,
                    (false, false) => pairs.apart_in_both += 1,
                }
            }
        }
        pairs
    }

    #[test]
    fn a_worked_example() {
        let a = sorting(&[
            (1, "気付き"),
            (2, "気付き"),
            (3, "関係"),
            (4, "関係"),
            (5, ""),
        ]);
        let b = sorting(&[
            (1, "自分"),
            (2, "自分"),
            (3, "自分"),
            (4, "他者"),
            (5, "他者"),
        ]);
        let counted = pairs(&a, &b);
        assert_eq!(
            counted,
            Pairs {
                together_in_both: 1,
                together_in_first_only: 1,
                together_in_second_only: 3,
                apart_in_both: 5,
            }
        );
        assert_eq!(counted.agreement(), Some(0.6));
        let adjusted = counted.adjusted().unwrap();
        // expected = 2 × 4 / 10 = 0.8; maximum = 3: (1 − 0.8) / (3 − 0.8).
        assert!((adjusted - 0.2 / 2.2).abs() < 1e-12, "{adjusted}");
    }

    #[test]
    fn kappa_matches_a_textbook_case() {
        // 50 cards: both "a" on 20, both "b" on 15, a/b on 5, b/a on 10.
        let mut a = Sorting::new();
        let mut b = Sorting::new();
        for card in 0..50 {
            let (x, y) = match card {
                0..20 => ("a", "a"),
                20..35 => ("b", "b"),
                35..40 => ("a", "b"),
                _ => ("b", "a"),
            };
            a.insert(card, x.into());
            b.insert(card, y.into());
        }
        let kappa = cohen_kappa(&a, &b).unwrap();
        assert!((kappa.observed - 0.7).abs() < 1e-12);
        // pe = (25×30 + 25×20) / 2500 = 0.5; κ = 0.4.
        assert!((kappa.expected - 0.5).abs() < 1e-12);
        assert!((kappa.kappa.unwrap() - 0.4).abs() < 1e-12);
        let one_code = sorting(&[(1, "a"), (2, "a")]);
        assert_eq!(cohen_kappa(&one_code, &one_code).unwrap().kappa, None);
        assert_eq!(cohen_kappa(&one_code, &Sorting::new()), None);
    }

    #[test]
    fn the_cross_table_puts_the_largest_groups_first() {
        let a = sorting(&[(1, "x"), (2, "y"), (3, "y")]);
        let b = sorting(&[(1, "p"), (2, "p"), (3, "q")]);
        let table = cross_table(&a, &b);
        assert_eq!(table.rows, ["y", "x"]);
        assert_eq!(table.columns, ["p", "q"]);
        assert_eq!(table.cells, vec![vec![1, 1], vec![1, 0]]);
    }

    fn any_sorting() -> impl Strategy<Value = Sorting> {
        proptest::collection::btree_map(0i64..30, prop_oneof!["", "[abcd]"], 0..30)
    }

    proptest! {
        #[test]
        fn counting_by_cross_table_equals_counting_each_pair(a in any_sorting(), b in any_sorting()) {
            prop_assert_eq!(pairs(&a, &b), pairs_by_hand(&a, &b));
        }

        #[test]
        fn a_sorting_agrees_fully_with_itself_under_any_names(a in any_sorting()) {
            let renamed: Sorting = a.iter().map(|(c, l)| (*c, if l.is_empty() { String::new() } else { format!("{l}!") })).collect();
            let counted = pairs(&a, &renamed);
            prop_assert_eq!(counted.together_in_first_only + counted.together_in_second_only, 0);
            if let Some(adjusted) = counted.adjusted() {
                prop_assert!((adjusted - 1.0).abs() < 1e-9);
            }
            if let Some(kappa) = cohen_kappa(&a, &a).and_then(|k| k.kappa) {
                prop_assert!((kappa - 1.0).abs() < 1e-9);
            }
        }

        #[test]
        fn agreement_is_symmetric(a in any_sorting(), b in any_sorting()) {
            prop_assert_eq!(pairs(&a, &b).agreement(), pairs(&b, &a).agreement());
            let (ab, ba) = (cohen_kappa(&a, &b), cohen_kappa(&b, &a));
            prop_assert_eq!(ab.map(|k| k.kappa.map(|v| (v * 1e9).round())), ba.map(|k| k.kappa.map(|v| (v * 1e9).round())));
        }
    }
}
