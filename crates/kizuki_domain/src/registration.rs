//! Applying for a training: who may apply when, what an application must contain, and how a
//! new application is placed (a held seat, or the waitlist).

use jiff::civil::Date;

use crate::catalogue::TrainingStatus;
use crate::email::EmailAddress;
use crate::text;

/// The backgrounds an applicant may tick; several may apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Background {
    PeerSupporter,
    ServiceUserNow,
    ServiceUserBefore,
    ServiceProviderNow,
    ServiceProviderBefore,
    Family,
    Researcher,
    Other,
    /// 「答えたくない」: chosen instead of the others, and counted as itself.
    PreferNotToSay,
}

impl Background {
    pub const ALL: [Background; 9] = [
        Background::PeerSupporter,
        Background::ServiceUserNow,
        Background::ServiceUserBefore,
        Background::ServiceProviderNow,
        Background::ServiceProviderBefore,
        Background::Family,
        Background::Researcher,
        Background::Other,
        Background::PreferNotToSay,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Background::PeerSupporter => "peer_supporter",
            Background::ServiceUserNow => "service_user_now",
            Background::ServiceUserBefore => "service_user_before",
            Background::ServiceProviderNow => "service_provider_now",
            Background::ServiceProviderBefore => "service_provider_before",
            Background::Family => "family",
            Background::Researcher => "researcher",
            Background::Other => "other",
            Background::PreferNotToSay => "prefer_not_to_say",
        }
    }

    /// The choice that declines the question rather than answering it.
    pub fn is_refusal(self) -> bool {
        self == Background::PreferNotToSay
    }

    pub fn parse(text: &str) -> Option<Background> {
        Background::ALL
            .into_iter()
            .find(|background| background.as_str() == text.trim())
    }
}

/// Why an application cannot be taken now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Closed {
    NotOpen,
    NotYet,
    Over,
    NoCapacity,
}

/// Applications are taken while the training says so and the window (if any) is open.
pub fn accepting(
    status: TrainingStatus,
    capacity: Option<i64>,
    open: Option<Date>,
    close: Option<Date>,
    today: Date,
) -> Result<i64, Closed> {
    if status != TrainingStatus::ApplicationOpen {
        return Err(Closed::NotOpen);
    }
    if open.is_some_and(|open| today < open) {
        return Err(Closed::NotYet);
    }
    if close.is_some_and(|close| today > close) {
        return Err(Closed::Over);
    }
    capacity
        .filter(|capacity| *capacity > 0)
        .ok_or(Closed::NoCapacity)
}

/// An application as typed, before it is checked.
#[derive(Clone, Debug, Default)]
pub struct ApplicationForm {
    pub name: String,
    pub furigana: String,
    pub email: String,
    pub phone: String,
    pub backgrounds: Vec<String>,
    pub background_other: String,
    pub motivation: String,
    pub access_needs: String,
    /// The applicant agrees that the training's facilitators read their access needs too (the
    /// organisers always do).
    pub share_access_needs: bool,
    pub consent: bool,
    /// The frame (枠) chosen, by id, when the training has frames.
    pub frame: Option<String>,
    /// Answers to the training's own questions, by question id.
    pub answers: Vec<(i64, String)>,
}

/// A training's own question, asked after the standard ones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    pub id: i64,
    pub required: bool,
}

/// What a training asks beyond the standard form.
#[derive(Clone, Debug, Default)]
pub struct Asks {
    pub frame_ids: Vec<i64>,
    pub questions: Vec<Question>,
}

/// A checked application, ready to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Application {
    pub name: String,
    pub furigana: String,
    pub email: EmailAddress,
    pub phone: String,
    pub backgrounds: Vec<Background>,
    pub background_other: String,
    pub motivation: String,
    pub access_needs: String,
    /// Facilitators may read the access needs (only ever true when there are some).
    pub share_access_needs: bool,
    pub frame_id: Option<i64>,
    pub answers: Vec<(i64, String)>,
}

pub const MAX_FREE_TEXT_CHARS: usize = 4000;

/// The version of the privacy notice applicants agree to; recorded with each application.
pub const PRIVACY_NOTICE_VERSION: &str = "2026-12";

/// A mistake in an application: the field and a message key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mistake {
    pub field: String,
    pub message: &'static str,
}

/// The form field of a training's own question.
pub fn question_field(id: i64) -> String {
    format!("question_{id}")
}

pub fn check(form: &ApplicationForm, asks: &Asks) -> Result<Application, Vec<Mistake>> {
    let mut mistakes = Vec::new();
    let mut mistake = |field: &str, message| {
        mistakes.push(Mistake {
            field: field.to_owned(),
            message,
        })
    };
    let name = text::normalize_line(&form.name);
    if name.is_empty() || name.chars().count() > 100 {
        mistake("name", "apply.error.name");
    }
    let furigana = text::normalize_line(&form.furigana);
    if furigana.chars().count() > 100 {
        mistake("furigana", "apply.error.furigana");
    }
    let email = EmailAddress::parse(&form.email);
    match email {
        Ok(_) => {}
        Err(crate::email::EmailError::Invisible) => {
            mistake("email", "apply.error.email_invisible");
        }
        Err(_) => mistake("email", "apply.error.email"),
    }
    let phone = text::normalize_line(&form.phone);
    if phone.chars().count() > 30
        || !phone
            .chars()
            .all(|c| c.is_ascii_digit() || "+-() ".contains(c))
    {
        mistake("phone", "apply.error.phone");
    }
    let mut backgrounds = Vec::new();
    for text in &form.backgrounds {
        match Background::parse(text) {
            Some(background) if !backgrounds.contains(&background) => backgrounds.push(background),
            Some(_) => {}
            None => mistake("backgrounds", "apply.error.background"),
        }
    }
    backgrounds.sort();
    if backgrounds.is_empty() {
        mistake("backgrounds", "apply.error.no_background");
    } else if backgrounds.len() > 1 && backgrounds.iter().any(|b| b.is_refusal()) {
        mistake("backgrounds", "apply.error.background_refusal_alone");
    }
    let background_other = text::normalize_line(&form.background_other);
    let motivation = text::normalize(&form.motivation);
    let access_needs = text::normalize(&form.access_needs);
    if background_other.chars().count() > 200 {
        mistake("background_other", "apply.error.too_long");
    }
    if motivation.chars().count() > MAX_FREE_TEXT_CHARS {
        mistake("motivation", "apply.error.too_long");
    }
    if access_needs.chars().count() > MAX_FREE_TEXT_CHARS {
        mistake("access_needs", "apply.error.too_long");
    }
    let frame_id = form
        .frame
        .as_deref()
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .and_then(|text| text.parse::<i64>().ok().or(Some(-1)));
    let frame_id = match (asks.frame_ids.is_empty(), frame_id) {
        (true, _) => None,
        (false, Some(id)) if asks.frame_ids.contains(&id) => Some(id),
        (false, Some(_)) => {
            mistake("frame", "apply.error.frame");
            None
        }
        (false, None) => {
            mistake("frame", "apply.error.no_frame");
            None
        }
    };
    let mut answers = Vec::new();
    for question in &asks.questions {
        let answer = form
            .answers
            .iter()
            .find(|(id, _)| *id == question.id)
            .map(|(_, text)| text::normalize(text))
            .unwrap_or_default();
        let field = question_field(question.id);
        if question.required && answer.is_empty() {
            mistake(&field, "apply.error.answer_required");
        } else if answer.chars().count() > MAX_FREE_TEXT_CHARS {
            mistake(&field, "apply.error.too_long");
        } else if !answer.is_empty() {
            answers.push((question.id, answer));
        }
    }
    if !form.consent {
        mistake("consent", "apply.error.consent");
    }
    match (email, mistakes.is_empty()) {
        (Ok(email), true) => Ok(Application {
            name,
            furigana,
            email,
            phone,
            backgrounds,
            background_other,
            motivation,
            share_access_needs: form.share_access_needs && !access_needs.is_empty(),
            access_needs,
            frame_id,
            answers,
        }),
        _ => Err(mistakes),
    }
}

/// Below this, a count is shown only as "fewer than" it, so that no small group of people can
/// be singled out.
pub const SMALLEST_SHOWN_COUNT: i64 = 5;

/// How many participants ticked each background (several may apply, so the counts do not add up
/// to the number of people). Counts below [`SMALLEST_SHOWN_COUNT`] come back as `None`.
/// `retained` adds the counts kept after a training's personal data was purged.
pub fn count_backgrounds<'a>(
    lists: impl IntoIterator<Item = &'a str>,
    retained: impl IntoIterator<Item = (&'a str, i64)>,
) -> Vec<(Background, Option<i64>)> {
    let mut counts = [0i64; Background::ALL.len()];
    for (name, count) in retained {
        if let Some(index) =
            Background::parse(name).and_then(|b| Background::ALL.iter().position(|x| *x == b))
        {
            counts[index] += count;
        }
    }
    for list in lists {
        for name in list.split(',') {
            if let Some(index) =
                Background::parse(name).and_then(|b| Background::ALL.iter().position(|x| *x == b))
            {
                counts[index] += 1;
            }
        }
    }
    // No total is shown beside these counts (several backgrounds may apply to one person), so
    // each stands alone; protection still goes through the one function every table uses.
    let shown = crate::questionnaire::suppression::standalone(&counts, SMALLEST_SHOWN_COUNT);
    Background::ALL
        .iter()
        .zip(shown)
        .map(|(background, shown)| (*background, shown.count()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn good() -> ApplicationForm {
        ApplicationForm {
            name: "山田 花子".into(),
            furigana: "やまだ はなこ".into(),
            email: "Hanako@Example.jp".into(),
            backgrounds: vec!["service_user_before".into(), "peer_supporter".into()],
            consent: true,
            ..ApplicationForm::default()
        }
    }

    #[test]
    fn prefer_not_to_say_is_an_answer_on_its_own() {
        let declined = ApplicationForm {
            backgrounds: vec!["prefer_not_to_say".into()],
            ..good()
        };
        assert_eq!(
            check(&declined, &Asks::default())
                .expect("valid")
                .backgrounds,
            vec![Background::PreferNotToSay]
        );
        let both = ApplicationForm {
            backgrounds: vec!["prefer_not_to_say".into(), "family".into()],
            ..good()
        };
        let mistakes = check(&both, &Asks::default()).expect_err("not both");
        assert_eq!(mistakes[0].field, "backgrounds");
        assert_eq!(mistakes[0].message, "apply.error.background_refusal_alone");
    }

    #[test]
    fn those_who_would_rather_not_say_are_counted_as_such() {
        let lists = ["prefer_not_to_say"; 6];
        let counts = count_backgrounds(lists.iter().copied(), [("prefer_not_to_say", 1)]);
        assert!(counts.contains(&(Background::PreferNotToSay, Some(7))));
        assert!(counts.contains(&(Background::Family, None)));
    }

    #[test]
    fn a_good_application_passes() {
        let application = check(&good(), &Asks::default()).expect("valid");
        assert_eq!(application.email.as_str(), "hanako@example.jp");
        assert_eq!(
            application.backgrounds,
            vec![Background::PeerSupporter, Background::ServiceUserBefore]
        );
    }

    #[test]
    fn each_mistake_is_named() {
        let form = ApplicationForm {
            name: String::new(),
            email: "nope".into(),
            phone: "call me".into(),
            backgrounds: vec!["astronaut".into()],
            motivation: "あ".repeat(MAX_FREE_TEXT_CHARS + 1),
            consent: false,
            ..ApplicationForm::default()
        };
        let fields: Vec<String> = check(&form, &Asks::default())
            .expect_err("mistakes")
            .into_iter()
            .map(|m| m.field)
            .collect();
        assert_eq!(
            fields,
            vec![
                "name",
                "email",
                "phone",
                "backgrounds",
                "backgrounds",
                "motivation",
                "consent"
            ]
        );
    }

    #[test]
    fn frames_and_own_questions_are_checked() {
        let asks = Asks {
            frame_ids: vec![3, 4],
            questions: vec![
                Question {
                    id: 7,
                    required: true,
                },
                Question {
                    id: 8,
                    required: false,
                },
            ],
        };
        let mistakes = check(&good(), &asks).expect_err("no frame, no answer");
        let fields: Vec<&str> = mistakes.iter().map(|m| m.field.as_str()).collect();
        assert_eq!(fields, vec!["frame", "question_7"]);
        let form = ApplicationForm {
            frame: Some("4".into()),
            answers: vec![(7, " 車で行きます ".into()), (9, "not asked".into())],
            ..good()
        };
        let application = check(&form, &asks).expect("valid");
        assert_eq!(application.frame_id, Some(4));
        assert_eq!(application.answers, vec![(7, "車で行きます".to_owned())]);
        let wrong = ApplicationForm {
            frame: Some("99".into()),
            ..form
        };
        assert_eq!(
            check(&wrong, &asks).expect_err("unknown frame")[0].message,
            "apply.error.frame"
        );
    }

    #[test]
    fn the_window_decides() {
        let today = date(2027, 1, 15);
        let open = TrainingStatus::ApplicationOpen;
        assert_eq!(
            accepting(
                open,
                Some(30),
                Some(date(2027, 1, 1)),
                Some(date(2027, 2, 1)),
                today
            ),
            Ok(30)
        );
        assert_eq!(
            accepting(open, Some(30), Some(date(2027, 1, 16)), None, today),
            Err(Closed::NotYet)
        );
        assert_eq!(
            accepting(open, Some(30), None, Some(date(2027, 1, 14)), today),
            Err(Closed::Over)
        );
        assert_eq!(
            accepting(TrainingStatus::Published, Some(30), None, None, today),
            Err(Closed::NotOpen)
        );
        assert_eq!(
            accepting(open, None, None, None, today),
            Err(Closed::NoCapacity)
        );
    }

    #[test]
    fn small_counts_are_hidden() {
        let lists = ["peer_supporter,service_user_now"; 6];
        let mut all: Vec<&str> = lists.to_vec();
        all.push("family");
        let counts = count_backgrounds(all, [("family", 4)]);
        assert_eq!(counts[0], (Background::PeerSupporter, Some(6)));
        assert_eq!(counts[1], (Background::ServiceUserNow, Some(6)));
        assert_eq!(
            counts[5],
            (Background::Family, Some(5)),
            "one person plus four kept after a purge"
        );
        assert_eq!(counts[2], (Background::ServiceUserBefore, None));
        assert_eq!(counts[7], (Background::Other, None));
    }
}
