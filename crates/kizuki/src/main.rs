//! The `kizuki` command.

use std::io::BufRead;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use kizuki_domain::secret::{self, SecretKind};
use kizuki_domain::{EmailAddress, Role, Timestamp, password, text};
use kizuki_store::{Backend, NewUser, Store};
use kizuki_web::{AppState, CookieSecure, WebConfig, build_router};

mod demo;

#[derive(Parser)]
#[command(
    name = "kizuki",
    version,
    about = "Kizuki: trainings, study groups and research for Intentional Peer Support"
)]
struct Cli {
    #[command(flatten)]
    database: DatabaseArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct DatabaseArgs {
    /// Database URL: sqlite://FILE or postgres://USER@HOST/DB. Falls back to DATABASE_URL,
    /// then to DATA_DIR/kizuki.db.
    #[arg(long, global = true, env = "KIZUKI_DATABASE_URL")]
    database: Option<String>,
    /// Folder for the SQLite database when no URL is given.
    #[arg(
        long,
        global = true,
        env = "KIZUKI_DATA_DIR",
        default_value = "kizuki-data"
    )]
    data_dir: PathBuf,
}

impl DatabaseArgs {
    fn url(&self) -> String {
        self.database
            .clone()
            .or_else(|| {
                std::env::var("DATABASE_URL")
                    .ok()
                    .filter(|url| !url.is_empty())
            })
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("kizuki.db").display()))
    }

    async fn open(&self) -> Result<Store> {
        let url = self.url();
        let store = Store::open(&url)
            .await
            .with_context(|| format!("cannot open the database at {}", redact(&url)))?;
        store
            .migrate()
            .await
            .context("cannot bring the database schema up to date")?;
        Ok(store)
    }
}

#[derive(Subcommand)]
enum Command {
    /// Serve the website and the API.
    Serve(ServeArgs),
    /// Create or update the database schema, then exit.
    Migrate,
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Fill an empty database with fictional demo data.
    Demo,
    /// Import records from a file.
    #[command(subcommand)]
    Import(ImportCommand),
    /// KJ-method projects: import and export files (REFI-QDA, tables, transcripts).
    #[command(subcommand)]
    Qda(QdaCommand),
    /// Write a consistent copy of the database while it is in use.
    Backup {
        /// The file to write (it must not exist yet).
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Args)]
struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "KIZUKI_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Fill an empty database with demo data before serving.
    #[arg(long)]
    demo: bool,
    /// Trust X-Forwarded-For and X-Forwarded-Proto (only behind a reverse proxy that sets them).
    #[arg(long, env = "KIZUKI_TRUST_PROXY")]
    trust_proxy: bool,
    /// When cookies get the Secure attribute: auto (when the proxy says https), always, never.
    #[arg(long, env = "KIZUKI_COOKIE_SECURE", default_value = "auto")]
    cookie_secure: CookieSecure,
    /// Public requests that write (applications), per client: N per minute, N/SECONDS, or off.
    #[arg(long, env = "KIZUKI_RATE_LIMIT", default_value = "30/60")]
    rate_limit: kizuki_domain::rate::RateLimit,
    /// The address people reach the site at, for links in mail (default: http://LISTEN).
    #[arg(long, env = "KIZUKI_PUBLIC_URL")]
    public_url: Option<String>,
    /// The mail server, e.g. smtp://user:password@mail.example.jp:587?tls=required, or
    /// smtps://… for TLS from the start. Without it, messages wait in the outbox.
    #[arg(long, env = "KIZUKI_SMTP_URL")]
    smtp_url: Option<String>,
    /// The sender of mail to applicants.
    #[arg(
        long,
        env = "KIZUKI_MAIL_FROM",
        default_value = "Kizuki <no-reply@localhost>"
    )]
    mail_from: String,
    /// Keep public pages for anonymous visitors for one second: on, or off to measure or
    /// debug pages as they are built.
    #[arg(
        long,
        env = "KIZUKI_PAGE_CACHE",
        default_value = "on",
        value_parser = on_or_off,
        action = clap::ArgAction::Set
    )]
    page_cache: bool,
    /// Seconds a client may take to send a request's headers, or to start its next request
    /// on a kept-alive connection, before the connection is closed.
    #[arg(long, env = "KIZUKI_HEADER_TIMEOUT", default_value_t = 10)]
    header_timeout: u64,
    /// The most connections open at once; more wait until one closes.
    #[arg(long, env = "KIZUKI_MAX_CONNECTIONS", default_value_t = 4096)]
    max_connections: usize,
}

fn on_or_off(text: &str) -> Result<bool, String> {
    match text {
        "on" => Ok(true),
        "off" => Ok(false),
        other => Err(format!("expected on or off, not {other:?}")),
    }
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account; the password is read from standard input.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// admin, organizer, facilitator, host or researcher.
        #[arg(long)]
        role: Role,
    },
    /// List accounts.
    List,
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Trainings and study groups from a CSV file (columns in README; all or nothing).
    Events {
        /// The CSV file (UTF-8 or Shift_JIS).
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum QdaCommand {
    /// Import a file: a QDPX project or QDC codebook (from Kizuki or another QDA tool), a
    /// project document, DOCX, WebVTT or plain text. All or nothing.
    Import {
        file: PathBuf,
        /// The project to import into (by name; made if there is none). Without it, a QDPX
        /// file becomes a new project with its own name.
        #[arg(long)]
        project: Option<String>,
        /// The researcher who imports (the project's member and key keeper if it is new).
        /// Default: the first administrator.
        #[arg(long = "as")]
        as_user: Option<String>,
    },
    /// Export a project: qdpx (REFI-QDA project), qdc (codebook), csv or xlsx (report table).
    Export {
        #[arg(long)]
        project: i64,
        #[arg(long, default_value = "qdpx")]
        format: kizuki_web::qda_exchange::ExportFormat,
        /// The file to write.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API token for an account and print it (it is shown only this once).
    Create {
        #[arg(long)]
        email: String,
        /// What the token is for.
        #[arg(long, default_value = "command line")]
        label: String,
    },
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("KIZUKI_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => serve(&cli.database, args).await,
        Command::Migrate => {
            cli.database.open().await?;
            println!("The database schema is up to date.");
            Ok(())
        }
        Command::User(UserCommand::Add { email, name, role }) => {
            add_user(&cli.database, &email, &name, role).await
        }
        Command::User(UserCommand::List) => list_users(&cli.database).await,
        Command::Token(TokenCommand::Create { email, label }) => {
            create_token(&cli.database, &email, &label).await
        }
        Command::Demo => {
            let store = cli.database.open().await?;
            demo::fill_and_report(&store, now()).await
        }
        Command::Backup { out } => backup(&cli.database, &out).await,
        Command::Import(ImportCommand::Events { file }) => {
            import_events(&cli.database, &file).await
        }
        Command::Qda(QdaCommand::Import {
            file,
            project,
            as_user,
        }) => qda_import(&cli.database, &file, project.as_deref(), as_user.as_deref()).await,
        Command::Qda(QdaCommand::Export {
            project,
            format,
            out,
        }) => qda_export(&cli.database, project, format, &out).await,
    }
}

fn now() -> Timestamp {
    kizuki_web::system_now()
}

/// Hides the password in a database URL before it is printed.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

async fn serve(database: &DatabaseArgs, args: ServeArgs) -> Result<()> {
    let store = database.open().await?;
    if args.demo {
        demo::fill_and_report(&store, now()).await?;
    }
    let config = WebConfig {
        cookie_secure: args.cookie_secure,
        trust_proxy: args.trust_proxy,
        rate_limit: args.rate_limit,
        page_cache: args.page_cache,
        public_url: args
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", args.listen)),
        smtp: args
            .smtp_url
            .clone()
            .map(|url| kizuki_web::mail::SmtpSettings {
                url,
                from: args.mail_from.clone(),
            }),
    };
    let state = AppState::new(store.clone(), config)
        .await
        .context("cannot read the site keys")?;
    tokio::spawn(housekeeping(store.clone()));
    tokio::spawn(registration_clock(state.clone()));
    tokio::spawn(answer_mixer(state.clone()));
    match &args.smtp_url {
        Some(url) => {
            tokio::spawn(kizuki_web::mail::run_sender(
                store.clone(),
                kizuki_web::mail::SmtpSettings {
                    url: url.clone(),
                    from: args.mail_from.clone(),
                },
                kizuki_web::mail::PrivateLinks::of(&state),
                kizuki_web::system_clock(),
                std::time::Duration::from_secs(5),
            ));
        }
        None => tracing::warn!(
            "no mail server is set (--smtp-url / KIZUKI_SMTP_URL): messages wait in the outbox"
        ),
    }
    let shift = kizuki_web::clock::shift_seconds();
    if shift != 0 {
        tracing::warn!(
            "the clock runs {shift} s from the real time ({}, a debug build's test setting)",
            kizuki_web::clock::SHIFT_VARIABLE
        );
    }
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let backend = match store.backend() {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    };
    tracing::info!(
        "Kizuki is serving http://{} (English: http://{}/en/) on {backend}",
        args.listen,
        args.listen
    );
    raise_file_limit(args.max_connections);
    let limits = kizuki_web::server::Limits {
        header_read: std::time::Duration::from_secs(args.header_timeout.max(1)),
        connections: args.max_connections.max(1),
        ..kizuki_web::server::Limits::default()
    };
    kizuki_web::server::serve(
        listener,
        build_router(state.clone()),
        limits,
        shutdown_signal(),
    )
    .await;
    // The answers still waiting to be mixed are written, not lost.
    state.mixer().stop(&store).await;
    store.close().await;
    Ok(())
}

/// Raises the limit on open files towards what `connections` need (each is one, and the
/// database, logs and mail take a few more), as far as the system allows without privileges.
fn raise_file_limit(connections: usize) {
    let wanted = connections as u64 + 256;
    match rlimit::increase_nofile_limit(wanted) {
        Ok(limit) if limit < wanted => tracing::warn!(
            "only {limit} files may be open (wanted {wanted}): fewer connections can be served"
        ),
        Ok(_) => {}
        Err(error) => tracing::warn!(%error, "could not raise the open-file limit"),
    }
}

/// Housekeeping once an hour (see [`kizuki_web::jobs::housekeeping`]). Several processes may
/// run it at once; every step is idempotent.
async fn housekeeping(store: Store) {
    let mut interval = tokio::time::interval(std::time::Duration::from_secs(60 * 60));
    loop {
        interval.tick().await;
        if let Err(error) = kizuki_web::jobs::housekeeping(&store, now()).await {
            tracing::warn!(%error, "housekeeping did not finish");
        }
    }
}

/// Every minute: holds and offers that ran out, draws due, reminders, and once a day the purge
/// of personal data whose retention has run out.
async fn registration_clock(state: AppState) {
    let mut interval = tokio::time::interval(std::time::Duration::from_secs(60));
    let mut last_purge_day = None;
    loop {
        interval.tick().await;
        if let Err(error) = kizuki_web::mail::tick(&state).await {
            tracing::warn!(%error, "the registration clock could not run");
        }
        let now = state.now();
        let today = kizuki_web::today(now);
        if last_purge_day != Some(today) {
            match kizuki_web::jobs::purge_due(state.store(), now).await {
                Ok(_) => last_purge_day = Some(today),
                Err(error) => tracing::warn!(%error, "could not purge personal data"),
            }
        }
    }
}

/// Every half minute: the answer mixer says it is alive, writes what waits for questionnaires
/// that closed, and gives back the codes of servers that stopped (see
/// [`kizuki_web::questionnaire::mixer`]).
async fn answer_mixer(state: AppState) {
    let mut interval = tokio::time::interval(std::time::Duration::from_secs(30));
    loop {
        interval.tick().await;
        if let Err(error) = state.mixer().tick(state.store(), state.now()).await {
            tracing::warn!(%error, "the answer mixer could not run");
        }
    }
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
}

fn read_password_from_stdin() -> Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

async fn add_user(database: &DatabaseArgs, email: &str, name: &str, role: Role) -> Result<()> {
    let email = EmailAddress::parse(email).map_err(|error| anyhow::anyhow!("{error}"))?;
    let name = text::normalize_line(name);
    if name.is_empty() {
        bail!("the name must not be empty");
    }
    let plain = read_password_from_stdin()?;
    let mut salt = [0u8; password::SALT_LENGTH];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut salt);
    let hash = password::hash(&plain, &salt).map_err(|error| anyhow::anyhow!("{error}"))?;
    let store = database.open().await?;
    let id = store
        .create_user(NewUser {
            email: &email,
            display_name: &name,
            role,
            password_hash: Some(&hash),
            now: now(),
        })
        .await
        .map_err(|error| anyhow::anyhow!("cannot create the account: {error}"))?;
    store
        .record_audit(None, "user_created", email.as_str(), role.as_str(), now())
        .await?;
    println!("Created account {id}: {name} <{email}> as {role}.");
    Ok(())
}

async fn list_users(database: &DatabaseArgs) -> Result<()> {
    let store = database.open().await?;
    for user in store.list_users().await? {
        let state = if user.disabled_at.is_some() {
            "disabled"
        } else if !user.has_password {
            "invited"
        } else {
            "active"
        };
        println!(
            "{}\t{}\t{}\t{}\t{state}",
            user.id, user.email, user.display_name, user.role
        );
    }
    Ok(())
}

async fn create_token(database: &DatabaseArgs, email: &str, label: &str) -> Result<()> {
    let email = EmailAddress::parse(email).map_err(|error| anyhow::anyhow!("{error}"))?;
    let store = database.open().await?;
    let user = store
        .user_by_email(&email)
        .await
        .with_context(|| format!("no account has the email address {email}"))?;
    if !user.is_active() {
        bail!("the account {email} is disabled");
    }
    let token = secret::generate(SecretKind::ApiToken, &mut rand::rng());
    let label = text::normalize_line(label);
    store
        .create_api_token(user.id, &label, &token.digest, now())
        .await?;
    store
        .record_audit(None, "token_created", email.as_str(), &label, now())
        .await?;
    println!("{}", token.plain);
    Ok(())
}

async fn import_events(database: &DatabaseArgs, file: &Path) -> Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let store = database.open().await?;
    // Progress goes to stderr, only when someone watches and the file is more than one chunk.
    let watched = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let progress = |done: usize, total: usize| {
        if watched && total > kizuki_store::IMPORT_CHUNK_ROWS {
            eprint!("\r{done} / {total}");
            if done == total {
                eprintln!();
            }
        }
    };
    match kizuki_web::import_events_csv(&store, &bytes, None, now(), progress).await {
        Ok(summary) => {
            store
                .record_audit(
                    None,
                    "events_imported",
                    &file.display().to_string(),
                    "",
                    now(),
                )
                .await?;
            println!(
                "Imported {} trainings, {} study groups and {} new venues.",
                summary.trainings, summary.groups, summary.venues_added
            );
            Ok(())
        }
        Err(kizuki_web::ImportFailure::Mistakes(mistakes)) => {
            for mistake in &mistakes {
                eprintln!("{}: {mistake}", file.display());
            }
            bail!("nothing was imported: {} mistakes", mistakes.len())
        }
        Err(kizuki_web::ImportFailure::Store(error)) => Err(error.into()),
    }
}

/// The account a command acts as: the one named, else the first administrator.
async fn acting_user(store: &Store, email: Option<&str>) -> Result<kizuki_store::User> {
    match email {
        Some(email) => {
            let address = EmailAddress::parse(email)
                .map_err(|_| anyhow::anyhow!("{email} is not an email address"))?;
            store
                .user_by_email(&address)
                .await
                .with_context(|| format!("no account for {email}"))
        }
        None => store
            .list_users()
            .await?
            .into_iter()
            .find(|u| u.role == Role::Admin)
            .context("there is no administrator yet: name an account with --as"),
    }
}

async fn qda_import(
    database: &DatabaseArgs,
    file: &Path,
    project: Option<&str>,
    as_user: Option<&str>,
) -> Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let store = database.open().await?;
    let user = acting_user(&store, as_user).await?;
    let into = match project {
        Some(name) => store.qda_project_named(name, user.id).await?,
        None => None,
    };
    let file_name = file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let outcome =
        kizuki_web::qda_exchange::import(&store, &bytes, file_name, into, project, user.id, now())
            .await?;
    match outcome {
        Ok((project, report)) => {
            store
                .log_qda_access(project, user.id, "import", file_name, now())
                .await?;
            println!(
                "Imported into project {project}: {} transcripts, {} groups, {} cards, {} relations ({} names replaced by pseudonyms).",
                report.transcripts, report.groups, report.cards, report.relations, report.replaced
            );
            Ok(())
        }
        Err(refusal) => bail!(
            "{}: {} (nothing was imported)",
            file.display(),
            refusal.message(kizuki_i18n::Lang::En)
        ),
    }
}

async fn qda_export(
    database: &DatabaseArgs,
    project: i64,
    format: kizuki_web::qda_exchange::ExportFormat,
    out: &Path,
) -> Result<()> {
    let store = database.open().await?;
    let name = store
        .qda_project_name(project)
        .await?
        .with_context(|| format!("there is no project {project}"))?;
    let bytes = kizuki_web::qda_exchange::export(&store, project, &name, format).await?;
    std::fs::write(out, &bytes).with_context(|| format!("cannot write {}", out.display()))?;
    store
        .log_qda_access(
            project,
            None,
            "export_project",
            &format!("cli export {}", out.display()),
            now(),
        )
        .await?;
    println!("Wrote {} ({} bytes).", out.display(), bytes.len());
    Ok(())
}

async fn backup(database: &DatabaseArgs, out: &Path) -> Result<()> {
    let url = database.url();
    let store = database.open().await?;
    match store.backend() {
        Backend::Sqlite => {
            store.backup_sqlite(out).await?;
        }
        Backend::Postgres => {
            if out.exists() {
                bail!("{} already exists; choose a new file name", out.display());
            }
            // pg_dump takes one consistent snapshot while the server keeps running; the custom
            // format restores with pg_restore.
            let status = tokio::process::Command::new("pg_dump")
                .arg("--format=custom")
                .arg("--file")
                .arg(out)
                .arg("--dbname")
                .arg(&url)
                .status()
                .await
                .context("cannot run pg_dump; install the PostgreSQL client tools")?;
            if !status.success() {
                bail!("pg_dump failed ({status})");
            }
        }
    }
    println!("Wrote a backup to {}.", out.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_in_urls_are_hidden() {
        assert_eq!(
            redact("postgres://kizuki:secret@db/kizuki"),
            "postgres://kizuki:***@db/kizuki"
        );
        assert_eq!(
            redact("postgres://postgres@127.0.0.1/test"),
            "postgres://postgres@127.0.0.1/test"
        );
        assert_eq!(
            redact("sqlite://kizuki-data/kizuki.db"),
            "sqlite://kizuki-data/kizuki.db"
        );
    }
}
