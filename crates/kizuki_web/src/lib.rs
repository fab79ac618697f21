//! HTTP: the route table with each route's permission, server-rendered pages in Japanese and
//! English, the JSON API, and the security baseline (CSRF, headers, cookies, throttling).
//!
//! Handlers stay thin: they read a request, call the store and the domain, and pick a view.

mod api;
mod assets;
mod catalogue;
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
mod qda_agreement;
mod qda_board;
mod qda_downloads;
pub mod qda_exchange;
mod qda_search;
mod questionnaire;
mod rate;
mod registration;
mod routes;
pub mod server;
mod state;
mod structured;
mod views;

pub use catalogue::today;
pub use clock::{Clock, system_clock, system_now};
pub use config::{CookieSecure, WebConfig};
pub use import::{ImportFailure, import_events_csv};
pub use pages::catalogue::contact::KEEP_DAYS as MESSAGE_KEEP_DAYS;
pub use rate::APPLICATIONS_PER_CLIENT_PER_HOLD;
pub use routes::{RouteSpec, build_router, route_specs};
pub use state::AppState;

#[cfg(test)]
mod layering {
    use std::path::Path;

    /// Every `.rs` file under `folder`, with its text.
    fn sources(folder: &Path) -> Vec<(String, String)> {
        let mut found = Vec::new();
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                found.extend(sources(&path));
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                found.push((path.display().to_string(), text));
            }
        }
        found
    }

    fn naming(folder: &str, other: &str) -> Vec<String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("src")
            .join(folder);
        sources(&root)
            .into_iter()
            .filter(|(_, text)| text.contains(&format!("crate::{other}")))
            .map(|(path, _)| path)
            .collect()
    }

    // What both serve lives beside them (`qda`, `qda_board`, `qda_downloads`, `catalogue` …),
    // so that either can change without the other.
    #[test]
    fn the_api_and_the_pages_do_not_import_each_other() {
        assert_eq!(naming("api", "pages"), Vec::<String>::new());
        assert_eq!(naming("pages", "api"), Vec::<String>::new());
    }
}
