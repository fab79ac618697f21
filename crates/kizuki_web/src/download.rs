//! Files people download: CSV in UTF-8 with a byte-order mark (so Excel opens Japanese
//! correctly), with cells a spreadsheet would run as formulas written as text.

use axum::http::HeaderValue;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use crate::error::AppError;

/// Marks a response as a file to save, with its type and name.
pub fn attachment(mut response: Response, content_type: &str, name: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(content_type) {
        response.headers_mut().insert(CONTENT_TYPE, value);
    }
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        response.headers_mut().insert(CONTENT_DISPOSITION, value);
    }
    response
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
    fn formulas_are_written_as_text() {
        assert_eq!(defuse("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(defuse("山田"), "山田");
    }
}
