//! Message catalogues and language negotiation.
//!
//! Every string a person reads lives in `locales/ja.toml` and `locales/en.toml`, never in a
//! template. Japanese is the first language; English is complete, not a fallback. The tests
//! below fail when a key is missing from either catalogue or a placeholder differs between them.

use std::collections::BTreeMap;
use std::sync::LazyLock;

mod negotiate;

pub use negotiate::preferred_from_accept_language;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    Ja,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Ja, Lang::En];

    /// The BCP 47 tag for `<html lang>` and `hreflang`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }

    /// The prefix in front of every path in this language: Japanese lives at the root.
    pub fn path_prefix(self) -> &'static str {
        match self {
            Lang::Ja => "",
            Lang::En => "/en",
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Ja => Lang::En,
            Lang::En => Lang::Ja,
        }
    }

    pub fn from_tag(tag: &str) -> Option<Lang> {
        match tag {
            "ja" => Some(Lang::Ja),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// Splits a request path into its language and the language-free path ("/en/login" →
    /// (En, "/login"); "/en" → (En, "/"); "/login" → (Ja, "/login")).
    pub fn split_path(path: &str) -> (Lang, &str) {
        match path.strip_prefix("/en") {
            Some("") => (Lang::En, "/"),
            Some(rest) if rest.starts_with('/') => (Lang::En, rest),
            _ => (Lang::Ja, path),
        }
    }

    /// The same page in this language: `localize("/login")` is "/en/login" in English.
    pub fn localize(self, path: &str) -> String {
        match (self, path) {
            (Lang::Ja, _) => path.to_owned(),
            (Lang::En, "/") => "/en/".to_owned(),
            (Lang::En, _) => format!("/en{path}"),
        }
    }
}

/// One language's messages, keyed by dotted names such as `login.title`.
#[derive(Debug, Default)]
pub struct Catalog {
    messages: BTreeMap<String, String>,
}

#[derive(Debug)]
pub struct CatalogError(String);

impl std::error::Error for CatalogError {}

impl std::fmt::Display for CatalogError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Catalog {
    pub fn parse(source: &str) -> Result<Catalog, CatalogError> {
        let table: toml::Table = source
            .parse()
            .map_err(|error| CatalogError(format!("catalogue is not valid TOML: {error}")))?;
        let mut messages = BTreeMap::new();
        flatten("", &table, &mut messages)?;
        Ok(Catalog { messages })
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.messages.get(key).map(String::as_str)
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.messages.keys().map(String::as_str)
    }
}

fn flatten(
    prefix: &str,
    table: &toml::Table,
    out: &mut BTreeMap<String, String>,
) -> Result<(), CatalogError> {
    for (key, value) in table {
        let full = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            toml::Value::String(text) => {
                out.insert(full, text.clone());
            }
            toml::Value::Table(inner) => flatten(&full, inner, out)?,
            _ => return Err(CatalogError(format!("{full}: messages must be strings"))),
        }
    }
    Ok(())
}

static JA: LazyLock<Catalog> = LazyLock::new(|| load(include_str!("../locales/ja.toml")));
static EN: LazyLock<Catalog> = LazyLock::new(|| load(include_str!("../locales/en.toml")));

fn load(source: &str) -> Catalog {
    // The catalogues are compiled in and checked by this crate's tests, so a failure here is a
    // build defect, not something a user can cause.
    Catalog::parse(source).unwrap_or_else(|error| panic!("bundled catalogue: {error}"))
}

pub fn catalog(lang: Lang) -> &'static Catalog {
    match lang {
        Lang::Ja => &JA,
        Lang::En => &EN,
    }
}

/// Looks a message up. A missing key shows itself (bracketed) rather than an empty string, and
/// the catalogue tests keep that from ever shipping.
pub fn text(lang: Lang, key: &str) -> &'static str {
    catalog(lang).get(key).unwrap_or("[missing message]")
}

/// Looks a message up and fills `{name}` placeholders.
pub fn format(lang: Lang, key: &str, arguments: &[(&str, &str)]) -> String {
    let mut message = text(lang, key).to_owned();
    for (name, value) in arguments {
        message = message.replace(&format!("{{{name}}}"), value);
    }
    message
}

/// A message about a number of things, in the form the language wants for it: `{key}.one`
/// for exactly one and `{key}.other` for any other number, with `{count}` filled in. Japanese
/// has one form and writes it under both keys, so every counted message has both.
pub fn count(lang: Lang, key: &str, count: i64) -> String {
    count_with(lang, key, count, &[])
}

/// [`count`] with other placeholders filled too.
pub fn count_with(lang: Lang, key: &str, count: i64, arguments: &[(&str, &str)]) -> String {
    let form = if count == 1 { "one" } else { "other" };
    let count = count.to_string();
    let mut all = vec![("count", count.as_str())];
    all.extend_from_slice(arguments);
    format(lang, &format!("{key}.{form}"), &all)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn placeholders(message: &str) -> BTreeSet<String> {
        message
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_owned()))
            .collect()
    }

    #[test]
    fn both_catalogues_parse_and_hold_the_same_keys() {
        let ja: BTreeSet<_> = catalog(Lang::Ja).keys().collect();
        let en: BTreeSet<_> = catalog(Lang::En).keys().collect();
        let only_ja: Vec<_> = ja.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&ja).collect();
        assert!(only_ja.is_empty(), "missing in en.toml: {only_ja:?}");
        assert!(only_en.is_empty(), "missing in ja.toml: {only_en:?}");
        assert!(ja.len() > 20);
    }

    #[test]
    fn placeholders_match_between_languages() {
        for key in catalog(Lang::Ja).keys() {
            assert_eq!(
                placeholders(text(Lang::Ja, key)),
                placeholders(text(Lang::En, key)),
                "{key}"
            );
        }
    }

    #[test]
    fn counted_messages_have_both_forms_and_english_says_one_thing() {
        for key in catalog(Lang::En).keys() {
            if let Some(stem) = key.strip_suffix(".one") {
                assert!(
                    catalog(Lang::En).get(&format!("{stem}.other")).is_some(),
                    "{stem}.other"
                );
            }
        }
        assert_eq!(
            count(Lang::En, "training.lottery_entries", 1),
            "1 person has entered"
        );
        assert_eq!(
            count(Lang::En, "training.lottery_entries", 2),
            "2 people have entered"
        );
        assert_eq!(
            count(Lang::Ja, "training.lottery_entries", 1),
            "これまでに 1 人が申し込んでいます"
        );
    }

    #[test]
    fn no_message_is_empty() {
        for lang in Lang::ALL {
            for key in catalog(lang).keys() {
                assert!(!text(lang, key).trim().is_empty(), "{lang:?} {key}");
            }
        }
    }

    #[test]
    fn paths_split_and_localize() {
        assert_eq!(Lang::split_path("/en/login"), (Lang::En, "/login"));
        assert_eq!(Lang::split_path("/en"), (Lang::En, "/"));
        assert_eq!(Lang::split_path("/en/"), (Lang::En, "/"));
        assert_eq!(Lang::split_path("/entries"), (Lang::Ja, "/entries"));
        assert_eq!(Lang::split_path("/login"), (Lang::Ja, "/login"));
        assert_eq!(Lang::En.localize("/"), "/en/");
        assert_eq!(Lang::En.localize("/login"), "/en/login");
        assert_eq!(Lang::Ja.localize("/login"), "/login");
    }

    #[test]
    fn placeholders_are_filled() {
        let message = format(Lang::En, "login.throttled", &[("minutes", "7")]);
        assert!(message.contains('7'), "{message}");
    }
}
