//! The workspace for evaluation questionnaires: lists and templates (here), writing one and
//! handing out its codes (`edit`), results (`results`), and researchers' coding (`coding`).

pub mod coding;
pub mod edit;
pub mod results;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use kizuki_domain::Timestamp;
use kizuki_domain::questionnaire::Phase;
use kizuki_domain::text;
use kizuki_i18n::Lang;
use kizuki_store::{Questionnaire, QuestionnaireInput, QuestionnaireSummary, StoreError};
use serde::Deserialize;

use crate::context::RequestContext;
use crate::error::AppError;
use crate::format::Localized;
use crate::forms::{CleanForm, redirect_with_flash, see_other};
use crate::state::AppState;
use crate::views::{self, Chrome};

pub fn id_of(id: &str) -> Result<i64, AppError> {
    id.parse().map_err(|_| AppError::NotFound)
}

fn tokyo() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get("Asia/Tokyo").unwrap_or(jiff::tz::TimeZone::UTC)
}

/// An instant as a `datetime-local` field shows it, in Japan's time.
pub fn local_input(at: Option<Timestamp>) -> String {
    at.and_then(|at| jiff::Timestamp::from_second(at.seconds()).ok())
        .map(|t| {
            t.to_zoned_datetime(tokyo())
                .strftime("%Y-%m-%dT%H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// A `datetime-local` field's value, read in Japan's time; blank is `None`.
pub fn parse_local(text: &str) -> Result<Option<Timestamp>, ()> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let civil: jiff::civil::DateTime = text.parse().map_err(|_| ())?;
    let zoned = civil.to_zoned_datetime(tokyo()).map_err(|_| ())?;
    Ok(Some(Timestamp(zoned.timestamp().as_second())))
}

/// A questionnaire's state in words.
pub fn phase_label(lang: Lang, phase: Phase) -> &'static str {
    kizuki_i18n::text(
        lang,
        match phase {
            Phase::Draft => "questionnaire.phase.draft",
            Phase::Open => "questionnaire.phase.open",
            Phase::Closed => "questionnaire.phase.closed",
        },
    )
}

pub struct Row {
    pub id: i64,
    pub title: Localized,
    pub training: Localized,
    pub phase: &'static str,
    pub phase_class: &'static str,
    pub codes_used: i64,
    pub codes_unused: i64,
    pub edit_href: String,
    pub results_href: String,
    pub coding_href: String,
}

fn rows(lang: Lang, list: Vec<QuestionnaireSummary>, now: Timestamp) -> Vec<Row> {
    list.into_iter()
        .map(|q| {
            let phase = kizuki_domain::questionnaire::phase(q.opens_at, q.closes_at, now);
            let base = lang.localize(&format!("/manage/questionnaires/{}", q.id));
            Row {
                id: q.id,
                title: Localized::pick(lang, &q.title, &q.title_en),
                training: Localized::pick(lang, &q.training_title, &q.training_title_en),
                phase: phase_label(lang, phase),
                phase_class: match phase {
                    Phase::Draft => "draft",
                    Phase::Open => "open",
                    Phase::Closed => "ended",
                },
                codes_used: q.codes_used,
                codes_unused: q.codes_unused,
                results_href: format!("{base}/results"),
                coding_href: format!("{base}/coding"),
                edit_href: base,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "manage/questionnaires.html")]
pub struct ListView {
    pub page: Chrome,
    pub training_title: Option<Localized>,
    pub create_action: Option<String>,
    pub rows: Vec<Row>,
    pub templates: Vec<Row>,
}

/// Every training's questionnaire, and the templates.
pub async fn all(
    State(state): State<AppState>,
    context: RequestContext,
) -> Result<Response, AppError> {
    let now = state.now();
    let lang = context.lang;
    let page = Chrome::new(&state, &context, "questionnaire.list.title");
    let templates = if page.can_manage_events() {
        rows(lang, state.store().questionnaires(None).await?, now)
    } else {
        Vec::new()
    };
    Ok(views::render(&ListView {
        create_action: page
            .can_manage_events()
            .then(|| lang.localize("/manage/questionnaire-templates")),
        page,
        training_title: None,
        rows: rows(lang, state.store().all_questionnaires().await?, now),
        templates,
    }))
}

/// One training's questionnaires, with the form to start one.
pub async fn of_training(
    State(state): State<AppState>,
    context: RequestContext,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let training = state.store().training(id_of(&id)?).await?;
    let now = state.now();
    let lang = context.lang;
    Ok(views::render(&ListView {
        page: Chrome::new(&state, &context, "questionnaire.list.title"),
        training_title: Some(Localized::pick(lang, &training.title, &training.title_en)),
        create_action: Some(
            lang.localize(&format!("/manage/trainings/{}/questionnaires", training.id)),
        ),
        rows: rows(
            lang,
            state.store().questionnaires(Some(training.id)).await?,
            now,
        ),
        templates: rows(lang, state.store().questionnaires(None).await?, now),
    }))
}

#[derive(Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    template: String,
}

/// Starts a training's questionnaire, from a template or blank.
pub async fn create(
    State(state): State<AppState>,
    context: RequestContext,
    Path(id): Path<String>,
    CleanForm(form): CleanForm<CreateForm>,
) -> Result<Response, AppError> {
    let training = state.store().training(id_of(&id)?).await?;
    let now = state.now();
    let created = match form.template.parse::<i64>() {
        Ok(template) => match state
            .store()
            .questionnaire_from_template(template, training.id, now)
            .await
        {
            Ok(id) => id,
            Err(StoreError::NotFound) => {
                return Ok(redirect_with_flash(
                    &context,
                    &format!("/manage/trainings/{}/questionnaires", training.id),
                    "flash.questionnaire_no_template",
                ));
            }
            Err(other) => return Err(other.into()),
        },
        Err(_) => {
            let input = QuestionnaireInput {
                title: kizuki_i18n::text(Lang::Ja, "questionnaire.default_title").to_owned(),
                title_en: kizuki_i18n::text(Lang::En, "questionnaire.default_title").to_owned(),
                intro: String::new(),
                intro_en: String::new(),
                opens_at: None,
                closes_at: None,
            };
            state
                .store()
                .create_questionnaire(Some(training.id), &input, &[], now)
                .await?
        }
    };
    Ok(see_other(
        &context.href(&format!("/manage/questionnaires/{created}")),
    ))
}

#[derive(Deserialize)]
pub struct TemplateForm {
    #[serde(default)]
    title: String,
}

/// A new, empty template.
pub async fn create_template(
    State(state): State<AppState>,
    context: RequestContext,
    CleanForm(form): CleanForm<TemplateForm>,
) -> Result<Response, AppError> {
    let title = text::normalize_line(&form.title);
    let title = if title.is_empty() {
        kizuki_i18n::text(Lang::Ja, "questionnaire.default_title").to_owned()
    } else {
        title
    };
    let input = QuestionnaireInput {
        title,
        ..QuestionnaireInput::default()
    };
    let id = state
        .store()
        .create_questionnaire(None, &input, &[], state.now())
        .await?;
    Ok(see_other(
        &context.href(&format!("/manage/questionnaires/{id}")),
    ))
}

/// Loads a questionnaire by its path id.
pub async fn load(state: &AppState, id: &str) -> Result<Questionnaire, AppError> {
    Ok(state.store().questionnaire(id_of(id)?).await?)
}
