//! Trainings: the public list with filters, and each training's page.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use kizuki_domain::catalogue::TrainingStatus;
use kizuki_store::{Training, TrainingFilter};

use super::{
    AreaGroup, Filters, KindChoice, ListQuery, PAGE_SIZE, Pagination, TrainingCard, area_groups,
    kind_choices, place_words, today, training_card,
};
use crate::context::RequestContext;
use crate::error::AppError;
use crate::format::{self, Localized};
use crate::markdown;
use crate::microcache::cacheable;
use crate::state::AppState;
use crate::structured;
use crate::views::{self, Chrome};

#[derive(Template)]
#[template(path = "trainings.html")]
pub struct TrainingsView {
    pub page: Chrome,
    pub trainings: Vec<TrainingCard>,
    pub areas: Vec<AreaGroup>,
    pub kinds: Vec<KindChoice>,
    pub month: String,
    pub q: String,
    pub online: bool,
    pub past: bool,
    pub pagination: Pagination,
    pub calendar_href: String,
}

pub async fn list(
    State(state): State<AppState>,
    context: RequestContext,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    let filters = Filters::parse(&query);
    let lang = context.lang;
    let (trainings, total) = state
        .store()
        .trainings(&TrainingFilter {
            prefectures: filters.area.prefecture_codes(),
            kind: filters.kind,
            month: filters.month,
            year: filters.year,
            online_only: filters.online,
            municipality: filters.town.clone(),
            text: filters.text.clone(),
            when: filters.when,
            today: Some(today(state.now())),
            offset: filters.offset(),
            limit: PAGE_SIZE,
            ..TrainingFilter::default()
        })
        .await?;
    let title_key = if filters.when == kizuki_store::When::Past {
        "trainings.past_title"
    } else {
        "trainings.title"
    };
    Ok(cacheable(views::render(&TrainingsView {
        page: Chrome::new(&state, &context, title_key),
        trainings: trainings
            .iter()
            .map(|training| training_card(lang, training))
            .collect(),
        areas: area_groups(lang, filters.area),
        kinds: kind_choices(lang, filters.kind),
        month: filters.month_value(),
        q: filters.text.clone().unwrap_or_default(),
        online: filters.online,
        past: filters.when == kizuki_store::When::Past,
        pagination: Pagination::new(&lang.localize("/trainings"), &filters, total),
        calendar_href: "/calendar.ics".to_owned(),
    })))
}

pub struct DayLine {
    pub date: String,
    pub time: String,
}

pub struct PersonLine {
    pub name: Localized,
    pub bio: Localized,
}

pub struct VenueBlock {
    pub href: String,
    pub name: Localized,
    pub address: String,
    pub place: String,
    pub is_online: bool,
}

impl VenueBlock {
    /// Where an event happens, as its page shows it.
    pub fn new(lang: kizuki_i18n::Lang, venue: &kizuki_store::Venue) -> VenueBlock {
        VenueBlock {
            href: lang.localize(&format!("/venues/{}", venue.id)),
            name: Localized::pick(lang, &venue.name, &venue.name_en),
            address: venue.address.clone(),
            place: place_words(lang, Some(venue)),
            is_online: venue.is_online,
        }
    }
}

#[derive(Template)]
#[template(path = "training.html")]
pub struct TrainingView {
    pub page: Chrome,
    pub card: TrainingCard,
    pub cancelled: bool,
    pub registration: Option<RegistrationBlock>,
    pub days: Vec<DayLine>,
    pub venue: Option<VenueBlock>,
    pub facilitators: Vec<PersonLine>,
    pub language_note: Localized,
    pub fee: Option<String>,
    pub fee_note: Localized,
    pub capacity: Option<String>,
    pub window: Option<String>,
    pub programme_version: String,
    pub description_html: String,
    pub json_ld: String,
    pub calendar_href: String,
    pub list_href: String,
}

pub async fn show(
    State(state): State<AppState>,
    context: RequestContext,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let training = super::public_training(&state, &id).await?;
    let origin = structured::origin(&headers, context.https);
    let mut view = training_view(&state, &context, &training, &origin);
    view.registration = registration_block(&state, &context, &training).await?;
    Ok(cacheable(views::render(&view)))
}

/// What the training page says about applying.
pub struct RegistrationBlock {
    pub apply_href: Option<String>,
    /// Every seat is taken: the button says the application joins the waitlist, and how many
    /// wait already.
    pub full: bool,
    pub waiting: String,
    pub closed: Option<&'static str>,
    pub allocation: &'static str,
    pub seats_line: String,
    pub lottery_hash: Option<String>,
    pub lottery_seed: Option<String>,
}

async fn registration_block(
    state: &AppState,
    context: &RequestContext,
    training: &Training,
) -> Result<Option<RegistrationBlock>, AppError> {
    let accepting = crate::registration::accepting(state, training);
    let seats = state.store().seats(training.id, state.now()).await?;
    // Nothing to say about applying for a training that never took any.
    if accepting.is_err() && seats.taken == 0 && seats.waitlisted == 0 {
        return Ok(None);
    }
    let settings = state.store().registration_settings(training.id).await?;
    let lang = context.lang;
    Ok(Some(RegistrationBlock {
        apply_href: accepting
            .is_ok()
            .then(|| context.href(&format!("/trainings/{}/apply", training.id))),
        full: crate::registration::is_full(&seats),
        waiting: seats.waitlisted.to_string(),
        closed: accepting
            .err()
            .map(|closed| kizuki_i18n::text(lang, crate::registration::closed_message_key(closed))),
        allocation: kizuki_i18n::text(
            lang,
            crate::registration::allocation_key(settings.allocation),
        ),
        seats_line: kizuki_i18n::format(
            lang,
            "apply.seats_line",
            &[
                ("capacity", &seats.capacity.to_string()),
                ("left", &(seats.capacity - seats.taken).max(0).to_string()),
                ("waiting", &seats.waitlisted.to_string()),
            ],
        ),
        lottery_hash: settings.lottery.as_ref().map(|l| l.seed_hash.clone()),
        lottery_seed: settings.lottery.and_then(|l| l.seed_if_drawn),
    }))
}

fn training_view(
    state: &AppState,
    context: &RequestContext,
    training: &Training,
    origin: &str,
) -> TrainingView {
    let lang = context.lang;
    let card = training_card(lang, training);
    let mut page = Chrome::new(state, context, "trainings.title");
    page.title.clone_from(&card.title.text);
    let description = Localized::pick(lang, &training.description, &training.description_en);
    let summary = markdown::to_plain_text(&description.text, 160);
    page.description = Some(summary.clone());
    TrainingView {
        cancelled: training.status == TrainingStatus::Cancelled,
        registration: None,
        days: training
            .days
            .iter()
            .map(|day| DayLine {
                date: format::date(lang, day.date),
                time: format::time_range(day.start, day.end),
            })
            .collect(),
        venue: training
            .venue
            .as_ref()
            .map(|venue| VenueBlock::new(lang, venue)),
        facilitators: training
            .facilitators
            .iter()
            .map(|person| PersonLine {
                name: Localized::pick(lang, &person.name, &person.name_en),
                bio: Localized::pick(lang, &person.bio, &person.bio_en),
            })
            .collect(),
        language_note: Localized::pick(lang, &training.language_note, &training.language_note_en),
        fee: training.fee_yen.map(|fee| format::yen(lang, fee)),
        fee_note: Localized::pick(lang, &training.fee_note, &training.fee_note_en),
        capacity: training.capacity.map(|capacity| {
            kizuki_i18n::format(
                lang,
                "training.capacity_people",
                &[("count", &capacity.to_string())],
            )
        }),
        window: match (
            training.applications_open_on,
            training.applications_close_on,
        ) {
            (Some(open), Some(close)) => Some(format!(
                "{} – {}",
                format::date(lang, open),
                format::date(lang, close)
            )),
            (None, Some(close)) => Some(kizuki_i18n::format(
                lang,
                "training.until",
                &[("date", &format::date(lang, close))],
            )),
            _ => None,
        },
        programme_version: training.programme_version.clone(),
        description_html: markdown::to_safe_html(&description.text),
        json_ld: structured::script_json(&structured::training_event(lang, training, origin)),
        calendar_href: format!("/trainings/{}/calendar.ics", training.id),
        list_href: lang.localize("/trainings"),
        card,
        page,
    }
}
