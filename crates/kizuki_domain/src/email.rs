use serde::{Deserialize, Serialize};
use std::fmt;

/// An email address as Kizuki keeps it: trimmed, NFC-normalised and lower-cased, so that one
/// person cannot hold two accounts by changing the case of their address.
///
/// Validation is deliberately modest (one `@`, something on each side, a dot in the domain, no
/// spaces): the only real check of an address is a message that arrives.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EmailAddress(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("the email address is empty")]
    Empty,
    #[error("the email address is not in the form name@example.jp")]
    Malformed,
    #[error("the email address is longer than 254 characters")]
    TooLong,
}

impl EmailAddress {
    pub fn parse(input: &str) -> Result<EmailAddress, EmailError> {
        let normalized = crate::text::normalize(input).to_lowercase();
        if normalized.is_empty() {
            return Err(EmailError::Empty);
        }
        if normalized.chars().count() > 254 {
            return Err(EmailError::TooLong);
        }
        let Some((local, domain)) = normalized.rsplit_once('@') else {
            return Err(EmailError::Malformed);
        };
        let well_formed = !local.is_empty()
            && !local.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !normalized
                .chars()
                .any(|c| c.is_whitespace() || c.is_control());
        if well_formed {
            Ok(EmailAddress(normalized))
        } else {
            Err(EmailError::Malformed)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn case_and_spaces_do_not_make_a_new_address() {
        assert_eq!(
            EmailAddress::parse("  Hanako.Yamada@Example.JP ").map(|e| e.0),
            Ok("hanako.yamada@example.jp".to_owned())
        );
    }

    #[test]
    fn malformed_addresses_are_refused() {
        for bad in [
            "hanako",
            "@example.jp",
            "hanako@",
            "hanako@jp",
            "a b@example.jp",
            "a@b@c.jp",
        ] {
            assert_eq!(
                EmailAddress::parse(bad),
                Err(EmailError::Malformed),
                "{bad}"
            );
        }
        assert_eq!(EmailAddress::parse("   "), Err(EmailError::Empty));
    }

    proptest! {
        #[test]
        fn parsing_never_panics_and_is_idempotent(input in "\\PC{0,80}") {
            if let Ok(address) = EmailAddress::parse(&input) {
                prop_assert_eq!(EmailAddress::parse(address.as_str()), Ok(address.clone()));
            }
        }
    }
}
