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
    Actor, ApplicationRecord, Applied, LotteryRecord, MailDraft, NewApplication, Placement,
    RegistrationSettings, StoreError, Training,
};

use crate::catalogue::today;
use crate::error::AppError;
use crate::mail::{self, MailKind};
use crate::state::AppState;

pub enum Refusal {
    Closed(Closed),
    Mistakes(Vec<Mistake>),
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

/// Takes an application; `settings` are the training's, which the caller has read already.
/// An address that has applied already gets the same answer as a new one (see
/// [`Placement`]): the answer must not tell who applied to a mental-health training.
pub async fn submit(
    state: &AppState,
    training: &Training,
    settings: &RegistrationSettings,
    form: &ApplicationForm,
    lang: Lang,
) -> Result<Applied, Refusal> {
    accepting(state, training).map_err(Refusal::Closed)?;
    let application = registration::check(form, &asks(settings)).map_err(Refusal::Mistakes)?;
    let nonce = secret::nonce(&mut rand::rng());
    let link = secret::derive(SecretKind::Application, state.link_key(), &nonce);
    let addressee = mail::Addressee {
        name: &application.name,
        lang,
    };
    let guide = crate::guide::Guide::load(state, training.id).await?;
    let compose = |applied: Applied| {
        let kind = match applied {
            Applied::Held { until, .. } => MailKind::ReceivedHeld { until },
            Applied::Waitlisted { position, .. } => MailKind::ReceivedWaitlisted { position },
            Applied::Lottery { .. } => MailKind::ReceivedLottery,
            Applied::PendingApproval { .. } => MailKind::ReceivedApproval,
        };
        let (subject, body) = mail::compose(&addressee, training, kind, &guide, state.public_url());
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
    let placement = placed?;
    if let Placement::AlreadyApplied { existing, .. } = &placement {
        // Answered as a new application would be; the address's owner hears by mail.
        mail::send(state, existing, training, MailKind::AlreadyApplied).await?;
    }
    Ok(placement.answer())
}

/// Whether every seat is taken: an application now joins the waitlist. (With frames, the
/// seats of all frames together.)
pub fn is_full(seats: &kizuki_store::Seats) -> bool {
    seats.capacity > 0 && seats.taken >= seats.capacity
}

/// The allocation words shown to applicants.
pub fn allocation_key(allocation: Allocation) -> &'static str {
    match allocation {
        Allocation::FirstCome => "apply.allocation.first_come",
        Allocation::Lottery => "apply.allocation.lottery",
        Allocation::Approval => "apply.allocation.approval",
    }
}

/// An organiser's decision on one application, the same from the workspace and the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Approve, or move up from the waitlist or the lottery.
    Seat,
    Waitlist,
    /// A new place on the waitlist, 1 first.
    Reorder(i64),
    Decline,
    Cancel,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecisionError {
    Unknown,
    /// A reorder without a place of 1 or more.
    RankNeeded,
}

impl Decision {
    pub fn parse(name: &str, rank: Option<i64>) -> Result<Decision, DecisionError> {
        match name {
            "seat" => Ok(Decision::Seat),
            "waitlist" => Ok(Decision::Waitlist),
            "decline" => Ok(Decision::Decline),
            "cancel" => Ok(Decision::Cancel),
            "reorder" => rank
                .filter(|rank| *rank >= 1)
                .map(Decision::Reorder)
                .ok_or(DecisionError::RankNeeded),
            _ => Err(DecisionError::Unknown),
        }
    }
}

pub const MAX_REASON_CHARS: usize = 500;

/// A decision's reason as the log keeps it; `None` when it is missing or too long.
pub fn reason(text: &str) -> Option<String> {
    let reason = kizuki_domain::text::normalize_line(text);
    (!reason.is_empty() && reason.chars().count() <= MAX_REASON_CHARS).then_some(reason)
}

/// Makes the decision and tells the applicants it touched (the one decided on, and whoever a
/// freed place is offered to).
pub async fn decide(
    state: &AppState,
    application: &ApplicationRecord,
    decision: Decision,
    user_id: i64,
    reason: &str,
) -> Result<(), StoreError> {
    let actor = Actor::Organiser { user_id, reason };
    let now = state.now();
    let today = today(now);
    let (training, id, store) = (application.training_id, application.id, state.store());
    let notices = match decision {
        Decision::Seat => store.give_seat(training, id, actor, now, today).await?,
        Decision::Waitlist => {
            store
                .move_to_waitlist(training, id, actor, now, today)
                .await?
        }
        Decision::Decline => {
            store
                .decline_application(training, id, actor, now, today)
                .await?
        }
        Decision::Cancel => {
            store
                .cancel_application(training, id, actor, now, today)
                .await?
        }
        Decision::Reorder(rank) => {
            store
                .reorder_waitlist(training, id, rank, actor, now)
                .await?;
            Vec::new()
        }
    };
    mail::deliver(state, &notices).await;
    Ok(())
}

/// Draws a training's lottery now and tells the applicants.
pub async fn draw(
    state: &AppState,
    training_id: i64,
    user_id: i64,
) -> Result<LotteryRecord, StoreError> {
    let now = state.now();
    let actor = Actor::Organiser {
        user_id,
        reason: "",
    };
    let (record, notices) = state
        .store()
        .draw_lottery(training_id, actor, now, today(now))
        .await?;
    mail::deliver(state, &notices).await;
    Ok(record)
}

/// The message key that explains a refused change (`StoreError::Refused`).
pub fn refusal_key(reason: &str) -> String {
    format!("flash.refused_{reason}")
}
