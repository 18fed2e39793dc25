//! Versions and `If-Match` (RFC 7644 §3.14).
//!
//! A user's `meta.version` is a weak entity tag such as `W/"3"`. `If-Match` holds
//! `*` or a comma-separated list of tags; it matches when one tag has the same
//! opaque value as the version, compared weakly (a `W/` prefix on either side is
//! ignored, as SCIM versions are weak). A tag without quotes is taken as its text.

use crate::scim::error::ScimError;

/// The weak entity tag for version number `n`: `W/"n"`.
pub fn version_tag(n: u64) -> String {
    format!("W/\"{n}\"")
}

/// The opaque part of an entity tag: without `W/` and the quotes.
fn opaque(tag: &str) -> &str {
    let tag = tag.trim();
    let tag = tag.strip_prefix("W/").unwrap_or(tag);
    tag.strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(tag)
}

/// `Ok` when there is no `If-Match` header or it matches `version`; otherwise
/// `preconditionFailed` (412).
pub fn check_if_match(if_match: Option<&str>, version: &str) -> Result<(), ScimError> {
    let Some(header) = if_match else {
        return Ok(());
    };
    if header.trim() == "*" || header.split(',').any(|tag| opaque(tag) == opaque(version)) {
        return Ok(());
    }
    let shown: String = header.chars().take(64).collect();
    Err(ScimError::PreconditionFailed(format!(
        "If-Match {shown:?} does not match the current version {version}"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_comparison() {
        let v = version_tag(3);
        assert_eq!(v, "W/\"3\"");
        for ok in [
            None,
            Some("*"),
            Some("W/\"3\""),
            Some("\"3\""),
            Some("W/\"1\", W/\"3\""),
            Some(" 3 "),
        ] {
            assert!(check_if_match(ok, &v).is_ok(), "{ok:?}");
        }
        for bad in ["W/\"2\"", "", "w/\"3\"", "\"33\""] {
            let err = check_if_match(Some(bad), &v).unwrap_err();
            assert!(matches!(err, ScimError::PreconditionFailed(_)), "{bad}");
        }
    }
}
