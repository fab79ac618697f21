//! Small-cell protection, the way statistical offices do it. A count below `k` could point at a
//! person ("the one who did not want to come back"), so it is hidden; and since a reader works
//! with everything a table shows at once — the cells, the row and column totals, the grand
//! total — more cells are hidden until, for every small cell, the least and the most a reader
//! can prove it holds (`disclosure::provable`) leave it open. [`protect`] is the one function
//! every view and export goes through.
//!
//! The protection: for a cell below `k`, the reader must be unable to prove that anyone is in it
//! (the least it can hold is 0) and unable to prove that no one is (the most is at least 1). So
//! no count below `k` can be read, and no group can be shown to be small and occupied.
//!
//! Hidden cells have one symbol: were cells "hidden because small" told apart from "hidden to
//! protect another", the second kind would be known to hold at least `k`, and some tables could
//! not be protected at all (ARCHITECTURE.md, "Small cells").
//!
//! Secondary suppression hides as little as it can: while a small cell is exposed, the smallest
//! shown count on a line through an exposed cell is hidden (or, when no line reaches one, the
//! smallest shown count anywhere), and the table is read again. Hiding everything but the grand
//! total always protects, so the loop ends.

use super::disclosure;

/// A table of counts with its lines: each line is a list of cell indexes and the index of the
/// cell that holds their total (or `None` when the line has no shown total). With `covering`,
/// the cells of a line together hold *at least* its total (several answers per person: a
/// multiple-choice question); otherwise exactly.
#[derive(Clone, Debug)]
pub struct Table {
    pub cells: Vec<i64>,
    pub lines: Vec<(Vec<usize>, Option<usize>)>,
    pub covering: bool,
}

/// One cell as it may be shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    Count(i64),
    /// Hidden: below `k`, or hidden so that a small cell cannot be worked out. The two look the
    /// same on purpose.
    Hidden,
}

impl Shown {
    pub fn count(self) -> Option<i64> {
        match self {
            Shown::Count(n) => Some(n),
            Shown::Hidden => None,
        }
    }
}

/// Whether a cell whose true value is `value` is safe with the interval a reader can prove.
fn is_protected(value: i64, proven: disclosure::Interval, k: i64) -> bool {
    value >= k || (proven.low <= 0 && proven.high.is_none_or(|high| high >= 1))
}

/// Whether small cell `cell` is exposed by what is shown (`None`: the solver could not answer).
/// The least it can hold is read first: most exposed cells are told by it alone.
fn is_exposed(table: &Table, shown: &[Shown], cell: usize, k: i64) -> Option<bool> {
    if shown[cell].count().is_some() {
        return Some(true);
    }
    let low = disclosure::least(table, shown, cell)?;
    if low > 0 {
        return Some(true);
    }
    let high = disclosure::most(table, shown, cell)?;
    Some(!is_protected(
        table.cells[cell],
        disclosure::Interval { low, high },
        k,
    ))
}

/// The first step alone: every count below `k` hidden, every other shown.
pub fn hide_small(cells: &[i64], k: i64) -> Vec<Shown> {
    cells
        .iter()
        .map(|&n| {
            if n < k {
                Shown::Hidden
            } else {
                Shown::Count(n)
            }
        })
        .collect()
}

/// What to show of `table` so that no count below `k` can be read or worked out from it.
pub fn protect(table: &Table, k: i64) -> Vec<Shown> {
    if k <= 1 {
        // Nothing is small: every count is shown.
        return table.cells.iter().map(|&n| Shown::Count(n)).collect();
    }
    let small: Vec<usize> = (0..table.cells.len())
        .filter(|&i| table.cells[i] < k)
        .collect();
    let mut shown = hide_small(&table.cells, k);
    // A total is hidden last: it says the most to readers and protects least.
    let is_total = |i: usize| table.lines.iter().any(|(_, total)| *total == Some(i));
    loop {
        let mut exposed = Vec::new();
        for &i in &small {
            match is_exposed(table, &shown, i, k) {
                Some(true) => exposed.push(i),
                Some(false) => {}
                // The solver could not answer: show nothing rather than guess.
                None => return vec![Shown::Hidden; shown.len()],
            }
        }
        if exposed.is_empty() {
            return shown;
        }
        let near: Vec<usize> = table
            .lines
            .iter()
            .filter(|(members, total)| {
                exposed
                    .iter()
                    .any(|e| members.contains(e) || *total == Some(*e))
            })
            .flat_map(|(members, total)| members.iter().copied().chain(*total))
            .filter(|&i| shown[i].count().is_some())
            .collect();
        let pool: Vec<usize> = if near.is_empty() {
            (0..shown.len())
                .filter(|&i| shown[i].count().is_some())
                .collect()
        } else {
            near
        };
        match pool
            .into_iter()
            .min_by_key(|&i| (is_total(i), table.cells[i], i))
        {
            Some(i) => shown[i] = Shown::Hidden,
            None => return vec![Shown::Hidden; shown.len()],
        }
    }
}

/// A list of counts with their total (a tally of one question): the total is shown when it is
/// at least `k`. Counts that add up to more than the total come from questions with several
/// answers per person; the reader then knows only that they cover it.
pub fn tally(counts: &[i64], total: i64, k: i64) -> (Vec<Shown>, Shown) {
    let mut cells = counts.to_vec();
    cells.push(total);
    let n = counts.len();
    let table = Table {
        cells,
        lines: vec![((0..n).collect(), Some(n))],
        covering: counts.iter().sum::<i64>() != total,
    };
    let mut shown = protect(&table, k);
    let total = shown.pop().unwrap_or(Shown::Hidden);
    (shown, total)
}

/// Counts with no total shown beside them (each stands alone): those below `k` are hidden.
pub fn standalone(counts: &[i64], k: i64) -> Vec<Shown> {
    protect(
        &Table {
            cells: counts.to_vec(),
            lines: Vec::new(),
            covering: false,
        },
        k,
    )
}

/// A cross-tabulation: `counts[row][column]`, with row totals, column totals and the grand
/// total. Answers: the cells, the row totals, the column totals and the grand total as shown.
///
/// The table is protected with its rows and columns in a canonical order (sorted by their
/// counts), so that tables which differ only in the order of their rows or columns are hidden
/// alike: the exhaustive tests check one table of each such family.
pub fn cross_tab(counts: &[Vec<i64>], k: i64) -> CrossTab {
    let (row_order, column_order) = canonical_order(counts);
    let canonical: Vec<Vec<i64>> = row_order
        .iter()
        .map(|&r| column_order.iter().map(|&c| counts[r][c]).collect())
        .collect();
    let at = CrossTabLayout::of(&canonical);
    let shown = protect(&cross_tab_table(&canonical), k);
    // Where each original row and column went.
    let mut row_at = vec![0; row_order.len()];
    for (place, &r) in row_order.iter().enumerate() {
        row_at[r] = place;
    }
    let mut column_at = vec![0; column_order.len()];
    for (place, &c) in column_order.iter().enumerate() {
        column_at[c] = place;
    }
    CrossTab {
        cells: (0..at.rows)
            .map(|r| {
                (0..at.columns)
                    .map(|c| shown[at.cell(row_at[r], column_at[c])])
                    .collect()
            })
            .collect(),
        row_totals: (0..at.rows)
            .map(|r| shown[at.row_total(row_at[r])])
            .collect(),
        column_totals: (0..at.columns)
            .map(|c| shown[at.column_total(column_at[c])])
            .collect(),
        total: shown[at.grand()],
    }
}

/// The order of rows (sorted by their counts), then of columns (sorted by their counts in that
/// row order).
pub fn canonical_order(counts: &[Vec<i64>]) -> (Vec<usize>, Vec<usize>) {
    let columns = counts.first().map_or(0, Vec::len);
    let mut rows: Vec<usize> = (0..counts.len()).collect();
    rows.sort_by(|&a, &b| counts[a].cmp(&counts[b]));
    let column = |c: usize| rows.iter().map(|&r| counts[r][c]).collect::<Vec<i64>>();
    let mut order: Vec<usize> = (0..columns).collect();
    order.sort_by_key(|&c| column(c));
    (rows, order)
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
    Table {
        cells,
        lines,
        covering: false,
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrossTab {
    pub cells: Vec<Vec<Shown>>,
    pub row_totals: Vec<Shown>,
    pub column_totals: Vec<Shown>,
    pub total: Shown,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_table_hides_its_two_small_cells() {
        // 11 want to, 1 does not know, 1 not yet: the two ones are hidden, and together they
        // could be (0, 2), (1, 1) or (2, 0).
        let (cells, total) = tally(&[11, 1, 1], 13, 5);
        assert_eq!(cells, [Shown::Count(11), Shown::Hidden, Shown::Hidden]);
        assert_eq!(total, Shown::Count(13));
        let (cells, _) = tally(&[11, 1, 1], 13, 1);
        assert_eq!(cells, [Shown::Count(11), Shown::Count(1), Shown::Count(1)]);
    }

    #[test]
    fn one_small_cell_takes_another_with_it() {
        let (cells, total) = tally(&[12, 1], 13, 5);
        assert_eq!(cells, [Shown::Hidden, Shown::Hidden]);
        assert_eq!(total, Shown::Count(13));
        let (cells, _) = tally(&[8, 6, 2], 16, 5);
        assert_eq!(cells, [Shown::Count(8), Shown::Hidden, Shown::Hidden]);
    }

    #[test]
    fn small_cells_at_their_most_are_safe_with_one_symbol() {
        // 4 + 4 = 8: with one symbol for every hidden cell, each could be 0 to 8.
        let (cells, _) = tally(&[10, 4, 4], 18, 5);
        assert_eq!(cells, [Shown::Count(10), Shown::Hidden, Shown::Hidden]);
    }

    #[test]
    fn a_total_below_k_is_hidden_with_everything() {
        let (cells, total) = tally(&[3, 1], 4, 5);
        assert_eq!(total, Shown::Hidden);
        assert!(cells.iter().all(|c| c.count().is_none()));
    }

    #[test]
    fn several_answers_per_person_cover_the_total() {
        // 13 people, 14 ticks: 13 chose the first, 1 the second. Were the line exact, the
        // second would be read as 1; covering, it could be 0 to anything.
        let (cells, total) = tally(&[13, 1], 13, 5);
        assert_eq!(cells, [Shown::Count(13), Shown::Hidden]);
        assert_eq!(total, Shown::Count(13));
    }

    #[test]
    fn cross_tabs_protect_from_the_margins() {
        // The case of issue 15: line by line [[<5, *], [*, <5]] gave both small cells away.
        let table = cross_tab(&[vec![0, 5], vec![5, 4]], 5);
        let hidden = table
            .cells
            .iter()
            .flatten()
            .filter(|s| s.count().is_none())
            .count();
        assert_eq!(hidden, 4);
        let margins_hidden = table
            .row_totals
            .iter()
            .chain(&table.column_totals)
            .filter(|s| s.count().is_none())
            .count();
        assert!(margins_hidden >= 2, "{table:?}");
        assert_eq!(table.total, Shown::Count(14));
    }

    #[test]
    fn counts_with_no_total_hide_only_the_small_ones() {
        assert_eq!(
            standalone(&[7, 2, 0], 5),
            [Shown::Count(7), Shown::Hidden, Shown::Hidden]
        );
    }

    /// Protects a cross-tab as every view does and reads it as a reader would: every count
    /// shown is true, and no cell below `k` is shown or can be proven.
    fn audit(counts: &[Vec<i64>], k: i64) -> Result<(), String> {
        let table = cross_tab_table(counts);
        let protected = cross_tab(counts, k);
        let mut shown: Vec<Shown> = protected.cells.iter().flatten().copied().collect();
        shown.extend(&protected.row_totals);
        shown.extend(&protected.column_totals);
        shown.push(protected.total);
        for (i, (&value, shown_as)) in table.cells.iter().zip(&shown).enumerate() {
            if shown_as.count().is_some_and(|n| n != value) {
                return Err(format!("cell {i} of {counts:?} shown as {shown_as:?}"));
            }
            if value < k {
                let proven =
                    disclosure::interval(&table, &shown, i).ok_or("no answer from the solver")?;
                if !is_protected(value, proven, k) {
                    return Err(format!(
                        "cell {i} = {value} of {counts:?} (k = {k}) is exposed: {shown:?}, {proven:?}"
                    ));
                }
            }
        }
        Ok(())
    }

    /// Every table of `rows` × `columns` cells, each 0 to `most`.
    fn every_table(rows: usize, columns: usize, most: i64) -> impl Iterator<Item = Vec<Vec<i64>>> {
        let size = rows * columns;
        let base = (most + 1) as u64;
        (0..base.pow(size as u32)).map(move |mut n| {
            let mut cells = Vec::with_capacity(size);
            for _ in 0..size {
                cells.push((n % base) as i64);
                n /= base;
            }
            cells.chunks(columns).map(<[i64]>::to_vec).collect()
        })
    }

    /// Audits every table of the size, one of each family that differs only in the order of
    /// rows and columns (they are protected alike; see [`cross_tab`]), on two threads.
    fn audit_every_table(rows: usize, columns: usize, most: i64, k: i64) -> usize {
        let mut families = std::collections::BTreeMap::new();
        for counts in every_table(rows, columns, most) {
            let (row_order, column_order) = canonical_order(&counts);
            let key: Vec<i64> = row_order
                .iter()
                .flat_map(|&r| column_order.iter().map(move |&c| (r, c)))
                .map(|(r, c)| counts[r][c])
                .collect();
            families.entry(key).or_insert(counts);
        }
        let tables: Vec<Vec<Vec<i64>>> = families.into_values().collect();
        let (first, second) = tables.split_at(tables.len() / 2);
        std::thread::scope(|scope| {
            let other = scope.spawn(|| second.iter().try_for_each(|t| audit(t, k)));
            first.iter().try_for_each(|t| audit(t, k)).unwrap();
            other.join().unwrap().unwrap();
        });
        tables.len()
    }

    #[test]
    fn every_2x2_table_with_cells_0_to_8_is_protected() {
        assert!(audit_every_table(2, 2, 8, 5) > 6561 / 8);
        audit_every_table(2, 2, 6, 3);
    }

    /// About a minute on two cores: run once per suite by `scripts/test`
    /// (`cargo test -p kizuki_domain -- --ignored`), not at both clock settings.
    #[test]
    #[ignore = "a minute long; scripts/test runs it once"]
    fn every_2x3_table_with_cells_0_to_8_is_protected() {
        assert!(audit_every_table(2, 3, 8, 5) > 531_441 / 12);
    }

    #[test]
    fn a_table_is_protected_alike_in_any_order_of_rows_and_columns() {
        let table = cross_tab(&[vec![0, 5, 7], vec![5, 4, 9]], 5);
        let swapped = cross_tab(&[vec![9, 4, 5], vec![7, 5, 0]], 5);
        assert_eq!(table.cells[0][0], swapped.cells[1][2]);
        assert_eq!(table.cells[1][1], swapped.cells[0][1]);
        assert_eq!(table.row_totals[0], swapped.row_totals[1]);
        assert_eq!(table.column_totals[2], swapped.column_totals[0]);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        #[test]
        fn random_tables_up_to_5x5_are_protected(
            rows in 1usize..=5,
            columns in 1usize..=5,
            cells in proptest::collection::vec(0i64..15, 25),
            k in 2i64..=6,
        ) {
            let counts: Vec<Vec<i64>> = cells.chunks(5).take(rows).map(|row| row[..columns].to_vec()).collect();
            proptest::prop_assert!(audit(&counts, k).is_ok(), "{:?}", audit(&counts, k));
        }
    }
}
