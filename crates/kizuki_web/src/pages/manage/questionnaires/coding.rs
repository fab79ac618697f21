//! Researchers' coding of free-text answers: categories with definitions, each coder's own codes
//! (blind: a coder sees only theirs), quotes for the report, and agreement between two coders
//! (percent and Cohen's κ) with the answers they disagree on.

use std::collections::BTreeSet;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use kizuki_domain::questionnaire::QuestionKind;
use kizuki_domain::questionnaire::agreement::{self, Codes};
use kizuki_domain::text;
use kizuki_store::{CategoryInput, StoreError};
use serde::Deserialize;

use super::id_of;
use crate::context::{CurrentUser, RequestContext};
use crate::error::AppError;
use crate::format::Localized;
use crate::forms::{CleanForm, redirect_with_flash};
use crate::questionnaire::results::Material;
use crate::state::AppState;
use crate::views::{self, Chrome};

/// Blank rows offered for new categories.
const NEW_CATEGORY_ROWS: usize = 2;

pub struct CategoryRow {
    pub index: usize,
    pub id: String,
    pub label: String,
    pub definition: String,
}

pub struct CodeChoice {
    pub id: i64,
    pub label: String,
    pub checked: bool,
}

pub struct AnswerRow {
    pub response_id: String,
    pub text: String,
    pub choices: Vec<CodeChoice>,
    pub quoted: bool,
}

pub struct QuestionCoding {
    pub id: i64,
    pub prompt: Localized,
    pub categories: Vec<CategoryRow>,
    pub answers: Vec<AnswerRow>,
    pub coded: usize,
}

#[derive(Template)]
#[template(path = "manage/questionnaire_coding.html")]
pub struct CodingView {
    pub page: Chrome,
    pub base: String,
    pub title: Localized,
    pub released: bool,
    pub lead_name: String,
    pub i_am_lead: bool,
    pub questions: Vec<QuestionCoding>,
}

pub async fn show(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let material = Material::load(&state, id_of(&id)?).await?;
    let lang = context.lang;
    let q = &material.questionnaire;
    let lead = material.lead_coder();
    let coders = state.store().coders(q.id).await?;
    let lead_name = match lead {
        Some(lead) if lead == user.id => user.display_name.clone(),
        Some(lead) => coders
            .iter()
            .find(|(id, _)| *id == lead)
            .map(|(_, name)| name.clone())
            .unwrap_or_default(),
        None => String::new(),
    };
    let released = material.released();
    let questions = q
        .questions
        .iter()
        .filter(|question| question.kind == QuestionKind::FreeText)
        .map(|question| {
            let categories = material.categories_of(question.id);
            let mine = material.codes_of(user.id, question.id);
            let mut rows: Vec<CategoryRow> = categories
                .iter()
                .enumerate()
                .map(|(index, c)| CategoryRow {
                    index,
                    id: c.id.to_string(),
                    label: c.label.clone(),
                    definition: c.definition.clone(),
                })
                .collect();
            for index in rows.len()..rows.len() + NEW_CATEGORY_ROWS {
                rows.push(CategoryRow {
                    index,
                    id: String::new(),
                    label: String::new(),
                    definition: String::new(),
                });
            }
            let answers: Vec<AnswerRow> = if released {
                material
                    .responses
                    .iter()
                    .filter_map(|r| {
                        let text = r.answers.get(&question.id)?.text()?.to_owned();
                        let given = mine.get(r.id.as_str());
                        Some(AnswerRow {
                            response_id: r.id.clone(),
                            text,
                            choices: categories
                                .iter()
                                .map(|c| CodeChoice {
                                    id: c.id,
                                    label: c.label.clone(),
                                    checked: given.is_some_and(|g| g.contains(&c.id)),
                                })
                                .collect(),
                            quoted: material.quotes.contains(&(r.id.clone(), question.id)),
                        })
                    })
                    .collect()
            } else {
                Vec::new()
            };
            QuestionCoding {
                id: question.id,
                prompt: Localized::pick(lang, &question.prompt, &question.prompt_en),
                categories: rows,
                coded: mine.len(),
                answers,
            }
        })
        .collect();
    Ok(views::render(&CodingView {
        page: Chrome::new(&state, &context, "coding.title"),
        base: lang.localize(&format!("/manage/questionnaires/{}", q.id)),
        title: Localized::pick(lang, &q.title, &q.title_en),
        released,
        i_am_lead: lead == Some(user.id),
        lead_name,
        questions,
    }))
}

/// Saves a question's categories (label and definition per row; a row left blank is removed).
pub async fn save_categories(
    State(state): State<AppState>,
    context: RequestContext,
    Path((id, question)): Path<(String, String)>,
    CleanForm(pairs): CleanForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let id = id_of(&id)?;
    let question = id_of(&question)?;
    let get = |name: String| {
        pairs
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.as_str())
            .unwrap_or_default()
    };
    let mut inputs = Vec::new();
    for index in 0..200 {
        if !pairs
            .iter()
            .any(|(key, _)| *key == format!("label_{index}"))
        {
            break;
        }
        let label = text::normalize_line(get(format!("label_{index}")));
        if label.is_empty() {
            continue;
        }
        inputs.push(CategoryInput {
            id: get(format!("id_{index}")).parse().ok(),
            label: label.chars().take(200).collect(),
            definition: text::normalize(get(format!("definition_{index}"))),
        });
    }
    let path = format!("/manage/questionnaires/{id}/coding");
    match state.store().save_categories(id, question, &inputs).await {
        Ok(()) => Ok(redirect_with_flash(
            &context,
            &path,
            "flash.categories_saved",
        )),
        Err(StoreError::NotFound) => Err(AppError::NotFound),
        Err(other) => Err(other.into()),
    }
}

/// Saves the signed-in researcher's codes (and quote marks) for every answer on the form.
pub async fn save_codes(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path((id, question)): Path<(String, String)>,
    CleanForm(pairs): CleanForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let id = id_of(&id)?;
    let question = id_of(&question)?;
    let material = Material::load(&state, id).await?;
    let path = format!("/manage/questionnaires/{id}/coding");
    if !material.released() {
        return Ok(redirect_with_flash(
            &context,
            &path,
            "flash.coding_not_released",
        ));
    }
    let shown: Vec<&str> = pairs
        .iter()
        .filter(|(key, _)| key == "answer")
        .map(|(_, value)| value.as_str())
        .collect();
    for response in shown {
        let codes: Vec<i64> = pairs
            .iter()
            .filter(|(key, _)| *key == format!("code_{response}"))
            .filter_map(|(_, value)| value.parse().ok())
            .collect();
        let quoted = pairs
            .iter()
            .any(|(key, _)| *key == format!("quote_{response}"));
        match state
            .store()
            .code_answer(id, response, question, user.id, &codes)
            .await
        {
            Ok(()) => {}
            Err(StoreError::NotFound | StoreError::Refused(_)) => continue,
            Err(other) => return Err(other.into()),
        }
        state
            .store()
            .set_quote(id, response, question, quoted)
            .await?;
    }
    if material.questionnaire.lead_coder_id.is_none() {
        // The first to code leads until someone else takes it.
        let first = material.lead_coder().unwrap_or(user.id);
        state.store().set_lead_coder(id, first).await?;
    }
    Ok(redirect_with_flash(&context, &path, "flash.codes_saved"))
}

/// Makes the signed-in researcher's codes the ones the tallies use.
pub async fn take_lead(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = id_of(&id)?;
    state.store().questionnaire(id).await?;
    state.store().set_lead_coder(id, user.id).await?;
    Ok(redirect_with_flash(
        &context,
        &format!("/manage/questionnaires/{id}/coding"),
        "flash.lead_coder",
    ))
}

pub struct CoderChoice {
    pub id: i64,
    pub name: String,
    pub selected: bool,
}

pub struct Disagreement {
    pub text: String,
    pub mine: String,
    pub theirs: String,
}

pub struct QuestionAgreement {
    pub prompt: Localized,
    pub compared: usize,
    pub agreed: usize,
    pub percent: String,
    pub kappa: String,
    pub nominal: bool,
    pub per_category: Vec<(String, String)>,
    pub disagreements: Vec<Disagreement>,
}

#[derive(Template)]
#[template(path = "manage/questionnaire_agreement.html")]
pub struct AgreementView {
    pub page: Chrome,
    pub base: String,
    pub title: Localized,
    pub coders: Vec<CoderChoice>,
    pub other_name: String,
    pub questions: Vec<QuestionAgreement>,
}

#[derive(Deserialize, Default)]
pub struct WithQuery {
    #[serde(default)]
    with: String,
}

fn figure(value: Option<f64>, digits: usize) -> String {
    value.map_or_else(|| "—".to_owned(), |v| format!("{v:.digits$}"))
}

/// Compares the signed-in researcher's codes with another coder's.
pub async fn agreement(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    Query(query): Query<WithQuery>,
) -> Result<Response, AppError> {
    let material = Material::load(&state, id_of(&id)?).await?;
    let lang = context.lang;
    let q = &material.questionnaire;
    let others: Vec<(i64, String)> = state
        .store()
        .coders(q.id)
        .await?
        .into_iter()
        .filter(|(id, _)| *id != user.id)
        .collect();
    let other = query
        .with
        .parse::<i64>()
        .ok()
        .filter(|id| others.iter().any(|(o, _)| o == id))
        .or_else(|| others.first().map(|(id, _)| *id));
    let label_of = |ids: Option<&BTreeSet<i64>>| {
        ids.into_iter()
            .flatten()
            .filter_map(|id| material.categories.iter().find(|c| c.id == *id))
            .map(|c| c.label.clone())
            .collect::<Vec<_>>()
            .join("、")
    };
    let questions = match other {
        None => Vec::new(),
        Some(other) => q
            .questions
            .iter()
            .filter(|question| question.kind == QuestionKind::FreeText)
            .map(|question| {
                let mine = material.codes_of(user.id, question.id);
                let theirs = material.codes_of(other, question.id);
                let answering: Vec<_> = material
                    .responses
                    .iter()
                    .filter(|r| r.answers.contains_key(&question.id))
                    .collect();
                let pairs: Vec<(Codes, Codes)> = answering
                    .iter()
                    .map(|r| {
                        (
                            mine.get(r.id.as_str()).cloned().unwrap_or_default(),
                            theirs.get(r.id.as_str()).cloned().unwrap_or_default(),
                        )
                    })
                    .collect();
                let categories = material.categories_of(question.id);
                let ids: Vec<i64> = categories.iter().map(|c| c.id).collect();
                let result = agreement::compare(&pairs, &ids);
                QuestionAgreement {
                    prompt: Localized::pick(lang, &question.prompt, &question.prompt_en),
                    compared: result.compared,
                    agreed: result.agreed,
                    percent: figure(result.percent, 1),
                    kappa: figure(result.kappa, 3),
                    nominal: result.nominal,
                    per_category: result
                        .per_category
                        .iter()
                        .filter_map(|(id, kappa)| {
                            let c = categories.iter().find(|c| c.id == *id)?;
                            Some((c.label.clone(), figure(*kappa, 3)))
                        })
                        .collect(),
                    disagreements: result
                        .disagreements
                        .iter()
                        .filter_map(|&i| {
                            let response = answering.get(i)?;
                            Some(Disagreement {
                                text: response
                                    .answers
                                    .get(&question.id)?
                                    .text()
                                    .unwrap_or_default()
                                    .to_owned(),
                                mine: label_of(mine.get(response.id.as_str())),
                                theirs: label_of(theirs.get(response.id.as_str())),
                            })
                        })
                        .collect(),
                }
            })
            .collect(),
    };
    Ok(views::render(&AgreementView {
        page: Chrome::new(&state, &context, "agreement.title"),
        base: lang.localize(&format!("/manage/questionnaires/{}", q.id)),
        title: Localized::pick(lang, &q.title, &q.title_en),
        other_name: other
            .and_then(|o| others.iter().find(|(id, _)| *id == o))
            .map(|(_, name)| name.clone())
            .unwrap_or_default(),
        coders: others
            .iter()
            .map(|(id, name)| CoderChoice {
                id: *id,
                name: name.clone(),
                selected: Some(*id) == other,
            })
            .collect(),
        questions,
    }))
}
