//! Runs the shared SCIM vectors in `tests/vectors/scim` (see the README there).

use std::path::PathBuf;

use iamkit::error::ErrorCode;
use iamkit::scim::{apply_patch, Filter, ScimError};
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/vectors/scim")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn cases(doc: &Value) -> &[Value] {
    doc["cases"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
}

fn text<'a>(case: &'a Value, key: &str) -> &'a str {
    case[key]
        .as_str()
        .unwrap_or_else(|| panic!("case without a string `{key}`: {case}"))
}

/// Asserts that no case failed, listing every failure.
fn report(file: &str, total: usize, failures: &[String]) {
    assert!(total > 0, "{file} has no cases");
    assert!(
        failures.is_empty(),
        "{} of {total} cases in {file} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn outcome(result: &Result<String, ScimError>) -> String {
    match result {
        Ok(canonical) => format!("canonical {canonical:?}"),
        Err(e) => format!("error {} ({e})", e.code()),
    }
}

#[test]
fn filters() {
    let doc = load("filters.json");
    let mut failures = Vec::new();
    for case in cases(&doc) {
        let input = text(case, "filter");
        let parsed = Filter::parse(input);
        let got = parsed
            .as_ref()
            .map(ToString::to_string)
            .map_err(Clone::clone);
        let ok = match (&got, case.get("canonical"), case.get("error")) {
            (Ok(c), Some(want), None) => want == c.as_str(),
            (Err(e), None, Some(want)) => want == e.code()
                && case.get("position").is_none_or(
                    |p| matches!(e, ScimError::InvalidFilter { position, .. } if p == *position),
                ),
            _ => false,
        };
        if !ok {
            failures.push(format!("{input:?}: got {}, want {case}", outcome(&got)));
        }
        if let (Ok(filter), Ok(c)) = (&parsed, &got) {
            if Filter::parse(c).as_ref() != Ok(filter) {
                failures.push(format!(
                    "{input:?}: canonical {c:?} does not parse back to the same tree"
                ));
            }
        }
    }
    report("filters.json", cases(&doc).len(), &failures);
}

#[test]
fn matches() {
    let doc = load("matches.json");
    let users = &doc["users"];
    let mut failures = Vec::new();
    for case in cases(&doc) {
        let input = text(case, "filter");
        let user = &users[text(case, "user")];
        assert!(user.is_object(), "unknown user in {case}");
        let want = case["match"]
            .as_bool()
            .unwrap_or_else(|| panic!("case without `match`: {case}"));
        match Filter::parse(input) {
            Ok(filter) if filter.matches(user) == want => {}
            Ok(_) => failures.push(format!(
                "{input:?} on {}: want match = {want}",
                case["user"]
            )),
            Err(e) => failures.push(format!("{input:?}: {e}")),
        }
    }
    report("matches.json", cases(&doc).len(), &failures);
}

#[test]
fn patches() {
    let doc = load("patch.json");
    let mut failures = Vec::new();
    for case in cases(&doc) {
        let name = case["name"].as_str().unwrap_or("?");
        let got = apply_patch(&case["resource"], &case["request"]);
        let ok = match (&got, case.get("result"), case.get("error")) {
            (Ok(v), Some(want), None) => v == want,
            (Err(e), None, Some(want)) => want == e.code(),
            _ => false,
        };
        if !ok {
            let got = match &got {
                Ok(v) => format!("result {v}"),
                Err(e) => format!("error {} ({e})", e.code()),
            };
            failures.push(format!("{name}: got {got}"));
        }
    }
    report("patch.json", cases(&doc).len(), &failures);
}
