//! A recursive-descent parser for the RFC 7644 §3.4.2.2 filter grammar:
//!
//! ```text
//! filter  = or
//! or      = and *("or" and)
//! and     = unary *("and" unary)
//! unary   = "not" "(" or ")" / "(" or ")" / attrExp
//! attrExp = attrPath "pr" / attrPath compareOp value / attrPath "[" or "]"
//! ```
//!
//! Keywords, operators and attribute names ignore case. Input is limited to
//! [`MAX_LEN`] bytes and [`MAX_DEPTH`] nested groups (parentheses, `not`, `[`).

use crate::scim::error::ScimError;
use crate::scim::filter::ast::{AttrPath, Blame, CompareOp, Comparison, Expr, Literal};
use crate::scim::filter::lexer::{tokenize, Tok, Token};
use crate::scim::schema::{AttrDef, Returned, Schema};

/// The longest filter accepted, in bytes.
pub const MAX_LEN: usize = 4096;
/// The deepest nesting of parentheses, `not` and value filters accepted.
pub const MAX_DEPTH: usize = 32;

/// Parser state over the tokens of one input.
pub(crate) struct Parser<'a> {
    input: &'a str,
    tokens: Vec<Token<'a>>,
    at: usize,
    schema: &'static Schema,
    depth: usize,
}

type Res<T> = Result<T, ScimError>;

impl<'a> Parser<'a> {
    /// Tokenizes `input`, refusing inputs over [`MAX_LEN`] bytes.
    pub(crate) fn new(schema: &'static Schema, input: &'a str) -> Res<Self> {
        if input.len() > MAX_LEN {
            let what = format!("input longer than {MAX_LEN} bytes");
            return Err(ScimError::InvalidFilter {
                position: MAX_LEN,
                message: what,
            });
        }
        let tokens = tokenize(input)?;
        Ok(Self {
            input,
            tokens,
            at: 0,
            schema,
            depth: 0,
        })
    }

    /// Parses a whole filter.
    pub(crate) fn filter(&mut self) -> Res<Expr> {
        let expr = self.or(None)?;
        match self.peek() {
            None => Ok(expr),
            Some(Tok::RParen) => Err(self.error_here("unbalanced `)`")),
            Some(_) => Err(self.error_here("expected `and`, `or` or the end of the filter")),
        }
    }

    /// The current token.
    pub(crate) fn peek(&self) -> Option<&Tok<'a>> {
        self.tokens.get(self.at).map(|t| &t.kind)
    }

    /// Byte offset of the current token, or the input's length at the end.
    pub(crate) fn pos(&self) -> usize {
        self.tokens.get(self.at).map_or(self.input.len(), |t| t.pos)
    }

    /// Moves past the current token and returns it.
    pub(crate) fn bump(&mut self) -> Option<Tok<'a>> {
        let tok = self.tokens.get(self.at).map(|t| t.kind.clone());
        self.at += 1;
        tok
    }

    /// An `invalidFilter` error at the current token.
    pub(crate) fn error_here(&self, what: &str) -> ScimError {
        ScimError::filter(self.input, self.pos(), what)
    }

    fn enter(&mut self) -> Res<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error_here(&format!("filter nested deeper than {MAX_DEPTH} levels")));
        }
        Ok(())
    }

    fn keyword(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    fn or(&mut self, scope: Option<&'static AttrDef>) -> Res<Expr> {
        let mut left = self.and(scope)?;
        while self.keyword("or") {
            self.bump();
            left = Expr::or(left, self.and(scope)?);
        }
        Ok(left)
    }

    fn and(&mut self, scope: Option<&'static AttrDef>) -> Res<Expr> {
        let mut left = self.unary(scope)?;
        while self.keyword("and") {
            self.bump();
            left = Expr::and(left, self.unary(scope)?);
        }
        Ok(left)
    }

    fn unary(&mut self, scope: Option<&'static AttrDef>) -> Res<Expr> {
        if self.keyword("not") {
            self.bump();
            if self.peek() != Some(&Tok::LParen) {
                return Err(self.error_here("expected `(` after `not`"));
            }
            return Ok(Expr::negate(self.group(scope)?));
        }
        if self.peek() == Some(&Tok::LParen) {
            return self.group(scope);
        }
        self.attr_exp(scope)
    }

    /// `"(" or ")"`, at the opening parenthesis.
    fn group(&mut self, scope: Option<&'static AttrDef>) -> Res<Expr> {
        self.enter()?;
        self.bump();
        let inner = self.or(scope)?;
        if self.peek() != Some(&Tok::RParen) {
            return Err(self.error_here("expected `)`"));
        }
        self.bump();
        self.depth -= 1;
        Ok(inner)
    }

    fn attr_exp(&mut self, scope: Option<&'static AttrDef>) -> Res<Expr> {
        let start = self.pos();
        let Some(Tok::Word(word)) = self.peek().cloned() else {
            return Err(self.error_here("expected an attribute name, `(` or `not`"));
        };
        let path = match scope {
            None => resolve(self.schema, word),
            Some(parent) => resolve_relative(parent, word),
        }
        .map_err(|what| ScimError::filter(self.input, start, &what))?;
        if path.attr().returned == Returned::Never {
            let what = format!("`{path}` is never returned, so no filter can test it");
            return Err(ScimError::filter(self.input, start, &what));
        }
        self.bump();
        match self.peek() {
            Some(Tok::LBracket) => self.value_path(scope, path, start),
            _ => self.comparison(path, start),
        }
    }

    /// `pr`, or an operator and a value, after the attribute path `path` (which
    /// began at byte `start`).
    fn comparison(&mut self, path: AttrPath, start: usize) -> Res<Expr> {
        let op_pos = self.pos();
        let op = match self.peek() {
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("pr") => {
                self.bump();
                return Ok(Expr::Present(path));
            }
            Some(Tok::Word(w)) => CompareOp::from_keyword(w),
            _ => None,
        };
        let Some(op) = op else {
            return Err(
                self.error_here("expected an operator (eq ne co sw ew gt ge lt le pr) or `[`")
            );
        };
        self.bump();
        let value_pos = self.pos();
        let value = self.literal()?;
        Comparison::build(path, op, value)
            .map(Expr::Compare)
            .map_err(|(blame, what)| {
                let at = match blame {
                    Blame::Attribute => start,
                    Blame::Operator => op_pos,
                    Blame::Value => value_pos,
                };
                ScimError::filter(self.input, at, &what)
            })
    }

    fn value_path(
        &mut self,
        scope: Option<&'static AttrDef>,
        path: AttrPath,
        start: usize,
    ) -> Res<Expr> {
        if scope.is_some() {
            return Err(self.error_here("value filters cannot nest"));
        }
        let attr = path.attr();
        if path.sub().is_some() || !attr.is_complex() {
            let what = format!("`{path}` is not a complex attribute, so it takes no value filter");
            return Err(ScimError::filter(self.input, start, &what));
        }
        let inner = self.bracketed(attr)?;
        let Some(Tok::Word(word)) = self.peek().cloned() else {
            return Ok(Expr::ValuePath(attr, Box::new(inner)));
        };
        let Some(name) = word.strip_prefix('.') else {
            return Ok(Expr::ValuePath(attr, Box::new(inner)));
        };
        // `emails[type eq "work"].value eq "x"`, as Microsoft Entra ID writes it:
        // the same as `emails[type eq "work" and value eq "x"]`.
        let sub_pos = self.pos();
        let sub = resolve_relative(attr, name)
            .map_err(|what| ScimError::filter(self.input, sub_pos, &what))?;
        self.bump();
        let compared = self.comparison(sub, sub_pos)?;
        Ok(Expr::ValuePath(attr, Box::new(Expr::and(inner, compared))))
    }

    /// `"[" or "]"` relative to `attr`, at the opening bracket.
    pub(crate) fn bracketed(&mut self, attr: &'static AttrDef) -> Res<Expr> {
        self.enter()?;
        self.bump();
        let inner = self.or(Some(attr))?;
        if self.peek() != Some(&Tok::RBracket) {
            return Err(self.error_here("expected `]`"));
        }
        self.bump();
        self.depth -= 1;
        Ok(inner)
    }

    fn literal(&mut self) -> Res<Literal> {
        let at = self.pos();
        let value = match self.peek() {
            Some(Tok::Str(s)) => Literal::String(s.clone()),
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("true") => Literal::Boolean(true),
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("false") => Literal::Boolean(false),
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("null") => Literal::Null,
            Some(Tok::Word(w)) if w.starts_with(|c: char| c == '-' || c.is_ascii_digit()) => {
                number(w).map_err(|what| ScimError::filter(self.input, at, what))?
            }
            _ => {
                return Err(
                    self.error_here("expected a value: a string, number, true, false or null")
                )
            }
        };
        self.bump();
        Ok(value)
    }
}

/// Parses a JSON number (RFC 8259 §6): an integer when it has no fraction or exponent.
fn number(word: &str) -> Result<Literal, &'static str> {
    let b = word.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    let int_start = i;
    let int_len = digits(&mut i);
    let malformed = Err("malformed number");
    if int_len == 0 || (int_len > 1 && b.get(int_start) == Some(&b'0')) {
        return malformed;
    }
    let mut decimal = false;
    if b.get(i) == Some(&b'.') {
        i += 1;
        decimal = true;
        if digits(&mut i) == 0 {
            return malformed;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        decimal = true;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return malformed;
        }
    }
    if i != b.len() {
        return malformed;
    }
    if decimal {
        match word.parse::<f64>() {
            Ok(d) if d.is_finite() => Ok(Literal::Decimal(d)),
            _ => Err("number out of range"),
        }
    } else {
        word.parse::<i64>()
            .map(Literal::Integer)
            .map_err(|_| "integer out of range")
    }
}

fn is_attr_name(name: &str) -> bool {
    let mut chars = name.chars();
    let first_ok = match chars.next() {
        Some('$') => true,
        Some(c) => c.is_ascii_alphabetic(),
        None => false,
    };
    first_ok && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Resolves `attr`, `attr.sub` or `URN:attr[.sub]` against `schema`, where `URN`
/// is the schema's or one of its extensions' (whose attributes need it).
pub(crate) fn resolve(schema: &'static Schema, word: &str) -> Result<AttrPath, String> {
    let Some((owner, rest)) = schema.locate(word) else {
        let served: Vec<&str> = std::iter::once(schema.id)
            .chain(schema.extensions.iter().map(|e| e.id))
            .collect();
        return Err(format!(
            "unknown schema in `{word}`: only {} are served",
            served.join(" and ")
        ));
    };
    let mut parts = rest.split('.');
    let name = parts.next().unwrap_or_default();
    let sub = parts.next();
    if parts.next().is_some() {
        return Err(format!(
            "`{word}` names more than one level of sub-attribute"
        ));
    }
    if !is_attr_name(name) || sub.is_some_and(|s| !is_attr_name(s)) {
        return Err(format!("`{word}` is not an attribute path"));
    }
    let Some(attr) = owner.attribute(name) else {
        return Err(schema.unknown_attribute(name));
    };
    let sub = match sub {
        None => None,
        Some(_) if !attr.is_complex() => {
            return Err(format!("`{}` has no sub-attributes", attr.qualified_name()))
        }
        Some(s) => match attr.sub_attribute(s) {
            Some(def) => Some(def),
            None => {
                return Err(format!(
                    "unknown sub-attribute `{s}` of `{}`",
                    attr.qualified_name()
                ))
            }
        },
    };
    AttrPath::new(attr, sub).map_err(|e| e.to_string())
}

/// Resolves a sub-attribute name inside a value filter on `parent`.
fn resolve_relative(parent: &'static AttrDef, word: &str) -> Result<AttrPath, String> {
    if !is_attr_name(word) {
        return Err(format!(
            "`{word}` is not a sub-attribute name of `{}`",
            parent.name
        ));
    }
    match parent.sub_attribute(word) {
        Some(def) => AttrPath::new(def, None).map_err(|e| e.to_string()),
        None => Err(format!(
            "unknown sub-attribute `{word}` of `{}`",
            parent.name
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(number("0"), Ok(Literal::Integer(0)));
        assert_eq!(number("-12"), Ok(Literal::Integer(-12)));
        assert_eq!(number("1.5e3"), Ok(Literal::Decimal(1500.0)));
        assert_eq!(number("2E-2"), Ok(Literal::Decimal(0.02)));
        for bad in ["01", "-", "1.", ".5", "1e", "1e+", "1-2", "--1", "1.2.3"] {
            assert!(number(bad).is_err(), "{bad}");
        }
        assert_eq!(number("9223372036854775808"), Err("integer out of range"));
        assert_eq!(number("1e400"), Err("number out of range"));
    }

    #[test]
    fn attribute_names() {
        assert!(is_attr_name("userName") && is_attr_name("$ref") && is_attr_name("a-b_c1"));
        assert!(!is_attr_name("1a") && !is_attr_name("") && !is_attr_name("a$"));
    }
}
