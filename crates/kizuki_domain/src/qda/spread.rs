//! The KJ board as a table: where every card and group lies. In the KJ method the cards are
//! spread on a table, those that belong together are moved near each other, enclosed and named,
//! and the groups are spread and gathered again; so a card or group lies where a researcher put
//! it (relative to the group that holds it, so that moving a group carries its cards), a group
//! is an enclosure just large enough for what it holds, and whatever nobody has placed yet is
//! laid out in rows from the top, around what has been. Nothing overlaps: a placed item that would cover one
//! laid before it is pushed down until it is clear, so a group that grows never hides its
//! neighbours. Sizes are CSS pixels.

use std::collections::HashMap;

use super::tree::{self, Node};

/// A card drawn as a compact label (its first words; the whole quote on focus).
pub const CARD_WIDTH: i64 = 200;
pub const CARD_HEIGHT: i64 = 64;
/// A folded group: its 表札 and how many it holds, the size of a card.
pub const FOLDED_WIDTH: i64 = 220;
pub const FOLDED_HEIGHT: i64 = 72;
/// The gap kept between neighbours.
pub const GAP: i64 = 16;
/// A group's title bar (its 表札, the count and its tools) above what it holds.
pub const HEADER: i64 = 48;
/// The space inside a group's border around what it holds.
pub const PADDING: i64 = 12;
/// The margin of the table around everything on it.
pub const MARGIN: i64 = 24;
/// The farthest a position may lie from its group's corner.
pub const MAX_POSITION: i64 = 100_000;

/// A node as the table sees it.
#[derive(Clone, Debug)]
pub struct Item {
    pub id: i64,
    pub parent: Option<i64>,
    pub is_group: bool,
    pub label: String,
    /// Where a researcher put it, relative to the inside of its group (or the table).
    pub placed: Option<(i64, i64)>,
    /// A group drawn as one card, what it holds hidden.
    pub folded: bool,
}

/// Where one item is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rect {
    pub x: i64,
    pub y: i64,
    pub width: i64,
    pub height: i64,
}

impl Rect {
    fn right(&self) -> i64 {
        self.x + self.width
    }

    fn bottom(&self) -> i64 {
        self.y + self.height
    }

    /// Whether the two come closer than the gap.
    fn crowds(&self, other: &Rect) -> bool {
        self.x < other.right() + GAP
            && other.x < self.right() + GAP
            && self.y < other.bottom() + GAP
            && other.y < self.bottom() + GAP
    }
}

/// An item on the table, in the order of the tree's walk (a group before what it holds).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Laid {
    /// Its index in the slice given to [`lay_out`].
    pub index: usize,
    pub depth: usize,
    /// Relative to the inside of its group (or to the table's margin at the top).
    pub within: Rect,
    /// Relative to the table's corner.
    pub on_table: Rect,
    /// False for what a folded group holds: it is not drawn.
    pub shown: bool,
}

/// The whole table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    pub items: Vec<Laid>,
    pub width: i64,
    pub height: i64,
}

/// Lays out the table. Items not reached from the top (a missing parent, a loop) are left out.
pub fn lay_out(items: &[Item]) -> Table {
    let nodes: Vec<Node> = items
        .iter()
        .map(|item| Node {
            id: item.id,
            parent: item.parent,
            is_group: item.is_group,
            label: item.label.clone(),
        })
        .collect();
    let steps = tree::walk(&nodes);
    // Each step's parent step, and each parent's children in walk order (the top is None).
    let mut parent_of: Vec<Option<usize>> = Vec::with_capacity(steps.len());
    let mut children: HashMap<Option<usize>, Vec<usize>> = HashMap::new();
    let mut open: Vec<usize> = Vec::new();
    for (position, step) in steps.iter().enumerate() {
        open.truncate(step.depth);
        let parent = open.last().copied();
        parent_of.push(parent);
        children.entry(parent).or_default().push(position);
        if items[step.index].is_group {
            open.push(position);
        }
    }
    // Sizes from the bottom up: in reverse walk order every child comes before its group.
    let mut within: Vec<Rect> = vec![
        Rect {
            x: 0,
            y: 0,
            width: CARD_WIDTH,
            height: CARD_HEIGHT,
        };
        steps.len()
    ];
    let hidden = hidden_steps(&steps, &parent_of, items);
    for position in (0..steps.len()).rev() {
        let item = &items[steps[position].index];
        if !item.is_group {
            continue;
        }
        let (width, height) = if item.folded {
            (FOLDED_WIDTH, FOLDED_HEIGHT)
        } else {
            let inner = children.get(&Some(position)).map_or(&[][..], Vec::as_slice);
            let (width, height) = arrange(inner, &steps, items, &mut within, 1.4);
            (
                (width + 2 * PADDING).max(CARD_WIDTH + 2 * PADDING),
                HEADER + height.max(CARD_HEIGHT / 2) + PADDING,
            )
        };
        within[position].width = width;
        within[position].height = height;
    }
    let top = children.get(&None).map_or(&[][..], Vec::as_slice);
    let (width, height) = arrange(top, &steps, items, &mut within, 1.8);
    // Positions on the table from the top down: in walk order every group comes before what
    // it holds.
    let mut on_table: Vec<Rect> = Vec::with_capacity(steps.len());
    for position in 0..steps.len() {
        let (left, top) = match parent_of[position] {
            Some(parent) => {
                let group: Rect = on_table[parent];
                (group.x + PADDING, group.y + HEADER)
            }
            None => (MARGIN, MARGIN),
        };
        let rect = within[position];
        on_table.push(Rect {
            x: left + rect.x,
            y: top + rect.y,
            ..rect
        });
    }
    Table {
        items: steps
            .iter()
            .enumerate()
            .map(|(position, step)| Laid {
                index: step.index,
                depth: step.depth,
                within: within[position],
                on_table: on_table[position],
                shown: !hidden[position],
            })
            .collect(),
        width: width + 2 * MARGIN,
        height: height + 2 * MARGIN,
    }
}

/// Which steps lie inside a folded group.
fn hidden_steps(steps: &[tree::Step], parent_of: &[Option<usize>], items: &[Item]) -> Vec<bool> {
    let mut hidden = vec![false; steps.len()];
    for position in 0..steps.len() {
        if let Some(parent) = parent_of[position] {
            hidden[position] = hidden[parent] || items[steps[parent].index].folded;
        }
    }
    hidden
}

/// Places the children of one group (or of the table), whose sizes are known, and answers the
/// size of what they cover. Placed children keep their place unless it crowds one placed
/// before them (then they move down until clear); the rest fill rows below, as wide as the
/// placed ones reach or, when none is, about `aspect` times as wide as tall.
fn arrange(
    children: &[usize],
    steps: &[tree::Step],
    items: &[Item],
    rects: &mut [Rect],
    aspect: f64,
) -> (i64, i64) {
    let mut index = SpatialIndex::default();
    let mut placed: Vec<(i64, i64, usize)> = children
        .iter()
        .filter_map(|&position| {
            items[steps[position].index]
                .placed
                .map(|(x, y)| (y.clamp(0, MAX_POSITION), x.clamp(0, MAX_POSITION), position))
        })
        .collect();
    placed.sort_unstable();
    let (mut width, mut height) = (0, 0);
    for (y, x, position) in placed {
        let mut rect = Rect {
            x,
            y,
            ..rects[position]
        };
        while let Some(bottom) = index.lowest_crowding(&rect) {
            rect.y = bottom + GAP;
        }
        index.insert(rect);
        rects[position] = rect;
        width = width.max(rect.right());
        height = height.max(rect.bottom());
    }
    let loose: Vec<usize> = children
        .iter()
        .copied()
        .filter(|&position| items[steps[position].index].placed.is_none())
        .collect();
    if loose.is_empty() {
        return (width, height);
    }
    let area: i64 = loose
        .iter()
        .map(|&p| (rects[p].width + GAP) * (rects[p].height + GAP))
        .sum();
    let widest = loose.iter().map(|&p| rects[p].width).max().unwrap_or(0);
    let row_width = widest.max(((area as f64) * aspect).sqrt() as i64);
    // Rows from the top, stepping past whatever was placed there, so that putting one card
    // somewhere moves nothing else that it does not cover.
    let (mut x, mut y, mut row_height) = (0, 0, 0);
    for position in loose {
        let mut rect = Rect {
            x,
            y,
            ..rects[position]
        };
        loop {
            if rect.x > 0 && rect.right() > row_width {
                y += row_height + GAP;
                row_height = 0;
                rect.x = 0;
                rect.y = y;
            }
            match index.rightmost_crowding(&rect) {
                Some(right) => rect.x = right + GAP,
                None => break,
            }
        }
        index.insert(rect);
        rects[position] = rect;
        x = rect.right() + GAP;
        row_height = row_height.max(rect.height);
        width = width.max(rect.right());
        height = height.max(rect.bottom());
    }
    (width, height)
}

/// The rects laid so far at one level, bucketed so that a thousand placed cards are checked
/// against their neighbours only.
#[derive(Default)]
struct SpatialIndex {
    rects: Vec<Rect>,
    cells: HashMap<(i64, i64), Vec<usize>>,
}

const CELL: i64 = 256;

impl SpatialIndex {
    fn cells_of(rect: &Rect) -> impl Iterator<Item = (i64, i64)> {
        let (left, right) = (
            (rect.x - GAP).div_euclid(CELL),
            (rect.right() + GAP).div_euclid(CELL),
        );
        let (top, bottom) = (
            (rect.y - GAP).div_euclid(CELL),
            (rect.bottom() + GAP).div_euclid(CELL),
        );
        (left..=right).flat_map(move |column| (top..=bottom).map(move |row| (column, row)))
    }

    fn insert(&mut self, rect: Rect) {
        let id = self.rects.len();
        self.rects.push(rect);
        for cell in Self::cells_of(&rect) {
            self.cells.entry(cell).or_default().push(id);
        }
    }

    /// The rightmost right edge among the rects `rect` crowds, if any.
    fn rightmost_crowding(&self, rect: &Rect) -> Option<i64> {
        self.crowding(rect).map(Rect::right).max()
    }

    fn crowding<'a>(&'a self, rect: &'a Rect) -> impl Iterator<Item = &'a Rect> + 'a {
        Self::cells_of(rect)
            .filter_map(|cell| self.cells.get(&cell))
            .flatten()
            .map(|&id| &self.rects[id])
            .filter(|other| rect.crowds(other))
    }

    /// The lowest bottom edge among the rects `rect` crowds, if any.
    fn lowest_crowding(&self, rect: &Rect) -> Option<i64> {
        self.crowding(rect).map(Rect::bottom).max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn card(id: i64, parent: Option<i64>) -> Item {
        Item {
            id,
            parent,
            is_group: false,
            label: String::new(),
            placed: None,
            folded: false,
        }
    }

    fn group(id: i64, parent: Option<i64>) -> Item {
        Item {
            is_group: true,
            ..card(id, parent)
        }
    }

    fn at(item: Item, x: i64, y: i64) -> Item {
        Item {
            placed: Some((x, y)),
            ..item
        }
    }

    fn rect_of(table: &Table, items: &[Item], id: i64) -> Laid {
        table
            .items
            .iter()
            .find(|laid| items[laid.index].id == id)
            .cloned()
            .expect("laid")
    }

    #[test]
    fn a_placed_card_stays_where_it_was_put() {
        let items = [at(card(1, None), 400, 300), card(2, None)];
        let table = lay_out(&items);
        let placed = rect_of(&table, &items, 1);
        assert_eq!((placed.within.x, placed.within.y), (400, 300));
        assert_eq!(
            (placed.on_table.x, placed.on_table.y),
            (400 + MARGIN, 300 + MARGIN)
        );
        // The card nobody placed keeps its place at the start of the rows.
        let loose = rect_of(&table, &items, 2);
        assert_eq!((loose.within.x, loose.within.y), (0, 0));
    }

    #[test]
    fn the_rows_step_past_a_card_placed_in_their_way() {
        let mut items = vec![at(card(1, None), 10, 0)];
        items.extend((2..6).map(|id| card(id, None)));
        let table = lay_out(&items);
        let placed = rect_of(&table, &items, 1).within;
        for id in 2..6 {
            let loose = rect_of(&table, &items, id).within;
            assert!(!loose.crowds(&placed), "{loose:?} crowds {placed:?}");
        }
        assert_eq!((placed.x, placed.y), (10, 0));
    }

    #[test]
    fn a_group_encloses_what_it_holds_and_carries_it() {
        let items = [
            at(group(1, None), 1000, 50),
            card(2, Some(1)),
            card(3, Some(1)),
        ];
        let table = lay_out(&items);
        let enclosure = rect_of(&table, &items, 1).on_table;
        for id in [2, 3] {
            let inside = rect_of(&table, &items, id).on_table;
            assert!(
                inside.x >= enclosure.x + PADDING && inside.right() <= enclosure.right() - PADDING
            );
            assert!(
                inside.y >= enclosure.y + HEADER && inside.bottom() <= enclosure.bottom() - PADDING
            );
        }
        assert_eq!(enclosure.x, 1000 + MARGIN);
    }

    #[test]
    fn a_folded_group_is_the_size_of_a_card_and_hides_what_it_holds() {
        let mut folded = group(1, None);
        folded.folded = true;
        let items = [folded, card(2, Some(1)), card(3, None)];
        let table = lay_out(&items);
        let enclosure = rect_of(&table, &items, 1);
        assert_eq!(
            (enclosure.within.width, enclosure.within.height),
            (FOLDED_WIDTH, FOLDED_HEIGHT)
        );
        assert!(!rect_of(&table, &items, 2).shown);
        assert!(rect_of(&table, &items, 3).shown);
    }

    #[test]
    fn a_group_that_grows_pushes_down_the_one_placed_below_it() {
        let mut items = vec![at(group(1, None), 0, 0), at(card(2, None), 0, 200)];
        items.extend((10..30).map(|id| card(id, Some(1))));
        let table = lay_out(&items);
        let enclosure = rect_of(&table, &items, 1).within;
        let below = rect_of(&table, &items, 2).within;
        assert!(
            below.y >= enclosure.bottom() + GAP,
            "{below:?} under {enclosure:?}"
        );
    }

    #[test]
    fn ten_thousand_loose_cards_are_laid_out_wider_than_tall() {
        let items: Vec<Item> = (1..=10_000).map(|id| card(id, None)).collect();
        let table = lay_out(&items);
        assert_eq!(table.items.len(), 10_000);
        assert!(
            table.width > table.height && table.width < 4 * table.height,
            "{}×{}",
            table.width,
            table.height
        );
    }

    fn arbitrary_items() -> impl Strategy<Value = Vec<Item>> {
        // Each node's parent is an earlier group (or none), so the tree never loops.
        prop::collection::vec(
            (
                any::<bool>(),
                0usize..40,
                prop::option::of((0i64..3000, 0i64..3000)),
                any::<bool>(),
            ),
            1..40,
        )
        .prop_map(|specs| {
            let mut items: Vec<Item> = Vec::new();
            for (n, (is_group, parent, placed, folded)) in specs.into_iter().enumerate() {
                let groups: Vec<i64> = items.iter().filter(|i| i.is_group).map(|i| i.id).collect();
                let parent = (parent < groups.len()).then(|| groups[parent]);
                items.push(Item {
                    id: n as i64 + 1,
                    parent,
                    is_group,
                    label: String::new(),
                    placed,
                    folded: is_group && folded,
                });
            }
            items
        })
    }

    proptest! {
        #[test]
        fn neighbours_never_overlap_and_groups_hold_their_own(items in arbitrary_items()) {
            let table = lay_out(&items);
            prop_assert_eq!(table.items.len(), items.len());
            let by_id: HashMap<i64, &Laid> = table.items.iter().map(|l| (items[l.index].id, l)).collect();
            for (a, first) in table.items.iter().enumerate() {
                if first.shown {
                    prop_assert!(first.on_table.right() + MARGIN <= table.width);
                    prop_assert!(first.on_table.bottom() + MARGIN <= table.height);
                }
                if let Some(parent) = items[first.index].parent {
                    let group = by_id[&parent].on_table;
                    let inside = first.on_table;
                    prop_assert!(inside.x >= group.x + PADDING && inside.y >= group.y + HEADER);
                    if first.shown {
                        prop_assert!(inside.right() <= group.right() - PADDING);
                        prop_assert!(inside.bottom() <= group.bottom() - PADDING);
                    }
                }
                for second in &table.items[a + 1..] {
                    if items[first.index].parent == items[second.index].parent && first.shown {
                        prop_assert!(first.within.x >= second.within.right() || second.within.x >= first.within.right()
                            || first.within.y >= second.within.bottom() || second.within.y >= first.within.bottom(),
                            "{:?} overlaps {:?}", first.within, second.within);
                    }
                }
            }
        }
    }
}
