//! The dashboard: each person's own work first. A facilitator sees the trainings they lead,
//! with the participant list and attendance; an organiser sees the trainings to come with their
//! applications, seats and waitlist, and what needs doing (applications to approve, offers about
//! to lapse, mail that waits or failed, study groups to approve); a host sees their groups'
//! unread messages.

use axum::extract::State;
use axum::response::Response;
use kizuki_domain::Role;
use kizuki_domain::catalogue::GroupStatus;
use kizuki_domain::time::Timestamp;
use kizuki_i18n::Lang;
use kizuki_store::{StudyGroupFilter, Training, TrainingFilter, TrainingWorkload, When};

use crate::context::RequestContext;
use crate::error::AppError;
use crate::format::{self, Localized};
use crate::state::AppState;
use crate::views::{
    self, ActionItem, Chrome, DashboardView, HostedGroup, LedTraining, OrganisedTraining,
};

/// Offers that lapse within this many hours are flagged: an organiser may want to phone.
const LAPSING_HOURS: i64 = 24;
/// The trainings to come an organiser sees on the dashboard; the rest are on the list.
const ORGANISED_SHOWN: i64 = 12;

pub async fn show(
    State(state): State<AppState>,
    context: RequestContext,
) -> Result<Response, AppError> {
    let now = state.now();
    let soon = now.plus_seconds(LAPSING_HOURS * 3600);
    let lang = context.lang;
    let mut view = DashboardView {
        page: Chrome::new(&state, &context, "dashboard.title"),
        led: Vec::new(),
        led_before: Vec::new(),
        organised: Vec::new(),
        actions: Vec::new(),
        hosted: Vec::new(),
    };
    let Some(user) = context.user.as_ref() else {
        return Ok(views::render(&view));
    };
    if user.role == Role::Facilitator {
        let (ahead, held) = led_trainings(&state, user.id, now).await?;
        let ids: Vec<i64> = ahead.iter().chain(&held).map(|t| t.id).collect();
        let workloads = state.store().training_workloads(&ids, now, soon).await?;
        let entry = |training: &Training| led_entry(lang, training, &workloads);
        view.led = ahead.iter().map(entry).collect();
        view.led_before = held.iter().map(entry).collect();
    }
    if matches!(user.role, Role::Admin | Role::Organizer) {
        organiser_view(&state, lang, now, soon, &mut view).await?;
    }
    view.hosted = state
        .store()
        .host_inboxes(user.id)
        .await?
        .into_iter()
        .map(|inbox| HostedGroup {
            name: Localized::pick(lang, &inbox.name, &inbox.name_en),
            href: lang.localize(&format!("/manage/study-groups/{}/messages", inbox.group_id)),
            unread: inbox.unread,
            total: inbox.total,
        })
        .collect();
    Ok(views::render(&view))
}

/// A facilitator's trainings: those to come (soonest first), then those held (latest first).
async fn led_trainings(
    state: &AppState,
    user_id: i64,
    now: Timestamp,
) -> Result<(Vec<Training>, Vec<Training>), AppError> {
    let mut trainings = Vec::new();
    for id in state.store().trainings_led_by(user_id).await? {
        trainings.push(state.store().training(id).await?);
    }
    let today = crate::today(now);
    let last_day = |t: &Training| t.days.iter().map(|d| d.date).max();
    let (mut ahead, mut held): (Vec<Training>, Vec<Training>) = trainings
        .into_iter()
        .partition(|t| last_day(t).is_none_or(|day| day >= today));
    ahead.sort_by_key(|t| t.days.iter().map(|d| d.date).min());
    held.sort_by_key(|t| std::cmp::Reverse(last_day(t)));
    Ok((ahead, held))
}

fn workload_of(workloads: &[TrainingWorkload], id: i64) -> TrainingWorkload {
    workloads
        .iter()
        .find(|w| w.training_id == id)
        .copied()
        .unwrap_or_default()
}

fn led_entry(lang: Lang, training: &Training, workloads: &[TrainingWorkload]) -> LedTraining {
    LedTraining {
        title: Localized::pick(lang, &training.title, &training.title_en),
        dates: format::training_dates(lang, training),
        href: lang.localize(&format!("/manage/trainings/{}/participants", training.id)),
        attendance_href: lang.localize(&format!("/manage/trainings/{}/attendance", training.id)),
        participants: kizuki_i18n::count(
            lang,
            "dashboard.led.participants",
            workload_of(workloads, training.id).confirmed,
        ),
    }
}

async fn organiser_view(
    state: &AppState,
    lang: Lang,
    now: Timestamp,
    soon: Timestamp,
    view: &mut DashboardView,
) -> Result<(), AppError> {
    let (trainings, _) = state
        .store()
        .trainings(&TrainingFilter {
            include_drafts: true,
            when: When::Upcoming,
            today: Some(crate::today(now)),
            limit: ORGANISED_SHOWN,
            ..TrainingFilter::default()
        })
        .await?;
    let ids: Vec<i64> = trainings.iter().map(|t| t.id).collect();
    let workloads = state.store().training_workloads(&ids, now, soon).await?;
    for training in &trainings {
        let work = workload_of(&workloads, training.id);
        let title = Localized::pick(lang, &training.title, &training.title_en);
        let roster = format!("/manage/trainings/{}/applications", training.id);
        let about = |key: &str, count: i64| {
            kizuki_i18n::count_with(lang, key, count, &[("training", &title.text)])
        };
        if work.pending_approval > 0 {
            view.actions.push(ActionItem {
                text: about("dashboard.actions.pending", work.pending_approval),
                href: lang.localize(&format!("{roster}?status=pending_approval")),
            });
        }
        if work.offers_lapsing > 0 {
            view.actions.push(ActionItem {
                text: about("dashboard.actions.lapsing", work.offers_lapsing),
                href: lang.localize(&format!("{roster}?status=held")),
            });
        }
        view.organised.push(OrganisedTraining {
            title,
            dates: format::training_dates(lang, training),
            href: lang.localize(&roster),
            applications: work.applications,
            seats: (work.capacity > 0).then(|| {
                kizuki_i18n::format(
                    lang,
                    "dashboard.organised.seats_of",
                    &[
                        ("taken", &work.taken.to_string()),
                        ("capacity", &work.capacity.to_string()),
                    ],
                )
            }),
            full: work.capacity > 0 && work.taken >= work.capacity,
            waitlisted: work.waitlisted,
        });
    }
    let backlog = state.store().mail_backlog().await?;
    let outbox = lang.localize("/manage/outbox");
    if backlog.failed > 0 {
        view.actions.push(ActionItem {
            text: kizuki_i18n::count(lang, "dashboard.actions.mail_failed", backlog.failed),
            href: outbox.clone(),
        });
    }
    if backlog.waiting > 0 {
        view.actions.push(ActionItem {
            text: kizuki_i18n::count(lang, "dashboard.actions.mail_waiting", backlog.waiting),
            href: outbox,
        });
    }
    let (_, groups_waiting) = state
        .store()
        .study_groups(&StudyGroupFilter {
            statuses: vec![GroupStatus::PendingApproval],
            limit: 1,
            ..StudyGroupFilter::default()
        })
        .await?;
    if groups_waiting > 0 {
        view.actions.push(ActionItem {
            text: kizuki_i18n::count(lang, "dashboard.actions.groups_pending", groups_waiting),
            href: lang.localize("/manage/study-groups"),
        });
    }
    Ok(())
}
