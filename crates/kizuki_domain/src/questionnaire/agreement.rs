//! Agreement between two coders of the same answers: the share of answers given exactly the same
//! categories, and Cohen's κ. When both coders gave every answer exactly one category, κ is the
//! usual nominal κ over the categories; when answers may carry several, it is pooled over the
//! yes/no decisions "this answer belongs to this category". κ per category is always given.

use std::collections::BTreeSet;

/// What one coder decided for one answer: the categories (by id) they gave it.
pub type Codes = BTreeSet<i64>;

#[derive(Clone, Debug, PartialEq)]
pub struct Agreement {
    /// Answers both coders coded.
    pub compared: usize,
    /// Of those, answers given exactly the same categories.
    pub agreed: usize,
    pub percent: Option<f64>,
    pub kappa: Option<f64>,
    /// True when κ is the nominal κ (one category per answer from both coders).
    pub nominal: bool,
    pub per_category: Vec<(i64, Option<f64>)>,
    /// Indexes (into the pairs) of the answers the coders disagree on.
    pub disagreements: Vec<usize>,
}

/// Compares two coders. `pairs[i]` holds what each gave answer `i`; answers either coder left
/// uncoded are not compared.
pub fn compare(pairs: &[(Codes, Codes)], categories: &[i64]) -> Agreement {
    let both: Vec<(usize, &Codes, &Codes)> = pairs
        .iter()
        .enumerate()
        .filter(|(_, (a, b))| !a.is_empty() && !b.is_empty())
        .map(|(i, (a, b))| (i, a, b))
        .collect();
    let compared = both.len();
    let disagreements: Vec<usize> = both
        .iter()
        .filter(|(_, a, b)| a != b)
        .map(|(i, _, _)| *i)
        .collect();
    let agreed = compared - disagreements.len();
    let nominal = both.iter().all(|(_, a, b)| a.len() == 1 && b.len() == 1);
    let kappa = if compared == 0 {
        None
    } else if nominal {
        let first: Vec<i64> = both
            .iter()
            .filter_map(|(_, a, _)| a.first().copied())
            .collect();
        let second: Vec<i64> = both
            .iter()
            .filter_map(|(_, _, b)| b.first().copied())
            .collect();
        nominal_kappa(&first, &second)
    } else {
        let mut first = Vec::new();
        let mut second = Vec::new();
        for category in categories {
            for (_, a, b) in &both {
                first.push(i64::from(a.contains(category)));
                second.push(i64::from(b.contains(category)));
            }
        }
        nominal_kappa(&first, &second)
    };
    let per_category = categories
        .iter()
        .map(|category| {
            let first: Vec<i64> = both
                .iter()
                .map(|(_, a, _)| i64::from(a.contains(category)))
                .collect();
            let second: Vec<i64> = both
                .iter()
                .map(|(_, _, b)| i64::from(b.contains(category)))
                .collect();
            (*category, nominal_kappa(&first, &second))
        })
        .collect();
    Agreement {
        compared,
        agreed,
        percent: (compared > 0).then(|| 100.0 * agreed as f64 / compared as f64),
        kappa,
        nominal,
        per_category,
        disagreements,
    }
}

/// Cohen's κ for two equally long lists of labels; `None` when it is undefined (no items, or
/// both coders used one and the same label throughout, so chance agreement is certain).
pub fn nominal_kappa(first: &[i64], second: &[i64]) -> Option<f64> {
    crate::kappa::cohen(first, second)?.kappa
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn one(c: i64) -> Codes {
        BTreeSet::from([c])
    }

    #[test]
    fn kappa_matches_a_worked_example() {
        // Two raters, 50 items, yes/no: 20 yes-yes, 5 yes-no, 10 no-yes, 15 no-no.
        // p_o = 0.7, p_e = 0.5·0.6 + 0.5·0.4 = 0.5, κ = 0.4.
        let mut a = vec![1; 25];
        a.extend(vec![0; 25]);
        let mut b = vec![1; 20];
        b.extend(vec![0; 5]);
        b.extend(vec![1; 10]);
        b.extend(vec![0; 15]);
        let kappa = nominal_kappa(&a, &b).unwrap();
        assert!((kappa - 0.4).abs() < 1e-9, "{kappa}");
    }

    #[test]
    fn the_seed_coding_with_one_disagreement() {
        // 11 want to (1), 1 do not know (2), 1 not yet (3); the second coder read the
        // "not yet" answer as "do not know".
        let mut pairs: Vec<(Codes, Codes)> = (0..11).map(|_| (one(1), one(1))).collect();
        pairs.push((one(2), one(2)));
        pairs.push((one(3), one(2)));
        let agreement = compare(&pairs, &[1, 2, 3]);
        assert_eq!((agreement.compared, agreement.agreed), (13, 12));
        assert!(agreement.nominal);
        assert_eq!(agreement.disagreements, [12]);
        assert!((agreement.percent.unwrap() - 92.307_692).abs() < 1e-4);
        // p_o = 12/13; p_e = (11·11 + 1·2 + 1·0) / 169 = 123/169; κ = (156−123)/(169−123).
        let expected = (156.0 - 123.0) / (169.0 - 123.0);
        assert!((agreement.kappa.unwrap() - expected).abs() < 1e-9);
    }

    #[test]
    fn several_categories_per_answer_pool_the_decisions() {
        let pairs = vec![
            (BTreeSet::from([1, 2]), BTreeSet::from([1, 2])),
            (BTreeSet::from([1]), BTreeSet::from([1, 2])),
            (one(2), one(2)),
            (BTreeSet::new(), one(1)),
        ];
        let agreement = compare(&pairs, &[1, 2]);
        assert!(!agreement.nominal);
        assert_eq!((agreement.compared, agreement.agreed), (3, 2));
        assert_eq!(agreement.disagreements, [1]);
        // Worked by hand. The fourth answer is left out (the first coder did not code it).
        // Pooled decisions, category 1 then 2, over the three answers both coded:
        //   first  [1, 1, 0,  1, 0, 1]   (four yes, two no)
        //   second [1, 1, 0,  1, 1, 1]   (five yes, one no)
        // p_o = 5/6; p_e = (4/6)(5/6) + (2/6)(1/6) = 22/36; κ = (30/36 − 22/36)/(14/36) = 4/7.
        let kappa = agreement.kappa.unwrap();
        assert!((kappa - 4.0 / 7.0).abs() < 1e-9, "{kappa}");
        // Category 1 alone: the same decisions, κ = 1. Category 2 alone: first [1, 0, 1],
        // second [1, 1, 1]; p_o = 2/3 = p_e, so κ = 0.
        assert_eq!(agreement.per_category.len(), 2);
        assert_eq!(agreement.per_category[0].0, 1);
        assert!((agreement.per_category[0].1.unwrap() - 1.0).abs() < 1e-9);
        assert_eq!(agreement.per_category[1].0, 2);
        assert!(agreement.per_category[1].1.unwrap().abs() < 1e-9);
    }

    #[test]
    fn kappa_is_undefined_without_variation() {
        assert_eq!(nominal_kappa(&[1, 1], &[1, 1]), None);
        assert_eq!(nominal_kappa(&[], &[]), None);
        assert_eq!(compare(&[], &[1]).kappa, None);
    }

    proptest! {
        #[test]
        fn kappa_is_at_most_one_and_one_for_identical_codings(
            labels in proptest::collection::vec(0i64..4, 1..40),
            other in proptest::collection::vec(0i64..4, 1..40),
        ) {
            if let Some(kappa) = nominal_kappa(&labels, &labels) {
                prop_assert!((kappa - 1.0).abs() < 1e-9);
            }
            if let Some(kappa) = nominal_kappa(&labels, &other) {
                prop_assert!((-1.0 - 1e-9..=1.0 + 1e-9).contains(&kappa));
            }
        }
    }
}
