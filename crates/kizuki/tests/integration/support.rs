//! `TestApp`: the single entry point for fixtures.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use kizuki_domain::{EmailAddress, Role, Timestamp, password};
use kizuki_store::{NewUser, Store};
use kizuki_web::{AppState, CookieSecure, WebConfig, build_router};
use reqwest::redirect::Policy;
use sqlx::{Column, Row};

pub const PASSWORD: &str = "a long test password";

/// Where every test's clock starts: 2027-01-15 08:00 UTC, a Friday (17:00 in Japan). Tests set
/// the time they run at, so that what they type as dates stays in the future of their clock
/// whatever the real date; the processes they start run on the same clock
/// ([`kizuki_command`]).
pub const TEST_CLOCK_START: i64 = 1_800_000_000;

/// The `kizuki` binary on this test database, its clock set to read `now` at this moment (and
/// then run on, second by second) by the debug build's clock shift.
pub fn kizuki_command(database: &TestDatabase, now: Timestamp) -> std::process::Command {
    let shift = now.seconds() - kizuki_web::clock::real_seconds();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_kizuki"));
    command
        .args(["--database", &database.url])
        .env(kizuki_web::clock::SHIFT_VARIABLE, shift.to_string())
        .env("KIZUKI_LOG", "warn")
        .env_remove("DATABASE_URL")
        .env_remove("RUST_BACKTRACE");
    command
}

/// A real `kizuki serve` process, stopped when dropped.
pub struct ServerProcess {
    child: std::process::Child,
    pub base: String,
}

impl ServerProcess {
    /// Stops the server as a deployment would (SIGTERM) and waits until it has finished.
    pub fn stop(&mut self) {
        let stopped = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(stopped.success(), "could not signal the server");
        let status = self.child.wait().expect("wait for the server");
        assert!(status.success(), "the server stopped with {status}");
    }

    /// Kills the server at once (SIGKILL): no shutdown, no flushing, as a power cut would.
    pub fn kill_now(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A database made for one test: a SQLite file in a temporary folder, or a new database on the
/// PostgreSQL server named by the environment.
pub struct TestDatabase {
    pub url: String,
    folder: Option<PathBuf>,
}

/// The database backend a test run is for. `scripts/test` names it in `KIZUKI_TEST_BACKEND`, so
/// that a pass meant for PostgreSQL cannot quietly run on SQLite because a variable was missing
/// or another one shadowed it; every test asserts it (see [`TestAppBuilder::build`]).
pub fn expected_backend() -> kizuki_store::Backend {
    match std::env::var("KIZUKI_TEST_BACKEND").as_deref() {
        Ok("postgres") => kizuki_store::Backend::Postgres,
        Ok("sqlite") => kizuki_store::Backend::Sqlite,
        Ok(other) => panic!("KIZUKI_TEST_BACKEND={other:?}: say sqlite or postgres"),
        Err(_) if postgres_server().is_some() => kizuki_store::Backend::Postgres,
        Err(_) => kizuki_store::Backend::Sqlite,
    }
}

/// The PostgreSQL server to make test databases on, from `KIZUKI_TEST_DATABASE_URL` or else
/// `DATABASE_URL` (whichever names a PostgreSQL server).
fn postgres_server() -> Option<String> {
    ["KIZUKI_TEST_DATABASE_URL", "DATABASE_URL"]
        .into_iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|url| url.starts_with("postgres"))
}

impl TestDatabase {
    pub async fn create() -> TestDatabase {
        let unique = format!("{:016x}", rand::random::<u64>());
        match expected_backend() {
            kizuki_store::Backend::Postgres => {
                let server_url = postgres_server().expect(
                    "KIZUKI_TEST_BACKEND=postgres needs KIZUKI_TEST_DATABASE_URL or DATABASE_URL \
                     naming a PostgreSQL server",
                );
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
            kizuki_store::Backend::Sqlite => {
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
    mail: bool,
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

    /// No per-address rate limits (for tests that send many requests from one address; the
    /// limits are tested on their own).
    pub fn no_rate_limit(mut self) -> Self {
        self.config.rate_limit = kizuki_domain::rate::RateLimit::Off;
        self
    }

    /// An active account with [`PASSWORD`].
    pub fn user(mut self, email: &str, role: Role) -> Self {
        self.users.push((email.to_owned(), role));
        self
    }

    /// Starts a real SMTP server (Python's aiosmtpd) and a mail sender talking to it.
    pub fn mail(mut self) -> Self {
        self.mail = true;
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
        assert_eq!(
            store.backend(),
            expected_backend(),
            "this test runs on the wrong database backend"
        );
        store.migrate().await.expect("migrate the test database");
        let clock = Arc::new(AtomicI64::new(TEST_CLOCK_START));
        if self.demo {
            let output = kizuki_command(&database, Timestamp(TEST_CLOCK_START))
                .arg("demo")
                .output()
                .expect("run kizuki demo");
            assert!(
                output.status.success(),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let smtp = self.mail.then(SmtpServer::start);
        let mut config = self.config;
        config.smtp = smtp.as_ref().map(|smtp| kizuki_web::mail::SmtpSettings {
            url: format!("smtp://127.0.0.1:{}", smtp.port),
            from: "Kizuki <kizuki@example.jp>".to_owned(),
        });
        let app = TestApp {
            database,
            store,
            clock,
            config,
            servers: Vec::new(),
            states: Vec::new(),
            smtp,
        }
        .start_server()
        .await;
        if let Some(smtp) = &app.smtp {
            let clock = Arc::clone(&app.clock);
            tokio::spawn(kizuki_web::mail::run_sender(
                app.store.clone(),
                kizuki_web::mail::SmtpSettings {
                    url: format!("smtp://127.0.0.1:{}", smtp.port),
                    from: "Kizuki <kizuki@example.jp>".to_owned(),
                },
                kizuki_web::mail::PrivateLinks::of(&app.states[0]),
                Arc::new(move || Timestamp(clock.load(Ordering::SeqCst))),
                std::time::Duration::from_millis(100),
            ));
        }
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
    states: Vec<AppState>,
    pub smtp: Option<SmtpServer>,
}

impl TestApp {
    pub fn builder() -> TestAppBuilder {
        TestAppBuilder {
            config: WebConfig::default(),
            users: Vec::new(),
            demo: false,
            mail: false,
        }
    }

    pub async fn new() -> TestApp {
        Self::builder().build().await
    }

    /// Starts one more server process-equivalent on the same database: its own state, its own
    /// port, nothing shared but the database.
    pub async fn start_server(mut self) -> TestApp {
        let clock = Arc::clone(&self.clock);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("local address");
        let mut config = self.config.clone();
        config.public_url = format!("http://{address}");
        let state = AppState::with_clock(
            self.store.clone(),
            config,
            Arc::new(move || Timestamp(clock.load(Ordering::SeqCst))),
        )
        .await
        .expect("build the app state");
        self.states.push(state.clone());
        tokio::spawn(kizuki_web::server::serve(
            listener,
            build_router(state),
            kizuki_web::server::Limits::default(),
            std::future::pending(),
        ));
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
        self.visitor_at(&self.server_url(server))
    }

    /// A new browser on another network address, as a server behind a proxy sees it (needs
    /// [`TestAppBuilder::trust_proxy`]).
    pub fn visitor_from(&self, address: &str) -> Visitor {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            reqwest::header::HeaderValue::from_str(address).expect("an address"),
        );
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .default_headers(headers)
            .build()
            .expect("client");
        Visitor {
            client,
            base: self.server_url(0),
        }
    }

    /// A new browser for a server at `base` (one of [`TestApp::serve_process`]).
    pub fn visitor_at(&self, base: &str) -> Visitor {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .expect("client");
        Visitor {
            client,
            base: base.to_owned(),
        }
    }

    /// Runs the registration clock once, as `kizuki serve` does every minute.
    pub async fn tick(&self) {
        kizuki_web::mail::tick(&self.states[0])
            .await
            .expect("registration clock");
    }

    /// How many answers wait in the in-process servers' mixers, not yet written.
    pub fn waiting_answers(&self) -> usize {
        self.states
            .iter()
            .map(|state| state.mixer().waiting())
            .sum()
    }

    /// One tick of the first server's answer mixer, at the test's clock.
    pub async fn mixer_tick(&self) {
        self.states[0]
            .mixer()
            .tick(&self.store, self.now())
            .await
            .expect("answer mixer");
    }

    /// One number from the test database (`SELECT COUNT(*) …`, `SELECT MIN(id) …`), read
    /// straight from the tables, past the store.
    pub async fn sql_number(&self, sql: &str) -> Option<i64> {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&self.database.url).await.unwrap();
        let value: Option<i64> = sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap();
        pool.close().await;
        value
    }

    /// One text column of every row a query gives, in the order the database gives them.
    pub async fn sql_strings(&self, sql: &str) -> Vec<String> {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&self.database.url).await.unwrap();
        let values: Vec<String> = sqlx::query_scalar(sql).fetch_all(&pool).await.unwrap();
        pool.close().await;
        values
    }

    /// Every row of every table, as text, in the order a plain `SELECT *` gives them.
    pub async fn whole_database(&self) -> BTreeMap<String, Vec<BTreeMap<String, String>>> {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&self.database.url).await.unwrap();
        let tables: Vec<String> = if self.database.url.starts_with("postgres") {
            sqlx::query_scalar(
                "SELECT CAST(table_name AS TEXT) FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
            )
            .fetch_all(&pool)
            .await
            .unwrap()
        } else {
            sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
                .fetch_all(&pool)
                .await
                .unwrap()
        };
        let mut dump = BTreeMap::new();
        // sqlx's own bookkeeping (migration checksums and times) is left out.
        for table in tables.into_iter().filter(|t| !t.starts_with("_sqlx")) {
            let rows = sqlx::query(&format!("SELECT * FROM {table}"))
                .fetch_all(&pool)
                .await
                .unwrap();
            let rows = rows
                .iter()
                .map(|row| {
                    row.columns()
                        .iter()
                        .map(|column| {
                            let i = column.ordinal();
                            let value = row
                                .try_get::<Option<i64>, _>(i)
                                .map(|v| v.map(|n| n.to_string()))
                                .or_else(|_| row.try_get::<Option<String>, _>(i))
                                .or_else(|_| {
                                    row.try_get::<Option<f64>, _>(i)
                                        .map(|v| v.map(|f| f.to_string()))
                                })
                                .or_else(|_| {
                                    row.try_get::<Option<Vec<u8>>, _>(i).map(|v| {
                                        v.map(|b| String::from_utf8_lossy(&b).into_owned())
                                    })
                                })
                                // A column none of these can read would otherwise pass as
                                // empty, hiding whatever it holds from the scan.
                                .unwrap_or_else(|error| {
                                    panic!("{table}.{} cannot be read: {error}", column.name())
                                })
                                .unwrap_or_default();
                            (column.name().to_owned(), value)
                        })
                        .collect()
                })
                .collect();
            dump.insert(table, rows);
        }
        pool.close().await;
        dump
    }

    /// Runs one statement on the test database, past the store.
    pub async fn sql_execute(&self, sql: &str) {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&self.database.url).await.unwrap();
        sqlx::query(sql).execute(&pool).await.unwrap();
        pool.close().await;
    }

    /// Runs the hourly housekeeping once, as `kizuki serve` does, at the test's time.
    pub async fn housekeeping(&self) {
        kizuki_web::jobs::housekeeping(&self.store, self.now())
            .await
            .expect("housekeeping");
    }

    /// Runs the daily purge once, as `kizuki serve` does, at the test's time: the trainings
    /// purged, with how many applications each lost.
    pub async fn purge_due(&self) -> Vec<(i64, i64)> {
        kizuki_web::jobs::purge_due(&self.store, self.now())
            .await
            .expect("purge")
    }

    /// The id of the application `email` made to `training` (the public answer carries none, so
    /// that it cannot tell a new application from an address that applied before).
    pub async fn application_id(&self, training: i64, email: &str) -> i64 {
        self.store
            .application_by_email(training, email)
            .await
            .expect("the application is stored")
            .id
    }

    pub fn smtp(&self) -> &SmtpServer {
        self.smtp.as_ref().expect("built with .mail()")
    }

    pub fn advance_clock(&self, seconds: i64) {
        self.clock.fetch_add(seconds, Ordering::SeqCst);
    }

    pub fn now(&self) -> Timestamp {
        Timestamp(self.clock.load(Ordering::SeqCst))
    }

    /// The `kizuki` binary on this test's database and clock.
    pub fn command(&self) -> std::process::Command {
        kizuki_command(&self.database, self.now())
    }

    /// Starts a real `kizuki serve` process on this test's database and clock, with these
    /// extra arguments, and waits until it answers.
    pub async fn serve_process(&self, extra: &[&str]) -> ServerProcess {
        self.serve_process_without(extra, &[]).await
    }

    /// [`TestApp::serve_process`] with some of the store's guarantees turned off: the negative
    /// controls that prove a test can see the failure it guards against (see
    /// `kizuki_store::guards`).
    pub async fn serve_process_without(&self, extra: &[&str], guards: &[&str]) -> ServerProcess {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("a free port")
            .local_addr()
            .expect("address")
            .port();
        let child = self
            .command()
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .args(extra)
            .env(kizuki_store::guards::VARIABLE, guards.join(","))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start kizuki serve");
        // Owned at once, so that it is stopped whatever happens next.
        let server = ServerProcess {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let client = reqwest::Client::new();
        for _ in 0..200 {
            if client
                .get(format!("{}/healthz", server.base))
                .send()
                .await
                .is_ok_and(|r| r.status() == 200)
            {
                return server;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("kizuki serve did not start");
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

/// A real SMTP server: Python's aiosmtpd writing every message it receives to a Maildir.
pub struct SmtpServer {
    child: std::process::Child,
    pub port: u16,
    maildir: PathBuf,
}

/// A message as the SMTP server received it, decoded.
#[derive(Clone, Debug)]
pub struct ReceivedMail {
    pub to: String,
    pub from: String,
    pub subject: String,
    /// The text, the whole body of a plain message or the first plain part of a mixed one.
    pub body: String,
    pub attachments: Vec<ReceivedAttachment>,
}

/// A file sent with a message.
#[derive(Clone, Debug)]
pub struct ReceivedAttachment {
    pub file_name: String,
    /// The MIME type alone, such as `text/calendar`.
    pub mime_type: String,
    /// Its parameters, such as `method` for a calendar.
    pub parameters: std::collections::BTreeMap<String, String>,
    pub body: String,
}

impl SmtpServer {
    pub fn start() -> SmtpServer {
        let python = std::env::var("KIZUKI_TEST_PYTHON")
            .map(PathBuf::from)
            .unwrap_or_else(|_| {
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/test-venv/bin/python")
            });
        assert!(
            python.exists(),
            "the mail tests need Python with aiosmtpd: run scripts/install-test-deps (looked for {})",
            python.display()
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("a free port")
            .local_addr()
            .expect("address")
            .port();
        let maildir =
            std::env::temp_dir().join(format!("kizuki-mail-{:016x}", rand::random::<u64>()));
        let child = std::process::Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start aiosmtpd");
        let server = SmtpServer {
            child,
            port,
            maildir,
        };
        // Python starts slowly on a busy machine (the suite runs many tests at once).
        for _ in 0..400 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return server;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("aiosmtpd did not start");
    }

    /// Every message received so far.
    pub fn messages(&self) -> Vec<ReceivedMail> {
        let mut found = Vec::new();
        for folder in ["new", "cur"] {
            let Ok(entries) = std::fs::read_dir(self.maildir.join(folder)) else {
                continue;
            };
            for entry in entries.flatten() {
                let bytes = std::fs::read(entry.path()).expect("read a message");
                let parsed = mailparse::parse_mail(&bytes).expect("a message");
                let header = |name: &str| {
                    mailparse::MailHeaderMap::get_first_value(parsed.headers.as_slice(), name)
                        .unwrap_or_default()
                };
                let (body, attachments) = if parsed.subparts.is_empty() {
                    (parsed.get_body().expect("a body"), Vec::new())
                } else {
                    let text = parsed
                        .subparts
                        .iter()
                        .find(|part| part.ctype.mimetype == "text/plain")
                        .map(|part| part.get_body().expect("a text part"))
                        .unwrap_or_default();
                    let files = parsed
                        .subparts
                        .iter()
                        .filter_map(|part| {
                            let disposition = part.get_content_disposition();
                            let file_name = disposition.params.get("filename")?.clone();
                            Some(ReceivedAttachment {
                                file_name,
                                mime_type: part.ctype.mimetype.clone(),
                                parameters: part.ctype.params.clone().into_iter().collect(),
                                body: part.get_body().expect("an attachment"),
                            })
                        })
                        .collect();
                    (text, files)
                };
                found.push(ReceivedMail {
                    to: header("To"),
                    from: header("From"),
                    subject: header("Subject"),
                    body,
                    attachments,
                });
            }
        }
        found
    }

    /// Waits (up to ten seconds) for a message to `to` whose subject contains `subject`.
    pub async fn wait_for(&self, to: &str, subject: &str) -> ReceivedMail {
        for _ in 0..200 {
            if let Some(mail) = self
                .messages()
                .into_iter()
                .find(|m| m.to.contains(to) && m.subject.contains(subject))
            {
                return mail;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!(
            "no message to {to} about {subject:?}; received: {:#?}",
            self.messages()
        );
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.maildir);
    }
}

/// The link a message is about: the applicant's private link when it has one (a message may
/// hold others, such as the calendar file's), else its first link (a questionnaire's code).
pub fn link_in(body: &str) -> String {
    let links: Vec<usize> = body
        .match_indices("http://")
        .map(|(start, _)| start)
        .collect();
    let start = links
        .iter()
        .copied()
        .find(|start| {
            body[*start..]
                .split_whitespace()
                .next()
                .is_some_and(|link| link.contains("/application?key="))
        })
        .or_else(|| links.first().copied())
        .expect("a link in the message");
    body[start..]
        .split_whitespace()
        .next()
        .expect("a link")
        .to_owned()
}
