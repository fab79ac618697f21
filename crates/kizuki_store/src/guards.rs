//! Negative controls: switches that turn off one of the store's guarantees, so that the test
//! suite can prove its tests would see the failure (a rush against a store without the seat
//! guard must oversell; a code without its guard must be usable twice).
//!
//! Only a debug build reads them, from `KIZUKI_TEST_GUARDS_OFF` (a comma-separated list of
//! names: `seats`, `codes`, `mixing`); a release build compiles every guard in for good. Nothing but the
//! test suite sets the variable.

/// The variable a debug build reads the switches from.
pub const VARIABLE: &str = "KIZUKI_TEST_GUARDS_OFF";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Guard {
    /// Seats are counted under the training's lock, in the transaction that takes one.
    Seats,
    /// A questionnaire code is marked used only if it was unused, in the answer's transaction.
    Codes,
    /// Answers are held until several can be written together, all rows rewritten in a random
    /// order. Off, each answer is written at once, after the others: the order of arrival.
    Mixing,
}

impl Guard {
    #[cfg(debug_assertions)]
    fn name(self) -> &'static str {
        match self {
            Guard::Seats => "seats",
            Guard::Codes => "codes",
            Guard::Mixing => "mixing",
        }
    }
}

/// True when the test suite has turned this guard off (never in a release build).
#[cfg(debug_assertions)]
pub fn is_off(guard: Guard) -> bool {
    static OFF: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    OFF.get_or_init(|| {
        let names = std::env::var(VARIABLE).unwrap_or_default();
        let names: Vec<String> = names
            .split(',')
            .map(|name| name.trim().to_owned())
            .filter(|name| !name.is_empty())
            .collect();
        if !names.is_empty() {
            tracing::warn!(?names, "guards are off ({VARIABLE}): a test build only");
        }
        names
    })
    .iter()
    .any(|name| name == guard.name())
}

#[cfg(not(debug_assertions))]
pub fn is_off(_guard: Guard) -> bool {
    false
}
