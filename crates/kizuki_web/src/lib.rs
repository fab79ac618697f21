//! HTTP: the route table with each route's permission, server-rendered pages in Japanese and
//! English, the JSON API, and the security baseline (CSRF, headers, cookies, throttling).
//!
//! Handlers stay thin: they read a request, call the store and the domain, and pick a view.

mod api;
mod assets;
mod charts;
pub mod clock;
mod config;
mod confirm;
mod context;
mod cookies;
mod csrf;
mod download;
mod error;
mod form_errors;
mod format;
mod forms;
mod group_mail;
mod guide;
mod headers;
mod ical;
mod import;
pub mod jobs;
pub mod mail;
mod markdown;
mod microcache;
mod pages;
mod png;
mod qda;
mod qda_board;
pub mod qda_exchange;
mod questionnaire;
mod rate;
mod registration;
mod routes;
pub mod server;
mod state;
mod structured;
mod views;

pub use clock::{Clock, system_clock, system_now};
pub use config::{CookieSecure, WebConfig};
pub use import::{ImportFailure, import_events_csv};
pub use pages::catalogue::contact::KEEP_DAYS as MESSAGE_KEEP_DAYS;
pub use pages::catalogue::today;
pub use rate::APPLICATIONS_PER_CLIENT_PER_HOLD;
pub use routes::{RouteSpec, build_router, route_specs};
pub use state::AppState;
