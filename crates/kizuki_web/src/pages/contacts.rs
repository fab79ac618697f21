//! The two forms that say who people can reach: the operator's profile (administrators) and
//! a training's guide for participants (organisers): its own contact, what to bring, how to
//! pay. Both are lists of text fields, read and checked the same way; what was typed is kept
//! when something needs correcting.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use kizuki_domain::{EmailAddress, text};
use kizuki_i18n::Lang;
use kizuki_store::{OperatorProfile, TrainingGuide};

use super::manage::FormErrors;
use crate::context::RequestContext;
use crate::error::AppError;
use crate::format::Localized;
use crate::forms::{CleanForm, redirect_with_flash, with_status};
use crate::state::AppState;
use crate::views::{self, Chrome};

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Line,
    Lines,
    Email,
    Phone,
}

/// One field of the form as the template draws it.
pub struct FieldView {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub value: String,
    pub kind: Kind,
    /// An English field: marked `lang="en"` so screen readers read it so.
    pub english: bool,
    pub errors: Vec<String>,
}

impl FieldView {
    pub fn multiline(&self) -> bool {
        self.kind == Kind::Lines
    }

    pub fn input_type(&self) -> &'static str {
        match self.kind {
            Kind::Email => "email",
            Kind::Phone => "tel",
            Kind::Line | Kind::Lines => "text",
        }
    }
}

pub struct Group {
    pub legend: &'static str,
    pub fields: Vec<FieldView>,
}

#[derive(Template)]
#[template(path = "manage/contact_form.html")]
pub struct ContactFormView {
    pub page: Chrome,
    pub intro: &'static str,
    pub back: Option<(String, Localized)>,
    pub groups: Vec<Group>,
    pub errors: FormErrors,
    pub preview_href: String,
}

struct Spec {
    name: &'static str,
    kind: Kind,
    max: usize,
}

const fn spec(name: &'static str, kind: Kind, max: usize) -> Spec {
    Spec { name, kind, max }
}

type Fields = HashMap<String, String>;

/// Reads every field of `specs`, cleaned as stored, with a message for each one that is wrong.
fn read(lang: Lang, fields: &Fields, specs: &[&[Spec]]) -> Result<Fields, FormErrors> {
    let mut errors = FormErrors::default();
    let mut clean = Fields::new();
    for spec in specs.iter().flat_map(|group| group.iter()) {
        let raw = fields.get(spec.name).map_or("", String::as_str);
        let value = match spec.kind {
            Kind::Lines => text::normalize(raw),
            _ => text::normalize_line(raw),
        };
        if value.chars().count() > spec.max {
            errors.add_text(
                spec.name,
                kizuki_i18n::format(
                    lang,
                    "contacts.error.too_long",
                    &[
                        ("field", kizuki_i18n::text(lang, &label_key(spec.name))),
                        ("max", &spec.max.to_string()),
                    ],
                ),
            );
        }
        let value = match spec.kind {
            Kind::Email if !value.is_empty() => match EmailAddress::parse(&value) {
                Ok(address) => address.as_str().to_owned(),
                Err(_) => {
                    errors.add(lang, spec.name, "contacts.error.email");
                    value
                }
            },
            Kind::Phone if !value.is_empty() && !looks_like_phone(&value) => {
                errors.add(lang, spec.name, "contacts.error.phone");
                value
            }
            Kind::Phone => half_width(&value),
            _ => value,
        };
        clean.insert(spec.name.to_owned(), value);
    }
    if errors.is_empty() {
        Ok(clean)
    } else {
        Err(errors)
    }
}

/// Digits with the separators people write (`03-1234-5678`, `+81 3 1234 5678`, `(03)`),
/// full-width digits too.
fn looks_like_phone(value: &str) -> bool {
    let digits = value
        .chars()
        .filter(|c| c.is_ascii_digit() || ('０'..='９').contains(c))
        .count();
    (6..=20).contains(&digits)
        && value.chars().all(|c| {
            c.is_ascii_digit()
                || ('０'..='９').contains(&c)
                || matches!(c, '-' | '‐' | '－' | '+' | '(' | ')' | '（' | '）' | ' ')
        })
}

/// A number as a `tel:` link and every phone can read it: full-width digits and signs made
/// half-width.
fn half_width(value: &str) -> String {
    value
        .chars()
        .map(|c| match c {
            '０'..='９' => {
                char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')).unwrap_or(c)
            }
            '‐' | '－' => '-',
            '（' => '(',
            '）' => ')',
            c => c,
        })
        .collect()
}

fn label_key(name: &str) -> String {
    format!("contacts.field.{name}")
}

fn groups(
    lang: Lang,
    specs: &[(&'static str, &[Spec])],
    fields: &Fields,
    errors: &FormErrors,
) -> Vec<Group> {
    specs
        .iter()
        .map(|(legend, group)| Group {
            legend: kizuki_i18n::text(lang, legend),
            fields: group
                .iter()
                .map(|spec| FieldView {
                    name: spec.name,
                    label: kizuki_i18n::text(lang, &label_key(spec.name)),
                    hint: kizuki_i18n::catalog(lang)
                        .get(&format!("contacts.hint.{}", spec.name))
                        .unwrap_or(""),
                    value: fields.get(spec.name).cloned().unwrap_or_default(),
                    kind: spec.kind,
                    english: spec.name.ends_with("_en"),
                    errors: errors.for_field(spec.name),
                })
                .collect(),
        })
        .collect()
}

fn get(fields: &Fields, name: &str) -> String {
    fields.get(name).cloned().unwrap_or_default()
}

// The operator's profile.

const OPERATOR_WHO: &[Spec] = &[
    spec("organisation", Kind::Line, 200),
    spec("organisation_en", Kind::Line, 200),
    spec("representative", Kind::Line, 100),
    spec("representative_en", Kind::Line, 100),
    spec("address", Kind::Lines, 500),
    spec("address_en", Kind::Lines, 500),
];
const OPERATOR_REACH: &[Spec] = &[
    spec("email", Kind::Email, 254),
    spec("phone", Kind::Phone, 30),
    spec("hours", Kind::Line, 200),
    spec("hours_en", Kind::Line, 200),
];

fn operator_specs() -> [(&'static str, &'static [Spec]); 2] {
    [
        ("contacts.operator.who", OPERATOR_WHO),
        ("contacts.operator.reach", OPERATOR_REACH),
    ]
}

fn operator_fields(profile: &OperatorProfile) -> Fields {
    [
        ("organisation", &profile.organisation),
        ("organisation_en", &profile.organisation_en),
        ("representative", &profile.representative),
        ("representative_en", &profile.representative_en),
        ("address", &profile.address),
        ("address_en", &profile.address_en),
        ("email", &profile.email),
        ("phone", &profile.phone),
        ("hours", &profile.hours),
        ("hours_en", &profile.hours_en),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), value.clone()))
    .collect()
}

fn operator_view(
    state: &AppState,
    context: &RequestContext,
    fields: &Fields,
    errors: FormErrors,
) -> ContactFormView {
    let lang = context.lang;
    ContactFormView {
        page: Chrome::new(state, context, "contacts.operator.title"),
        intro: kizuki_i18n::text(lang, "contacts.operator.intro"),
        back: None,
        groups: groups(lang, &operator_specs(), fields, &errors),
        errors,
        preview_href: context.href("/about"),
    }
}

pub async fn operator_form(
    State(state): State<AppState>,
    context: RequestContext,
) -> Result<Response, AppError> {
    let profile = state.store().operator_profile().await?;
    Ok(views::render(&operator_view(
        &state,
        &context,
        &operator_fields(&profile),
        FormErrors::default(),
    )))
}

pub async fn operator_save(
    State(state): State<AppState>,
    context: RequestContext,
    CleanForm(pairs): CleanForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let typed: Fields = pairs.into_iter().collect();
    let specs = operator_specs();
    let clean = match read(context.lang, &typed, &[specs[0].1, specs[1].1]) {
        Ok(clean) => clean,
        Err(errors) => {
            let page = views::render(&operator_view(&state, &context, &typed, errors));
            return Ok(with_status(StatusCode::UNPROCESSABLE_ENTITY, page));
        }
    };
    let profile = OperatorProfile {
        organisation: get(&clean, "organisation"),
        organisation_en: get(&clean, "organisation_en"),
        representative: get(&clean, "representative"),
        representative_en: get(&clean, "representative_en"),
        address: get(&clean, "address"),
        address_en: get(&clean, "address_en"),
        email: get(&clean, "email"),
        phone: get(&clean, "phone"),
        hours: get(&clean, "hours"),
        hours_en: get(&clean, "hours_en"),
    };
    state
        .store()
        .save_operator_profile(&profile, state.now())
        .await?;
    Ok(redirect_with_flash(
        &context,
        "/admin/operator",
        "flash.saved",
    ))
}

// A training's guide.

const GUIDE_CONTACT: &[Spec] = &[
    spec("contact_name", Kind::Line, 100),
    spec("contact_name_en", Kind::Line, 100),
    spec("contact_email", Kind::Email, 254),
    spec("contact_phone", Kind::Phone, 30),
];
const GUIDE_DAY: &[Spec] = &[
    spec("payment", Kind::Lines, 1000),
    spec("payment_en", Kind::Lines, 1000),
    spec("bring", Kind::Lines, 1000),
    spec("bring_en", Kind::Lines, 1000),
];

fn guide_specs() -> [(&'static str, &'static [Spec]); 2] {
    [
        ("contacts.guide.contact", GUIDE_CONTACT),
        ("contacts.guide.day", GUIDE_DAY),
    ]
}

fn guide_fields(guide: &TrainingGuide) -> Fields {
    [
        ("contact_name", &guide.contact_name),
        ("contact_name_en", &guide.contact_name_en),
        ("contact_email", &guide.contact_email),
        ("contact_phone", &guide.contact_phone),
        ("payment", &guide.payment),
        ("payment_en", &guide.payment_en),
        ("bring", &guide.bring),
        ("bring_en", &guide.bring_en),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), value.clone()))
    .collect()
}

fn guide_view(
    state: &AppState,
    context: &RequestContext,
    training: &kizuki_store::Training,
    fields: &Fields,
    errors: FormErrors,
) -> ContactFormView {
    let lang = context.lang;
    ContactFormView {
        page: Chrome::new(state, context, "contacts.guide.title"),
        intro: kizuki_i18n::text(lang, "contacts.guide.intro"),
        back: Some((
            context.href(&format!("/manage/trainings/{}/applications", training.id)),
            Localized::pick(lang, &training.title, &training.title_en),
        )),
        groups: groups(lang, &guide_specs(), fields, &errors),
        errors,
        preview_href: context.href(&format!("/trainings/{}", training.id)),
    }
}

pub async fn guide_form(
    State(state): State<AppState>,
    context: RequestContext,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let training = super::manage::registration::training(&state, &id).await?;
    let guide = state.store().training_guide(training.id).await?;
    Ok(views::render(&guide_view(
        &state,
        &context,
        &training,
        &guide_fields(&guide),
        FormErrors::default(),
    )))
}

pub async fn guide_save(
    State(state): State<AppState>,
    context: RequestContext,
    Path(id): Path<String>,
    CleanForm(pairs): CleanForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let training = super::manage::registration::training(&state, &id).await?;
    let typed: Fields = pairs.into_iter().collect();
    let specs = guide_specs();
    let clean = match read(context.lang, &typed, &[specs[0].1, specs[1].1]) {
        Ok(clean) => clean,
        Err(errors) => {
            let page = views::render(&guide_view(&state, &context, &training, &typed, errors));
            return Ok(with_status(StatusCode::UNPROCESSABLE_ENTITY, page));
        }
    };
    let guide = TrainingGuide {
        contact_name: get(&clean, "contact_name"),
        contact_name_en: get(&clean, "contact_name_en"),
        contact_email: get(&clean, "contact_email"),
        contact_phone: get(&clean, "contact_phone"),
        bring: get(&clean, "bring"),
        bring_en: get(&clean, "bring_en"),
        payment: get(&clean, "payment"),
        payment_en: get(&clean, "payment_en"),
    };
    state
        .store()
        .save_training_guide(training.id, &guide, state.now())
        .await?;
    Ok(redirect_with_flash(
        &context,
        &format!("/manage/trainings/{}/guide", training.id),
        "flash.saved",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_as_people_write_them() {
        for good in [
            "03-1234-5678",
            "+81 3 1234 5678",
            "(03)1234-5678",
            "０３－１２３４－５６７８",
        ] {
            assert!(looks_like_phone(good), "{good}");
        }
        assert_eq!(half_width("０３－１２３４－５６７８"), "03-1234-5678");
        for bad in ["call me", "12", "03-1234-5678 内線", "javascript:alert(1)"] {
            assert!(!looks_like_phone(bad), "{bad}");
        }
    }

    #[test]
    fn a_wrong_field_is_named_and_nothing_typed_is_lost() {
        let typed: Fields = [
            ("email".to_owned(), "not an address".to_owned()),
            ("organisation".to_owned(), "IPS 研究班".to_owned()),
        ]
        .into_iter()
        .collect();
        let errors = read(Lang::Ja, &typed, &[OPERATOR_WHO, OPERATOR_REACH]).unwrap_err();
        assert!(errors.has("email"));
        assert!(!errors.has("organisation"));
        let typed: Fields = [("phone".to_owned(), "x".repeat(40))].into_iter().collect();
        let errors = read(Lang::En, &typed, &[OPERATOR_REACH]).unwrap_err();
        assert!(
            errors
                .all()
                .iter()
                .any(|m| m.contains("Phone") && m.contains("30"))
        );
    }
}
