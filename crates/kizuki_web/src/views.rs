//! Typed views: one struct per page, rendered by askama from `templates/`. Every view holds a
//! [`Chrome`], which carries what the layout needs (language, visitor, CSRF token) and the
//! catalogue lookup that templates use for every word they show.

use askama::Template;
use axum::response::{Html, IntoResponse, Response};
use kizuki_domain::{Role, Timestamp};
use kizuki_i18n::Lang;
use kizuki_store::{ApiTokenSummary, AuditEntry, User};

use crate::context::RequestContext;
use crate::error::AppError;
use crate::state::AppState;
use crate::{assets, csrf};

pub struct Chrome {
    pub lang: Lang,
    pub title: String,
    /// A summary for search engines and link previews.
    pub description: Option<String>,
    path: String,
    query: Option<String>,
    pub user: Option<User>,
    pub csrf_token: String,
    pub flash: Option<String>,
}

impl Chrome {
    pub fn new(state: &AppState, context: &RequestContext, title_key: &str) -> Chrome {
        let flash = context
            .flash
            .as_deref()
            .filter(|key| {
                key.starts_with("flash.") && kizuki_i18n::catalog(context.lang).get(key).is_some()
            })
            .map(|key| kizuki_i18n::text(context.lang, key).to_owned());
        Chrome {
            lang: context.lang,
            title: kizuki_i18n::text(context.lang, title_key).to_owned(),
            description: None,
            path: context.path.clone(),
            query: context.query.clone(),
            user: context.user.clone(),
            csrf_token: csrf::token_for(
                state.csrf_key(),
                &context.csrf_seed,
                context.session_digest.as_deref(),
            ),
            flash,
        }
    }

    pub fn t(&self, key: &str) -> &'static str {
        kizuki_i18n::text(self.lang, key)
    }

    pub fn t_owned(&self, key: &str) -> String {
        self.t(key).to_owned()
    }

    pub fn tf(&self, key: &str, name: &str, value: &str) -> String {
        kizuki_i18n::format(self.lang, key, &[(name, value)])
    }

    /// A message about `count` things, singular or plural as the language wants.
    pub fn tc(&self, key: &str, count: impl Count) -> String {
        kizuki_i18n::count(self.lang, key, count.number())
    }

    /// A link to `path` in the page's language.
    pub fn href(&self, path: &str) -> String {
        self.lang.localize(path)
    }

    /// This very page in the other language, query string included.
    pub fn switch_href(&self) -> String {
        let mut href = self.lang.other().localize(&self.path);
        if let Some(query) = &self.query {
            href.push('?');
            href.push_str(query);
        }
        href
    }

    pub fn other_lang(&self) -> Lang {
        self.lang.other()
    }

    pub fn asset(&self, name: &str) -> String {
        assets::url(name)
    }

    /// An audit-log action in words; an action this version has no words for shows as stored.
    pub fn audit_action<'a>(&self, action: &'a str) -> &'a str {
        kizuki_i18n::catalog(self.lang)
            .get(&format!("audit.{action}"))
            .unwrap_or(action)
    }

    pub fn is_current(&self, path: &str) -> bool {
        self.path == path
    }

    /// True on a section's own page and the pages under it.
    pub fn is_within(&self, path: &str) -> bool {
        self.path == path || self.path.starts_with(&format!("{path}/"))
    }

    pub fn meta_description(&self) -> String {
        self.description
            .clone()
            .unwrap_or_else(|| self.t_owned("site.description"))
    }

    pub fn og_locale(&self) -> &'static str {
        match self.lang {
            Lang::Ja => "ja_JP",
            Lang::En => "en_GB",
        }
    }

    pub fn can_manage_events(&self) -> bool {
        self.user.as_ref().is_some_and(|user| {
            kizuki_domain::Permission::ManageEvents.check(Some(user.role))
                == kizuki_domain::Access::Granted
        })
    }

    /// May read questionnaire results (organisers, researchers).
    pub fn can_evaluate(&self) -> bool {
        self.allows(kizuki_domain::Permission::Evaluation)
    }

    /// May code answers and compare coders (researchers).
    pub fn can_research(&self) -> bool {
        self.allows(kizuki_domain::Permission::Research)
    }

    fn allows(&self, permission: kizuki_domain::Permission) -> bool {
        self.user
            .as_ref()
            .is_some_and(|user| permission.check(Some(user.role)) == kizuki_domain::Access::Granted)
    }

    pub fn is_admin(&self) -> bool {
        self.user
            .as_ref()
            .is_some_and(|user| user.role == Role::Admin)
    }

    pub fn role_name(&self, role: &Role) -> &'static str {
        self.t(&format!("role.{}", role.as_str()))
    }

    /// A date and time in Japan, written the way each language writes it.
    pub fn datetime(&self, seconds: &i64) -> String {
        format_datetime(self.lang, Timestamp(*seconds))
    }

    pub fn datetime_opt(&self, seconds: &Option<i64>) -> String {
        seconds.map_or_else(|| self.t_owned("common.never"), |s| self.datetime(&s))
    }
}

pub fn format_datetime(lang: Lang, at: Timestamp) -> String {
    let Ok(instant) = jiff::Timestamp::from_second(at.seconds()) else {
        return String::new();
    };
    let Ok(zone) = jiff::tz::TimeZone::get("Asia/Tokyo") else {
        return instant.to_string();
    };
    let zoned = instant.to_zoned_datetime(zone);
    let pattern = match lang {
        Lang::Ja => "%Y年%-m月%-d日 %H:%M",
        Lang::En => "%-d %b %Y, %H:%M",
    };
    zoned.strftime(pattern).to_string()
}

/// Renders a view, turning a template failure into an internal error page.
pub fn render<T: Template>(view: &T) -> Response {
    match view.render() {
        Ok(html) => Html(html).into_response(),
        Err(error) => AppError::Internal(format!("template: {error}")).into_response(),
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorView {
    pub page: Chrome,
    pub detail: String,
    pub show_sign_in: bool,
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomeView {
    pub page: Chrome,
    pub trainings: Vec<crate::pages::catalogue::TrainingCard>,
    pub areas: Vec<crate::pages::catalogue::AreaGroup>,
}

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginView {
    pub page: Chrome,
    pub email: String,
    pub next: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
pub struct DashboardView {
    pub page: Chrome,
    /// A facilitator's trainings to come, soonest first, each with its participant list.
    pub led: Vec<LedTraining>,
    /// And those already held, latest first.
    pub led_before: Vec<LedTraining>,
    /// For organisers: the trainings to come, with their registration at a glance.
    pub organised: Vec<OrganisedTraining>,
    /// For organisers: what needs doing, most pressing first.
    pub actions: Vec<ActionItem>,
    /// The study groups this person hosts, with their messages.
    pub hosted: Vec<HostedGroup>,
}

pub struct LedTraining {
    pub title: crate::format::Localized,
    pub dates: String,
    pub href: String,
    pub attendance_href: String,
    /// "12 participants".
    pub participants: String,
}

pub struct OrganisedTraining {
    pub title: crate::format::Localized,
    pub dates: String,
    pub href: String,
    pub applications: i64,
    /// "12 of 20", when the training has a capacity.
    pub seats: Option<String>,
    pub full: bool,
    pub waitlisted: i64,
}

pub struct ActionItem {
    pub text: String,
    pub href: String,
}

pub struct HostedGroup {
    pub name: crate::format::Localized,
    pub href: String,
    pub unread: i64,
    pub total: i64,
}

#[derive(Template)]
#[template(path = "account.html")]
pub struct AccountView {
    pub page: Chrome,
    pub tokens: Vec<ApiTokenSummary>,
    /// A token just created: shown this once, never again.
    pub new_token: Option<String>,
    pub token_label: String,
    pub password_errors: Vec<String>,
    pub token_error: Option<String>,
    pub display_name: String,
    pub name_error: Option<String>,
}

pub struct InviteForm {
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub errors: Vec<String>,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
pub struct AdminUsersView {
    pub page: Chrome,
    pub users: Vec<User>,
    pub roles: Vec<Role>,
    pub invite: InviteForm,
    /// An invitation link just made, to hand to its owner.
    pub invitation_link: Option<(String, String)>,
    pub audit: Vec<AuditEntry>,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "invitation.html")]
pub struct InvitationView {
    pub page: Chrome,
    pub name: String,
    pub email: String,
    pub errors: Vec<String>,
}

/// A number of things, as [`Chrome::tc`] takes it: by value or by reference (templates pass
/// some arguments borrowed), counted in `i64` or `usize`.
pub trait Count {
    fn number(&self) -> i64;
}

impl Count for i64 {
    fn number(&self) -> i64 {
        *self
    }
}

impl Count for usize {
    fn number(&self) -> i64 {
        i64::try_from(*self).unwrap_or(i64::MAX)
    }
}

impl<T: Count> Count for &T {
    fn number(&self) -> i64 {
        (**self).number()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn templates() -> Vec<(String, String)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut found = Vec::new();
        let mut folders = vec![root];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(folder).expect("templates folder") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    folders.push(path);
                } else {
                    let text = std::fs::read_to_string(&path).expect("template");
                    found.push((path.display().to_string(), text));
                }
            }
        }
        assert!(found.len() >= 8);
        found
    }

    /// Removes everything that is not text a person reads: tags, template code, entities.
    fn visible_literals(template: &str) -> String {
        let mut out = String::new();
        let mut rest = template;
        while let Some(start) = rest.find(['<', '{']) {
            out.push_str(&rest[..start]);
            let (open, close) = match &rest[start..start + 2.min(rest.len() - start)] {
                "{{" => ("{{", "}}"),
                "{%" => ("{%", "%}"),
                "{#" => ("{#", "#}"),
                _ if rest[start..].starts_with('<') => ("<", ">"),
                _ => ("{", ""),
            };
            if close.is_empty() {
                out.push('{');
                rest = &rest[start + 1..];
                continue;
            }
            match rest[start + open.len()..].find(close) {
                Some(end) => rest = &rest[start + open.len() + end + close.len()..],
                None => break,
            }
        }
        out.push_str(rest);
        out
    }

    #[test]
    fn literal_text_is_found_between_tags_and_code() {
        let found = visible_literals(
            "<p class=\"x\">Hello {{ page.t(\"a\") }}</p>{% if x %}次へ{% endif %}",
        );
        assert_eq!(found, "Hello 次へ");
    }

    /// Drops character references such as `&lt;`: punctuation, not words.
    fn without_entities(text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find('&') {
            out.push_str(&rest[..start]);
            let after = &rest[start + 1..];
            match after.find(';') {
                Some(end)
                    if end <= 8
                        && after[..end]
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '#') =>
                {
                    rest = &after[end + 1..];
                }
                _ => {
                    out.push('&');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }

    #[test]
    fn entities_are_not_words_but_text_is() {
        assert_eq!(without_entities("&lt;x&gt; & more"), "x & more");
    }

    #[test]
    fn templates_hold_no_words_of_their_own() {
        for (name, text) in templates() {
            let literal = visible_literals(&text);
            let words: String = without_entities(&literal)
                .chars()
                .filter(|c| c.is_alphabetic())
                .collect();
            assert!(
                words.is_empty(),
                "{name} shows text outside the catalogue: {words:?}"
            );
        }
    }

    #[test]
    fn every_message_a_template_asks_for_exists() {
        let mut keys = BTreeSet::new();
        for (_, text) in templates() {
            for call in ["page.t(\"", "page.tf(\""] {
                for (index, _) in text.match_indices(call) {
                    let rest = &text[index + call.len()..];
                    if let Some(end) = rest.find('"') {
                        keys.insert(rest[..end].to_owned());
                    }
                }
            }
        }
        assert!(keys.len() > 30, "{keys:?}");
        for lang in Lang::ALL {
            for key in &keys {
                assert!(
                    kizuki_i18n::catalog(lang).get(key).is_some(),
                    "{lang:?} lacks {key}"
                );
            }
        }
    }

    #[test]
    fn dates_read_naturally_in_each_language() {
        // 2027-01-15 09:30 in Tokyo.
        let at = Timestamp(1_799_973_000);
        assert_eq!(format_datetime(Lang::Ja, at), "2027年1月15日 09:30");
        assert_eq!(format_datetime(Lang::En, at), "15 Jan 2027, 09:30");
    }
}
