//! Results of a closed questionnaire, with small cells hidden. Nothing is released before the
//! questionnaire closes or while fewer than k people have answered; after that every count below
//! k is hidden ("x"), and further cells are hidden until no reader can work a small one out from
//! everything the table shows (`kizuki_domain::questionnaire::suppression::protect`).

use std::collections::{BTreeMap, BTreeSet};

use kizuki_domain::questionnaire::suppression::{self, Shown};
use kizuki_domain::questionnaire::{Question, QuestionKind};
use kizuki_store::{Category, CodingRow, Questionnaire, Response, StoreError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::state::AppState;

/// Everything read to make results; loaded once.
pub struct Material {
    pub questionnaire: Questionnaire,
    pub responses: Vec<Response>,
    pub categories: Vec<Category>,
    pub coding: Vec<CodingRow>,
    pub quotes: BTreeSet<(String, i64)>,
    pub closed: bool,
}

impl Material {
    /// Loads a questionnaire's material, sealing its answers first if it has closed.
    pub async fn load(state: &AppState, id: i64) -> Result<Material, StoreError> {
        let store = state.store();
        // Sealing changes nothing the material reads of the questionnaire itself.
        let questionnaire = store.questionnaire(id).await?;
        let closed = super::sealed(state, &questionnaire).await?;
        Ok(Material {
            responses: if closed {
                store.responses(id).await?
            } else {
                Vec::new()
            },
            categories: store.categories(id).await?,
            coding: if closed {
                store.coding(id).await?
            } else {
                Vec::new()
            },
            quotes: store.quotes(id).await?.into_iter().collect(),
            questionnaire,
            closed,
        })
    }

    /// Whether answers may be shown: closed, and at least k of them.
    pub fn released(&self) -> bool {
        self.closed && self.responses.len() as i64 >= self.questionnaire.min_cell
    }

    /// The coder whose codes make the tallies: the one chosen, or else the first who coded.
    pub fn lead_coder(&self) -> Option<i64> {
        self.questionnaire
            .lead_coder_id
            .or_else(|| self.coding.iter().map(|c| c.coder_id).min())
    }

    /// The categories `coder` gave each answer to `question`.
    pub fn codes_of(&self, coder: i64, question: i64) -> BTreeMap<&str, BTreeSet<i64>> {
        let of_question: BTreeSet<i64> = self
            .categories
            .iter()
            .filter(|c| c.question_id == question)
            .map(|c| c.id)
            .collect();
        let mut codes: BTreeMap<&str, BTreeSet<i64>> = BTreeMap::new();
        for row in &self.coding {
            if row.coder_id == coder && of_question.contains(&row.category_id) {
                codes
                    .entry(row.response_id.as_str())
                    .or_default()
                    .insert(row.category_id);
            }
        }
        codes
    }

    pub fn categories_of(&self, question: i64) -> Vec<&Category> {
        self.categories
            .iter()
            .filter(|c| c.question_id == question)
            .collect()
    }

    /// The values a response has for a question: choices or points, or for free text the lead
    /// coder's categories.
    fn values(
        &self,
        response: &Response,
        question: &Question,
        lead: &BTreeMap<&str, BTreeSet<i64>>,
    ) -> Vec<i64> {
        match response.answers.get(&question.id) {
            None => Vec::new(),
            Some(_) if question.kind == QuestionKind::FreeText => lead
                .get(response.id.as_str())
                .map(|set| set.iter().copied().collect())
                .unwrap_or_default(),
            Some(answer) => answer.values(),
        }
    }

    /// The rows a question can be counted in: (key, label, label in English, definition).
    fn levels(&self, question: &Question) -> Vec<(i64, String, String, String)> {
        match question.kind {
            QuestionKind::FreeText => self
                .categories_of(question.id)
                .into_iter()
                .map(|c| (c.id, c.label.clone(), c.label.clone(), c.definition.clone()))
                .collect(),
            QuestionKind::Rating => (1..=question.scale)
                .map(|point| {
                    let end = |i: usize, en: bool| {
                        question.options.get(i).map_or(String::new(), |o| {
                            format!(
                                " ({})",
                                if en && !o.label_en.is_empty() {
                                    &o.label_en
                                } else {
                                    &o.label
                                }
                            )
                        })
                    };
                    let (ja, en) = if point == 1 {
                        (end(0, false), end(0, true))
                    } else if point == question.scale {
                        (end(1, false), end(1, true))
                    } else {
                        (String::new(), String::new())
                    };
                    (
                        point,
                        format!("{point}{ja}"),
                        format!("{point}{en}"),
                        String::new(),
                    )
                })
                .collect(),
            _ => question
                .options
                .iter()
                .enumerate()
                .map(|(i, o)| {
                    (
                        i as i64 + 1,
                        o.label.clone(),
                        o.label_en.clone(),
                        String::new(),
                    )
                })
                .collect(),
        }
    }
}

/// A count as it may be shown.
#[derive(Clone, Debug, Serialize, ToSchema, PartialEq, Eq)]
pub struct Cell {
    /// The count, or null when it is hidden.
    pub count: Option<i64>,
    /// As printed: the count, or "x" for a hidden one (below k, or hidden so that one below k
    /// cannot be worked out; the two look the same on purpose).
    pub shown: String,
    /// null, or "hidden".
    pub suppressed: Option<&'static str>,
}

/// How a hidden count is printed, in every view and export (as in Japan's official statistics).
pub const HIDDEN: &str = "x";

impl Cell {
    fn of(shown: Shown) -> Cell {
        match shown {
            Shown::Count(n) => Cell {
                count: Some(n),
                shown: n.to_string(),
                suppressed: None,
            },
            Shown::Hidden => Cell {
                count: None,
                shown: HIDDEN.to_owned(),
                suppressed: Some("hidden"),
            },
        }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TallyRow {
    /// The choice or point (from 1), or the category id; 0 for answers not yet coded, -1 for
    /// those who left the question blank.
    pub key: i64,
    pub label: String,
    pub label_en: String,
    pub definition: String,
    pub count: Cell,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TextAnswer {
    /// A random key: the order of answers says nothing about who wrote them or when.
    pub response_id: String,
    pub text: String,
    /// The lead coder's categories.
    pub categories: Vec<i64>,
    /// Chosen as a quote for the report.
    pub quoted: bool,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct QuestionResult {
    pub id: i64,
    /// free_text, single_choice, multiple_choice or rating.
    pub kind: &'static str,
    pub prompt: String,
    pub prompt_en: String,
    /// How many answered this question.
    pub answered: Cell,
    /// Per choice or point; for free text, per category of the lead coder.
    pub tally: Vec<TallyRow>,
    /// Free-text answers, in random order.
    pub answers: Vec<TextAnswer>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Results {
    pub questionnaire_id: i64,
    /// The smallest count shown.
    pub k: i64,
    pub closed: bool,
    /// Whether results are shown: closed, and at least k answers.
    pub released: bool,
    /// How many answered, once released.
    pub responses: Option<i64>,
    pub questions: Vec<QuestionResult>,
}

/// The label keys of the row of answers not yet coded, and of the row of those who left a
/// question blank.
pub const UNCODED: &str = "results.uncoded";
pub const NO_ANSWER: &str = "results.no_answer";

fn label_row(key: i64, label: &str) -> (i64, String, String, String) {
    (
        key,
        kizuki_i18n::text(kizuki_i18n::Lang::Ja, label).to_owned(),
        kizuki_i18n::text(kizuki_i18n::Lang::En, label).to_owned(),
        String::new(),
    )
}

pub fn results(material: &Material) -> Results {
    let q = &material.questionnaire;
    let k = q.min_cell;
    let released = material.released();
    let lead = material.lead_coder();
    let questions = if released {
        q.questions
            .iter()
            .map(|question| question_result(material, question, lead))
            .collect()
    } else {
        Vec::new()
    };
    Results {
        questionnaire_id: q.id,
        k,
        closed: material.closed,
        released,
        responses: released.then_some(material.responses.len() as i64),
        questions,
    }
}

fn question_result(material: &Material, question: &Question, lead: Option<i64>) -> QuestionResult {
    let k = material.questionnaire.min_cell;
    let lead_codes = lead
        .map(|l| material.codes_of(l, question.id))
        .unwrap_or_default();
    let answering: Vec<&Response> = material
        .responses
        .iter()
        .filter(|r| r.answers.contains_key(&question.id))
        .collect();
    let levels = material.levels(question);
    let mut counts: Vec<i64> = levels
        .iter()
        .map(|(key, ..)| {
            answering
                .iter()
                .filter(|r| material.values(r, question, &lead_codes).contains(key))
                .count() as i64
        })
        .collect();
    let mut rows: Vec<(i64, String, String, String)> = levels;
    if question.kind == QuestionKind::FreeText && !rows.is_empty() {
        let uncoded = answering
            .iter()
            .filter(|r| material.values(r, question, &lead_codes).is_empty())
            .count() as i64;
        if uncoded > 0 {
            counts.push(uncoded);
            rows.push(label_row(0, UNCODED));
        }
    }
    // Those who left the question blank join the line, whose total is everyone who answered the
    // questionnaire: otherwise "12 answered" beside "13 answers" would give away a small number.
    let skipped = (material.responses.len() - answering.len()) as i64;
    if skipped > 0 {
        counts.push(skipped);
        rows.push(label_row(-1, NO_ANSWER));
    }
    let (shown, _) = suppression::tally(&counts, material.responses.len() as i64, k);
    let answered = match shown.last() {
        Some(hidden) if skipped > 0 && hidden.count().is_none() => Shown::Hidden,
        _ if (answering.len() as i64) < k => Shown::Hidden,
        _ => Shown::Count(answering.len() as i64),
    };
    let tally = rows
        .into_iter()
        .zip(shown)
        .map(|((key, label, label_en, definition), shown)| TallyRow {
            key,
            label,
            label_en,
            definition,
            count: Cell::of(shown),
        })
        .collect();
    let answers = if question.kind == QuestionKind::FreeText {
        answering
            .iter()
            .filter_map(|r| {
                let text = r.answers.get(&question.id)?.text()?.to_owned();
                Some(TextAnswer {
                    response_id: r.id.clone(),
                    text,
                    categories: lead_codes
                        .get(r.id.as_str())
                        .map(|s| s.iter().copied().collect())
                        .unwrap_or_default(),
                    quoted: material.quotes.contains(&(r.id.clone(), question.id)),
                })
            })
            .collect()
    } else {
        Vec::new()
    };
    QuestionResult {
        id: question.id,
        kind: question.kind.as_str(),
        prompt: question.prompt.clone(),
        prompt_en: question.prompt_en.clone(),
        answered: Cell::of(answered),
        tally,
        answers,
    }
}

/// A cross-tabulation of two questions (choices, points or the lead coder's categories).
#[derive(Clone, Debug, Serialize)]
pub struct CrossTab {
    pub rows: Vec<(String, String)>,
    pub columns: Vec<(String, String)>,
    pub cells: Vec<Vec<Cell>>,
    pub row_totals: Vec<Cell>,
    pub column_totals: Vec<Cell>,
    pub total: Cell,
}

pub fn cross_tab(material: &Material, rows: i64, columns: i64) -> Option<CrossTab> {
    if !material.released() || rows == columns {
        return None;
    }
    let q = &material.questionnaire;
    let row_q = q.questions.iter().find(|x| x.id == rows)?;
    let column_q = q.questions.iter().find(|x| x.id == columns)?;
    let lead = material.lead_coder();
    let row_codes = lead.map(|l| material.codes_of(l, rows)).unwrap_or_default();
    let column_codes = lead
        .map(|l| material.codes_of(l, columns))
        .unwrap_or_default();
    if material.levels(row_q).is_empty() || material.levels(column_q).is_empty() {
        return None;
    }
    // Every response lands in the table: those who left a question blank (or whose answer is
    // not coded yet) get a row or column of their own, so the totals cannot be set against the
    // number of answers to give away a small number.
    let cells_of = |response: &Response, question: &Question, codes| {
        let values = material.values(response, question, codes);
        match (
            values.is_empty(),
            response.answers.contains_key(&question.id),
        ) {
            (false, _) => values,
            (true, true) => vec![0],
            (true, false) => vec![-1],
        }
    };
    let placed: Vec<(Vec<i64>, Vec<i64>)> = material
        .responses
        .iter()
        .map(|r| {
            (
                cells_of(r, row_q, &row_codes),
                cells_of(r, column_q, &column_codes),
            )
        })
        .collect();
    let with_blanks = |mut levels: Vec<(i64, String, String, String)>, used: BTreeSet<i64>| {
        if used.contains(&0) {
            levels.push(label_row(0, UNCODED));
        }
        if used.contains(&-1) {
            levels.push(label_row(-1, NO_ANSWER));
        }
        levels
    };
    let row_levels = with_blanks(
        material.levels(row_q),
        placed.iter().flat_map(|(r, _)| r.iter().copied()).collect(),
    );
    let column_levels = with_blanks(
        material.levels(column_q),
        placed.iter().flat_map(|(_, c)| c.iter().copied()).collect(),
    );
    let counts: Vec<Vec<i64>> = row_levels
        .iter()
        .map(|(r, ..)| {
            column_levels
                .iter()
                .map(|(c, ..)| {
                    placed
                        .iter()
                        .filter(|(rs, cs)| rs.contains(r) && cs.contains(c))
                        .count() as i64
                })
                .collect()
        })
        .collect();
    let k = q.min_cell;
    let table = suppression::cross_tab(&counts, k);
    Some(CrossTab {
        rows: row_levels.into_iter().map(|(_, l, e, _)| (l, e)).collect(),
        columns: column_levels
            .into_iter()
            .map(|(_, l, e, _)| (l, e))
            .collect(),
        cells: table
            .cells
            .into_iter()
            .map(|row| row.into_iter().map(Cell::of).collect())
            .collect(),
        row_totals: table.row_totals.into_iter().map(Cell::of).collect(),
        column_totals: table.column_totals.into_iter().map(Cell::of).collect(),
        total: Cell::of(table.total),
    })
}
