//! Organisers keep the list of venues.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use kizuki_domain::catalogue::AccessibilityFeature;
use kizuki_domain::text;
use kizuki_store::{StoreError, Venue, VenueInput};

use super::{Choice, FormErrors};
use crate::confirm::{self, Confirmation, Question};
use crate::context::{CurrentUser, RequestContext};
use crate::error::AppError;
use crate::format::Localized;
use crate::forms::{CleanForm, redirect_with_flash, with_status};
use crate::pages::catalogue::{feature_label, place_words};
use crate::state::AppState;
use crate::views::{self, Chrome};

pub struct Row {
    pub edit_href: String,
    pub name: Localized,
    pub place: String,
}

#[derive(Template)]
#[template(path = "manage/venues.html")]
pub struct IndexView {
    pub page: Chrome,
    pub rows: Vec<Row>,
}

pub async fn index(
    State(state): State<AppState>,
    context: RequestContext,
) -> Result<Response, AppError> {
    let lang = context.lang;
    let venues = state.store().venues().await?;
    Ok(views::render(&IndexView {
        page: Chrome::new(&state, &context, "manage.venues.title"),
        rows: venues
            .iter()
            .map(|venue| Row {
                edit_href: lang.localize(&format!("/manage/venues/{}/edit", venue.id)),
                name: Localized::pick(lang, &venue.name, &venue.name_en),
                place: place_words(lang, Some(venue)),
            })
            .collect(),
    }))
}

pub struct FeatureChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "manage/venue_form.html")]
pub struct FormView {
    pub page: Chrome,
    pub action: String,
    pub delete_action: Option<String>,
    pub fields: HashMap<String, String>,
    pub errors: FormErrors,
    pub prefectures: Vec<Choice>,
    pub features: Vec<FeatureChoice>,
}

impl FormView {
    pub fn value(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }

    pub fn online(&self) -> bool {
        self.value("online") == "1"
    }
}

fn fields_of(venue: &Venue) -> (HashMap<String, String>, Vec<String>) {
    let mut fields = HashMap::new();
    let mut set = |key: &str, value: String| {
        fields.insert(key.to_owned(), value);
    };
    set("online", if venue.is_online { "1" } else { "" }.to_owned());
    set("name", venue.name.clone());
    set("name_en", venue.name_en.clone());
    set("address", venue.address.clone());
    set(
        "prefecture",
        venue
            .prefecture_code
            .map(|c| format!("{c:02}"))
            .unwrap_or_default(),
    );
    set("municipality", venue.municipality.clone());
    set(
        "latitude",
        venue
            .position
            .map(|(lat, _)| lat.to_string())
            .unwrap_or_default(),
    );
    set(
        "longitude",
        venue
            .position
            .map(|(_, lon)| lon.to_string())
            .unwrap_or_default(),
    );
    set("access_notes", venue.access_notes.clone());
    set("access_notes_en", venue.access_notes_en.clone());
    set("accessibility_notes", venue.accessibility_notes.clone());
    set(
        "accessibility_notes_en",
        venue.accessibility_notes_en.clone(),
    );
    (
        fields,
        venue
            .accessibility
            .iter()
            .map(|f| f.as_str().to_owned())
            .collect(),
    )
}

/// Where the form posts to, and where its delete button posts to (when editing).
struct Targets {
    action: String,
    delete_action: Option<String>,
}

async fn view(
    state: &AppState,
    context: &RequestContext,
    title_key: &str,
    targets: Targets,
    fields: HashMap<String, String>,
    checked: &[String],
    errors: FormErrors,
) -> FormView {
    let Targets {
        action,
        delete_action,
    } = targets;
    let lang = context.lang;
    let selected = fields.get("prefecture").cloned().unwrap_or_default();
    FormView {
        page: Chrome::new(state, context, title_key),
        prefectures: kizuki_geo::PREFECTURES
            .iter()
            .map(|p| Choice {
                value: p.code_text(),
                label: crate::format::prefecture_name(lang, p.code),
                selected: p.code_text() == selected,
            })
            .collect(),
        features: AccessibilityFeature::ALL
            .iter()
            .map(|f| FeatureChoice {
                value: f.as_str(),
                label: feature_label(lang, *f),
                checked: checked.iter().any(|c| c == f.as_str()),
            })
            .collect(),
        action,
        delete_action,
        fields,
        errors,
    }
}

fn edit_targets(context: &RequestContext, id: i64) -> Targets {
    Targets {
        action: context.href(&format!("/manage/venues/{id}")),
        delete_action: Some(context.href(&format!("/manage/venues/{id}/delete"))),
    }
}

pub async fn new_form(
    State(state): State<AppState>,
    context: RequestContext,
) -> Result<Response, AppError> {
    let targets = Targets {
        action: context.href("/manage/venues"),
        delete_action: None,
    };
    Ok(views::render(
        &view(
            &state,
            &context,
            "manage.venues.new",
            targets,
            HashMap::new(),
            &[],
            FormErrors::default(),
        )
        .await,
    ))
}

pub async fn edit_form(
    State(state): State<AppState>,
    context: RequestContext,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let venue = state.store().venue(id).await?;
    let (fields, checked) = fields_of(&venue);
    let targets = edit_targets(&context, id);
    Ok(views::render(
        &view(
            &state,
            &context,
            "manage.venues.edit",
            targets,
            fields,
            &checked,
            FormErrors::default(),
        )
        .await,
    ))
}

struct Parsed {
    prefecture: Option<u8>,
    position: Option<(f64, f64)>,
    features: Vec<AccessibilityFeature>,
}

fn parse(
    context: &RequestContext,
    fields: &HashMap<String, String>,
    checked: &[String],
    errors: &mut FormErrors,
) -> Option<Parsed> {
    let lang = context.lang;
    let get = |name: &str| fields.get(name).map_or("", |v| v.trim());
    let online = get("online") == "1";
    if text::normalize_line(get("name")).is_empty() {
        errors.add(lang, "name", "manage.error.name");
    }
    let prefecture = match get("prefecture") {
        "" if online => None,
        "" => {
            errors.add(lang, "prefecture", "manage.error.prefecture");
            None
        }
        code => kizuki_geo::prefecture_by_name(code).map(|p| p.code),
    };
    let coordinate = |name: &str| -> Result<Option<f64>, ()> {
        let text = get(name);
        if text.is_empty() {
            Ok(None)
        } else {
            text.parse().map(Some).map_err(|_| ())
        }
    };
    let position = match (coordinate("latitude"), coordinate("longitude")) {
        (Ok(Some(lat)), Ok(Some(lon)))
            if (20.0..=46.0).contains(&lat) && (122.0..=154.0).contains(&lon) =>
        {
            Some((lat, lon))
        }
        (Ok(None), Ok(None)) => prefecture
            .and_then(|code| kizuki_geo::locate(code, get("municipality")))
            .map(|p| (p.lat, p.lon)),
        _ => {
            errors.add(lang, "latitude", "manage.error.coordinates");
            None
        }
    };
    let features = checked
        .iter()
        .filter_map(|name| name.parse().ok())
        .collect();
    errors.is_empty().then_some(Parsed {
        prefecture,
        position,
        features,
    })
}

fn split(pairs: Vec<(String, String)>) -> (HashMap<String, String>, Vec<String>) {
    let mut fields = HashMap::new();
    let mut checked = Vec::new();
    for (key, value) in pairs {
        if key == "accessibility" {
            checked.push(value);
        } else {
            fields.insert(key, value);
        }
    }
    (fields, checked)
}

fn input<'a>(fields: &'a HashMap<String, String>, parsed: &'a Parsed) -> VenueInput<'a> {
    let get = |name: &str| fields.get(name).map_or("", |v| v.trim());
    VenueInput {
        is_online: get("online") == "1",
        name: get("name"),
        name_en: get("name_en"),
        address: get("address"),
        prefecture_code: parsed.prefecture,
        municipality: get("municipality"),
        position: parsed.position,
        access_notes: get("access_notes"),
        access_notes_en: get("access_notes_en"),
        accessibility: &parsed.features,
        accessibility_notes: get("accessibility_notes"),
        accessibility_notes_en: get("accessibility_notes_en"),
    }
}

pub async fn create(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    CleanForm(pairs): CleanForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let (fields, checked) = split(pairs);
    let mut errors = FormErrors::default();
    if let Some(parsed) = parse(&context, &fields, &checked, &mut errors) {
        let id = state
            .store()
            .create_venue(&input(&fields, &parsed), state.now())
            .await?;
        state
            .store()
            .record_audit(
                Some(user.id),
                "venue_created",
                fields.get("name").map_or("", String::as_str),
                &id.to_string(),
                state.now(),
            )
            .await?;
        return Ok(redirect_with_flash(
            &context,
            "/manage/venues",
            "flash.venue_saved",
        ));
    }
    let targets = Targets {
        action: context.href("/manage/venues"),
        delete_action: None,
    };
    let page = views::render(
        &view(
            &state,
            &context,
            "manage.venues.new",
            targets,
            fields,
            &checked,
            errors,
        )
        .await,
    );
    Ok(with_status(StatusCode::UNPROCESSABLE_ENTITY, page))
}

pub async fn update(
    State(state): State<AppState>,
    context: RequestContext,
    Path(id): Path<String>,
    CleanForm(pairs): CleanForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    state.store().venue(id).await?;
    let (fields, checked) = split(pairs);
    let mut errors = FormErrors::default();
    if let Some(parsed) = parse(&context, &fields, &checked, &mut errors) {
        state
            .store()
            .update_venue(id, &input(&fields, &parsed), state.now())
            .await?;
        return Ok(redirect_with_flash(
            &context,
            "/manage/venues",
            "flash.venue_saved",
        ));
    }
    let targets = edit_targets(&context, id);
    let page = views::render(
        &view(
            &state,
            &context,
            "manage.venues.edit",
            targets,
            fields,
            &checked,
            errors,
        )
        .await,
    );
    Ok(with_status(StatusCode::UNPROCESSABLE_ENTITY, page))
}

pub async fn delete(
    State(state): State<AppState>,
    context: RequestContext,
    Path(id): Path<String>,
    CleanForm(form): CleanForm<Confirmation>,
) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    if !form.given() {
        let venue = state.store().venue(id).await?;
        let name = Localized::pick(context.lang, &venue.name, &venue.name_en).text;
        return Ok(confirm::ask(
            &state,
            &context,
            Question {
                title_key: "confirm.delete_venue.title",
                consequence: kizuki_i18n::format(
                    context.lang,
                    "confirm.delete_venue.consequence",
                    &[("name", &name)],
                ),
                button_key: "manage.venues.delete",
                action: format!("/manage/venues/{id}/delete"),
                back: format!("/manage/venues/{id}/edit"),
                fields: Vec::new(),
            },
        ));
    }
    match state.store().delete_venue(id).await {
        Ok(()) => Ok(redirect_with_flash(
            &context,
            "/manage/venues",
            "flash.venue_deleted",
        )),
        Err(StoreError::Conflict(_)) => Ok(redirect_with_flash(
            &context,
            &format!("/manage/venues/{id}/edit"),
            "flash.venue_in_use",
        )),
        Err(other) => Err(other.into()),
    }
}
