//! The intercoder check: each researcher sorts the project's cards on their own (free labels,
//! or a fixed code set), and any two sortings — or a sorting and the board — are compared:
//! agreement on every pair of cards ("together" or "apart"), the adjusted Rand index, and
//! Cohen's κ when both used the same codes (see `kizuki_domain::qda::agreement`).

use std::collections::{BTreeMap, BTreeSet};

use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kizuki_domain::qda::agreement::{self, Sorting};
use kizuki_domain::qda::tree;
use kizuki_domain::text;
use kizuki_i18n::Lang;
use kizuki_store::{QdaNode, QdaProject, QdaSorting, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::project;
use crate::api::CleanJsonBody;
use crate::context::{CurrentUser, RequestContext};
use crate::error::{AppError, ErrorKind, api_error};
use crate::forms::{CleanForm, redirect_with_flash, with_status};
use crate::pages::manage::FormErrors;
use crate::state::AppState;
use crate::views::{self, Chrome};

const MAX_LABEL_CHARS: usize = 200;
const MAX_CROSS: usize = 20;

/// The board as a sorting at one level: each card under its group `level` levels from the top
/// (1 the top), or under the group just above it when `level` is none or deeper than the card
/// lies ("" for a card in no group).
fn board_sorting(rows: &[tree::Row], level: Option<usize>) -> Sorting {
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
fn board_rows(nodes: &[QdaNode]) -> Vec<tree::Row> {
    let tree: Vec<_> = nodes.iter().map(QdaNode::as_tree_node).collect();
    tree::rows(&tree)
}

/// One side of a comparison: its name, where it put each card, the codes it sorted into.
struct Side {
    key: String,
    name: String,
    places: Sorting,
    codes: BTreeSet<String>,
}

/// What a comparison is made of.
struct Loaded {
    sides: Vec<Side>,
    /// The project's sortings as stored.
    sortings: Vec<QdaSorting>,
    /// How many levels of groups the board has above its deepest card.
    levels: usize,
}

/// The board (at `level`) and every sorting of the project.
async fn load_sides(
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

fn sides(
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
    together_in_both: u64,
    together_in_first_only: u64,
    together_in_second_only: u64,
    apart_in_both: u64,
}

#[derive(Serialize, ToSchema)]
pub struct KappaView {
    observed: f64,
    expected: f64,
    /// Absent when chance alone would agree fully.
    kappa: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct Comparison {
    first: String,
    second: String,
    /// Cards placed by both (a card made after a sorting was saved is not in it).
    cards: usize,
    pairs: PairCounts,
    /// The share of pairs both put together or both kept apart (Rand index).
    agreement: Option<f64>,
    adjusted_rand: Option<f64>,
    /// Cohen's κ over the cards, when both sorted into the same codes.
    kappa: Option<KappaView>,
    same_codes: bool,
}

fn compare(first: &Side, second: &Side) -> (Comparison, agreement::CrossTable) {
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
    a: String,
    /// `board` or `sorting-{id}`.
    #[serde(default)]
    b: String,
    /// The level of the board's groups to compare at, 1 being the top; the lowest (the group
    /// just above each card) when absent.
    #[serde(default)]
    level: String,
}

impl CompareParams {
    /// The level asked for; anything but a whole number from 1 is the lowest.
    fn level(&self) -> Option<usize> {
        self.level.trim().parse().ok().filter(|level| *level > 0)
    }
}

pub struct Choice {
    pub key: String,
    pub name: String,
}

pub struct CrossRow {
    pub label: String,
    pub cells: Vec<usize>,
}

#[derive(Template)]
#[template(path = "research/agreement.html")]
pub struct AgreementView {
    pub page: Chrome,
    pub base: String,
    pub name: String,
    pub choices: Vec<Choice>,
    pub a: String,
    pub b: String,
    pub mine: bool,
    pub result: Option<Comparison>,
    pub figures: Vec<(String, String)>,
    pub columns: Vec<String>,
    pub rows: Vec<CrossRow>,
    pub cut: bool,
    /// The board's levels to choose from (value, name) and the one chosen ("" the lowest).
    pub levels: Vec<(String, String)>,
    pub level: String,
}

fn percent(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| format!("{:.1}%", v * 100.0))
}

fn decimal(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| format!("{v:.3}"))
}

fn lone(label: &str, lang: Lang) -> String {
    if label.is_empty() {
        kizuki_i18n::text(lang, "qda.agreement.lone").to_owned()
    } else {
        label.to_owned()
    }
}

pub async fn page(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    Query(params): Query<CompareParams>,
) -> Result<Response, AppError> {
    let project = project(&state, &id, user.id).await?;
    let lang = context.lang;
    let level = params.level();
    let Loaded {
        sides,
        sortings,
        levels: depth,
    } = load_sides(&state, &project, lang, level).await?;
    let mut levels = vec![(
        String::new(),
        kizuki_i18n::text(lang, "qda.agreement.level_lowest").to_owned(),
    )];
    levels.extend((1..depth).map(|n| {
        (
            n.to_string(),
            kizuki_i18n::format(lang, "qda.agreement.level_n", &[("n", &n.to_string())]),
        )
    }));
    let pick = |key: &str| sides.iter().find(|s| s.key == key);
    let a = if params.a.is_empty() {
        "board".to_owned()
    } else {
        params.a
    };
    let b = if params.b.is_empty() {
        sides.get(1).map(|s| s.key.clone()).unwrap_or_default()
    } else {
        params.b
    };
    let compared = pick(&a).zip(pick(&b)).map(|(x, y)| compare(x, y));
    let mut view = AgreementView {
        page: Chrome::new(&state, &context, "qda.agreement.title"),
        base: super::project_base(&context, project.id),
        name: project.name.clone(),
        choices: sides
            .iter()
            .map(|s| Choice {
                key: s.key.clone(),
                name: s.name.clone(),
            })
            .collect(),
        mine: sortings.iter().any(|s| s.user_id == user.id),
        a,
        b,
        result: None,
        figures: Vec::new(),
        columns: Vec::new(),
        rows: Vec::new(),
        cut: false,
        levels,
        level: level.map(|l| l.to_string()).unwrap_or_default(),
    };
    if let Some((result, table)) = compared {
        let t = |key: &str| kizuki_i18n::text(lang, key).to_owned();
        view.figures = vec![
            (t("qda.agreement.cards"), result.cards.to_string()),
            (
                t("qda.agreement.both_together"),
                result.pairs.together_in_both.to_string(),
            ),
            (
                t("qda.agreement.first_only"),
                result.pairs.together_in_first_only.to_string(),
            ),
            (
                t("qda.agreement.second_only"),
                result.pairs.together_in_second_only.to_string(),
            ),
            (
                t("qda.agreement.both_apart"),
                result.pairs.apart_in_both.to_string(),
            ),
            (t("qda.agreement.rand"), percent(result.agreement)),
            (t("qda.agreement.adjusted"), decimal(result.adjusted_rand)),
            (
                t("qda.agreement.kappa"),
                match &result.kappa {
                    Some(k) => kizuki_i18n::format(
                        lang,
                        "qda.agreement.kappa_value",
                        &[
                            ("kappa", &decimal(k.kappa)),
                            ("observed", &percent(Some(k.observed))),
                            ("expected", &percent(Some(k.expected))),
                        ],
                    ),
                    None => t("qda.agreement.kappa_none"),
                },
            ),
        ];
        view.cut = table.rows.len() > MAX_CROSS || table.columns.len() > MAX_CROSS;
        view.columns = table
            .columns
            .iter()
            .take(MAX_CROSS)
            .map(|c| lone(c, lang))
            .collect();
        view.rows = table
            .rows
            .iter()
            .zip(&table.cells)
            .take(MAX_CROSS)
            .map(|(label, cells)| CrossRow {
                label: lone(label, lang),
                cells: cells.iter().take(MAX_CROSS).copied().collect(),
            })
            .collect();
        view.result = Some(result);
    }
    Ok(views::render(&view))
}

/// Compares two sortings of a project's cards, or a sorting and the board (`board`): pairs
/// of cards put together or kept apart, the Rand and adjusted Rand indices, and Cohen's κ when
/// both sorted into the same codes.
#[utoipa::path(get, path = "/api/v1/qda/projects/{id}/agreement", tag = "qda",
    params(("id" = i64, Path, description = "Project id"), CompareParams),
    responses((status = 200, body = Comparison), (status = 404, body = crate::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn compare_api(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    Query(params): Query<CompareParams>,
) -> Result<Response, AppError> {
    let project = project(&state, &id, user.id).await?;
    let sides = load_sides(&state, &project, context.lang, params.level())
        .await?
        .sides;
    let pick = |key: &str| sides.iter().find(|s| s.key == key);
    match pick(&params.a).zip(pick(&params.b)) {
        Some((a, b)) => Ok(Json(compare(a, b).0).into_response()),
        None => Ok(api_error(
            ErrorKind::NotFound,
            "Give a and b as board or sorting-{id} of this project.",
        )),
    }
}

/// A card on the sorting page, with where this sorter put it.
pub struct SortCard {
    pub id: i64,
    pub quote: String,
    pub label: String,
    pub place: String,
}

impl SortCard {
    /// The field its mistakes are filed under, which is also its input's id.
    pub fn field(&self) -> String {
        format!("card-{}", self.id)
    }
}

#[derive(Template)]
#[template(path = "research/sorting.html")]
pub struct SortingView {
    pub page: Chrome,
    pub base: String,
    pub name: String,
    pub codes: String,
    pub code_list: Vec<String>,
    pub cards: Vec<SortCard>,
    pub used: Vec<String>,
    pub errors: FormErrors,
}

fn sorting_view(
    state: &AppState,
    context: &RequestContext,
    project: &QdaProject,
    nodes: &[QdaNode],
    codes: String,
    places: &BTreeMap<i64, String>,
    errors: FormErrors,
) -> SortingView {
    let code_list: Vec<String> = codes.lines().map(str::to_owned).collect();
    let used: BTreeSet<String> = places.values().filter(|l| !l.is_empty()).cloned().collect();
    let page = super::project_chrome(state, context, "qda.sorting.title_of", project);
    SortingView {
        page,
        base: super::project_base(context, project.id),
        name: project.name.clone(),
        cards: nodes
            .iter()
            .filter(|n| !n.is_group)
            .map(|n| SortCard {
                id: n.id,
                quote: n.quote.clone().unwrap_or_default(),
                label: n.label.clone(),
                place: places.get(&n.id).cloned().unwrap_or_default(),
            })
            .collect(),
        codes,
        code_list,
        used: used.into_iter().collect(),
        errors,
    }
}

#[derive(Deserialize, Default)]
pub struct SortingParams {
    /// `board`: start the code set from the board's group labels.
    #[serde(default)]
    codes: String,
}

/// My own sorting: every card with the label I gave it (others' sortings are not shown, so
/// that each sorts without seeing the other).
pub async fn sorting_page(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    Query(params): Query<SortingParams>,
) -> Result<Response, AppError> {
    let project = project(&state, &id, user.id).await?;
    let nodes = state.store().qda_nodes(project.id).await?;
    let sortings = state.store().qda_sortings(project.id).await?;
    let mine = sortings.into_iter().find(|s| s.user_id == user.id);
    let mut codes = mine
        .as_ref()
        .map(|s| s.code_set.join("\n"))
        .unwrap_or_default();
    if params.codes == "board" {
        codes = agreement::codes(&board_sorting(&board_rows(&nodes), None))
            .into_iter()
            .collect::<Vec<_>>()
            .join("\n");
    }
    let places = mine.map(|s| s.places).unwrap_or_default();
    Ok(views::render(&sorting_view(
        &state,
        &context,
        &project,
        &nodes,
        codes,
        &places,
        FormErrors::default(),
    )))
}

/// A sorting ready to store: its code set and where each card goes.
type Checked = (Vec<String>, BTreeMap<i64, String>);

/// Checks a sorting as sent: labels within length, and within the code set when there is one.
/// Returns the code set and places, or the messages for the sorter (by card field).
fn check(codes: &str, places: BTreeMap<i64, String>, lang: Lang) -> Result<Checked, FormErrors> {
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

pub async fn save_sorting(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    CleanForm(form): CleanForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let project = project(&state, &id, user.id).await?;
    let codes = form
        .iter()
        .find(|(k, _)| k == "codes")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let places: BTreeMap<i64, String> = form
        .into_iter()
        .filter_map(|(key, value)| Some((key.strip_prefix("card-")?.parse().ok()?, value)))
        .collect();
    let errors = match check(&codes, places.clone(), context.lang) {
        Ok((code_set, checked)) => match state
            .store()
            .save_qda_sorting(project.id, user.id, &code_set, &checked, state.now())
            .await
        {
            Ok(_) => {
                return Ok(redirect_with_flash(
                    &context,
                    &format!("/research/projects/{}/agreement", project.id),
                    "flash.qda_sorting_saved",
                ));
            }
            Err(StoreError::Refused(_)) => {
                let mut errors = FormErrors::default();
                errors.add(context.lang, FormErrors::WHOLE_FORM, "qda.sorting.stale");
                errors
            }
            Err(other) => return Err(other.into()),
        },
        Err(errors) => errors,
    };
    // Refused: the page again, as typed.
    let nodes = state.store().qda_nodes(project.id).await?;
    let view = sorting_view(&state, &context, &project, &nodes, codes, &places, errors);
    Ok(with_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        views::render(&view),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct SortingBody {
    /// The codes to sort into; leave out for free labels.
    #[serde(default)]
    code_set: Vec<String>,
    /// Card id → label ("" leaves the card alone, 一匹狼).
    places: BTreeMap<i64, String>,
}

#[derive(Serialize, ToSchema)]
pub struct SortingSaved {
    id: i64,
    /// The key to compare it by: `sorting-{id}`.
    key: String,
}

/// Saves the caller's own sorting of the project's cards, whole (the intercoder check).
#[utoipa::path(put, path = "/api/v1/qda/projects/{id}/sorting", tag = "qda", request_body = SortingBody,
    params(("id" = i64, Path, description = "Project id")),
    responses((status = 200, body = SortingSaved), (status = 422, body = crate::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn save_sorting_api(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    CleanJsonBody(body): CleanJsonBody<SortingBody>,
) -> Result<Response, AppError> {
    let project = project(&state, &id, user.id).await?;
    let (code_set, places) = match check(&body.code_set.join("\n"), body.places, Lang::En) {
        Ok(checked) => checked,
        Err(errors) => {
            return Ok(api_error(ErrorKind::Unprocessable, &errors.all().join(" ")));
        }
    };
    match state
        .store()
        .save_qda_sorting(project.id, user.id, &code_set, &places, state.now())
        .await
    {
        Ok(id) => Ok(Json(SortingSaved {
            id,
            key: format!("sorting-{id}"),
        })
        .into_response()),
        Err(StoreError::Refused(_)) => Ok(api_error(
            ErrorKind::Unprocessable,
            "Every key of places must be a card of this project.",
        )),
        Err(other) => Err(other.into()),
    }
}
