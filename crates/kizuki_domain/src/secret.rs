//! Bearer secrets: session identifiers, API tokens, invitation links.
//!
//! A secret is 32 random bytes shown once in URL-safe base64 behind a short prefix that says what
//! it is. Only its SHA-256 digest is stored: the secrets are long and random, so a fast digest
//! is enough and lets the database look them up by equality.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::{CryptoRng, RngCore};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// What a secret is for, written in front of it so that a leaked one is easy to recognise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretKind {
    Session,
    ApiToken,
    Invitation,
    /// An applicant's private link to their application.
    Application,
}

impl SecretKind {
    fn prefix(self) -> &'static str {
        match self {
            SecretKind::Session => "kzs_",
            SecretKind::ApiToken => "kzk_",
            SecretKind::Invitation => "kzi_",
            SecretKind::Application => "kza_",
        }
    }
}

/// A freshly generated secret: the plain text to hand over once, and the digest to store.
#[derive(Debug, Clone)]
pub struct NewSecret {
    pub plain: String,
    pub digest: String,
}

pub fn generate<R: RngCore + CryptoRng>(kind: SecretKind, rng: &mut R) -> NewSecret {
    let mut bytes = [0u8; 32];
    rng.fill_bytes(&mut bytes);
    let plain = format!("{}{}", kind.prefix(), URL_SAFE_NO_PAD.encode(bytes));
    let digest = digest(&plain);
    NewSecret { plain, digest }
}

/// A secret the server can make again: the HMAC-SHA256 of a random per-record `nonce` under a
/// site key. Used for applicants' private links, so that every mail can carry the same link
/// while the database still looks it up by digest.
pub fn derive(kind: SecretKind, key: &[u8], nonce: &str) -> NewSecret {
    use hmac::{Hmac, Mac};
    let bytes: [u8; 32] = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(kind.prefix().as_bytes());
            mac.update(nonce.as_bytes());
            mac.finalize().into_bytes().into()
        }
        // HMAC accepts keys of any length; this arm is unreachable in practice.
        Err(_) => Sha256::digest(nonce.as_bytes()).into(),
    };
    let plain = format!("{}{}", kind.prefix(), URL_SAFE_NO_PAD.encode(bytes));
    let digest = digest(&plain);
    NewSecret { plain, digest }
}

/// A random nonce for [`derive`].
pub fn nonce<R: RngCore + CryptoRng>(rng: &mut R) -> String {
    let mut bytes = [0u8; 16];
    rng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The stored form of a secret: lower-case hex SHA-256.
pub fn digest(plain: &str) -> String {
    let hash = Sha256::digest(plain.as_bytes());
    hash.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// True when `plain` has the shape of a secret of `kind`; lets callers skip a database lookup for
/// obvious garbage.
pub fn looks_like(kind: SecretKind, plain: &str) -> bool {
    plain.len() == kind.prefix().len() + 43
        && plain.starts_with(kind.prefix())
        && plain[kind.prefix().len()..]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Compares two secrets without leaking, through timing, how much of them matched.
pub fn equal(left: &str, right: &str) -> bool {
    left.as_bytes().ct_eq(right.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn derived_secrets_are_stable_and_keyed() {
        let first = derive(SecretKind::Application, b"key", "nonce");
        assert_eq!(
            first.plain,
            derive(SecretKind::Application, b"key", "nonce").plain
        );
        assert_ne!(
            first.plain,
            derive(SecretKind::Application, b"other", "nonce").plain
        );
        assert!(looks_like(SecretKind::Application, &first.plain));
        assert_eq!(first.digest, digest(&first.plain));
    }

    #[test]
    fn secrets_have_their_prefix_and_digest() {
        let mut rng = StdRng::seed_from_u64(1);
        let secret = generate(SecretKind::ApiToken, &mut rng);
        assert!(secret.plain.starts_with("kzk_"));
        assert!(looks_like(SecretKind::ApiToken, &secret.plain));
        assert!(!looks_like(SecretKind::Session, &secret.plain));
        assert_eq!(secret.digest, digest(&secret.plain));
        assert_eq!(secret.digest.len(), 64);
    }

    #[test]
    fn two_secrets_differ() {
        let mut rng = StdRng::seed_from_u64(2);
        let first = generate(SecretKind::Session, &mut rng);
        let second = generate(SecretKind::Session, &mut rng);
        assert_ne!(first.plain, second.plain);
    }

    #[test]
    fn equality_is_exact() {
        assert!(equal("abc", "abc"));
        assert!(!equal("abc", "abd"));
        assert!(!equal("abc", "abcd"));
    }
}
