//! Facilitators and speakers, with the short biographies shown on training pages. They need no
//! account; one can be linked to an account so that its owner is recognised as the facilitator.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use kizuki_domain::text;
use kizuki_store::{Person, PersonInput};
use serde::Deserialize;

use super::Choice;
use crate::context::RequestContext;
use crate::error::AppError;
use crate::format::Localized;
use crate::forms::{CleanForm, redirect_with_flash, with_status};
use crate::state::AppState;
use crate::views::{self, Chrome};

#[derive(Deserialize, Default, Clone)]
pub struct PersonForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    bio: String,
    #[serde(default)]
    bio_en: String,
    #[serde(default)]
    user_id: String,
}

pub struct Row {
    pub edit_href: String,
    pub name: Localized,
    pub bio: Localized,
}

#[derive(Template)]
#[template(path = "manage/people.html")]
pub struct PeopleView {
    pub page: Chrome,
    pub rows: Vec<Row>,
    pub action: String,
    pub form: PersonForm,
    pub accounts: Vec<Choice>,
    pub error: Option<String>,
    pub editing: bool,
}

async fn render(
    state: &AppState,
    context: &RequestContext,
    action: String,
    form: PersonForm,
    error: Option<String>,
    editing: bool,
) -> Result<Response, AppError> {
    let lang = context.lang;
    let people = state.store().people().await?;
    let users = state.store().list_users().await?;
    Ok(views::render(&PeopleView {
        page: Chrome::new(
            state,
            context,
            if editing {
                "manage.people.edit"
            } else {
                "manage.people.title"
            },
        ),
        rows: people
            .iter()
            .map(|person| Row {
                edit_href: lang.localize(&format!("/manage/people/{}/edit", person.id)),
                name: Localized::pick(lang, &person.name, &person.name_en),
                bio: Localized::pick(lang, &person.bio, &person.bio_en),
            })
            .collect(),
        accounts: users
            .iter()
            .map(|user| Choice {
                value: user.id.to_string(),
                label: format!("{} <{}>", user.display_name, user.email),
                selected: user.id.to_string() == form.user_id,
            })
            .collect(),
        action,
        form,
        error,
        editing,
    }))
}

fn form_of(person: &Person) -> PersonForm {
    PersonForm {
        name: person.name.clone(),
        name_en: person.name_en.clone(),
        bio: person.bio.clone(),
        bio_en: person.bio_en.clone(),
        user_id: person.user_id.map(|id| id.to_string()).unwrap_or_default(),
    }
}

pub async fn index(
    State(state): State<AppState>,
    context: RequestContext,
) -> Result<Response, AppError> {
    let action = context.href("/manage/people");
    render(&state, &context, action, PersonForm::default(), None, false).await
}

pub async fn edit_form(
    State(state): State<AppState>,
    context: RequestContext,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let person = state.store().person(id).await?;
    let action = context.href(&format!("/manage/people/{id}"));
    render(&state, &context, action, form_of(&person), None, true).await
}

fn checked(form: &PersonForm) -> Option<(String, Option<i64>)> {
    let name = text::normalize_line(&form.name);
    (!name.is_empty() && name.chars().count() <= 100)
        .then(|| (name, form.user_id.trim().parse().ok()))
}

pub async fn create(
    State(state): State<AppState>,
    context: RequestContext,
    CleanForm(form): CleanForm<PersonForm>,
) -> Result<Response, AppError> {
    let Some((name, user_id)) = checked(&form) else {
        let message = kizuki_i18n::text(context.lang, "manage.error.name").to_owned();
        let action = context.href("/manage/people");
        return Ok(with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            render(&state, &context, action, form, Some(message), false).await?,
        ));
    };
    let (name_en, bio, bio_en) = (
        text::normalize_line(&form.name_en),
        text::normalize(&form.bio),
        text::normalize(&form.bio_en),
    );
    let input = PersonInput {
        name: &name,
        name_en: &name_en,
        bio: &bio,
        bio_en: &bio_en,
        user_id,
    };
    state.store().create_person(&input, state.now()).await?;
    Ok(redirect_with_flash(
        &context,
        "/manage/people",
        "flash.person_saved",
    ))
}

pub async fn update(
    State(state): State<AppState>,
    context: RequestContext,
    Path(id): Path<String>,
    CleanForm(form): CleanForm<PersonForm>,
) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    state.store().person(id).await?;
    let Some((name, user_id)) = checked(&form) else {
        let message = kizuki_i18n::text(context.lang, "manage.error.name").to_owned();
        let action = context.href(&format!("/manage/people/{id}"));
        return Ok(with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            render(&state, &context, action, form, Some(message), true).await?,
        ));
    };
    let (name_en, bio, bio_en) = (
        text::normalize_line(&form.name_en),
        text::normalize(&form.bio),
        text::normalize(&form.bio_en),
    );
    let input = PersonInput {
        name: &name,
        name_en: &name_en,
        bio: &bio,
        bio_en: &bio_en,
        user_id,
    };
    state.store().update_person(id, &input).await?;
    Ok(redirect_with_flash(
        &context,
        "/manage/people",
        "flash.person_saved",
    ))
}
