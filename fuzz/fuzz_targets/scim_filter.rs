//! Any UTF-8 input either parses into a filter whose canonical text parses back to
//! the same tree, or fails with `invalidFilter` at a position inside the input.
//! Parsed filters are also evaluated against a user, which must not panic.
#![no_main]

use std::sync::OnceLock;

use iamkit::scim::filter::MAX_LEN;
use iamkit::scim::{Filter, ScimError};
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};

fn user() -> &'static Value {
    static USER: OnceLock<Value> = OnceLock::new();
    USER.get_or_init(|| {
        json!({
            "id": "US0123456789abcdef0123456789abcdef",
            "userName": "Zoë@Example.com",
            "title": "",
            "name": {"givenName": "Zoë", "familyName": null},
            "emails": [{"value": "zoe@example.com", "type": "work", "primary": true}, {"value": "z@x.org"}],
            "active": false,
            "meta": {"created": "2026-01-01T00:00:00+01:00", "lastModified": "not a date"}
        })
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    match Filter::parse(input) {
        Ok(filter) => {
            let text = filter.to_string();
            // Printing may add a few spaces, so the canonical text can pass the limit.
            if text.len() <= MAX_LEN {
                let again = Filter::parse(&text).expect("canonical text parses");
                assert_eq!(
                    again, filter,
                    "canonical text {text:?} parses to another tree"
                );
                assert_eq!(again.to_string(), text);
            }
            let _ = filter.matches(user());
            let _ = filter.index_key();
        }
        Err(ScimError::InvalidFilter { position, .. }) => assert!(position <= input.len()),
        Err(other) => panic!("unexpected error {other:?}"),
    }
});
