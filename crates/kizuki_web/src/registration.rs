//! Taking an application, the same way for the web form and the JSON API: the training must be
//! taking applications, the form must be right, and then the store places it under the
//! training's lock. The applicant is mailed their private link.

use kizuki_domain::allocation::Allocation;
use kizuki_domain::registration::{
    self, ApplicationForm, Asks, Closed, Mistake, PRIVACY_NOTICE_VERSION, Question,
};
use kizuki_domain::secret::{self, SecretKind};
use kizuki_i18n::Lang;
use kizuki_store::{
    Applied, MailDraft, NewApplication, RegistrationSettings, StoreError, Training,
};

use crate::error::AppError;
use crate::mail::{self, MailKind};
use crate::pages::catalogue::today;
use crate::state::AppState;

pub enum Refusal {
    Closed(Closed),
    Mistakes(Vec<Mistake>),
    /// An application with this email address exists for this training.
    Duplicate,
    Failed(AppError),
}

impl From<StoreError> for Refusal {
    fn from(error: StoreError) -> Self {
        Refusal::Failed(error.into())
    }
}

/// What a training asks of applicants beyond the standard form.
pub fn asks(settings: &RegistrationSettings) -> Asks {
    Asks {
        frame_ids: settings.frames.iter().map(|frame| frame.id).collect(),
        questions: settings
            .questions
            .iter()
            .map(|question| Question {
                id: question.id,
                required: question.required,
            })
            .collect(),
    }
}

/// Whether the training takes applications today.
pub fn accepting(state: &AppState, training: &Training) -> Result<i64, Closed> {
    if training.status.is_public() {
        registration::accepting(
            training.status,
            training.capacity,
            training.applications_open_on,
            training.applications_close_on,
            today(state.now()),
        )
    } else {
        Err(Closed::NotOpen)
    }
}

pub fn closed_message_key(closed: Closed) -> &'static str {
    match closed {
        Closed::NotYet => "apply.closed.not_yet",
        Closed::Over => "apply.closed.over",
        Closed::NotOpen | Closed::NoCapacity => "apply.closed.not_open",
    }
}

pub async fn submit(
    state: &AppState,
    training: &Training,
    form: &ApplicationForm,
    lang: Lang,
) -> Result<Applied, Refusal> {
    accepting(state, training).map_err(Refusal::Closed)?;
    let settings = state.store().registration_settings(training.id).await?;
    let application = registration::check(form, &asks(&settings)).map_err(Refusal::Mistakes)?;
    let nonce = secret::nonce(&mut rand::rng());
    let link = secret::derive(SecretKind::Application, state.link_key(), &nonce);
    let addressee = mail::Addressee {
        name: &application.name,
        lang,
        nonce: &nonce,
    };
    let compose = |applied: Applied| {
        let kind = match applied {
            Applied::Held { until, .. } => MailKind::ReceivedHeld { until },
            Applied::Waitlisted { position, .. } => MailKind::ReceivedWaitlisted { position },
            Applied::Lottery { .. } => MailKind::ReceivedLottery,
            Applied::PendingApproval { .. } => MailKind::ReceivedApproval,
        };
        let (subject, body) = mail::compose(state, &addressee, training, kind);
        MailDraft {
            kind: kind.name(),
            subject,
            body,
        }
    };
    let placed = state
        .store()
        .apply(
            &NewApplication {
                training_id: training.id,
                application: &application,
                privacy_version: PRIVACY_NOTICE_VERSION,
                lang: lang.tag(),
                manage_digest: &link.digest,
                manage_nonce: &nonce,
            },
            state.now(),
            compose,
        )
        .await;
    match placed {
        Ok(applied) => Ok(applied),
        Err(StoreError::Conflict(_)) => Err(Refusal::Duplicate),
        Err(other) => Err(other.into()),
    }
}

/// The allocation words shown to applicants.
pub fn allocation_key(allocation: Allocation) -> &'static str {
    match allocation {
        Allocation::FirstCome => "apply.allocation.first_come",
        Allocation::Lottery => "apply.allocation.lottery",
        Allocation::Approval => "apply.allocation.approval",
    }
}
