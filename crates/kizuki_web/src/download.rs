//! Files people download: CSV in UTF-8 with a byte-order mark (so Excel opens Japanese
//! correctly), with cells a spreadsheet would run as formulas written as text.

use axum::http::HeaderValue;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use crate::error::AppError;

/// Marks a response as a file to save, with its type and name. A name with other than ASCII
/// letters (a project called 「A市グループインタビュー」) goes as RFC 6266's `filename*`, in UTF-8,
/// with an ASCII `filename` beside it for the rare program that reads only that.
pub fn attachment(mut response: Response, content_type: &str, name: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(content_type) {
        response.headers_mut().insert(CONTENT_TYPE, value);
    }
    if let Ok(value) = HeaderValue::from_str(&disposition(name)) {
        response.headers_mut().insert(CONTENT_DISPOSITION, value);
    }
    response
}

/// Characters a `filename*` value may hold as they are (RFC 8187's attr-char).
const NOT_ATTR_CHAR: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

fn disposition(name: &str) -> String {
    let plain = |c: char| c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ';
    if name.chars().all(plain) {
        return format!("attachment; filename=\"{name}\"");
    }
    let extension = name
        .rfind('.')
        .map(|at| &name[at..])
        .filter(|extension| extension.chars().all(plain))
        .unwrap_or("");
    let stem: String = name[..name.len() - extension.len()]
        .chars()
        .filter(|c| c.is_ascii() && plain(*c))
        .collect();
    let stem = stem.trim_matches(['-', '.', ' ']);
    let fallback = format!(
        "{}{extension}",
        if stem.is_empty() { "download" } else { stem }
    );
    format!(
        "attachment; filename=\"{fallback}\"; filename*=UTF-8''{}",
        percent_encoding::utf8_percent_encode(name, NOT_ATTR_CHAR)
    )
}

/// A project's file, named as people name them: 「A市グループインタビュー-2027-03-01.qdpx」, or with
/// what it holds (`-table`, `-diagram`) before the date. Characters no file system takes, and
/// spaces, are left out; a name with nothing left becomes `project-{id}`.
pub fn project_file_name(
    project_name: &str,
    project_id: i64,
    part: Option<&str>,
    today: jiff::civil::Date,
    extension: &str,
) -> String {
    let stem: String = project_name
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control() && !r#"/\\:*?"<>|"#.contains(*c))
        .take(60)
        .collect();
    let stem = if stem.trim_matches('.').is_empty() {
        format!("project-{project_id}")
    } else {
        stem
    };
    match part {
        Some(part) => format!("{stem}-{part}-{today}.{extension}"),
        None => format!("{stem}-{today}.{extension}"),
    }
}

/// Rows as a CSV file named `name`.
pub fn csv(rows: &[Vec<String>], name: &str) -> Result<Response, AppError> {
    Ok(attachment(
        csv_bytes(rows)?.into_response(),
        "text/csv; charset=utf-8",
        name,
    ))
}

/// Rows as CSV bytes.
pub fn csv_bytes(rows: &[Vec<String>]) -> Result<Vec<u8>, AppError> {
    let mut writer = csv::WriterBuilder::new().from_writer(Vec::from(*b"\xEF\xBB\xBF"));
    for row in rows {
        writer
            .write_record(row.iter().map(|cell| defuse(cell).into_owned()))
            .map_err(|error| AppError::Internal(error.to_string()))?;
    }
    writer
        .into_inner()
        .map_err(|error| AppError::Internal(error.to_string()))
}

/// Rows as an XLSX workbook named `name`, the first row bold and frozen.
pub fn xlsx(rows: &[Vec<String>], name: &str) -> Result<Response, AppError> {
    Ok(attachment(
        xlsx_bytes(rows)?.into_response(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        name,
    ))
}

/// Rows as XLSX bytes.
pub fn xlsx_bytes(rows: &[Vec<String>]) -> Result<Vec<u8>, AppError> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let fail = |error: rust_xlsxwriter::XlsxError| AppError::Internal(error.to_string());
    for (r, row) in rows.iter().enumerate() {
        let r = u32::try_from(r).unwrap_or(u32::MAX);
        for (c, value) in row.iter().enumerate() {
            let c = u16::try_from(c).unwrap_or(u16::MAX);
            if r == 0 {
                sheet
                    .write_string_with_format(r, c, value, &bold)
                    .map_err(fail)?;
            } else {
                sheet.write_string(r, c, value).map_err(fail)?;
            }
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(fail)?;
    workbook.save_to_buffer().map_err(fail)
}

/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) is written as text.
fn defuse(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_project_file_is_named_after_the_project_and_the_day() {
        let day = jiff::civil::date(2027, 3, 1);
        assert_eq!(
            project_file_name("A市 グループインタビュー", 4, None, day, "qdpx"),
            "A市グループインタビュー-2027-03-01.qdpx"
        );
        assert_eq!(
            project_file_name("a/b: c?", 4, Some("table"), day, "csv"),
            "abc-table-2027-03-01.csv"
        );
        assert_eq!(
            project_file_name(" / ", 4, None, day, "qdc"),
            "project-4-2027-03-01.qdc"
        );
        assert_eq!(
            disposition("A市-2027-03-01.qdpx"),
            "attachment; filename=\"A-2027-03-01.qdpx\"; filename*=UTF-8''A%E5%B8%82-2027-03-01.qdpx"
        );
        assert_eq!(
            disposition("table-4.csv"),
            "attachment; filename=\"table-4.csv\""
        );
        assert_eq!(
            disposition("研究.csv"),
            "attachment; filename=\"download.csv\"; filename*=UTF-8''%E7%A0%94%E7%A9%B6.csv"
        );
    }

    #[test]
    fn formulas_are_written_as_text() {
        assert_eq!(defuse("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(defuse("山田"), "山田");
    }
}
