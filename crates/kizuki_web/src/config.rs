/// When the session and CSRF cookies carry the `Secure` attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum CookieSecure {
    /// Secure when the request arrived over https, as told by `X-Forwarded-Proto` from a trusted
    /// reverse proxy.
    #[default]
    Auto,
    Always,
    Never,
}

impl std::str::FromStr for CookieSecure {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "auto" => Ok(CookieSecure::Auto),
            "always" => Ok(CookieSecure::Always),
            "never" => Ok(CookieSecure::Never),
            other => Err(format!("expected auto, always or never, not {other:?}")),
        }
    }
}

#[derive(Clone, Debug)]
pub struct WebConfig {
    pub cookie_secure: CookieSecure,
    /// Believe `X-Forwarded-For` and `X-Forwarded-Proto`: set only behind a reverse proxy that
    /// overwrites them.
    pub trust_proxy: bool,
    /// Limits on the public endpoints that write (applications, messages to hosts).
    pub rate_limit: kizuki_domain::rate::RateLimit,
    /// The address people reach the site at, for links in mail (no trailing slash).
    pub public_url: String,
    /// The mail server, for mail sent at once rather than through the outbox.
    pub smtp: Option<crate::mail::SmtpSettings>,
    /// Keep anonymous visitors' public pages for a second (see `microcache`). Off only to
    /// measure or debug the pages as they are built.
    pub page_cache: bool,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            cookie_secure: CookieSecure::default(),
            trust_proxy: false,
            rate_limit: kizuki_domain::rate::RateLimit::default(),
            public_url: "http://127.0.0.1:8080".to_owned(),
            smtp: None,
            page_cache: true,
        }
    }
}
