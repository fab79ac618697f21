//! Applying for a training through the API. Public: no account is needed.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kizuki_domain::registration::{
    self, ApplicationForm, Closed, HOLD_SECONDS, PRIVACY_NOTICE_VERSION,
};
use kizuki_domain::secret::{self, SecretKind};
use kizuki_i18n::Lang;
use kizuki_store::{Applied, NewApplication, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::clean_json::CleanJson;
use super::{ErrorBody, FieldMistake, invalid};
use crate::error::{AppError, ErrorKind, api_error};
use crate::pages::catalogue::today;
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
    /// service_provider_before, family, researcher, other (several may apply).
    backgrounds: Vec<String>,
    #[serde(default)]
    background_other: String,
    #[serde(default)]
    motivation: String,
    #[serde(default)]
    access_needs: String,
    /// Must be true: the applicant agrees to the privacy notice.
    #[serde(default)]
    consent: bool,
    /// ja (default) or en: the language of messages to the applicant.
    #[serde(default)]
    lang: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ApplicationAnswer {
    id: i64,
    /// held (a seat is kept until the email address is confirmed) or waitlisted.
    status: &'static str,
    /// Place on the waitlist, 1 first.
    position: Option<i64>,
}

/// Applies for a training. Seats go first come, first served; when none is left the applicant
/// joins the waitlist.
#[utoipa::path(post, path = "/api/v1/trainings/{id}/applications", tag = "registration", request_body = ApplicationBody,
    params(("id" = i64, Path, description = "Training id")),
    responses(
        (status = 201, body = ApplicationAnswer),
        (status = 404, body = ErrorBody),
        (status = 409, description = "An application with this email exists, or applications are closed", body = ErrorBody),
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
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let training = state.store().training(id).await?;
    if !training.status.is_public() {
        return Err(AppError::NotFound);
    }
    let now = state.now();
    let capacity = match registration::accepting(
        training.status,
        training.capacity,
        training.applications_open_on,
        training.applications_close_on,
        today(now),
    ) {
        Ok(capacity) => capacity,
        Err(closed) => {
            let message = match closed {
                Closed::NotYet => "Applications for this training have not opened yet.",
                Closed::Over => "Applications for this training have closed.",
                Closed::NotOpen | Closed::NoCapacity => "This training is not taking applications.",
            };
            return Ok(api_error(ErrorKind::Conflict, message));
        }
    };
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
        consent: body.consent,
    };
    let application = match registration::check(&form) {
        Ok(application) => application,
        Err(mistakes) => {
            return Ok(invalid(
                mistakes
                    .iter()
                    .map(|m| FieldMistake {
                        field: m.field.to_owned(),
                        message: kizuki_i18n::text(Lang::En, m.message).to_owned(),
                    })
                    .collect(),
            ));
        }
    };
    let manage = secret::generate(SecretKind::Application, &mut rand::rng());
    let applied = state
        .store()
        .apply(
            &NewApplication {
                training_id: id,
                capacity,
                application: &application,
                privacy_version: PRIVACY_NOTICE_VERSION,
                lang: lang.tag(),
                manage_digest: &manage.digest,
                hold_seconds: HOLD_SECONDS,
            },
            now,
        )
        .await;
    let answer = match applied {
        Ok(Applied::Held { id, .. }) => ApplicationAnswer {
            id,
            status: "held",
            position: None,
        },
        Ok(Applied::Waitlisted { id, position }) => ApplicationAnswer {
            id,
            status: "waitlisted",
            position: Some(position),
        },
        Err(StoreError::Conflict(_)) => {
            return Ok(api_error(
                ErrorKind::Conflict,
                "An application with this email address already exists for this training.",
            ));
        }
        Err(other) => return Err(other.into()),
    };
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}
