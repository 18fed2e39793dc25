//! SCIM filters (RFC 7644 §3.4.2.2): parse once, evaluate against many resources.
//!
//! ```
//! use iamkit::scim::filter::Filter;
//! use serde_json::json;
//!
//! let filter = Filter::parse(r#"userName EQ "BJensen@example.com" and not (active eq false)"#)?;
//! assert_eq!(filter.to_string(), r#"userName eq "BJensen@example.com" and not (active eq false)"#);
//! let user = json!({"userName": "bjensen@example.com", "active": true});
//! assert!(filter.matches(&user));
//! # Ok::<(), iamkit::scim::error::ScimError>(())
//! ```

pub mod ast;
pub(crate) mod eval;
pub(crate) mod lexer;
pub(crate) mod parser;
pub mod printer;
pub mod resource;

use std::fmt;

use serde_json::Value;

pub use ast::{AttrPath, CompareOp, Comparison, Expr, Literal};
pub use parser::{MAX_DEPTH, MAX_LEN};
pub use resource::{AttrValue, Attributes};

use crate::scim::error::ScimError;
use crate::scim::schema::{Schema, USER_SCHEMA};

/// A parsed filter, bound to the schema its attributes were resolved against.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    expr: Expr,
}

/// An attribute the engine keeps an index on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexAttribute {
    /// `id` (case-exact).
    Id,
    /// `userName` (compare ignoring case).
    UserName,
    /// `externalId` (case-exact).
    ExternalId,
}

/// An equality the engine can answer from an index: `attribute eq "value"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexKey<'a> {
    /// The indexed attribute.
    pub attribute: IndexAttribute,
    /// The value as written in the filter (not case-folded).
    pub value: &'a str,
}

impl Filter {
    /// Parses a filter over the User schema.
    pub fn parse(input: &str) -> Result<Self, ScimError> {
        Self::parse_with(&USER_SCHEMA, input)
    }

    /// Parses a filter over `schema`.
    pub fn parse_with(schema: &'static Schema, input: &str) -> Result<Self, ScimError> {
        let mut parser = parser::Parser::new(schema, input)?;
        parser.filter().map(|expr| Self { expr })
    }

    /// A filter from a tree built with the checked constructors of [`ast`].
    pub fn from_expr(expr: Expr) -> Self {
        Self { expr }
    }

    /// The syntax tree.
    pub fn expr(&self) -> &Expr {
        &self.expr
    }

    /// Whether `resource` (a JSON object) matches. Anything else never matches.
    pub fn matches(&self, resource: &Value) -> bool {
        resource.as_object().is_some_and(|obj| self.expr.eval(obj))
    }

    /// Whether `resource` matches, reading it through [`Attributes`] (as the engine
    /// reads its stored users, without building JSON).
    pub fn matches_resource<R: Attributes>(&self, resource: &R) -> bool {
        self.expr.eval(resource)
    }

    /// The index look-up this filter starts with, if any: `id`, `userName` or
    /// `externalId` `eq` a string, alone or as the leftmost conjunct of top-level
    /// `and`s. Candidates found through the index must still be checked with
    /// [`Filter::matches`]; for `userName` the look-up must ignore case.
    pub fn index_key(&self) -> Option<IndexKey<'_>> {
        let mut expr = &self.expr;
        while let Expr::And(left, _) = expr {
            expr = left;
        }
        let Expr::Compare(cmp) = expr else {
            return None;
        };
        let (CompareOp::Eq, Literal::String(value), None) =
            (cmp.op(), cmp.value(), cmp.path().sub())
        else {
            return None;
        };
        let attribute = match cmp.path().attr().name {
            "id" => IndexAttribute::Id,
            "userName" => IndexAttribute::UserName,
            "externalId" => IndexAttribute::ExternalId,
            _ => return None,
        };
        Some(IndexKey { attribute, value })
    }
}

impl fmt::Display for Filter {
    /// The canonical text (see [`printer`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.expr.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(input: &str) -> Option<(IndexAttribute, String)> {
        let filter = Filter::parse(input).unwrap();
        filter
            .index_key()
            .map(|k| (k.attribute, k.value.to_owned()))
    }

    #[test]
    fn index_keys() {
        assert_eq!(
            key(r#"userName eq "A""#),
            Some((IndexAttribute::UserName, "A".into()))
        );
        assert_eq!(
            key(r#"EXTERNALID eq "x" and active eq true and title pr"#),
            Some((IndexAttribute::ExternalId, "x".into()))
        );
        assert_eq!(
            key(r#"urn:ietf:params:scim:schemas:core:2.0:User:id eq "US1""#),
            Some((IndexAttribute::Id, "US1".into()))
        );
        assert_eq!(key(r#"active eq true and userName eq "a""#), None);
        assert_eq!(key(r#"userName eq "a" or title pr"#), None);
        assert_eq!(key(r#"userName ne "a""#), None);
        assert_eq!(key(r#"userName eq null"#), None);
        assert_eq!(key(r#"not (userName eq "a")"#), None);
        assert_eq!(key(r#"emails[value eq "a"]"#), None);
    }

    #[test]
    fn depth_and_length_limits() {
        let nested = |n: usize| format!("{}title pr{}", "(".repeat(n), ")".repeat(n));
        assert!(Filter::parse(&nested(MAX_DEPTH)).is_ok());
        let err = Filter::parse(&nested(MAX_DEPTH + 1)).unwrap_err();
        assert!(matches!(err, ScimError::InvalidFilter { position, .. } if position == MAX_DEPTH));
        let long = format!("title eq \"{}\"", "a".repeat(MAX_LEN));
        assert!(matches!(
            Filter::parse(&long),
            Err(ScimError::InvalidFilter {
                position: MAX_LEN,
                ..
            })
        ));
    }
}
