//! The intercoder check: each researcher sorts the project's cards on their own (free labels,
//! or a fixed code set), and any two sortings — or a sorting and the board — are compared:
//! agreement on every pair of cards ("together" or "apart"), the adjusted Rand index, and
//! Cohen's κ when both used the same codes (see `kizuki_domain::qda::agreement`).

use std::collections::{BTreeMap, BTreeSet};

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use kizuki_domain::qda::agreement;
use kizuki_i18n::Lang;
use kizuki_store::{QdaNode, QdaProject, StoreError};
use serde::Deserialize;

use super::project;
use crate::context::{CurrentUser, RequestContext};
use crate::error::AppError;
use crate::form_errors::FormErrors;
use crate::forms::{CleanForm, redirect_with_flash, with_status};
use crate::qda_agreement::{
    CompareParams, Comparison, Loaded, board_rows, board_sorting, check, compare, load_sides,
};
use crate::state::AppState;
use crate::views::{self, Chrome};

const MAX_CROSS: usize = 20;

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
