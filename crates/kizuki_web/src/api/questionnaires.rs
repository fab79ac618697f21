//! The questionnaire API: organisers make questionnaires, issue codes and close them; anyone with
//! a code answers; organisers and researchers read results (suppressed); researchers code.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kizuki_domain::Timestamp;
use kizuki_domain::questionnaire::{self as domain, Choice, QuestionDraft, code};
use kizuki_domain::text;
use kizuki_i18n::Lang;
use kizuki_store::{CategoryInput, Questionnaire, QuestionnaireInput, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::clean_json::CleanJson;
use super::{ErrorBody, FieldMistake, invalid};
use crate::context::{CurrentUser, RequestContext};
use crate::error::{AppError, ErrorKind, api_error};
use crate::questionnaire::exports::{self, Codebook};
use crate::questionnaire::results::{self, Material, Results};
use crate::questionnaire::{self, Submitted};
use crate::state::AppState;

fn id_of(id: &str) -> Result<i64, AppError> {
    id.parse().map_err(|_| AppError::NotFound)
}

fn mistake(field: &str, key: &str) -> FieldMistake {
    FieldMistake {
        field: field.to_owned(),
        message: kizuki_i18n::text(Lang::En, key).to_owned(),
    }
}

#[derive(Deserialize, ToSchema)]
pub struct QuestionBody {
    /// free_text, single_choice, multiple_choice or rating.
    kind: String,
    prompt: String,
    #[serde(default)]
    prompt_en: String,
    /// Choices of a choice question; for a rating scale, the labels of its two ends.
    #[serde(default)]
    options: Vec<ChoiceBody>,
    /// Points on a rating scale (2–10).
    #[serde(default)]
    scale: Option<i64>,
}

#[derive(Deserialize, Serialize, ToSchema)]
pub struct ChoiceBody {
    label: String,
    #[serde(default)]
    label_en: String,
}

#[derive(Deserialize, ToSchema)]
pub struct QuestionnaireBody {
    /// Copy the wording and questions of this template.
    #[serde(default)]
    template_id: Option<i64>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    title_en: String,
    /// What is and is not recorded, in the respondent's words.
    #[serde(default)]
    intro: String,
    #[serde(default)]
    intro_en: String,
    /// RFC 3339; when left out, the questionnaire opens at once.
    #[serde(default)]
    opens_at: Option<String>,
    /// RFC 3339; when left out, it stays open until closed.
    #[serde(default)]
    closes_at: Option<String>,
    #[serde(default)]
    questions: Vec<QuestionBody>,
}

#[derive(Serialize, ToSchema)]
pub struct QuestionView {
    id: i64,
    kind: &'static str,
    prompt: String,
    prompt_en: String,
    options: Vec<ChoiceBody>,
    scale: i64,
}

#[derive(Serialize, ToSchema)]
pub struct QuestionnaireView {
    id: i64,
    training_id: Option<i64>,
    title: String,
    title_en: String,
    intro: String,
    intro_en: String,
    opens_at: Option<String>,
    closes_at: Option<String>,
    /// The smallest count shown in results.
    k: i64,
    questions: Vec<QuestionView>,
}

fn rfc3339(at: Option<Timestamp>) -> Option<String> {
    at.and_then(|at| jiff::Timestamp::from_second(at.seconds()).ok())
        .map(|t| t.to_string())
}

fn view(q: Questionnaire) -> QuestionnaireView {
    QuestionnaireView {
        id: q.id,
        training_id: q.training_id,
        title: q.title,
        title_en: q.title_en,
        intro: q.intro,
        intro_en: q.intro_en,
        opens_at: rfc3339(q.opens_at),
        closes_at: rfc3339(q.closes_at),
        k: q.min_cell,
        questions: q
            .questions
            .into_iter()
            .map(|question| QuestionView {
                id: question.id,
                kind: question.kind.as_str(),
                prompt: question.prompt,
                prompt_en: question.prompt_en,
                options: question
                    .options
                    .into_iter()
                    .map(|Choice { label, label_en }| ChoiceBody { label, label_en })
                    .collect(),
                scale: question.scale,
            })
            .collect(),
    }
}

fn instant(text: &Option<String>) -> Result<Option<Timestamp>, ()> {
    match text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => t
            .parse::<jiff::Timestamp>()
            .map(|t| Some(Timestamp(t.as_second())))
            .map_err(|_| ()),
    }
}

/// Makes a questionnaire for a training, from a template or from the questions given.
#[utoipa::path(post, path = "/api/v1/trainings/{id}/questionnaires", tag = "questionnaires",
    params(("id" = i64, Path, description = "Training id")), request_body = QuestionnaireBody,
    responses((status = 201, body = QuestionnaireView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CleanJson(body): CleanJson<QuestionnaireBody>,
) -> Result<Response, AppError> {
    let training = state.store().training(id_of(&id)?).await?;
    let now = state.now();
    let mut mistakes = Vec::new();
    let opens_at = instant(&body.opens_at).unwrap_or_else(|()| {
        mistakes.push(mistake("opens_at", "questionnaire.error.time"));
        None
    });
    let closes_at = instant(&body.closes_at).unwrap_or_else(|()| {
        mistakes.push(mistake("closes_at", "questionnaire.error.time"));
        None
    });
    if let (Some(open), Some(close)) = (opens_at, closes_at)
        && close <= open
    {
        mistakes.push(mistake("closes_at", "questionnaire.error.order"));
    }
    let template = match body.template_id {
        Some(template) => match state.store().questionnaire(template).await {
            Ok(q) if q.training_id.is_none() => Some(q),
            Ok(_) | Err(StoreError::NotFound) => {
                mistakes.push(mistake("template_id", "questionnaire.error.template"));
                None
            }
            Err(other) => return Err(other.into()),
        },
        None => None,
    };
    let mut questions = Vec::new();
    for (i, question) in body.questions.iter().enumerate() {
        let draft = QuestionDraft {
            kind: question.kind.clone(),
            prompt: question.prompt.clone(),
            prompt_en: question.prompt_en.clone(),
            options: question
                .options
                .iter()
                .map(|o| {
                    format!(
                        "{} | {}",
                        o.label.replace('\n', " "),
                        o.label_en.replace('\n', " ")
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"),
            scale: question.scale.map(|s| s.to_string()).unwrap_or_default(),
        };
        match domain::check_question(&draft) {
            Ok(checked) => questions.push(checked),
            Err(errors) => mistakes.extend(
                errors
                    .iter()
                    .map(|m| mistake(&format!("questions[{i}].{}", m.field), m.message)),
            ),
        }
    }
    if let Some(template) = &template
        && questions.is_empty()
    {
        questions = template.questions.iter().map(|q| q.to_new()).collect();
    }
    if questions.is_empty() && template.is_none() {
        mistakes.push(mistake("questions", "questionnaire.error.no_questions"));
    }
    if questions.len() > domain::MAX_QUESTIONS {
        mistakes.push(mistake("questions", "questionnaire.error.too_many"));
    }
    let pick = |given: &str, from: Option<&String>| {
        let given = text::normalize(given);
        if given.is_empty() {
            from.cloned().unwrap_or_default()
        } else {
            given
        }
    };
    let input = QuestionnaireInput {
        title: pick(&body.title, template.as_ref().map(|t| &t.title)),
        title_en: pick(&body.title_en, template.as_ref().map(|t| &t.title_en)),
        intro: pick(&body.intro, template.as_ref().map(|t| &t.intro)),
        intro_en: pick(&body.intro_en, template.as_ref().map(|t| &t.intro_en)),
        opens_at: opens_at.or(Some(now)),
        closes_at,
    };
    if input.title.is_empty() {
        mistakes.push(mistake("title", "questionnaire.error.title"));
    }
    if !mistakes.is_empty() {
        return Ok(invalid(mistakes));
    }
    let id = state
        .store()
        .create_questionnaire(Some(training.id), &input, &questions, now)
        .await?;
    let created = state.store().questionnaire(id).await?;
    Ok((StatusCode::CREATED, Json(view(created))).into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct CodesBody {
    /// How many codes to make (1–500).
    count: i64,
}

#[derive(Serialize, ToSchema)]
pub struct CodesView {
    /// The codes, shown this once: only their digests are kept.
    tokens: Vec<String>,
    /// The same codes as links; opening one moves the code out of the address at once.
    links: Vec<String>,
}

/// Issues one-time codes. The answer is the only place they ever appear.
#[utoipa::path(post, path = "/api/v1/questionnaires/{id}/tokens", tag = "questionnaires",
    params(("id" = i64, Path, description = "Questionnaire id")), request_body = CodesBody,
    responses((status = 201, body = CodesView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn issue(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CleanJson(body): CleanJson<CodesBody>,
) -> Result<Response, AppError> {
    let questionnaire = state.store().questionnaire(id_of(&id)?).await?;
    if !(1..=domain::MAX_TOKENS_AT_ONCE).contains(&body.count) {
        return Ok(invalid(vec![mistake("count", "questionnaire.error.count")]));
    }
    let codes = match questionnaire::issue(&state, &questionnaire, body.count).await {
        Ok(codes) => codes,
        Err(StoreError::Refused(reason)) => return Ok(refused(reason)),
        Err(other) => return Err(other.into()),
    };
    let view = CodesView {
        links: codes
            .iter()
            .map(|c| questionnaire::link(&state, Lang::Ja, c))
            .collect(),
        tokens: codes.iter().map(|c| code::display(c)).collect(),
    };
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

fn refused(reason: &str) -> Response {
    api_error(
        ErrorKind::Conflict,
        kizuki_i18n::text(Lang::En, &format!("questionnaire.refused.{reason}")),
    )
}

#[derive(Deserialize, ToSchema)]
pub struct AnswerBody {
    /// The one-time code, as printed or as sent.
    token: String,
    /// By question id: text, a choice or point (from 1), or several choices.
    #[serde(default)]
    answers: BTreeMap<String, serde_json::Value>,
}

#[derive(Serialize, ToSchema)]
pub struct AnswerStored {
    stored: bool,
}

/// Answers a questionnaire with a one-time code. Nothing that identifies the person, the code or
/// the moment is kept with the answers. Unknown and used codes are told apart by status only;
/// both are found with the same single lookup.
#[utoipa::path(post, path = "/api/v1/answers", tag = "questionnaires", request_body = AnswerBody,
    responses(
        (status = 201, body = AnswerStored),
        (status = 404, description = "No such code", body = ErrorBody),
        (status = 409, description = "The code has been used, or the questionnaire is not open", body = ErrorBody),
        (status = 422, body = ErrorBody)
    ))]
pub async fn answer(
    State(state): State<AppState>,
    context: RequestContext,
    CleanJson(body): CleanJson<AnswerBody>,
) -> Result<Response, AppError> {
    let mut raw: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    let mut mistakes = Vec::new();
    for (key, value) in body.answers {
        let Ok(id) = key.parse::<i64>() else {
            mistakes.push(mistake(
                &format!("answers.{key}"),
                "answer.error.unknown_question",
            ));
            continue;
        };
        let values = match value {
            serde_json::Value::String(text) => vec![text],
            serde_json::Value::Number(n) => vec![n.to_string()],
            serde_json::Value::Array(items) => items
                .into_iter()
                .map(|item| match item {
                    serde_json::Value::String(text) => text,
                    other => other.to_string(),
                })
                .collect(),
            serde_json::Value::Null => Vec::new(),
            other => vec![other.to_string()],
        };
        raw.insert(id, values);
    }
    if !mistakes.is_empty() {
        return Ok(invalid(mistakes));
    }
    if let Some(refused) = questionnaire::refuse_if_guessing(&state, &context).await? {
        return Ok(refused);
    }
    let outcome = questionnaire::submit(&state, &body.token, &raw).await?;
    if let Some(refused) = questionnaire::limit_refusals(&state, &context, &outcome).await? {
        return Ok(refused);
    }
    Ok(match outcome {
        Submitted::Stored => {
            (StatusCode::CREATED, Json(AnswerStored { stored: true })).into_response()
        }
        Submitted::Unknown => api_error(
            ErrorKind::NotFound,
            kizuki_i18n::text(Lang::En, "answer.unknown"),
        ),
        Submitted::Used => api_error(
            ErrorKind::Conflict,
            kizuki_i18n::text(Lang::En, "answer.used"),
        ),
        Submitted::NotOpen => api_error(
            ErrorKind::Conflict,
            kizuki_i18n::text(Lang::En, "answer.not_open"),
        ),
        Submitted::Invalid(errors) => invalid(
            errors
                .iter()
                .map(|m| {
                    mistake(
                        &format!("answers.{}", m.field.trim_start_matches('q')),
                        m.message,
                    )
                })
                .collect(),
        ),
    })
}

/// Closes a questionnaire now. Its answers are then rewritten in random order and results can
/// be read.
#[utoipa::path(post, path = "/api/v1/questionnaires/{id}/close", tag = "questionnaires",
    params(("id" = i64, Path, description = "Questionnaire id")),
    responses((status = 200, body = QuestionnaireView), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn close(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<QuestionnaireView>, AppError> {
    let id = id_of(&id)?;
    crate::questionnaire::close(&state, id).await?;
    Ok(Json(view(state.store().questionnaire(id).await?)))
}

/// Results after close: nothing while fewer than k answered; every count below k shown as
/// "x", and other cells hidden ("x" too) wherever a small one could be worked out from the table.
#[utoipa::path(get, path = "/api/v1/questionnaires/{id}/results", tag = "questionnaires",
    params(("id" = i64, Path, description = "Questionnaire id")),
    responses((status = 200, body = Results), (status = 409, description = "Not closed yet", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn results(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let material = Material::load(&state, id_of(&id)?).await?;
    if !material.closed {
        return Ok(refused("not_closed"));
    }
    Ok(Json(results::results(&material)).into_response())
}

/// The codebook: questions, choices, categories and their definitions.
#[utoipa::path(get, path = "/api/v1/questionnaires/{id}/codebook", tag = "questionnaires",
    params(("id" = i64, Path, description = "Questionnaire id")),
    responses((status = 200, body = Codebook)),
    security(("bearer" = [])))]
pub async fn codebook(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Codebook>, AppError> {
    let material = Material::load(&state, id_of(&id)?).await?;
    Ok(Json(exports::codebook(&material)))
}

#[derive(Deserialize, ToSchema)]
pub struct CategoryBody {
    /// An existing category's id, to keep its codes.
    #[serde(default)]
    id: Option<i64>,
    label: String,
    #[serde(default)]
    definition: String,
}

#[derive(Serialize, ToSchema)]
pub struct CategoryView {
    id: i64,
    label: String,
    definition: String,
}

/// Sets the categories of a free-text question (researchers).
#[utoipa::path(put, path = "/api/v1/questionnaires/{id}/questions/{question}/categories", tag = "questionnaires",
    params(("id" = i64, Path, description = "Questionnaire id"), ("question" = i64, Path, description = "Question id")),
    request_body = Vec<CategoryBody>,
    responses((status = 200, body = [CategoryView]), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn set_categories(
    State(state): State<AppState>,
    Path((id, question)): Path<(String, String)>,
    CleanJson(body): CleanJson<Vec<CategoryBody>>,
) -> Result<Response, AppError> {
    let (id, question) = (id_of(&id)?, id_of(&question)?);
    let mut inputs = Vec::new();
    for (i, category) in body.into_iter().enumerate() {
        let label = text::normalize_line(&category.label);
        if label.is_empty() || label.chars().count() > 200 {
            return Ok(invalid(vec![mistake(
                &format!("[{i}].label"),
                "coding.error.label",
            )]));
        }
        inputs.push(CategoryInput {
            id: category.id,
            label,
            definition: text::normalize(&category.definition),
        });
    }
    state.store().save_categories(id, question, &inputs).await?;
    let categories: Vec<CategoryView> = state
        .store()
        .categories(id)
        .await?
        .into_iter()
        .filter(|c| c.question_id == question)
        .map(|c| CategoryView {
            id: c.id,
            label: c.label,
            definition: c.definition,
        })
        .collect();
    Ok(Json(categories).into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct CodeBody {
    response_id: String,
    question_id: i64,
    /// Category ids; empty to clear.
    categories: Vec<i64>,
}

/// Codes one answer, as the signed-in researcher (each coder's codes are their own).
#[utoipa::path(put, path = "/api/v1/questionnaires/{id}/codes", tag = "questionnaires",
    params(("id" = i64, Path, description = "Questionnaire id")), request_body = CodeBody,
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn code_answer(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    CleanJson(body): CleanJson<CodeBody>,
) -> Result<Response, AppError> {
    let id = id_of(&id)?;
    let material = Material::load(&state, id).await?;
    if !material.released() {
        return Ok(refused("not_released"));
    }
    match state
        .store()
        .code_answer(
            id,
            &body.response_id,
            body.question_id,
            user.id,
            &body.categories,
        )
        .await
    {
        Ok(()) => Ok(StatusCode::NO_CONTENT.into_response()),
        Err(StoreError::Refused(reason)) => Ok(refused(reason)),
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize, ToSchema)]
pub struct MinCellBody {
    /// The new smallest count shown (1 or more).
    k: i64,
    /// Why; kept in the audit log.
    reason: String,
}

/// Changes k for one questionnaire (administrators). Recorded in the audit log with the reason.
#[utoipa::path(post, path = "/api/v1/questionnaires/{id}/min-cell", tag = "questionnaires",
    params(("id" = i64, Path, description = "Questionnaire id")), request_body = MinCellBody,
    responses((status = 200, body = QuestionnaireView), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn set_min_cell(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    CleanJson(body): CleanJson<MinCellBody>,
) -> Result<Response, AppError> {
    let id = id_of(&id)?;
    let reason = text::normalize_line(&body.reason);
    let mut mistakes = Vec::new();
    if !(1..=100).contains(&body.k) {
        mistakes.push(mistake("k", "results.error.k"));
    }
    if reason.is_empty() {
        mistakes.push(mistake("reason", "results.error.reason"));
    }
    if !mistakes.is_empty() {
        return Ok(invalid(mistakes));
    }
    state
        .store()
        .set_min_cell(id, body.k, user.id, &reason, state.now())
        .await?;
    Ok(Json(view(state.store().questionnaire(id).await?)).into_response())
}
