//! What a reader can prove about each cell of a published table. Suppression decides what to
//! hide line by line; a reader works with every line at once. Given what is shown of a table —
//! counts, "< k" for small cells, "*" for cells withheld — and the lines it adds up along, this
//! finds, for every cell, the least and the most it can be: an integer program, solved by
//! `microlp` (branch and bound over a handful of variables).
//!
//! The reader is assumed to know the rule: a cell shown "< k" holds 0 to k − 1, and a cell
//! withheld holds at least k (only counts that could have been shown are withheld).

use microlp::{ComparisonOp, OptimizationDirection, Problem};

use super::suppression::{Shown, Table};

/// The values a cell can take, as far as anyone can prove: `low..=high`, or `low..` when
/// nothing shown bounds it above.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Interval {
    pub low: i64,
    pub high: Option<i64>,
}

impl Interval {
    fn exactly(n: i64) -> Interval {
        Interval {
            low: n,
            high: Some(n),
        }
    }

    /// How many values it leaves open, less one (0: the value is known).
    pub fn width(self) -> Option<i64> {
        self.high.map(|high| high - self.low)
    }
}

/// What the reader knows of one cell before using the lines, as microlp's integer bounds
/// (`i32`; counts are far below its range, and `i32::MAX` stands for "no upper bound").
fn known_range(shown: Shown, k: i64) -> (i32, i32) {
    let count = |n: i64| i32::try_from(n.max(0)).unwrap_or(i32::MAX);
    match shown {
        Shown::Count(n) => (count(n), count(n)),
        Shown::Small => (0, count(k - 1)),
        Shown::Withheld => (count(k), i32::MAX),
    }
}

/// The least or the most cell `target` can hold, by what is shown (`None` above: unbounded).
fn extreme(
    table: &Table,
    shown: &[Shown],
    k: i64,
    target: usize,
    direction: OptimizationDirection,
) -> Result<Option<i64>, microlp::Error> {
    let mut problem = Problem::new(direction);
    let variables: Vec<_> = shown
        .iter()
        .enumerate()
        .map(|(i, s)| {
            problem.add_integer_var(if i == target { 1.0 } else { 0.0 }, known_range(*s, k))
        })
        .collect();
    for (members, total) in &table.lines {
        let Some(total) = total else { continue };
        let mut expression: Vec<_> = members.iter().map(|&m| (variables[m], 1.0)).collect();
        expression.push((variables[*total], -1.0));
        problem.add_constraint(expression.as_slice(), ComparisonOp::Eq, 0.0);
    }
    match problem.solve() {
        // Only a proven optimum is a bound; anything less counts as no answer.
        Ok(outcome) if outcome.is_optimal() => match outcome.solution() {
            Some(solution) => Ok(Some(solution.objective().round() as i64)),
            None => Err(microlp::Error::InternalError("no solution".to_owned())),
        },
        Ok(_) => Err(microlp::Error::InternalError(
            "not proven optimal".to_owned(),
        )),
        Err(microlp::Error::Unbounded) => Ok(None),
        Err(error) => Err(error),
    }
}

/// For every cell of `table` (as `shown`), the interval a reader can prove for it. `None` when
/// the solver could not answer: the caller must then treat the table as unsafe.
pub fn provable(table: &Table, shown: &[Shown], k: i64) -> Option<Vec<Interval>> {
    shown
        .iter()
        .enumerate()
        .map(|(i, s)| match s.count() {
            Some(n) => Some(Interval::exactly(n)),
            None => {
                let low = extreme(table, shown, k, i, OptimizationDirection::Minimize).ok()??;
                let high = extreme(table, shown, k, i, OptimizationDirection::Maximize).ok()?;
                // `i32::MAX` is microlp's stand-in for "no bound".
                let high = high.filter(|&h| h < i64::from(i32::MAX));
                Some(Interval { low, high })
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::questionnaire::suppression::{cross_tab_table, suppress};
    use proptest::prelude::*;

    #[test]
    fn the_margins_give_away_what_the_lines_hid() {
        // The case of issue 15: shown [[<5, *], [*, <5]] with rows 5 and 9, columns 5 and 9.
        let counts = [vec![0, 5], vec![5, 4]];
        let table = cross_tab_table(&counts);
        let shown = suppress(&table, 5);
        let bounds = provable(&table, &shown, 5).unwrap();
        assert_eq!(bounds[0], Interval::exactly(0), "{shown:?}");
        assert_eq!(bounds[3], Interval::exactly(4));
    }

    #[test]
    fn small_cells_of_a_tally_are_bound_by_what_is_left() {
        // 11 shown of 13: the two small cells share 2.
        let table = Table {
            cells: vec![11, 1, 1, 13],
            lines: vec![(vec![0, 1, 2], Some(3))],
        };
        let shown = [
            Shown::Count(11),
            Shown::Small,
            Shown::Small,
            Shown::Count(13),
        ];
        let bounds = provable(&table, &shown, 5).unwrap();
        assert_eq!(
            bounds[1],
            Interval {
                low: 0,
                high: Some(2)
            }
        );
        assert_eq!(bounds[2].width(), Some(2));
    }

    #[test]
    fn a_withheld_cell_with_no_total_is_unbounded_above() {
        let table = Table {
            cells: vec![7, 9],
            lines: vec![(vec![0], None)],
        };
        let shown = [Shown::Withheld, Shown::Count(9)];
        let bounds = provable(&table, &shown, 5).unwrap();
        assert_eq!(bounds[0], Interval { low: 5, high: None });
    }

    /// Every filling of the hidden cells of a cross-tab that agrees with what is shown: the
    /// least and most of each cell, by brute force.
    fn brute_force(counts: &[Vec<i64>], shown: &[Shown], k: i64) -> Vec<(i64, i64)> {
        let rows = counts.len();
        let columns = counts[0].len();
        let grand: i64 = counts.iter().flatten().sum();
        let size = rows * columns;
        let mut least = vec![i64::MAX; shown.len()];
        let mut most = vec![i64::MIN; shown.len()];
        let mut filling = vec![0i64; size];
        let fits = |i: usize, n: i64| match shown[i] {
            Shown::Count(c) => n == c,
            Shown::Small => n < k,
            Shown::Withheld => n >= k,
        };
        loop {
            let table = cross_tab_table(
                &(0..rows)
                    .map(|r| filling[r * columns..(r + 1) * columns].to_vec())
                    .collect::<Vec<_>>(),
            );
            if table.cells.iter().enumerate().all(|(i, &n)| fits(i, n)) {
                for (i, &n) in table.cells.iter().enumerate() {
                    least[i] = least[i].min(n);
                    most[i] = most[i].max(n);
                }
            }
            // The next filling, each cell 0..=grand (the shown grand total bounds them all).
            let mut i = 0;
            loop {
                if i == size {
                    return least.into_iter().zip(most).collect();
                }
                filling[i] += 1;
                if filling[i] <= grand {
                    break;
                }
                filling[i] = 0;
                i += 1;
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn the_solver_agrees_with_brute_force_on_small_tables(
            cells in proptest::collection::vec(0i64..5, 4),
            k in 2i64..4,
        ) {
            let counts = vec![cells[0..2].to_vec(), cells[2..4].to_vec()];
            let table = cross_tab_table(&counts);
            let shown = suppress(&table, k);
            prop_assume!(shown.last().and_then(|s| s.count()).is_some());
            let solved = provable(&table, &shown, k).unwrap();
            let brute = brute_force(&counts, &shown, k);
            for (i, interval) in solved.iter().enumerate() {
                prop_assert_eq!((interval.low, interval.high), (brute[i].0, Some(brute[i].1)), "cell {} of {:?}", i, shown);
            }
        }
    }
}
