//! The researchers' KJ-method workspace: projects (`projects`) and transcripts with their cards
//! (`transcripts`). A project answers only its members; others get "not found".

pub mod agreement;
pub mod board;
pub mod exchange;
pub mod projects;
pub mod report;
pub mod search;
pub mod transcript_edit;
pub mod transcripts;

use kizuki_store::{QdaProject, Transcript};

use crate::error::AppError;
use crate::state::AppState;

pub fn id_of(id: &str) -> Result<i64, AppError> {
    id.parse().map_err(|_| AppError::NotFound)
}

pub async fn project(state: &AppState, id: &str, user: i64) -> Result<QdaProject, AppError> {
    Ok(state.store().qda_project_for(id_of(id)?, user).await?)
}

/// A transcript and its project, for a member of that project; "not found" for anyone else.
pub async fn transcript(
    state: &AppState,
    id: &str,
    user: i64,
) -> Result<(Transcript, QdaProject), AppError> {
    let transcript = state.store().transcript(id_of(id)?).await?;
    let project = state
        .store()
        .qda_project_for(transcript.project_id, user)
        .await?;
    Ok((transcript, project))
}

/// [`transcript`], logged as a view of its content (`note` says from where).
pub async fn viewed_transcript(
    state: &AppState,
    id: &str,
    user: i64,
    note: &str,
) -> Result<(Transcript, QdaProject), AppError> {
    let (found, project) = transcript(state, id, user).await?;
    state
        .store()
        .log_qda_access(
            project.id,
            user,
            "view_transcript",
            &format!("transcript {}{note}", found.id),
            state.now(),
        )
        .await?;
    Ok((found, project))
}
