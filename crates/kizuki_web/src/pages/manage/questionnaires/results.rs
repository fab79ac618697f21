//! Results for organisers and researchers: after close, with at least k answers, every count
//! below k hidden; cross-tabulations; representative quotes; files; and, for administrators,
//! changing k for one questionnaire (recorded in the audit log).

use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use kizuki_domain::questionnaire::QuestionKind;
use kizuki_domain::text;
use kizuki_i18n::Lang;
use serde::Deserialize;

use super::{id_of, phase_label};
use crate::context::{CurrentUser, RequestContext};
use crate::download;
use crate::error::AppError;
use crate::format::Localized;
use crate::forms::{CleanForm, redirect_with_flash};
use crate::questionnaire::exports;
use crate::questionnaire::results::{self, Cell, CrossTab, Material, Results};
use crate::state::AppState;
use crate::views::{self, Chrome};

pub struct TallyLine {
    pub label: Localized,
    pub definition: String,
    pub count: Cell,
}

pub struct QuestionBlock {
    pub prompt: Localized,
    pub answered: Cell,
    pub free_text: bool,
    pub tally: Vec<TallyLine>,
    pub answers: Vec<AnswerLine>,
    pub quotes: Vec<String>,
}

pub struct AnswerLine {
    pub text: String,
    pub categories: String,
    pub quoted: bool,
}

pub struct Axis {
    pub id: i64,
    pub label: Localized,
    pub selected_rows: bool,
    pub selected_columns: bool,
}

#[derive(Template)]
#[template(path = "manage/questionnaire_results.html")]
pub struct ResultsView {
    pub page: Chrome,
    pub base: String,
    pub title: Localized,
    pub phase: &'static str,
    pub closed: bool,
    pub released: bool,
    pub k: String,
    pub responses: String,
    pub blocks: Vec<QuestionBlock>,
    pub axes: Vec<Axis>,
    pub cross: Option<CrossTable>,
}

pub struct CrossRow {
    pub label: Localized,
    pub cells: Vec<Cell>,
    pub total: Cell,
}

pub struct CrossTable {
    pub columns: Vec<Localized>,
    pub rows: Vec<CrossRow>,
    pub column_totals: Vec<Cell>,
    pub total: Cell,
}

fn cross_table(lang: Lang, cross: CrossTab) -> CrossTable {
    let pick = |(ja, en): &(String, String)| Localized::pick(lang, ja, en);
    CrossTable {
        columns: cross.columns.iter().map(pick).collect(),
        rows: cross
            .rows
            .iter()
            .zip(cross.cells)
            .zip(cross.row_totals)
            .map(|((label, cells), total)| CrossRow {
                label: pick(label),
                cells,
                total,
            })
            .collect(),
        column_totals: cross.column_totals,
        total: cross.total,
    }
}

#[derive(Deserialize, Default)]
pub struct CrossQuery {
    #[serde(default)]
    rows: String,
    #[serde(default)]
    columns: String,
}

pub async fn show(
    State(state): State<AppState>,
    context: RequestContext,
    Path(id): Path<String>,
    Query(query): Query<CrossQuery>,
) -> Result<Response, AppError> {
    let material = Material::load(&state, id_of(&id)?).await?;
    let lang = context.lang;
    let q = &material.questionnaire;
    let results: Results = results::results(&material);
    let pick = |ja: &str, en: &str| Localized::pick(lang, ja, en);
    let blocks = results
        .questions
        .iter()
        .map(|question| {
            let label_of = |ids: &[i64]| {
                ids.iter()
                    .filter_map(|id| material.categories.iter().find(|c| c.id == *id))
                    .map(|c| c.label.clone())
                    .collect::<Vec<_>>()
                    .join("、")
            };
            QuestionBlock {
                prompt: pick(&question.prompt, &question.prompt_en),
                answered: question.answered.clone(),
                free_text: question.kind == QuestionKind::FreeText.as_str(),
                tally: question
                    .tally
                    .iter()
                    .map(|row| TallyLine {
                        label: pick(&row.label, &row.label_en),
                        definition: row.definition.clone(),
                        count: row.count.clone(),
                    })
                    .collect(),
                quotes: question
                    .answers
                    .iter()
                    .filter(|a| a.quoted)
                    .map(|a| a.text.clone())
                    .collect(),
                answers: question
                    .answers
                    .iter()
                    .map(|a| AnswerLine {
                        text: a.text.clone(),
                        categories: label_of(&a.categories),
                        quoted: a.quoted,
                    })
                    .collect(),
            }
        })
        .collect();
    let rows: i64 = query.rows.parse().unwrap_or(0);
    let columns: i64 = query.columns.parse().unwrap_or(0);
    let cross = results::cross_tab(&material, rows, columns);
    let axes = q
        .questions
        .iter()
        .filter(|question| {
            question.kind.is_closed() || !material.categories_of(question.id).is_empty()
        })
        .map(|question| Axis {
            id: question.id,
            label: pick(&question.prompt, &question.prompt_en),
            selected_rows: question.id == rows,
            selected_columns: question.id == columns,
        })
        .collect();
    let mut page = Chrome::new(&state, &context, "results.title");
    page.description = None;
    Ok(views::render(&ResultsView {
        base: lang.localize(&format!("/manage/questionnaires/{}", q.id)),
        title: pick(&q.title, &q.title_en),
        phase: phase_label(lang, q.phase(state.now())),
        closed: material.closed,
        released: results.released,
        k: q.min_cell.to_string(),
        responses: results.responses.map(|n| n.to_string()).unwrap_or_default(),
        cross: cross.map(|c| cross_table(lang, c)),
        axes,
        blocks,
        page,
    }))
}

#[derive(Deserialize)]
pub struct MinCellForm {
    #[serde(default)]
    k: String,
    #[serde(default)]
    reason: String,
}

/// Changes k for this questionnaire (administrators), with the reason in the audit log.
pub async fn set_min_cell(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    CleanForm(form): CleanForm<MinCellForm>,
) -> Result<Response, AppError> {
    let id = id_of(&id)?;
    let path = format!("/manage/questionnaires/{id}/results");
    let k = crate::pages::manage::optional_number(&form.k)
        .ok()
        .flatten()
        .filter(|k| (1..=100).contains(k));
    let reason = text::normalize_line(&form.reason);
    let (Some(k), false) = (k, reason.is_empty()) else {
        return Ok(redirect_with_flash(
            &context,
            &path,
            "flash.min_cell_invalid",
        ));
    };
    state
        .store()
        .set_min_cell(id, k, user.id, &reason, state.now())
        .await?;
    Ok(redirect_with_flash(
        &context,
        &path,
        "flash.min_cell_changed",
    ))
}

async fn material(state: &AppState, id: &str) -> Result<Material, AppError> {
    Ok(Material::load(state, id_of(id)?).await?)
}

/// A questionnaire's rows as a CSV file named `{name}-{id}.csv`.
async fn csv_of(
    state: &AppState,
    id: &str,
    name: &str,
    rows: impl FnOnce(&Material) -> Vec<Vec<String>>,
) -> Result<Response, AppError> {
    let material = material(state, id).await?;
    download::csv(
        &rows(&material),
        &format!("{name}-{}.csv", material.questionnaire.id),
    )
}

pub async fn answers_csv(
    State(state): State<AppState>,
    context: RequestContext,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    csv_of(&state, &id, "answers", |m| {
        exports::answers(m, context.lang)
    })
    .await
}

pub async fn tallies_csv(
    State(state): State<AppState>,
    context: RequestContext,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    csv_of(&state, &id, "tallies", |m| {
        exports::tallies(m, context.lang)
    })
    .await
}

pub async fn codebook_csv(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    csv_of(&state, &id, "codebook", exports::codebook_rows).await
}

pub async fn codebook_json(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let material = material(&state, &id).await?;
    let name = format!("codebook-{}.json", material.questionnaire.id);
    Ok(download::attachment(
        Json(exports::codebook(&material)).into_response(),
        "application/json",
        &name,
    ))
}
