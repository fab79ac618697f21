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

pub use crate::qda::{id_of, project, transcript, viewed_transcript};
