//! Evaluating a filter against a resource: anything that implements
//! [`Attributes`] (JSON objects, the engine's stored users).
//!
//! Semantics, per RFC 7644 §3.4.2.2, with the choices it leaves open:
//! - The values of a path are the non-null values it reaches; for a multi-valued
//!   attribute, one per element (`emails.type` reads each email's `type`).
//! - A comparison matches when *any* value satisfies it. `ne` also matches when the
//!   attribute has no value at all; `eq null` matches exactly then, `ne null` otherwise.
//! - `pr` matches a value that is not null, `""`, `[]`, or an object without any
//!   present sub-attribute.
//! - Strings of non-`caseExact` attributes compare after simple Unicode lower-casing
//!   (ASCII without allocating); `caseExact` ones compare by code point.
//! - Date-times compare as instants, so offsets do not matter.
//! - A stored value of the wrong type never matches (but counts as "not equal").
//! - Member names in a JSON resource are matched ignoring ASCII case.

use std::cmp::Ordering;

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::scim::filter::ast::{AttrPath, CompareOp, Comparison, Expr, Operand};
use crate::scim::filter::resource::{AttrValue, Attributes};
use crate::scim::fold::fold_chars;
use crate::scim::schema::AttrDef;
use crate::scim::user_name;

/// The key to read inside each value of `path` when comparing: the named
/// sub-attribute, or `value` for a multi-valued complex attribute compared without
/// one (`emails co "x"`).
fn compared_leaf(path: &AttrPath) -> Option<&'static AttrDef> {
    match path.sub() {
        Some(sub) => Some(sub),
        None if path.attr().is_complex() => path.leaf(),
        None => None,
    }
}

impl Expr {
    /// Whether `resource` satisfies this expression.
    pub(crate) fn eval<R: Attributes>(&self, resource: &R) -> bool {
        match self {
            Self::Present(path) => resource.any_value(path.attr(), path.sub(), |v| v.is_present()),
            Self::Compare(cmp) => cmp.eval(resource),
            Self::ValuePath(attr, inner) => resource.any_element(attr, |e| inner.eval(e)),
            Self::Not(inner) => !inner.eval(resource),
            Self::And(l, r) => l.eval(resource) && r.eval(resource),
            Self::Or(l, r) => l.eval(resource) || r.eval(resource),
        }
    }
}

impl Comparison {
    fn eval<R: Attributes>(&self, resource: &R) -> bool {
        let (attr, leaf) = (self.path().attr(), compared_leaf(self.path()));
        match (self.op(), &self.operand) {
            (CompareOp::Eq, Operand::Null) => !resource.any_value(attr, leaf, |_| true),
            (CompareOp::Ne, Operand::Null) => resource.any_value(attr, leaf, |_| true),
            (CompareOp::Ne, operand) => {
                let mut seen = false;
                let differs = resource.any_value(attr, leaf, |v| {
                    seen = true;
                    !test(CompareOp::Eq, operand, v)
                });
                differs || !seen
            }
            (op, operand) => resource.any_value(attr, leaf, |v| test(op, operand, v)),
        }
    }
}

/// Whether one stored value satisfies `op operand` (`op` is never `ne`).
fn test(op: CompareOp, operand: &Operand, v: AttrValue<'_>) -> bool {
    match (operand, v) {
        (Operand::Bool(b), AttrValue::Bool(x)) => x == *b,
        (Operand::Int(i), AttrValue::Number(n)) => match (n.as_i64(), n.as_f64()) {
            (Some(n), _) => ordered(op, n.cmp(i)),
            (None, Some(f)) => f.partial_cmp(&(*i as f64)).is_some_and(|o| ordered(op, o)),
            _ => false,
        },
        (Operand::Dec(d), AttrValue::Number(n)) => n
            .as_f64()
            .and_then(|f| f.partial_cmp(d))
            .is_some_and(|o| ordered(op, o)),
        (Operand::Instant(at), AttrValue::Instant(t)) => ordered(op, t.cmp(at)),
        (Operand::Instant(at), AttrValue::Str(s)) => {
            OffsetDateTime::parse(s, &Rfc3339).is_ok_and(|t| ordered(op, t.cmp(at)))
        }
        (Operand::Text { text, fold, ascii }, AttrValue::Str(s)) => {
            match_text(op, s, text, *fold, *ascii)
        }
        (Operand::UserName(key), AttrValue::Str(s)) => {
            // An ASCII name's key is its lower-cased form.
            let same = if s.is_ascii() {
                s.eq_ignore_ascii_case(key)
            } else {
                user_name::key(s) == *key
            };
            same == (op == CompareOp::Eq)
        }
        _ => false,
    }
}

fn ordered(op: CompareOp, o: Ordering) -> bool {
    match op {
        CompareOp::Eq => o == Ordering::Equal,
        CompareOp::Ne => o != Ordering::Equal,
        CompareOp::Gt => o == Ordering::Greater,
        CompareOp::Ge => o != Ordering::Less,
        CompareOp::Lt => o == Ordering::Less,
        CompareOp::Le => o != Ordering::Greater,
        CompareOp::Co | CompareOp::Sw | CompareOp::Ew => false,
    }
}

/// `s op needle`, where `needle` is already lower-cased when `fold`.
fn match_text(op: CompareOp, s: &str, needle: &str, fold: bool, needle_ascii: bool) -> bool {
    if !fold {
        return match op {
            CompareOp::Co => s.contains(needle),
            CompareOp::Sw => s.starts_with(needle),
            CompareOp::Ew => s.ends_with(needle),
            _ => ordered(op, s.cmp(needle)),
        };
    }
    if needle_ascii && s.is_ascii() {
        let (h, n) = (s.as_bytes(), needle.as_bytes());
        return match op {
            CompareOp::Co => n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n)),
            CompareOp::Sw => h.get(..n.len()).is_some_and(|p| p.eq_ignore_ascii_case(n)),
            CompareOp::Ew => {
                h.len() >= n.len()
                    && h.get(h.len() - n.len()..)
                        .is_some_and(|p| p.eq_ignore_ascii_case(n))
            }
            _ => ordered(
                op,
                h.iter().map(u8::to_ascii_lowercase).cmp(n.iter().copied()),
            ),
        };
    }
    match op {
        CompareOp::Co | CompareOp::Sw | CompareOp::Ew => {
            let folded: String = fold_chars(s).collect();
            match op {
                CompareOp::Co => folded.contains(needle),
                CompareOp::Sw => folded.starts_with(needle),
                _ => folded.ends_with(needle),
            }
        }
        _ => ordered(op, fold_chars(s).cmp(needle.chars())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_matching() {
        assert!(match_text(CompareOp::Eq, "BJensen", "bjensen", true, true));
        assert!(!match_text(
            CompareOp::Eq,
            "BJensen",
            "bjensen",
            false,
            true
        ));
        assert!(match_text(
            CompareOp::Co,
            "a@EXAMPLE.com",
            "@example",
            true,
            true
        ));
        assert!(match_text(CompareOp::Sw, "Émile", "ém", true, false));
        assert!(match_text(CompareOp::Ew, "x", "", true, true));
        assert!(!match_text(CompareOp::Ew, "x", "xx", true, true));
        assert!(match_text(CompareOp::Gt, "b", "a", true, true));
        assert!(match_text(CompareOp::Lt, "A", "b", true, true));
        assert!(match_text(CompareOp::Lt, "A", "b", false, true));
        assert!(match_text(CompareOp::Eq, "ÉMILE", "émile", true, false));
        assert!(match_text(CompareOp::Ge, "Zoë", "zoa", true, false));
    }
}
