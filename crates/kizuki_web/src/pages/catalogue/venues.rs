//! A venue's page: where it is, how to get there, what it offers, and what happens there.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use kizuki_domain::catalogue::GroupStatus;
use kizuki_store::{StudyGroupFilter, TrainingFilter, When};

use super::{GroupCard, TrainingCard, feature_label, group_card, place_words, today};
use crate::context::RequestContext;
use crate::error::AppError;
use crate::format::Localized;
use crate::microcache::cacheable;
use crate::state::AppState;
use crate::views::{self, Chrome};

#[derive(Template)]
#[template(path = "venue.html")]
pub struct VenueView {
    pub page: Chrome,
    pub name: Localized,
    pub is_online: bool,
    pub address: String,
    pub place: String,
    pub access_notes: Localized,
    pub features: Vec<&'static str>,
    pub accessibility_notes: Localized,
    pub trainings: Vec<TrainingCard>,
    pub past_count: i64,
    pub groups: Vec<GroupCard>,
}

pub async fn show(
    State(state): State<AppState>,
    context: RequestContext,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let venue = state.store().venue(id).await?;
    let lang = context.lang;
    let today = today(state.now());
    let upcoming = TrainingFilter {
        venue_id: Some(id),
        when: When::Upcoming,
        today: Some(today),
        limit: 50,
        ..TrainingFilter::default()
    };
    let (trainings, _) = state.store().trainings(&upcoming).await?;
    let past = TrainingFilter {
        when: When::Past,
        limit: 1,
        ..upcoming
    };
    let (_, past_count) = state.store().trainings(&past).await?;
    let (groups, _) = state
        .store()
        .study_groups(&StudyGroupFilter {
            venue_id: Some(id),
            statuses: vec![GroupStatus::Active, GroupStatus::Paused],
            limit: 50,
            ..StudyGroupFilter::default()
        })
        .await?;
    let name = Localized::pick(lang, &venue.name, &venue.name_en);
    let mut page = Chrome::new(&state, &context, "venue.title");
    page.title.clone_from(&name.text);
    Ok(cacheable(views::render(&VenueView {
        is_online: venue.is_online,
        address: venue.address.clone(),
        place: place_words(lang, Some(&venue)),
        access_notes: Localized::pick(lang, &venue.access_notes, &venue.access_notes_en),
        features: venue
            .accessibility
            .iter()
            .map(|feature| feature_label(lang, *feature))
            .collect(),
        accessibility_notes: Localized::pick(
            lang,
            &venue.accessibility_notes,
            &venue.accessibility_notes_en,
        ),
        trainings: super::training_cards(&state, lang, &trainings).await?,
        past_count,
        groups: groups
            .iter()
            .map(|group| group_card(lang, group, today))
            .collect(),
        name,
        page,
    })))
}
