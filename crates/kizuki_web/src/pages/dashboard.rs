use axum::extract::State;
use axum::response::Response;

use crate::context::RequestContext;
use crate::state::AppState;
use crate::views::{self, Chrome, DashboardView};

pub async fn show(State(state): State<AppState>, context: RequestContext) -> Response {
    views::render(&DashboardView {
        page: Chrome::new(&state, &context, "dashboard.title"),
    })
}
