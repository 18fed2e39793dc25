//! PATCH paths (RFC 7644 §3.5.2): `attr`, `attr.sub`, `attr[filter]`,
//! `attr[filter].sub`, each optionally URN-prefixed.
//!
//! A malformed or unknown attribute part is `invalidPath`; a malformed value filter
//! (inside the brackets) is `invalidFilter`, as RFC 7644 Table 9 lists PATCH path
//! filters under `invalidFilter`. Messages give the byte offset.

use std::fmt;

use crate::scim::error::ScimError;
use crate::scim::filter::lexer::Tok;
use crate::scim::filter::parser::{resolve, Parser};
use crate::scim::filter::{AttrPath, Expr};
use crate::scim::schema::{AttrDef, Schema, USER_SCHEMA};

/// A parsed PATCH path.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchPath {
    attr: &'static AttrDef,
    filter: Option<Expr>,
    sub: Option<&'static AttrDef>,
}

impl PatchPath {
    /// Parses a path over the User schema.
    pub fn parse(input: &str) -> Result<Self, ScimError> {
        Self::parse_with(&USER_SCHEMA, input)
    }

    /// Parses a path over `schema`.
    pub fn parse_with(schema: &'static Schema, input: &str) -> Result<Self, ScimError> {
        let bracket = input.find('[');
        let mut p = Parser::new(schema, input).map_err(|e| match e {
            ScimError::InvalidFilter { position, .. } if bracket.is_some_and(|b| position > b) => e,
            ScimError::InvalidFilter { position, message } => path_error(input, position, &message),
            other => other,
        })?;
        let Some(Tok::Word(word)) = p.peek().cloned() else {
            return Err(path_error(input, p.pos(), "expected an attribute name"));
        };
        let path: AttrPath = resolve(schema, word).map_err(|what| path_error(input, 0, &what))?;
        p.bump();
        let (attr, mut sub, mut filter) = (path.attr(), path.sub(), None);
        if p.peek() == Some(&Tok::LBracket) {
            if sub.is_some() || !attr.is_complex() {
                return Err(path_error(
                    input,
                    0,
                    &format!("`{path}` is not complex, so it takes no value filter"),
                ));
            }
            filter = Some(p.bracketed(attr)?);
            if let Some(Tok::Word(word)) = p.peek().cloned() {
                let name = word.strip_prefix('.').unwrap_or(word);
                sub = match attr.sub_attribute(name) {
                    Some(def) if word.starts_with('.') => Some(def),
                    _ => {
                        return Err(path_error(
                            input,
                            p.pos(),
                            &format!("expected `.` and a sub-attribute of `{}`", attr.name),
                        ))
                    }
                };
                p.bump();
            }
        }
        if p.peek().is_some() {
            return Err(path_error(input, p.pos(), "unexpected text after the path"));
        }
        Ok(Self { attr, filter, sub })
    }

    /// The top-level attribute.
    pub fn attr(&self) -> &'static AttrDef {
        self.attr
    }

    /// The value filter, whose paths are relative to [`PatchPath::attr`].
    pub fn filter(&self) -> Option<&Expr> {
        self.filter.as_ref()
    }

    /// The sub-attribute, before or after the value filter.
    pub fn sub(&self) -> Option<&'static AttrDef> {
        self.sub
    }
}

impl fmt::Display for PatchPath {
    /// The canonical text: schema-case names, no URN for the core schema's
    /// attributes and the extension's URN for an extension's, the filter in
    /// canonical form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.attr.qualified_name())?;
        if let Some(filter) = &self.filter {
            write!(f, "[{filter}]")?;
        }
        match self.sub {
            Some(sub) => write!(f, ".{}", sub.name),
            None => Ok(()),
        }
    }
}

fn path_error(input: &str, position: usize, what: &str) -> ScimError {
    let shown: String = input.chars().take(64).collect();
    ScimError::InvalidPath(format!("{what} (at byte {position} of {shown:?})"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error_code::ErrorCode;

    fn canon(input: &str) -> String {
        PatchPath::parse(input)
            .map(|p| p.to_string())
            .unwrap_or_else(|e| e.code().to_owned())
    }

    #[test]
    fn shapes() {
        assert_eq!(canon("USERNAME"), "userName");
        assert_eq!(canon("name.GivenName"), "name.givenName");
        assert_eq!(
            canon(r#"emails[type eq "work"]"#),
            r#"emails[type eq "work"]"#
        );
        assert_eq!(
            canon(r#"emails[TYPE EQ "work" and primary eq true].Value"#),
            r#"emails[type eq "work" and primary eq true].value"#
        );
        assert_eq!(
            canon("urn:ietf:params:scim:schemas:core:2.0:User:emails.value"),
            "emails.value"
        );
    }

    #[test]
    fn errors() {
        for (input, code) in [
            ("", "invalidPath"),
            ("favoriteColor", "invalidPath"),
            ("name.middle", "invalidPath"),
            ("userName.x", "invalidPath"),
            (r#"userName[value eq "x"]"#, "invalidPath"),
            (r#"emails[type eq "work"]value"#, "invalidPath"),
            (r#"emails[type eq "work"].nope"#, "invalidPath"),
            (r#"emails[type eq "work"] x"#, "invalidPath"),
            ("emails[type eq]", "invalidFilter"),
            (r#"emails[nope eq "x"]"#, "invalidFilter"),
            (r#"emails[type eq "x"#, "invalidFilter"),
            ("emails[type pr", "invalidFilter"),
            ("user Name", "invalidPath"),
            ("name..givenName", "invalidPath"),
            ("urn:x:userName", "invalidPath"),
            ("@", "invalidPath"),
        ] {
            assert_eq!(canon(input), code, "{input}");
        }
    }
}
