//! The cookies Kizuki sets. All are `HttpOnly` and `SameSite=Lax`; `Secure` follows
//! [`CookieSecure`](crate::CookieSecure).

use axum::http::HeaderMap;
use axum::http::header::COOKIE;
use cookie::{Cookie, SameSite};

pub const SESSION: &str = "kizuki_session";
pub const CSRF: &str = "kizuki_csrf";
pub const LANG: &str = "kizuki_lang";
pub const FLASH: &str = "kizuki_flash";

/// Reads one cookie from the request headers.
pub fn read(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse_encoded)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == name)
        .map(|cookie| cookie.value().to_owned())
}

/// A `Set-Cookie` value. `max_age_seconds: None` makes a cookie that ends with the browser
/// session; `Some(0)` deletes it.
pub fn build(name: &str, value: &str, secure: bool, max_age_seconds: Option<i64>) -> String {
    let mut cookie = Cookie::build((name.to_owned(), value.to_owned()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .build();
    if let Some(seconds) = max_age_seconds {
        cookie.set_max_age(cookie::time::Duration::seconds(seconds));
    }
    cookie.encoded().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn reads_one_cookie_among_several() {
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, HeaderValue::from_static("a=1; kizuki_lang=en; b=2"));
        assert_eq!(read(&headers, LANG).as_deref(), Some("en"));
        assert_eq!(read(&headers, SESSION), None);
    }

    #[test]
    fn built_cookies_are_http_only_and_lax() {
        let header = build(SESSION, "kzs_x", true, None);
        assert!(header.contains("HttpOnly"));
        assert!(header.contains("SameSite=Lax"));
        assert!(header.contains("Secure"));
        assert!(header.contains("Path=/"));
        assert!(!build(SESSION, "x", false, Some(0)).contains("Secure"));
    }
}
