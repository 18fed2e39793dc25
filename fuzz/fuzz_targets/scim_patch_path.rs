//! Any UTF-8 input either parses into a PATCH path whose canonical text parses back
//! to the same path, or fails with `invalidPath`/`invalidFilter`. Parsed paths are
//! then used in add, replace and remove operations on a valid user, which must
//! succeed or fail with an error, never panic.
#![no_main]

use std::sync::OnceLock;

use iamkit::scim::filter::MAX_LEN;
use iamkit::scim::patch::PATCH_OP_URN;
use iamkit::scim::{apply_patch, PatchPath, ScimError};
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};

fn user() -> &'static Value {
    static USER: OnceLock<Value> = OnceLock::new();
    USER.get_or_init(|| {
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "id": "US0123456789abcdef0123456789abcdef",
            "userName": "ann@example.com",
            "name": {"givenName": "Ann"},
            "emails": [
                {"value": "ann@example.com", "type": "work", "primary": true},
                {"value": "ann@home.example", "type": "home"}
            ],
            "active": true,
            "meta": {"resourceType": "User", "created": "2026-01-01T00:00:00Z"}
        })
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    match PatchPath::parse(input) {
        Ok(path) => {
            let text = path.to_string();
            if text.len() <= MAX_LEN {
                let again = PatchPath::parse(&text).expect("canonical path parses");
                assert_eq!(
                    again, path,
                    "canonical path {text:?} parses to another path"
                );
            }
            let values = [
                json!("ann@example.com"),
                json!(true),
                json!({"value": "ann@new.example", "type": "work", "primary": true}),
                json!([{"value": "ann@new.example"}]),
                Value::Null,
            ];
            for op in ["add", "replace", "remove"] {
                for value in &values {
                    let request = json!({"schemas": [PATCH_OP_URN], "Operations": [{"op": op, "path": input, "value": value}]});
                    let _ = apply_patch(user(), &request);
                }
            }
        }
        Err(ScimError::InvalidPath(_) | ScimError::InvalidFilter { .. }) => {}
        Err(other) => panic!("unexpected error {other:?}"),
    }
});
