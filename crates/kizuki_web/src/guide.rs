//! What a participant needs to take part: whom to contact and how, when and where, what it
//! costs and how to pay, what to bring. One reading of it serves the training page, the form,
//! the private page and every message, so they never disagree.

use kizuki_domain::contact::{self, ContactPoint, ContactSource};
use kizuki_i18n::Lang;
use kizuki_store::{StoreError, Training, TrainingGuide};

use crate::format::{self, Localized};
use crate::state::AppState;

/// A training's guide with the contact it resolves to.
#[derive(Clone, Debug)]
pub struct Guide {
    pub contact: ContactPoint,
    pub source: ContactSource,
    pub details: TrainingGuide,
}

impl Guide {
    pub async fn load(state: &AppState, training_id: i64) -> Result<Guide, StoreError> {
        let details = state.store().training_guide(training_id).await?;
        let operator = state.store().operator_profile().await?;
        let (contact, source) = contact::for_training(&details.contact(), &operator.contact());
        Ok(Guide {
            contact,
            source,
            details,
        })
    }

    pub fn contact_view(&self, lang: Lang) -> ContactView {
        ContactView::new(lang, &self.contact, self.source)
    }

    /// The contact as a message ends with it. With nobody set, the reader is asked to reply:
    /// the one way of reaching someone a message always has.
    pub fn contact_text(&self, lang: Lang) -> String {
        let t = |key: &str| kizuki_i18n::text(lang, key);
        if self.source == ContactSource::Nobody {
            return t("guide.mail.reply").to_owned();
        }
        let mut name = Localized::pick(lang, &self.contact.name, &self.contact.name_en).text;
        if name.trim().is_empty() {
            name = t("guide.role.operator").to_owned();
        }
        let mut lines = vec![kizuki_i18n::format(
            lang,
            "guide.mail.contact",
            &[("name", name.as_str())],
        )];
        if !self.contact.email.is_empty() {
            lines.push(format!("{}{}", t("guide.mail.email"), self.contact.email));
        }
        if !self.contact.phone.is_empty() {
            let hours = Localized::pick(lang, &self.contact.hours, &self.contact.hours_en).text;
            let phone = if hours.is_empty() {
                self.contact.phone.clone()
            } else {
                kizuki_i18n::format(
                    lang,
                    "guide.phone_hours",
                    &[
                        ("phone", self.contact.phone.as_str()),
                        ("hours", hours.as_str()),
                    ],
                )
            };
            lines.push(format!("{}{}", t("guide.mail.phone"), phone));
        }
        lines.join("\n")
    }

    /// Dates and times, venue with its address and access, fee and payment, what to bring and
    /// the calendar file, as the confirmed message and the reminder give them.
    pub fn practical_text(&self, lang: Lang, training: &Training, public_url: &str) -> String {
        let t = |key: &str| kizuki_i18n::text(lang, key);
        let mut lines = vec![t("guide.mail.heading").to_owned()];
        for day in &training.days {
            lines.push(format!(
                "{}{} {}",
                t("guide.mail.when"),
                format::date(lang, day.date),
                format::time_range(day.start, day.end)
            ));
        }
        if let Some(venue) = &training.venue {
            let name = Localized::pick(lang, &venue.name, &venue.name_en).text;
            lines.push(format!("{}{name}", t("guide.mail.where")));
            if !venue.is_online && !venue.address.is_empty() {
                lines.push(format!("{}{}", t("guide.mail.address"), venue.address));
            }
            let access = Localized::pick(lang, &venue.access_notes, &venue.access_notes_en).text;
            if !access.is_empty() {
                lines.push(format!("{}{access}", t("guide.mail.access")));
            }
        }
        if let Some(fee) = training.fee_yen {
            lines.push(format!("{}{}", t("guide.mail.fee"), format::yen(lang, fee)));
        }
        let payment = Localized::pick(lang, &self.details.payment, &self.details.payment_en).text;
        if !payment.is_empty() {
            lines.push(format!("{}{payment}", t("guide.mail.payment")));
        }
        let bring = Localized::pick(lang, &self.details.bring, &self.details.bring_en).text;
        if !bring.is_empty() {
            lines.push(format!("{}{bring}", t("guide.mail.bring")));
        }
        lines.push(format!(
            "{}{public_url}/trainings/{}/calendar.ics",
            t("guide.mail.calendar"),
            training.id
        ));
        lines.join("\n")
    }

    /// The guide as the private page shows it.
    pub fn practical_view(&self, lang: Lang, training: &Training) -> PracticalView {
        let venue = training.venue.as_ref();
        PracticalView {
            days: training
                .days
                .iter()
                .map(|day| {
                    format!(
                        "{} {}",
                        format::date(lang, day.date),
                        format::time_range(day.start, day.end)
                    )
                })
                .collect(),
            venue: venue.map(|v| Localized::pick(lang, &v.name, &v.name_en)),
            venue_href: venue.map(|v| lang.localize(&format!("/venues/{}", v.id))),
            address: venue
                .filter(|v| !v.is_online)
                .map(|v| v.address.clone())
                .unwrap_or_default(),
            access: venue
                .map(|v| Localized::pick(lang, &v.access_notes, &v.access_notes_en))
                .unwrap_or_else(|| Localized::pick(lang, "", "")),
            fee: training.fee_yen.map(|fee| format::yen(lang, fee)),
            fee_note: Localized::pick(lang, &training.fee_note, &training.fee_note_en),
            payment: Localized::pick(lang, &self.details.payment, &self.details.payment_en),
            bring: Localized::pick(lang, &self.details.bring, &self.details.bring_en),
            calendar_href: format!("/trainings/{}/calendar.ics", training.id),
        }
    }
}

/// Whom to contact, as a page shows it (`partials/contact.html`).
pub struct ContactView {
    pub reachable: bool,
    pub name: Localized,
    pub email: String,
    pub phone: String,
    pub hours: Localized,
    /// Whom the reader will reach, in a sentence: 「…研修会の担当までお寄せください。」
    pub intro: String,
    pub about_href: String,
}

impl ContactView {
    pub fn new(lang: Lang, contact: &ContactPoint, source: ContactSource) -> ContactView {
        ContactView {
            reachable: contact.reachable(),
            name: Localized::pick(lang, &contact.name, &contact.name_en),
            email: contact.email.clone(),
            phone: contact.phone.clone(),
            hours: Localized::pick(lang, &contact.hours, &contact.hours_en),
            intro: kizuki_i18n::format(
                lang,
                "guide.intro",
                &[(
                    "role",
                    kizuki_i18n::text(
                        lang,
                        match source {
                            ContactSource::Training => "guide.role.training",
                            ContactSource::Operator | ContactSource::Nobody => {
                                "guide.role.operator"
                            }
                        },
                    ),
                )],
            ),
            about_href: lang.localize("/about"),
        }
    }

    /// The operator's own contact, as the operator page introduces it: about the whole site.
    pub fn for_site(lang: Lang, contact: &ContactPoint, source: ContactSource) -> ContactView {
        ContactView {
            intro: kizuki_i18n::text(lang, "guide.intro_site").to_owned(),
            ..ContactView::new(lang, contact, source)
        }
    }

    /// `tel:` wants digits and a leading plus only.
    pub fn phone_href(&self) -> String {
        let digits: String = self
            .phone
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect();
        format!("tel:{digits}")
    }
}

/// The practical details on the private page.
pub struct PracticalView {
    pub days: Vec<String>,
    pub venue: Option<Localized>,
    pub venue_href: Option<String>,
    pub address: String,
    pub access: Localized,
    pub fee: Option<String>,
    pub fee_note: Localized,
    pub payment: Localized,
    pub bring: Localized,
    pub calendar_href: String,
}
