//! The KJ tree: cards gathered bottom-up into groups, groups into larger groups. Here are the
//! rules that keep it a tree of bounded depth, one depth-first walk every page and export uses
//! (a loop on the stack, never recursion, so no tree can overflow it), and the report table
//! read from it (category › subcategory › … › the card's quote), in the order the groups were
//! made.

use std::collections::{BTreeMap, BTreeSet};

/// How many levels of groups a tree may have above a card. The KJ method gathers cards into
/// small, middle and large groups (小・中・大グループ) and seldom goes beyond five levels;
/// MAXQDA allows ten levels of codes and NVivo codebooks seldom pass six. Thirty-two leaves
/// room for any real analysis, while a table of 32 category columns is still readable and
/// every codebook written or read stays far from any parser's or reader's nesting limit.
pub const MAX_DEPTH: usize = 32;

/// A node as the rules see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub id: i64,
    pub parent: Option<i64>,
    pub is_group: bool,
    pub label: String,
}

/// Why a change to the tree is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The group would go inside itself or one of its own groups.
    Loop,
    /// The tree would have more than [`MAX_DEPTH`] levels of groups.
    TooDeep,
}

/// Whether putting `member` under `group` would make a loop (`group` is `member` or lies
/// beneath it).
pub fn would_loop(nodes: &[Node], member: i64, group: i64) -> bool {
    let parents: BTreeMap<i64, Option<i64>> = nodes.iter().map(|n| (n.id, n.parent)).collect();
    let mut at = Some(group);
    let mut steps = 0;
    while let Some(id) = at {
        if id == member || steps > nodes.len() {
            return true;
        }
        at = parents.get(&id).copied().flatten();
        steps += 1;
    }
    false
}

/// The levels of groups `id` spans: a card none, a group one more than the deepest of the
/// groups inside it.
fn levels_within(children: &BTreeMap<Option<i64>, Vec<&Node>>, id: i64, is_group: bool) -> usize {
    if !is_group {
        return 0;
    }
    let mut deepest = 0;
    let mut seen = BTreeSet::new();
    let mut stack = vec![(id, 1)];
    while let Some((at, level)) = stack.pop() {
        if !seen.insert(at) {
            continue;
        }
        deepest = deepest.max(level);
        for child in children.get(&Some(at)).into_iter().flatten() {
            if child.is_group {
                stack.push((child.id, level + 1));
            }
        }
    }
    deepest
}

/// The groups above `id`, counting `id` itself when it is a group.
fn levels_to(nodes: &BTreeMap<i64, &Node>, id: i64) -> usize {
    let mut levels = 0;
    let mut at = nodes.get(&id);
    while let Some(node) = at {
        if node.is_group {
            levels += 1;
        }
        if levels > nodes.len() {
            break;
        }
        at = node.parent.and_then(|p| nodes.get(&p));
    }
    levels
}

/// Whether `members` may go under `parent` (a group of `nodes`) or to the top: not inside
/// themselves, and no deeper than [`MAX_DEPTH`] levels of groups.
pub fn check_move(nodes: &[Node], members: &[i64], parent: Option<i64>) -> Result<(), Refusal> {
    let Some(parent) = parent else {
        return Ok(());
    };
    if members.iter().any(|m| would_loop(nodes, *m, parent)) {
        return Err(Refusal::Loop);
    }
    let by_id: BTreeMap<i64, &Node> = nodes.iter().map(|n| (n.id, n)).collect();
    let children = children_of(nodes);
    let above = levels_to(&by_id, parent);
    for member in members {
        let Some(node) = by_id.get(member) else {
            continue;
        };
        if above + levels_within(&children, node.id, node.is_group) > MAX_DEPTH {
            return Err(Refusal::TooDeep);
        }
    }
    Ok(())
}

/// The most levels of groups above any card of the tree (what a table needs columns for).
pub fn depth(nodes: &[Node]) -> usize {
    walk(nodes)
        .iter()
        .filter(|step| nodes[step.index].is_group)
        .map(|step| step.depth + 1)
        .max()
        .unwrap_or(0)
}

fn children_of(nodes: &[Node]) -> BTreeMap<Option<i64>, Vec<&Node>> {
    let mut children: BTreeMap<Option<i64>, Vec<&Node>> = BTreeMap::new();
    for node in nodes {
        children.entry(node.parent).or_default().push(node);
    }
    for list in children.values_mut() {
        list.sort_by_key(|n| (!n.is_group, n.id));
    }
    children
}

/// One node met on the walk: its place in the slice walked and how many groups are above it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    pub index: usize,
    pub depth: usize,
}

/// Every node reachable from the top, depth first: at each level the groups in the order they
/// were made (their ids), each followed by what is inside it, then the level's cards. A node
/// whose parent is missing, or that sits in a loop, is not reached.
pub fn walk(nodes: &[Node]) -> Vec<Step> {
    let index_of: BTreeMap<i64, usize> = nodes.iter().enumerate().map(|(i, n)| (n.id, i)).collect();
    let children = children_of(nodes);
    let mut out = Vec::with_capacity(nodes.len());
    let mut seen = BTreeSet::new();
    // Each frame: the children still to visit at one level, reversed so `pop` takes the next.
    let top: Vec<&Node> = children.get(&None).cloned().unwrap_or_default();
    let mut stack: Vec<Vec<&Node>> = vec![top.into_iter().rev().collect()];
    while let Some(frame) = stack.last_mut() {
        let Some(node) = frame.pop() else {
            stack.pop();
            continue;
        };
        if !seen.insert(node.id) {
            continue;
        }
        out.push(Step {
            index: index_of[&node.id],
            depth: stack.len() - 1,
        });
        if node.is_group {
            let inner = children.get(&Some(node.id)).cloned().unwrap_or_default();
            stack.push(inner.into_iter().rev().collect());
        }
    }
    out
}

/// One row of the report table: the labels of the groups above a card, from the top down, and
/// the card.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub categories: Vec<String>,
    pub card: i64,
}

/// Every card, depth first: the top groups in the order they were made (their ids), then each
/// group's subgroups and cards; cards in no group (一匹狼 not yet placed) come last.
pub fn rows(nodes: &[Node]) -> Vec<Row> {
    let mut out = Vec::new();
    let mut path: Vec<String> = Vec::new();
    for step in walk(nodes) {
        let node = &nodes[step.index];
        path.truncate(step.depth);
        if node.is_group {
            path.push(node.label.clone());
        } else {
            out.push(Row {
                categories: path.clone(),
                card: node.id,
            });
        }
    }
    // Top-level cards were emitted among the groups; the table lists them last.
    let (grouped, lone): (Vec<Row>, Vec<Row>) =
        out.into_iter().partition(|row| !row.categories.is_empty());
    grouped.into_iter().chain(lone).collect()
}
#[cfg(test)]
mod tests {
    use super::*;

    fn group(id: i64, parent: Option<i64>, label: &str) -> Node {
        Node {
            id,
            parent,
            is_group: true,
            label: label.into(),
        }
    }

    fn card(id: i64, parent: Option<i64>) -> Node {
        Node {
            id,
            parent,
            is_group: false,
            label: String::new(),
        }
    }

    #[test]
    fn rows_follow_the_tree() {
        let nodes = vec![
            card(1, Some(10)),
            card(2, Some(11)),
            card(3, None),
            card(4, Some(10)),
            group(10, Some(20), "関係に着目する"),
            group(11, Some(20), "学び続ける"),
            group(20, None, "IPSを学んでの変化"),
        ];
        let rows = rows(&nodes);
        let flat: Vec<(Vec<&str>, i64)> = rows
            .iter()
            .map(|r| (r.categories.iter().map(String::as_str).collect(), r.card))
            .collect();
        assert_eq!(
            flat,
            [
                (vec!["IPSを学んでの変化", "関係に着目する"], 1),
                (vec!["IPSを学んでの変化", "関係に着目する"], 4),
                (vec!["IPSを学んでの変化", "学び続ける"], 2),
                (vec![], 3),
            ]
        );
    }

    #[test]
    fn loops_are_found() {
        let nodes = vec![
            group(1, None, "a"),
            group(2, Some(1), "b"),
            card(3, Some(2)),
        ];
        assert!(would_loop(&nodes, 1, 2));
        assert!(would_loop(&nodes, 2, 2));
        assert!(!would_loop(&nodes, 3, 1));
        assert!(!would_loop(&nodes, 2, 1));
    }

    /// A chain of groups `length` deep, ids 1 (the top) to `length`, with a card at the bottom.
    fn chain(length: i64) -> Vec<Node> {
        let mut nodes: Vec<Node> = (1..=length)
            .map(|id| group(id, (id > 1).then(|| id - 1), "g"))
            .collect();
        nodes.push(card(length + 1, Some(length)));
        nodes
    }

    #[test]
    fn a_tree_of_any_depth_is_walked_without_recursion() {
        let nodes = chain(200_000);
        let steps = walk(&nodes);
        assert_eq!(steps.len(), nodes.len());
        assert_eq!(steps.last().map(|s| s.depth), Some(200_000));
        assert_eq!(depth(&nodes), 200_000);
        let rows = rows(&chain(3_000));
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].categories.len(), 3_000);
    }

    #[test]
    fn loops_and_orphans_are_not_walked_forever() {
        let nodes = vec![
            group(1, Some(2), "a"),
            group(2, Some(1), "b"),
            card(3, Some(9)),
            card(4, None),
        ];
        let walked: Vec<i64> = walk(&nodes).iter().map(|s| nodes[s.index].id).collect();
        assert_eq!(walked, [4]);
    }

    #[test]
    fn no_change_makes_the_tree_deeper_than_the_limit() {
        let limit = MAX_DEPTH as i64;
        let mut nodes = chain(limit);
        // A card may sit under the deepest group; a group may not.
        nodes.push(card(100, None));
        nodes.push(group(101, None, "new"));
        assert_eq!(check_move(&nodes, &[100], Some(limit)), Ok(()));
        assert_eq!(
            check_move(&nodes, &[101], Some(limit)),
            Err(Refusal::TooDeep)
        );
        assert_eq!(check_move(&nodes, &[101], Some(limit - 1)), Ok(()));
        // Two chains joined: one of two levels under one of 31 is one too many.
        nodes.push(group(102, Some(101), "inner"));
        assert_eq!(
            check_move(&nodes, &[101], Some(limit - 1)),
            Err(Refusal::TooDeep)
        );
        assert_eq!(check_move(&nodes, &[101], Some(limit - 2)), Ok(()));
        assert_eq!(check_move(&nodes, &[1], Some(limit)), Err(Refusal::Loop));
        assert_eq!(check_move(&nodes, &[1], None), Ok(()));
    }
}
