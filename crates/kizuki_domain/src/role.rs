use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The roles an account can hold. Applicants and questionnaire respondents have no account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Organizer,
    Facilitator,
    Host,
    Researcher,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Organizer,
        Role::Facilitator,
        Role::Host,
        Role::Researcher,
    ];

    /// The stable name used in the database, the CLI and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Organizer => "organizer",
            Role::Facilitator => "facilitator",
            Role::Host => "host",
            Role::Researcher => "researcher",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unknown role {0:?}; expected one of admin, organizer, facilitator, host, researcher")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        // "organiser" is accepted too: the brief is written in British English.
        match text.trim().to_ascii_lowercase().as_str() {
            "admin" | "administrator" => Ok(Role::Admin),
            "organizer" | "organiser" => Ok(Role::Organizer),
            "facilitator" => Ok(Role::Facilitator),
            "host" => Ok(Role::Host),
            "researcher" => Ok(Role::Researcher),
            _ => Err(UnknownRole(text.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_round_trips_through_its_name() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
    }

    #[test]
    fn british_spelling_is_accepted() {
        assert_eq!("Organiser".parse::<Role>(), Ok(Role::Organizer));
        assert!("owner".parse::<Role>().is_err());
    }
}
