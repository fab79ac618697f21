//! The researchers' KJ-method workspace: projects (`projects`) and transcripts with their cards
//! (`transcripts`). A project answers only its members; others get "not found".

pub mod agreement;
pub mod board;
pub mod exchange;
pub mod members;
pub mod projects;
pub mod report;
pub mod search;
pub mod transcript_edit;
pub mod transcripts;

pub use crate::qda::{project, transcript, viewed_transcript};

use kizuki_store::QdaProject;

use crate::context::RequestContext;
use crate::state::AppState;
use crate::views::Chrome;

/// The frame of one of a project's pages, titled by `title_key` with the project's name as
/// `{project}`.
pub fn project_chrome(
    state: &AppState,
    context: &RequestContext,
    title_key: &str,
    project: &QdaProject,
) -> Chrome {
    let mut page = Chrome::new(state, context, title_key);
    page.title = kizuki_i18n::format(context.lang, title_key, &[("project", &project.name)]);
    page
}

/// The project's address in the page's language: the first of its parts, and the stem of the
/// others.
pub fn project_base(context: &RequestContext, project: i64) -> String {
    context.href(&format!("/research/projects/{project}"))
}
