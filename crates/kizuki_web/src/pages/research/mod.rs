//! The researchers' KJ-method workspace: projects (`projects`) and transcripts with their cards
//! (`transcripts`). A project answers only its members; others get "not found".

pub mod projects;
pub mod transcripts;

use kizuki_store::QdaProject;

use crate::error::AppError;
use crate::state::AppState;

pub fn id_of(id: &str) -> Result<i64, AppError> {
    id.parse().map_err(|_| AppError::NotFound)
}

pub async fn project(state: &AppState, id: &str, user: i64) -> Result<QdaProject, AppError> {
    Ok(state.store().qda_project_for(id_of(id)?, user).await?)
}
