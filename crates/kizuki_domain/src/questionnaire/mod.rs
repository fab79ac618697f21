//! Anonymous evaluation questionnaires: the questions, the checks on an answer, the codes people
//! type from a slip, small-cell suppression and agreement between two coders.

pub mod agreement;
pub mod code;
pub mod disclosure;
pub mod mixing;
pub mod suppression;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::text;

/// The smallest number of answers (and the smallest count in any cell) shown, unless an
/// administrator lowers it for one questionnaire.
pub const DEFAULT_MIN_CELL: i64 = 5;
pub const MAX_ANSWER_CHARS: usize = 4000;
pub const MAX_QUESTIONS: usize = 30;
pub const MAX_OPTIONS: usize = 12;
pub const MAX_TOKENS_AT_ONCE: i64 = 500;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    FreeText,
    SingleChoice,
    MultipleChoice,
    Rating,
}

impl QuestionKind {
    pub const ALL: [QuestionKind; 4] = [
        QuestionKind::FreeText,
        QuestionKind::SingleChoice,
        QuestionKind::MultipleChoice,
        QuestionKind::Rating,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            QuestionKind::FreeText => "free_text",
            QuestionKind::SingleChoice => "single_choice",
            QuestionKind::MultipleChoice => "multiple_choice",
            QuestionKind::Rating => "rating",
        }
    }

    pub fn parse(text: &str) -> Option<QuestionKind> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text)
    }

    /// Answers that fall into a fixed set of values, which can be counted and cross-tabulated.
    pub fn is_closed(self) -> bool {
        !matches!(self, QuestionKind::FreeText)
    }
}

/// One choice of a choice question, or one end of a rating scale, in both languages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub label: String,
    #[serde(default)]
    pub label_en: String,
}

/// A question as the respondent sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    pub id: i64,
    pub kind: QuestionKind,
    pub prompt: String,
    pub prompt_en: String,
    /// The choices of a choice question; for a rating scale, the labels of its two ends.
    pub options: Vec<Choice>,
    /// The number of points on a rating scale (2–10); 0 for other kinds.
    pub scale: i64,
}

impl Question {
    /// The question without its id, to copy into another questionnaire.
    pub fn to_new(&self) -> NewQuestion {
        NewQuestion {
            kind: self.kind,
            prompt: self.prompt.clone(),
            prompt_en: self.prompt_en.clone(),
            options: self.options.clone(),
            scale: self.scale,
        }
    }

    /// The values a closed question's answer can take, numbered from 1.
    pub fn values(&self) -> i64 {
        match self.kind {
            QuestionKind::FreeText => 0,
            QuestionKind::SingleChoice | QuestionKind::MultipleChoice => self.options.len() as i64,
            QuestionKind::Rating => self.scale,
        }
    }
}

/// One stored answer. Choices are numbered from 1 in the order they are shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Answer {
    Text(String),
    Number(i64),
    Numbers(Vec<i64>),
}

impl Answer {
    /// The values of a closed answer (empty for text).
    pub fn values(&self) -> Vec<i64> {
        match self {
            Answer::Text(_) => Vec::new(),
            Answer::Number(n) => vec![*n],
            Answer::Numbers(ns) => ns.clone(),
        }
    }

    pub fn text(&self) -> Option<&str> {
        match self {
            Answer::Text(text) => Some(text),
            _ => None,
        }
    }
}

/// A mistake in a submitted questionnaire: the field (`q{id}`, or `answers`) and a message key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mistake {
    pub field: String,
    pub message: &'static str,
}

/// The form field of a question.
pub fn field(id: i64) -> String {
    format!("q{id}")
}

/// Checks what a respondent sent: for each question id, the raw values (one for text, single
/// choice and rating; any number for multiple choice). Every question may be left blank, but
/// not all of them: an empty questionnaire would use up the slip for nothing.
pub fn check(
    questions: &[Question],
    submitted: &BTreeMap<i64, Vec<String>>,
) -> Result<BTreeMap<i64, Answer>, Vec<Mistake>> {
    let mut mistakes = Vec::new();
    let mut answers = BTreeMap::new();
    for id in submitted.keys() {
        if !questions.iter().any(|q| q.id == *id) {
            mistakes.push(Mistake {
                field: field(*id),
                message: "answer.error.unknown_question",
            });
        }
    }
    for question in questions {
        let raw: Vec<&str> = submitted
            .get(&question.id)
            .map(|values| {
                values
                    .iter()
                    .map(|v| v.trim())
                    .filter(|v| !v.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        match read(question, &raw) {
            Ok(Some(answer)) => {
                answers.insert(question.id, answer);
            }
            Ok(None) => {}
            Err(message) => mistakes.push(Mistake {
                field: field(question.id),
                message,
            }),
        }
    }
    if mistakes.is_empty() && answers.is_empty() {
        mistakes.push(Mistake {
            field: "answers".to_owned(),
            message: "answer.error.empty",
        });
    }
    if mistakes.is_empty() {
        Ok(answers)
    } else {
        Err(mistakes)
    }
}

fn read(question: &Question, raw: &[&str]) -> Result<Option<Answer>, &'static str> {
    if question.kind == QuestionKind::FreeText {
        let text = text::normalize(&raw.join("\n"));
        return match text.chars().count() {
            0 => Ok(None),
            n if n > MAX_ANSWER_CHARS => Err("answer.error.too_long"),
            _ => Ok(Some(Answer::Text(text))),
        };
    }
    let mut values = Vec::new();
    for value in raw {
        match value.parse::<i64>() {
            Ok(n) if (1..=question.values()).contains(&n) => values.push(n),
            _ => return Err("answer.error.not_a_choice"),
        }
    }
    values.sort_unstable();
    values.dedup();
    match (question.kind, values.as_slice()) {
        (_, []) => Ok(None),
        (QuestionKind::MultipleChoice, _) => Ok(Some(Answer::Numbers(values))),
        (_, [one]) => Ok(Some(Answer::Number(*one))),
        _ => Err("answer.error.one_only"),
    }
}

/// A question as an organiser writes it; checked by [`check_question`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QuestionDraft {
    pub kind: String,
    pub prompt: String,
    pub prompt_en: String,
    /// One choice per line, Japanese and English split by ` | `; for a rating, its two ends.
    pub options: String,
    pub scale: String,
}

/// A checked question, without its id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewQuestion {
    pub kind: QuestionKind,
    pub prompt: String,
    pub prompt_en: String,
    pub options: Vec<Choice>,
    pub scale: i64,
}

pub fn check_question(draft: &QuestionDraft) -> Result<NewQuestion, Vec<Mistake>> {
    let mut mistakes = Vec::new();
    let mut mistake = |field: &str, message| {
        mistakes.push(Mistake {
            field: field.to_owned(),
            message,
        })
    };
    let kind = QuestionKind::parse(draft.kind.trim());
    if kind.is_none() {
        mistake("kind", "questionnaire.error.kind");
    }
    let prompt = text::normalize(&draft.prompt);
    if prompt.is_empty() || prompt.chars().count() > 500 {
        mistake("prompt", "questionnaire.error.prompt");
    }
    let prompt_en = text::normalize(&draft.prompt_en);
    if prompt_en.chars().count() > 500 {
        mistake("prompt_en", "questionnaire.error.prompt");
    }
    let options: Vec<Choice> = text::normalize(&draft.options)
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| {
            let (label, label_en) = line.split_once('|').unwrap_or((line, ""));
            Choice {
                label: text::normalize_line(label),
                label_en: text::normalize_line(label_en),
            }
        })
        .collect();
    let too_long = options
        .iter()
        .any(|o| o.label.is_empty() || o.label.chars().count() > 200);
    let scale = match kind {
        Some(QuestionKind::Rating) => match draft.scale.trim().parse::<i64>() {
            Ok(points @ 2..=10) => points,
            _ => {
                mistake("scale", "questionnaire.error.scale");
                0
            }
        },
        _ => 0,
    };
    match kind {
        Some(QuestionKind::SingleChoice | QuestionKind::MultipleChoice)
            if options.len() < 2 || options.len() > MAX_OPTIONS || too_long =>
        {
            mistake("options", "questionnaire.error.options")
        }
        Some(QuestionKind::Rating) if options.len() != 2 || too_long => {
            mistake("options", "questionnaire.error.scale_ends")
        }
        _ => {}
    }
    match kind {
        Some(kind) if mistakes.is_empty() => Ok(NewQuestion {
            kind,
            prompt,
            prompt_en,
            options: if kind == QuestionKind::FreeText {
                Vec::new()
            } else {
                options
            },
            scale,
        }),
        _ => Err(mistakes),
    }
}

/// Where a questionnaire stands, from its times.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Not yet open (no opening time, or it is still ahead).
    Draft,
    Open,
    /// Closed: answers are refused, results may be read.
    Closed,
}

pub fn phase(
    opens_at: Option<crate::Timestamp>,
    closes_at: Option<crate::Timestamp>,
    now: crate::Timestamp,
) -> Phase {
    match (opens_at, closes_at) {
        (_, Some(close)) if now >= close => Phase::Closed,
        (Some(open), _) if now >= open => Phase::Open,
        _ => Phase::Draft,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn questions() -> Vec<Question> {
        vec![
            Question {
                id: 1,
                kind: QuestionKind::FreeText,
                prompt: "研修はいかがでしたか".into(),
                prompt_en: "How was the training for you?".into(),
                options: vec![],
                scale: 0,
            },
            Question {
                id: 2,
                kind: QuestionKind::SingleChoice,
                prompt: "また参加したいですか".into(),
                prompt_en: String::new(),
                options: vec![
                    Choice {
                        label: "はい".into(),
                        label_en: "Yes".into(),
                    },
                    Choice {
                        label: "いいえ".into(),
                        label_en: "No".into(),
                    },
                ],
                scale: 0,
            },
            Question {
                id: 3,
                kind: QuestionKind::MultipleChoice,
                prompt: "よかった点".into(),
                prompt_en: String::new(),
                options: vec![
                    Choice {
                        label: "a".into(),
                        label_en: String::new(),
                    },
                    Choice {
                        label: "b".into(),
                        label_en: String::new(),
                    },
                    Choice {
                        label: "c".into(),
                        label_en: String::new(),
                    },
                ],
                scale: 0,
            },
            Question {
                id: 4,
                kind: QuestionKind::Rating,
                prompt: "満足度".into(),
                prompt_en: String::new(),
                options: vec![],
                scale: 5,
            },
        ]
    }

    fn sent(pairs: &[(i64, &[&str])]) -> BTreeMap<i64, Vec<String>> {
        pairs
            .iter()
            .map(|(id, values)| (*id, values.iter().map(|v| v.to_string()).collect()))
            .collect()
    }

    #[test]
    fn reads_every_kind_of_answer() {
        let answers = check(
            &questions(),
            &sent(&[
                (1, &["  とても\r\nよかった "]),
                (2, &["1"]),
                (3, &["3", "1", "3"]),
                (4, &["5"]),
            ]),
        )
        .unwrap();
        assert_eq!(answers[&1], Answer::Text("とても\nよかった".into()));
        assert_eq!(answers[&2], Answer::Number(1));
        assert_eq!(answers[&3], Answer::Numbers(vec![1, 3]));
        assert_eq!(answers[&4], Answer::Number(5));
    }

    #[test]
    fn blank_questions_are_left_out_but_an_empty_questionnaire_is_refused() {
        let answers = check(&questions(), &sent(&[(1, &["よかった"]), (2, &[""])])).unwrap();
        assert_eq!(answers.len(), 1);
        let mistakes = check(&questions(), &sent(&[(1, &["   "])])).unwrap_err();
        assert_eq!(mistakes[0].message, "answer.error.empty");
    }

    #[test]
    fn refuses_values_outside_the_question() {
        let mistakes = check(
            &questions(),
            &sent(&[(2, &["3"]), (4, &["0"]), (9, &["x"]), (3, &["a"])]),
        )
        .unwrap_err();
        let fields: Vec<&str> = mistakes.iter().map(|m| m.field.as_str()).collect();
        assert_eq!(fields, ["q9", "q2", "q3", "q4"]);
        let two = check(&questions(), &sent(&[(2, &["1", "2"])])).unwrap_err();
        assert_eq!(two[0].message, "answer.error.one_only");
    }

    #[test]
    fn a_long_answer_is_refused() {
        let long = "あ".repeat(MAX_ANSWER_CHARS + 1);
        let mistakes = check(&questions(), &sent(&[(1, &[long.as_str()])])).unwrap_err();
        assert_eq!(mistakes[0].message, "answer.error.too_long");
    }

    #[test]
    fn questions_are_checked_when_written() {
        let choice = check_question(&QuestionDraft {
            kind: "single_choice".into(),
            prompt: "また参加したいですか".into(),
            options: "はい | Yes\nいいえ | No\n\n".into(),
            ..QuestionDraft::default()
        })
        .unwrap();
        assert_eq!(
            choice.options[1],
            Choice {
                label: "いいえ".into(),
                label_en: "No".into()
            }
        );
        let one_option = check_question(&QuestionDraft {
            kind: "multiple_choice".into(),
            prompt: "x".into(),
            options: "only".into(),
            ..QuestionDraft::default()
        })
        .unwrap_err();
        assert_eq!(one_option[0].field, "options");
        let rating = check_question(&QuestionDraft {
            kind: "rating".into(),
            prompt: "満足度".into(),
            options: "不満 | Unhappy\n満足 | Happy".into(),
            scale: "11".into(),
            ..QuestionDraft::default()
        })
        .unwrap_err();
        assert_eq!(rating[0].field, "scale");
        assert!(
            check_question(&QuestionDraft {
                kind: "free_text".into(),
                prompt: "".into(),
                ..QuestionDraft::default()
            })
            .is_err()
        );
    }

    #[test]
    fn phases_follow_the_times() {
        use crate::Timestamp as T;
        assert_eq!(phase(None, None, T(5)), Phase::Draft);
        assert_eq!(phase(Some(T(10)), Some(T(20)), T(5)), Phase::Draft);
        assert_eq!(phase(Some(T(10)), Some(T(20)), T(10)), Phase::Open);
        assert_eq!(phase(Some(T(10)), None, T(99)), Phase::Open);
        assert_eq!(phase(Some(T(10)), Some(T(20)), T(20)), Phase::Closed);
        assert_eq!(phase(None, Some(T(20)), T(25)), Phase::Closed);
    }

    /// What `check` should answer, worked out independently: for each question its numbers
    /// (sorted, distinct) or whether it has text, or `None` when the submission is refused.
    fn expected(
        questions: &[Question],
        raw: &BTreeMap<i64, Vec<String>>,
    ) -> Option<BTreeMap<i64, Option<Vec<i64>>>> {
        if raw.keys().any(|id| !questions.iter().any(|q| q.id == *id)) {
            return None;
        }
        let mut answers = BTreeMap::new();
        for question in questions {
            let values: Vec<&str> = raw
                .get(&question.id)
                .into_iter()
                .flatten()
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
                .collect();
            if values.is_empty() {
                continue;
            }
            if question.kind == QuestionKind::FreeText {
                // Text that is only control characters (a NUL, say) is cleaned away: blank.
                if !crate::text::normalize(&values.join("\n")).is_empty() {
                    answers.insert(question.id, None);
                }
                continue;
            }
            let mut numbers = Vec::new();
            for value in values {
                let n: i64 = value.parse().ok()?;
                if n < 1 || n > question.values() {
                    return None;
                }
                numbers.push(n);
            }
            numbers.sort_unstable();
            numbers.dedup();
            if numbers.len() > 1 && question.kind != QuestionKind::MultipleChoice {
                return None;
            }
            answers.insert(question.id, Some(numbers));
        }
        (!answers.is_empty()).then_some(answers)
    }

    /// Mostly numbers around the valid range (so that many submissions are valid and many
    /// are just outside it), some with spaces, some anything at all.
    fn any_value() -> impl Strategy<Value = String> {
        prop_oneof![
            6 => (0i64..8).prop_map(|n| n.to_string()),
            1 => (0i64..8).prop_map(|n| format!(" {n}　")),
            1 => ".{0,4}",
        ]
    }

    proptest! {
        #[test]
        fn answers_are_accepted_exactly_when_every_value_fits_its_question(
            raw in proptest::collection::btree_map(1i64..6, proptest::collection::vec(any_value(), 0..4), 0..5)
        ) {
            let questions = questions();
            let checked = check(&questions, &raw);
            match expected(&questions, &raw) {
                None => prop_assert!(checked.is_err(), "{:?} was accepted", raw),
                Some(answers) => {
                    let accepted = checked.map_err(|m| TestCaseError::fail(format!("{raw:?} refused: {m:?}")))?;
                    prop_assert_eq!(accepted.len(), answers.len());
                    for (id, numbers) in answers {
                        let answer = &accepted[&id];
                        match numbers {
                            Some(numbers) => prop_assert_eq!(answer.values(), numbers),
                            None => prop_assert!(answer.text().is_some_and(|t| !t.is_empty())),
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn the_generated_answers_are_often_valid() {
        // The property above means little if nearly every case is refused: count them.
        use proptest::strategy::ValueTree;
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let strategy = proptest::collection::btree_map(
            1i64..5,
            proptest::collection::vec(any_value(), 1..3),
            1..4,
        );
        let questions = questions();
        let valid = (0..1000)
            .filter(|_| {
                let raw = strategy.new_tree(&mut runner).unwrap().current();
                expected(&questions, &raw).is_some()
            })
            .count();
        assert!(
            valid > 150,
            "only {valid} of 1000 generated submissions are valid"
        );
    }
}
