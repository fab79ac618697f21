//! `TestApp`: the single entry point for fixtures.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use kizuki_domain::{EmailAddress, Role, Timestamp, password};
use kizuki_store::{NewUser, Store};
use kizuki_web::{AppState, CookieSecure, WebConfig, build_router};
use reqwest::redirect::Policy;

pub const PASSWORD: &str = "a long test password";

/// A database made for one test: a SQLite file in a temporary folder, or a new database on the
/// PostgreSQL server named by the environment.
pub struct TestDatabase {
    pub url: String,
    folder: Option<PathBuf>,
}

impl TestDatabase {
    pub async fn create() -> TestDatabase {
        let unique = format!("{:016x}", rand::random::<u64>());
        let server = std::env::var("KIZUKI_TEST_DATABASE_URL")
            .or_else(|_| std::env::var("DATABASE_URL"))
            .ok()
            .filter(|url| url.starts_with("postgres"));
        match server {
            Some(server_url) => {
                let name = format!("kizuki_test_{unique}");
                kizuki_store::create_postgres_database(&server_url, &name)
                    .await
                    .expect("create a test database");
                let (base, _) = server_url
                    .rsplit_once('/')
                    .expect("a database URL with a path");
                TestDatabase {
                    url: format!("{base}/{name}"),
                    folder: None,
                }
            }
            None => {
                let folder = std::env::temp_dir().join(format!("kizuki-test-{unique}"));
                let url = format!("sqlite://{}", folder.join("kizuki.db").display());
                TestDatabase {
                    url,
                    folder: Some(folder),
                }
            }
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.url.starts_with("postgres")
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(folder) = &self.folder {
            let _ = std::fs::remove_dir_all(folder);
        }
        // PostgreSQL test databases are dropped by scripts/test after the run: dropping needs
        // every connection closed, which a synchronous Drop cannot wait for.
    }
}

pub struct TestAppBuilder {
    config: WebConfig,
    users: Vec<(String, Role)>,
    demo: bool,
}

impl TestAppBuilder {
    pub fn trust_proxy(mut self) -> Self {
        self.config.trust_proxy = true;
        self
    }

    pub fn cookie_secure(mut self, setting: CookieSecure) -> Self {
        self.config.cookie_secure = setting;
        self
    }

    /// An active account with [`PASSWORD`].
    pub fn user(mut self, email: &str, role: Role) -> Self {
        self.users.push((email.to_owned(), role));
        self
    }

    /// Fills the database with the demo data, through the `kizuki demo` command itself.
    pub fn demo(mut self) -> Self {
        self.demo = true;
        self
    }

    pub async fn build(self) -> TestApp {
        let database = Arc::new(TestDatabase::create().await);
        let store = Store::open(&database.url)
            .await
            .expect("open the test database");
        store.migrate().await.expect("migrate the test database");
        if self.demo {
            let output = std::process::Command::new(env!("CARGO_BIN_EXE_kizuki"))
                .args(["--database", &database.url, "demo"])
                .env("KIZUKI_LOG", "warn")
                .output()
                .expect("run kizuki demo");
            assert!(
                output.status.success(),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let clock = Arc::new(AtomicI64::new(1_800_000_000));
        let app = TestApp {
            database,
            store,
            clock,
            config: self.config,
            servers: Vec::new(),
        }
        .start_server()
        .await;
        for (email, role) in self.users {
            app.create_user(&email, role).await;
        }
        app
    }
}

pub struct TestApp {
    pub database: Arc<TestDatabase>,
    pub store: Store,
    clock: Arc<AtomicI64>,
    config: WebConfig,
    servers: Vec<SocketAddr>,
}

impl TestApp {
    pub fn builder() -> TestAppBuilder {
        TestAppBuilder {
            config: WebConfig::default(),
            users: Vec::new(),
            demo: false,
        }
    }

    pub async fn new() -> TestApp {
        Self::builder().build().await
    }

    /// Starts one more server process-equivalent on the same database: its own state, its own
    /// port, nothing shared but the database.
    pub async fn start_server(mut self) -> TestApp {
        let clock = Arc::clone(&self.clock);
        let state = AppState::with_clock(
            self.store.clone(),
            self.config.clone(),
            Arc::new(move || Timestamp(clock.load(Ordering::SeqCst))),
        )
        .await
        .expect("build the app state");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("local address");
        tokio::spawn(async move {
            axum::serve(
                listener,
                build_router(state).into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .expect("serve");
        });
        self.servers.push(address);
        self
    }

    pub fn base_url(&self) -> String {
        self.server_url(0)
    }

    pub fn server_url(&self, index: usize) -> String {
        format!("http://{}", self.servers[index])
    }

    /// A new browser: its own cookie jar, redirects not followed so tests can see them.
    pub fn visitor(&self) -> Visitor {
        self.visitor_on(0)
    }

    pub fn visitor_on(&self, server: usize) -> Visitor {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .expect("client");
        Visitor {
            client,
            base: self.server_url(server),
        }
    }

    pub fn advance_clock(&self, seconds: i64) {
        self.clock.fetch_add(seconds, Ordering::SeqCst);
    }

    pub fn now(&self) -> Timestamp {
        Timestamp(self.clock.load(Ordering::SeqCst))
    }

    pub async fn create_user(&self, email: &str, role: Role) -> i64 {
        let hash = password::hash(PASSWORD, &[9; password::SALT_LENGTH]).expect("hash");
        let email = EmailAddress::parse(email).expect("email");
        self.store
            .create_user(NewUser {
                email: &email,
                display_name: &format!("テスト {}", role.as_str()),
                role,
                password_hash: Some(&hash),
                now: self.now(),
            })
            .await
            .expect("create user")
    }

    /// A visitor already signed in as `email`.
    pub async fn signed_in(&self, email: &str) -> Visitor {
        let visitor = self.visitor();
        let response = visitor.sign_in(email, PASSWORD).await;
        assert_eq!(response.status(), 303, "sign-in of {email} should succeed");
        visitor
    }
}

pub struct Visitor {
    pub client: reqwest::Client,
    pub base: String,
}

impl Visitor {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn get_text(&self, path: &str) -> String {
        self.get(path).await.text().await.expect("body")
    }

    /// The CSRF token of the forms on `page` (fetching it also sets the CSRF cookie).
    pub async fn csrf_token(&self, page: &str) -> String {
        let html = self.get_text(page).await;
        form_value(&html, "csrf_token").unwrap_or_else(|| panic!("no csrf_token on {page}"))
    }

    /// Posts a form the way a browser would: with the token from `page`.
    pub async fn submit(
        &self,
        page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let token = self.csrf_token(page).await;
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf_token", &token));
        self.post_form(action, &all).await
    }

    /// Posts exactly these fields, nothing added.
    pub async fn post_form(&self, action: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(action))
            .form(fields)
            .send()
            .await
            .expect("POST")
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> reqwest::Response {
        self.submit(
            "/login",
            "/login",
            &[("email", email), ("password", password)],
        )
        .await
    }
}

/// The `value` of the first `<input name=NAME>` in a page.
pub fn form_value(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].replace("&#38;", "&"))
}

pub fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

pub fn set_cookies(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok().map(str::to_owned))
        .collect()
}

pub fn text(lang: kizuki_i18n::Lang, key: &str) -> String {
    html_escape(kizuki_i18n::text(lang, key))
}

/// Askama escapes what templates print; compare against the escaped form.
pub fn html_escape(text: &str) -> String {
    text.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

/// The first secret with this prefix (`kzk_`, `kzi_`) shown on a page.
pub fn find_secret(html: &str, prefix: &str) -> String {
    let start = html
        .find(prefix)
        .unwrap_or_else(|| panic!("no {prefix} secret on the page"));
    html[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect()
}
