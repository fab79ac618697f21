//! Demo data: fictional but realistic content for trying Kizuki out. Each part of the product
//! adds its own content here. Nothing is added to a database that already has accounts.

use anyhow::{Result, anyhow};
use kizuki_domain::{EmailAddress, Role, Timestamp, password};
use kizuki_store::{NewUser, Store};

mod catalogue;
mod kj;
mod questionnaires;

/// The password of every demo account. Demo data is for trying things out on one's own machine,
/// never for a server others can reach.
pub const DEMO_PASSWORD: &str = "kizuki-demo";

/// (email, name, role). Names are common Japanese names chosen for the demo; the addresses use
/// the reserved `example.jp` domain, so no mail can reach a real person.
const DEMO_ACCOUNTS: [(&str, &str, Role); 5] = [
    ("admin@example.jp", "山田 陽子", Role::Admin),
    ("organizer@example.jp", "佐藤 健一", Role::Organizer),
    ("facilitator@example.jp", "鈴木 美咲", Role::Facilitator),
    ("host@example.jp", "高橋 誠", Role::Host),
    ("researcher@example.jp", "田中 由美", Role::Researcher),
];

pub enum DemoOutcome {
    Filled {
        accounts: usize,
        trainings: usize,
        groups: usize,
    },
    AlreadyHasData,
}

pub async fn fill(store: &Store, now: Timestamp) -> Result<DemoOutcome> {
    if store.count_users().await? > 0 {
        return Ok(DemoOutcome::AlreadyHasData);
    }
    let mut salt = [0u8; password::SALT_LENGTH];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut salt);
    // One hash for all demo accounts: they share a password, and hashing is deliberately slow.
    let hash = password::hash(DEMO_PASSWORD, &salt).map_err(|error| anyhow!("{error}"))?;
    let mut researcher = None;
    let mut facilitator = None;
    let mut host = None;
    for (email, name, role) in DEMO_ACCOUNTS {
        let email = EmailAddress::parse(email).map_err(|error| anyhow!("{error}"))?;
        let id = store
            .create_user(NewUser {
                email: &email,
                display_name: name,
                role,
                password_hash: Some(&hash),
                now,
            })
            .await?;
        if role == Role::Researcher {
            researcher = Some(id);
        }
        if role == Role::Facilitator {
            facilitator = Some(id);
        }
        if role == Role::Host {
            host = Some(id);
        }
    }
    store
        .save_operator_profile(
            &kizuki_store::OperatorProfile {
                organisation: "IPS 研修の評価と普及に関する研究班（デモ）".to_owned(),
                organisation_en: "Research group on IPS training and its evaluation (demo)"
                    .to_owned(),
                representative: "研究代表者 山田 花子".to_owned(),
                representative_en: "Principal investigator: Hanako Yamada".to_owned(),
                address: "〒100-0001 東京都千代田区千代田 1-1 デモ会館 3 階".to_owned(),
                address_en: "Demo Hall 3F, 1-1 Chiyoda, Chiyoda-ku, Tokyo 100-0001".to_owned(),
                email: "office@example.jp".to_owned(),
                phone: "03-0000-0000".to_owned(),
                hours: "平日 10時〜17時".to_owned(),
                hours_en: "weekdays 10:00–17:00".to_owned(),
            },
            now,
        )
        .await?;
    let (trainings, groups, last_held) = catalogue::fill(store, host, now).await?;
    // The demo facilitator's account is 森本 和子's, who leads half the trainings: they open
    // those participant lists and no others.
    if let Some(person) = store
        .people()
        .await?
        .into_iter()
        .find(|p| p.name == "森本 和子")
    {
        store
            .update_person(
                person.id,
                &kizuki_store::PersonInput {
                    name: &person.name,
                    name_en: &person.name_en,
                    bio: &person.bio,
                    bio_en: &person.bio_en,
                    user_id: facilitator,
                },
            )
            .await?;
    }
    let researcher = researcher.ok_or_else(|| anyhow!("no demo researcher"))?;
    questionnaires::fill(store, last_held, researcher, now).await?;
    kj::fill(store, researcher, now).await?;
    Ok(DemoOutcome::Filled {
        accounts: DEMO_ACCOUNTS.len(),
        trainings,
        groups,
    })
}

pub async fn fill_and_report(store: &Store, now: Timestamp) -> Result<()> {
    match fill(store, now).await? {
        DemoOutcome::Filled {
            accounts,
            trainings,
            groups,
        } => {
            eprintln!(
                "Demo data added: {trainings} past trainings and 3 to come, {groups} study groups,"
            );
            eprintln!("and {accounts} accounts, all with the password {DEMO_PASSWORD:?}:");
            for (email, name, role) in DEMO_ACCOUNTS {
                eprintln!("  {email:<24} {name}  ({role})");
            }
        }
        DemoOutcome::AlreadyHasData => {
            eprintln!("The database already has accounts; no demo data was added.");
        }
    }
    Ok(())
}
