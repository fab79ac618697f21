//! A training's roster, with filters and counts by background, and the names-only list that
//! facilitators see.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use kizuki_domain::Role;
use kizuki_domain::allocation::{Allocation, Status};
use kizuki_domain::registration::Background;
use kizuki_store::{ApplicationRecord, RosterFilter};
use serde::Deserialize;

use super::super::Choice;
use super::{backgrounds_label, status_label};
use crate::context::{CurrentUser, RequestContext};
use crate::error::AppError;
use crate::format::{self, Localized};
use crate::mail::moment;
use crate::pages::registration::frame_name;
use crate::state::AppState;
use crate::views::{self, Chrome};

#[derive(Deserialize, Default)]
pub struct RosterQuery {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub frame: String,
    #[serde(default)]
    pub background: String,
    #[serde(default)]
    pub q: String,
}

impl RosterQuery {
    pub fn filter(&self) -> RosterFilter {
        RosterFilter {
            status: Status::parse(&self.status),
            frame_id: self.frame.parse().ok(),
            background: Background::parse(&self.background).map(|b| b.as_str().to_owned()),
            text: Some(self.q.trim().to_owned()).filter(|q| !q.is_empty()),
        }
    }

    /// The same filters, for the export links.
    pub fn query_string(&self) -> String {
        serde_urlencoded::to_string([
            ("status", &self.status),
            ("frame", &self.frame),
            ("background", &self.background),
            ("q", &self.q),
        ])
        .unwrap_or_default()
    }
}

pub struct RosterRow {
    pub href: String,
    pub name: String,
    pub furigana: String,
    pub email: String,
    pub status: &'static str,
    pub status_class: &'static str,
    pub position: String,
    pub frame: String,
    pub backgrounds: String,
    pub verified: bool,
    pub applied: String,
    pub days_present: String,
}

pub struct CountLine {
    pub label: String,
    pub count: i64,
}

#[derive(Template)]
#[template(path = "manage/roster.html")]
pub struct RosterView {
    pub page: Chrome,
    pub training_title: Localized,
    pub base: String,
    pub query: String,
    pub rows: Vec<RosterRow>,
    pub statuses: Vec<Choice>,
    pub frames: Vec<Choice>,
    pub backgrounds: Vec<Choice>,
    pub text: String,
    pub counts: Vec<CountLine>,
    pub status_counts: Vec<CountLine>,
    pub allocation: &'static str,
    pub seats_line: String,
    pub lottery_hash: Option<String>,
    pub lottery_drawn: bool,
    pub can_draw: bool,
    pub no_shows: i64,
    pub purged: Option<String>,
    pub retention_months: i64,
}

pub async fn show(
    State(state): State<AppState>,
    context: RequestContext,
    Path(id): Path<String>,
    Query(query): Query<RosterQuery>,
) -> Result<Response, AppError> {
    let training = super::training(&state, &id).await?;
    let lang = context.lang;
    let settings = state.store().registration_settings(training.id).await?;
    let all = state
        .store()
        .roster(training.id, &RosterFilter::default())
        .await?;
    let shown = state.store().roster(training.id, &query.filter()).await?;
    let marks = state.store().attendance(training.id).await?;
    let seats = state.store().seats(training.id, state.now()).await?;
    let with_seat: Vec<&ApplicationRecord> = all.iter().filter(|a| a.status.takes_seat()).collect();
    let counts = Background::ALL
        .iter()
        .map(|background| CountLine {
            label: kizuki_i18n::text(lang, &format!("background.{}", background.as_str()))
                .to_owned(),
            count: i64::try_from(
                with_seat
                    .iter()
                    .filter(|a| a.backgrounds.split(',').any(|b| b == background.as_str()))
                    .count(),
            )
            .unwrap_or(0),
        })
        .collect();
    let status_counts = Status::ALL
        .iter()
        .map(|status| CountLine {
            label: status_label(lang, *status).to_owned(),
            count: i64::try_from(all.iter().filter(|a| a.status == *status).count()).unwrap_or(0),
        })
        .filter(|line| line.count > 0)
        .collect();
    let days = training.days.len();
    let no_shows = i64::try_from(
        all.iter()
            .filter(|a| a.status == Status::Confirmed)
            .filter(|a| {
                let own: Vec<_> = marks.iter().filter(|m| m.application_id == a.id).collect();
                !own.is_empty() && own.iter().all(|m| !m.present)
            })
            .count(),
    )
    .unwrap_or(0);
    let today = crate::pages::catalogue::today(state.now());
    let lottery_drawn = settings
        .lottery
        .as_ref()
        .is_some_and(|l| l.drawn_at.is_some());
    let base = context.href(&format!("/manage/trainings/{}", training.id));
    Ok(views::render(&RosterView {
        page: Chrome::new(&state, &context, "registration.roster.title"),
        training_title: Localized::pick(lang, &training.title, &training.title_en),
        query: query.query_string(),
        rows: shown
            .iter()
            .map(|a| {
                let present = marks
                    .iter()
                    .filter(|m| m.application_id == a.id && m.present)
                    .count();
                RosterRow {
                    href: context.href(&format!("/manage/applications/{}", a.id)),
                    name: a.name.clone(),
                    furigana: a.furigana.clone(),
                    email: a.email.clone(),
                    status: status_label(lang, a.status),
                    status_class: a.status.as_str(),
                    position: a.waitlist_rank.map(|r| r.to_string()).unwrap_or_default(),
                    frame: frame_name(lang, &settings.frames, a.frame_id),
                    backgrounds: backgrounds_label(lang, &a.backgrounds),
                    verified: a.email_verified_at.is_some(),
                    applied: moment(lang, a.created_at),
                    days_present: if a.status == Status::Confirmed {
                        format!("{present} / {days}")
                    } else {
                        String::new()
                    },
                }
            })
            .collect(),
        statuses: Status::ALL
            .iter()
            .map(|status| Choice {
                value: status.as_str().to_owned(),
                label: status_label(lang, *status).to_owned(),
                selected: query.status == status.as_str(),
            })
            .collect(),
        frames: settings
            .frames
            .iter()
            .map(|frame| Choice {
                value: frame.id.to_string(),
                label: Localized::pick(lang, &frame.name, &frame.name_en).text,
                selected: query.frame == frame.id.to_string(),
            })
            .collect(),
        backgrounds: Background::ALL
            .iter()
            .map(|background| Choice {
                value: background.as_str().to_owned(),
                label: kizuki_i18n::text(lang, &format!("background.{}", background.as_str()))
                    .to_owned(),
                selected: query.background == background.as_str(),
            })
            .collect(),
        text: query.q.clone(),
        counts,
        status_counts,
        allocation: kizuki_i18n::text(
            lang,
            &format!("registration.allocation.{}", settings.allocation.as_str()),
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
        can_draw: settings.allocation == Allocation::Lottery
            && !lottery_drawn
            && training
                .applications_close_on
                .is_some_and(|close| close < today),
        lottery_drawn,
        no_shows,
        purged: settings.purged_at.map(|at| moment(lang, at)),
        retention_months: settings.retention_months,
        base,
    }))
}

pub struct NameRow {
    pub name: String,
    pub furigana: String,
    /// Only when the applicant agreed that facilitators read them.
    pub access_needs: Option<String>,
}

#[derive(Template)]
#[template(path = "manage/participants.html")]
pub struct ParticipantsView {
    pub page: Chrome,
    pub training_title: Localized,
    pub dates: String,
    pub rows: Vec<NameRow>,
}

/// Organisers, and the facilitators of this training (their account is linked to a facilitator
/// on it), may see who is coming and record who came; no one else, not even another training's
/// facilitator.
pub async fn refuse_unless_in_the_room(
    state: &AppState,
    user: &kizuki_store::User,
    training: &kizuki_store::Training,
) -> Result<(), AppError> {
    let allowed = match user.role {
        Role::Admin | Role::Organizer => true,
        Role::Facilitator => state.store().leads_training(user.id, training.id).await?,
        _ => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Facilitators of a training see who is coming, by name only (no contact details, no
/// backgrounds), with the access needs of those who agreed to share them with facilitators.
pub async fn names(
    State(state): State<AppState>,
    context: RequestContext,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let training = super::training(&state, &id).await?;
    refuse_unless_in_the_room(&state, &user, &training).await?;
    let lang = context.lang;
    let confirmed = state.store().confirmed_participants(training.id).await?;
    Ok(views::render(&ParticipantsView {
        page: Chrome::new(&state, &context, "registration.participants.title"),
        training_title: Localized::pick(lang, &training.title, &training.title_en),
        dates: format::training_dates(lang, &training),
        rows: confirmed
            .into_iter()
            .map(|a| NameRow {
                name: a.name,
                furigana: a.furigana,
                access_needs: (a.share_access_needs && !a.access_needs.is_empty())
                    .then_some(a.access_needs),
            })
            .collect(),
    }))
}
