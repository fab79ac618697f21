//! The organisers' side of registration: how a training takes applications, the roster and
//! each application's decisions, attendance and the sign-in sheet, exports, messages, the
//! lottery, the outbox and the purge of personal data. Participant lists are never public:
//! every route here needs `ManageEvents`, except the names-only list for facilitators.

pub mod attendance;
pub mod decisions;
pub mod exports;
pub mod outbox;
pub mod roster;
pub mod settings;

use kizuki_domain::allocation::Status;
use kizuki_i18n::Lang;
use kizuki_store::Training;

use crate::error::AppError;
use crate::state::AppState;

pub async fn training(state: &AppState, id: &str) -> Result<Training, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    Ok(state.store().training(id).await?)
}

pub fn status_label(lang: Lang, status: Status) -> &'static str {
    kizuki_i18n::text(lang, &format!("registration.status.{}", status.as_str()))
}

pub fn backgrounds_label(lang: Lang, list: &str) -> String {
    list.split(',')
        .filter(|name| !name.is_empty())
        .map(|name| kizuki_i18n::text(lang, &format!("background.{name}")))
        .collect::<Vec<_>>()
        .join(lang_separator(lang))
}

fn lang_separator(lang: Lang) -> &'static str {
    match lang {
        Lang::Ja => "・",
        Lang::En => ", ",
    }
}
