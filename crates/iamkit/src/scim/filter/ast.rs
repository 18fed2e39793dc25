//! The filter syntax tree, with attribute references resolved against a schema.
//!
//! Nodes are built by the parser, or by the checked constructors here, so every tree
//! is one the parser could have produced: comparisons are type-checked and value
//! filters only name sub-attributes of their attribute.

use std::fmt;

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::scim::error::ScimError;
use crate::scim::fold;
use crate::scim::schema::{AttrDef, AttrType};
use crate::scim::user_name;

/// A comparison operator (RFC 7644 §3.4.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// Equal.
    Eq,
    /// Not equal.
    Ne,
    /// Contains.
    Co,
    /// Starts with.
    Sw,
    /// Ends with.
    Ew,
    /// Greater than.
    Gt,
    /// Greater than or equal.
    Ge,
    /// Less than.
    Lt,
    /// Less than or equal.
    Le,
}

impl CompareOp {
    /// Every operator.
    pub const ALL: [CompareOp; 9] = [
        Self::Eq,
        Self::Ne,
        Self::Co,
        Self::Sw,
        Self::Ew,
        Self::Gt,
        Self::Ge,
        Self::Lt,
        Self::Le,
    ];

    /// The operator's keyword, lower case.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Eq => "eq",
            Self::Ne => "ne",
            Self::Co => "co",
            Self::Sw => "sw",
            Self::Ew => "ew",
            Self::Gt => "gt",
            Self::Ge => "ge",
            Self::Lt => "lt",
            Self::Le => "le",
        }
    }

    /// The operator named by `word`, ignoring ASCII case.
    pub fn from_keyword(word: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|op| op.as_str().eq_ignore_ascii_case(word))
    }

    /// Whether this is a substring operator (`co`, `sw`, `ew`).
    pub fn is_substring(self) -> bool {
        matches!(self, Self::Co | Self::Sw | Self::Ew)
    }

    /// Whether this is an ordering operator (`gt`, `ge`, `lt`, `le`).
    pub fn is_ordering(self) -> bool {
        matches!(self, Self::Gt | Self::Ge | Self::Lt | Self::Le)
    }
}

/// A comparison value.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `null`.
    Null,
    /// `true` or `false`.
    Boolean(bool),
    /// A number without fraction or exponent.
    Integer(i64),
    /// A number with a fraction or exponent (always finite).
    Decimal(f64),
    /// A string, unescaped.
    String(String),
}

/// An attribute, optionally with a sub-attribute: `userName`, `name.givenName`.
/// Inside a value filter the attribute is a sub-attribute of the filtered one.
#[derive(Debug, Clone, PartialEq)]
pub struct AttrPath {
    attr: &'static AttrDef,
    sub: Option<&'static AttrDef>,
}

impl AttrPath {
    /// A path to `attr`, or to its sub-attribute `sub`, which must be one of `attr`'s.
    pub fn new(attr: &'static AttrDef, sub: Option<&'static AttrDef>) -> Result<Self, ScimError> {
        match sub {
            Some(s) if !attr.sub_attributes.iter().any(|a| a == s) => Err(ScimError::InvalidPath(
                format!("`{}` is not a sub-attribute of `{}`", s.name, attr.name),
            )),
            _ => Ok(Self { attr, sub }),
        }
    }

    /// The (top-level or value-filter-relative) attribute.
    pub fn attr(&self) -> &'static AttrDef {
        self.attr
    }

    /// The sub-attribute, if one was named.
    pub fn sub(&self) -> Option<&'static AttrDef> {
        self.sub
    }

    /// The attribute whose values a comparison reads: the sub-attribute if named,
    /// else the attribute itself, or `value` for a multi-valued complex attribute.
    pub fn leaf(&self) -> Option<&'static AttrDef> {
        self.sub.or_else(|| self.attr.implied_leaf())
    }
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.attr.qualified_name())?;
        match self.sub {
            Some(sub) => write!(f, ".{}", sub.name),
            None => Ok(()),
        }
    }
}

/// `path op value`, checked against the attribute's type and ready to evaluate.
#[derive(Debug, Clone)]
pub struct Comparison {
    path: AttrPath,
    op: CompareOp,
    value: Literal,
    pub(crate) operand: Operand,
}

/// Which part of a comparison a type error blames, so the parser can point at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Blame {
    Attribute,
    Operator,
    Value,
}

impl Comparison {
    /// Checks that `op` and `value` suit the attribute's type and compiles them;
    /// otherwise `invalidFilter` at position 0.
    pub fn new(path: AttrPath, op: CompareOp, value: Literal) -> Result<Self, ScimError> {
        Self::build(path, op, value).map_err(|(_, message)| ScimError::InvalidFilter {
            position: 0,
            message,
        })
    }

    pub(crate) fn build(
        path: AttrPath,
        op: CompareOp,
        value: Literal,
    ) -> Result<Self, (Blame, String)> {
        let operand = Operand::compile(&path, op, &value)?;
        Ok(Self {
            path,
            op,
            value,
            operand,
        })
    }

    /// The compared attribute.
    pub fn path(&self) -> &AttrPath {
        &self.path
    }

    /// The operator.
    pub fn op(&self) -> CompareOp {
        self.op
    }

    /// The value compared with.
    pub fn value(&self) -> &Literal {
        &self.value
    }
}

impl PartialEq for Comparison {
    fn eq(&self, other: &Self) -> bool {
        self.path == other.path && self.op == other.op && self.value == other.value
    }
}

/// A filter expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `path pr`: the attribute has a non-empty value.
    Present(AttrPath),
    /// `path op value`.
    Compare(Comparison),
    /// `attr[filter]`: some value of the complex attribute matches `filter`, whose
    /// paths are relative to `attr`.
    ValuePath(&'static AttrDef, Box<Expr>),
    /// `not (filter)`.
    Not(Box<Expr>),
    /// `left and right`.
    And(Box<Expr>, Box<Expr>),
    /// `left or right`.
    Or(Box<Expr>, Box<Expr>),
}

impl Expr {
    /// `left and right`.
    pub fn and(left: Expr, right: Expr) -> Self {
        Self::And(Box::new(left), Box::new(right))
    }

    /// `left or right`.
    pub fn or(left: Expr, right: Expr) -> Self {
        Self::Or(Box::new(left), Box::new(right))
    }

    /// `not (inner)`.
    pub fn negate(inner: Expr) -> Self {
        Self::Not(Box::new(inner))
    }

    /// `attr[inner]`, checking that `attr` is complex and `inner` names only its
    /// sub-attributes (without further sub-attributes or value filters); otherwise
    /// `invalidFilter` at position 0.
    pub fn value_path(attr: &'static AttrDef, inner: Expr) -> Result<Self, ScimError> {
        if !attr.is_complex() {
            return Err(ScimError::InvalidFilter {
                position: 0,
                message: format!("`{}` is not complex", attr.name),
            });
        }
        if !inner.is_relative_to(attr) {
            return Err(ScimError::InvalidFilter {
                position: 0,
                message: format!(
                    "a value filter on `{}` may name only its sub-attributes",
                    attr.name
                ),
            });
        }
        Ok(Self::ValuePath(attr, Box::new(inner)))
    }

    fn is_relative_to(&self, parent: &AttrDef) -> bool {
        let own =
            |p: &AttrPath| p.sub.is_none() && parent.sub_attributes.iter().any(|a| a == p.attr);
        match self {
            Self::Present(p) => own(p),
            Self::Compare(c) => own(&c.path),
            Self::ValuePath(..) => false,
            Self::Not(e) => e.is_relative_to(parent),
            Self::And(l, r) | Self::Or(l, r) => {
                l.is_relative_to(parent) && r.is_relative_to(parent)
            }
        }
    }
}

/// A comparison value compiled for the attribute's type.
#[derive(Debug, Clone)]
pub(crate) enum Operand {
    Null,
    Bool(bool),
    Int(i64),
    Dec(f64),
    /// A string; lower-cased when `fold` (the attribute is not `caseExact`).
    Text {
        text: String,
        fold: bool,
        ascii: bool,
    },
    /// The key a `userName` is identified by (see `scim::user_name`): `eq` and `ne`
    /// on `userName` compare keys, as the `userName` index does.
    UserName(String),
    Instant(OffsetDateTime),
}

type CompileError = (Blame, String);

impl Operand {
    /// Checks `op value` against the type of `path`'s leaf attribute.
    pub(crate) fn compile(
        path: &AttrPath,
        op: CompareOp,
        value: &Literal,
    ) -> Result<Self, CompileError> {
        let Some(leaf) = path.leaf() else {
            return Err((
                Blame::Attribute,
                format!(
                    "`{path}` is complex: compare one of its sub-attributes, or use a value filter"
                ),
            ));
        };
        let ty = leaf.ty;
        let refuse = |what: &str| {
            Err((
                Blame::Operator,
                format!("`{}` cannot be used on {what} `{path}`", op.as_str()),
            ))
        };
        let mismatch = |kind: &str| {
            Err((
                Blame::Value,
                format!("`{path}` is {}, not {kind}", describe(ty)),
            ))
        };
        match value {
            Literal::Null if matches!(op, CompareOp::Eq | CompareOp::Ne) => Ok(Self::Null),
            Literal::Null => Err((
                Blame::Operator,
                format!("only eq and ne compare with null, not `{}`", op.as_str()),
            )),
            Literal::Boolean(b) => match ty {
                AttrType::Boolean if matches!(op, CompareOp::Eq | CompareOp::Ne) => {
                    Ok(Self::Bool(*b))
                }
                AttrType::Boolean => refuse("the boolean"),
                _ => mismatch("a boolean"),
            },
            Literal::Integer(_) | Literal::Decimal(_) => match ty {
                AttrType::Integer | AttrType::Decimal if op.is_substring() => refuse("the number"),
                AttrType::Integer | AttrType::Decimal => Ok(match value {
                    Literal::Integer(i) => Self::Int(*i),
                    Literal::Decimal(d) => Self::Dec(*d),
                    _ => Self::Null,
                }),
                _ => mismatch("a number"),
            },
            Literal::String(s) => match ty {
                AttrType::String
                    if leaf.name == "userName"
                        && path.sub().is_none()
                        && matches!(op, CompareOp::Eq | CompareOp::Ne) =>
                {
                    Ok(Self::UserName(user_name::key(s)))
                }
                AttrType::String | AttrType::Reference => Ok(text(s, !leaf.case_exact)),
                AttrType::Binary if matches!(op, CompareOp::Eq | CompareOp::Ne) => {
                    Ok(text(s, false))
                }
                AttrType::Binary => refuse("the binary"),
                AttrType::DateTime if op.is_substring() => refuse("the date-time"),
                AttrType::DateTime => OffsetDateTime::parse(s, &Rfc3339)
                    .map(Self::Instant)
                    .map_err(|_| {
                        (
                            Blame::Value,
                            format!("`{path}` is a date-time: {s:?} is not an RFC 3339 instant"),
                        )
                    }),
                _ => mismatch("a string"),
            },
        }
    }
}

fn describe(ty: AttrType) -> &'static str {
    match ty {
        AttrType::Boolean => "a boolean",
        AttrType::Integer => "an integer",
        AttrType::Decimal => "a decimal",
        AttrType::DateTime => "a date-time",
        AttrType::Complex => "complex",
        AttrType::Binary => "binary",
        AttrType::String | AttrType::Reference => "a string",
    }
}

fn text(s: &str, fold: bool) -> Operand {
    let text = if fold { fold::fold(s) } else { s.to_owned() };
    let ascii = text.is_ascii();
    Operand::Text { text, fold, ascii }
}
