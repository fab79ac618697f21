//! CSV import of trainings and study groups.
//!
//! One file holds both, a row each, told apart by the `type` column. Headers may be written in
//! English or Japanese (`title` or `タイトル`), the file may be UTF-8 (with or without a byte
//! order mark) or Shift_JIS as Excel saves it in Japan. Reading is all or nothing: any mistake
//! anywhere means nothing is imported, and every mistake is reported with its line number.
//!
//! Columns (English / 日本語):
//!
//! | column | 列名 | for | meaning |
//! |---|---|---|---|
//! | type | 種別 | both | `training`/`研修会` or `study_group`/`勉強会` |
//! | title | タイトル | both | the training's title or the group's name |
//! | title_en | 英語タイトル | both | optional |
//! | kind | 種類 | training | basic, five_day, advanced, facilitator, lecture (or 基礎研修, 5日間研修, アドバンス研修, ファシリテーター養成研修, 講演会) |
//! | status | 状態 | both | training: draft, published, application_open, application_closed, held, cancelled (or 下書き, 公開, 受付中, 受付終了, 開催済み, 中止); group: active, paused, ended (活動中, 休止中, 活動終了). Default: published / active |
//! | dates | 日程 | training | days as YYYY-MM-DD, separated by `;`, `,` or `、` |
//! | start | 開始 | training | HH:MM, every day |
//! | end | 終了 | training | HH:MM, every day |
//! | schedule | 開催ルール | group | e.g. 毎月第2土曜 14:00-16:00 |
//! | first_meeting | 初回 | group | YYYY-MM-DD |
//! | venue | 会場 | both | venue name (matched to an existing venue, else added) |
//! | online | オンライン | both | yes/はい/1 for online |
//! | prefecture | 都道府県 | both | name or JIS code; required unless online |
//! | municipality | 市区町村 | both | e.g. 札幌市 |
//! | address | 住所 | both | optional |
//! | capacity | 定員 | training | optional number |
//! | fee | 参加費 | training | optional yen |
//! | attendance | 参加者数 | training | optional number |
//! | description | 説明 | both | optional Markdown |

use jiff::civil::{Date, Time};
use kizuki_domain::catalogue::{
    GroupStatus, TrainingDay, TrainingDraft, TrainingKind, TrainingStatus, check_training,
};
use kizuki_domain::recurrence::Recurrence;
use kizuki_domain::text;

/// A mistake in the file, at a line (1 is the header line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    pub online: bool,
    pub venue: String,
    pub prefecture_code: Option<u8>,
    pub municipality: String,
    pub address: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TrainingRow {
    pub line: usize,
    pub title: String,
    pub title_en: String,
    pub kind: TrainingKind,
    pub status: TrainingStatus,
    pub days: Vec<TrainingDay>,
    pub place: Option<Place>,
    pub capacity: Option<i64>,
    pub fee_yen: Option<i64>,
    pub attendance: Option<i64>,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GroupRow {
    pub line: usize,
    pub name: String,
    pub name_en: String,
    pub recurrence: Recurrence,
    pub first_meeting_on: Date,
    pub status: GroupStatus,
    pub place: Option<Place>,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum EventRow {
    Training(TrainingRow),
    Group(GroupRow),
}

const COLUMNS: [(&str, &[&str]); 19] = [
    ("type", &["種別", "区分"]),
    ("title", &["タイトル", "名称", "名前", "name"]),
    ("title_en", &["英語タイトル", "英語名", "name_en"]),
    ("kind", &["種類"]),
    ("status", &["状態"]),
    ("dates", &["日程", "開催日"]),
    ("start", &["開始", "開始時刻"]),
    ("end", &["終了", "終了時刻"]),
    ("schedule", &["開催ルール", "開催日時"]),
    ("first_meeting", &["初回", "初回日"]),
    ("venue", &["会場", "会場名"]),
    ("online", &["オンライン"]),
    ("prefecture", &["都道府県"]),
    ("municipality", &["市区町村"]),
    ("address", &["住所"]),
    ("capacity", &["定員"]),
    ("fee", &["参加費", "参加費（円）"]),
    ("attendance", &["参加者数"]),
    ("description", &["説明"]),
];

fn canonical(header: &str) -> Option<&'static str> {
    let header = header.trim().trim_start_matches('\u{feff}');
    COLUMNS.iter().find_map(|(name, aliases)| {
        (name.eq_ignore_ascii_case(header) || aliases.contains(&header)).then_some(*name)
    })
}

/// Bytes to text: UTF-8 (a leading byte order mark is dropped), else Shift_JIS.
fn decode(bytes: &[u8]) -> Result<String, ImportError> {
    let without_bom = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(without_bom) {
        return Ok(text.to_owned());
    }
    let (text, _, had_errors) = encoding_rs::SHIFT_JIS.decode(bytes);
    if had_errors {
        return Err(ImportError {
            line: 1,
            message: "the file is neither UTF-8 nor Shift_JIS text".to_owned(),
        });
    }
    Ok(text.into_owned())
}

struct Record<'a> {
    line: usize,
    columns: &'a [Option<&'static str>],
    values: &'a csv::StringRecord,
    errors: &'a mut Vec<ImportError>,
}

impl Record<'_> {
    fn get(&self, name: &str) -> String {
        self.columns
            .iter()
            .position(|column| *column == Some(name))
            .and_then(|index| self.values.get(index))
            .map(text::normalize)
            .unwrap_or_default()
    }

    fn fail(&mut self, column: &str, message: impl Into<String>) {
        self.errors.push(ImportError {
            line: self.line,
            message: format!("{column}: {}", message.into()),
        });
    }

    fn number(&mut self, column: &str) -> Option<i64> {
        let value: String = self
            .get(column)
            .chars()
            .filter(|c| *c != ',' && *c != '円')
            .collect();
        if value.is_empty() {
            return None;
        }
        value
            .parse()
            .inspect_err(|_| self.fail(column, format!("{value:?} is not a number")))
            .ok()
    }

    fn date(&mut self, column: &str, value: &str) -> Option<Date> {
        value
            .trim()
            .replace('/', "-")
            .parse::<Date>()
            .inspect_err(|_| self.fail(column, format!("{value:?} is not a date (YYYY-MM-DD)")))
            .ok()
    }

    fn time(&mut self, column: &str) -> Option<Time> {
        let value = self.get(column);
        Time::strptime("%H:%M", &value)
            .inspect_err(|_| self.fail(column, format!("{value:?} is not a time (HH:MM)")))
            .ok()
    }

    fn place(&mut self) -> Option<Place> {
        let venue = text::normalize_line(&self.get("venue"));
        let online = matches!(
            self.get("online").to_lowercase().as_str(),
            "yes" | "true" | "1" | "はい" | "○" | "オンライン"
        );
        let prefecture_text = self.get("prefecture");
        let municipality = text::normalize_line(&self.get("municipality"));
        if venue.is_empty() && prefecture_text.is_empty() && !online {
            return None;
        }
        let prefecture_code = if prefecture_text.is_empty() {
            if !online {
                self.fail(
                    "prefecture",
                    "a venue that is not online needs a prefecture",
                );
            }
            None
        } else {
            let found = kizuki_geo::prefecture_by_name(&prefecture_text).map(|p| p.code);
            if found.is_none() {
                self.fail(
                    "prefecture",
                    format!("{prefecture_text:?} is not a prefecture"),
                );
            }
            found
        };
        let venue = if venue.is_empty() {
            municipality.clone()
        } else {
            venue
        };
        Some(Place {
            online,
            venue,
            prefecture_code,
            municipality,
            address: text::normalize_line(&self.get("address")),
        })
    }
}

fn training_kind(text: &str) -> Option<TrainingKind> {
    text.parse().ok().or(match text {
        "基礎研修" | "基礎研修（2日間）" | "2日間研修" => Some(TrainingKind::Basic),
        "5日間研修" | "５日間研修" => Some(TrainingKind::FiveDay),
        "アドバンス研修" => Some(TrainingKind::Advanced),
        "ファシリテーター養成研修" => Some(TrainingKind::Facilitator),
        "講演会" => Some(TrainingKind::Lecture),
        _ => None,
    })
}

fn training_status(text: &str) -> Option<TrainingStatus> {
    if text.is_empty() {
        return Some(TrainingStatus::Published);
    }
    text.parse().ok().or(match text {
        "下書き" => Some(TrainingStatus::Draft),
        "公開" | "受付開始前" => Some(TrainingStatus::Published),
        "受付中" | "申し込み受付中" => Some(TrainingStatus::ApplicationOpen),
        "受付終了" => Some(TrainingStatus::ApplicationClosed),
        "開催済み" | "開催済" => Some(TrainingStatus::Held),
        "中止" => Some(TrainingStatus::Cancelled),
        _ => None,
    })
}

fn group_status(text: &str) -> Option<GroupStatus> {
    match text {
        "" | "active" | "活動中" => Some(GroupStatus::Active),
        "paused" | "休止中" => Some(GroupStatus::Paused),
        "ended" | "活動終了" | "終了" => Some(GroupStatus::Ended),
        _ => None,
    }
}

fn read_training(record: &mut Record<'_>) -> Option<EventRow> {
    let title = text::normalize_line(&record.get("title"));
    let kind_text = record.get("kind");
    let kind = training_kind(&kind_text);
    if kind.is_none() {
        record.fail("kind", format!("{kind_text:?} is not a kind of training"));
    }
    let status_text = record.get("status");
    let status = training_status(&status_text);
    if status.is_none() {
        record.fail(
            "status",
            format!("{status_text:?} is not a training status"),
        );
    }
    let start = record.time("start");
    let end = record.time("end");
    let dates_text = record.get("dates");
    let mut days = Vec::new();
    for part in dates_text
        .split([';', ',', '、', '，'])
        .map(str::trim)
        .filter(|part| !part.is_empty())
    {
        if let (Some(date), Some(start), Some(end)) = (record.date("dates", part), start, end) {
            days.push(TrainingDay { date, start, end });
        }
    }
    days.sort_by_key(|day| day.date);
    let capacity = record.number("capacity");
    let fee_yen = record.number("fee");
    let attendance = record.number("attendance");
    for problem in check_training(&TrainingDraft {
        title: &title,
        days: &days,
        capacity,
        fee_yen,
        applications_open: None,
        applications_close: None,
    }) {
        let message = match problem.message {
            "catalogue.error.title" => "give a title of 1 to 200 characters",
            "catalogue.error.no_days" => "give at least one date",
            "catalogue.error.day_times" => "end must be after start",
            "catalogue.error.duplicate_day" => "the same date is given twice",
            "catalogue.error.capacity" => "capacity must be between 1 and 10,000",
            "catalogue.error.fee" => "the fee cannot be negative",
            other => other,
        };
        record.fail(problem.field, message);
    }
    let place = record.place();
    Some(EventRow::Training(TrainingRow {
        line: record.line,
        title,
        title_en: text::normalize_line(&record.get("title_en")),
        kind: kind?,
        status: status?,
        days,
        place,
        capacity,
        fee_yen,
        attendance,
        description: record.get("description"),
    }))
}

fn read_group(record: &mut Record<'_>) -> Option<EventRow> {
    let name = text::normalize_line(&record.get("title"));
    if name.is_empty() {
        record.fail("title", "give the group a name");
    }
    let schedule = record.get("schedule");
    let recurrence = Recurrence::parse_words(&schedule)
        .inspect_err(|error| record.fail("schedule", error.to_string()))
        .ok();
    let first_text = record.get("first_meeting");
    let first = record.date("first_meeting", &first_text);
    let status_text = record.get("status");
    let status = group_status(&status_text);
    if status.is_none() {
        record.fail(
            "status",
            format!("{status_text:?} is not a study-group status"),
        );
    }
    let place = record.place();
    Some(EventRow::Group(GroupRow {
        line: record.line,
        name,
        name_en: text::normalize_line(&record.get("title_en")),
        recurrence: recurrence?,
        first_meeting_on: first?,
        status: status?,
        place,
        description: record.get("description"),
    }))
}

/// Reads the whole file. Either every row is good and all come back, or nothing does and every
/// mistake is listed.
pub fn parse_events_csv(bytes: &[u8]) -> Result<Vec<EventRow>, Vec<ImportError>> {
    let text = decode(bytes).map_err(|error| vec![error])?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|error| {
            vec![ImportError {
                line: 1,
                message: format!("cannot read the header line: {error}"),
            }]
        })?
        .clone();
    let columns: Vec<Option<&'static str>> = headers.iter().map(canonical).collect();
    let mut errors = Vec::new();
    for (header, column) in headers.iter().zip(&columns) {
        if column.is_none() && !header.trim().is_empty() {
            errors.push(ImportError {
                line: 1,
                message: format!("unknown column {header:?}"),
            });
        }
    }
    for required in ["type", "title"] {
        if !columns.contains(&Some(required)) {
            errors.push(ImportError {
                line: 1,
                message: format!("the column {required:?} is missing"),
            });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut rows = Vec::new();
    for result in reader.records() {
        let values = match result {
            Ok(values) => values,
            Err(error) => {
                let line = error
                    .position()
                    .map_or(0, |p| usize::try_from(p.line()).unwrap_or(0));
                errors.push(ImportError {
                    line,
                    message: format!("cannot read this line: {error}"),
                });
                continue;
            }
        };
        let line = values
            .position()
            .map_or(0, |p| usize::try_from(p.line()).unwrap_or(0));
        if values.iter().all(|value| value.trim().is_empty()) {
            continue;
        }
        let mut record = Record {
            line,
            columns: &columns,
            values: &values,
            errors: &mut errors,
        };
        let kind = record.get("type").to_lowercase();
        let row = match kind.as_str() {
            "training" | "研修会" | "研修" => read_training(&mut record),
            "study_group" | "study group" | "group" | "勉強会" => read_group(&mut record),
            other => {
                record.fail(
                    "type",
                    format!("{other:?} should be training/研修会 or study_group/勉強会"),
                );
                None
            }
        };
        rows.extend(row);
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push(ImportError {
            line: 2,
            message: "the file has no rows to import".to_owned(),
        });
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const GOOD: &str = include_str!("../../../tests/fixtures/events.csv");

    #[test]
    fn the_fixture_reads_with_japanese_headers() {
        let rows = parse_events_csv(GOOD.as_bytes()).expect("the fixture is valid");
        assert_eq!(rows.len(), 3);
        let EventRow::Training(training) = &rows[0] else {
            panic!("a training first")
        };
        assert_eq!(training.kind, TrainingKind::Basic);
        assert_eq!(training.days.len(), 2);
        assert_eq!(
            training.place.as_ref().map(|p| p.prefecture_code),
            Some(Some(32))
        );
        assert_eq!(training.fee_yen, Some(6000));
        let EventRow::Group(group) = &rows[2] else {
            panic!("a group last")
        };
        assert_eq!(group.recurrence.pattern.rrule(), "FREQ=MONTHLY;BYDAY=1SA");
    }

    #[test]
    fn every_mistake_is_reported_with_its_line_and_nothing_is_returned() {
        let bad = include_str!("../../../tests/fixtures/events-with-mistakes.csv");
        let errors = parse_events_csv(bad.as_bytes()).expect_err("mistakes");
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert!(
            lines.contains(&2) && lines.contains(&3) && lines.contains(&4),
            "{errors:?}"
        );
        assert!(errors.iter().any(|e| e.message.contains("kind")));
        assert!(errors.iter().any(|e| e.message.contains("prefecture")));
        assert!(errors.iter().any(|e| e.message.contains("schedule")));
    }

    #[test]
    fn shift_jis_files_from_excel_are_read() {
        let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(GOOD);
        assert_eq!(parse_events_csv(&bytes).map(|rows| rows.len()), Ok(3));
        let mut with_bom = b"\xEF\xBB\xBF".to_vec();
        with_bom.extend_from_slice(GOOD.as_bytes());
        assert_eq!(parse_events_csv(&with_bom).map(|rows| rows.len()), Ok(3));
    }

    #[test]
    fn headers_must_be_known() {
        let errors = parse_events_csv("type,title,colour\ntraining,x,red\n".as_bytes())
            .expect_err("unknown column");
        assert_eq!(
            errors[0],
            ImportError {
                line: 1,
                message: "unknown column \"colour\"".to_owned()
            }
        );
        assert!(parse_events_csv(b"").is_err());
        assert!(
            parse_events_csv("type,title\n".as_bytes()).is_err(),
            "no rows"
        );
    }

    proptest! {
        #[test]
        fn any_bytes_give_rows_or_errors_never_a_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = parse_events_csv(&bytes);
        }

        #[test]
        fn any_text_after_a_valid_header_is_handled(body in "[a-z0-9,;\"\\n 研修会勉強会:-]{0,300}") {
            let text = format!("type,title,kind,dates,start,end,prefecture\n{body}");
            if let Err(errors) = parse_events_csv(text.as_bytes()) {
                prop_assert!(errors.iter().all(|e| e.line >= 1));
            }
        }
    }
}
