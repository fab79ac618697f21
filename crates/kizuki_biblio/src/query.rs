//! The review's boolean query, run over the records collected, as the databases run it:
//! `(peer OR consumer) AND support`, `mental health OR psychiatr*`. Words are matched whole
//! (case folded, full-width letters read as ASCII), `*` ends a word's stem, "quotes" keep a phrase, `NOT` leaves out; `AND` binds tighter than `OR`, words side
//! by side mean `AND`, and parentheses group. A field can be named: `support[ti]`, `peer[ab]`,
//! `[tiab]`, `[kw]`; without one a word is looked for in the title, abstract and keywords.
//! Japanese, written without spaces, is matched as a run of characters.

use crate::record::Record;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    Term {
        words: Vec<String>,
        stem: bool,
        field: Field,
    },
    And(Vec<Query>),
    Or(Vec<Query>),
    Not(Box<Query>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Any,
    Title,
    Abstract,
    TitleAbstract,
    Keywords,
}

/// A query that cannot be read: where (in characters from 0) and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at character {at}: {expected}")]
pub struct QueryError {
    pub at: usize,
    pub expected: String,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String, usize),
    Phrase(String, usize),
    Open(usize),
    Close(usize),
    And(usize),
    Or(usize),
    Not(usize),
}

fn fold(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            // Full-width ASCII, as Japanese databases write it.
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

fn tokens(text: &str) -> Result<Vec<Token>, QueryError> {
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let mut at = 0;
    while at < chars.len() {
        let c = chars[at];
        if c.is_whitespace() || c == '\u{3000}' {
            at += 1;
        } else if c == '(' || c == '（' {
            found.push(Token::Open(at));
            at += 1;
        } else if c == ')' || c == '）' {
            found.push(Token::Close(at));
            at += 1;
        } else if c == '"' || c == '“' || c == '”' {
            let start = at;
            at += 1;
            let begin = at;
            while at < chars.len() && !matches!(chars[at], '"' | '”' | '“') {
                at += 1;
            }
            if at == chars.len() {
                return Err(QueryError {
                    at: start,
                    expected: "a closing \" for the phrase".into(),
                });
            }
            let phrase: String = chars[begin..at].iter().collect();
            at += 1;
            let field = field_suffix(&chars, &mut at);
            found.push(Token::Phrase(format!("{phrase}{field}"), start));
        } else {
            let start = at;
            while at < chars.len()
                && !chars[at].is_whitespace()
                && !matches!(chars[at], '(' | ')' | '（' | '）' | '"' | '\u{3000}')
            {
                at += 1;
            }
            let word: String = chars[start..at].iter().collect();
            found.push(match word.as_str() {
                "AND" | "and" => Token::And(start),
                "OR" | "or" => Token::Or(start),
                "NOT" | "not" => Token::Not(start),
                _ => Token::Word(word, start),
            });
        }
    }
    Ok(found)
}

/// A `[ti]`-style field right after a phrase, kept on it.
fn field_suffix(chars: &[char], at: &mut usize) -> String {
    if chars.get(*at) != Some(&'[') {
        return String::new();
    }
    let start = *at;
    while *at < chars.len() && chars[*at] != ']' {
        *at += 1;
    }
    *at = (*at + 1).min(chars.len());
    chars[start..*at].iter().collect()
}

fn term(text: &str, at: usize) -> Result<Query, QueryError> {
    let (text, field) = match text.rfind('[') {
        Some(open) if text.ends_with(']') => {
            let name = text[open + 1..text.len() - 1].to_ascii_lowercase();
            let field = match name.as_str() {
                "ti" | "title" => Field::Title,
                "ab" | "abstract" => Field::Abstract,
                "tiab" | "title/abstract" => Field::TitleAbstract,
                "kw" | "mh" | "keywords" => Field::Keywords,
                "all" | "all fields" => Field::Any,
                _ => {
                    return Err(QueryError {
                        at,
                        expected: format!("a field of [ti], [ab], [tiab] or [kw] (not [{name}])"),
                    });
                }
            };
            (&text[..open], field)
        }
        _ => (text, Field::Any),
    };
    let stem = text.ends_with('*');
    let text = fold(text.trim_end_matches('*'));
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    if words.is_empty() {
        return Err(QueryError {
            at,
            expected: "a word to look for".into(),
        });
    }
    Ok(Query::Term { words, stem, field })
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    length: usize,
}

impl Parser {
    fn position(&self) -> usize {
        match self.tokens.get(self.at) {
            Some(
                Token::Word(_, p)
                | Token::Phrase(_, p)
                | Token::Open(p)
                | Token::Close(p)
                | Token::And(p)
                | Token::Or(p)
                | Token::Not(p),
            ) => *p,
            None => self.length,
        }
    }

    fn or(&mut self) -> Result<Query, QueryError> {
        let mut parts = vec![self.and()?];
        while matches!(self.tokens.get(self.at), Some(Token::Or(_))) {
            self.at += 1;
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Query::Or(parts)
        })
    }

    fn and(&mut self) -> Result<Query, QueryError> {
        let mut parts = vec![self.unary()?];
        loop {
            match self.tokens.get(self.at) {
                Some(Token::And(_)) => {
                    self.at += 1;
                    parts.push(self.unary()?);
                }
                // NOT after a term means AND NOT, as the databases read it.
                Some(Token::Word(..) | Token::Phrase(..) | Token::Open(_) | Token::Not(_)) => {
                    parts.push(self.unary()?)
                }
                _ => break,
            }
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Query::And(parts)
        })
    }

    fn unary(&mut self) -> Result<Query, QueryError> {
        let at = self.position();
        match self.tokens.get(self.at).cloned() {
            Some(Token::Not(_)) => {
                self.at += 1;
                Ok(Query::Not(Box::new(self.unary()?)))
            }
            Some(Token::Open(open)) => {
                self.at += 1;
                let inner = self.or()?;
                match self.tokens.get(self.at) {
                    Some(Token::Close(_)) => {
                        self.at += 1;
                        Ok(inner)
                    }
                    _ => Err(QueryError {
                        at: self.position(),
                        expected: format!(") to close the ( at character {open}"),
                    }),
                }
            }
            Some(Token::Word(text, start) | Token::Phrase(text, start)) => {
                self.at += 1;
                term(&text, start)
            }
            _ => Err(QueryError {
                at,
                expected: "a word, a \"phrase\", NOT or (".into(),
            }),
        }
    }
}

impl Query {
    pub fn parse(text: &str) -> Result<Query, QueryError> {
        let mut parser = Parser {
            tokens: tokens(text)?,
            at: 0,
            length: text.chars().count(),
        };
        let query = parser.or()?;
        if parser.at < parser.tokens.len() {
            return Err(QueryError {
                at: parser.position(),
                expected: "AND, OR, NOT or the end of the query".into(),
            });
        }
        Ok(query)
    }

    /// Whether the record, prepared by [`Searchable::of`], matches.
    pub fn matches(&self, record: &Searchable) -> bool {
        match self {
            Query::And(parts) => parts.iter().all(|p| p.matches(record)),
            Query::Or(parts) => parts.iter().any(|p| p.matches(record)),
            Query::Not(inner) => !inner.matches(record),
            Query::Term { words, stem, field } => {
                let fields: &[&Text] = match field {
                    Field::Any => &[&record.title, &record.abstract_text, &record.keywords],
                    Field::Title => &[&record.title],
                    Field::Abstract => &[&record.abstract_text],
                    Field::TitleAbstract => &[&record.title, &record.abstract_text],
                    Field::Keywords => &[&record.keywords],
                };
                fields.iter().any(|text| text.phrase(words, *stem))
            }
        }
    }
}

/// A field's text folded once, with where each word lies and the words in sorted order, so
/// that a word is looked up rather than scanned for.
pub(crate) struct Text {
    folded: String,
    words: Vec<(u32, u32)>,
    sorted: Vec<(u32, u32)>,
}

impl Text {
    pub(crate) fn of(text: &str) -> Text {
        let folded = fold(text);
        let mut words = Vec::new();
        let mut start: Option<usize> = None;
        for (at, c) in folded.char_indices() {
            match (c.is_alphanumeric(), start) {
                (true, None) => start = Some(at),
                (false, Some(from)) => {
                    words.push((from as u32, at as u32));
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(from) = start {
            words.push((from as u32, folded.len() as u32));
        }
        let mut sorted = words.clone();
        sorted.sort_by(|a, b| {
            folded[a.0 as usize..a.1 as usize].cmp(&folded[b.0 as usize..b.1 as usize])
        });
        sorted.dedup_by(|a, b| {
            folded[a.0 as usize..a.1 as usize] == folded[b.0 as usize..b.1 as usize]
        });
        Text {
            folded,
            words,
            sorted,
        }
    }

    fn word(&self, (start, end): (u32, u32)) -> &str {
        &self.folded[start as usize..end as usize]
    }

    /// Each distinct word once.
    pub(crate) fn each_word(&self) -> impl Iterator<Item = &str> {
        self.sorted.iter().map(|span| self.word(*span))
    }

    /// Whether a word is `query` (or begins with it, for a stem).
    fn has(&self, query: &str, stem: bool) -> bool {
        let at = self.sorted.partition_point(|span| self.word(*span) < query);
        self.sorted.get(at).is_some_and(|span| {
            let word = self.word(*span);
            if stem {
                word.starts_with(query)
            } else {
                word == query
            }
        })
    }

    /// Whether `words` occur one after another (the last as a stem when `stem`); a Japanese
    /// word is found inside a word, as Japanese is written without spaces.
    fn phrase(&self, words: &[String], stem: bool) -> bool {
        if words.iter().any(|w| is_japanese(w)) {
            let spaced: Vec<&str> = self.words.iter().map(|span| self.word(*span)).collect();
            return spaced.windows(words.len()).any(|window| {
                window
                    .iter()
                    .zip(words)
                    .all(|(word, query)| word.contains(query.as_str()))
            });
        }
        let last = words.len() - 1;
        if !words
            .iter()
            .enumerate()
            .all(|(at, w)| self.has(w, stem && at == last))
        {
            return false;
        }
        if words.len() == 1 {
            return true;
        }
        self.words.windows(words.len()).any(|window| {
            window
                .iter()
                .zip(words)
                .enumerate()
                .all(|(at, (span, query))| {
                    let word = self.word(*span);
                    if stem && at == last {
                        word.starts_with(query.as_str())
                    } else {
                        word == query
                    }
                })
        })
    }
}

/// A record's searchable text: title, abstract and keywords, each prepared once.
pub struct Searchable {
    title: Text,
    abstract_text: Text,
    keywords: Text,
}

impl Searchable {
    pub fn of(record: &Record) -> Searchable {
        Searchable {
            title: Text::of(&record.title),
            abstract_text: Text::of(record.abstract_text.as_deref().unwrap_or_default()),
            keywords: Text::of(&record.keywords.join(" ; ")),
        }
    }
}

pub(crate) fn is_japanese(word: &str) -> bool {
    word.chars()
        .any(|c| matches!(c, '\u{3040}'..='\u{30ff}' | '\u{4e00}'..='\u{9fff}'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn record(title: &str, abstract_text: &str) -> Searchable {
        Searchable::of(&Record {
            title: title.into(),
            abstract_text: Some(abstract_text.into()),
            ..Record::default()
        })
    }

    #[test]
    fn the_programmes_own_queries_find_what_they_should() {
        let first = Query::parse("(peer OR consumer) AND support").unwrap();
        let second = Query::parse("\"mental health\" OR psychiatr*").unwrap();
        let yes = record("Peer support for people with psychiatric disabilities", "");
        let other = record("Consumer-run support services", "In mental health care.");
        let no = record("Support groups", "Peers and social support in oncology.");
        assert!(first.matches(&yes) && second.matches(&yes));
        assert!(first.matches(&other) && second.matches(&other));
        assert!(!first.matches(&no), "peers is not peer");
        assert!(!second.matches(&no));
    }

    #[test]
    fn precedence_fields_not_and_japanese() {
        let query = Query::parse("peer support[ti] NOT nurse*").unwrap();
        assert!(query.matches(&record("Peer support", "")));
        assert!(!query.matches(&record("Peer support among nurses", "")));
        assert!(
            !query.matches(&record("Peer", "support")),
            "support only in the title"
        );
        let japanese = Query::parse("ピアサポート AND 研修").unwrap();
        assert!(japanese.matches(&record("精神保健におけるピアサポートの研修プログラム", "")));
        assert!(
            Query::parse("ＰＥＥＲ")
                .unwrap()
                .matches(&record("peer", ""))
        );
        // AND binds tighter than OR.
        assert_eq!(
            Query::parse("a OR b AND c").unwrap(),
            Query::Or(vec![
                Query::Term {
                    words: vec!["a".into()],
                    stem: false,
                    field: Field::Any
                },
                Query::And(vec![
                    Query::Term {
                        words: vec!["b".into()],
                        stem: false,
                        field: Field::Any
                    },
                    Query::Term {
                        words: vec!["c".into()],
                        stem: false,
                        field: Field::Any
                    },
                ]),
            ])
        );
    }

    #[test]
    fn a_query_that_cannot_be_read_says_where() {
        assert_eq!(
            Query::parse("(peer OR consumer AND support")
                .unwrap_err()
                .at,
            29
        );
        assert_eq!(Query::parse("peer AND").unwrap_err().at, 8);
        assert_eq!(Query::parse("\"mental health").unwrap_err().at, 0);
        assert!(
            Query::parse("peer[xx]")
                .unwrap_err()
                .expected
                .contains("[ti]")
        );
        assert_eq!(Query::parse("peer )").unwrap_err().at, 5);
    }

    proptest! {
        #[test]
        fn any_text_parses_or_says_where_within_it(text in "[a-z*\"()\\[\\] ]{0,30}|(peer|AND|OR|NOT|\\(|\\)| |\"|support\\*){0,10}") {
            match Query::parse(&text) {
                Ok(query) => { let _ = query.matches(&record("peer support", "")); }
                Err(error) => prop_assert!(error.at <= text.chars().count()),
            }
        }
    }
}
