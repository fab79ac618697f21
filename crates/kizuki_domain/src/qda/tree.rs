//! The KJ tree: cards gathered bottom-up into groups, groups into larger groups. Here are the
//! rules that keep it a tree, and the report table read from it (category › subcategory › …
//! › the card's quote), in the order the groups were made.

use std::collections::BTreeMap;

/// A node as the rules see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub id: i64,
    pub parent: Option<i64>,
    pub is_group: bool,
    pub label: String,
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
    let mut children: BTreeMap<Option<i64>, Vec<&Node>> = BTreeMap::new();
    for node in nodes {
        children.entry(node.parent).or_default().push(node);
    }
    for list in children.values_mut() {
        list.sort_by_key(|n| (!n.is_group, n.id));
    }
    let mut out = Vec::new();
    let mut path = Vec::new();
    fn walk(
        parent: Option<i64>,
        children: &BTreeMap<Option<i64>, Vec<&Node>>,
        path: &mut Vec<String>,
        out: &mut Vec<Row>,
        depth: usize,
    ) {
        if depth > 64 {
            return;
        }
        for node in children.get(&parent).into_iter().flatten() {
            if node.is_group {
                path.push(node.label.clone());
                walk(Some(node.id), children, path, out, depth + 1);
                path.pop();
            } else {
                out.push(Row {
                    categories: path.clone(),
                    card: node.id,
                });
            }
        }
    }
    walk(None, &children, &mut path, &mut out, 0);
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
}
