//! The project's files that the pages and the API serve alike, each export written to the
//! project's access log: the project as QDPX, its groups as a QDC codebook, and the report
//! table as CSV, XLSX and Markdown, named after the project and the day.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use kizuki_store::QdaProject;

use crate::context::CurrentUser;
use crate::download;
use crate::error::AppError;
use crate::qda::project;
use crate::qda_exchange::{self, ExportFormat};
use crate::state::AppState;

async fn export(
    state: &AppState,
    id: &str,
    user: i64,
    format: ExportFormat,
) -> Result<Response, AppError> {
    let project = project(state, id, user).await?;
    let bytes = qda_exchange::export(state.store(), project.id, &project.name, format).await?;
    let file = format.file_name(&project.name, project.id, crate::today(state.now()));
    state
        .store()
        .log_qda_access(project.id, user, "export_project", &file, state.now())
        .await?;
    Ok(download::attachment(
        bytes.into_response(),
        format.content_type(),
        &file,
    ))
}

/// The whole project as a REFI-QDA project archive. Logged.
#[utoipa::path(get, path = "/api/v1/qda/projects/{id}/export.qdpx", tag = "qda",
    params(("id" = i64, Path, description = "Project id")),
    responses((status = 200, description = "QDPX (zip)")), security(("bearer" = [])))]
pub async fn export_qdpx(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    export(&state, &id, user.id, ExportFormat::Qdpx).await
}

/// The groups as a REFI-QDA codebook of nested codes. Logged.
#[utoipa::path(get, path = "/api/v1/qda/projects/{id}/codebook.qdc", tag = "qda",
    params(("id" = i64, Path, description = "Project id")),
    responses((status = 200, description = "QDC (XML)")), security(("bearer" = [])))]
pub async fn codebook_qdc(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    export(&state, &id, user.id, ExportFormat::Qdc).await
}

/// A project's report table for a member, with the export written to the access log.
pub async fn logged_table(
    state: &AppState,
    id: &str,
    user: i64,
    file: &str,
) -> Result<(QdaProject, Vec<Vec<String>>), AppError> {
    let project = project(state, id, user).await?;
    let table = crate::qda::table(state.store(), project.id).await?;
    state
        .store()
        .log_qda_access(project.id, user, "export_table", file, state.now())
        .await?;
    Ok((project, table))
}

/// The report table as CSV (UTF-8 with BOM): one row per card, with the labels of the groups
/// above it (CAT1 the top), the transcript, the speaker and the quote. Logged.
#[utoipa::path(get, path = "/api/v1/qda/projects/{id}/table.csv", tag = "qda",
    params(("id" = i64, Path, description = "Project id")),
    responses((status = 200, description = "CSV")), security(("bearer" = [])))]
pub async fn table_csv(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (project, table) = logged_table(&state, &id, user.id, "table.csv").await?;
    let file = download::project_file_name(
        &project.name,
        project.id,
        Some("table"),
        crate::today(state.now()),
        "csv",
    );
    download::csv(&table, &file)
}

/// The report table as XLSX, the same rows as the CSV. Logged.
#[utoipa::path(get, path = "/api/v1/qda/projects/{id}/table.xlsx", tag = "qda",
    params(("id" = i64, Path, description = "Project id")),
    responses((status = 200, description = "XLSX")), security(("bearer" = [])))]
pub async fn table_xlsx(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (project, table) = logged_table(&state, &id, user.id, "table.xlsx").await?;
    let file = download::project_file_name(
        &project.name,
        project.id,
        Some("table"),
        crate::today(state.now()),
        "xlsx",
    );
    download::xlsx(&table, &file)
}

/// The report table as Markdown, in the layout of the report's tables: a heading per category
/// and subcategory, and the quotes under them with their speaker and source.
pub async fn table_markdown(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (project, table) = logged_table(&state, &id, user.id, "table.md").await?;
    Ok(download::attachment(
        crate::qda::markdown(&project.name, &table).into_response(),
        "text/markdown; charset=utf-8",
        &download::project_file_name(
            &project.name,
            project.id,
            Some("table"),
            crate::today(state.now()),
            "md",
        ),
    ))
}
