//! The public catalogue: trainings, study groups, venues, the map and statistics.

pub mod contact;
pub mod feeds;
pub mod groups;
pub mod map;
pub mod statistics;
pub mod trainings;
pub mod venues;

use jiff::civil::Date;
use kizuki_domain::catalogue::{AccessibilityFeature, GroupStatus, TrainingKind, TrainingStatus};
use kizuki_domain::recurrence::{Change, Meeting, meetings};
use kizuki_geo::Region;
use kizuki_i18n::Lang;
use kizuki_store::{StudyGroup, Training, Venue, When};
use serde::Deserialize;

use crate::error::AppError;
use crate::format::{self, Localized};
use crate::state::AppState;

pub use crate::catalogue::{Area, public_group, public_training, today};

pub const PAGE_SIZE: i64 = 20;

/// The query string of the list pages; every field is optional and read leniently, so an odd
/// link shows an unfiltered list rather than an error.
#[derive(Deserialize, Default, Clone)]
pub struct ListQuery {
    #[serde(default)]
    pub area: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub month: String,
    #[serde(default)]
    pub online: String,
    #[serde(default)]
    pub when: String,
    #[serde(default)]
    pub page: String,
    #[serde(default)]
    pub town: String,
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub q: String,
}

pub struct Filters {
    pub area: Area,
    pub kind: Option<TrainingKind>,
    pub month: Option<(i16, i8)>,
    pub year: Option<i16>,
    pub online: bool,
    pub when: When,
    pub page: i64,
    pub town: Option<String>,
    /// Words to look for in titles.
    pub text: Option<String>,
}

impl Filters {
    pub fn parse(query: &ListQuery) -> Filters {
        let month = query
            .month
            .trim()
            .split_once('-')
            .and_then(|(year, month)| {
                let year: i16 = year.parse().ok()?;
                let month: i8 = month.parse().ok()?;
                ((1990..=2200).contains(&year) && (1..=12).contains(&month))
                    .then_some((year, month))
            });
        Filters {
            area: Area::parse(&query.area),
            kind: query.kind.parse().ok(),
            month,
            year: query
                .year
                .trim()
                .parse()
                .ok()
                .filter(|year| (1990..=2200).contains(year)),
            online: matches!(query.online.as_str(), "1" | "on" | "true"),
            when: match query.when.as_str() {
                "past" => When::Past,
                "all" => When::All,
                _ => When::Upcoming,
            },
            page: query
                .page
                .trim()
                .parse()
                .ok()
                .filter(|page| (1..=10_000).contains(page))
                .unwrap_or(1),
            town: Some(kizuki_domain::text::normalize_line(&query.town))
                .filter(|town| !town.is_empty()),
            text: Some(kizuki_domain::text::normalize_line(&query.q))
                .filter(|text| !text.is_empty())
                .map(|text| text.chars().take(100).collect()),
        }
    }

    pub fn offset(&self) -> i64 {
        (self.page - 1) * PAGE_SIZE
    }

    /// The query string for these filters on another page (for pagination links).
    pub fn query_for_page(&self, page: i64) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if self.area != Area::All {
            pairs.push(("area", self.area.value()));
        }
        if let Some(kind) = self.kind {
            pairs.push(("kind", kind.as_str().to_owned()));
        }
        if let Some((year, month)) = self.month {
            pairs.push(("month", format!("{year:04}-{month:02}")));
        }
        if let Some(year) = self.year {
            pairs.push(("year", year.to_string()));
        }
        if self.online {
            pairs.push(("online", "1".to_owned()));
        }
        match self.when {
            When::Past => pairs.push(("when", "past".to_owned())),
            When::All => pairs.push(("when", "all".to_owned())),
            When::Upcoming => {}
        }
        if let Some(town) = &self.town {
            pairs.push(("town", town.clone()));
        }
        if let Some(text) = &self.text {
            pairs.push(("q", text.clone()));
        }
        if page > 1 {
            pairs.push(("page", page.to_string()));
        }
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    }

    pub fn month_value(&self) -> String {
        self.month
            .map(|(year, month)| format!("{year:04}-{month:02}"))
            .unwrap_or_default()
    }
}

/// One choice in the area menu; regions head groups of prefectures.
pub struct AreaChoice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct AreaGroup {
    pub label: String,
    pub region: AreaChoice,
    pub prefectures: Vec<AreaChoice>,
}

pub fn area_groups(lang: Lang, selected: Area) -> Vec<AreaGroup> {
    Region::ALL
        .iter()
        .map(|region| {
            let label = kizuki_i18n::text(lang, &format!("region.{}", region.slug())).to_owned();
            AreaGroup {
                region: AreaChoice {
                    value: region.slug().to_owned(),
                    label: kizuki_i18n::format(
                        lang,
                        "catalogue.filter.whole_region",
                        &[("region", &label)],
                    ),
                    selected: selected == Area::Region(*region),
                },
                prefectures: region
                    .prefectures()
                    .map(|prefecture| AreaChoice {
                        value: prefecture.code_text(),
                        label: format::prefecture_name(lang, prefecture.code),
                        selected: selected == Area::Prefecture(prefecture.code),
                    })
                    .collect(),
                label,
            }
        })
        .collect()
}

pub struct KindChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

pub fn kind_choices(lang: Lang, selected: Option<TrainingKind>) -> Vec<KindChoice> {
    TrainingKind::ALL
        .iter()
        .map(|kind| KindChoice {
            value: kind.as_str(),
            label: kind_label(lang, *kind),
            selected: selected == Some(*kind),
        })
        .collect()
}

pub fn kind_label(lang: Lang, kind: TrainingKind) -> &'static str {
    kizuki_i18n::text(lang, &format!("kind.{}", kind.as_str()))
}

pub fn status_label(lang: Lang, status: TrainingStatus) -> &'static str {
    kizuki_i18n::text(lang, &format!("training_status.{}", status.as_str()))
}

pub fn group_status_label(lang: Lang, status: GroupStatus) -> &'static str {
    kizuki_i18n::text(lang, &format!("group_status.{}", status.as_str()))
}

pub fn feature_label(lang: Lang, feature: AccessibilityFeature) -> &'static str {
    kizuki_i18n::text(lang, &format!("accessibility.{}", feature.as_str()))
}

/// Page links for a list.
pub struct Pagination {
    pub page: i64,
    pub pages: i64,
    pub total: i64,
    pub previous: Option<String>,
    pub next: Option<String>,
}

impl Pagination {
    pub fn new(base: &str, filters: &Filters, total: i64) -> Pagination {
        let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
        let link = |page: i64| {
            let query = filters.query_for_page(page);
            if query.is_empty() {
                base.to_owned()
            } else {
                format!("{base}?{query}")
            }
        };
        Pagination {
            page: filters.page,
            pages,
            total,
            previous: (filters.page > 1).then(|| link(filters.page - 1)),
            next: (filters.page < pages).then(|| link(filters.page + 1)),
        }
    }
}

/// Where something happens, in words: "札幌市（北海道）" or "オンライン".
pub fn place_words(lang: Lang, venue: Option<&Venue>) -> String {
    match venue {
        None => kizuki_i18n::text(lang, "catalogue.place_unknown").to_owned(),
        Some(venue) if venue.is_online => kizuki_i18n::text(lang, "catalogue.online").to_owned(),
        Some(venue) => {
            let prefecture = venue
                .prefecture_code
                .map(|code| format::prefecture_name(lang, code))
                .unwrap_or_default();
            match lang {
                Lang::Ja => format!("{}{}", prefecture, venue.municipality),
                Lang::En if venue.municipality.is_empty() => prefecture,
                Lang::En => format!(
                    "{}, {prefecture}",
                    venue.prefecture_code.map_or_else(
                        || venue.municipality.clone(),
                        |code| format::municipality_name(lang, code, &venue.municipality)
                    )
                ),
            }
        }
    }
}

pub struct TrainingCard {
    pub href: String,
    pub title: Localized,
    pub kind: &'static str,
    pub status: &'static str,
    pub status_class: &'static str,
    pub dates: String,
    pub place: String,
    pub venue_name: Localized,
    /// Taking applications with every seat taken: the card says 満席.
    pub full: bool,
}

/// Cards for a page of trainings, those taking applications with no seat left marked full.
pub async fn training_cards(
    state: &AppState,
    lang: Lang,
    trainings: &[Training],
) -> Result<Vec<TrainingCard>, AppError> {
    let open: Vec<i64> = trainings
        .iter()
        .filter(|t| t.status == TrainingStatus::ApplicationOpen)
        .map(|t| t.id)
        .collect();
    let full = state.store().full_trainings(&open, state.now()).await?;
    Ok(trainings
        .iter()
        .map(|training| TrainingCard {
            full: full.contains(&training.id),
            ..training_card(lang, training)
        })
        .collect())
}

pub fn training_card(lang: Lang, training: &Training) -> TrainingCard {
    TrainingCard {
        full: false,
        href: lang.localize(&format!("/trainings/{}", training.id)),
        title: Localized::pick(lang, &training.title, &training.title_en),
        kind: kind_label(lang, training.kind),
        status: status_label(lang, training.status),
        status_class: training.status.as_str(),
        dates: format::training_dates(lang, training),
        place: place_words(lang, training.venue.as_ref()),
        // An online venue's name ("Zoom") says no more than "online" already does.
        venue_name: training
            .venue
            .as_ref()
            .filter(|venue| !venue.is_online)
            .map_or_else(
                || Localized::pick(lang, "", ""),
                |venue| Localized::pick(lang, &venue.name, &venue.name_en),
            ),
    }
}

pub struct GroupCard {
    pub href: String,
    pub name: Localized,
    pub schedule: String,
    pub status: &'static str,
    pub status_class: &'static str,
    pub place: String,
    pub next_meeting: Option<String>,
}

/// The next meetings of a group from `today`, changes applied.
pub fn upcoming_meetings(group: &StudyGroup, today: Date, days_ahead: i64) -> Vec<Meeting> {
    if group.status != GroupStatus::Active {
        return Vec::new();
    }
    let until = today
        .checked_add(jiff::Span::new().days(days_ahead))
        .unwrap_or(today);
    let changes: Vec<(Date, Change)> = group
        .changes
        .iter()
        .map(|c| (c.original_on, c.change))
        .collect();
    meetings(
        &group.recurrence,
        group.first_meeting_on,
        today,
        until,
        &changes,
    )
}

pub fn schedule_words(lang: Lang, group: &StudyGroup) -> String {
    match lang {
        Lang::Ja => group.recurrence.describe_ja(),
        Lang::En => group.recurrence.describe_en(),
    }
}

pub fn group_card(lang: Lang, group: &StudyGroup, today: Date) -> GroupCard {
    let next = upcoming_meetings(group, today, 120)
        .into_iter()
        .find(|meeting| !meeting.cancelled);
    GroupCard {
        href: lang.localize(&format!("/study-groups/{}", group.id)),
        name: Localized::pick(lang, &group.name, &group.name_en),
        schedule: schedule_words(lang, group),
        status: group_status_label(lang, group.status),
        status_class: group.status.as_str(),
        place: place_words(lang, group.venue.as_ref()),
        next_meeting: next.map(|meeting| {
            format!(
                "{} {}",
                format::date(lang, meeting.date),
                format::time_range(meeting.start, meeting.end)
            )
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas_are_read_leniently() {
        assert_eq!(Area::parse("13"), Area::Prefecture(13));
        assert_eq!(Area::parse("kanto"), Area::Region(Region::Kanto));
        assert_eq!(Area::parse("99"), Area::All);
        assert_eq!(Area::parse("<script>"), Area::All);
        assert_eq!(
            Area::Region(Region::Shikoku).prefecture_codes(),
            vec![36, 37, 38, 39]
        );
    }

    #[test]
    fn filters_survive_odd_input_and_round_trip() {
        let query = ListQuery {
            area: "kanto".into(),
            kind: "basic".into(),
            month: "2027-02".into(),
            online: "1".into(),
            when: "past".into(),
            page: "2".into(),
            town: "新宿区".into(),
            year: "abc".into(),
            q: "札幌".into(),
        };
        let filters = Filters::parse(&query);
        assert_eq!(filters.month, Some((2027, 2)));
        assert_eq!(filters.year, None);
        assert_eq!(filters.offset(), PAGE_SIZE);
        let again =
            Filters::parse(&serde_urlencoded::from_str(&filters.query_for_page(2)).unwrap());
        assert_eq!(again.query_for_page(2), filters.query_for_page(2));
        let odd = Filters::parse(&ListQuery {
            month: "2027-13".into(),
            page: "-4".into(),
            ..ListQuery::default()
        });
        assert_eq!((odd.month, odd.page), (None, 1));
    }
}
