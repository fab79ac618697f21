//! The one-time codes printed on slips or sent by mail. A code is 12 characters of Crockford's
//! base 32 (60 random bits), shown as `ABCD-EFGH-JKMN` so it can be read aloud and typed on a
//! phone. What people type is forgiving: case, spaces, hyphens, full-width characters and the
//! letters O, I and L (read as 0, 1 and 1) are all accepted. Only the SHA-256 of the normalised
//! code is stored.

use rand::{CryptoRng, RngCore};
use unicode_normalization::UnicodeNormalization;

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
pub const CODE_CHARS: usize = 12;

/// A new code, in its normalised form (no hyphens).
pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> String {
    (0..CODE_CHARS)
        .map(|_| ALPHABET[(rng.next_u32() % 32) as usize] as char)
        .collect()
}

/// The code as printed: groups of four joined by hyphens.
pub fn display(code: &str) -> String {
    code.as_bytes()
        .chunks(4)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// What someone typed, as a code, or `None` when it cannot be one.
pub fn normalize(typed: &str) -> Option<String> {
    let mut code = String::with_capacity(CODE_CHARS);
    for c in typed.nfkc() {
        let c = match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        };
        if c == '-' || c.is_whitespace() {
            continue;
        }
        if !ALPHABET.contains(&(c as u32).try_into().unwrap_or(b'?')) {
            return None;
        }
        code.push(c);
    }
    (code.len() == CODE_CHARS).then_some(code)
}

/// The stored form of a code.
pub fn digest(code: &str) -> String {
    crate::secret::digest(&format!("kizuki-questionnaire:{code}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn codes_are_twelve_characters_of_the_alphabet() {
        let code = generate(&mut rand::rng());
        assert_eq!(code.len(), CODE_CHARS);
        assert!(code.bytes().all(|b| ALPHABET.contains(&b)));
        assert_eq!(display("ABCD2345WXYZ"), "ABCD-2345-WXYZ");
    }

    #[test]
    fn typing_is_forgiving() {
        let expected = Some("AB010EFGH1JK".to_owned());
        assert_eq!(normalize("ab01-0efg-h1jk"), expected);
        assert_eq!(normalize(" ABoI OEFG HLJK "), expected);
        assert_eq!(normalize("ＡＢ０１－０ＥＦＧ－Ｈ１ＪＫ"), expected);
        assert_eq!(normalize("ABCD-EFGH-JKM"), None);
        assert_eq!(normalize("ABCD-EFGH-JKMU"), None);
        assert_eq!(normalize("ABCD-EFGH-JKM!"), None);
        assert_eq!(normalize(""), None);
    }

    #[test]
    fn the_digest_is_of_the_normalised_code() {
        assert_eq!(
            digest(&normalize("abcd-efgh-jkmn").unwrap()),
            digest("ABCDEFGHJKMN")
        );
        assert_ne!(digest("ABCDEFGHJKMN"), digest("ABCDEFGHJKMP"));
    }

    proptest! {
        #[test]
        fn a_displayed_code_reads_back(seed in any::<u64>()) {
            use rand::SeedableRng;
            let code = generate(&mut rand::rngs::StdRng::seed_from_u64(seed));
            prop_assert_eq!(normalize(&display(&code)), Some(code.clone()));
            prop_assert_eq!(normalize(&display(&code).to_lowercase()), Some(code));
        }

        #[test]
        fn normalize_never_panics(typed in ".{0,30}") {
            if let Some(code) = normalize(&typed) {
                prop_assert_eq!(code.len(), CODE_CHARS);
            }
        }
    }
}
