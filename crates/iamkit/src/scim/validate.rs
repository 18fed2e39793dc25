//! Checking one User resource against the schema and Twilio's rules.
//!
//! Error choices: an attribute the schema does not define, or two keys naming the
//! same attribute in different case, is `invalidSyntax` (the body does not have the
//! schema's structure); a missing required value, a value of the wrong type or one
//! breaking a Twilio rule is `invalidValue`. Cross-user uniqueness is the engine's.

use serde_json::{Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::ids::{Sid, UserSid};
use crate::scim::error::ScimError;
use crate::scim::filter::eval::get_ci;
use crate::scim::schema::{AttrDef, AttrType, Schema, USER_SCHEMA, USER_URN};

/// The shortest `userName` Twilio accepts, in characters.
pub const USERNAME_MIN_CHARS: usize = 2;
/// The longest `userName` Twilio accepts, in characters.
pub const USERNAME_MAX_CHARS: usize = 255;

fn invalid(what: String) -> ScimError {
    ScimError::InvalidValue(what)
}

/// Checks a User resource: types per schema, no unknown attributes, and Twilio's
/// rules: `userName` of 2–255 characters, equal ignoring case to the primary email
/// (or the first, when none is primary); at least one email; every email value a
/// plausible address; at most one `primary: true`; `id`, if present, a `US` sid;
/// `schemas`, if present, naming the User schema.
pub fn validate_user(user: &Value) -> Result<(), ScimError> {
    let Some(obj) = user.as_object() else {
        return Err(ScimError::InvalidSyntax(
            "a User must be a JSON object".into(),
        ));
    };
    check_members(&USER_SCHEMA, obj)?;
    for required in USER_SCHEMA.all_attributes().filter(|a| a.required) {
        if get_ci(obj, required.name)
            .filter(|v| !v.is_null())
            .is_none()
        {
            return Err(invalid(format!("`{}` is required", required.name)));
        }
    }
    if let Some(id) = get_ci(obj, "id").and_then(Value::as_str) {
        UserSid::parse(id).map_err(|e| invalid(e.to_string()))?;
    }
    if let Some(Value::Array(schemas)) = get_ci(obj, "schemas") {
        if !schemas
            .iter()
            .any(|s| s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(USER_URN)))
        {
            return Err(invalid(format!("`schemas` must include {USER_URN}")));
        }
    }
    let user_name = get_ci(obj, "userName")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let chars = user_name.chars().count();
    if !(USERNAME_MIN_CHARS..=USERNAME_MAX_CHARS).contains(&chars) {
        return Err(invalid(format!(
            "`userName` must be {USERNAME_MIN_CHARS} to {USERNAME_MAX_CHARS} characters, not {chars}"
        )));
    }
    check_emails(obj, user_name)
}

fn check_emails(obj: &Map<String, Value>, user_name: &str) -> Result<(), ScimError> {
    let emails = get_ci(obj, "emails")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let Some(first) = emails.first() else {
        return Err(invalid("a User needs at least one email".into()));
    };
    for email in emails {
        match value_of(email) {
            Some(v) if plausible_email(v) => {}
            Some(v) => return Err(invalid(format!("{v:?} is not an email address"))),
            None => return Err(invalid("every email needs a `value`".into())),
        }
    }
    let is_primary =
        |e: &&Value| e.as_object().and_then(|m| get_ci(m, "primary")) == Some(&Value::Bool(true));
    let primaries = emails.iter().filter(is_primary).count();
    if primaries > 1 {
        return Err(invalid("at most one email may be primary".into()));
    }
    let primary = emails.iter().find(is_primary).unwrap_or(first);
    let primary_value = value_of(primary).unwrap_or_default();
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

/// Checks every member of a resource object against `schema`.
fn check_members(schema: &'static Schema, obj: &Map<String, Value>) -> Result<(), ScimError> {
    let mut seen: Vec<&str> = Vec::with_capacity(obj.len());
    for (key, value) in obj {
        let Some(def) = schema
            .all_attributes()
            .find(|a| a.name.eq_ignore_ascii_case(key))
        else {
            return Err(ScimError::InvalidSyntax(format!(
                "unknown attribute `{key}`"
            )));
        };
        if seen.contains(&def.name) {
            return Err(ScimError::InvalidSyntax(format!(
                "`{}` appears twice",
                def.name
            )));
        }
        seen.push(def.name);
        check_value(def, value)?;
    }
    Ok(())
}

/// Checks that `value` has the type `def` requires (null always passes: unassigned).
pub(crate) fn check_value(def: &AttrDef, value: &Value) -> Result<(), ScimError> {
    match value {
        Value::Null => Ok(()),
        Value::Array(items) if def.multi_valued => {
            items.iter().try_for_each(|v| check_single(def, v))
        }
        _ if def.multi_valued => Err(invalid(format!("`{}` takes an array", def.name))),
        _ => check_single(def, value),
    }
}

/// Checks one (non-array) value of `def`.
pub(crate) fn check_single(def: &AttrDef, value: &Value) -> Result<(), ScimError> {
    let ok = match (def.ty, value) {
        (_, Value::Null) => true,
        (AttrType::String | AttrType::Reference | AttrType::Binary, Value::String(_)) => true,
        (AttrType::Boolean, Value::Bool(_)) => true,
        (AttrType::Integer, Value::Number(n)) => n.is_i64() || n.is_u64(),
        (AttrType::Decimal, Value::Number(_)) => true,
        (AttrType::DateTime, Value::String(s)) => OffsetDateTime::parse(s, &Rfc3339).is_ok(),
        (AttrType::Complex, Value::Object(members)) => return check_complex(def, members),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        let shown: String = value.to_string().chars().take(64).collect();
        Err(invalid(format!(
            "`{}` must be {}, not {shown}",
            def.name,
            type_name(def)
        )))
    }
}

fn check_complex(def: &AttrDef, members: &Map<String, Value>) -> Result<(), ScimError> {
    let mut seen: Vec<&str> = Vec::with_capacity(members.len());
    for (key, value) in members {
        let Some(sub) = def.sub_attribute(key) else {
            return Err(ScimError::InvalidSyntax(format!(
                "unknown sub-attribute `{key}` of `{}`",
                def.name
            )));
        };
        if seen.contains(&sub.name) {
            return Err(ScimError::InvalidSyntax(format!(
                "`{}.{}` appears twice",
                def.name, sub.name
            )));
        }
        seen.push(sub.name);
        check_value(sub, value)?;
    }
    Ok(())
}

fn type_name(def: &AttrDef) -> &'static str {
    match def.ty {
        AttrType::String | AttrType::Binary => "a string",
        AttrType::Reference => "a URI string",
        AttrType::Boolean => "true or false",
        AttrType::Integer => "an integer",
        AttrType::Decimal => "a number",
        AttrType::DateTime => "an RFC 3339 date-time string",
        AttrType::Complex => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
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
            (json!("nickName"), json!("x"), "invalidSyntax"),
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
                "invalidValue",
            ),
            (json!("schemas"), json!(["urn:x"]), "invalidValue"),
            (
                json!("meta"),
                json!({"created": "yesterday"}),
                "invalidValue",
            ),
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
