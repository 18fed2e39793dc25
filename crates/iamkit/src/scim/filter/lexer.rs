//! Splits a filter or PATCH path into tokens.
//!
//! Words (attribute paths, operators, keywords and numbers) are runs of
//! `A-Z a-z 0-9 _ : . $ + -`; the parser decides what each one is. Strings follow
//! JSON (RFC 8259 §7): the escapes `\" \\ \/ \b \f \n \r \t \uXXXX`, surrogate pairs
//! joined, lone surrogates and raw control characters rejected.

use crate::scim::error::ScimError;

/// What a token is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok<'a> {
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// A run of word characters.
    Word(&'a str),
    /// A JSON string, unescaped.
    Str(String),
}

/// A token and the byte offset where it starts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token<'a> {
    pub kind: Tok<'a>,
    pub pos: usize,
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b':' | b'.' | b'$' | b'+' | b'-')
}

/// Splits `input` into tokens.
pub(crate) fn tokenize(input: &str) -> Result<Vec<Token<'_>>, ScimError> {
    let bytes = input.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let pos = i;
        let kind = match b {
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            b'(' => Tok::LParen,
            b')' => Tok::RParen,
            b'[' => Tok::LBracket,
            b']' => Tok::RBracket,
            b'"' => {
                let (text, end) = string(input, pos)?;
                tokens.push(Token {
                    kind: Tok::Str(text),
                    pos,
                });
                i = end;
                continue;
            }
            _ if is_word_byte(b) => {
                let len = bytes
                    .get(pos..)
                    .unwrap_or_default()
                    .iter()
                    .take_while(|&&c| is_word_byte(c))
                    .count();
                i = pos + len;
                let word = input.get(pos..i).unwrap_or_default();
                tokens.push(Token {
                    kind: Tok::Word(word),
                    pos,
                });
                continue;
            }
            _ => {
                let c = input
                    .get(pos..)
                    .and_then(|s| s.chars().next())
                    .unwrap_or('\u{fffd}');
                return Err(ScimError::filter(
                    input,
                    pos,
                    &format!("unexpected character {c:?}"),
                ));
            }
        };
        tokens.push(Token { kind, pos });
        i += 1;
    }
    Ok(tokens)
}

/// Reads the JSON string opening at `start`; returns it and the offset after it.
fn string(input: &str, start: usize) -> Result<(String, usize), ScimError> {
    let bytes = input.as_bytes();
    let mut out = String::new();
    let mut i = start + 1;
    loop {
        let Some(&b) = bytes.get(i) else {
            return Err(ScimError::filter(input, start, "unterminated string"));
        };
        match b {
            b'"' => return Ok((out, i + 1)),
            b'\\' => {
                let (c, next) = escape(input, i)?;
                out.push(c);
                i = next;
            }
            0..=0x1f => {
                return Err(ScimError::filter(
                    input,
                    i,
                    "control characters in strings must be escaped",
                ))
            }
            _ => {
                let run = bytes.get(i..).unwrap_or_default();
                let len = run
                    .iter()
                    .take_while(|&&c| c != b'"' && c != b'\\' && c >= 0x20)
                    .count();
                // The run ends at an ASCII byte or the end, so it is a whole UTF-8 slice.
                out.push_str(input.get(i..i + len).unwrap_or_default());
                i += len;
            }
        }
    }
}

/// Decodes the escape at `at` (the backslash); returns the character and the next offset.
fn escape(input: &str, at: usize) -> Result<(char, usize), ScimError> {
    let simple = match input.as_bytes().get(at + 1) {
        Some(b'"') => '"',
        Some(b'\\') => '\\',
        Some(b'/') => '/',
        Some(b'b') => '\u{8}',
        Some(b'f') => '\u{c}',
        Some(b'n') => '\n',
        Some(b'r') => '\r',
        Some(b't') => '\t',
        Some(b'u') => return unicode_escape(input, at),
        _ => return Err(ScimError::filter(input, at, "invalid escape in string")),
    };
    Ok((simple, at + 2))
}

fn hex4(input: &str, at: usize) -> Option<u32> {
    let digits = input.get(at..at + 4)?;
    if digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        u32::from_str_radix(digits, 16).ok()
    } else {
        None
    }
}

/// Decodes `\uXXXX` (and a following low surrogate) at `at`.
fn unicode_escape(input: &str, at: usize) -> Result<(char, usize), ScimError> {
    let bad = |what| Err(ScimError::filter(input, at, what));
    let Some(unit) = hex4(input, at + 2) else {
        return bad("\\u must be followed by four hex digits");
    };
    let (code, next) = match unit {
        0xD800..=0xDBFF => {
            let low = if input.get(at + 6..at + 8) == Some("\\u") {
                hex4(input, at + 8)
            } else {
                None
            };
            match low {
                Some(low @ 0xDC00..=0xDFFF) => {
                    (0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00), at + 12)
                }
                _ => return bad("unpaired surrogate in \\u escape"),
            }
        }
        0xDC00..=0xDFFF => return bad("unpaired surrogate in \\u escape"),
        _ => (unit, at + 6),
    };
    match char::from_u32(code) {
        Some(c) => Ok((c, next)),
        None => bad("invalid \\u escape"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(input: &str) -> Vec<Tok<'_>> {
        tokenize(input)
            .unwrap()
            .into_iter()
            .map(|t| t.kind)
            .collect()
    }

    #[test]
    fn words_strings_and_brackets() {
        assert_eq!(
            kinds(r#"emails[type eq "w\"o\\rk"]"#),
            vec![
                Tok::Word("emails"),
                Tok::LBracket,
                Tok::Word("type"),
                Tok::Word("eq"),
                Tok::Str("w\"o\\rk".into()),
                Tok::RBracket
            ]
        );
        assert_eq!(kinds("not(x pr)")[..2], [Tok::Word("not"), Tok::LParen]);
        assert_eq!(kinds("a eq -1.5e+3")[2], Tok::Word("-1.5e+3"));
    }

    #[test]
    fn unicode_escapes() {
        assert_eq!(kinds(r#""\u00e9\/""#), vec![Tok::Str("é/".into())]);
        assert_eq!(kinds(r#""\ud83d\ude00""#), vec![Tok::Str("😀".into())]);
        assert_eq!(kinds(r#""""#), vec![Tok::Str(String::new())]);
        assert_eq!(kinds("\"é😀\""), vec![Tok::Str("é😀".into())]);
    }

    #[test]
    fn errors_carry_positions() {
        let pos = |input: &str| match tokenize(input) {
            Err(ScimError::InvalidFilter { position, .. }) => position,
            other => panic!("{input}: {other:?}"),
        };
        assert_eq!(pos(r#"a eq "\ud83d""#), 6);
        assert_eq!(pos(r#"a eq "\ude00x""#), 6);
        assert_eq!(pos(r#"a eq "\u00g0""#), 6);
        assert_eq!(pos(r#"a eq "\q""#), 6);
        assert_eq!(pos("a eq \"x"), 5);
        assert_eq!(pos("a eq \"x\ny\""), 7);
        assert_eq!(pos("a eq 'x'"), 5);
        assert_eq!(pos("a ≠ b"), 2);
    }
}
