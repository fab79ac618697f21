//! The organisers' workspace for the catalogue: trainings, venues, study groups (approval), and
//! hosts' editing of their own groups.

pub mod group_messages;
pub mod groups;
pub mod import;
pub mod people;
pub mod questionnaires;
pub mod registration;

pub mod trainings;
pub mod venues;

pub use crate::form_errors::FormErrors;

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
