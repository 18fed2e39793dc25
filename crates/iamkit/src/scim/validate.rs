//! Checking one User resource against the schema and a rule set ([`ScimRules`]).
//!
//! Error choices: an attribute the schema does not define, or two keys naming the
//! same attribute in different case, is `invalidSyntax` (the body does not have the
//! schema's structure); a missing required value, a value of the wrong type or one
//! breaking a rule is `invalidValue`. Cross-user uniqueness is the engine's.

use std::fmt;
use std::str::FromStr;

use serde_json::{Map, Value};

use crate::scim::error::ScimError;
use crate::scim::input::canonical_user;
use crate::scim::json::{get_ci, member};
use crate::scim::schema::{AttrDef, AttrType, Schema, RFC7643_USER_SCHEMA, USER_SCHEMA};
use crate::scim::user_name;

/// The shortest `userName` Twilio accepts, in characters.
pub const USERNAME_MIN_CHARS: usize = 2;
/// The longest `userName` Twilio accepts, in characters.
pub const USERNAME_MAX_CHARS: usize = 255;

/// The longest value of a string or reference attribute or sub-attribute, in
/// characters, under either rule set.
pub const MAX_STRING_CHARS: usize = 4096;
/// The longest value of a binary attribute (`x509Certificates.value`, base64), in
/// characters: room for a certificate of 12 KiB.
pub const MAX_BINARY_CHARS: usize = 16_384;
/// The most values a multi-valued attribute (`emails`, `addresses`, `roles`, …)
/// may hold.
pub const MAX_VALUES: usize = 100;
/// The largest User, in bytes of its attributes as JSON (what the client sets: no
/// `id`, `meta` or `schemas`).
pub const MAX_USER_BYTES: usize = 64 * 1024;

/// The rules a User must follow: Twilio's (the default) or only RFC 7643's.
///
/// Both rule sets check what RFC 7643 requires of every User:
/// - a JSON object whose members are attributes of the User schema (no unknown
///   attribute or sub-attribute, none twice in different case), each of the type
///   the schema gives it (§2.3, §4.1);
/// - a non-empty `userName` (§4.1.1: "Each User MUST include a non-empty userName
///   value"), unique — uniqueness is checked by the engine, across users, on the
///   name's RFC 8265 UsernameCaseMapped form (width-mapped, lower-cased, NFC; see
///   `scim::user_name`);
/// - a `userName` that profile accepts: spaces, invisible and format characters
///   (U+200B, U+FEFF, U+2060, U+202E, …) are `invalidValue`, so no look-alike of
///   another user's name can be stored;
/// - at most one `primary: true` per multi-valued attribute (§2.4: it "MUST appear
///   no more than once");
/// - `schemas`, when given, naming the User schema and only served schemas (the
///   enterprise extension's URN may be listed).
///
/// Both first make the resource canonical (see `scim::input`): read-only members
/// such as `id`, `meta` and `groups` are ignored, `null` and `[]` are unassigned,
/// and booleans may be the strings `"True"`/`"False"`.
///
/// Both bound the size of a User, so that one request cannot store megabytes: a
/// string value holds at most [`MAX_STRING_CHARS`] characters (a binary one
/// [`MAX_BINARY_CHARS`]), a multi-valued attribute at most [`MAX_VALUES`] values,
/// and the attributes as JSON at most [`MAX_USER_BYTES`] bytes. Each excess is
/// `invalidValue`, naming the attribute and the limit; a PATCH is judged by its
/// result, so one that grows a user past a limit changes nothing.
///
/// Both also refuse an email `value` that is not a plausible address
/// ([`plausible_email`]). RFC 7643 §4.1.2 only says the value "SHOULD be specified
/// according to RFC 5321"; iamkit holds clients to that in both rule sets, answering
/// `invalidValue` (RFC 7644 §3.12) rather than storing an address that cannot work.
///
/// [`ScimRules::Twilio`] adds Twilio's rules, which RFC 7643 does not have:
/// - `userName` is 2 to 255 characters ([`USERNAME_MIN_CHARS`],
///   [`USERNAME_MAX_CHARS`]) and equals, ignoring case, the primary email (or the
///   first email, when none is primary);
/// - a user has at least one email, and every email has a `value`.
///
/// The Schemas discovery document follows the rule set
/// ([`ScimRules::user_schema`]): under Twilio's rules `emails` and `emails.value`
/// are required; under RFC 7643's only `userName` is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ScimRules {
    /// Twilio's SCIM API rules (the default): RFC 7643's, plus `userName` of 2–255
    /// characters equal to the primary email, and at least one email, each with a
    /// value.
    #[default]
    Twilio,
    /// Only what RFC 7643 requires: for generic SCIM clients and conformance
    /// checkers that do not know Twilio's rules.
    Rfc7643,
}

impl ScimRules {
    /// Every rule set, the default first.
    pub const ALL: [ScimRules; 2] = [ScimRules::Twilio, ScimRules::Rfc7643];

    /// The rule set's name: `twilio` or `rfc7643` (what [`FromStr`] reads).
    pub fn as_str(self) -> &'static str {
        match self {
            ScimRules::Twilio => "twilio",
            ScimRules::Rfc7643 => "rfc7643",
        }
    }

    /// The User schema of the rule set: the same attributes, with what it requires
    /// ([`USER_SCHEMA`] or [`RFC7643_USER_SCHEMA`]).
    pub fn user_schema(self) -> &'static Schema {
        match self {
            ScimRules::Twilio => &USER_SCHEMA,
            ScimRules::Rfc7643 => &RFC7643_USER_SCHEMA,
        }
    }

    /// Checks a User resource against the schema and this rule set (see
    /// [`ScimRules`] for what each checks).
    pub fn validate_user(self, user: &Value) -> Result<(), ScimError> {
        self.user_attributes(user).map(drop)
    }

    /// The attributes of a User resource as the engine stores them: made canonical
    /// (member names in the schema's case, unassigned and read-only members left
    /// out, string booleans read; see `scim::input`), then checked against this rule
    /// set.
    pub fn user_attributes(self, user: &Value) -> Result<Map<String, Value>, ScimError> {
        let schema = self.user_schema();
        let attributes = canonical_user(schema, user)?;
        check_limits(schema, &attributes)?;
        check_size(&attributes)?;
        check_required(schema, &attributes)?;
        let user_name = attributes
            .get("userName")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if user_name.is_empty() {
            return Err(invalid("`userName` must not be empty".into()));
        }
        user_name::enforce(user_name).map_err(invalid)?;
        check_primaries(schema, &attributes)?;
        let emails = attributes
            .get("emails")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        check_emails(emails)?;
        match self {
            ScimRules::Twilio => twilio_user_name(user_name, emails)?,
            ScimRules::Rfc7643 => {}
        }
        Ok(attributes)
    }
}

impl fmt::Display for ScimRules {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ScimRules {
    type Err = String;

    /// Reads `twilio` or `rfc7643`, ignoring ASCII case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown SCIM rule set {s:?}: expected twilio or rfc7643"))
    }
}

fn invalid(what: String) -> ScimError {
    ScimError::InvalidValue(what)
}

/// Checks a User resource against the schema and Twilio's rules, the default rule
/// set: the same as `ScimRules::Twilio.validate_user(user)`.
pub fn validate_user(user: &Value) -> Result<(), ScimError> {
    ScimRules::Twilio.validate_user(user)
}

/// Whether a value is unassigned (RFC 7643 §2.5): absent, `null` or an empty array.
fn unassigned(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => true,
        Some(Value::Array(items)) => items.is_empty(),
        Some(_) => false,
    }
}

/// Checks that every required attribute of `schema` has a value, and that every
/// value of a complex attribute has its required sub-attributes.
fn check_required(schema: &'static Schema, obj: &Map<String, Value>) -> Result<(), ScimError> {
    for attr in schema.every_attribute() {
        let value = member(obj, attr);
        if attr.required && unassigned(value) {
            return Err(invalid(format!("`{}` is required", attr.name)));
        }
        let elements = match value {
            Some(Value::Array(items)) => items.as_slice(),
            Some(one @ Value::Object(_)) => std::slice::from_ref(one),
            _ => &[],
        };
        for sub in attr.sub_attributes.iter().filter(|s| s.required) {
            let missing = elements
                .iter()
                .filter_map(Value::as_object)
                .any(|e| unassigned(get_ci(e, sub.name)));
            if missing {
                return Err(invalid(format!(
                    "every value of `{}` needs a `{}`",
                    attr.name, sub.name
                )));
            }
        }
    }
    Ok(())
}

/// Every multi-valued attribute has at most [`MAX_VALUES`] values, and every string
/// value (of an attribute or a sub-attribute) at most [`MAX_STRING_CHARS`]
/// characters, or [`MAX_BINARY_CHARS`] for a binary one.
fn check_limits(schema: &'static Schema, obj: &Map<String, Value>) -> Result<(), ScimError> {
    for attr in schema.every_attribute() {
        let values = match member(obj, attr) {
            None => continue,
            Some(Value::Array(items)) => {
                if items.len() > MAX_VALUES {
                    return Err(invalid(format!(
                        "`{}` must have at most {MAX_VALUES} values, not {}",
                        attr.qualified_name(),
                        items.len()
                    )));
                }
                items.as_slice()
            }
            Some(one) => std::slice::from_ref(one),
        };
        for value in values {
            match value {
                Value::String(s) => check_length(attr, None, s)?,
                Value::Object(members) => {
                    for (key, value) in members {
                        if let (Some(sub), Value::String(s)) = (attr.sub_attribute(key), value) {
                            check_length(sub, Some(attr), s)?;
                        }
                    }
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// A string value of `def` (a sub-attribute of `parent`, if given) is at most
/// [`MAX_STRING_CHARS`] characters, or [`MAX_BINARY_CHARS`] for a binary one.
fn check_length(def: &AttrDef, parent: Option<&AttrDef>, s: &str) -> Result<(), ScimError> {
    let max = match def.ty {
        AttrType::Binary => MAX_BINARY_CHARS,
        _ => MAX_STRING_CHARS,
    };
    // A character is at least one byte: only a long text needs counting.
    if s.len() <= max {
        return Ok(());
    }
    let chars = s.chars().count();
    if chars <= max {
        return Ok(());
    }
    let name = match parent {
        Some(parent) => format!("{}.{}", parent.qualified_name(), def.name),
        None => def.qualified_name().into_owned(),
    };
    Err(invalid(format!(
        "`{name}` must be at most {max} characters, not {chars}"
    )))
}

/// The attributes as JSON are at most [`MAX_USER_BYTES`] bytes; the refusal names
/// the largest attribute.
fn check_size(attributes: &Map<String, Value>) -> Result<(), ScimError> {
    let size = json_len(attributes);
    if size <= MAX_USER_BYTES {
        return Ok(());
    }
    let largest = attributes
        .iter()
        .map(|(name, value)| (json_len(value), name))
        .max()
        .map(|(bytes, name)| format!(" (the largest attribute, `{name}`, is {bytes} bytes)"))
        .unwrap_or_default();
    Err(invalid(format!(
        "a User must be at most {MAX_USER_BYTES} bytes as JSON, not {size}{largest}"
    )))
}

/// The length of `value` as compact JSON, counted without building the text.
fn json_len(value: &impl serde::Serialize) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    // Writing JSON values to a counter cannot fail.
    let _ = serde_json::to_writer(&mut count, value);
    count.0
}

/// Email values, when present, are plausible addresses.
fn check_emails(emails: &[Value]) -> Result<(), ScimError> {
    for value in emails.iter().filter_map(value_of) {
        if !plausible_email(value) {
            return Err(invalid(format!("{value:?} is not an email address")));
        }
    }
    Ok(())
}

/// At most one value of each multi-valued attribute is primary (RFC 7643 §2.4).
fn check_primaries(schema: &'static Schema, obj: &Map<String, Value>) -> Result<(), ScimError> {
    for attr in schema.every_attribute().filter(|a| a.multi_valued) {
        let Some(Value::Array(items)) = member(obj, attr) else {
            continue;
        };
        if items.iter().filter(|e| is_primary(e)).count() > 1 {
            return Err(invalid(format!(
                "at most one value of `{}` may be primary",
                attr.name
            )));
        }
    }
    Ok(())
}

fn is_primary(email: &Value) -> bool {
    email.as_object().and_then(|m| get_ci(m, "primary")) == Some(&Value::Bool(true))
}

/// Twilio's `userName` rules: 2–255 characters, equal ignoring case to the primary
/// email, or the first when none is primary.
fn twilio_user_name(user_name: &str, emails: &[Value]) -> Result<(), ScimError> {
    let chars = user_name.chars().count();
    if !(USERNAME_MIN_CHARS..=USERNAME_MAX_CHARS).contains(&chars) {
        return Err(invalid(format!(
            "`userName` must be {USERNAME_MIN_CHARS} to {USERNAME_MAX_CHARS} characters, not {chars}"
        )));
    }
    let primary = emails.iter().find(|e| is_primary(e)).or(emails.first());
    let primary_value = primary.and_then(value_of).unwrap_or_default();
    if !user_name.eq_ignore_ascii_case(primary_value)
        && user_name.to_lowercase() != primary_value.to_lowercase()
    {
        return Err(invalid(format!(
            "`userName` {user_name:?} must equal the primary email {primary_value:?}"
        )));
    }
    Ok(())
}

fn value_of(email: &Value) -> Option<&str> {
    email
        .as_object()
        .and_then(|m| get_ci(m, "value"))
        .and_then(Value::as_str)
}

/// Whether `s` looks like an email address: `local@domain`, no spaces or controls,
/// at most 254 bytes, a local part of at most 64 bytes without leading, trailing or
/// doubled dots, and a domain of two or more dot-separated labels of letters, digits
/// and inner hyphens.
pub fn plausible_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && !local.contains('@')
        && local.chars().all(|c| !c.is_whitespace() && !c.is_control());
    let label_ok = |l: &str| {
        !l.is_empty()
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    s.len() <= 254 && local_ok && domain.split('.').count() >= 2 && domain.split('.').all(label_ok)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error_code::ErrorCode;
    use crate::scim::schema::USER_URN;
    use serde_json::json;

    fn base() -> Value {
        json!({
            "schemas": [USER_URN],
            "id": "US0123456789abcdef0123456789abcdef",
            "userName": "Ann@Example.com",
            "emails": [{"value": "ann@example.com", "primary": true, "type": "work"}],
            "active": true,
            "meta": {"created": "2026-01-01T00:00:00Z", "version": "W/\"1\""}
        })
    }

    fn code(user: &Value) -> &'static str {
        validate_user(user).err().map_or("ok", |e| e.code())
    }

    #[test]
    fn accepts_a_valid_user() {
        assert_eq!(code(&base()), "ok");
    }

    #[test]
    fn rejects_rule_breaks() {
        let cases: Vec<(Value, Value, &str)> = vec![
            (json!("active"), json!("yes"), "invalidValue"),
            (json!("favoriteColor"), json!("x"), "invalidSyntax"),
            (json!("USERNAME"), json!("ann@example.com"), "invalidSyntax"),
            (json!("userName"), json!("bob@example.com"), "invalidValue"),
            (json!("userName"), Value::Null, "invalidValue"),
            (json!("emails"), json!([]), "invalidValue"),
            (
                json!("emails"),
                json!({"value": "ann@example.com"}),
                "invalidValue",
            ),
            (json!("emails"), json!([{"value": "ann@"}]), "invalidValue"),
            (
                json!("emails"),
                json!([{"value": "ann@example.com", "kind": "x"}]),
                "invalidSyntax",
            ),
            (
                json!("id"),
                json!("AC0123456789abcdef0123456789abcdef"),
                "ok",
            ),
            (json!("schemas"), json!(["urn:x"]), "invalidValue"),
            (json!("meta"), json!({"created": "yesterday"}), "ok"),
            (json!("groups"), json!("not even an array"), "ok"),
            (json!("name"), json!({"givenName": 5}), "invalidValue"),
        ];
        for (key, value, expected) in cases {
            let mut user = base();
            user[key.as_str().unwrap_or_default()] = value.clone();
            assert_eq!(code(&user), expected, "{key} = {value}");
        }
    }

    #[test]
    fn primary_and_first_email() {
        let mut user = base();
        user["emails"] =
            json!([{"value": "x@example.com"}, {"value": "ann@example.com", "primary": true}]);
        assert_eq!(code(&user), "ok");
        user["emails"][0]["primary"] = json!(true);
        assert_eq!(code(&user), "invalidValue");
        user["emails"] = json!([{"value": "ann@example.com"}, {"value": "x@example.com"}]);
        assert_eq!(code(&user), "ok");
        user["userName"] = json!("a");
        assert_eq!(code(&user), "invalidValue");
    }

    /// Each Twilio-only rule: its exact error under Twilio's rules, and accepted
    /// under RFC 7643's.
    #[test]
    fn twilio_only_rules_and_their_exact_errors() {
        let long = "u".repeat(USERNAME_MAX_CHARS + 1);
        let cases = [
            (
                json!({"userName": "a", "emails": [{"value": "a@example.com"}]}),
                "`userName` must be 2 to 255 characters, not 1",
            ),
            (
                json!({"userName": long, "emails": [{"value": "u@example.com"}]}),
                "`userName` must be 2 to 255 characters, not 256",
            ),
            (
                json!({"userName": "ann", "emails": [{"value": "ann@example.com", "primary": true}]}),
                "`userName` \"ann\" must equal the primary email \"ann@example.com\"",
            ),
            (
                json!({"userName": "x@example.com", "emails": [{"value": "x@example.com"}, {"value": "ann@example.com", "primary": true}]}),
                "`userName` \"x@example.com\" must equal the primary email \"ann@example.com\"",
            ),
            (
                json!({"userName": "ann@example.com"}),
                "`emails` is required",
            ),
            (
                json!({"userName": "ann@example.com", "emails": null}),
                "`emails` is required",
            ),
            (
                json!({"userName": "ann@example.com", "emails": []}),
                "`emails` is required",
            ),
            (
                json!({"userName": "ann@example.com", "emails": [{"value": "ann@example.com"}, {"type": "home"}]}),
                "every value of `emails` needs a `value`",
            ),
            (
                json!({"userName": "ann@example.com", "emails": [{"value": null, "primary": true}]}),
                "every value of `emails` needs a `value`",
            ),
        ];
        for (user, detail) in cases {
            let twilio = ScimRules::Twilio.validate_user(&user);
            assert_eq!(twilio, Err(invalid(detail.into())), "{user}");
            assert_eq!(validate_user(&user), twilio, "the default is Twilio's");
            assert_eq!(ScimRules::Rfc7643.validate_user(&user), Ok(()), "{user}");
        }
    }

    /// What RFC 7643 requires holds under both rule sets, with the same error.
    #[test]
    fn rfc7643_rules_hold_under_both() {
        let ann = json!({"userName": "ann@example.com", "emails": [{"value": "ann@example.com"}]});
        let two_primaries = json!([
            {"value": "ann@example.com", "primary": true},
            {"value": "ann@example.org", "primary": true},
        ]);
        let cases = [
            ("userName", None, invalid("`userName` is required".into())),
            (
                "userName",
                Some(Value::Null),
                invalid("`userName` is required".into()),
            ),
            (
                "userName",
                Some(json!("")),
                invalid("`userName` must not be empty".into()),
            ),
            (
                "userName",
                Some(json!(7)),
                invalid("`userName` must be a string, not 7".into()),
            ),
            (
                "favoriteColor",
                Some(json!("y")),
                ScimError::InvalidSyntax("unknown attribute `favoriteColor`".into()),
            ),
            (
                "emails",
                Some(json!([{"value": "ann@"}])),
                invalid("\"ann@\" is not an email address".into()),
            ),
            (
                "emails",
                Some(two_primaries),
                invalid("at most one value of `emails` may be primary".into()),
            ),
            (
                "schemas",
                Some(json!(["urn:x"])),
                invalid("`schemas` names \"urn:x\", which is not served".into()),
            ),
            (
                "schemas",
                Some(json!([])),
                invalid(format!("`schemas` must include {USER_URN}")),
            ),
            (
                "phoneNumbers",
                Some(json!([{"value": "1", "primary": true}, {"value": "2", "primary": "True"}])),
                invalid("at most one value of `phoneNumbers` may be primary".into()),
            ),
        ];
        for rules in ScimRules::ALL {
            assert_eq!(rules.validate_user(&ann), Ok(()), "{rules}");
        }
        for (key, value, error) in cases {
            let mut user = ann.clone();
            match value {
                Some(v) => user[key] = v,
                None => {
                    user.as_object_mut().map(|o| o.remove(key));
                }
            }
            for rules in ScimRules::ALL {
                assert_eq!(
                    rules.validate_user(&user),
                    Err(error.clone()),
                    "{rules}: {user}"
                );
            }
        }
        let bare = json!({"userName": "x", "emails": [{"type": "work", "primary": true}]});
        assert_eq!(ScimRules::Rfc7643.validate_user(&bare), Ok(()));
    }

    /// Each size limit: the value at the limit is accepted, one more is refused
    /// with its exact error, under both rule sets.
    #[test]
    fn size_limits_and_their_exact_errors() {
        use crate::scim::schema::ENTERPRISE_URN;
        let ann =
            || json!({"userName": "ann@example.com", "emails": [{"value": "ann@example.com"}]});
        let with = |key: &str, value: Value| {
            let mut user = ann();
            user[key] = value;
            user
        };
        let text = |n: usize| "é".repeat(n);
        let phones = |n: usize| {
            json!((0..n)
                .map(|i| json!({"value": format!("+1 555 {i:04}")}))
                .collect::<Vec<_>>())
        };
        let certs = |n: usize| json!([{"value": "A".repeat(n)}]);
        let accepted = [
            with("displayName", json!(text(MAX_STRING_CHARS))),
            with("name", json!({"givenName": text(MAX_STRING_CHARS)})),
            with("profileUrl", json!("h".repeat(MAX_STRING_CHARS))),
            with("x509Certificates", certs(MAX_BINARY_CHARS)),
            with("phoneNumbers", phones(MAX_VALUES)),
            with(
                ENTERPRISE_URN,
                json!({"department": text(MAX_STRING_CHARS)}),
            ),
        ];
        let refused = [
            (
                with("displayName", json!("x".repeat(1024 * 1024))),
                "`displayName` must be at most 4096 characters, not 1048576".to_owned(),
            ),
            (
                with("displayName", json!(text(MAX_STRING_CHARS + 1))),
                "`displayName` must be at most 4096 characters, not 4097".to_owned(),
            ),
            (
                with("name", json!({"givenName": text(MAX_STRING_CHARS + 1)})),
                "`name.givenName` must be at most 4096 characters, not 4097".to_owned(),
            ),
            (
                with("profileUrl", json!("h".repeat(MAX_STRING_CHARS + 1))),
                "`profileUrl` must be at most 4096 characters, not 4097".to_owned(),
            ),
            (
                with("x509Certificates", certs(MAX_BINARY_CHARS + 1)),
                "`x509Certificates.value` must be at most 16384 characters, not 16385".to_owned(),
            ),
            (
                with("phoneNumbers", phones(MAX_VALUES + 1)),
                "`phoneNumbers` must have at most 100 values, not 101".to_owned(),
            ),
            (
                with(
                    ENTERPRISE_URN,
                    json!({"department": text(MAX_STRING_CHARS + 1)}),
                ),
                format!("`{ENTERPRISE_URN}:department` must be at most 4096 characters, not 4097"),
            ),
        ];
        // 40 addresses of 4 full streets: each value within its limits, the User
        // over 64 KiB.
        let street = "s".repeat(MAX_STRING_CHARS / 10);
        let addresses: Vec<Value> = (0..40)
            .map(|_| json!({"streetAddress": street, "locality": street, "region": street, "formatted": street}))
            .collect();
        let big = with("addresses", json!(addresses));
        let size = serde_json::to_vec(&canonical_user(&USER_SCHEMA, &big).unwrap())
            .unwrap()
            .len();
        let addresses_size = serde_json::to_vec(&big["addresses"]).unwrap().len();
        assert!(size > MAX_USER_BYTES);
        let resource_error = format!(
            "a User must be at most 65536 bytes as JSON, not {size} (the largest attribute, `addresses`, is {addresses_size} bytes)"
        );
        let mut fits = big.clone();
        fits["addresses"].as_array_mut().unwrap().truncate(30);
        for rules in ScimRules::ALL {
            for user in &accepted {
                assert_eq!(rules.validate_user(user), Ok(()), "{rules}");
            }
            assert_eq!(rules.validate_user(&fits), Ok(()), "{rules}");
            for (user, detail) in &refused {
                assert_eq!(
                    rules.validate_user(user),
                    Err(invalid(detail.clone())),
                    "{rules}"
                );
            }
            assert_eq!(
                rules.validate_user(&big),
                Err(invalid(resource_error.clone()))
            );
        }
    }

    #[test]
    fn rule_sets_have_names_and_schemas() {
        assert_eq!(ScimRules::default(), ScimRules::Twilio);
        for rules in ScimRules::ALL {
            assert_eq!(rules.to_string().parse::<ScimRules>(), Ok(rules));
        }
        assert_eq!("RFC7643".parse::<ScimRules>(), Ok(ScimRules::Rfc7643));
        assert!("rfc".parse::<ScimRules>().is_err());
        let required = |rules: ScimRules, name: &str| {
            let emails = rules.user_schema().attribute("emails").unwrap();
            let flag = |n: &str| match emails.sub_attribute(n) {
                Some(sub) => sub.required,
                None => emails.required,
            };
            flag(name)
        };
        assert!(required(ScimRules::Twilio, "emails"));
        assert!(required(ScimRules::Twilio, "value"));
        assert!(!required(ScimRules::Rfc7643, "emails"));
        assert!(!required(ScimRules::Rfc7643, "value"));
        for rules in ScimRules::ALL {
            let user_name = rules.user_schema().attribute("userName").unwrap();
            assert!(user_name.required, "{rules}");
        }
    }

    #[test]
    fn email_shapes() {
        for good in ["a@b.co", "first.last+tag@sub.example.com", "é@exämple.de"] {
            assert!(plausible_email(good), "{good}");
        }
        for bad in [
            "", "a", "a@b", "@b.co", "a@.co", "a@b..co", "a b@c.co", "a@-b.co", ".a@b.co",
            "a@@b.co",
        ] {
            assert!(!plausible_email(bad), "{bad}");
        }
    }
}
