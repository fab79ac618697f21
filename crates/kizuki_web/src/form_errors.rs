//! Mistakes in a submitted form, kept by field so that each message can sit beside its field
//! and in the summary at the top, whose links lead to it.

use kizuki_i18n::Lang;

/// The messages of a form sent back, by field name, in the visitor's language. A message not
/// about one field (the form is closed, too many tries) is kept under [`FormErrors::WHOLE_FORM`]
/// and shown in the summary only.
pub struct FormErrors {
    /// In the order the form asks (mistakes are found in that order), so the summary reads
    /// top to bottom as the form does.
    by_field: Vec<(String, Vec<String>)>,
    summary_key: &'static str,
}

impl Default for FormErrors {
    fn default() -> FormErrors {
        FormErrors::with_summary("manage.error.summary")
    }
}

impl FormErrors {
    pub const WHOLE_FORM: &'static str = "";

    /// Errors whose summary opens with the sentence under `summary_key` (applicants are told
    /// that what they typed is still there; organisers need less).
    pub fn with_summary(summary_key: &'static str) -> FormErrors {
        FormErrors {
            by_field: Vec::new(),
            summary_key,
        }
    }

    pub fn add(&mut self, lang: Lang, field: &str, message_key: &str) {
        self.add_text(field, kizuki_i18n::text(lang, message_key).to_owned());
    }

    pub fn add_text(&mut self, field: &str, message: String) {
        let index = match self.by_field.iter().position(|(name, _)| name == field) {
            Some(index) => index,
            None if field == Self::WHOLE_FORM => {
                self.by_field.insert(0, (field.to_owned(), Vec::new()));
                0
            }
            None => {
                self.by_field.push((field.to_owned(), Vec::new()));
                self.by_field.len() - 1
            }
        };
        let messages = &mut self.by_field[index].1;
        if !messages.contains(&message) {
            messages.push(message);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.by_field.is_empty()
    }

    pub fn has(&self, field: &str) -> bool {
        self.by_field.iter().any(|(name, _)| name == field)
    }

    pub fn summary_key(&self) -> &'static str {
        self.summary_key
    }

    /// The messages about one field, shown beside it.
    pub fn for_field(&self, field: &str) -> Vec<String> {
        self.messages(field).cloned().unwrap_or_default()
    }

    /// The messages about one field as one sentence, for the paragraph beside it (one
    /// paragraph, so that its id is unique and the field can point at it).
    pub fn beside(&self, field: &str) -> Option<String> {
        self.messages(field)
            .filter(|_| field != Self::WHOLE_FORM)
            .map(|messages| messages.join(" "))
    }

    /// Every message with the field it is about, for the summary's links to the fields. The
    /// messages about the whole form come first.
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
        self.by_field
            .iter()
            .flat_map(|(_, messages)| messages)
            .cloned()
            .collect()
    }

    fn messages(&self, field: &str) -> Option<&Vec<String>> {
        self.by_field
            .iter()
            .find(|(name, _)| name == field)
            .map(|(_, messages)| messages)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_sit_by_their_field_once_each() {
        let mut errors = FormErrors::default();
        errors.add_text("capacity", "a".into());
        errors.add_text("capacity", "a".into());
        errors.add_text("capacity", "b".into());
        errors.add_text("applications_close_on", "c".into());
        errors.add_text(FormErrors::WHOLE_FORM, "closed".into());
        assert_eq!(errors.beside("capacity").as_deref(), Some("a b"));
        assert_eq!(errors.beside(FormErrors::WHOLE_FORM), None);
        assert_eq!(errors.entries()[0], (String::new(), "closed".to_owned()));
        assert_eq!(
            errors.entries()[3].0,
            "applications_close_on",
            "in the form's order"
        );
        assert_eq!(errors.all().len(), 4);
    }
}
