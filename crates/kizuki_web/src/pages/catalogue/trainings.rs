//! Trainings: the public list with filters, and each training's page.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use kizuki_domain::allocation::Allocation;
use kizuki_domain::catalogue::TrainingStatus;
use kizuki_domain::registration::Closed;
use kizuki_store::{Training, TrainingFilter};

use super::{
    AreaGroup, Filters, KindChoice, ListQuery, PAGE_SIZE, Pagination, TrainingCard, area_groups,
    kind_choices, place_words, today, training_card,
};
use crate::context::RequestContext;
use crate::error::AppError;
use crate::format::{self, Localized};
use crate::guide::{ContactView, Guide};
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
        trainings: super::training_cards(&state, lang, &trainings).await?,
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
    pub bring: Localized,
    pub payment: Localized,
    pub contact: ContactView,
}

pub async fn show(
    State(state): State<AppState>,
    context: RequestContext,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let training = super::public_training(&state, &id).await?;
    let origin = structured::origin(&headers, context.https);
    let guide = Guide::load(&state, training.id).await?;
    let mut view = training_view(&state, &context, &training, &origin, &guide);
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
    /// Applications are not open yet: the day they open.
    pub opens_on: Option<String>,
    pub lottery: Option<LotteryBlock>,
}

/// What a lottery entrant wants to know: how many entered, when the draw is, how they hear,
/// and (behind 「詳しく」) how anyone can check the draw.
pub struct LotteryBlock {
    pub entries: String,
    pub draw_on: Option<String>,
    pub drawn: bool,
    pub hash: String,
    pub seed: Option<String>,
}

async fn registration_block(
    state: &AppState,
    context: &RequestContext,
    training: &Training,
) -> Result<Option<RegistrationBlock>, AppError> {
    let accepting = crate::registration::accepting(state, training);
    let seats = state.store().seats(training.id, state.now()).await?;
    let lang = context.lang;
    let opens_on = match (accepting, training.applications_open_on) {
        (Err(Closed::NotYet), Some(open)) => Some(kizuki_i18n::format(
            lang,
            "guide.not_open_yet",
            &[("date", &format::date(lang, open))],
        )),
        _ => None,
    };
    // Nothing to say about applying for a training that never took any and will not.
    if accepting.is_err() && opens_on.is_none() && seats.taken == 0 && seats.waitlisted == 0 {
        return Ok(None);
    }
    let settings = state.store().registration_settings(training.id).await?;
    let lottery = settings
        .lottery
        .as_ref()
        .filter(|_| settings.allocation == Allocation::Lottery)
        .map(|lottery| LotteryBlock {
            entries: kizuki_i18n::count(lang, "training.lottery_entries", seats.lottery_entries),
            // The clock draws on the first day after the window closes.
            draw_on: training
                .applications_close_on
                .and_then(|close| close.tomorrow().ok())
                .map(|day| format::date(lang, day)),
            drawn: lottery.drawn_at.is_some(),
            hash: lottery.seed_hash.clone(),
            seed: lottery.seed_if_drawn.clone(),
        });
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
        opens_on,
        lottery,
    }))
}

fn training_view(
    state: &AppState,
    context: &RequestContext,
    training: &Training,
    origin: &str,
    guide: &Guide,
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
        capacity: training
            .capacity
            .map(|capacity| kizuki_i18n::count(lang, "training.capacity_people", capacity)),
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
        programme_version: programme_version_words(lang, &training.programme_version),
        description_html: markdown::to_safe_html(&description.text),
        json_ld: structured::script_json(&structured::training_event(lang, training, origin)),
        calendar_href: format!("/trainings/{}/calendar.ics", training.id),
        list_href: lang.localize("/trainings"),
        bring: Localized::pick(lang, &guide.details.bring, &guide.details.bring_en),
        payment: Localized::pick(lang, &guide.details.payment, &guide.details.payment_en),
        contact: guide.contact_view(lang),
        card,
        page,
    }
}

/// The programme's stage in words ("pilot" → 「試行版」); a version named otherwise is shown
/// as the organiser wrote it.
fn programme_version_words(lang: kizuki_i18n::Lang, version: &str) -> String {
    match version.trim() {
        stage @ ("pilot" | "provisional" | "final") => {
            kizuki_i18n::text(lang, &format!("training.programme_stage.{stage}")).to_owned()
        }
        other => other.to_owned(),
    }
}
