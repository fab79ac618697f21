//! Agreement between sortings of a project's cards (the intercoder check), for the agreement
//! page and the API: the board at a chosen level of its groups and each researcher's own
//! sorting, compared pair by pair (Rand, adjusted Rand) and by Cohen's κ over shared codes.

use std::collections::{BTreeMap, BTreeSet};

use kizuki_domain::qda::agreement::{self, Sorting};
use kizuki_domain::qda::tree;
use kizuki_domain::text;
use kizuki_i18n::Lang;
use kizuki_store::{QdaNode, QdaProject, QdaSorting};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::AppError;
use crate::form_errors::FormErrors;
use crate::state::AppState;

const MAX_LABEL_CHARS: usize = 200;

/// The board as a sorting at one level: each card under its group `level` levels from the top
/// (1 the top), or under the group just above it when `level` is none or deeper than the card
/// lies ("" for a card in no group).
pub fn board_sorting(rows: &[tree::Row], level: Option<usize>) -> Sorting {
    rows.iter()
        .map(|row| {
            let label = level
                .and_then(|level| row.categories.get(level.checked_sub(1)?))
                .or(row.categories.last());
            (row.card, label.cloned().unwrap_or_default())
        })
        .collect()
}

/// The board's report rows: each card with the labels of the groups above it, from the top.
pub fn board_rows(nodes: &[QdaNode]) -> Vec<tree::Row> {
    let tree: Vec<_> = nodes.iter().map(QdaNode::as_tree_node).collect();
    tree::rows(&tree)
}

/// One side of a comparison: its name, where it put each card, the codes it sorted into.
pub struct Side {
    pub key: String,
    pub name: String,
    pub places: Sorting,
    pub codes: BTreeSet<String>,
}

/// What a comparison is made of.
pub struct Loaded {
    pub sides: Vec<Side>,
    /// The project's sortings as stored.
    pub sortings: Vec<QdaSorting>,
    /// How many levels of groups the board has above its deepest card.
    pub levels: usize,
}

/// The board (at `level`) and every sorting of the project.
pub async fn load_sides(
    state: &AppState,
    project: &QdaProject,
    lang: Lang,
    level: Option<usize>,
) -> Result<Loaded, AppError> {
    let rows = board_rows(&state.store().qda_nodes(project.id).await?);
    let sortings = state.store().qda_sortings(project.id).await?;
    Ok(Loaded {
        sides: sides(&rows, &sortings, lang, level),
        levels: rows
            .iter()
            .map(|row| row.categories.len())
            .max()
            .unwrap_or(0),
        sortings,
    })
}

pub fn sides(
    rows: &[tree::Row],
    sortings: &[QdaSorting],
    lang: Lang,
    level: Option<usize>,
) -> Vec<Side> {
    let board = board_sorting(rows, level);
    let mut sides = vec![Side {
        key: "board".into(),
        name: kizuki_i18n::text(lang, "qda.agreement.board").to_owned(),
        codes: agreement::codes(&board)
            .into_iter()
            .map(str::to_owned)
            .collect(),
        places: board,
    }];
    for sorting in sortings {
        let codes = if sorting.code_set.is_empty() {
            agreement::codes(&sorting.places)
                .into_iter()
                .map(str::to_owned)
                .collect()
        } else {
            sorting.code_set.iter().cloned().collect()
        };
        sides.push(Side {
            key: format!("sorting-{}", sorting.id),
            name: kizuki_i18n::format(
                lang,
                "qda.agreement.sorting_of",
                &[("name", &sorting.sorter)],
            ),
            places: sorting.places.clone(),
            codes,
        });
    }
    sides
}

#[derive(Serialize, ToSchema)]
pub struct PairCounts {
    pub together_in_both: u64,
    pub together_in_first_only: u64,
    pub together_in_second_only: u64,
    pub apart_in_both: u64,
}

#[derive(Serialize, ToSchema)]
pub struct KappaView {
    pub observed: f64,
    pub expected: f64,
    /// Absent when chance alone would agree fully.
    pub kappa: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct Comparison {
    pub first: String,
    pub second: String,
    /// Cards placed by both (a card made after a sorting was saved is not in it).
    pub cards: usize,
    pub pairs: PairCounts,
    /// The share of pairs both put together or both kept apart (Rand index).
    pub agreement: Option<f64>,
    pub adjusted_rand: Option<f64>,
    /// Cohen's κ over the cards, when both sorted into the same codes.
    pub kappa: Option<KappaView>,
    pub same_codes: bool,
}

pub fn compare(first: &Side, second: &Side) -> (Comparison, agreement::CrossTable) {
    let counted = agreement::pairs(&first.places, &second.places);
    let same_codes = !first.codes.is_empty() && first.codes == second.codes;
    let kappa = same_codes
        .then(|| agreement::cohen_kappa(&first.places, &second.places))
        .flatten();
    let cards = first
        .places
        .keys()
        .filter(|c| second.places.contains_key(c))
        .count();
    (
        Comparison {
            first: first.name.clone(),
            second: second.name.clone(),
            cards,
            agreement: counted.agreement(),
            adjusted_rand: counted.adjusted(),
            pairs: PairCounts {
                together_in_both: counted.together_in_both,
                together_in_first_only: counted.together_in_first_only,
                together_in_second_only: counted.together_in_second_only,
                apart_in_both: counted.apart_in_both,
            },
            kappa: kappa.map(|k| KappaView {
                observed: k.observed,
                expected: k.expected,
                kappa: k.kappa,
            }),
            same_codes,
        },
        agreement::cross_table(&first.places, &second.places),
    )
}

#[derive(Deserialize, IntoParams, Default)]
pub struct CompareParams {
    /// `board` or `sorting-{id}`.
    #[serde(default)]
    pub a: String,
    /// `board` or `sorting-{id}`.
    #[serde(default)]
    pub b: String,
    /// The level of the board's groups to compare at, 1 being the top; the lowest (the group
    /// just above each card) when absent.
    #[serde(default)]
    pub level: String,
}

impl CompareParams {
    /// The level asked for; anything but a whole number from 1 is the lowest.
    pub fn level(&self) -> Option<usize> {
        self.level.trim().parse().ok().filter(|level| *level > 0)
    }
}

/// A sorting ready to store: its code set and where each card goes.
pub type Checked = (Vec<String>, BTreeMap<i64, String>);

/// Checks a sorting as sent: labels within length, and within the code set when there is one.
/// Returns the code set and places, or the messages for the sorter (by card field).
pub fn check(
    codes: &str,
    places: BTreeMap<i64, String>,
    lang: Lang,
) -> Result<Checked, FormErrors> {
    let mut code_set: Vec<String> = Vec::new();
    for code in codes.lines().map(text::normalize_line) {
        if !code.is_empty() && !code_set.contains(&code) {
            code_set.push(code);
        }
    }
    let mut errors = FormErrors::default();
    let places: BTreeMap<i64, String> = places
        .into_iter()
        .map(|(card, label)| (card, text::normalize_line(&label)))
        .collect();
    for (card, label) in &places {
        let field = format!("card-{card}");
        let card = card.to_string();
        if label.chars().count() > MAX_LABEL_CHARS {
            let message = kizuki_i18n::format(lang, "qda.sorting.too_long", &[("card", &card)]);
            errors.add_text(&field, message);
        } else if !code_set.is_empty() && !label.is_empty() && !code_set.contains(label) {
            let message = kizuki_i18n::format(
                lang,
                "qda.sorting.not_a_code",
                &[("card", &card), ("label", label)],
            );
            errors.add_text(&field, message);
        }
    }
    if errors.is_empty() {
        Ok((code_set, places))
    } else {
        Err(errors)
    }
}
