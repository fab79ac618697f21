//! Applying for a training through the API. Public: no account is needed.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kizuki_domain::registration::ApplicationForm;
use kizuki_i18n::Lang;
use kizuki_store::Applied;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::clean_json::CleanJson;
use super::{ErrorBody, FieldMistake, invalid};
use crate::error::{AppError, ErrorKind, api_error};
use crate::registration::{self, Refusal};
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct ApplicationBody {
    name: String,
    #[serde(default)]
    furigana: String,
    email: String,
    #[serde(default)]
    phone: String,
    /// peer_supporter, service_user_now, service_user_before, service_provider_now,
    /// service_provider_before, family, researcher, other (several may apply), or
    /// prefer_not_to_say alone.
    backgrounds: Vec<String>,
    #[serde(default)]
    background_other: String,
    #[serde(default)]
    motivation: String,
    #[serde(default)]
    access_needs: String,
    /// True when the training's facilitators may read the access needs too (organisers always
    /// do). False when left out.
    #[serde(default)]
    share_access_needs: bool,
    /// Must be true: the applicant agrees to the privacy notice.
    #[serde(default)]
    consent: bool,
    /// ja (default) or en: the language of messages to the applicant.
    #[serde(default)]
    lang: Option<String>,
    /// The frame (枠) applied to, by id, when the training has frames.
    #[serde(default)]
    frame: Option<i64>,
    /// Answers to the training's own questions, by question id.
    #[serde(default)]
    answers: std::collections::BTreeMap<i64, String>,
}

#[derive(Serialize, ToSchema)]
pub struct ApplicationAnswer {
    /// held (a seat is kept until the email address is confirmed), waitlisted, lottery (entered
    /// in the draw at the close of applications) or pending_approval (an organiser decides).
    status: &'static str,
    /// Place on the waitlist, 1 first.
    position: Option<i64>,
}

/// Applies for a training. Depending on the training, seats go first come, first served (the
/// waitlist when none is left), by lottery at the close of applications, or by an organiser's
/// approval. The applicant is mailed a private link to confirm and manage the application.
///
/// An address that has applied to the training already gets exactly this answer too (placed as
/// a new application would be), and its owner is told by mail: the answer never says whether
/// an address applied. For the same reason it carries no id.
#[utoipa::path(post, path = "/api/v1/trainings/{id}/applications", tag = "registration", request_body = ApplicationBody,
    params(("id" = i64, Path, description = "Training id")),
    responses(
        (status = 201, body = ApplicationAnswer),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Applications are closed", body = ErrorBody),
        (status = 422, body = ErrorBody)
    ))]
pub async fn apply(
    State(state): State<AppState>,
    context: crate::context::RequestContext,
    Path(id): Path<String>,
    CleanJson(body): CleanJson<ApplicationBody>,
) -> Result<Response, AppError> {
    if let Some(refused) = crate::rate::refuse_if_over(&state, &context, "applications").await? {
        return Ok(refused);
    }
    let training = crate::catalogue::public_training(&state, &id).await?;
    let settings = state.store().registration_settings(training.id).await?;
    if let Some(refused) =
        crate::rate::refuse_if_holding(&state, &context, training.id, &settings).await?
    {
        return Ok(refused);
    }
    let lang = body
        .lang
        .as_deref()
        .and_then(Lang::from_tag)
        .unwrap_or(Lang::Ja);
    let form = ApplicationForm {
        name: body.name,
        furigana: body.furigana,
        email: body.email,
        phone: body.phone,
        backgrounds: body.backgrounds,
        background_other: body.background_other,
        motivation: body.motivation,
        access_needs: body.access_needs,
        share_access_needs: body.share_access_needs,
        consent: body.consent,
        frame: body.frame.map(|frame| frame.to_string()),
        answers: body.answers.into_iter().collect(),
    };
    let answer = match registration::submit(&state, &training, &settings, &form, lang).await {
        Ok(applied) => ApplicationAnswer {
            status: applied.status(),
            position: match applied {
                Applied::Waitlisted { position, .. } => Some(position),
                _ => None,
            },
        },
        Err(Refusal::Closed(closed)) => {
            return Ok(api_error(
                ErrorKind::Conflict,
                kizuki_i18n::text(Lang::En, registration::closed_message_key(closed)),
            ));
        }
        Err(Refusal::Mistakes(mistakes)) => {
            return Ok(invalid(
                mistakes
                    .iter()
                    .map(|m| FieldMistake {
                        field: m.field.clone(),
                        message: kizuki_i18n::text(Lang::En, m.message).to_owned(),
                    })
                    .collect(),
            ));
        }
        Err(Refusal::Failed(error)) => return Err(error),
    };
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}
