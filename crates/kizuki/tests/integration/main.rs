// Test helpers panic on purpose: a failed fixture should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

//! The one integration-test binary. Every test drives the real router over real HTTP against a
//! freshly migrated database: SQLite always, PostgreSQL when `DATABASE_URL` (or
//! `KIZUKI_TEST_DATABASE_URL`) points at a server. Start with [`support::TestApp`].

mod admin;
mod anonymity;
mod api;
mod api_catalogue;
mod auth;
mod catalogue;
mod cli;
mod contacts;
mod dashboard;
mod enrolment;
mod form_errors;
mod hostile;
mod import;
mod jobs;
mod manage;
mod pages;
mod processes;
mod qda;
mod qda_exchange;
mod qda_parts;
mod questionnaires;
mod registration;
mod roles;
mod routes;
mod support;
