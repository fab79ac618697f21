//! How a training takes applications: allocation, hold and offer times, retention, frames and
//! its own questions.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use kizuki_domain::allocation::Allocation;
use kizuki_domain::text;
use kizuki_store::{FrameInput, QuestionInput, RegistrationSettings, SettingsInput, StoreError};

use super::super::{Choice, FormErrors, optional_number};
use crate::context::RequestContext;
use crate::error::AppError;
use crate::format::Localized;
use crate::forms::{CleanForm, redirect_with_flash, with_status};
use crate::mail;
use crate::pages::catalogue::today;
use crate::state::AppState;
use crate::views::{self, Chrome};

/// How long an unconfirmed application may hold its seat, in minutes.
pub const MIN_HOLD_MINUTES: i64 = 5;
pub const MAX_HOLD_MINUTES: i64 = 4 * 60;

pub const FRAME_ROWS: usize = 4;
pub const QUESTION_ROWS: usize = 3;

pub struct FrameRow {
    pub index: usize,
    pub id: String,
    pub name: String,
    pub name_en: String,
    pub capacity: String,
}

impl FrameRow {
    /// The field its mistakes are filed under (its name, which a mistake always involves).
    pub fn field(&self) -> String {
        format!("frame_name_{}", self.index)
    }
}

pub struct QuestionRow {
    pub index: usize,
    pub id: String,
    pub label: String,
    pub label_en: String,
    pub required: bool,
}

#[derive(Template)]
#[template(path = "manage/registration_settings.html")]
pub struct SettingsView {
    pub page: Chrome,
    pub training_title: Localized,
    pub roster_href: String,
    pub allocations: Vec<Choice>,
    pub hold_minutes: String,
    pub offer_hours: String,
    pub retention_months: String,
    pub frames: Vec<FrameRow>,
    pub questions: Vec<QuestionRow>,
    pub lottery_hash: Option<String>,
    pub errors: FormErrors,
}

type Fields = HashMap<String, String>;

fn fields_of(settings: &RegistrationSettings) -> Fields {
    let mut fields = Fields::new();
    fields.insert("allocation".into(), settings.allocation.as_str().into());
    fields.insert("hold_minutes".into(), settings.hold_minutes.to_string());
    fields.insert("offer_hours".into(), settings.offer_hours.to_string());
    fields.insert(
        "retention_months".into(),
        settings.retention_months.to_string(),
    );
    for (index, frame) in settings.frames.iter().enumerate() {
        fields.insert(format!("frame_id_{index}"), frame.id.to_string());
        fields.insert(format!("frame_name_{index}"), frame.name.clone());
        fields.insert(format!("frame_name_en_{index}"), frame.name_en.clone());
        fields.insert(
            format!("frame_capacity_{index}"),
            frame.capacity.to_string(),
        );
    }
    for (index, question) in settings.questions.iter().enumerate() {
        fields.insert(format!("question_id_{index}"), question.id.to_string());
        fields.insert(format!("question_label_{index}"), question.label.clone());
        fields.insert(
            format!("question_label_en_{index}"),
            question.label_en.clone(),
        );
        if question.required {
            fields.insert(format!("question_required_{index}"), "yes".into());
        }
    }
    fields
}

fn get<'a>(fields: &'a Fields, key: &str) -> &'a str {
    fields.get(key).map_or("", String::as_str)
}

fn view(
    state: &AppState,
    context: &RequestContext,
    training: &kizuki_store::Training,
    settings: &RegistrationSettings,
    fields: &Fields,
    errors: FormErrors,
) -> SettingsView {
    let lang = context.lang;
    let chosen = get(fields, "allocation");
    SettingsView {
        page: Chrome::new(state, context, "registration.settings.title"),
        training_title: Localized::pick(lang, &training.title, &training.title_en),
        roster_href: context.href(&format!("/manage/trainings/{}/applications", training.id)),
        allocations: Allocation::ALL
            .iter()
            .map(|mode| Choice {
                value: mode.as_str().to_owned(),
                label: kizuki_i18n::text(
                    lang,
                    &format!("registration.allocation.{}", mode.as_str()),
                )
                .to_owned(),
                selected: chosen == mode.as_str(),
            })
            .collect(),
        hold_minutes: get(fields, "hold_minutes").to_owned(),
        offer_hours: get(fields, "offer_hours").to_owned(),
        retention_months: get(fields, "retention_months").to_owned(),
        frames: (0..FRAME_ROWS)
            .map(|index| FrameRow {
                index,
                id: get(fields, &format!("frame_id_{index}")).to_owned(),
                name: get(fields, &format!("frame_name_{index}")).to_owned(),
                name_en: get(fields, &format!("frame_name_en_{index}")).to_owned(),
                capacity: get(fields, &format!("frame_capacity_{index}")).to_owned(),
            })
            .collect(),
        questions: (0..QUESTION_ROWS)
            .map(|index| QuestionRow {
                index,
                id: get(fields, &format!("question_id_{index}")).to_owned(),
                label: get(fields, &format!("question_label_{index}")).to_owned(),
                label_en: get(fields, &format!("question_label_en_{index}")).to_owned(),
                required: get(fields, &format!("question_required_{index}")) == "yes",
            })
            .collect(),
        lottery_hash: settings.lottery.as_ref().map(|l| l.seed_hash.clone()),
        errors,
    }
}

pub async fn form(
    State(state): State<AppState>,
    context: RequestContext,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let training = super::training(&state, &id).await?;
    let settings = state.store().registration_settings(training.id).await?;
    let fields = fields_of(&settings);
    Ok(views::render(&view(
        &state,
        &context,
        &training,
        &settings,
        &fields,
        FormErrors::default(),
    )))
}

fn read(fields: &Fields, lang: kizuki_i18n::Lang) -> Result<SettingsInput, FormErrors> {
    let mut errors = FormErrors::default();
    let allocation = Allocation::parse(get(fields, "allocation")).unwrap_or_else(|| {
        errors.add(lang, "allocation", "manage.error.choose");
        Allocation::FirstCome
    });
    let mut number = |field: &str, low: i64, high: i64| match optional_number(get(fields, field)) {
        Ok(Some(value)) if (low..=high).contains(&value) => value,
        _ => {
            let label = kizuki_i18n::text(lang, &format!("registration.settings.{field}"));
            let message = kizuki_i18n::format(
                lang,
                "registration.settings.error_range",
                &[
                    ("field", label),
                    ("low", &low.to_string()),
                    ("high", &high.to_string()),
                ],
            );
            errors.add_text(field, message);
            low
        }
    };
    // A short hold keeps seats from being taken in bulk by addresses nobody confirms.
    let hold_minutes = number("hold_minutes", MIN_HOLD_MINUTES, MAX_HOLD_MINUTES);
    let offer_hours = number("offer_hours", 1, 24 * 14);
    let retention_months = number("retention_months", 0, 120);
    let mut frames = Vec::new();
    for index in 0..FRAME_ROWS {
        let name = text::normalize_line(get(fields, &format!("frame_name_{index}")));
        let capacity_text = get(fields, &format!("frame_capacity_{index}"));
        if name.is_empty() && capacity_text.trim().is_empty() {
            continue;
        }
        let capacity = match optional_number(capacity_text) {
            Ok(Some(value)) if (0..=10_000).contains(&value) && !name.is_empty() => value,
            _ => {
                errors.add(
                    lang,
                    &format!("frame_name_{index}"),
                    "registration.settings.error_frame",
                );
                0
            }
        };
        frames.push(FrameInput {
            id: get(fields, &format!("frame_id_{index}")).parse().ok(),
            name,
            name_en: text::normalize_line(get(fields, &format!("frame_name_en_{index}"))),
            capacity,
        });
    }
    let mut questions = Vec::new();
    for index in 0..QUESTION_ROWS {
        let label = text::normalize_line(get(fields, &format!("question_label_{index}")));
        if label.is_empty() {
            continue;
        }
        questions.push(QuestionInput {
            id: get(fields, &format!("question_id_{index}")).parse().ok(),
            label,
            label_en: text::normalize_line(get(fields, &format!("question_label_en_{index}"))),
            required: get(fields, &format!("question_required_{index}")) == "yes",
        });
    }
    if errors.is_empty() {
        Ok(SettingsInput {
            allocation,
            hold_minutes,
            offer_hours,
            retention_months,
            frames,
            questions,
        })
    } else {
        Err(errors)
    }
}

pub async fn save(
    State(state): State<AppState>,
    context: RequestContext,
    Path(id): Path<String>,
    CleanForm(pairs): CleanForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let training = super::training(&state, &id).await?;
    let settings = state.store().registration_settings(training.id).await?;
    let fields: Fields = pairs.into_iter().collect();
    let input = match read(&fields, context.lang) {
        Ok(input) => input,
        Err(errors) => {
            let page = views::render(&view(
                &state, &context, &training, &settings, &fields, errors,
            ));
            return Ok(with_status(StatusCode::UNPROCESSABLE_ENTITY, page));
        }
    };
    let seed = kizuki_domain::secret::nonce(&mut rand::rng());
    let now = state.now();
    match state
        .store()
        .save_registration_settings(training.id, &input, &seed, now, today(now))
        .await
    {
        Ok(notices) => {
            mail::deliver(&state, &notices).await;
            Ok(redirect_with_flash(
                &context,
                &format!("/manage/trainings/{}/applications", training.id),
                "flash.saved",
            ))
        }
        Err(StoreError::Refused(_)) => {
            let mut errors = FormErrors::default();
            errors.add(
                context.lang,
                "allocation",
                "registration.settings.error_drawn",
            );
            let page = views::render(&view(
                &state, &context, &training, &settings, &fields, errors,
            ));
            Ok(with_status(StatusCode::CONFLICT, page))
        }
        Err(other) => Err(other.into()),
    }
}
