//! The canonical text of a filter.
//!
//! Canonical form: attribute names in the schema's case, without the URN prefix (an extension's attributes with theirs),
//! lower-case operators and keywords, one space between tokens, strings as JSON
//! (`"` and `\` escaped, `/` and non-ASCII characters literal, control characters
//! escaped), integers in decimal, decimals in the shortest form that reads back the
//! same (always with `.` or an exponent), `not (…)` with a space, and the fewest
//! parentheses that keep the tree: a child is parenthesised when it binds more
//! loosely than its parent (`or` inside `and`), or equally loosely on the right
//! (`a or (b or c)`), since `and` and `or` group from the left.

use std::fmt::{self, Write};

use crate::scim::filter::ast::{Expr, Literal};

/// How tightly an expression binds: `or` < `and` < everything else.
fn precedence(expr: &Expr) -> u8 {
    match expr {
        Expr::Or(..) => 1,
        Expr::And(..) => 2,
        _ => 3,
    }
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Null => f.write_str("null"),
            Self::Boolean(b) => write!(f, "{b}"),
            Self::Integer(i) => write!(f, "{i}"),
            Self::Decimal(d) => write!(f, "{d:?}"),
            Self::String(s) => f.write_str(&serde_json::to_string(s).map_err(|_| fmt::Error)?),
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Present(path) => write!(f, "{path} pr"),
            Self::Compare(c) => write!(f, "{} {} {}", c.path(), c.op().as_str(), c.value()),
            Self::ValuePath(attr, inner) => write!(f, "{}[{inner}]", attr.qualified_name()),
            Self::Not(inner) => write!(f, "not ({inner})"),
            Self::And(l, r) => binary(f, self, l, "and", r),
            Self::Or(l, r) => binary(f, self, l, "or", r),
        }
    }
}

fn binary(
    f: &mut fmt::Formatter<'_>,
    parent: &Expr,
    left: &Expr,
    op: &str,
    right: &Expr,
) -> fmt::Result {
    let own = precedence(parent);
    child(f, left, precedence(left) < own)?;
    write!(f, " {op} ")?;
    child(f, right, precedence(right) <= own)
}

fn child(f: &mut fmt::Formatter<'_>, expr: &Expr, parens: bool) -> fmt::Result {
    if parens {
        f.write_char('(')?;
        write!(f, "{expr}")?;
        f.write_char(')')
    } else {
        write!(f, "{expr}")
    }
}
