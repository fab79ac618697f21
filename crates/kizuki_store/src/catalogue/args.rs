//! Queries whose conditions depend on the request (filters): the SQL text is assembled with
//! numbered placeholders and the values bound in the same order, so no value ever enters the
//! text.

use sqlx::any::AnyRow;
use sqlx::{Any, FromRow};

#[derive(Clone, Debug)]
pub(crate) enum Arg {
    Int(i64),
    Text(String),
}

#[derive(Default)]
pub(crate) struct Conditions {
    clauses: Vec<String>,
    args: Vec<Arg>,
}

impl Conditions {
    /// Adds a condition; `{}` in `clause` becomes the placeholder for `value`.
    pub(crate) fn push(&mut self, clause: &str, value: Arg) {
        self.args.push(value);
        let placeholder = format!("${}", self.args.len());
        self.clauses.push(clause.replace("{}", &placeholder));
    }

    /// Adds a condition with no value.
    pub(crate) fn push_plain(&mut self, clause: &str) {
        self.clauses.push(clause.to_owned());
    }

    pub(crate) fn where_clause(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.clauses.join(" AND "))
        }
    }

    pub(crate) fn next_placeholder(&self, offset: usize) -> String {
        format!("${}", self.args.len() + offset)
    }

    pub(crate) fn args(&self) -> &[Arg] {
        &self.args
    }
}

pub(crate) fn bind_all<'q, T>(
    mut query: sqlx::query::QueryAs<'q, Any, T, sqlx::any::AnyArguments<'q>>,
    args: &[Arg],
) -> sqlx::query::QueryAs<'q, Any, T, sqlx::any::AnyArguments<'q>>
where
    T: for<'r> FromRow<'r, AnyRow>,
{
    for arg in args {
        query = match arg {
            Arg::Int(value) => query.bind(*value),
            Arg::Text(value) => query.bind(value.clone()),
        };
    }
    query
}

pub(crate) fn bind_all_scalar<'q, T>(
    mut query: sqlx::query::QueryScalar<'q, Any, T, sqlx::any::AnyArguments<'q>>,
    args: &[Arg],
) -> sqlx::query::QueryScalar<'q, Any, T, sqlx::any::AnyArguments<'q>>
where
    (T,): for<'r> FromRow<'r, AnyRow>,
{
    for arg in args {
        query = match arg {
            Arg::Int(value) => query.bind(*value),
            Arg::Text(value) => query.bind(value.clone()),
        };
    }
    query
}
