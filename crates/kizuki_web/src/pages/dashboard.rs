use axum::extract::State;
use axum::response::Response;
use kizuki_domain::Role;
use kizuki_store::Training;

use crate::context::RequestContext;
use crate::error::AppError;
use crate::format::{self, Localized};
use crate::state::AppState;
use crate::views::{self, Chrome, DashboardView, LedTraining};

pub async fn show(
    State(state): State<AppState>,
    context: RequestContext,
) -> Result<Response, AppError> {
    let mut trainings = Vec::new();
    if let Some(user) = context
        .user
        .as_ref()
        .filter(|u| u.role == Role::Facilitator)
    {
        for id in state.store().trainings_led_by(user.id).await? {
            trainings.push(state.store().training(id).await?);
        }
    }
    // Those to come first (soonest at the top), then those held (latest first).
    let today = crate::today(state.now());
    let last_day = |t: &Training| t.days.iter().map(|d| d.date).max();
    let (mut ahead, mut held): (Vec<Training>, Vec<Training>) = trainings
        .into_iter()
        .partition(|t| last_day(t).is_none_or(|day| day >= today));
    ahead.sort_by_key(|t| t.days.iter().map(|d| d.date).min());
    held.sort_by_key(|t| std::cmp::Reverse(last_day(t)));
    let entry = |training: Training| LedTraining {
        title: Localized::pick(context.lang, &training.title, &training.title_en),
        dates: format::training_dates(context.lang, &training),
        href: context
            .lang
            .localize(&format!("/manage/trainings/{}/participants", training.id)),
    };
    Ok(views::render(&DashboardView {
        page: Chrome::new(&state, &context, "dashboard.title"),
        led: ahead.into_iter().map(entry).collect(),
        led_before: held.into_iter().map(entry).collect(),
    }))
}
