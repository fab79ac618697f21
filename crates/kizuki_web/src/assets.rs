//! Stylesheet, script and icons, compiled into the binary so that a page never needs another
//! server. URLs carry a digest of the file (`/assets/kizuki.css?v=…`), so browsers may keep
//! them for a year and still see a new version at once.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

use crate::error::AppError;

#[derive(RustEmbed)]
#[folder = "$CARGO_MANIFEST_DIR/assets"]
struct Assets;

static VERSIONS: LazyLock<HashMap<String, String>> = LazyLock::new(|| {
    Assets::iter()
        .filter_map(|name| {
            let file = Assets::get(&name)?;
            let digest: String = file.metadata.sha256_hash()[..6]
                .iter()
                .map(|byte| format!("{byte:02x}"))
                .collect();
            Some((name.into_owned(), digest))
        })
        .collect()
});

/// The URL of an embedded asset, with its version.
pub fn url(name: &str) -> String {
    match VERSIONS.get(name) {
        Some(version) => format!("/assets/{name}?v={version}"),
        None => format!("/assets/{name}"),
    }
}

pub async fn serve(Path(name): Path<String>) -> Result<Response, AppError> {
    let file = Assets::get(&name).ok_or(AppError::NotFound)?;
    let mime = mime_guess::from_path(&name).first_or_octet_stream();
    Ok((
        [
            (CONTENT_TYPE, mime.as_ref().to_owned()),
            (
                CACHE_CONTROL,
                "public, max-age=31536000, immutable".to_owned(),
            ),
        ],
        file.data.into_owned(),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stylesheet_and_script_are_embedded_with_versions() {
        for name in ["kizuki.css", "kizuki.js", "icon.svg"] {
            assert!(Assets::get(name).is_some(), "{name}");
            assert!(url(name).contains("?v="), "{name}");
        }
    }
}
