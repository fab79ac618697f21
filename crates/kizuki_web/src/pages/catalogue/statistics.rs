//! The statistics page: figures computed from the data, never typed in.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use kizuki_store::PlaceRow;

use crate::charts::bar_chart;
use crate::context::RequestContext;
use crate::error::AppError;
use crate::format;
use crate::microcache::cacheable;
use crate::state::AppState;
use crate::views::{self, Chrome};

#[derive(Debug, Default, PartialEq, Eq)]
pub struct YearFigures {
    pub trainings: i64,
    pub attendances: i64,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub by_year: BTreeMap<i16, YearFigures>,
    pub by_prefecture: BTreeMap<u8, i64>,
    pub online_trainings: i64,
    pub groups_started: BTreeMap<i16, i64>,
}

fn year_of(row: &PlaceRow) -> Option<i16> {
    row.first_on.as_deref()?.get(0..4)?.parse().ok()
}

/// Held trainings per year (by their first day), with attendances; held trainings per
/// prefecture; public study groups by the year they started.
pub fn summarise(rows: &[PlaceRow]) -> Summary {
    let mut summary = Summary::default();
    for row in rows {
        match (row.what.as_str(), row.status.as_str()) {
            ("training", "held") => {
                if let Some(year) = year_of(row) {
                    let figures = summary.by_year.entry(year).or_default();
                    figures.trainings += 1;
                    figures.attendances += row.attendance_count.unwrap_or(0);
                }
                match row.prefecture_code.and_then(|code| u8::try_from(code).ok()) {
                    Some(code) => *summary.by_prefecture.entry(code).or_default() += 1,
                    None => summary.online_trainings += 1,
                }
            }
            ("group", _) => {
                if let Some(year) = year_of(row) {
                    *summary.groups_started.entry(year).or_default() += 1;
                }
            }
            _ => {}
        }
    }
    summary
}

pub struct YearRow {
    pub year: i16,
    pub trainings: i64,
    pub attendances: i64,
    pub cumulative: i64,
}

#[derive(Template)]
#[template(path = "statistics.html")]
pub struct StatisticsView {
    pub page: Chrome,
    pub years: Vec<YearRow>,
    pub total_trainings: i64,
    pub total_attendances: i64,
    pub trainings_chart: String,
    pub attendance_chart: String,
    pub prefectures: Vec<(String, i64)>,
    pub online_trainings: i64,
    pub groups_chart: String,
    pub groups: Vec<(i16, i64)>,
    /// (background, count or "fewer than five") — empty until anyone has applied.
    pub backgrounds: Vec<(&'static str, String)>,
}

pub async fn show(
    State(state): State<AppState>,
    context: RequestContext,
) -> Result<Response, AppError> {
    let lang = context.lang;
    let rows = state.store().public_places().await?;
    let summary = summarise(&rows);
    let mut cumulative = 0;
    let years: Vec<YearRow> = summary
        .by_year
        .iter()
        .map(|(year, figures)| {
            cumulative += figures.attendances;
            YearRow {
                year: *year,
                trainings: figures.trainings,
                attendances: figures.attendances,
                cumulative,
            }
        })
        .collect();
    let t = |key: &str| kizuki_i18n::text(lang, key);
    let trainings_chart = bar_chart(
        "chart-trainings",
        t("stats.trainings_per_year"),
        t("stats.chart_see_table"),
        &years
            .iter()
            .map(|row| (row.year.to_string(), row.trainings))
            .collect::<Vec<_>>(),
    );
    let attendance_chart = bar_chart(
        "chart-attendance",
        t("stats.cumulative_attendances"),
        t("stats.chart_see_table"),
        &years
            .iter()
            .map(|row| (row.year.to_string(), row.cumulative))
            .collect::<Vec<_>>(),
    );
    let groups: Vec<(i16, i64)> = summary
        .groups_started
        .iter()
        .map(|(year, count)| (*year, *count))
        .collect();
    let groups_chart = bar_chart(
        "chart-groups",
        t("stats.groups_per_year"),
        t("stats.chart_see_table"),
        &groups
            .iter()
            .map(|(year, count)| (year.to_string(), *count))
            .collect::<Vec<_>>(),
    );
    let background_lists = state.store().participant_backgrounds().await?;
    let retained = state.store().retained_background_counts().await?;
    let backgrounds = if background_lists.is_empty() && retained.is_empty() {
        Vec::new()
    } else {
        kizuki_domain::registration::count_backgrounds(
            background_lists.iter().map(String::as_str),
            retained.iter().map(|(name, count)| (name.as_str(), *count)),
        )
        .into_iter()
        .map(|(background, count)| {
            let label = kizuki_i18n::text(lang, &format!("background.{}", background.as_str()));
            let shown = count.map_or_else(
                || {
                    kizuki_i18n::format(
                        lang,
                        "stats.fewer_than",
                        &[(
                            "count",
                            &kizuki_domain::registration::SMALLEST_SHOWN_COUNT.to_string(),
                        )],
                    )
                },
                |count| count.to_string(),
            );
            (label, shown)
        })
        .collect()
    };
    Ok(cacheable(views::render(&StatisticsView {
        backgrounds,
        page: Chrome::new(&state, &context, "stats.title"),
        total_trainings: years.iter().map(|row| row.trainings).sum(),
        total_attendances: cumulative,
        years,
        trainings_chart,
        attendance_chart,
        prefectures: summary
            .by_prefecture
            .iter()
            .map(|(code, count)| (format::prefecture_name(lang, *code), *count))
            .collect(),
        online_trainings: summary.online_trainings,
        groups_chart,
        groups,
    })))
}
