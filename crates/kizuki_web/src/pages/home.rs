use axum::extract::State;
use axum::http::header::{ACCEPT_LANGUAGE, VARY};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use kizuki_i18n::Lang;
use kizuki_store::{TrainingFilter, When};

use crate::context::RequestContext;
use crate::error::AppError;
use crate::forms::see_other;
use crate::pages::catalogue;
use crate::state::AppState;
use crate::views::{self, Chrome, HomeView};

pub async fn show(
    State(state): State<AppState>,
    context: RequestContext,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    // A first visit to the Japanese home page from a browser that prefers English goes to the
    // English one. After that the visitor's own choice (the language cookie) stands.
    if context.lang == Lang::Ja && context.lang_cookie.is_none() {
        let preferred = headers
            .get(ACCEPT_LANGUAGE)
            .and_then(|value| value.to_str().ok())
            .and_then(kizuki_i18n::preferred_from_accept_language);
        if preferred == Some(Lang::En) {
            let mut response = see_other("/en/");
            response
                .headers_mut()
                .insert(VARY, HeaderValue::from_static("Accept-Language, Cookie"));
            return Ok(response);
        }
    }
    let (upcoming, _) = state
        .store()
        .trainings(&TrainingFilter {
            when: When::Upcoming,
            today: Some(catalogue::today(state.now())),
            limit: 3,
            ..TrainingFilter::default()
        })
        .await?;
    let view = HomeView {
        page: Chrome::new(&state, &context, "home.title"),
        trainings: catalogue::training_cards(&state, context.lang, &upcoming).await?,
        areas: catalogue::area_groups(context.lang, catalogue::Area::All),
    };
    let mut response = crate::microcache::cacheable(views::render(&view));
    response
        .headers_mut()
        .insert(VARY, HeaderValue::from_static("Accept-Language, Cookie"));
    Ok(response)
}

pub async fn robots() -> impl IntoResponse {
    concat!(
        "User-agent: *\n",
        "Disallow: /admin/\nDisallow: /account\nDisallow: /dashboard\nDisallow: /manage/\nDisallow: /login\n",
        "Disallow: /en/admin/\nDisallow: /en/account\nDisallow: /en/dashboard\nDisallow: /en/manage/\nDisallow: /en/login\n",
        "Disallow: /study-groups/*/contact\nDisallow: /en/study-groups/*/contact\n",
        "Disallow: /application\nDisallow: /en/application\n",
        "Disallow: /trainings/*/apply\nDisallow: /en/trainings/*/apply\n",
        "Disallow: /answer\nDisallow: /en/answer\n",
        "Disallow: /research/\nDisallow: /en/research/\n",
    )
}
