//! The map of Japan: towns that held trainings and towns with study groups, drawn as SVG by the
//! server, with the same towns listed as text by prefecture.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use kizuki_domain::catalogue::TrainingKind;
use kizuki_geo::{LatLon, MapLabels, MapMarker, MarkerKind};
use kizuki_i18n::Lang;
use kizuki_store::PlaceRow;
use serde::Deserialize;

use super::{KindChoice, kind_choices};
use crate::context::RequestContext;
use crate::error::AppError;
use crate::format;
use crate::microcache::cacheable;
use crate::state::AppState;
use crate::views::{self, Chrome};

#[derive(Deserialize, Default)]
pub struct MapQuery {
    #[serde(default)]
    year: String,
    #[serde(default)]
    kind: String,
}

struct MapFilters {
    year: Option<i16>,
    kind: Option<TrainingKind>,
}

impl MapFilters {
    fn parse(query: &MapQuery) -> MapFilters {
        MapFilters {
            year: query
                .year
                .trim()
                .parse()
                .ok()
                .filter(|year| (1990..=2200).contains(year)),
            kind: query.kind.parse().ok(),
        }
    }

    fn query(&self) -> String {
        let mut pairs = Vec::new();
        if let Some(year) = self.year {
            pairs.push(("year", year.to_string()));
        }
        if let Some(kind) = self.kind {
            pairs.push(("kind", kind.as_str().to_owned()));
        }
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    }
}

/// A town on the map with what happened there.
#[derive(Clone, Debug, PartialEq)]
pub struct Town {
    pub prefecture_code: u8,
    pub municipality: String,
    pub position: LatLon,
    pub trainings: usize,
    pub groups: usize,
}

fn year_of(row: &PlaceRow) -> Option<i16> {
    row.first_on.as_deref()?.get(0..4)?.parse().ok()
}

/// Gathers public places into towns. Trainings count if not cancelled (and match the year and
/// kind asked for); study groups count while active or paused and started by the end of the
/// year asked for.
pub fn towns(rows: &[PlaceRow], year: Option<i16>, kind: Option<TrainingKind>) -> Vec<Town> {
    let mut found: BTreeMap<(u8, String), Town> = BTreeMap::new();
    for row in rows {
        if row.venue_kind.as_deref() != Some("place") {
            continue;
        }
        let Some(code) = row.prefecture_code.and_then(|code| u8::try_from(code).ok()) else {
            continue;
        };
        let municipality = row.municipality.clone().unwrap_or_default();
        let counts = match row.what.as_str() {
            "training" => {
                row.status != "cancelled"
                    && year.is_none_or(|year| year_of(row) == Some(year))
                    && kind.is_none_or(|kind| row.kind == kind.as_str())
            }
            "group" => {
                matches!(row.status.as_str(), "active" | "paused")
                    && year.is_none_or(|year| year_of(row).is_some_and(|started| started <= year))
            }
            _ => false,
        };
        if !counts {
            continue;
        }
        let position = match (row.latitude_e6, row.longitude_e6) {
            #[allow(clippy::cast_precision_loss)]
            (Some(lat), Some(lon)) => Some(LatLon {
                lat: lat as f64 / 1e6,
                lon: lon as f64 / 1e6,
            }),
            _ => kizuki_geo::locate(code, &municipality),
        };
        let Some(position) = position else { continue };
        let town = found.entry((code, municipality.clone())).or_insert(Town {
            prefecture_code: code,
            municipality,
            position,
            trainings: 0,
            groups: 0,
        });
        if row.what == "training" {
            town.trainings += 1;
        } else {
            town.groups += 1;
        }
    }
    found.into_values().collect()
}

fn town_name(lang: Lang, town: &Town) -> String {
    let prefecture = format::prefecture_name(lang, town.prefecture_code);
    match lang {
        Lang::Ja => format!("{}（{}）", town.municipality, prefecture),
        Lang::En => format!("{} ({prefecture})", town.municipality),
    }
}

fn list_href(lang: Lang, base: &str, town: &Town, extra: &[(&str, String)]) -> String {
    let mut pairs = vec![
        ("area", format!("{:02}", town.prefecture_code)),
        ("town", town.municipality.clone()),
    ];
    pairs.extend(extra.iter().map(|(k, v)| (*k, v.clone())));
    format!(
        "{}?{}",
        lang.localize(base),
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    )
}

fn markers(lang: Lang, towns: &[Town], filters: &MapFilters) -> Vec<MapMarker> {
    let mut markers = Vec::new();
    for town in towns {
        let name = town_name(lang, town);
        if town.trainings > 0 {
            let mut extra = vec![("when", "all".to_owned())];
            if let Some(year) = filters.year {
                extra.push(("year", year.to_string()));
            }
            if let Some(kind) = filters.kind {
                extra.push(("kind", kind.as_str().to_owned()));
            }
            markers.push(MapMarker {
                prefecture_code: town.prefecture_code,
                position: town.position,
                kind: MarkerKind::Training,
                label: kizuki_i18n::format(
                    lang,
                    "map.marker_trainings",
                    &[("town", &name), ("count", &town.trainings.to_string())],
                ),
                href: list_href(lang, "/trainings", town, &extra),
            });
        }
        if town.groups > 0 {
            markers.push(MapMarker {
                prefecture_code: town.prefecture_code,
                position: town.position,
                kind: MarkerKind::StudyGroup,
                label: kizuki_i18n::format(
                    lang,
                    "map.marker_groups",
                    &[("town", &name), ("count", &town.groups.to_string())],
                ),
                href: list_href(lang, "/study-groups", town, &[]),
            });
        }
    }
    markers
}

fn svg(lang: Lang, towns: &[Town], filters: &MapFilters, id: &str) -> String {
    let t = |key: &str| kizuki_i18n::text(lang, key);
    let labels = MapLabels {
        title: t("map.svg_title"),
        description: t("map.svg_description"),
        legend_trainings: t("map.legend_trainings"),
        legend_groups: t("map.legend_groups"),
        attribution: t("map.attribution"),
        lang: lang.tag(),
    };
    kizuki_geo::render_map_svg(&markers(lang, towns, filters), &labels, id)
}

pub struct TownLine {
    pub name: String,
    pub trainings: Option<(String, String)>,
    pub groups: Option<(String, String)>,
}

pub struct PrefectureTowns {
    pub name: String,
    pub towns: Vec<TownLine>,
}

pub struct YearChoice {
    pub value: i16,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "map.html")]
pub struct MapView {
    pub page: Chrome,
    pub svg: String,
    pub years: Vec<YearChoice>,
    pub kinds: Vec<KindChoice>,
    pub prefectures: Vec<PrefectureTowns>,
    pub training_towns: usize,
    pub group_towns: usize,
    pub download_href: String,
}

pub async fn show(
    State(state): State<AppState>,
    context: RequestContext,
    Query(query): Query<MapQuery>,
) -> Result<Response, AppError> {
    let lang = context.lang;
    let filters = MapFilters::parse(&query);
    let rows = state.store().public_places().await?;
    let towns = towns(&rows, filters.year, filters.kind);
    let mut years: Vec<i16> = rows
        .iter()
        .filter(|row| row.what == "training")
        .filter_map(year_of)
        .collect();
    years.sort_unstable();
    years.dedup();
    let mut prefectures: Vec<PrefectureTowns> = Vec::new();
    for town in &towns {
        let prefecture = format::prefecture_name(lang, town.prefecture_code);
        if prefectures
            .last()
            .is_none_or(|last| last.name != prefecture)
        {
            prefectures.push(PrefectureTowns {
                name: prefecture,
                towns: Vec::new(),
            });
        }
        let line = TownLine {
            name: town.municipality.clone(),
            trainings: (town.trainings > 0).then(|| {
                (
                    kizuki_i18n::format(
                        lang,
                        "map.count_trainings",
                        &[("count", &town.trainings.to_string())],
                    ),
                    list_href(lang, "/trainings", town, &[("when", "all".to_owned())]),
                )
            }),
            groups: (town.groups > 0).then(|| {
                (
                    kizuki_i18n::format(
                        lang,
                        "map.count_groups",
                        &[("count", &town.groups.to_string())],
                    ),
                    list_href(lang, "/study-groups", town, &[]),
                )
            }),
        };
        if let Some(last) = prefectures.last_mut() {
            last.towns.push(line);
        }
    }
    let query_text = filters.query();
    let download_href = format!(
        "{}{}{}",
        lang.localize("/map.svg"),
        if query_text.is_empty() { "" } else { "?" },
        query_text
    );
    Ok(cacheable(views::render(&MapView {
        page: Chrome::new(&state, &context, "map.title"),
        svg: svg(lang, &towns, &filters, "japan-map"),
        years: years
            .into_iter()
            .map(|value| YearChoice {
                value,
                selected: filters.year == Some(value),
            })
            .collect(),
        kinds: kind_choices(lang, filters.kind),
        training_towns: towns.iter().filter(|town| town.trainings > 0).count(),
        group_towns: towns.iter().filter(|town| town.groups > 0).count(),
        prefectures,
        download_href,
    })))
}

/// The same map as a file, for reports.
pub async fn download(
    State(state): State<AppState>,
    context: RequestContext,
    Query(query): Query<MapQuery>,
) -> Result<Response, AppError> {
    let filters = MapFilters::parse(&query);
    let rows = state.store().public_places().await?;
    let towns = towns(&rows, filters.year, filters.kind);
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{}",
        svg(context.lang, &towns, &filters, "map")
    );
    Ok(cacheable(
        (
            [
                (CONTENT_TYPE, "image/svg+xml; charset=utf-8"),
                (
                    CONTENT_DISPOSITION,
                    "attachment; filename=\"kizuki-map.svg\"",
                ),
            ],
            body,
        )
            .into_response(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(
        what: &str,
        status: &str,
        kind: &str,
        first_on: &str,
        code: i64,
        town: &str,
    ) -> PlaceRow {
        PlaceRow {
            what: what.to_owned(),
            item_id: 1,
            kind: kind.to_owned(),
            first_on: Some(first_on.to_owned()),
            status: status.to_owned(),
            attendance_count: None,
            venue_kind: Some("place".to_owned()),
            prefecture_code: Some(code),
            municipality: Some(town.to_owned()),
            latitude_e6: None,
            longitude_e6: None,
        }
    }

    #[test]
    fn towns_gather_trainings_and_groups() {
        let rows = vec![
            row("training", "held", "basic", "2012-05-12", 1, "札幌市"),
            row("training", "held", "lecture", "2013-05-12", 1, "札幌市"),
            row("training", "cancelled", "basic", "2013-06-12", 1, "札幌市"),
            row("group", "active", "", "2012-07-15", 1, "札幌市"),
            row("group", "ended", "", "2012-07-15", 47, "那覇市"),
            row("training", "held", "basic", "2013-01-12", 15, "新潟市"),
        ];
        let all = towns(&rows, None, None);
        assert_eq!(all.len(), 2, "Naha's group has ended");
        assert_eq!((all[0].trainings, all[0].groups), (2, 1));
        let in_2012 = towns(&rows, Some(2012), None);
        assert_eq!(in_2012.len(), 1);
        assert_eq!((in_2012[0].trainings, in_2012[0].groups), (1, 1));
        let lectures = towns(&rows, None, Some(TrainingKind::Lecture));
        assert_eq!(lectures.iter().map(|t| t.trainings).sum::<usize>(), 1);
    }
}
