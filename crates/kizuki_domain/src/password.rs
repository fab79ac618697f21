//! Password hashing with Argon2id. The salt is a parameter so that this module needs no RNG of
//! its own; callers draw it from the operating system.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

pub const MIN_LENGTH: usize = 10;
pub const MAX_LENGTH: usize = 1024;
pub const SALT_LENGTH: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("the password must be at least {MIN_LENGTH} characters long")]
    TooShort,
    #[error("the password must be at most {MAX_LENGTH} characters long")]
    TooLong,
    #[error("the password could not be hashed")]
    Hashing,
}

/// Checks the length rules a new password must meet (NIST SP 800-63B: length, not composition).
pub fn check_new(password: &str) -> Result<(), PasswordError> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        Err(PasswordError::TooShort)
    } else if length > MAX_LENGTH {
        Err(PasswordError::TooLong)
    } else {
        Ok(())
    }
}

/// Hashes a password to a PHC string (`$argon2id$v=19$…`).
pub fn hash(password: &str, salt: &[u8; SALT_LENGTH]) -> Result<String, PasswordError> {
    check_new(password)?;
    Argon2::default()
        .hash_password_with_salt(password.as_bytes(), salt)
        .map(|hash| hash.to_string())
        .map_err(|_| PasswordError::Hashing)
}

/// True when `password` matches `stored`. A malformed stored hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    if password.len() > MAX_LENGTH * 4 {
        return false;
    }
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A hash of a password nobody knows, verified against when an email address is unknown so that
/// an unknown address and a wrong password take the same time to answer.
pub const DECOY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$a2l6dWtpLWRlY295LXNhbHQ$8vYQ1mUgDd2p0ZrU0LPxKmEKrAkz6PP0ILp2l6fUQkU";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_only_its_own_password() {
        let stored = hash("correct horse battery", &[7; SALT_LENGTH]).unwrap_or_default();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &stored));
        assert!(!verify("correct horse batterY", &stored));
    }

    #[test]
    fn short_passwords_are_refused() {
        assert_eq!(
            hash("short", &[0; SALT_LENGTH]),
            Err(PasswordError::TooShort)
        );
    }

    #[test]
    fn the_decoy_hash_parses_and_matches_nothing_plausible() {
        assert!(PasswordHash::new(DECOY_HASH).is_ok());
        assert!(!verify("password123", DECOY_HASH));
    }

    #[test]
    fn garbage_stored_hashes_never_match() {
        assert!(!verify("anything at all", "not a hash"));
    }
}
