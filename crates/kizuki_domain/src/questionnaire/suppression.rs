//! Small-cell suppression. A count below `k` could point at a person ("the one who did not want
//! to come back"), so it is hidden; and since a hidden cell could be worked out by subtracting
//! the shown cells from a shown total, more cells are hidden until it cannot.
//!
//! The rule, for every line (a set of cells whose sum is a shown total):
//! 1. every cell below `k` is hidden (zero too: showing the zeros would narrow the others);
//! 2. if the hidden cells of a line could be told from the total, the smallest shown cell of
//!    that line is hidden as well, and the lines are checked again until nothing changes.
//!
//! "Could be told" means: a single hidden cell, or several small hidden cells that must all be
//! `k − 1` (the most a small cell can hold) to make up the difference.

/// A table of counts with its lines: each line is a list of cell indexes and the index of the
/// cell that holds their total (or `None` when the line has no shown total).
#[derive(Clone, Debug)]
pub struct Table {
    pub cells: Vec<i64>,
    pub lines: Vec<(Vec<usize>, Option<usize>)>,
}

/// One cell as it may be shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    Count(i64),
    /// Hidden because it is below `k`.
    Small,
    /// Hidden so that a small cell cannot be worked out from the others.
    Withheld,
}

impl Shown {
    pub fn count(self) -> Option<i64> {
        match self {
            Shown::Count(n) => Some(n),
            _ => None,
        }
    }
}

/// A list of counts with their total (a tally of one question): the total is shown when it is
/// at least `k`.
pub fn tally(counts: &[i64], total: i64, k: i64) -> (Vec<Shown>, Shown) {
    let mut cells = counts.to_vec();
    cells.push(total);
    let n = counts.len();
    let table = Table {
        cells,
        lines: vec![((0..n).collect(), Some(n))],
    };
    let mut shown = suppress(&table, k);
    let total = shown.pop().unwrap_or(Shown::Withheld);
    (shown, total)
}

/// A cross-tabulation: `counts[row][column]`, with row totals, column totals and the grand
/// total. Answers: the cells, the row totals, the column totals and the grand total as shown.
pub fn cross_tab(counts: &[Vec<i64>], k: i64) -> CrossTab {
    let at = CrossTabLayout::of(counts);
    let shown = suppress(&cross_tab_table(counts), k);
    CrossTab {
        cells: (0..at.rows)
            .map(|r| (0..at.columns).map(|c| shown[at.cell(r, c)]).collect())
            .collect(),
        row_totals: (0..at.rows).map(|r| shown[at.row_total(r)]).collect(),
        column_totals: (0..at.columns).map(|c| shown[at.column_total(c)]).collect(),
        total: shown[at.grand()],
    }
}

/// Where each count of a cross-tabulation sits in its [`Table`]: the cells row by row, then
/// the row totals, the column totals and the grand total.
struct CrossTabLayout {
    rows: usize,
    columns: usize,
}

impl CrossTabLayout {
    fn of(counts: &[Vec<i64>]) -> CrossTabLayout {
        CrossTabLayout {
            rows: counts.len(),
            columns: counts.first().map_or(0, Vec::len),
        }
    }

    fn cell(&self, r: usize, c: usize) -> usize {
        r * self.columns + c
    }

    fn row_total(&self, r: usize) -> usize {
        self.rows * self.columns + r
    }

    fn column_total(&self, c: usize) -> usize {
        self.rows * self.columns + self.rows + c
    }

    fn grand(&self) -> usize {
        self.rows * self.columns + self.rows + self.columns
    }
}

/// A cross-tabulation as a [`Table`]: its cells row by row, then the row totals, the column
/// totals and the grand total, with a line for each row, each column and each set of totals.
pub fn cross_tab_table(counts: &[Vec<i64>]) -> Table {
    let at = CrossTabLayout::of(counts);
    let (rows, columns) = (at.rows, at.columns);
    let mut cells: Vec<i64> = counts.iter().flatten().copied().collect();
    cells.extend(counts.iter().map(|row| row.iter().sum::<i64>()));
    cells.extend((0..columns).map(|c| counts.iter().map(|row| row[c]).sum::<i64>()));
    cells.push(counts.iter().flatten().sum());
    let mut lines = Vec::new();
    for r in 0..rows {
        lines.push((
            (0..columns).map(|c| at.cell(r, c)).collect(),
            Some(at.row_total(r)),
        ));
    }
    for c in 0..columns {
        lines.push((
            (0..rows).map(|r| at.cell(r, c)).collect(),
            Some(at.column_total(c)),
        ));
    }
    lines.push((
        (0..rows).map(|r| at.row_total(r)).collect(),
        Some(at.grand()),
    ));
    lines.push((
        (0..columns).map(|c| at.column_total(c)).collect(),
        Some(at.grand()),
    ));
    Table { cells, lines }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrossTab {
    pub cells: Vec<Vec<Shown>>,
    pub row_totals: Vec<Shown>,
    pub column_totals: Vec<Shown>,
    pub total: Shown,
}

/// Applies the rule to any table.
pub fn suppress(table: &Table, k: i64) -> Vec<Shown> {
    let mut shown: Vec<Shown> = table
        .cells
        .iter()
        .map(|&n| if n < k { Shown::Small } else { Shown::Count(n) })
        .collect();
    loop {
        let mut changed = false;
        for (members, total_index) in &table.lines {
            let Some(total) = total_index.and_then(|t| shown[t].count()) else {
                continue;
            };
            if !could_be_told(members, total, &shown, k) {
                continue;
            }
            let smallest = members
                .iter()
                .filter(|&&i| shown[i].count().is_some())
                .min_by_key(|&&i| table.cells[i]);
            // With no shown cell left to hide, the total itself goes.
            let i = smallest.copied().or(*total_index);
            if let Some(i) = i {
                shown[i] = Shown::Withheld;
                changed = true;
            }
        }
        if !changed {
            return shown;
        }
    }
}

fn could_be_told(members: &[usize], total: i64, shown: &[Shown], k: i64) -> bool {
    let hidden: Vec<Shown> = members
        .iter()
        .map(|&i| shown[i])
        .filter(|s| s.count().is_none())
        .collect();
    let rest: i64 = members.iter().filter_map(|&i| shown[i].count()).sum();
    let left = total - rest;
    if hidden.is_empty() || left == 0 {
        // Nothing hidden, or every hidden cell is zero: nobody can be singled out.
        return false;
    }
    hidden.len() == 1
        || (hidden.iter().all(|s| *s == Shown::Small) && left == hidden.len() as i64 * (k - 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_seed_table_hides_its_two_small_cells() {
        // 11 want to, 1 do not know, 1 not yet: the two ones are hidden, and together they
        // could be (0, 2), (1, 1) or (2, 0).
        let (cells, total) = tally(&[11, 1, 1], 13, 5);
        assert_eq!(cells, [Shown::Count(11), Shown::Small, Shown::Small]);
        assert_eq!(total, Shown::Count(13));
        let (cells, _) = tally(&[11, 1, 1], 13, 1);
        assert_eq!(cells, [Shown::Count(11), Shown::Count(1), Shown::Count(1)]);
    }

    #[test]
    fn one_small_cell_takes_another_with_it() {
        let (cells, total) = tally(&[12, 1], 13, 5);
        assert_eq!(cells, [Shown::Withheld, Shown::Small]);
        assert_eq!(total, Shown::Count(13));
        let (cells, _) = tally(&[8, 6, 2], 16, 5);
        assert_eq!(cells, [Shown::Count(8), Shown::Withheld, Shown::Small]);
    }

    #[test]
    fn small_cells_at_their_most_are_protected() {
        // 4 + 4 = 8 could only be four and four.
        let (cells, _) = tally(&[10, 4, 4], 18, 5);
        assert_eq!(cells, [Shown::Withheld, Shown::Small, Shown::Small]);
    }

    #[test]
    fn a_total_below_k_is_hidden_with_everything() {
        let (cells, total) = tally(&[3, 1], 4, 5);
        assert_eq!(total, Shown::Small);
        assert!(cells.iter().all(|c| c.count().is_none()));
    }

    #[test]
    fn cross_tabs_protect_rows_and_columns() {
        let table = cross_tab(&[vec![10, 1], vec![9, 6]], 5);
        assert_eq!(table.total, Shown::Count(26));
        assert_eq!(table.cells[0][1], Shown::Small);
        // Row 0 and column 1 each lost a second cell.
        assert!(table.cells[0][0].count().is_none() || table.row_totals[0].count().is_none());
        assert!(table.cells[1][1].count().is_none() || table.column_totals[1].count().is_none());
    }

    /// One line of a table: its cells (true value, as shown), its total and the total as shown.
    type Line = (Vec<(i64, Shown)>, i64, Shown);

    /// Every way to fill the hidden cells of one line that agrees with what is shown.
    fn fillings(cells: &[i64], shown: &[Shown], total: i64, k: i64) -> Vec<Vec<i64>> {
        let mut out = vec![vec![]];
        for (i, s) in shown.iter().enumerate() {
            let range: Vec<i64> = match s {
                Shown::Count(n) => vec![*n],
                Shown::Small => (0..k).collect(),
                Shown::Withheld => (k..=total).collect(),
            };
            let _ = cells[i];
            out = out
                .into_iter()
                .flat_map(|prefix| {
                    range.iter().map(move |v| {
                        let mut next = prefix.clone();
                        next.push(*v);
                        next
                    })
                })
                .filter(|p| p.iter().sum::<i64>() <= total)
                .collect();
        }
        out.into_iter()
            .filter(|p| p.iter().sum::<i64>() == total)
            .collect()
    }

    proptest! {
        #[test]
        fn no_small_cell_can_be_worked_out(
            cells in proptest::collection::vec(0i64..14, 1..5),
            k in 2i64..6,
        ) {
            let total: i64 = cells.iter().sum();
            let (shown, shown_total) = tally(&cells, total, k);
            for (cell, s) in cells.iter().zip(&shown) {
                if *cell < k {
                    prop_assert!(s.count().is_none());
                }
            }
            if shown_total.count().is_some() {
                let possible = fillings(&cells, &shown, total, k);
                prop_assert!(possible.contains(&cells));
                for (i, &value) in cells.iter().enumerate() {
                    if shown[i] == Shown::Small && value > 0 {
                        prop_assert!(
                            possible.iter().any(|p| p[i] != value),
                            "cell {} of {:?} can be worked out from {:?}", i, cells, shown
                        );
                    }
                }
            }
        }

        #[test]
        fn no_small_cell_of_a_cross_tab_can_be_worked_out_from_any_line(
            counts in proptest::collection::vec(proptest::collection::vec(0i64..12, 2..4), 2..4),
            k in 3i64..6,
        ) {
            let columns = counts[0].len();
            let counts: Vec<Vec<i64>> = counts.into_iter().map(|mut r| { r.resize(columns, 0); r }).collect();
            let rows = counts.len();
            let table = cross_tab(&counts, k);
            let row_totals: Vec<i64> = counts.iter().map(|row| row.iter().sum()).collect();
            let column_totals: Vec<i64> = (0..columns).map(|c| counts.iter().map(|row| row[c]).sum()).collect();
            let grand: i64 = row_totals.iter().sum();
            // Every line of the table: each row, each column, the row totals and the column
            // totals (the last two against the grand total).
            let mut lines: Vec<Line> = Vec::new();
            for r in 0..rows {
                lines.push(((0..columns).map(|c| (counts[r][c], table.cells[r][c])).collect(), row_totals[r], table.row_totals[r]));
            }
            for c in 0..columns {
                lines.push(((0..rows).map(|r| (counts[r][c], table.cells[r][c])).collect(), column_totals[c], table.column_totals[c]));
            }
            lines.push((row_totals.iter().copied().zip(table.row_totals.iter().copied()).collect(), grand, table.total));
            lines.push((column_totals.iter().copied().zip(table.column_totals.iter().copied()).collect(), grand, table.total));
            for (line, total, shown_total) in &lines {
                for (value, shown) in line {
                    if *value < k {
                        prop_assert!(shown.count().is_none(), "{} shown in {:?}", value, line);
                    }
                }
                if shown_total.count().is_none() {
                    continue;
                }
                let values: Vec<i64> = line.iter().map(|(v, _)| *v).collect();
                let shown: Vec<Shown> = line.iter().map(|(_, s)| *s).collect();
                let possible = fillings(&values, &shown, *total, k);
                prop_assert!(possible.contains(&values));
                for (i, (value, s)) in line.iter().enumerate() {
                    if *s == Shown::Small && *value > 0 {
                        prop_assert!(
                            possible.iter().any(|p| p[i] != *value),
                            "in {:?} of {:?} (k = {}), cell {} can be worked out", line, counts, k, i
                        );
                    }
                }
            }
        }
    }
}
