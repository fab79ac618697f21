//! The organisers' workspace for the catalogue: trainings, venues, study groups (approval), and
//! hosts' editing of their own groups.

pub mod groups;
pub mod import;
pub mod people;
pub mod questionnaires;
pub mod registration;

pub mod trainings;
pub mod venues;

use std::collections::BTreeMap;

use kizuki_i18n::Lang;

/// Mistakes in a submitted form, by field name, as messages in the visitor's language.
#[derive(Default)]
pub struct FormErrors {
    by_field: BTreeMap<String, Vec<String>>,
}

impl FormErrors {
    pub fn add(&mut self, lang: Lang, field: &str, message_key: &str) {
        self.add_text(field, kizuki_i18n::text(lang, message_key).to_owned());
    }

    pub fn add_text(&mut self, field: &str, message: String) {
        self.by_field
            .entry(field.to_owned())
            .or_default()
            .push(message);
    }

    pub fn is_empty(&self) -> bool {
        self.by_field.is_empty()
    }

    pub fn has(&self, field: &str) -> bool {
        self.by_field.contains_key(field)
    }

    /// The messages about one field, shown beside it.
    pub fn for_field(&self, field: &str) -> Vec<String> {
        self.by_field.get(field).cloned().unwrap_or_default()
    }

    /// Every message with the field it is about, for the summary's links to the fields.
    pub fn entries(&self) -> Vec<(String, String)> {
        self.by_field
            .iter()
            .flat_map(|(field, messages)| {
                messages
                    .iter()
                    .map(move |message| (field.clone(), message.clone()))
            })
            .collect()
    }

    /// Every message, for the summary at the top of the form.
    pub fn all(&self) -> Vec<String> {
        self.by_field.values().flatten().cloned().collect()
    }
}

/// A `<select>` choice.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub fn optional_number(text: &str) -> Result<Option<i64>, ()> {
    let cleaned: String = text
        .trim()
        .chars()
        .filter(|c| *c != ',' && *c != '，')
        .collect();
    if cleaned.is_empty() {
        return Ok(None);
    }
    let ascii: String = cleaned
        .chars()
        .map(|c| match c {
            '０'..='９' => {
                char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')).unwrap_or(c)
            }
            c => c,
        })
        .collect();
    ascii.parse().map(Some).map_err(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_people_type_them() {
        assert_eq!(optional_number(" 5,000 "), Ok(Some(5000)));
        assert_eq!(optional_number("３０"), Ok(Some(30)));
        assert_eq!(optional_number(""), Ok(None));
        assert_eq!(optional_number("たくさん"), Err(()));
    }
}
