//! Cohen's κ: how far two coders agree beyond what chance would give, for any kind of label.
//! Shared by the questionnaire coders' check and the KJ intercoder check.

use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq)]
pub struct Kappa {
    /// Items both coded.
    pub items: usize,
    /// The share of items given the same label.
    pub observed: f64,
    /// The share chance alone would give, from each coder's use of each label.
    pub expected: f64,
    /// `None` when chance agreement is certain (both used one and the same label throughout).
    pub kappa: Option<f64>,
}

/// κ for two equally long lists of labels (a longer list is cut to the shorter); `None` when
/// there are no items.
pub fn cohen<T: Ord>(first: &[T], second: &[T]) -> Option<Kappa> {
    let n = first.len().min(second.len());
    if n == 0 {
        return None;
    }
    let mut uses: BTreeMap<&T, (usize, usize)> = BTreeMap::new();
    let mut same = 0;
    for (a, b) in first.iter().zip(second).take(n) {
        same += usize::from(a == b);
        uses.entry(a).or_default().0 += 1;
        uses.entry(b).or_default().1 += 1;
    }
    let items = n as f64;
    let observed = same as f64 / items;
    let expected = uses
        .values()
        .map(|(a, b)| (*a as f64 / items) * (*b as f64 / items))
        .sum::<f64>();
    Some(Kappa {
        items: n,
        observed,
        expected,
        kappa: ((1.0 - expected).abs() >= f64::EPSILON)
            .then(|| (observed - expected) / (1.0 - expected)),
    })
}
