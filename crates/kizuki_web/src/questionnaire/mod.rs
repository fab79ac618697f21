//! Questionnaires, the same for the pages and the API: issuing codes, taking answers, sending
//! codes by mail without keeping them, and the results (see `results`).

pub mod exports;
pub mod mixer;
pub mod results;

use std::collections::BTreeMap;

use kizuki_domain::questionnaire::{self, Mistake, Phase, code};
use kizuki_i18n::Lang;
use kizuki_store::{AnswerOutcome, HeldAnswer, Questionnaire, StoreError, Training};
use rand::RngCore;
use rand::seq::SliceRandom;

use axum::response::Response;

use crate::context::RequestContext;
use crate::error::AppError;
use crate::state::AppState;

/// Makes `count` new codes for a questionnaire and answers them in plain, the only time they
/// exist outside the people they are handed to. Refused for templates and closed
/// questionnaires.
pub async fn issue(
    state: &AppState,
    questionnaire: &Questionnaire,
    count: i64,
) -> Result<Vec<String>, StoreError> {
    if questionnaire.training_id.is_none() {
        return Err(StoreError::Refused("template"));
    }
    if questionnaire.phase(state.now()) == Phase::Closed {
        return Err(StoreError::Refused("closed"));
    }
    let codes: Vec<String> = {
        let mut rng = rand::rng();
        (0..count.clamp(0, questionnaire::MAX_TOKENS_AT_ONCE))
            .map(|_| code::generate(&mut rng))
            .collect()
    };
    let digests: Vec<String> = codes.iter().map(|c| code::digest(c)).collect();
    state
        .store()
        .issue_codes(questionnaire.id, &digests)
        .await?;
    Ok(codes)
}

/// What became of an answer.
#[derive(Debug)]
pub enum Submitted {
    Stored,
    /// No such code (or it could not be a code at all).
    Unknown,
    Used,
    NotOpen,
    Invalid(Vec<Mistake>),
}

/// Refuses a client that has already had too many codes refused, before its code is looked up:
/// once over the limit, a right guess is refused like a wrong one, so guessing gains nothing.
pub async fn refuse_if_guessing(
    state: &AppState,
    context: &RequestContext,
) -> Result<Option<Response>, AppError> {
    crate::rate::refuse_if_already_over(state, context, "answer-codes").await
}

/// Counts a refused code against the client's rate limit, and answers 429 once it is over.
/// Only refusals count: a room of people on one network answering at once is never slowed,
/// while someone trying codes is. Unknown and used codes count alike, so the two take the same
/// time.
pub async fn limit_refusals(
    state: &AppState,
    context: &RequestContext,
    outcome: &Submitted,
) -> Result<Option<Response>, AppError> {
    match outcome {
        Submitted::Unknown | Submitted::Used => {
            crate::rate::refuse_if_over(state, context, "answer-codes").await
        }
        _ => Ok(None),
    }
}

/// The questionnaire a typed code opens, if it is a known, unused code.
pub async fn open_by_code(
    state: &AppState,
    typed: &str,
) -> Result<Result<Questionnaire, Submitted>, AppError> {
    let Some(code) = code::normalize(typed) else {
        return Ok(Err(Submitted::Unknown));
    };
    match state.store().code_state(&code::digest(&code)).await? {
        None => Ok(Err(Submitted::Unknown)),
        Some((_, false)) => Ok(Err(Submitted::Used)),
        Some((id, true)) => {
            let questionnaire = state.store().questionnaire(id).await?;
            if questionnaire.phase(state.now()) != Phase::Open {
                return Ok(Err(Submitted::NotOpen));
            }
            Ok(Ok(questionnaire))
        }
    }
}

/// Checks and stores one person's answers, using their code in the same transaction.
pub async fn submit(
    state: &AppState,
    typed: &str,
    raw: &BTreeMap<i64, Vec<String>>,
) -> Result<Submitted, AppError> {
    let questionnaire = match open_by_code(state, typed).await? {
        Ok(questionnaire) => questionnaire,
        Err(refusal) => return Ok(refusal),
    };
    let answers = match questionnaire::check(&questionnaire.questions, raw) {
        Ok(answers) => answers,
        Err(mistakes) => return Ok(Submitted::Invalid(mistakes)),
    };
    let Some(code) = code::normalize(typed) else {
        return Ok(Submitted::Unknown);
    };
    let digest = code::digest(&code);
    let held = HeldAnswer::new(digest.clone(), random_key(), &answers)?;
    let mixer = state.mixer();
    let outcome = state
        .store()
        .hold_code(&digest, questionnaire.id, mixer.holder(), state.now())
        .await?;
    Ok(match outcome {
        AnswerOutcome::Held => {
            mixer.keep(state.store(), &questionnaire, held).await;
            Submitted::Stored
        }
        AnswerOutcome::Unknown => Submitted::Unknown,
        AnswerOutcome::Used => Submitted::Used,
        AnswerOutcome::NotOpen => Submitted::NotOpen,
    })
}

/// Closes a questionnaire now: what this server's mixer holds for it is written, and its
/// answers are sealed unless another server still holds some (its next tick writes them).
pub async fn close(state: &AppState, id: i64) -> Result<(), StoreError> {
    let now = state.now();
    state.store().close_questionnaire(id, now).await?;
    state.mixer().write_all(state.store(), id).await;
    state.store().seal_if_closed(id, now).await.map(drop)
}

/// Whether a questionnaire has closed with all its answers written and sealed; writes what
/// this server's mixer holds for it first.
pub async fn sealed(state: &AppState, questionnaire: &Questionnaire) -> Result<bool, StoreError> {
    let now = state.now();
    let store = state.store();
    if questionnaire.phase(now) == Phase::Closed {
        state.mixer().write_all(store, questionnaire.id).await;
    }
    store.seal_if_closed(questionnaire.id, now).await
}

/// An answer's key: 128 random bits in hex, so that their order says nothing.
fn random_key() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The address a code's link opens: the code goes straight into a cookie and out of the URL.
pub fn link(state: &AppState, lang: Lang, code: &str) -> String {
    format!(
        "{}{}?code={}",
        state.config().public_url,
        lang.localize("/answer"),
        code::display(code)
    )
}

/// How many codes were sent by mail and how many could not be.
pub struct Mailed {
    pub sent: usize,
    pub failed: usize,
}

/// Sends one new code to each confirmed participant, in random order, straight to the mail
/// server: nothing of these messages is stored, so no record ties a code to an address. Codes
/// whose message could not be handed over are forgotten again.
pub async fn mail_codes(
    state: &AppState,
    questionnaire: &Questionnaire,
    training: &Training,
) -> Result<Mailed, StoreError> {
    let Some(smtp) = state.config().smtp.clone() else {
        return Err(StoreError::Refused("no_mail_server"));
    };
    let mut people = state.store().confirmed_participants(training.id).await?;
    people.shuffle(&mut rand::rng());
    let codes = issue(state, questionnaire, people.len() as i64).await?;
    let messages: Vec<(String, String, String)> = people
        .iter()
        .zip(&codes)
        .map(|(person, code)| {
            let lang = Lang::from_tag(&person.lang).unwrap_or(Lang::Ja);
            let title = crate::format::Localized::pick(lang, &training.title, &training.title_en);
            let display = code::display(code);
            let link = link(state, lang, code);
            let arguments = [
                ("name", person.name.as_str()),
                ("training", title.text.as_str()),
                ("code", display.as_str()),
                ("link", link.as_str()),
            ];
            (
                person.email.clone(),
                kizuki_i18n::format(lang, "mail.questionnaire.subject", &arguments),
                kizuki_i18n::format(lang, "mail.questionnaire.body", &arguments),
            )
        })
        .collect();
    let sent = match crate::mail::send_unstored(&smtp, &messages).await {
        Ok(sent) => sent,
        Err(error) => {
            tracing::error!(%error, "the mail settings cannot be used");
            vec![false; messages.len()]
        }
    };
    let lost: Vec<String> = codes
        .iter()
        .zip(&sent)
        .filter(|(_, ok)| !**ok)
        .map(|(c, _)| code::digest(c))
        .collect();
    state.store().discard_codes(&lost).await?;
    Ok(Mailed {
        sent: sent.iter().filter(|ok| **ok).count(),
        failed: lost.len(),
    })
}
