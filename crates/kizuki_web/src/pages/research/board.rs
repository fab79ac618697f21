//! The KJ board's page: the project's cards spread on a table, each group an enclosure with its
//! 表札 around what it holds, drawn by the server where [`spread::lay_out`] puts them. The places
//! come as a stylesheet of their own (`board.css`, named by the revision and the folded groups so
//! that it is cached until the board changes), since the site's policy allows no inline styles;
//! so the table is spread, scrolls and works by its forms without script too. `board.js` adds
//! pan and zoom, an overview, dragging with pointer events, moving by keyboard, undo and redo,
//! and reloads the board when another researcher changes it. The changes themselves are made
//! by [`crate::qda_board`], for this page and the API alike.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use kizuki_domain::qda::spread::{self, Item, Table};
use kizuki_store::QdaNode;
use serde::Deserialize;

use super::project;
use crate::context::{CurrentUser, RequestContext};
use crate::error::AppError;
use crate::state::AppState;
use crate::views::{self, Chrome};

/// One step of the board in reading order: a group opens, a card, a group closes.
pub enum BoardItem {
    Open {
        id: i64,
        label: String,
        count: usize,
        depth: usize,
        folded: bool,
        /// The board with this group folded or opened.
        fold_href: String,
    },
    Card {
        id: i64,
        label: String,
        quote: String,
        source_href: String,
        source: String,
        /// In no group: a lone card (一匹狼).
        lone: bool,
    },
    Close,
}

pub struct GroupOption {
    pub id: i64,
    pub label: String,
    /// How many groups are above it.
    pub depth: usize,
    /// The groups above it and itself, from the top: 「大 › 中 › 小」.
    pub path: String,
}

impl GroupOption {
    /// Full-width spaces, one per level above it, to show the tree in a list of choices.
    pub fn indent(&self) -> String {
        "\u{3000}".repeat(self.depth)
    }
}

/// Every group of the project in the tree's order, with its level and path, for the "move to"
/// choices (a list of options indented by level, which the script's search reads too).
pub fn group_options(nodes: &[QdaNode]) -> Vec<GroupOption> {
    let tree: Vec<_> = nodes.iter().map(QdaNode::as_tree_node).collect();
    let mut path: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for step in kizuki_domain::qda::tree::walk(&tree) {
        let node = &nodes[step.index];
        if !node.is_group {
            continue;
        }
        path.truncate(step.depth);
        path.push(&node.label);
        out.push(GroupOption {
            id: node.id,
            label: node.label.clone(),
            depth: step.depth,
            path: path.join(" › "),
        });
    }
    out
}

#[derive(Template)]
#[template(path = "research/board.html")]
pub struct BoardView {
    pub page: Chrome,
    pub base: String,
    pub name: String,
    pub revision: i64,
    pub items: Vec<BoardItem>,
    pub groups: Vec<GroupOption>,
    pub editing: Option<(i64, String, String)>,
    pub cards: usize,
    pub lone: usize,
    /// The board's stylesheet: where everything lies.
    pub places: String,
    /// 「一匹狼」, looked up once for the thousands of lone cards a board may have.
    pub lone_word: String,
    /// The folded groups, as the query keeps them (`1,5,9`), for the forms to come back to.
    pub fold: String,
}

#[derive(Deserialize, Default)]
pub struct BoardQuery {
    #[serde(default)]
    edit: Option<i64>,
    /// The groups drawn folded, each as one card: `fold=1,5,9`. A view, kept in the address
    /// (each researcher folds what they like) rather than on the shared table.
    #[serde(default)]
    fold: Option<String>,
}

fn folded(query: &BoardQuery) -> BTreeSet<i64> {
    query
        .fold
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .filter_map(|id| id.trim().parse().ok())
        .collect()
}

fn fold_query(folded: &BTreeSet<i64>) -> String {
    folded
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// The table for `nodes` with `folded` groups folded.
fn table(nodes: &[QdaNode], folded: &BTreeSet<i64>) -> Table {
    let items: Vec<Item> = nodes
        .iter()
        .map(|node| Item {
            id: node.id,
            parent: node.parent_id,
            is_group: node.is_group,
            label: node.label.clone(),
            placed: node.spread_x.zip(node.spread_y),
            folded: node.is_group && folded.contains(&node.id),
        })
        .collect();
    spread::lay_out(&items)
}

/// The board in reading order, from the table's walk: each group opening, what it holds (none
/// when it is folded), closing.
fn board_items(
    nodes: &[QdaNode],
    table: &Table,
    folded: &BTreeSet<i64>,
    source: &dyn Fn(&QdaNode) -> (String, String),
) -> Vec<BoardItem> {
    let mut inside: HashMap<i64, usize> = HashMap::new();
    for node in nodes {
        if let Some(parent) = node.parent_id {
            *inside.entry(parent).or_default() += 1;
        }
    }
    let mut out = Vec::with_capacity(nodes.len() * 2);
    let mut open: Vec<usize> = Vec::new();
    for laid in table.items.iter().filter(|laid| laid.shown) {
        while open.last().is_some_and(|depth| *depth >= laid.depth) {
            open.pop();
            out.push(BoardItem::Close);
        }
        let node = &nodes[laid.index];
        if node.is_group {
            let mut toggled = folded.clone();
            if !toggled.remove(&node.id) {
                toggled.insert(node.id);
            }
            out.push(BoardItem::Open {
                id: node.id,
                label: node.label.clone(),
                count: inside.get(&node.id).copied().unwrap_or(0),
                depth: laid.depth,
                folded: folded.contains(&node.id),
                fold_href: if toggled.is_empty() {
                    "?".to_owned()
                } else {
                    format!("?fold={}", fold_query(&toggled))
                },
            });
            open.push(laid.depth);
            continue;
        }
        let (source_href, source_name) = source(node);
        out.push(BoardItem::Card {
            id: node.id,
            label: node.label.clone(),
            quote: node.quote.clone().unwrap_or_default(),
            source_href,
            source: source_name,
            lone: node.parent_id.is_none(),
        });
    }
    out.extend(open.iter().map(|_| BoardItem::Close));
    out
}

pub async fn show(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    Query(query): Query<BoardQuery>,
) -> Result<Response, AppError> {
    let project = project(&state, &id, user.id).await?;
    let nodes = state.store().qda_nodes(project.id).await?;
    let transcripts = state.store().transcripts(project.id).await?;
    let revision = state.store().qda_revision(project.id).await?;
    let source = |card: &QdaNode| {
        let name = transcripts
            .iter()
            .find(|t| Some(t.id) == card.transcript_id)
            .map(|t| t.name.clone())
            .unwrap_or_default();
        let href = card
            .transcript_id
            .map(|t| context.href(&format!("/research/transcripts/{t}#card-{}", card.id)))
            .unwrap_or_default();
        (href, name)
    };
    let folded = folded(&query);
    let table = table(&nodes, &folded);
    let items = board_items(&nodes, &table, &folded, &source);
    let editing = query.edit.and_then(|edit| {
        nodes
            .iter()
            .find(|n| n.id == edit && n.is_group)
            .map(|n| (n.id, n.label.clone(), n.memo.clone()))
    });
    let base = super::project_base(&context, project.id);
    let fold = fold_query(&folded);
    let page = Chrome::new(&state, &context, "qda.board.page_title");
    Ok(views::render(&BoardView {
        lone_word: page.t("qda.board.lone").to_owned(),
        page,
        places: format!("{base}/board.css?r={revision}&fold={fold}"),
        base,
        name: project.name.clone(),
        revision,
        groups: group_options(&nodes),
        cards: nodes.iter().filter(|n| !n.is_group).count(),
        lone: nodes
            .iter()
            .filter(|n| !n.is_group && n.parent_id.is_none())
            .count(),
        items,
        editing,
        fold,
    }))
}

/// Where everything lies on the table, as CSS: the table's size, and each item's corner inside
/// its group (and a group's size). Named by revision and folds, so kept until the board changes.
pub async fn stylesheet(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    Query(query): Query<BoardQuery>,
) -> Result<Response, AppError> {
    let project = project(&state, &id, user.id).await?;
    let nodes = state.store().qda_nodes(project.id).await?;
    let table = table(&nodes, &folded(&query));
    Ok((
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (
                header::CACHE_CONTROL,
                "private, max-age=31536000, immutable",
            ),
        ],
        places_css(&nodes, &table),
    )
        .into_response())
}

fn places_css(nodes: &[QdaNode], table: &Table) -> String {
    let mut css = String::with_capacity(table.items.len() * 40 + 100);
    let _ = writeln!(
        css,
        "#board-plane{{width:{}px;height:{}px}}",
        table.width, table.height
    );
    for laid in table.items.iter().filter(|laid| laid.shown) {
        let node = &nodes[laid.index];
        let (x, y) = if laid.depth == 0 {
            (
                laid.within.x + spread::MARGIN,
                laid.within.y + spread::MARGIN,
            )
        } else {
            (laid.within.x, laid.within.y)
        };
        if node.is_group {
            let _ = writeln!(
                css,
                "#node-{}{{left:{x}px;top:{y}px;width:{}px;height:{}px}}",
                node.id, laid.within.width, laid.within.height
            );
        } else {
            let _ = writeln!(css, "#node-{}{{left:{x}px;top:{y}px}}", node.id);
        }
    }
    css
}
