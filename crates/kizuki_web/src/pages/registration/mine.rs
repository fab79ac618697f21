//! The applicant's private page. The link in every message carries a key; opening it moves the
//! key into a cookie and out of the address bar at once, so it does not linger in the browser's
//! history, in access logs or in referrers.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use kizuki_domain::allocation::Status;
use kizuki_domain::secret::{self, SecretKind};
use kizuki_domain::text;
use kizuki_store::{ApplicationRecord, RegistrationSettings, StoreError, Training};
use serde::Deserialize;

use crate::context::RequestContext;
use crate::cookies;
use crate::error::AppError;
use crate::format::{self, Localized};
use crate::forms::{CleanForm, redirect_with_flash, see_other, with_status};
use crate::guide::{ContactView, Guide, PracticalView};
use crate::mail::{self, moment};
use crate::pages::catalogue::today;
use crate::state::AppState;
use crate::views::{self, Chrome};

pub const COOKIE: &str = "kizuki_application";
/// The key stays in the browser for 30 minutes after the page was last opened (each visit starts
/// the 30 minutes again), so that a shared computer does not keep it open for the next person;
/// "close on this device" removes it at once. The page states both.
pub const COOKIE_SECONDS: i64 = 30 * 60;

#[derive(Deserialize)]
pub struct LinkQuery {
    key: Option<String>,
}

#[derive(Template)]
#[template(path = "my_application.html")]
pub struct MineView {
    pub page: Chrome,
    pub training_title: Localized,
    pub training_href: String,
    pub dates: String,
    pub status_text: String,
    pub can_confirm: bool,
    pub confirm_label: &'static str,
    pub can_take_seat: bool,
    pub can_cancel: bool,
    pub frame: String,
    pub application: ApplicationRecord,
    pub errors: Vec<String>,
    /// When, where, cost, what to bring: for an application still in play.
    pub practical: Option<PracticalView>,
    pub contact: ContactView,
}

#[derive(Template)]
#[template(path = "application_missing.html")]
pub struct MissingView {
    pub page: Chrome,
}

fn missing(state: &AppState, context: &RequestContext) -> Response {
    with_status(
        StatusCode::NOT_FOUND,
        views::render(&MissingView {
            page: Chrome::new(state, context, "mine.missing.title"),
        }),
    )
}

async fn find(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<ApplicationRecord>, AppError> {
    let Some(key) = cookies::read(headers, COOKIE) else {
        return Ok(None);
    };
    if !secret::looks_like(SecretKind::Application, &key) {
        return Ok(None);
    }
    match state
        .store()
        .application_by_digest(&secret::digest(&key))
        .await
    {
        Ok(application) => Ok(Some(application)),
        Err(StoreError::NotFound) => Ok(None),
        Err(other) => Err(other.into()),
    }
}

pub async fn show(
    State(state): State<AppState>,
    context: RequestContext,
    headers: HeaderMap,
    Query(query): Query<LinkQuery>,
) -> Result<Response, AppError> {
    if let Some(key) = query.key {
        let mut response = see_other(&context.href("/application"));
        if secret::looks_like(SecretKind::Application, &key) {
            let cookie = cookies::build(COOKIE, &key, context.secure_cookies, Some(COOKIE_SECONDS));
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().append(SET_COOKIE, value);
            }
        }
        return Ok(response);
    }
    let Some(application) = find(&state, &headers).await? else {
        return Ok(missing(&state, &context));
    };
    let training = state.store().training(application.training_id).await?;
    let settings = state.store().registration_settings(training.id).await?;
    let mut response = views::render(
        &view(
            &state,
            &context,
            application,
            &training,
            &settings,
            Vec::new(),
        )
        .await?,
    );
    // Another 30 minutes from this visit.
    if let Some(key) = cookies::read(&headers, COOKIE) {
        let cookie = cookies::build(COOKIE, &key, context.secure_cookies, Some(COOKIE_SECONDS));
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(SET_COOKIE, value);
        }
    }
    Ok(response)
}

/// "Close on this device": the key leaves this browser; the application is untouched, and the
/// link in the message opens it again.
pub async fn close(
    context: RequestContext,
    CleanForm(_): CleanForm<CloseForm>,
) -> Result<Response, AppError> {
    let mut response = redirect_with_flash(&context, "/", "flash.application_closed");
    let cookie = cookies::build(COOKIE, "", context.secure_cookies, Some(0));
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(SET_COOKIE, value);
    }
    Ok(response)
}

/// The close form carries nothing but its CSRF token (checked before it gets here).
#[derive(Deserialize)]
pub struct CloseForm {}

async fn view(
    state: &AppState,
    context: &RequestContext,
    application: ApplicationRecord,
    training: &Training,
    settings: &RegistrationSettings,
    errors: Vec<String>,
) -> Result<MineView, AppError> {
    let lang = context.lang;
    let until = application
        .hold_expires_at
        .map(|at| moment(lang, at))
        .unwrap_or_default();
    let position = application.waitlist_rank.unwrap_or(0).to_string();
    let offered = application.offered_at.is_some();
    let status_key = match application.status {
        Status::Held if offered => "mine.status.offer",
        Status::Held => "mine.status.held",
        Status::Confirmed => "mine.status.confirmed",
        Status::Waitlisted if offered => "mine.status.seat_free",
        Status::Waitlisted => "mine.status.waitlisted",
        Status::PendingApproval => "mine.status.pending_approval",
        Status::Lottery => "mine.status.lottery",
        Status::Declined => "mine.status.declined",
        Status::Cancelled => "mine.status.cancelled",
        Status::Expired => "mine.status.expired",
    };
    let verified = application.email_verified_at.is_some();
    let seats_free = if application.status == Status::Waitlisted && offered {
        let seats = state.store().seats(training.id, state.now()).await?;
        seats.taken < seats.capacity
    } else {
        false
    };
    let mut page = Chrome::new(state, context, "mine.title");
    page.description = None;
    let guide = Guide::load(state, training.id).await?;
    Ok(MineView {
        practical: application
            .status
            .is_active()
            .then(|| guide.practical_view(lang, training)),
        contact: guide.contact_view(lang),
        page,
        training_title: Localized::pick(lang, &training.title, &training.title_en),
        training_href: context.href(&format!("/trainings/{}", training.id)),
        dates: format::training_dates(lang, training),
        status_text: kizuki_i18n::format(
            lang,
            status_key,
            &[("until", &until), ("position", &position)],
        ),
        can_confirm: application.status == Status::Held
            || (!verified
                && matches!(
                    application.status,
                    Status::Lottery | Status::PendingApproval | Status::Waitlisted
                )),
        confirm_label: kizuki_i18n::text(
            lang,
            if application.status == Status::Held {
                "mine.confirm_seat"
            } else {
                "mine.confirm_email"
            },
        ),
        can_take_seat: seats_free,
        can_cancel: application.status.is_active(),
        frame: super::frame_name(lang, &settings.frames, application.frame_id),
        application,
        errors,
    })
}

/// What an applicant can do to a place from their private page.
#[derive(Clone, Copy)]
enum Action {
    Confirm,
    TakeSeat,
    Cancel,
}

/// Runs an applicant's action on the application their cookie opens, tells whoever it touched,
/// and goes back to the page with a message.
async fn act(
    state: &AppState,
    context: &RequestContext,
    headers: &HeaderMap,
    action: Action,
) -> Result<Response, AppError> {
    let Some(application) = find(state, headers).await? else {
        return Ok(missing(state, context));
    };
    let (training, id, store) = (application.training_id, application.id, state.store());
    let now = state.now();
    let today = today(now);
    let outcome = match action {
        Action::Confirm => store
            .confirm_application(training, id, now, today)
            .await
            .map(|(_, notices)| (notices, "flash.application_confirmed")),
        Action::TakeSeat => store
            .take_free_seat(training, id, now, today)
            .await
            .map(|notices| (notices, "flash.application_confirmed")),
        Action::Cancel => store
            .cancel_application(training, id, kizuki_store::Actor::Applicant, now, today)
            .await
            .map(|notices| (notices, "flash.application_cancelled")),
    };
    match outcome {
        Ok((notices, flash)) => {
            mail::deliver(state, &notices).await;
            Ok(redirect_with_flash(context, "/application", flash))
        }
        Err(StoreError::Refused(reason)) => Ok(redirect_with_flash(
            context,
            "/application",
            &crate::registration::refusal_key(reason),
        )),
        Err(other) => Err(other.into()),
    }
}

pub async fn confirm(
    State(state): State<AppState>,
    context: RequestContext,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    act(&state, &context, &headers, Action::Confirm).await
}

pub async fn take_seat(
    State(state): State<AppState>,
    context: RequestContext,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    act(&state, &context, &headers, Action::TakeSeat).await
}

#[derive(Deserialize, Default)]
pub struct SureForm {
    #[serde(default)]
    sure: String,
}

pub async fn cancel(
    State(state): State<AppState>,
    context: RequestContext,
    headers: HeaderMap,
    CleanForm(form): CleanForm<SureForm>,
) -> Result<Response, AppError> {
    if form.sure != "yes" {
        return Ok(redirect_with_flash(
            &context,
            "/application",
            "flash.tick_to_confirm",
        ));
    }
    act(&state, &context, &headers, Action::Cancel).await
}

#[derive(Deserialize, Default)]
pub struct DetailsForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    furigana: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    access_needs: String,
    /// "yes" when the training's facilitators may read the access needs.
    #[serde(default)]
    share_access_needs: String,
}

pub async fn update_details(
    State(state): State<AppState>,
    context: RequestContext,
    headers: HeaderMap,
    CleanForm(form): CleanForm<DetailsForm>,
) -> Result<Response, AppError> {
    let Some(mut application) = find(&state, &headers).await? else {
        return Ok(missing(&state, &context));
    };
    // The same rules as the form: check the changed fields through the domain.
    let probe = kizuki_domain::registration::ApplicationForm {
        name: form.name.clone(),
        furigana: form.furigana.clone(),
        email: application.email.clone(),
        phone: form.phone.clone(),
        backgrounds: application
            .backgrounds
            .split(',')
            .map(str::to_owned)
            .collect(),
        access_needs: form.access_needs.clone(),
        share_access_needs: form.share_access_needs == "yes",
        consent: true,
        ..Default::default()
    };
    let asks = kizuki_domain::registration::Asks::default();
    match kizuki_domain::registration::check(&probe, &asks) {
        Ok(checked) => {
            state
                .store()
                .update_contact(
                    application.id,
                    &kizuki_store::ContactDetails {
                        name: &checked.name,
                        furigana: &checked.furigana,
                        phone: &checked.phone,
                        access_needs: &checked.access_needs,
                        share_access_needs: checked.share_access_needs,
                    },
                    state.now(),
                )
                .await?;
            Ok(redirect_with_flash(&context, "/application", "flash.saved"))
        }
        Err(mistakes) => {
            let errors = mistakes
                .iter()
                .map(|m| kizuki_i18n::text(context.lang, m.message).to_owned())
                .collect();
            application.name = text::normalize_line(&form.name);
            application.furigana = form.furigana;
            application.phone = form.phone;
            application.access_needs = form.access_needs;
            application.share_access_needs = form.share_access_needs == "yes";
            let training = state.store().training(application.training_id).await?;
            let settings = state.store().registration_settings(training.id).await?;
            let view = view(&state, &context, application, &training, &settings, errors).await?;
            Ok(with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                views::render(&view),
            ))
        }
    }
}

/// Deletes the application and everything about the applicant, at their request. A seat they
/// held goes to the next person first.
pub async fn delete(
    State(state): State<AppState>,
    context: RequestContext,
    headers: HeaderMap,
    CleanForm(form): CleanForm<SureForm>,
) -> Result<Response, AppError> {
    if form.sure != "yes" {
        return Ok(redirect_with_flash(
            &context,
            "/application",
            "flash.tick_to_confirm",
        ));
    }
    let Some(application) = find(&state, &headers).await? else {
        return Ok(missing(&state, &context));
    };
    let now = state.now();
    if application.status.is_active() {
        let notices = state
            .store()
            .cancel_application(
                application.training_id,
                application.id,
                kizuki_store::Actor::Applicant,
                now,
                today(now),
            )
            .await?;
        // The applicant's own "cancelled" message would be deleted with them; the others stay.
        let others: Vec<_> = notices
            .into_iter()
            .filter(|n| n.application_id != application.id)
            .collect();
        mail::deliver(&state, &others).await;
    }
    state.store().delete_application(application.id).await?;
    let mut response = redirect_with_flash(
        &context,
        &format!("/trainings/{}", application.training_id),
        "flash.application_deleted",
    );
    let cookie = cookies::build(COOKIE, "", context.secure_cookies, Some(0));
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(SET_COOKIE, value);
    }
    Ok(response)
}
