//! Organisers create, edit and remove trainings in the web workspace.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::civil::{Date, Time};
use kizuki_domain::catalogue::{
    TrainingDay, TrainingDraft, TrainingKind, TrainingStatus, check_training,
};
use kizuki_domain::recurrence::hhmm;
use kizuki_domain::text;
use kizuki_i18n::Lang;
use kizuki_store::{Training, TrainingFilter, TrainingInput, When};

use super::{Choice, FormErrors, optional_number};
use crate::confirm::{self, Confirmation, Question};
use crate::context::{CurrentUser, RequestContext};
use crate::error::AppError;
use crate::format::{self, Localized};
use crate::forms::{CleanForm, redirect_with_flash, with_status};
use crate::pages::catalogue::{ListQuery, kind_label, place_words, status_label};
use crate::state::AppState;
use crate::views::{self, Chrome};

/// Rows offered for days; a training of more days is entered through the API or an import.
pub const DAY_ROWS: usize = 6;
const PER_PAGE: i64 = 50;

pub struct Row {
    pub edit_href: String,
    pub roster_href: String,
    pub questionnaires_href: String,
    pub public_href: String,
    pub title: Localized,
    pub dates: String,
    pub place: String,
    pub status: &'static str,
    pub status_class: &'static str,
}

#[derive(Template)]
#[template(path = "manage/trainings.html")]
pub struct IndexView {
    pub page: Chrome,
    pub rows: Vec<Row>,
    pub total: i64,
    pub next: Option<String>,
    pub previous: Option<String>,
}

pub async fn index(
    State(state): State<AppState>,
    context: RequestContext,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    let lang = context.lang;
    let page_number: i64 = query.page.parse().ok().filter(|p| *p >= 1).unwrap_or(1);
    let (trainings, total) = state
        .store()
        .trainings(&TrainingFilter {
            include_drafts: true,
            when: When::All,
            offset: (page_number - 1) * PER_PAGE,
            limit: PER_PAGE,
            ..TrainingFilter::default()
        })
        .await?;
    let base = lang.localize("/manage/trainings");
    Ok(views::render(&IndexView {
        page: Chrome::new(&state, &context, "manage.trainings.title"),
        rows: trainings
            .iter()
            .map(|training| Row {
                edit_href: lang.localize(&format!("/manage/trainings/{}/edit", training.id)),
                roster_href: lang
                    .localize(&format!("/manage/trainings/{}/applications", training.id)),
                questionnaires_href: lang
                    .localize(&format!("/manage/trainings/{}/questionnaires", training.id)),
                public_href: lang.localize(&format!("/trainings/{}", training.id)),
                title: Localized::pick(lang, &training.title, &training.title_en),
                dates: format::training_dates(lang, training),
                place: place_words(lang, training.venue.as_ref()),
                status: status_label(lang, training.status),
                status_class: training.status.as_str(),
            })
            .collect(),
        total,
        next: (page_number * PER_PAGE < total).then(|| format!("{base}?page={}", page_number + 1)),
        previous: (page_number > 1).then(|| format!("{base}?page={}", page_number - 1)),
    }))
}

/// The form's fields, exactly as typed, so that a mistake never loses anything.
#[derive(Default, Clone)]
pub struct TrainingForm {
    pub fields: HashMap<String, String>,
    pub facilitators: Vec<String>,
}

impl TrainingForm {
    pub fn get(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }

    fn from_pairs(pairs: Vec<(String, String)>) -> TrainingForm {
        let mut form = TrainingForm::default();
        for (key, value) in pairs {
            if key == "facilitator" {
                form.facilitators.push(value);
            } else {
                form.fields.insert(key, value);
            }
        }
        form
    }

    fn from_training(training: &Training) -> TrainingForm {
        let mut fields = HashMap::new();
        let mut set = |key: &str, value: String| {
            fields.insert(key.to_owned(), value);
        };
        set("title", training.title.clone());
        set("title_en", training.title_en.clone());
        set("description", training.description.clone());
        set("description_en", training.description_en.clone());
        set("kind", training.kind.as_str().to_owned());
        set("status", training.status.as_str().to_owned());
        set(
            "venue_id",
            training
                .venue
                .as_ref()
                .map(|v| v.id.to_string())
                .unwrap_or_default(),
        );
        set("language_note", training.language_note.clone());
        set("language_note_en", training.language_note_en.clone());
        set(
            "fee_yen",
            training.fee_yen.map(|v| v.to_string()).unwrap_or_default(),
        );
        set("fee_note", training.fee_note.clone());
        set("fee_note_en", training.fee_note_en.clone());
        set(
            "capacity",
            training.capacity.map(|v| v.to_string()).unwrap_or_default(),
        );
        set(
            "applications_open_on",
            training
                .applications_open_on
                .map(|d| d.to_string())
                .unwrap_or_default(),
        );
        set(
            "applications_close_on",
            training
                .applications_close_on
                .map(|d| d.to_string())
                .unwrap_or_default(),
        );
        set("programme_version", training.programme_version.clone());
        set(
            "attendance_count",
            training
                .attendance_count
                .map(|v| v.to_string())
                .unwrap_or_default(),
        );
        for (index, day) in training.days.iter().enumerate() {
            set(&format!("day_date_{index}"), day.date.to_string());
            set(&format!("day_start_{index}"), hhmm(day.start));
            set(&format!("day_end_{index}"), hhmm(day.end));
        }
        TrainingForm {
            fields,
            facilitators: training
                .facilitators
                .iter()
                .map(|p| p.id.to_string())
                .collect(),
        }
    }
}

pub struct DayRow {
    pub index: usize,
    pub number: usize,
    pub date: String,
    pub start: String,
    pub end: String,
}

pub struct PersonChoice {
    pub id: i64,
    pub name: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "manage/training_form.html")]
pub struct FormView {
    pub page: Chrome,
    pub action: String,
    pub delete_action: Option<String>,
    pub form: TrainingForm,
    pub errors: FormErrors,
    pub kinds: Vec<Choice>,
    pub statuses: Vec<Choice>,
    pub venues: Vec<Choice>,
    pub days: Vec<DayRow>,
    pub people: Vec<PersonChoice>,
}

impl FormView {
    pub fn value(&self, name: &str) -> &str {
        self.form.get(name)
    }
}

async fn form_view(
    state: &AppState,
    context: &RequestContext,
    title_key: &str,
    action: String,
    delete_action: Option<String>,
    form: TrainingForm,
    errors: FormErrors,
) -> Result<FormView, AppError> {
    let lang = context.lang;
    let venues = state.store().venues().await?;
    let people = state.store().people().await?;
    let kind = form.get("kind").to_owned();
    let status = form.get("status").to_owned();
    let venue_id = form.get("venue_id").to_owned();
    Ok(FormView {
        page: Chrome::new(state, context, title_key),
        kinds: TrainingKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.as_str().to_owned(),
                label: kind_label(lang, *k).to_owned(),
                selected: k.as_str() == kind,
            })
            .collect(),
        statuses: TrainingStatus::ALL
            .iter()
            .map(|s| Choice {
                value: s.as_str().to_owned(),
                label: status_label(lang, *s).to_owned(),
                selected: s.as_str() == status,
            })
            .collect(),
        venues: venues
            .iter()
            .map(|v| Choice {
                value: v.id.to_string(),
                label: format!(
                    "{}（{}）",
                    Localized::pick(lang, &v.name, &v.name_en).text,
                    place_words(lang, Some(v))
                ),
                selected: v.id.to_string() == venue_id,
            })
            .collect(),
        days: (0..DAY_ROWS)
            .map(|index| DayRow {
                index,
                number: index + 1,
                date: form.get(&format!("day_date_{index}")).to_owned(),
                start: form.get(&format!("day_start_{index}")).to_owned(),
                end: form.get(&format!("day_end_{index}")).to_owned(),
            })
            .collect(),
        people: people
            .iter()
            .map(|p| PersonChoice {
                id: p.id,
                name: Localized::pick(lang, &p.name, &p.name_en).text,
                checked: form.facilitators.contains(&p.id.to_string()),
            })
            .collect(),
        action,
        delete_action,
        form,
        errors,
    })
}

pub async fn new_form(
    State(state): State<AppState>,
    context: RequestContext,
) -> Result<Response, AppError> {
    let mut form = TrainingForm::default();
    form.fields.insert("status".to_owned(), "draft".to_owned());
    form.fields.insert("kind".to_owned(), "basic".to_owned());
    let action = context.href("/manage/trainings");
    let view = form_view(
        &state,
        &context,
        "manage.trainings.new",
        action,
        None,
        form,
        FormErrors::default(),
    )
    .await?;
    Ok(views::render(&view))
}

pub async fn edit_form(
    State(state): State<AppState>,
    context: RequestContext,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let training = state.store().training(id).await?;
    let action = context.href(&format!("/manage/trainings/{id}"));
    let delete = Some(context.href(&format!("/manage/trainings/{id}/delete")));
    let view = form_view(
        &state,
        &context,
        "manage.trainings.edit",
        action,
        delete,
        TrainingForm::from_training(&training),
        FormErrors::default(),
    )
    .await?;
    Ok(views::render(&view))
}

/// What a valid form becomes.
struct Parsed {
    title: String,
    kind: TrainingKind,
    status: TrainingStatus,
    venue_id: Option<i64>,
    fee_yen: Option<i64>,
    capacity: Option<i64>,
    attendance_count: Option<i64>,
    open: Option<Date>,
    close: Option<Date>,
    days: Vec<TrainingDay>,
    facilitators: Vec<i64>,
}

fn parse_form(lang: Lang, form: &TrainingForm, errors: &mut FormErrors) -> Option<Parsed> {
    let kind = form
        .get("kind")
        .parse::<TrainingKind>()
        .inspect_err(|_| errors.add(lang, "kind", "manage.error.choose"))
        .ok();
    let status = form
        .get("status")
        .parse::<TrainingStatus>()
        .inspect_err(|_| errors.add(lang, "status", "manage.error.choose"))
        .ok();
    let venue_id = match form.get("venue_id").trim() {
        "" => None,
        text => text
            .parse()
            .inspect_err(|_| errors.add(lang, "venue_id", "manage.error.choose"))
            .ok(),
    };
    // Each message names its field (「定員は数字で…」), so it reads right in the summary too.
    let mut named = |field: &str, label_key: &str, message_key: &str| {
        let label = kizuki_i18n::text(lang, label_key);
        errors.add_text(
            field,
            kizuki_i18n::format(lang, message_key, &[("field", label)]),
        );
    };
    let mut number = |field: &str, label_key: &str| {
        optional_number(form.get(field)).unwrap_or_else(|()| {
            named(field, label_key, "manage.error.number");
            None
        })
    };
    let fee_yen = number("fee_yen", "manage.field.fee_yen");
    let capacity = number("capacity", "training.capacity");
    let attendance_count = number("attendance_count", "manage.field.attendance");
    let mut date = |field: &str, label_key: &str| match form.get(field).trim() {
        "" => None,
        text => text
            .parse::<Date>()
            .inspect_err(|_| named(field, label_key, "manage.error.date"))
            .ok(),
    };
    let open = date("applications_open_on", "manage.field.open");
    let close = date("applications_close_on", "manage.field.close");
    let mut days = Vec::new();
    for index in 0..DAY_ROWS {
        let (day, start, end) = (
            form.get(&format!("day_date_{index}")).trim(),
            form.get(&format!("day_start_{index}")).trim(),
            form.get(&format!("day_end_{index}")).trim(),
        );
        if day.is_empty() && start.is_empty() && end.is_empty() {
            continue;
        }
        let parsed = (
            day.parse::<Date>(),
            Time::strptime("%H:%M", start),
            Time::strptime("%H:%M", end),
        );
        match parsed {
            (Ok(date), Ok(start), Ok(end)) => days.push(TrainingDay { date, start, end }),
            _ => errors.add(lang, "days", "manage.error.day"),
        }
    }
    days.sort_by_key(|day| day.date);
    let title = text::normalize_line(form.get("title"));
    for problem in check_training(&TrainingDraft {
        title: &title,
        days: &days,
        capacity,
        fee_yen,
        applications_open: open,
        applications_close: close,
    }) {
        errors.add(lang, problem.field, problem.message);
    }
    let facilitators = form
        .facilitators
        .iter()
        .filter_map(|id| id.parse().ok())
        .collect();
    match (kind, status, errors.is_empty()) {
        (Some(kind), Some(status), true) => Some(Parsed {
            title,
            kind,
            status,
            venue_id,
            fee_yen,
            capacity,
            attendance_count,
            open,
            close,
            days,
            facilitators,
        }),
        _ => None,
    }
}

fn input<'a>(form: &'a TrainingForm, parsed: &'a Parsed) -> TrainingInput<'a> {
    TrainingInput {
        title: &parsed.title,
        title_en: form.get("title_en").trim(),
        description: form.get("description"),
        description_en: form.get("description_en"),
        kind: parsed.kind,
        status: parsed.status,
        venue_id: parsed.venue_id,
        language_note: form.get("language_note").trim(),
        language_note_en: form.get("language_note_en").trim(),
        fee_yen: parsed.fee_yen,
        fee_note: form.get("fee_note").trim(),
        fee_note_en: form.get("fee_note_en").trim(),
        capacity: parsed.capacity,
        applications_open_on: parsed.open,
        applications_close_on: parsed.close,
        programme_version: form.get("programme_version").trim(),
        attendance_count: parsed.attendance_count,
        days: &parsed.days,
        facilitator_ids: &parsed.facilitators,
    }
}

pub async fn create(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    CleanForm(pairs): CleanForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let form = TrainingForm::from_pairs(pairs);
    let mut errors = FormErrors::default();
    if let Some(parsed) = parse_form(context.lang, &form, &mut errors) {
        let id = state
            .store()
            .create_training(&input(&form, &parsed), Some(user.id), state.now())
            .await?;
        state
            .store()
            .record_audit(
                Some(user.id),
                "training_created",
                &parsed.title,
                &id.to_string(),
                state.now(),
            )
            .await?;
        return Ok(redirect_with_flash(
            &context,
            &format!("/manage/trainings/{id}/edit"),
            "flash.training_saved",
        ));
    }
    let action = context.href("/manage/trainings");
    let view = form_view(
        &state,
        &context,
        "manage.trainings.new",
        action,
        None,
        form,
        errors,
    )
    .await?;
    Ok(with_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        views::render(&view),
    ))
}

pub async fn update(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    CleanForm(pairs): CleanForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    state.store().training(id).await?;
    let form = TrainingForm::from_pairs(pairs);
    let mut errors = FormErrors::default();
    if let Some(parsed) = parse_form(context.lang, &form, &mut errors) {
        state
            .store()
            .update_training(id, &input(&form, &parsed), state.now())
            .await?;
        state
            .store()
            .record_audit(
                Some(user.id),
                "training_updated",
                &parsed.title,
                &id.to_string(),
                state.now(),
            )
            .await?;
        return Ok(redirect_with_flash(
            &context,
            &format!("/manage/trainings/{id}/edit"),
            "flash.training_saved",
        ));
    }
    let action = context.href(&format!("/manage/trainings/{id}"));
    let delete = Some(context.href(&format!("/manage/trainings/{id}/delete")));
    let view = form_view(
        &state,
        &context,
        "manage.trainings.edit",
        action,
        delete,
        form,
        errors,
    )
    .await?;
    Ok(with_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        views::render(&view),
    ))
}

pub async fn delete(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    CleanForm(form): CleanForm<Confirmation>,
) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let training = state.store().training(id).await?;
    if !form.given() {
        let title = Localized::pick(context.lang, &training.title, &training.title_en).text;
        return Ok(confirm::ask(
            &state,
            &context,
            Question {
                title_key: "confirm.delete_training.title",
                consequence: kizuki_i18n::format(
                    context.lang,
                    "confirm.delete_training.consequence",
                    &[("title", &title)],
                ),
                button_key: "manage.trainings.delete",
                action: format!("/manage/trainings/{id}/delete"),
                back: format!("/manage/trainings/{id}/edit"),
                fields: Vec::new(),
            },
        ));
    }
    state.store().delete_training(id).await?;
    state
        .store()
        .record_audit(
            Some(user.id),
            "training_deleted",
            &training.title,
            &id.to_string(),
            state.now(),
        )
        .await?;
    Ok(redirect_with_flash(
        &context,
        "/manage/trainings",
        "flash.training_deleted",
    ))
}
