//! Mail to applicants: composed here in the applicant's language, written to the outbox, and
//! sent over SMTP by [`run_sender`], so a slow or absent mail server never slows an application
//! down; the outbox shows what waits or failed. The one exception is a questionnaire's codes
//! ([`send_unstored`]): kept in the outbox, a message would tie a code to an address, so those
//! are handed to the mail server from the request and never stored.

use std::time::Duration;

use kizuki_domain::Timestamp;
use kizuki_domain::secret::{self, SecretKind};
use kizuki_i18n::Lang;
use kizuki_store::{
    ApplicationRecord, Notice, NoticeKind, OutgoingMail, QueuedMail, Store, StoreError, Training,
};
use lettre::message::{Mailbox, MultiPart, SinglePart, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::format::{self, Localized};
use crate::guide::Guide;
use crate::pages::catalogue::{feeds, today};
use crate::state::AppState;

/// What a message to an applicant says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MailKind {
    ReceivedHeld {
        until: Timestamp,
    },
    ReceivedWaitlisted {
        position: i64,
    },
    ReceivedLottery,
    ReceivedApproval,
    Confirmed,
    Offer {
        until: Timestamp,
    },
    SeatFree,
    Waitlisted {
        position: i64,
    },
    Declined,
    Cancelled,
    Expired,
    Reminder,
    Link,
    /// The address applied again: nothing changed, and its owner is told so.
    AlreadyApplied,
}

impl MailKind {
    pub fn name(self) -> &'static str {
        match self {
            MailKind::ReceivedHeld { .. } => "received_held",
            MailKind::ReceivedWaitlisted { .. } => "received_waitlisted",
            MailKind::ReceivedLottery => "received_lottery",
            MailKind::ReceivedApproval => "received_approval",
            MailKind::Confirmed => "confirmed",
            MailKind::Offer { .. } => "offer",
            MailKind::SeatFree => "seat_free",
            MailKind::Waitlisted { .. } => "waitlisted",
            MailKind::Declined => "declined",
            MailKind::Cancelled => "cancelled",
            MailKind::Expired => "expired",
            MailKind::Reminder => "reminder",
            MailKind::Link => "link",
            MailKind::AlreadyApplied => "already_applied",
        }
    }

    fn from_notice(kind: NoticeKind) -> MailKind {
        match kind {
            NoticeKind::Offer { until } => MailKind::Offer { until },
            NoticeKind::SeatFree => MailKind::SeatFree,
            NoticeKind::Confirmed => MailKind::Confirmed,
            NoticeKind::Waitlisted { position } => MailKind::Waitlisted { position },
            NoticeKind::Declined => MailKind::Declined,
            NoticeKind::Cancelled => MailKind::Cancelled,
            NoticeKind::Expired => MailKind::Expired,
        }
    }
}

/// Who a message is for: enough to greet them in their language (their link is put in when
/// the message is sent, see [`LINK_MARK`]).
pub struct Addressee<'a> {
    pub name: &'a str,
    pub lang: Lang,
}

impl<'a> Addressee<'a> {
    pub fn of(application: &'a ApplicationRecord) -> Addressee<'a> {
        Addressee {
            name: &application.name,
            lang: Lang::from_tag(&application.lang).unwrap_or(Lang::Ja),
        }
    }
}

/// Where a message's private link goes. The outbox keeps this mark, never the link, so that
/// no backup of the database holds a key to anyone's application; the sender puts the link in
/// as it hands the message to the mail server. (No text a person types can hold the mark:
/// control characters are taken out of every field.)
pub const LINK_MARK: &str = "\u{1}private-link\u{1}";

/// What makes applicants' private links: the server's key and public address.
#[derive(Clone)]
pub struct PrivateLinks {
    key: Vec<u8>,
    public_url: String,
}

impl PrivateLinks {
    pub fn of(state: &AppState) -> PrivateLinks {
        PrivateLinks {
            key: state.link_key().to_vec(),
            public_url: state.public_url().to_owned(),
        }
    }

    /// An applicant's private link: made again from the application's nonce whenever a
    /// message needs it, so every message carries the same link.
    pub fn link(&self, lang: Lang, nonce: &str) -> String {
        let token = secret::derive(SecretKind::Application, &self.key, nonce);
        format!(
            "{}{}?key={}",
            self.public_url,
            lang.localize("/application"),
            token.plain
        )
    }
}

/// Local date and time in Japan, as a person reads it.
pub fn moment(lang: Lang, at: Timestamp) -> String {
    let Ok(zoned) = jiff::Timestamp::from_second(at.seconds()).map(|instant| {
        instant.to_zoned_datetime(
            jiff::tz::TimeZone::get("Asia/Tokyo").unwrap_or(jiff::tz::TimeZone::UTC),
        )
    }) else {
        return String::new();
    };
    format!(
        "{} {}",
        format::date(lang, zoned.date()),
        zoned.time().strftime("%H:%M")
    )
}

/// A message's subject and body. Every body ends with whom to contact and how, and the
/// messages that confirm a place (and the reminder) give the practical details too.
pub fn compose(
    to: &Addressee<'_>,
    training: &Training,
    kind: MailKind,
    guide: &Guide,
    public_url: &str,
) -> (String, String) {
    let lang = to.lang;
    let title = Localized::pick(lang, &training.title, &training.title_en).text;
    let dates = format::training_dates(lang, training);
    let (until, position) = match kind {
        MailKind::ReceivedHeld { until } | MailKind::Offer { until } => (moment(lang, until), 0),
        MailKind::ReceivedWaitlisted { position } | MailKind::Waitlisted { position } => {
            (String::new(), position)
        }
        _ => (String::new(), 0),
    };
    let position = position.to_string();
    // The link itself is put in when the message is sent (see LINK_MARK).
    let link = LINK_MARK;
    let arguments = [
        ("name", to.name),
        ("training", title.as_str()),
        ("dates", dates.as_str()),
        ("until", until.as_str()),
        ("position", position.as_str()),
        ("link", link),
    ];
    let subject = kizuki_i18n::format(lang, &format!("mail.{}.subject", kind.name()), &arguments);
    let mut parts = vec![kizuki_i18n::format(
        lang,
        &format!("mail.{}.body", kind.name()),
        &arguments,
    )];
    if matches!(kind, MailKind::Confirmed | MailKind::Reminder) {
        parts.push(guide.practical_text(lang, training, public_url));
    }
    parts.push(guide.contact_text(lang));
    parts.push(kizuki_i18n::format(lang, "mail.footer", &arguments));
    (subject, parts.join("\n\n"))
}

/// An organiser's own words, ended as every message is: whom to contact and how, and the
/// applicant's page.
pub fn closing(lang: Lang, guide: &Guide, body: &str) -> String {
    format!(
        "{body}\n\n{}\n\n{}",
        guide.contact_text(lang),
        kizuki_i18n::format(lang, "mail.footer", &[("link", LINK_MARK)])
    )
}

/// Writes a message for an applicant to the outbox.
pub async fn send(
    state: &AppState,
    application: &ApplicationRecord,
    training: &Training,
    kind: MailKind,
) -> Result<(), StoreError> {
    let guide = Guide::load(state, training.id).await?;
    send_with(state, application, training, &guide, kind).await
}

/// Writes a message for an applicant to the outbox, with its training's guide already read.
async fn send_with(
    state: &AppState,
    application: &ApplicationRecord,
    training: &Training,
    guide: &Guide,
    kind: MailKind,
) -> Result<(), StoreError> {
    let (subject, body) = compose(
        &Addressee::of(application),
        training,
        kind,
        guide,
        state.public_url(),
    );
    state
        .store()
        .enqueue_mail(
            &OutgoingMail {
                training_id: Some(training.id),
                application_id: Some(application.id),
                recipient: &application.email,
                lang: &application.lang,
                kind: kind.name(),
                subject: &subject,
                body: &body,
            },
            state.now(),
        )
        .await?;
    Ok(())
}

/// Tells each applicant what happened to their application. A failure is logged, never shown
/// to the person whose request caused it: their own change has been made.
pub async fn deliver(state: &AppState, notices: &[Notice]) {
    let mut trainings = Trainings::default();
    for notice in notices {
        let kind = MailKind::from_notice(notice.kind);
        if let Err(error) = send_by_id(
            state,
            &mut trainings,
            notice.training_id,
            notice.application_id,
            kind,
        )
        .await
        {
            tracing::warn!(%error, application = notice.application_id, "could not queue a message");
        }
    }
}

/// Trainings and their guides read once for a batch of messages (a draw tells a whole
/// training at once).
#[derive(Default)]
struct Trainings(Vec<(Training, Guide)>);

impl Trainings {
    async fn get(&mut self, state: &AppState, id: i64) -> Result<&(Training, Guide), StoreError> {
        let index = match self.0.iter().position(|(t, _)| t.id == id) {
            Some(index) => index,
            None => {
                let training = state.store().training(id).await?;
                let guide = Guide::load(state, id).await?;
                self.0.push((training, guide));
                self.0.len() - 1
            }
        };
        Ok(&self.0[index])
    }
}

async fn send_by_id(
    state: &AppState,
    trainings: &mut Trainings,
    training_id: i64,
    application_id: i64,
    kind: MailKind,
) -> Result<(), StoreError> {
    let application = state.store().application(application_id).await?;
    let (training, guide) = trainings.get(state, training_id).await?;
    send_with(state, &application, training, guide, kind).await
}

/// The clock's work for registration, run every minute by `kizuki serve`: lapsed holds and
/// offers, due draws, reminders the day before.
pub async fn tick(state: &AppState) -> Result<(), StoreError> {
    let now = state.now();
    let today = today(now);
    let notices = state.store().sweep_registrations(now, today).await?;
    deliver(state, &notices).await;
    let mut trainings = Trainings::default();
    for (training_id, application_id) in state.store().reminders_due(today, REMINDER_DAYS).await? {
        send_by_id(
            state,
            &mut trainings,
            training_id,
            application_id,
            MailKind::Reminder,
        )
        .await?;
    }
    Ok(())
}

/// Reminders go the day before the first day (or on the day, for a place confirmed late).
pub const REMINDER_DAYS: i64 = 1;

/// Where and how to send mail: an `smtp://` or `smtps://` URL as lettre reads it, e.g.
/// `smtp://user:password@mail.example.jp:587?tls=required`.
#[derive(Clone, Debug)]
pub struct SmtpSettings {
    pub url: String,
    pub from: String,
}

type Transport = AsyncSmtpTransport<Tokio1Executor>;

/// The SMTP transport and the sender's address of `settings`.
fn connect(settings: &SmtpSettings) -> Result<(Transport, Mailbox), String> {
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&settings.url)
        .map_err(|error| format!("the SMTP URL cannot be used: {error}"))?
        .timeout(Some(Duration::from_secs(20)))
        .build();
    let from = settings
        .from
        .parse()
        .map_err(|error| format!("the sender address cannot be used: {error}"))?;
    Ok((transport, from))
}

/// A file sent with a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    pub file_name: String,
    pub body: String,
}

/// The calendar's type, as mail programs expect it to offer "add to calendar".
const CALENDAR_TYPE: &str = "text/calendar; charset=utf-8; method=PUBLISH";

fn message(
    from: &Mailbox,
    to: &str,
    subject: &str,
    body: String,
    attachment: Option<Attachment>,
) -> Result<Message, String> {
    let to: Mailbox = to
        .parse()
        .map_err(|error: lettre::address::AddressError| error.to_string())?;
    let builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(subject);
    let built = match attachment {
        None => builder.header(ContentType::TEXT_PLAIN).body(body),
        Some(attachment) => {
            let calendar = ContentType::parse(CALENDAR_TYPE).map_err(|error| error.to_string())?;
            builder.multipart(
                MultiPart::mixed()
                    .singlepart(SinglePart::plain(body))
                    .singlepart(
                        lettre::message::Attachment::new(attachment.file_name)
                            .body(attachment.body, calendar),
                    ),
            )
        }
    };
    built.map_err(|error| error.to_string())
}

/// The calendar file that a message confirming a place (and the reminder) carries. It is made
/// as the message is sent, so it holds the training's days as they are then.
async fn calendar_attachment(
    store: &Store,
    links: &PrivateLinks,
    mail: &QueuedMail,
) -> Result<Option<Attachment>, String> {
    let carries_calendar =
        mail.kind == MailKind::Confirmed.name() || mail.kind == MailKind::Reminder.name();
    let Some(training_id) = mail.training_id.filter(|_| carries_calendar) else {
        return Ok(None);
    };
    let training = store
        .training(training_id)
        .await
        .map_err(|error| error.to_string())?;
    let lang = Lang::from_tag(&mail.lang).unwrap_or(Lang::Ja);
    Ok(Some(Attachment {
        file_name: feeds::training_calendar_file_name(&training),
        body: feeds::training_calendar(lang, &training, &links.public_url),
    }))
}

/// Sends messages at once, without the outbox, for mail that must not be stored (a
/// questionnaire's one-time code: kept with the address, it would tie the code to the person).
/// Answers, for each message in order, whether it was handed to the mail server.
pub async fn send_unstored(
    settings: &SmtpSettings,
    messages: &[(String, String, String)],
) -> Result<Vec<bool>, String> {
    let (transport, from) = connect(settings)?;
    let mut sent = Vec::with_capacity(messages.len());
    for (to, subject, body) in messages {
        let outcome = match message(&from, to, subject, body.clone(), None) {
            Ok(message) => transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Err(error) => Err(error),
        };
        if let Err(error) = &outcome {
            // The address and the error only: never the message, which holds the code.
            tracing::warn!(%error, "could not send a questionnaire code");
        }
        sent.push(outcome.is_ok());
    }
    Ok(sent)
}

/// Sends what waits in the outbox, every few seconds, until the process ends.
pub async fn run_sender(
    store: Store,
    settings: SmtpSettings,
    links: PrivateLinks,
    clock: crate::Clock,
    every: Duration,
) {
    let (transport, from) = match connect(&settings) {
        Ok(parts) => parts,
        Err(error) => {
            tracing::error!(%error, "the mail settings cannot be used; mail stays in the outbox");
            return;
        }
    };
    let mut interval = tokio::time::interval(every);
    loop {
        interval.tick().await;
        if let Err(error) = send_waiting(&store, &transport, &from, &links, &clock).await {
            tracing::warn!(%error, "could not read the outbox");
        }
    }
}

/// A message's body with its private link put in, made from its application's nonce.
async fn with_link(
    store: &Store,
    links: &PrivateLinks,
    mail: &QueuedMail,
) -> Result<String, String> {
    if !mail.body.contains(LINK_MARK) {
        return Ok(mail.body.clone());
    }
    let application = match mail.application_id {
        Some(id) => store
            .application(id)
            .await
            .map_err(|error| error.to_string())?,
        None => return Err("the message names no application for its link".to_owned()),
    };
    let lang = Lang::from_tag(&application.lang).unwrap_or(Lang::Ja);
    Ok(mail
        .body
        .replace(LINK_MARK, &links.link(lang, &application.manage_nonce)))
}

async fn send_waiting(
    store: &Store,
    transport: &Transport,
    from: &Mailbox,
    links: &PrivateLinks,
    clock: &crate::Clock,
) -> Result<(), StoreError> {
    for mail in store.claim_mail(clock(), 20).await? {
        let message = match (
            with_link(store, links, &mail).await,
            calendar_attachment(store, links, &mail).await,
        ) {
            (Ok(body), Ok(attachment)) => {
                message(from, &mail.recipient, &mail.subject, body, attachment)
            }
            (Err(error), _) | (_, Err(error)) => Err(error),
        };
        let outcome = match message {
            Ok(message) => transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|error| error.to_string()),
            Err(error) => Err(error),
        };
        match outcome {
            Ok(()) => store.mark_mail_sent(mail.id, clock()).await?,
            Err(error) => {
                tracing::warn!(%error, mail = mail.id, "could not send a message");
                store.mark_mail_failed(mail.id, &error, clock()).await?;
            }
        }
    }
    Ok(())
}
