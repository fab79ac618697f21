//! Answering a questionnaire: the respondent types the code from their slip (or opens the link
//! in their message, whose code moves into a cookie and out of the address at once), answers,
//! and the code is used up. No JavaScript is needed, and nothing about the person is kept.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use kizuki_domain::questionnaire::{self as domain, QuestionKind, code};
use kizuki_store::Questionnaire;
use serde::Deserialize;

use crate::context::RequestContext;
use crate::cookies;
use crate::error::AppError;
use crate::format::Localized;
use crate::forms::{CleanForm, see_other, with_status};
use crate::questionnaire::{self, Submitted};
use crate::state::AppState;
use crate::views::{self, Chrome};

pub const COOKIE: &str = "kizuki_answer";
/// Long enough to answer at leisure; the code is useless once used anyway.
const COOKIE_SECONDS: i64 = 6 * 60 * 60;

#[derive(Deserialize)]
pub struct LinkQuery {
    code: Option<String>,
}

#[derive(Template)]
#[template(path = "answer_code.html")]
pub struct CodeView {
    pub page: Chrome,
    pub typed: String,
    pub error: Option<String>,
}

pub struct OptionRow {
    pub value: i64,
    pub label: Localized,
    pub checked: bool,
}

pub struct QuestionRow {
    pub field: String,
    pub kind: &'static str,
    pub prompt: Localized,
    pub text: String,
    pub options: Vec<OptionRow>,
    pub low: Option<Localized>,
    pub high: Option<Localized>,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "answer_form.html")]
pub struct FormView {
    pub page: Chrome,
    pub title: Localized,
    pub intro: Localized,
    pub k: String,
    pub questions: Vec<QuestionRow>,
    pub errors: Vec<String>,
}

#[derive(Template)]
#[template(path = "answer_thanks.html")]
pub struct ThanksView {
    pub page: Chrome,
}

fn set_cookie(response: &mut Response, value: &str, secure: bool, seconds: i64) {
    let cookie = cookies::build(COOKIE, value, secure, Some(seconds));
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(SET_COOKIE, value);
    }
}

fn code_page(
    state: &AppState,
    context: &RequestContext,
    status: StatusCode,
    typed: String,
    error: Option<&str>,
    forget: bool,
) -> Response {
    let mut response = with_status(
        status,
        views::render(&CodeView {
            page: Chrome::new(state, context, "answer.code.title"),
            typed,
            error: error.map(|key| kizuki_i18n::text(context.lang, key).to_owned()),
        }),
    );
    if forget {
        set_cookie(&mut response, "", context.secure_cookies, 0);
    }
    response
}

fn refusal_key(refusal: &Submitted) -> &'static str {
    match refusal {
        Submitted::Used => "answer.used",
        Submitted::NotOpen => "answer.not_open",
        _ => "answer.unknown",
    }
}

/// The questionnaire for the code in the cookie, or the page to type a code.
pub async fn show(
    State(state): State<AppState>,
    context: RequestContext,
    headers: HeaderMap,
    Query(query): Query<LinkQuery>,
) -> Result<Response, AppError> {
    if let Some(typed) = query.code {
        let mut response = see_other(&context.href("/answer"));
        if let Some(code) = code::normalize(&typed) {
            set_cookie(&mut response, &code, context.secure_cookies, COOKIE_SECONDS);
        }
        return Ok(response);
    }
    let Some(typed) = cookies::read(&headers, COOKIE) else {
        return Ok(code_page(
            &state,
            &context,
            StatusCode::OK,
            String::new(),
            None,
            false,
        ));
    };
    match questionnaire::open_by_code(&state, &typed).await? {
        Ok(found) => Ok(views::render(&form_view(
            &state,
            &context,
            &found,
            &BTreeMap::new(),
            &[],
        ))),
        Err(refusal) => Ok(code_page(
            &state,
            &context,
            StatusCode::OK,
            String::new(),
            Some(refusal_key(&refusal)),
            true,
        )),
    }
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

/// Takes a typed code: when it opens a questionnaire, it goes into the cookie.
pub async fn enter_code(
    State(state): State<AppState>,
    context: RequestContext,
    CleanForm(form): CleanForm<CodeForm>,
) -> Result<Response, AppError> {
    if let Some(refused) = questionnaire::refuse_if_guessing(&state, &context).await? {
        return Ok(refused);
    }
    match questionnaire::open_by_code(&state, &form.code).await? {
        Ok(_) => {
            let mut response = see_other(&context.href("/answer"));
            if let Some(code) = code::normalize(&form.code) {
                set_cookie(&mut response, &code, context.secure_cookies, COOKIE_SECONDS);
            }
            Ok(response)
        }
        Err(refusal) => {
            if let Some(refused) = questionnaire::limit_refusals(&state, &context, &refusal).await?
            {
                return Ok(refused);
            }
            Ok(code_page(
                &state,
                &context,
                StatusCode::UNPROCESSABLE_ENTITY,
                form.code,
                Some(refusal_key(&refusal)),
                false,
            ))
        }
    }
}

/// Stores the answers and uses up the code; on a mistake, shows the form again as typed.
pub async fn submit(
    State(state): State<AppState>,
    context: RequestContext,
    headers: HeaderMap,
    CleanForm(pairs): CleanForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let Some(typed) = cookies::read(&headers, COOKIE) else {
        return Ok(code_page(
            &state,
            &context,
            StatusCode::UNPROCESSABLE_ENTITY,
            String::new(),
            Some("answer.code.expired"),
            false,
        ));
    };
    let mut raw: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for (key, value) in pairs {
        if let Some(id) = key.strip_prefix('q').and_then(|id| id.parse::<i64>().ok()) {
            raw.entry(id).or_default().push(value);
        }
    }
    if let Some(refused) = questionnaire::refuse_if_guessing(&state, &context).await? {
        return Ok(refused);
    }
    match questionnaire::submit(&state, &typed, &raw).await? {
        Submitted::Stored => {
            let mut response = see_other(&context.href("/answer/thanks"));
            set_cookie(&mut response, "", context.secure_cookies, 0);
            Ok(response)
        }
        Submitted::Invalid(mistakes) => {
            let Ok(found) = questionnaire::open_by_code(&state, &typed).await? else {
                return Ok(code_page(
                    &state,
                    &context,
                    StatusCode::OK,
                    String::new(),
                    None,
                    true,
                ));
            };
            Ok(with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                views::render(&form_view(&state, &context, &found, &raw, &mistakes)),
            ))
        }
        refusal => {
            if let Some(refused) = questionnaire::limit_refusals(&state, &context, &refusal).await?
            {
                return Ok(refused);
            }
            Ok(code_page(
                &state,
                &context,
                StatusCode::CONFLICT,
                String::new(),
                Some(refusal_key(&refusal)),
                true,
            ))
        }
    }
}

pub async fn thanks(State(state): State<AppState>, context: RequestContext) -> Response {
    views::render(&ThanksView {
        page: Chrome::new(&state, &context, "answer.thanks.title"),
    })
}

fn form_view(
    state: &AppState,
    context: &RequestContext,
    found: &Questionnaire,
    typed: &BTreeMap<i64, Vec<String>>,
    mistakes: &[domain::Mistake],
) -> FormView {
    let lang = context.lang;
    let pick = |ja: &str, en: &str| Localized::pick(lang, ja, en);
    let questions = found
        .questions
        .iter()
        .map(|question| {
            let values = typed.get(&question.id).cloned().unwrap_or_default();
            let checked = |n: i64| values.iter().any(|v| v.trim() == n.to_string());
            let options = match question.kind {
                QuestionKind::FreeText => Vec::new(),
                QuestionKind::Rating => (1..=question.scale)
                    .map(|n| OptionRow {
                        value: n,
                        label: Localized {
                            text: n.to_string(),
                            lang: None,
                        },
                        checked: checked(n),
                    })
                    .collect(),
                _ => question
                    .options
                    .iter()
                    .enumerate()
                    .map(|(i, o)| OptionRow {
                        value: i as i64 + 1,
                        label: pick(&o.label, &o.label_en),
                        checked: checked(i as i64 + 1),
                    })
                    .collect(),
            };
            let end = |i: usize| {
                (question.kind == QuestionKind::Rating)
                    .then(|| question.options.get(i).map(|o| pick(&o.label, &o.label_en)))
                    .flatten()
            };
            let field = domain::field(question.id);
            QuestionRow {
                kind: question.kind.as_str(),
                prompt: pick(&question.prompt, &question.prompt_en),
                text: if question.kind == QuestionKind::FreeText {
                    values.join("\n")
                } else {
                    String::new()
                },
                options,
                low: end(0),
                high: end(1),
                error: mistakes
                    .iter()
                    .find(|m| m.field == field)
                    .map(|m| kizuki_i18n::text(lang, m.message).to_owned()),
                field,
            }
        })
        .collect();
    let mut page = Chrome::new(state, context, "answer.title");
    page.title = pick(&found.title, &found.title_en).text;
    FormView {
        page,
        title: pick(&found.title, &found.title_en),
        intro: pick(&found.intro, &found.intro_en),
        k: found.min_cell.to_string(),
        questions,
        errors: mistakes
            .iter()
            .map(|m| kizuki_i18n::text(lang, m.message).to_owned())
            .collect(),
    }
}
