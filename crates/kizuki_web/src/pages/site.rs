//! The pages every footer links to: who runs the site, the privacy policy and the
//! accessibility statement. The privacy policy is written from the settings in force (how
//! long each training keeps personal data, the smallest count a questionnaire table shows, how
//! long the private page stays open), so it cannot drift from what the software does.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use kizuki_domain::questionnaire::DEFAULT_MIN_CELL;
use kizuki_i18n::Lang;

use crate::context::RequestContext;
use crate::error::AppError;
use crate::format::Localized;
use crate::guide::ContactView;
use crate::pages::registration::mine::COOKIE_SECONDS;
use crate::state::AppState;
use crate::views::{self, Chrome};

/// Retention a new training starts with (months), as migration 0006 sets it.
pub const DEFAULT_RETENTION_MONTHS: i64 = 12;

#[derive(Template)]
#[template(path = "site_operator.html")]
pub struct OperatorView {
    pub page: Chrome,
    pub organisation: Localized,
    pub representative: Localized,
    pub address: Localized,
    pub contact: ContactView,
    pub privacy_href: String,
}

pub async fn operator(
    State(state): State<AppState>,
    context: RequestContext,
) -> Result<Response, AppError> {
    let lang = context.lang;
    let profile = state.store().operator_profile().await?;
    let contact = profile.contact();
    let source = if contact.reachable() {
        kizuki_domain::contact::ContactSource::Operator
    } else {
        kizuki_domain::contact::ContactSource::Nobody
    };
    Ok(views::render(&OperatorView {
        page: Chrome::new(&state, &context, "site.operator.title"),
        organisation: Localized::pick(lang, &profile.organisation, &profile.organisation_en),
        representative: Localized::pick(lang, &profile.representative, &profile.representative_en),
        address: Localized::pick(lang, &profile.address, &profile.address_en),
        contact: ContactView::for_site(lang, &contact, source),
        privacy_href: context.href("/privacy"),
    }))
}

/// One section of the privacy policy: a heading and its paragraphs.
pub struct PolicySection {
    pub id: &'static str,
    pub heading: &'static str,
    pub paragraphs: Vec<String>,
}

#[derive(Template)]
#[template(path = "site_privacy.html")]
pub struct PrivacyView {
    pub page: Chrome,
    pub version: &'static str,
    pub sections: Vec<PolicySection>,
    pub operator_href: String,
}

/// The facts the policy is written from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyFacts {
    /// Retention periods in months, shortest first; never empty.
    pub retention_months: Vec<i64>,
    /// The least and the most k in use.
    pub min_cell: (i64, i64),
    pub private_page_minutes: i64,
    pub operator: String,
}

/// "12 か月" / "12 months"; several periods are listed with the usual one first.
fn retention_words(lang: Lang, months: &[i64]) -> String {
    let words: Vec<String> = months
        .iter()
        .map(|m| kizuki_i18n::count(lang, "site.privacy.months", *m))
        .collect();
    match words.as_slice() {
        [one] => one.clone(),
        _ => kizuki_i18n::format(
            lang,
            "site.privacy.months_range",
            &[
                ("shortest", &words[0]),
                ("longest", &words[words.len() - 1]),
            ],
        ),
    }
}

fn min_cell_words(lang: Lang, (least, most): (i64, i64)) -> String {
    if least == most {
        least.to_string()
    } else {
        kizuki_i18n::format(
            lang,
            "site.privacy.k_range",
            &[("least", &least.to_string()), ("most", &most.to_string())],
        )
    }
}

pub fn policy(lang: Lang, facts: &PolicyFacts) -> Vec<PolicySection> {
    let t = |key: &str| kizuki_i18n::text(lang, key).to_owned();
    let f = |key: &str, arguments: &[(&str, &str)]| kizuki_i18n::format(lang, key, arguments);
    let retention = retention_words(lang, &facts.retention_months);
    let k = min_cell_words(lang, facts.min_cell);
    let minutes = facts.private_page_minutes.to_string();
    vec![
        PolicySection {
            id: "operator",
            heading: kizuki_i18n::text(lang, "site.privacy.operator_title"),
            paragraphs: vec![f(
                "site.privacy.operator",
                &[("operator", facts.operator.as_str())],
            )],
        },
        PolicySection {
            id: "applications",
            heading: kizuki_i18n::text(lang, "site.privacy.applications_title"),
            paragraphs: vec![
                t("site.privacy.applications_what"),
                // The form's notice says it in the same words: one message, so they cannot drift.
                t("apply.privacy.who"),
                f(
                    "site.privacy.applications_keep",
                    &[("retention", &retention)],
                ),
                f("site.privacy.private_page", &[("minutes", &minutes)]),
            ],
        },
        PolicySection {
            id: "questionnaires",
            heading: kizuki_i18n::text(lang, "site.privacy.questionnaires_title"),
            paragraphs: vec![
                t("site.privacy.questionnaires_anonymous"),
                f("site.privacy.questionnaires_k", &[("k", &k)]),
            ],
        },
        PolicySection {
            id: "messages",
            heading: kizuki_i18n::text(lang, "site.privacy.messages_title"),
            paragraphs: vec![t("site.privacy.messages")],
        },
        PolicySection {
            id: "cookies",
            heading: kizuki_i18n::text(lang, "site.privacy.cookies_title"),
            paragraphs: vec![
                t("site.privacy.cookies"),
                t("site.privacy.no_third_parties"),
            ],
        },
        PolicySection {
            id: "rights",
            heading: kizuki_i18n::text(lang, "site.privacy.rights_title"),
            paragraphs: vec![t("site.privacy.rights")],
        },
    ]
}

pub async fn privacy(
    State(state): State<AppState>,
    context: RequestContext,
) -> Result<Response, AppError> {
    let lang = context.lang;
    let mut retention_months = state.store().retention_periods().await?;
    if retention_months.is_empty() {
        retention_months.push(DEFAULT_RETENTION_MONTHS);
    }
    let min_cell = state
        .store()
        .min_cell_range()
        .await?
        .unwrap_or((DEFAULT_MIN_CELL, DEFAULT_MIN_CELL));
    let profile = state.store().operator_profile().await?;
    let mut operator = Localized::pick(lang, &profile.organisation, &profile.organisation_en).text;
    if operator.trim().is_empty() {
        operator = kizuki_i18n::text(lang, "site.privacy.operator_unnamed").to_owned();
    }
    let facts = PolicyFacts {
        retention_months,
        min_cell,
        private_page_minutes: COOKIE_SECONDS / 60,
        operator,
    };
    Ok(views::render(&PrivacyView {
        page: Chrome::new(&state, &context, "site.privacy.title"),
        version: kizuki_domain::registration::PRIVACY_NOTICE_VERSION,
        sections: policy(lang, &facts),
        operator_href: context.href("/about"),
    }))
}

#[derive(Template)]
#[template(path = "site_accessibility.html")]
pub struct AccessibilityView {
    pub page: Chrome,
    pub operator_href: String,
}

pub async fn accessibility(
    State(state): State<AppState>,
    context: RequestContext,
) -> Result<Response, AppError> {
    Ok(views::render(&AccessibilityView {
        page: Chrome::new(&state, &context, "site.accessibility.title"),
        operator_href: context.href("/about"),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(retention: &[i64], k: (i64, i64)) -> PolicyFacts {
        PolicyFacts {
            retention_months: retention.to_vec(),
            min_cell: k,
            private_page_minutes: 30,
            operator: "IPS 研究班".to_owned(),
        }
    }

    fn text_of(sections: &[PolicySection]) -> String {
        sections
            .iter()
            .flat_map(|s| s.paragraphs.iter().cloned())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn the_policy_says_the_settings_in_force() {
        let ja = text_of(&policy(Lang::Ja, &facts(&[12], (5, 5))));
        assert!(ja.contains("12 か月"), "{ja}");
        assert!(ja.contains("5 件"), "{ja}");
        assert!(ja.contains("30 分"), "{ja}");
        let en = text_of(&policy(Lang::En, &facts(&[6, 24], (3, 10))));
        assert!(en.contains("between 6 months and 24 months"), "{en}");
        assert!(en.contains("3 to 10"), "{en}");
        let one = text_of(&policy(Lang::En, &facts(&[1], (5, 5))));
        assert!(one.contains("1 month "), "{one}");
    }
}
