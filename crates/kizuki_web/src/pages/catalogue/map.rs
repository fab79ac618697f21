//! The map of Japan: towns that held trainings and towns with study groups, drawn as SVG by the
//! server, with the same towns listed as text by prefecture.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use kizuki_domain::catalogue::{GroupStatus, TrainingKind};
use kizuki_geo::{
    LatLon, MapLabels, MapMarker, MarkerKind, Pin, PinKind, Place, Region, ViewLabels,
    ViewProjection, Viewport,
};
use kizuki_i18n::Lang;
use kizuki_store::PlaceRow;
use serde::Deserialize;

use super::{KindChoice, kind_choices};
use crate::context::RequestContext;
use crate::error::AppError;
use crate::format::{self, Localized};
use crate::microcache::cacheable;
use crate::state::AppState;
use crate::views::{self, Chrome};

#[derive(Deserialize, Default)]
pub struct MapQuery {
    #[serde(default)]
    year: String,
    #[serde(default)]
    kind: String,
    /// A region to zoom into, by its slug.
    #[serde(default)]
    region: String,
    /// A prefecture to zoom into, by its two-digit code.
    #[serde(default)]
    area: String,
    /// A town in that prefecture, to show what happens there and what is near.
    #[serde(default)]
    town: String,
}

struct MapFilters {
    year: Option<i16>,
    kind: Option<TrainingKind>,
}

/// Where the map looks: the whole country, a region, a prefecture, or a town in one.
#[derive(Clone, Debug, PartialEq)]
struct Focus {
    viewport: Viewport,
    town: Option<String>,
}

impl Focus {
    fn parse(query: &MapQuery) -> Focus {
        let area = query
            .area
            .trim()
            .parse::<u8>()
            .ok()
            .filter(|code| kizuki_geo::prefecture(*code).is_some());
        let town = kizuki_domain::text::normalize_line(&query.town);
        match area {
            Some(code) => Focus {
                viewport: Viewport::Prefecture(code),
                town: (!town.is_empty()).then_some(town),
            },
            None => Focus {
                viewport: Region::from_slug(query.region.trim())
                    .map_or(Viewport::Japan, Viewport::Region),
                town: None,
            },
        }
    }

    fn prefecture(&self) -> Option<u8> {
        match self.viewport {
            Viewport::Prefecture(code) => Some(code),
            _ => None,
        }
    }
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
        Lang::En => format!("{}, {prefecture}", short_name(lang, town)),
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
    /// The town's own view on the map: its trainings and groups together.
    pub href: String,
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

/// One step of the way back out: 日本全体 › 北海道地方 › 北海道.
pub struct ZoomStep {
    pub label: String,
    pub href: String,
    pub current: bool,
}

pub struct RegionChoices {
    pub label: String,
    pub prefectures: Vec<super::super::manage::Choice>,
}

pub struct PanelItem {
    pub title: Localized,
    pub href: String,
    pub when: String,
}

pub struct NearbyTown {
    pub name: String,
    pub href: String,
    pub distance: String,
    pub what: String,
}

/// What the page says about the town (or prefecture) chosen.
pub struct FocusPanel {
    pub heading: String,
    /// Set when the town has nothing recorded, or is not known.
    pub notice: Option<String>,
    pub trainings: Vec<PanelItem>,
    pub trainings_href: Option<String>,
    pub groups: Vec<PanelItem>,
    pub groups_href: Option<String>,
    /// The towns of the prefecture, for a prefecture without a town chosen.
    pub towns: Vec<TownLine>,
    pub nearby: Vec<NearbyTown>,
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
    pub zoom: Vec<ZoomStep>,
    pub regions: Vec<RegionChoices>,
    pub town_value: String,
    pub town_suggestions: Vec<String>,
    pub panel: Option<FocusPanel>,
    /// The filters, as hidden fields of the "near me" form.
    pub year_value: String,
    pub kind_value: String,
}

/// A town's name in the page's language: 「札幌市」, "Sapporo".
fn short_name(lang: Lang, town: &Town) -> String {
    format::municipality_name(lang, town.prefecture_code, &town.municipality)
}

fn map_href(lang: Lang, filters: &MapFilters, place: &[(&str, String)]) -> String {
    let mut pairs: Vec<(&str, String)> = place.to_vec();
    if let Some(year) = filters.year {
        pairs.push(("year", year.to_string()));
    }
    if let Some(kind) = filters.kind {
        pairs.push(("kind", kind.as_str().to_owned()));
    }
    let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    format!(
        "{}{}{query}",
        lang.localize("/map"),
        if query.is_empty() { "" } else { "?" }
    )
}

fn town_href(lang: Lang, filters: &MapFilters, code: u8, municipality: &str) -> String {
    map_href(
        lang,
        filters,
        &[
            ("area", format!("{code:02}")),
            ("town", municipality.to_owned()),
        ],
    )
}

fn region_of(code: u8) -> Option<Region> {
    kizuki_geo::prefecture(code).map(|p| p.region)
}

fn region_name(lang: Lang, region: Region) -> String {
    kizuki_i18n::format(
        lang,
        "map.region_name",
        &[(
            "region",
            kizuki_i18n::text(lang, &format!("region.{}", region.slug())),
        )],
    )
}

/// "研修会 2 回・勉強会 1 つ", leaving out what is none.
fn what_happened(lang: Lang, trainings: usize, groups: usize) -> String {
    let mut parts = Vec::new();
    if trainings > 0 {
        parts.push(kizuki_i18n::count(
            lang,
            "map.trainings_n",
            i64::try_from(trainings).unwrap_or(i64::MAX),
        ));
    }
    if groups > 0 {
        parts.push(kizuki_i18n::count(
            lang,
            "map.groups_n",
            i64::try_from(groups).unwrap_or(i64::MAX),
        ));
    }
    parts.join(kizuki_i18n::text(lang, "map.and"))
}

fn pins(
    lang: Lang,
    towns: &[Town],
    filters: &MapFilters,
    focus: &Focus,
    projection: &ViewProjection,
) -> Vec<Pin> {
    let places: Vec<Place> = towns
        .iter()
        .map(|town| Place {
            prefecture_code: town.prefecture_code,
            position: town.position,
            trainings: town.trainings,
            groups: town.groups,
        })
        .collect();
    let separator = kizuki_i18n::text(lang, "map.list_separator");
    let clusters = if focus.viewport == Viewport::Japan {
        by_region(&places, projection)
    } else {
        kizuki_geo::cluster(&places, projection)
    };
    let by_region = focus.viewport == Viewport::Japan;
    clusters
        .into_iter()
        .filter_map(|cluster| {
            let members: Vec<&Town> = cluster.members.iter().map(|&i| &towns[i]).collect();
            let first = *members.first()?;
            let trainings: usize = members.iter().map(|t| t.trainings).sum();
            let groups: usize = members.iter().map(|t| t.groups).sum();
            let names: Vec<String> = members.iter().map(|t| short_name(lang, t)).collect();
            let what = what_happened(lang, trainings, groups);
            let count = (trainings + groups).to_string();
            let (label, href, accessible_name) = if by_region {
                let region = region_of(first.prefecture_code)?;
                let label = kizuki_i18n::text(lang, &format!("region.{}", region.slug()));
                (
                    label.to_owned(),
                    map_href(lang, filters, &[("region", region.slug().to_owned())]),
                    kizuki_i18n::format(
                        lang,
                        "map.pin_region",
                        &[
                            ("label", label),
                            ("count", &count),
                            ("region", &region_name(lang, region)),
                            ("towns", &names.join(separator)),
                            ("what", &what),
                        ],
                    ),
                )
            } else if members.len() == 1 {
                (
                    names[0].clone(),
                    town_href(lang, filters, first.prefecture_code, &first.municipality),
                    kizuki_i18n::format(
                        lang,
                        "map.pin_town",
                        &[("label", &names[0]), ("count", &count), ("what", &what)],
                    ),
                )
            } else {
                let closer = match focus.viewport {
                    Viewport::Japan => region_of(first.prefecture_code).map(|region| {
                        map_href(lang, filters, &[("region", region.slug().to_owned())])
                    }),
                    Viewport::Region(_) => Some(map_href(
                        lang,
                        filters,
                        &[("area", format!("{:02}", first.prefecture_code))],
                    )),
                    Viewport::Prefecture(code) => Some(format!(
                        "{}#area-towns",
                        map_href(lang, filters, &[("area", format!("{code:02}"))])
                    )),
                };
                let label = kizuki_i18n::format(
                    lang,
                    "map.pin_more",
                    &[
                        ("town", &names[0]),
                        ("count", &(members.len() - 1).to_string()),
                    ],
                );
                let accessible = kizuki_i18n::format(
                    lang,
                    "map.pin_cluster",
                    &[
                        ("label", &label),
                        ("count", &count),
                        ("towns", &names.join(separator)),
                        ("what", &what),
                    ],
                );
                (label, closer.unwrap_or_default(), accessible)
            };
            let current = !by_region
                && members.len() == 1
                && focus.prefecture() == Some(first.prefecture_code)
                && focus.town.as_deref() == Some(first.municipality.as_str());
            Some(Pin {
                x: cluster.x,
                y: cluster.y,
                kind: PinKind::of(trainings, groups),
                count: trainings + groups,
                label,
                accessible_name,
                href,
                current,
            })
        })
        .collect()
}

/// The country's map has one pin per region, at the middle of its towns (moved aside where
/// two regions' pins would overlap), leading to that region's map.
fn by_region(places: &[Place], projection: &ViewProjection) -> Vec<kizuki_geo::Cluster> {
    let mut clusters: Vec<kizuki_geo::Cluster> = Vec::new();
    for region in Region::ALL {
        let members: Vec<usize> = (0..places.len())
            .filter(|&i| region_of(places[i].prefecture_code) == Some(region))
            .collect();
        if !members.is_empty() {
            clusters.push(kizuki_geo::Cluster::of(members, places, projection));
        }
    }
    let mut points: Vec<(f64, f64)> = clusters.iter().map(|c| (c.x, c.y)).collect();
    kizuki_geo::spread(&mut points, projection);
    for (cluster, (x, y)) in clusters.iter_mut().zip(points) {
        (cluster.x, cluster.y) = (x, y);
    }
    clusters
}

/// Great-circle distance in kilometres.
fn kilometres(a: LatLon, b: LatLon) -> f64 {
    let (lat1, lat2) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = lat2 - lat1;
    let dlon = (b.lon - a.lon).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

/// The towns with something on the map nearest to `from`, nearest first.
fn nearby(
    lang: Lang,
    towns: &[Town],
    filters: &MapFilters,
    from: LatLon,
    except: Option<(u8, &str)>,
    limit: usize,
) -> Vec<NearbyTown> {
    let mut found: Vec<(f64, &Town)> = towns
        .iter()
        .filter(|t| except != Some((t.prefecture_code, t.municipality.as_str())))
        .map(|t| (kilometres(from, t.position), t))
        .collect();
    found.sort_by(|a, b| a.0.total_cmp(&b.0));
    found
        .into_iter()
        .take(limit)
        .map(|(km, town)| NearbyTown {
            name: town_name(lang, town),
            href: town_href(lang, filters, town.prefecture_code, &town.municipality),
            distance: kizuki_i18n::format(
                lang,
                "map.distance",
                &[("km", &format!("{:.0}", km.max(1.0)))],
            ),
            what: what_happened(lang, town.trainings, town.groups),
        })
        .collect()
}

fn town_line(lang: Lang, filters: &MapFilters, town: &Town) -> TownLine {
    TownLine {
        name: short_name(lang, town),
        href: town_href(lang, filters, town.prefecture_code, &town.municipality),
        trainings: (town.trainings > 0).then(|| {
            (
                kizuki_i18n::count(
                    lang,
                    "map.trainings_n",
                    i64::try_from(town.trainings).unwrap_or(i64::MAX),
                ),
                list_href(lang, "/trainings", town, &[("when", "all".to_owned())]),
            )
        }),
        groups: (town.groups > 0).then(|| {
            (
                kizuki_i18n::count(
                    lang,
                    "map.groups_n",
                    i64::try_from(town.groups).unwrap_or(i64::MAX),
                ),
                list_href(lang, "/study-groups", town, &[]),
            )
        }),
    }
}

async fn focus_panel(
    state: &AppState,
    lang: Lang,
    towns: &[Town],
    filters: &MapFilters,
    focus: &Focus,
) -> Result<Option<FocusPanel>, AppError> {
    let Some(code) = focus.prefecture() else {
        return Ok(None);
    };
    let prefecture = format::prefecture_name(lang, code);
    let Some(municipality) = focus.town.as_deref() else {
        let in_prefecture: Vec<TownLine> = towns
            .iter()
            .filter(|t| t.prefecture_code == code)
            .map(|t| town_line(lang, filters, t))
            .collect();
        let nearby = if in_prefecture.is_empty() {
            kizuki_geo::locate(code, "")
                .map(|middle| nearby(lang, towns, filters, middle, None, 5))
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        return Ok(Some(FocusPanel {
            notice: in_prefecture
                .is_empty()
                .then(|| kizuki_i18n::text(lang, "map.nothing_in_prefecture").to_owned()),
            heading: prefecture,
            trainings: Vec::new(),
            trainings_href: None,
            groups: Vec::new(),
            groups_href: None,
            towns: in_prefecture,
            nearby,
        }));
    };
    let town = towns
        .iter()
        .find(|t| t.prefecture_code == code && t.municipality == municipality);
    let display = town.map_or_else(
        || format::municipality_name(lang, code, municipality),
        |t| short_name(lang, t),
    );
    let heading = kizuki_i18n::format(
        lang,
        "map.town_heading",
        &[("town", &display), ("prefecture", &prefecture)],
    );
    let position = town
        .map(|t| t.position)
        .or_else(|| kizuki_geo::municipality_position(code, municipality));
    let near = position
        .map(|from| nearby(lang, towns, filters, from, Some((code, municipality)), 4))
        .unwrap_or_default();
    let Some(town) = town else {
        let key = if position.is_some() {
            "map.nothing_in_town"
        } else {
            "map.unknown_town"
        };
        return Ok(Some(FocusPanel {
            heading,
            notice: Some(kizuki_i18n::format(lang, key, &[("town", municipality)])),
            trainings: Vec::new(),
            trainings_href: None,
            groups: Vec::new(),
            groups_href: None,
            towns: Vec::new(),
            nearby: near,
        }));
    };
    let (trainings, _) = state
        .store()
        .trainings(&kizuki_store::TrainingFilter {
            prefectures: vec![code],
            municipality: Some(town.municipality.clone()),
            when: kizuki_store::When::All,
            kind: filters.kind,
            year: filters.year,
            limit: 8,
            ..kizuki_store::TrainingFilter::default()
        })
        .await?;
    let (groups, _) = state
        .store()
        .study_groups(&kizuki_store::StudyGroupFilter {
            prefectures: vec![code],
            municipality: Some(town.municipality.clone()),
            statuses: vec![GroupStatus::Active, GroupStatus::Paused],
            limit: 8,
            ..kizuki_store::StudyGroupFilter::default()
        })
        .await?;
    Ok(Some(FocusPanel {
        heading,
        notice: None,
        trainings: trainings
            .iter()
            .map(|t| PanelItem {
                title: Localized::pick(lang, &t.title, &t.title_en),
                href: lang.localize(&format!("/trainings/{}", t.id)),
                when: format::training_dates(lang, t),
            })
            .collect(),
        trainings_href: (town.trainings > 0)
            .then(|| list_href(lang, "/trainings", town, &[("when", "all".to_owned())])),
        groups: groups
            .iter()
            .map(|g| PanelItem {
                title: Localized::pick(lang, &g.name, &g.name_en),
                href: lang.localize(&format!("/study-groups/{}", g.id)),
                when: super::schedule_words(lang, g),
            })
            .collect(),
        groups_href: (town.groups > 0).then(|| list_href(lang, "/study-groups", town, &[])),
        towns: Vec::new(),
        nearby: near,
    }))
}

fn zoom_steps(lang: Lang, filters: &MapFilters, focus: &Focus) -> Vec<ZoomStep> {
    let mut steps = vec![ZoomStep {
        label: kizuki_i18n::text(lang, "map.zoom_japan").to_owned(),
        href: map_href(lang, filters, &[]),
        current: focus.viewport == Viewport::Japan,
    }];
    let region = match focus.viewport {
        Viewport::Japan => None,
        Viewport::Region(region) => Some(region),
        Viewport::Prefecture(code) => region_of(code),
    };
    if let Some(region) = region {
        steps.push(ZoomStep {
            label: region_name(lang, region),
            href: map_href(lang, filters, &[("region", region.slug().to_owned())]),
            current: focus.viewport == Viewport::Region(region),
        });
    }
    if let Some(code) = focus.prefecture() {
        steps.push(ZoomStep {
            label: format::prefecture_name(lang, code),
            href: map_href(lang, filters, &[("area", format!("{code:02}"))]),
            current: focus.town.is_none(),
        });
    }
    steps
}

fn region_choices(lang: Lang, selected: Option<u8>) -> Vec<RegionChoices> {
    Region::ALL
        .into_iter()
        .map(|region| RegionChoices {
            label: kizuki_i18n::text(lang, &format!("region.{}", region.slug())).to_owned(),
            prefectures: region
                .prefectures()
                .map(|p| super::super::manage::Choice {
                    value: p.code_text(),
                    label: format::prefecture_name(lang, p.code),
                    selected: selected == Some(p.code),
                })
                .collect(),
        })
        .collect()
}

pub async fn show(
    State(state): State<AppState>,
    context: RequestContext,
    Query(query): Query<MapQuery>,
) -> Result<Response, AppError> {
    let lang = context.lang;
    let filters = MapFilters::parse(&query);
    let focus = Focus::parse(&query);
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
        if let Some(last) = prefectures.last_mut() {
            last.towns.push(town_line(lang, &filters, town));
        }
    }
    let query_text = filters.query();
    let download_href = format!(
        "{}{}{}",
        lang.localize("/map.svg"),
        if query_text.is_empty() { "" } else { "?" },
        query_text
    );
    let projection = ViewProjection::fit(focus.viewport);
    let t = |key: &str| kizuki_i18n::text(lang, key);
    let svg = kizuki_geo::render_view(
        &projection,
        &pins(lang, &towns, &filters, &focus, &projection),
        &ViewLabels {
            title: t("map.svg_title"),
            description: t("map.view_description"),
            lang: lang.tag(),
        },
        "japan-map",
    );
    let panel = focus_panel(&state, lang, &towns, &filters, &focus).await?;
    let mut town_suggestions: Vec<String> = towns
        .iter()
        .filter(|t| {
            focus
                .prefecture()
                .is_none_or(|code| code == t.prefecture_code)
        })
        .map(|t| t.municipality.clone())
        .collect();
    // The same name stands in several prefectures (府中市): offer it once.
    town_suggestions.sort_unstable();
    town_suggestions.dedup();
    Ok(cacheable(views::render(&MapView {
        page: Chrome::new(&state, &context, "map.title"),
        svg,
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
        zoom: zoom_steps(lang, &filters, &focus),
        regions: region_choices(lang, focus.prefecture()),
        town_value: focus.town.clone().unwrap_or_default(),
        town_suggestions,
        panel,
        year_value: filters.year.map(|y| y.to_string()).unwrap_or_default(),
        kind_value: filters
            .kind
            .map(|k| k.as_str().to_owned())
            .unwrap_or_default(),
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
