//! Every role on every route, on a database with real records (the demo's), so that a route a
//! role may open is seen to open and one it may not is seen to be refused:
//!
//! - the route table itself is pinned (`tests/fixtures/route-permissions.txt`): loosening one
//!   route's permission fails here until the change is reviewed and the file updated;
//! - each role's grants are written out in this file ([`may`]), not read from the domain, so
//!   loosening the domain's table fails here as well as in its own unit test;
//! - the `SignedIn` routes that check the record themselves are asserted record by record;
//! - a researcher who is not a member of a KJ project gets 404 on every route of it.

use std::collections::BTreeMap;

use kizuki_domain::{Permission, Role};
use kizuki_web::route_specs;
use reqwest::Method;
use serde_json::json;

use crate::support::{TestApp, Visitor, find_secret};

const DEMO_PASSWORD: &str = "kizuki-demo";

/// The demo's accounts, one of each role.
const ROLES: [(&str, Role); 5] = [
    ("admin@example.jp", Role::Admin),
    ("organizer@example.jp", Role::Organizer),
    ("facilitator@example.jp", Role::Facilitator),
    ("host@example.jp", Role::Host),
    ("researcher@example.jp", Role::Researcher),
];

/// What each role may do, as this test expects it.
fn may(role: Role, permission: Permission) -> bool {
    match permission {
        Permission::Public | Permission::SignedIn => true,
        Permission::ManageUsers => role == Role::Admin,
        Permission::ManageEvents => matches!(role, Role::Admin | Role::Organizer),
        Permission::Research => matches!(role, Role::Admin | Role::Researcher),
        Permission::Evaluation => matches!(role, Role::Admin | Role::Organizer | Role::Researcher),
    }
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

/// The route's path without its `/en` twin's prefix.
fn japanese(path: &str) -> &str {
    kizuki_i18n::Lang::split_path(path).1
}

/// Routes of one KJ project (or one of its transcripts): membership decides, not the role.
fn is_project_route(path: &str) -> bool {
    let path = japanese(path);
    ["/research/projects/{id}", "/research/transcripts/{id}"]
        .iter()
        .chain(&["/api/v1/qda/projects/{id}", "/api/v1/qda/transcripts/{id}"])
        .any(|prefix| path.starts_with(prefix))
}

/// Ids of real records to put in each pattern.
struct Records {
    training: i64,
    group: i64,
    other_group: i64,
    /// A message to `group`'s hosts.
    message: i64,
    venue: i64,
    person: i64,
    questionnaire: i64,
    question: i64,
    application: i64,
    project: i64,
    transcript: i64,
}

impl Records {
    /// A path to request for a route pattern, with the ids of these records.
    fn path(&self, pattern: &str) -> String {
        let bare = japanese(pattern);
        let id = [
            ("/manage/trainings/", self.training),
            ("/trainings/", self.training),
            ("/api/v1/trainings/", self.training),
            ("/study-groups/", self.group),
            ("/manage/study-groups/", self.group),
            ("/api/v1/study-groups/", self.group),
            ("/manage/venues/", self.venue),
            ("/api/v1/venues/", self.venue),
            ("/manage/people/", self.person),
            ("/manage/questionnaires/", self.questionnaire),
            ("/api/v1/questionnaires/", self.questionnaire),
            ("/manage/applications/", self.application),
            ("/api/v1/applications/", self.application),
            ("/research/projects/", self.project),
            ("/api/v1/qda/projects/", self.project),
            ("/research/transcripts/", self.transcript),
            ("/api/v1/qda/transcripts/", self.transcript),
        ]
        .iter()
        .find(|(prefix, _)| bare.starts_with(&format!("{prefix}{{id}}")))
        .map(|(_, id)| id.to_string());
        let path = pattern
            .replace("{question}", &self.question.to_string())
            .replace("{message}", &self.message.to_string())
            .replace("{token}", "x")
            .replace("{name}", "x");
        let path = match &id {
            Some(id) => path.replacen("{id}", id, 1),
            None => path,
        };
        assert!(!path.contains('{'), "no record for {pattern}");
        // Pages that need a question to answer one.
        match bare {
            "/api/v1/qda/projects/{id}/agreement" | "/research/projects/{id}/agreement" => {
                format!("{path}?a=board&b=board")
            }
            _ => path,
        }
    }
}

async fn scalar(app: &TestApp, sql: &str) -> i64 {
    app.sql_number(sql)
        .await
        .unwrap_or_else(|| panic!("the demo has no record for {sql}"))
}

async fn records(app: &TestApp) -> Records {
    let host = app
        .store
        .user_by_email(&kizuki_domain::EmailAddress::parse("host@example.jp").unwrap())
        .await
        .unwrap()
        .id;
    let training = scalar(
        app,
        "SELECT MIN(id) FROM trainings WHERE status = 'application_open'",
    )
    .await;
    let group = scalar(app, "SELECT MIN(id) FROM study_groups").await;
    let other_group = scalar(app, "SELECT MAX(id) FROM study_groups").await;
    // The demo host hosts the first group and not the last.
    app.sql_execute(&format!(
        "INSERT INTO study_group_hosts (group_id, user_id) VALUES ({group}, {host})"
    ))
    .await;
    // The demo facilitator's account is linked to a facilitator; make them one of this
    // training's (the demo gives them half the trainings). Refusals for the trainings they do
    // not lead: enrolment.rs, a_facilitator_opens_the_lists_of_the_trainings_they_lead_only.
    let facilitator = app
        .store
        .user_by_email(&kizuki_domain::EmailAddress::parse("facilitator@example.jp").unwrap())
        .await
        .unwrap()
        .id;
    if !app
        .store
        .leads_training(facilitator, training)
        .await
        .unwrap()
    {
        app.sql_execute(&format!(
            "INSERT INTO training_facilitators (training_id, person_id, position) \
             SELECT {training}, id, 9 FROM people WHERE user_id = {facilitator}"
        ))
        .await;
    }
    let questionnaire = scalar(
        app,
        "SELECT MIN(id) FROM questionnaires WHERE training_id IS NOT NULL",
    )
    .await;
    let question = scalar(
        app,
        &format!(
            "SELECT MIN(id) FROM questionnaire_questions WHERE questionnaire_id = {questionnaire} \
             AND kind = 'free_text'"
        ),
    )
    .await;
    let applied = reqwest::Client::new()
        .post(format!(
            "{}/api/v1/trainings/{training}/applications",
            app.base_url()
        ))
        .json(&json!({
            "name": "役割 確認",
            "email": "walk@example.jp",
            "backgrounds": ["peer_supporter"],
            "consent": true
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(applied.status(), 201);
    let message = app
        .store
        .add_group_message(
            &kizuki_store::NewGroupMessage {
                group_id: group,
                sender_name: "役割 確認",
                sender_email: "walk@example.jp",
                body: "見学できますか。",
                lang: "ja",
                client_digest: "roles",
            },
            app.now(),
        )
        .await
        .unwrap();
    Records {
        training,
        group,
        other_group,
        message,
        venue: scalar(app, "SELECT MIN(id) FROM venues").await,
        person: scalar(app, "SELECT MIN(id) FROM people").await,
        questionnaire,
        question,
        application: scalar(app, "SELECT MIN(id) FROM applications").await,
        project: scalar(app, "SELECT MIN(id) FROM qda_projects").await,
        transcript: scalar(app, "SELECT MIN(id) FROM qda_transcripts").await,
    }
}

/// A signed-in visitor with the CSRF token of their forms and an API token of their own.
struct Person {
    role: Role,
    email: String,
    visitor: Visitor,
    csrf: String,
    api_token: String,
}

async fn person(app: &TestApp, email: &str, role: Role, password: &str) -> Person {
    let visitor = app.visitor();
    assert_eq!(
        visitor.sign_in(email, password).await.status(),
        303,
        "{email} signs in"
    );
    let page = visitor
        .submit("/account", "/account/tokens", &[("label", "walk")])
        .await
        .text()
        .await
        .unwrap();
    let api_token = find_secret(&page, "kzk_");
    let csrf = visitor.csrf_token("/dashboard").await;
    Person {
        role,
        email: email.to_owned(),
        visitor,
        csrf,
        api_token,
    }
}

impl Person {
    async fn request(&self, method: &Method, path: &str) -> u16 {
        let mut request = self
            .visitor
            .client
            .request(method.clone(), self.visitor.url(path));
        if is_api(path) {
            request = request.bearer_auth(&self.api_token);
            if method != Method::GET {
                request = request
                    .header("content-type", "application/json")
                    .body("{}");
            }
        } else if method != Method::GET {
            request = request.form(&[("csrf_token", self.csrf.as_str())]);
        }
        request.send().await.expect("request").status().as_u16()
    }
}

/// The answer each role gets from a `SignedIn` route that checks the record itself, where it
/// differs from "open to everyone signed in".
fn record_rule(role: Role, method: &Method, path: &str) -> Option<u16> {
    let organiser = matches!(role, Role::Admin | Role::Organizer);
    match (method.as_str(), japanese(path)) {
        // Organisers, and the hosts of this group (the demo host hosts it).
        ("GET", "/manage/study-groups/{id}/edit" | "/manage/study-groups/{id}/messages")
        | (
            "POST",
            "/manage/study-groups/{id}"
            | "/manage/study-groups/{id}/meetings"
            | "/manage/study-groups/{id}/messages/{message}/read"
            | "/manage/study-groups/{id}/messages/{message}/reply",
        )
        | ("PUT", "/api/v1/study-groups/{id}") => (!organiser && role != Role::Host).then_some(403),
        // Names of the confirmed participants, and who came: organisers, and the facilitators
        // of this training (the demo facilitator is made one above).
        ("GET", "/manage/trainings/{id}/participants" | "/manage/trainings/{id}/attendance")
        | ("POST", "/manage/trainings/{id}/attendance") => {
            matches!(role, Role::Host | Role::Researcher).then_some(403)
        }
        // No lottery is drawn for the demo's training: there is nothing to show yet.
        ("GET", "/manage/trainings/{id}/lottery.json" | "/api/v1/trainings/{id}/lottery") => {
            organiser.then_some(404)
        }
        _ => None,
    }
}

#[tokio::test]
async fn the_route_table_is_the_one_reviewed() {
    let table: Vec<String> = route_specs()
        .iter()
        .map(|spec| format!("{} {} {}", spec.method, spec.path, spec.permission.as_str()))
        .collect();
    let now: std::collections::BTreeSet<&str> = table.iter().map(String::as_str).collect();
    assert_eq!(now.len(), table.len(), "a route is listed twice");
    let reviewed = include_str!("../../../../tests/fixtures/route-permissions.txt");
    let before: std::collections::BTreeSet<&str> = reviewed.lines().collect();
    if now != before {
        panic!(
            "the route table changed; review each line, then write the new table to \
             tests/fixtures/route-permissions.txt (one line each, sorted).\nadded or changed:\n{}\nremoved or changed:\n{}",
            now.difference(&before)
                .copied()
                .collect::<Vec<_>>()
                .join("\n"),
            before
                .difference(&now)
                .copied()
                .collect::<Vec<_>>()
                .join("\n"),
        );
    }
}

#[tokio::test]
async fn every_role_opens_what_it_may_and_is_refused_the_rest() {
    let app = TestApp::builder().demo().no_rate_limit().build().await;
    let records = records(&app).await;
    let mut people = Vec::new();
    for (email, role) in ROLES {
        people.push(person(&app, email, role, DEMO_PASSWORD).await);
    }
    let specs = route_specs();
    let mut failures = Vec::new();
    let mut checked = BTreeMap::<String, usize>::new();
    // Every GET first, by every role: nothing has changed yet, so each may be expected to open.
    // Then every other method, which may change what later requests find, so a granted one is
    // only required not to be refused (a 400 or 422 for the empty body, or a 404 for a record
    // not in the state the action needs, is the handler speaking). Deletions come after the
    // rest, and signing out last of all.
    let mut order: Vec<_> = specs.iter().collect();
    order.sort_by_key(|spec| {
        (
            spec.method != Method::GET,
            japanese(&spec.path) == "/logout",
            spec.method == Method::DELETE || spec.path.ends_with("/delete"),
        )
    });
    for spec in order {
        if spec.permission == Permission::Public {
            continue;
        }
        let path = records.path(&spec.path);
        for person in &mut people {
            let status = person.request(&spec.method, &path).await;
            if japanese(&spec.path) == "/logout" {
                // The session has ended, and its form tokens with it: a page read now gives
                // the signed-out browser's token.
                person.csrf = person.visitor.csrf_token("/login").await;
            }
            *checked.entry(person.email.clone()).or_default() += 1;
            let granted = may(person.role, spec.permission);
            let expected = if !granted {
                Some(403)
            } else if is_project_route(&spec.path) && person.role == Role::Admin {
                // Membership decides; the administrator is not a member of the demo project.
                Some(404)
            } else {
                record_rule(person.role, &spec.method, &spec.path)
            };
            let fine = match expected {
                Some(expected) => status == expected,
                None if spec.method == Method::GET => status == 200,
                None => !matches!(status, 401 | 403) && status < 500,
            };
            if !fine {
                failures.push(format!(
                    "{} {path} as {} ({:?}): {status}, expected {}",
                    spec.method,
                    person.email,
                    person.role,
                    expected.map_or_else(
                        || if spec.method == Method::GET {
                            "200".to_owned()
                        } else {
                            "not refused".to_owned()
                        },
                        |code| code.to_string()
                    )
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of the role × route pairs are wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let routes = specs
        .iter()
        .filter(|spec| spec.permission != Permission::Public)
        .count();
    assert!(routes > 150, "the walk covered {routes} routes");
    assert!(
        checked.values().all(|&count| count == routes),
        "{checked:?}"
    );
}

#[tokio::test]
async fn a_host_edits_only_the_groups_they_host() {
    let app = TestApp::builder().demo().build().await;
    let records = records(&app).await;
    let host = person(&app, "host@example.jp", Role::Host, DEMO_PASSWORD).await;
    let mine = format!("/manage/study-groups/{}/edit", records.group);
    let theirs = format!("/manage/study-groups/{}/edit", records.other_group);
    assert_eq!(host.request(&Method::GET, &mine).await, 200);
    assert_eq!(host.request(&Method::GET, &theirs).await, 403);
    let form = format!("/manage/study-groups/{}", records.other_group);
    assert_eq!(host.request(&Method::POST, &form).await, 403);
    let api = format!("/api/v1/study-groups/{}", records.other_group);
    assert_eq!(host.request(&Method::PUT, &api).await, 403);
    // Their messages too: read only by the group's own hosts and the organisers.
    let mine = format!("/manage/study-groups/{}/messages", records.group);
    let theirs = format!("/manage/study-groups/{}/messages", records.other_group);
    assert_eq!(host.request(&Method::GET, &mine).await, 200);
    assert_eq!(host.request(&Method::GET, &theirs).await, 403);
}

#[tokio::test]
async fn a_researcher_who_is_not_a_member_finds_no_project_anywhere() {
    let app = TestApp::builder()
        .demo()
        .no_rate_limit()
        .user("outsider@example.jp", Role::Researcher)
        .build()
        .await;
    let records = records(&app).await;
    let outsider = person(
        &app,
        "outsider@example.jp",
        Role::Researcher,
        crate::support::PASSWORD,
    )
    .await;
    let mut failures = Vec::new();
    let mut checked = 0;
    for spec in route_specs()
        .iter()
        .filter(|spec| is_project_route(&spec.path))
    {
        let path = records.path(&spec.path);
        let status = outsider.request(&spec.method, &path).await;
        checked += 1;
        if status != 404 {
            failures.push(format!("{} {path}: {status}", spec.method));
        }
    }
    assert!(checked > 60, "only {checked} project routes");
    assert!(
        failures.is_empty(),
        "a non-member reached a project:\n{}",
        failures.join("\n")
    );
    // And the member, for contrast, opens the project.
    let member = person(
        &app,
        "researcher@example.jp",
        Role::Researcher,
        DEMO_PASSWORD,
    )
    .await;
    assert_eq!(
        member
            .request(
                &Method::GET,
                &format!("/research/projects/{}", records.project)
            )
            .await,
        200
    );
}
