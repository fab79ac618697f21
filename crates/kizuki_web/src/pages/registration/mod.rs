//! The applicant's side of registration: the application form, and the private page (reached
//! by the link in every message) to confirm, see one's place, change details, cancel or be
//! deleted.

pub mod apply;
pub mod mine;

use kizuki_i18n::Lang;
use kizuki_store::{Frame, QuestionDef};

use crate::format::Localized;

/// A frame (枠) as the form offers it.
pub struct FrameChoice {
    pub id: i64,
    pub name: Localized,
    pub capacity: i64,
    pub checked: bool,
}

pub struct QuestionField {
    pub field: String,
    pub label: Localized,
    pub required: bool,
    pub value: String,
}

pub fn frame_name(lang: Lang, frames: &[Frame], id: Option<i64>) -> String {
    id.and_then(|id| frames.iter().find(|frame| frame.id == id))
        .map(|frame| Localized::pick(lang, &frame.name, &frame.name_en).text)
        .unwrap_or_default()
}

pub fn question_label(lang: Lang, questions: &[QuestionDef], id: i64) -> String {
    questions
        .iter()
        .find(|question| question.id == id)
        .map(|question| Localized::pick(lang, &question.label, &question.label_en).text)
        .unwrap_or_default()
}
