//! How strings of attributes that are not `caseExact` compare: after simple Unicode
//! lower-casing, character by character. The filter evaluator and the user indexes
//! both fold this way, so an index look-up agrees with a scan.

pub(crate) fn fold_chars(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars().flat_map(char::to_lowercase)
}

/// `s` as non-`caseExact` strings compare: simple Unicode lower-casing, character by
/// character (so an index keyed by it agrees with the evaluator).
pub(crate) fn fold(s: &str) -> String {
    fold_chars(s).collect()
}
