use axum::extract::State;
use axum::response::Response;
use kizuki_domain::Role;

use crate::context::RequestContext;
use crate::error::AppError;
use crate::format::{self, Localized};
use crate::state::AppState;
use crate::views::{self, Chrome, DashboardView, LedTraining};

pub async fn show(
    State(state): State<AppState>,
    context: RequestContext,
) -> Result<Response, AppError> {
    let mut led = Vec::new();
    if let Some(user) = context
        .user
        .as_ref()
        .filter(|u| u.role == Role::Facilitator)
    {
        for id in state.store().trainings_led_by(user.id).await? {
            let training = state.store().training(id).await?;
            led.push(LedTraining {
                title: Localized::pick(context.lang, &training.title, &training.title_en),
                dates: format::training_dates(context.lang, &training),
                href: context
                    .lang
                    .localize(&format!("/manage/trainings/{id}/participants")),
            });
        }
    }
    Ok(views::render(&DashboardView {
        page: Chrome::new(&state, &context, "dashboard.title"),
        led,
    }))
}
