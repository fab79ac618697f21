//! Writing a questionnaire (wording, times, questions) and handing out its codes: printable
//! slips shown once, or one code by mail to each confirmed participant.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use kizuki_domain::questionnaire::{self as domain, Phase, QuestionDraft, code};
use kizuki_domain::text;
use kizuki_store::{Questionnaire, QuestionnaireInput, StoreError};
use serde::Deserialize;

use super::{id_of, load, local_input, parse_local, phase_label};
use crate::confirm::{self, Confirmation, Question};
use crate::context::RequestContext;
use crate::error::AppError;
use crate::format::Localized;
use crate::forms::{CleanForm, redirect_with_flash, with_status};
use crate::pages::manage::FormErrors;
use crate::questionnaire;
use crate::state::AppState;
use crate::views::{self, Chrome};

pub struct QuestionLine {
    pub id: i64,
    pub kind: &'static str,
    pub prompt: String,
    pub prompt_en: String,
    pub options: Vec<String>,
    pub scale: i64,
}

pub struct KindChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "manage/questionnaire_edit.html")]
pub struct EditView {
    pub page: Chrome,
    pub base: String,
    pub is_template: bool,
    pub training_title: Option<Localized>,
    pub training_href: String,
    pub phase: &'static str,
    pub closed: bool,
    pub answered: bool,
    pub title: String,
    pub title_en: String,
    pub intro: String,
    pub intro_en: String,
    pub opens_at: String,
    pub closes_at: String,
    pub questions: Vec<QuestionLine>,
    pub kinds: Vec<KindChoice>,
    pub draft: QuestionDraft,
    pub codes_unused: i64,
    pub codes_used: i64,
    pub responses: i64,
    pub can_mail: bool,
    pub notice: Option<String>,
    pub errors: FormErrors,
    pub question_errors: FormErrors,
}

/// What the page shows besides the questionnaire itself: what was typed, and what went wrong.
#[derive(Default)]
struct Typed {
    settings: Option<SettingsForm>,
    draft: QuestionDraft,
    errors: FormErrors,
    question_errors: FormErrors,
    notice: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
pub struct SettingsForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    title_en: String,
    #[serde(default)]
    intro: String,
    #[serde(default)]
    intro_en: String,
    #[serde(default)]
    opens_at: String,
    #[serde(default)]
    closes_at: String,
}

async fn view(
    state: &AppState,
    context: &RequestContext,
    q: &Questionnaire,
    typed: Typed,
) -> Result<EditView, AppError> {
    let lang = context.lang;
    let now = state.now();
    let training = match q.training_id {
        Some(id) => Some(state.store().training(id).await?),
        None => None,
    };
    let summary = state.store().questionnaires(q.training_id).await?;
    let counts = summary.iter().find(|s| s.id == q.id);
    let responses = state.store().response_count(q.id).await?;
    let Typed {
        settings,
        draft,
        errors,
        question_errors,
        notice,
    } = typed;
    let settings = settings.unwrap_or_else(|| SettingsForm {
        title: q.title.clone(),
        title_en: q.title_en.clone(),
        intro: q.intro.clone(),
        intro_en: q.intro_en.clone(),
        opens_at: local_input(q.opens_at),
        closes_at: local_input(q.closes_at),
    });
    let selected_kind = if draft.kind.is_empty() {
        "free_text"
    } else {
        draft.kind.as_str()
    };
    Ok(EditView {
        page: Chrome::new(
            state,
            context,
            if q.training_id.is_some() {
                "questionnaire.edit.title"
            } else {
                "questionnaire.template.title"
            },
        ),
        base: lang.localize(&format!("/manage/questionnaires/{}", q.id)),
        is_template: q.training_id.is_none(),
        training_href: training
            .as_ref()
            .map(|t| lang.localize(&format!("/manage/trainings/{}/questionnaires", t.id)))
            .unwrap_or_else(|| lang.localize("/manage/questionnaires")),
        training_title: training
            .as_ref()
            .map(|t| Localized::pick(lang, &t.title, &t.title_en)),
        phase: phase_label(lang, q.phase(now)),
        closed: q.phase(now) == Phase::Closed,
        answered: responses > 0,
        title: settings.title,
        title_en: settings.title_en,
        intro: settings.intro,
        intro_en: settings.intro_en,
        opens_at: settings.opens_at,
        closes_at: settings.closes_at,
        questions: q
            .questions
            .iter()
            .map(|question| QuestionLine {
                id: question.id,
                kind: kizuki_i18n::text(
                    lang,
                    &format!("questionnaire.kind.{}", question.kind.as_str()),
                ),
                prompt: question.prompt.clone(),
                prompt_en: question.prompt_en.clone(),
                options: question
                    .options
                    .iter()
                    .map(|o| {
                        if o.label_en.is_empty() {
                            o.label.clone()
                        } else {
                            format!("{} / {}", o.label, o.label_en)
                        }
                    })
                    .collect(),
                scale: question.scale,
            })
            .collect(),
        kinds: domain::QuestionKind::ALL
            .iter()
            .map(|kind| KindChoice {
                value: kind.as_str(),
                label: kizuki_i18n::text(lang, &format!("questionnaire.kind.{}", kind.as_str())),
                selected: kind.as_str() == selected_kind,
            })
            .collect(),
        draft,
        codes_unused: counts.map_or(0, |c| c.codes_unused),
        codes_used: counts.map_or(0, |c| c.codes_used),
        responses,
        can_mail: state.config().smtp.is_some(),
        notice,
        errors,
        question_errors,
    })
}

pub async fn show(
    State(state): State<AppState>,
    context: RequestContext,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let q = load(&state, &id).await?;
    let view = view(&state, &context, &q, Typed::default()).await?;
    Ok(views::render(&view))
}

/// Saves the wording and times.
pub async fn save(
    State(state): State<AppState>,
    context: RequestContext,
    Path(id): Path<String>,
    CleanForm(form): CleanForm<SettingsForm>,
) -> Result<Response, AppError> {
    let q = load(&state, &id).await?;
    let lang = context.lang;
    let mut errors = FormErrors::default();
    let title = text::normalize_line(&form.title);
    if title.is_empty() || title.chars().count() > 200 {
        errors.add(lang, "title", "questionnaire.error.title");
    }
    let opens_at = parse_local(&form.opens_at).unwrap_or_else(|()| {
        errors.add(lang, "opens_at", "questionnaire.error.time");
        None
    });
    let closes_at = parse_local(&form.closes_at).unwrap_or_else(|()| {
        errors.add(lang, "closes_at", "questionnaire.error.time");
        None
    });
    if let (Some(open), Some(close)) = (opens_at, closes_at)
        && close <= open
    {
        errors.add(lang, "closes_at", "questionnaire.error.order");
    }
    if q.training_id.is_none() && (opens_at.is_some() || closes_at.is_some()) {
        errors.add(lang, "opens_at", "questionnaire.error.template_times");
    }
    if !errors.is_empty() {
        let typed = Typed {
            settings: Some(form),
            errors,
            ..Typed::default()
        };
        let view = view(&state, &context, &q, typed).await?;
        return Ok(with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            views::render(&view),
        ));
    }
    let input = QuestionnaireInput {
        title,
        title_en: text::normalize_line(&form.title_en),
        intro: text::normalize(&form.intro),
        intro_en: text::normalize(&form.intro_en),
        opens_at,
        closes_at,
    };
    let path = format!("/manage/questionnaires/{}", q.id);
    match state.store().update_questionnaire(q.id, &input).await {
        Ok(()) => Ok(redirect_with_flash(&context, &path, "flash.saved")),
        Err(StoreError::Refused(_)) => Ok(redirect_with_flash(
            &context,
            &path,
            "flash.questionnaire_sealed",
        )),
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct QuestionForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    prompt: String,
    #[serde(default)]
    prompt_en: String,
    #[serde(default)]
    options: String,
    #[serde(default)]
    scale: String,
}

/// Adds a question; mistakes show the form again with what was typed.
pub async fn add_question(
    State(state): State<AppState>,
    context: RequestContext,
    Path(id): Path<String>,
    CleanForm(form): CleanForm<QuestionForm>,
) -> Result<Response, AppError> {
    let q = load(&state, &id).await?;
    let draft = QuestionDraft {
        kind: form.kind,
        prompt: form.prompt,
        prompt_en: form.prompt_en,
        options: form.options,
        scale: form.scale,
    };
    let mut question_errors = FormErrors::default();
    let checked = match domain::check_question(&draft) {
        Ok(checked) if q.questions.len() < domain::MAX_QUESTIONS => Some(checked),
        Ok(_) => {
            question_errors.add(context.lang, "prompt", "questionnaire.error.too_many");
            None
        }
        Err(mistakes) => {
            for m in mistakes {
                question_errors.add(context.lang, &m.field, m.message);
            }
            None
        }
    };
    let path = format!("/manage/questionnaires/{}", q.id);
    let Some(checked) = checked else {
        let typed = Typed {
            draft,
            question_errors,
            ..Typed::default()
        };
        let view = view(&state, &context, &q, typed).await?;
        return Ok(with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            views::render(&view),
        ));
    };
    match state.store().add_question(q.id, &checked).await {
        Ok(()) => Ok(redirect_with_flash(&context, &path, "flash.question_added")),
        Err(StoreError::Refused(_)) => Ok(redirect_with_flash(
            &context,
            &path,
            "flash.questionnaire_answered",
        )),
        Err(other) => Err(other.into()),
    }
}

pub async fn delete_question(
    State(state): State<AppState>,
    context: RequestContext,
    Path((id, question)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let q = load(&state, &id).await?;
    let path = format!("/manage/questionnaires/{}", q.id);
    match state.store().delete_question(q.id, id_of(&question)?).await {
        Ok(()) => Ok(redirect_with_flash(
            &context,
            &path,
            "flash.question_deleted",
        )),
        Err(StoreError::Refused(_)) => Ok(redirect_with_flash(
            &context,
            &path,
            "flash.questionnaire_answered",
        )),
        Err(other) => Err(other.into()),
    }
}

pub async fn close(
    State(state): State<AppState>,
    context: RequestContext,
    Path(id): Path<String>,
    CleanForm(form): CleanForm<Confirmation>,
) -> Result<Response, AppError> {
    let q = load(&state, &id).await?;
    if q.training_id.is_none() {
        return Err(AppError::NotFound);
    }
    if !form.given() {
        let title = Localized::pick(context.lang, &q.title, &q.title_en).text;
        return Ok(confirm::ask(
            &state,
            &context,
            Question {
                title_key: "confirm.close_questionnaire.title",
                consequence: kizuki_i18n::format(
                    context.lang,
                    "confirm.close_questionnaire.consequence",
                    &[("title", &title)],
                ),
                button_key: "questionnaire.close.button",
                action: format!("/manage/questionnaires/{}/close", q.id),
                back: format!("/manage/questionnaires/{}", q.id),
                fields: Vec::new(),
            },
        ));
    }
    crate::questionnaire::close(&state, q.id).await?;
    Ok(redirect_with_flash(
        &context,
        &format!("/manage/questionnaires/{}/results", q.id),
        "flash.questionnaire_closed",
    ))
}

pub struct Slip {
    pub code: String,
    pub qr: String,
}

#[derive(Template)]
#[template(path = "manage/questionnaire_slips.html")]
pub struct SlipsView {
    pub page: Chrome,
    pub title: Localized,
    pub answer_url: String,
    pub slips: Vec<Slip>,
}

#[derive(Deserialize)]
pub struct CountForm {
    #[serde(default)]
    count: String,
}

/// Makes codes and shows them as slips to print, this once: only their digests are kept, so
/// this page cannot be opened again.
pub async fn slips(
    State(state): State<AppState>,
    context: RequestContext,
    Path(id): Path<String>,
    CleanForm(form): CleanForm<CountForm>,
) -> Result<Response, AppError> {
    let q = load(&state, &id).await?;
    let count = crate::pages::manage::optional_number(&form.count)
        .ok()
        .flatten()
        .filter(|n| (1..=domain::MAX_TOKENS_AT_ONCE).contains(n));
    let path = format!("/manage/questionnaires/{}", q.id);
    let Some(count) = count else {
        return Ok(redirect_with_flash(&context, &path, "flash.codes_count"));
    };
    let codes = match questionnaire::issue(&state, &q, count).await {
        Ok(codes) => codes,
        Err(StoreError::Refused(_)) => {
            return Ok(redirect_with_flash(&context, &path, "flash.codes_closed"));
        }
        Err(other) => return Err(other.into()),
    };
    let lang = context.lang;
    let slips = codes
        .iter()
        .map(|c| {
            // Slips are handed out in the room; the QR code opens the Japanese page, which
            // links to English.
            let url = questionnaire::link(&state, kizuki_i18n::Lang::Ja, c);
            Slip {
                code: code::display(c),
                qr: qr_svg(&url),
            }
        })
        .collect();
    let mut page = Chrome::new(&state, &context, "questionnaire.slips.title");
    page.description = None;
    Ok(views::render(&SlipsView {
        page,
        title: Localized::pick(lang, &q.title, &q.title_en),
        answer_url: format!("{}/answer", state.config().public_url),
        slips,
    }))
}

/// A QR code as inline SVG (drawn here, so nothing is fetched from elsewhere).
fn qr_svg(text: &str) -> String {
    match qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color>()
            .min_dimensions(160, 160)
            .quiet_zone(true)
            .build()
            // The renderer writes an XML declaration, which has no place inside HTML.
            .split_once("?>")
            .map(|(_, svg)| {
                svg.trim()
                    .replacen("<svg ", "<svg aria-hidden=\"true\" focusable=\"false\" ", 1)
            })
            .unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// Sends one code to each confirmed participant, straight to the mail server.
pub async fn mail(
    State(state): State<AppState>,
    context: RequestContext,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let q = load(&state, &id).await?;
    let Some(training_id) = q.training_id else {
        return Err(AppError::NotFound);
    };
    let training = state.store().training(training_id).await?;
    let lang = context.lang;
    let notice = match questionnaire::mail_codes(&state, &q, &training).await {
        Ok(mailed) => kizuki_i18n::format(
            lang,
            "questionnaire.mail.done",
            &[
                ("sent", &mailed.sent.to_string()),
                ("failed", &mailed.failed.to_string()),
            ],
        ),
        Err(StoreError::Refused(reason)) => {
            kizuki_i18n::text(lang, &format!("questionnaire.refused.{reason}")).to_owned()
        }
        Err(other) => return Err(other.into()),
    };
    let typed = Typed {
        notice: Some(notice),
        ..Typed::default()
    };
    let view = view(&state, &context, &q, typed).await?;
    Ok(views::render(&view))
}

/// Keeps a training's questionnaire as a new template: its wording and questions, no dates.
pub async fn save_as_template(
    State(state): State<AppState>,
    context: RequestContext,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let q = load(&state, &id).await?;
    let template = state
        .store()
        .copy_questionnaire(&q, None, state.now())
        .await?;
    Ok(redirect_with_flash(
        &context,
        &format!("/manage/questionnaires/{template}"),
        "flash.template_saved",
    ))
}
