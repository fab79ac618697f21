//! What a reader can prove about each cell of a published table. Given what is shown of a
//! table — counts, and one symbol for every hidden cell — and the lines it adds up along, this
//! finds, for every cell, the least and the most it can be.
//!
//! A hidden cell can be anything from 0 up, as far as the reader knows (a hidden cell may be
//! small, or hidden to protect another). The bounds are a linear program per hidden cell, solved
//! by `microlp`. A cross-tabulation with its totals is a circulation in a network (grand total →
//! row totals → cells → column totals → grand total), whose constraint matrix is totally
//! unimodular, so the linear program's bounds are whole numbers and equal what integer
//! reasoning proves; tables whose lines only cover their totals are solved as integer programs.

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

/// What the reader knows of one cell before using the lines (`f64::INFINITY`: no upper bound).
fn known_range(shown: Shown) -> (f64, f64) {
    match shown {
        Shown::Count(n) => (n as f64, n as f64),
        Shown::Hidden => (0.0, f64::INFINITY),
    }
}

/// The least or the most cell `target` can hold, by what is shown (`None` above: unbounded).
fn extreme(
    table: &Table,
    shown: &[Shown],
    target: usize,
    direction: OptimizationDirection,
) -> Result<Option<i64>, microlp::Error> {
    let mut problem = Problem::new(direction);
    let variables: Vec<_> = shown
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let objective = if i == target { 1.0 } else { 0.0 };
            let range = known_range(*s);
            if table.covering {
                // Integer bounds are `i32`; counts are far below its range.
                let bound = |x: f64| if x.is_finite() { x as i32 } else { i32::MAX };
                problem.add_integer_var(objective, (bound(range.0), bound(range.1)))
            } else {
                problem.add_var(objective, range)
            }
        })
        .collect();
    for (members, total) in &table.lines {
        let Some(total) = total else { continue };
        let mut expression: Vec<_> = members.iter().map(|&m| (variables[m], 1.0)).collect();
        expression.push((variables[*total], -1.0));
        if table.covering {
            // Each person answers at least once, and no count exceeds the people.
            problem.add_constraint(expression.as_slice(), ComparisonOp::Ge, 0.0);
            for &m in members {
                problem.add_constraint(
                    [(variables[m], 1.0), (variables[*total], -1.0)],
                    ComparisonOp::Le,
                    0.0,
                );
            }
        } else {
            problem.add_constraint(expression.as_slice(), ComparisonOp::Eq, 0.0);
        }
    }
    match problem.solve() {
        // Only a proven optimum is a bound; anything less counts as no answer.
        Ok(outcome) if outcome.is_optimal() => match outcome.solution() {
            // Whole numbers (see above); rounding only removes floating-point noise.
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
pub fn provable(table: &Table, shown: &[Shown]) -> Option<Vec<Interval>> {
    (0..shown.len())
        .map(|i| interval(table, shown, i))
        .collect()
}

/// The interval a reader can prove for one cell; `None` when the solver could not answer.
pub fn interval(table: &Table, shown: &[Shown], cell: usize) -> Option<Interval> {
    Some(match shown[cell].count() {
        Some(n) => Interval::exactly(n),
        None => Interval {
            low: least(table, shown, cell)?,
            high: most(table, shown, cell)?,
        },
    })
}

/// The least a hidden cell can hold; `None` when the solver could not answer.
pub fn least(table: &Table, shown: &[Shown], cell: usize) -> Option<i64> {
    extreme(table, shown, cell, OptimizationDirection::Minimize).ok()?
}

/// The most a hidden cell can hold (`Some(None)`: no bound); `None` when the solver could not
/// answer.
pub fn most(table: &Table, shown: &[Shown], cell: usize) -> Option<Option<i64>> {
    let high = extreme(table, shown, cell, OptimizationDirection::Maximize).ok()?;
    // `i32::MAX` is the integer programs' stand-in for "no bound".
    Some(high.filter(|&h| h < i64::from(i32::MAX)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::questionnaire::suppression::{cross_tab_table, hide_small, protect};
    use proptest::prelude::*;

    /// Hides the cells below `k` and nothing else: the first step, before secondary hiding.
    fn small_hidden(table: &Table, k: i64) -> Vec<Shown> {
        hide_small(&table.cells, k)
    }

    #[test]
    fn the_margins_give_away_what_the_lines_hid() {
        // The case of issue 15: [[0, 5], [5, 4]] with every total shown.
        let table = cross_tab_table(&[vec![0, 5], vec![5, 4]]);
        let bounds = provable(&table, &small_hidden(&table, 5)).unwrap();
        assert_eq!(bounds[0], Interval::exactly(0));
        assert_eq!(bounds[3], Interval::exactly(4));
    }

    #[test]
    fn small_cells_of_a_tally_are_bound_by_what_is_left() {
        // 11 shown of 13: the two hidden cells share 2.
        let table = Table {
            cells: vec![11, 1, 1, 13],
            lines: vec![(vec![0, 1, 2], Some(3))],
            covering: false,
        };
        let bounds = provable(&table, &small_hidden(&table, 5)).unwrap();
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
    fn a_hidden_cell_with_no_total_is_unbounded_above() {
        let table = Table {
            cells: vec![7, 9],
            lines: vec![(vec![0], None)],
            covering: false,
        };
        let bounds = provable(&table, &[Shown::Hidden, Shown::Count(9)]).unwrap();
        assert_eq!(bounds[0], Interval { low: 0, high: None });
    }

    #[test]
    fn covering_lines_bound_each_count_by_the_people() {
        // 13 people ticked 13 and some more: the hidden count is 0 to 13.
        let table = Table {
            cells: vec![13, 1, 13],
            lines: vec![(vec![0, 1], Some(2))],
            covering: true,
        };
        let bounds = provable(&table, &small_hidden(&table, 5)).unwrap();
        assert_eq!(
            bounds[1],
            Interval {
                low: 0,
                high: Some(13)
            }
        );
    }

    /// Every filling of the hidden cells of a cross-tab that agrees with what is shown: the
    /// least and most of each cell, by brute force.
    fn brute_force(counts: &[Vec<i64>], shown: &[Shown]) -> Vec<(i64, i64)> {
        let rows = counts.len();
        let columns = counts[0].len();
        let grand: i64 = counts.iter().flatten().sum();
        let size = rows * columns;
        let mut least = vec![i64::MAX; shown.len()];
        let mut most = vec![i64::MIN; shown.len()];
        let mut filling = vec![0i64; size];
        loop {
            let table = cross_tab_table(
                &(0..rows)
                    .map(|r| filling[r * columns..(r + 1) * columns].to_vec())
                    .collect::<Vec<_>>(),
            );
            let fits = table
                .cells
                .iter()
                .zip(shown)
                .all(|(&n, s)| s.count().is_none_or(|c| c == n));
            if fits {
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
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn the_solver_agrees_with_brute_force_on_small_tables(
            cells in proptest::collection::vec(0i64..5, 4),
            hide in proptest::collection::vec(any::<bool>(), 8),
            k in 2i64..4,
        ) {
            let counts = vec![cells[0..2].to_vec(), cells[2..4].to_vec()];
            let table = cross_tab_table(&counts);
            // What protection chose, or any pattern that keeps the grand total.
            let mut shown = protect(&table, k);
            if hide[7] {
                for (i, hidden) in hide.iter().take(7).enumerate() {
                    shown[i] = if *hidden { Shown::Hidden } else { Shown::Count(table.cells[i]) };
                }
                shown[8] = Shown::Count(table.cells[8]);
            }
            prop_assume!(shown[8].count().is_some());
            let solved = provable(&table, &shown).unwrap();
            let brute = brute_force(&counts, &shown);
            for (i, interval) in solved.iter().enumerate() {
                prop_assert_eq!((interval.low, interval.high), (brute[i].0, Some(brute[i].1)), "cell {} of {:?}", i, shown);
            }
        }
    }
}
