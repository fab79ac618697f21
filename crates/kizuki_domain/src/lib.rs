//! Kizuki's rules as plain types and functions.
//!
//! Architecture invariant: nothing in this crate performs IO, reads the clock or draws from a
//! global random number generator. Time arrives as a [`Timestamp`] argument and randomness as an
//! `rng` argument, so every rule is testable and every decision can be replayed.

pub mod access;
pub mod allocation;
pub mod catalogue;
pub mod contact;
pub mod email;
pub mod kappa;
pub mod lottery;
pub mod password;
pub mod qda;
pub mod questionnaire;
pub mod rate;
pub mod recurrence;
pub mod registration;
pub mod role;
pub mod secret;
pub mod session;
pub mod text;
pub mod throttle;
pub mod time;

pub use access::{Access, Permission};
pub use email::{EmailAddress, EmailError};
pub use role::Role;
pub use time::Timestamp;
