use serde::{Deserialize, Serialize};
use std::fmt;
use unicode_normalization::UnicodeNormalization;

/// An email address as Kizuki keeps it: trimmed, with full-width forms folded (ＨＡＮＡＫＯ＠… is
/// hanako@…, as a Japanese keyboard in full-width mode types it) and lower-cased, so that one
/// person cannot hold two accounts or two applications by changing how they type it. Addresses
/// with invisible or direction-changing characters are refused: they would look like someone
/// else's address on every page that shows them.
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
    #[error("the email address holds an invisible or direction-changing character")]
    Invisible,
}

/// Characters that show nothing or turn the text's direction: zero-width spaces and joiners,
/// the soft hyphen, bidirectional marks, embeddings, overrides and isolates, the byte-order
/// mark, fillers and variation selectors: the characters that can be typed or pasted unseen.
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00ad}' | '\u{034f}' | '\u{061c}' | '\u{115f}' | '\u{1160}' | '\u{17b4}' | '\u{17b5}'
        | '\u{180b}'..='\u{180f}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}'
        | '\u{2060}'..='\u{206f}' | '\u{3164}' | '\u{fe00}'..='\u{fe0f}' | '\u{feff}'
        | '\u{ffa0}' | '\u{fff0}'..='\u{fffb}' | '\u{e0000}'..='\u{e0fff}')
}

impl EmailAddress {
    pub fn parse(input: &str) -> Result<EmailAddress, EmailError> {
        if input.chars().any(is_invisible) {
            return Err(EmailError::Invisible);
        }
        // NFKC folds full-width letters, digits and signs (＠ ． －) into ASCII.
        let folded: String = input.nfkc().collect();
        let normalized = crate::text::normalize(&folded).to_lowercase();
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

    #[test]
    fn full_width_forms_are_the_same_address() {
        assert_eq!(
            EmailAddress::parse("ＨＡＮＡＫＯ＠ｅｘａｍｐｌｅ．ｊｐ").map(|e| e.0),
            Ok("hanako@example.jp".to_owned())
        );
        assert_eq!(
            EmailAddress::parse("hanako　@example.jp"),
            Err(EmailError::Malformed),
            "an ideographic space is still a space"
        );
    }

    #[test]
    fn invisible_and_direction_changing_characters_are_refused() {
        for hidden in [
            "\u{200b}", "\u{202e}", "\u{2066}", "\u{2067}", "\u{2068}", "\u{2069}", "\u{00ad}",
            "\u{feff}", "\u{200d}", "\u{2060}",
        ] {
            assert_eq!(
                EmailAddress::parse(&format!("hana{hidden}ko@example.jp")),
                Err(EmailError::Invisible),
                "{hidden:?}"
            );
        }
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
