//! Rosters as files: CSV in UTF-8 with a byte-order mark (so Excel opens Japanese correctly)
//! and XLSX. The filters of the roster page apply.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use kizuki_i18n::Lang;
use kizuki_store::{ApplicationRecord, RegistrationSettings, Training};

use super::roster::RosterQuery;
use super::{backgrounds_label, status_label};
use crate::context::RequestContext;
use crate::download;
use crate::error::AppError;
use crate::mail::moment;
use crate::pages::registration::{frame_name, question_label};
use crate::state::AppState;

const HEADER_KEYS: [&str; 15] = [
    "registration.column.id",
    "registration.column.status",
    "registration.column.position",
    "registration.column.frame",
    "registration.applicant.name",
    "registration.applicant.furigana",
    "registration.applicant.email",
    "registration.applicant.phone",
    "registration.applicant.backgrounds",
    "registration.applicant.background_other",
    "registration.applicant.motivation",
    "registration.applicant.access_needs",
    "registration.column.answers",
    "registration.column.applied",
    "registration.column.days_present",
];

fn table(
    lang: Lang,
    training: &Training,
    settings: &RegistrationSettings,
    applications: &[ApplicationRecord],
    marks: &[kizuki_store::AttendanceMark],
) -> Vec<Vec<String>> {
    let mut rows = vec![
        HEADER_KEYS
            .iter()
            .map(|key| kizuki_i18n::text(lang, key).to_owned())
            .collect::<Vec<_>>(),
    ];
    for a in applications {
        let present = marks
            .iter()
            .filter(|m| m.application_id == a.id && m.present)
            .count();
        rows.push(vec![
            a.id.to_string(),
            status_label(lang, a.status).to_owned(),
            a.waitlist_rank.map(|r| r.to_string()).unwrap_or_default(),
            frame_name(lang, &settings.frames, a.frame_id),
            a.name.clone(),
            a.furigana.clone(),
            a.email.clone(),
            a.phone.clone(),
            backgrounds_label(lang, &a.backgrounds),
            a.background_other.clone(),
            a.motivation.clone(),
            a.access_needs.clone(),
            a.answers
                .iter()
                .map(|(q, answer)| {
                    format!(
                        "{}: {answer}",
                        question_label(lang, &settings.questions, *q)
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"),
            moment(lang, a.created_at),
            format!("{present} / {}", training.days.len()),
        ]);
    }
    rows
}

async fn load(
    state: &AppState,
    id: &str,
    query: &RosterQuery,
    lang: Lang,
) -> Result<(Training, Vec<Vec<String>>), AppError> {
    let training = super::training(state, id).await?;
    let settings = state.store().registration_settings(training.id).await?;
    let applications = state.store().roster(training.id, &query.filter()).await?;
    let marks = state.store().attendance(training.id).await?;
    let rows = table(lang, &training, &settings, &applications, &marks);
    Ok((training, rows))
}

pub async fn csv(
    State(state): State<AppState>,
    context: RequestContext,
    Path(id): Path<String>,
    Query(query): Query<RosterQuery>,
) -> Result<Response, AppError> {
    let (training, rows) = load(&state, &id, &query, context.lang).await?;
    download::csv(&rows, &format!("applications-{}.csv", training.id))
}

pub async fn xlsx(
    State(state): State<AppState>,
    context: RequestContext,
    Path(id): Path<String>,
    Query(query): Query<RosterQuery>,
) -> Result<Response, AppError> {
    let (training, rows) = load(&state, &id, &query, context.lang).await?;
    download::xlsx(&rows, &format!("applications-{}.xlsx", training.id))
}
