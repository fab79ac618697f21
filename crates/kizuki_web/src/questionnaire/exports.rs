//! Questionnaire files: the answers in random order, the coded tallies (suppressed as on the
//! page), and the codebook (questions, choices, categories and their definitions) as CSV and
//! JSON. No file holds anything about codes.

use kizuki_domain::questionnaire::QuestionKind;
use kizuki_i18n::Lang;
use serde::Serialize;

use super::results::{self, Material};
use crate::format::Localized;

fn t(lang: Lang, key: &str) -> String {
    kizuki_i18n::text(lang, key).to_owned()
}

fn prompt(lang: Lang, question: &kizuki_domain::questionnaire::Question) -> String {
    Localized::pick(lang, &question.prompt, &question.prompt_en).text
}

/// One row per person who answered, in the order of the random keys; one column per question
/// (and, for free text, one for the lead coder's categories). Empty unless results are released.
pub fn answers(material: &Material, lang: Lang) -> Vec<Vec<String>> {
    let q = &material.questionnaire;
    let mut header = vec![t(lang, "results.column.answer")];
    for question in &q.questions {
        header.push(prompt(lang, question));
        if question.kind == QuestionKind::FreeText {
            header.push(format!(
                "{} — {}",
                prompt(lang, question),
                t(lang, "results.column.categories")
            ));
        }
    }
    let mut rows = vec![header];
    if !material.released() {
        return rows;
    }
    let lead = material.lead_coder();
    for (number, response) in material.responses.iter().enumerate() {
        let mut row = vec![(number + 1).to_string()];
        for question in &q.questions {
            let answer = response.answers.get(&question.id);
            let cell = match (question.kind, answer) {
                (_, None) => String::new(),
                (QuestionKind::FreeText, Some(a)) => a.text().unwrap_or_default().to_owned(),
                (QuestionKind::Rating, Some(a)) => a
                    .values()
                    .iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join("; "),
                (_, Some(a)) => a
                    .values()
                    .iter()
                    .filter_map(|v| question.options.get((*v - 1) as usize))
                    .map(|o| Localized::pick(lang, &o.label, &o.label_en).text)
                    .collect::<Vec<_>>()
                    .join("; "),
            };
            row.push(cell);
            if question.kind == QuestionKind::FreeText {
                let codes = lead
                    .map(|l| material.codes_of(l, question.id))
                    .unwrap_or_default();
                let labels: Vec<String> = codes
                    .get(response.id.as_str())
                    .into_iter()
                    .flatten()
                    .filter_map(|id| material.categories.iter().find(|c| c.id == *id))
                    .map(|c| c.label.clone())
                    .collect();
                row.push(labels.join("; "));
            }
        }
        rows.push(row);
    }
    rows
}

/// One row per choice, point or category: question, label, count as shown, and of how many.
pub fn tallies(material: &Material, lang: Lang) -> Vec<Vec<String>> {
    let results = results::results(material);
    let mut rows = vec![vec![
        t(lang, "results.column.question"),
        t(lang, "results.column.item"),
        t(lang, "results.column.count"),
        t(lang, "results.column.of"),
    ]];
    for question in &results.questions {
        for row in &question.tally {
            rows.push(vec![
                Localized::pick(lang, &question.prompt, &question.prompt_en).text,
                Localized::pick(lang, &row.label, &row.label_en).text,
                row.count.shown.clone(),
                question.answered.shown.clone(),
            ]);
        }
    }
    rows
}

/// The codebook as CSV: a row per question, then its choices or categories.
pub fn codebook_rows(material: &Material) -> Vec<Vec<String>> {
    let mut rows = vec![
        [
            "question_id",
            "question",
            "question_en",
            "kind",
            "code",
            "label",
            "label_en",
            "definition",
        ]
        .map(str::to_owned)
        .to_vec(),
    ];
    for entry in codebook(material).questions {
        rows.push(vec![
            entry.id.to_string(),
            entry.prompt.clone(),
            entry.prompt_en.clone(),
            entry.kind.to_owned(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ]);
        for code in entry.options.iter().chain(&entry.categories) {
            rows.push(vec![
                entry.id.to_string(),
                String::new(),
                String::new(),
                String::new(),
                code.code.clone(),
                code.label.clone(),
                code.label_en.clone(),
                code.definition.clone(),
            ]);
        }
    }
    rows
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Codebook {
    pub questionnaire_id: i64,
    pub title: String,
    pub title_en: String,
    pub questions: Vec<CodebookQuestion>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CodebookQuestion {
    pub id: i64,
    pub kind: &'static str,
    pub prompt: String,
    pub prompt_en: String,
    /// Choices (code "1", "2", …) or a rating scale's points.
    pub options: Vec<CodebookEntry>,
    /// Categories of a free-text question (code "c{id}").
    pub categories: Vec<CodebookEntry>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CodebookEntry {
    pub code: String,
    pub label: String,
    pub label_en: String,
    pub definition: String,
}

pub fn codebook(material: &Material) -> Codebook {
    let q = &material.questionnaire;
    Codebook {
        questionnaire_id: q.id,
        title: q.title.clone(),
        title_en: q.title_en.clone(),
        questions: q
            .questions
            .iter()
            .map(|question| CodebookQuestion {
                id: question.id,
                kind: question.kind.as_str(),
                prompt: question.prompt.clone(),
                prompt_en: question.prompt_en.clone(),
                options: match question.kind {
                    QuestionKind::Rating => (1..=question.scale)
                        .map(|p| CodebookEntry {
                            code: p.to_string(),
                            label: p.to_string(),
                            label_en: p.to_string(),
                            definition: String::new(),
                        })
                        .collect(),
                    _ => question
                        .options
                        .iter()
                        .enumerate()
                        .map(|(i, o)| CodebookEntry {
                            code: (i + 1).to_string(),
                            label: o.label.clone(),
                            label_en: o.label_en.clone(),
                            definition: String::new(),
                        })
                        .collect(),
                },
                categories: material
                    .categories_of(question.id)
                    .into_iter()
                    .map(|c| CodebookEntry {
                        code: format!("c{}", c.id),
                        label: c.label.clone(),
                        label_en: String::new(),
                        definition: c.definition.clone(),
                    })
                    .collect(),
            })
            .collect(),
    }
}
