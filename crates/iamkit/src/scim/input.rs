//! A User as a client sends it, made canonical before any rule reads it.
//!
//! What real clients send differs from what is stored in ways RFC 7643/7644 allow
//! or that Microsoft Entra ID documents as its default behaviour:
//! - member names take the schema's case; an extension's attributes sit in an
//!   object under the extension's URN (RFC 7643 §3.3);
//! - `null`, `[]` and `{}` mean unassigned (RFC 7643 §2.5), at any depth, so the
//!   member is left out;
//! - read-only attributes and sub-attributes (`id`, `meta`, `groups`,
//!   `manager.displayName`) are ignored (RFC 7644 §3.3: they "SHALL be ignored");
//!   `schemas` is checked — it must name the core schema, and only served schemas —
//!   and left out, since the engine writes it;
//! - a boolean may be the string `"true"` or `"false"` in any case (Entra ID sends
//!   `"True"`/`"False"` unless the `aadOptscim062020` flag is set);
//! - a single-valued complex attribute with a `value` sub-attribute may be given as
//!   that value alone (Entra ID sends `manager` as the manager's id);
//! - a `schemas` member inside an extension's object is ignored (scim2-models puts
//!   one there).
//!
//! Everything else keeps its strictness: a member the schemas do not define, or two
//! keys naming one attribute, is `invalidSyntax`; a value of the wrong type is
//! `invalidValue`.

use serde_json::{Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::scim::error::ScimError;
use crate::scim::json::is_schemas;
use crate::scim::schema::{AttrDef, AttrType, Mutability, Schema};

fn invalid(what: String) -> ScimError {
    ScimError::InvalidValue(what)
}

/// Notes that `name` was seen, or fails: two keys named one attribute.
fn once(seen: &mut Vec<&'static str>, name: &'static str, shown: &str) -> Result<(), ScimError> {
    if seen.contains(&name) {
        return Err(ScimError::InvalidSyntax(format!("`{shown}` appears twice")));
    }
    seen.push(name);
    Ok(())
}

/// The attributes of a User resource in canonical form (see the module notes), over
/// `schema` and its extensions.
pub(crate) fn canonical_user(
    schema: &'static Schema,
    resource: &Value,
) -> Result<Map<String, Value>, ScimError> {
    let Some(obj) = resource.as_object() else {
        return Err(ScimError::InvalidSyntax(
            "a User must be a JSON object".into(),
        ));
    };
    let mut out = Map::new();
    let mut seen = Vec::with_capacity(obj.len());
    for (key, value) in obj {
        if let Some(extension) = schema.extension(key) {
            once(&mut seen, extension.id, extension.id)?;
            let members = match value {
                Value::Null => continue,
                Value::Object(members) => members,
                _ => {
                    return Err(invalid(format!(
                        "`{}` takes an object of the extension's attributes",
                        extension.id
                    )))
                }
            };
            let members = members
                .iter()
                .filter(|(k, _)| !is_schemas(k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let attributes = canonical_members(&members, |k| {
                extension.attribute(k).ok_or_else(|| {
                    ScimError::InvalidSyntax(format!(
                        "unknown attribute `{k}` of the extension {}",
                        extension.id
                    ))
                })
            })?;
            if !attributes.is_empty() {
                out.insert(extension.id.to_owned(), Value::Object(attributes));
            }
            continue;
        }
        let Some(def) = schema
            .all_attributes()
            .find(|a| a.name.eq_ignore_ascii_case(key))
        else {
            return Err(ScimError::InvalidSyntax(schema.unknown_attribute(key)));
        };
        once(&mut seen, def.name, def.name)?;
        if def.name == "schemas" {
            check_schemas(schema, value)?;
        } else if def.mutability != Mutability::ReadOnly {
            if let Some(v) = canonical_value(def, value)? {
                out.insert(def.name.to_owned(), v);
            }
        }
    }
    Ok(out)
}

/// `schemas`, when given, is an array of the served schema URNs naming the core one.
fn check_schemas(schema: &'static Schema, value: &Value) -> Result<(), ScimError> {
    let urns = match value {
        Value::Null => return Ok(()),
        Value::Array(urns) => urns,
        _ => return Err(invalid("`schemas` takes an array of URNs".into())),
    };
    let mut core = false;
    for urn in urns {
        let Some(urn) = urn.as_str() else {
            return Err(invalid(format!("`schemas` holds URN strings, not {urn}")));
        };
        if urn.eq_ignore_ascii_case(schema.id) {
            core = true;
        } else if schema.extension(urn).is_none() {
            return Err(invalid(format!(
                "`schemas` names {urn:?}, which is not served"
            )));
        }
    }
    if core {
        Ok(())
    } else {
        Err(invalid(format!("`schemas` must include {}", schema.id)))
    }
}

/// The members of a complex value in canonical form: each key resolved by
/// `resolve`, read-only ones ignored, unassigned ones left out.
fn canonical_members(
    members: &Map<String, Value>,
    resolve: impl Fn(&str) -> Result<&'static AttrDef, ScimError>,
) -> Result<Map<String, Value>, ScimError> {
    let mut out = Map::new();
    let mut seen = Vec::with_capacity(members.len());
    for (key, value) in members {
        let def = resolve(key)?;
        once(&mut seen, def.name, &def.qualified_name())?;
        if def.mutability == Mutability::ReadOnly {
            continue;
        }
        if let Some(v) = canonical_value(def, value)? {
            out.insert(def.name.to_owned(), v);
        }
    }
    Ok(out)
}

/// A value of `def` in canonical form; `None` when it is unassigned.
pub(crate) fn canonical_value(
    def: &'static AttrDef,
    value: &Value,
) -> Result<Option<Value>, ScimError> {
    match value {
        Value::Array(items) if def.multi_valued => {
            let mut kept = Vec::with_capacity(items.len());
            for item in items {
                kept.extend(canonical_single(def, item)?);
            }
            Ok((!kept.is_empty()).then_some(Value::Array(kept)))
        }
        Value::Null => Ok(None),
        _ if def.multi_valued => Err(invalid(format!(
            "`{}` takes an array",
            def.qualified_name()
        ))),
        _ => canonical_single(def, value),
    }
}

/// One (non-array) value of `def` in canonical form; `None` when it is unassigned.
pub(crate) fn canonical_single(
    def: &'static AttrDef,
    value: &Value,
) -> Result<Option<Value>, ScimError> {
    let ok = match (def.ty, value) {
        (_, Value::Null) => return Ok(None),
        (AttrType::Complex, Value::Object(members)) => {
            let members = canonical_members(members, |k| {
                def.sub_attribute(k).ok_or_else(|| {
                    ScimError::InvalidSyntax(format!(
                        "unknown sub-attribute `{k}` of `{}`",
                        def.qualified_name()
                    ))
                })
            })?;
            return Ok((!members.is_empty()).then_some(Value::Object(members)));
        }
        (AttrType::Complex, Value::String(_) | Value::Number(_) | Value::Bool(_))
            if !def.multi_valued && def.sub_attribute("value").is_some() =>
        {
            let mut members = Map::new();
            members.insert("value".into(), value.clone());
            return canonical_single(def, &Value::Object(members));
        }
        (AttrType::Boolean, Value::String(s)) => {
            return match s.to_ascii_lowercase().as_str() {
                "true" => Ok(Some(Value::Bool(true))),
                "false" => Ok(Some(Value::Bool(false))),
                _ => Err(type_error(def, value)),
            }
        }
        (AttrType::String | AttrType::Reference | AttrType::Binary, Value::String(_)) => true,
        (AttrType::Boolean, Value::Bool(_)) => true,
        (AttrType::Integer, Value::Number(n)) => n.is_i64() || n.is_u64(),
        (AttrType::Decimal, Value::Number(_)) => true,
        (AttrType::DateTime, Value::String(s)) => OffsetDateTime::parse(s, &Rfc3339).is_ok(),
        _ => false,
    };
    if ok {
        Ok(Some(value.clone()))
    } else {
        Err(type_error(def, value))
    }
}

fn type_error(def: &AttrDef, value: &Value) -> ScimError {
    let shown: String = value.to_string().chars().take(64).collect();
    invalid(format!(
        "`{}` must be {}, not {shown}",
        def.qualified_name(),
        type_name(def)
    ))
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
    use crate::scim::schema::{ENTERPRISE_URN, USER_SCHEMA};
    use serde_json::json;

    fn canonical(user: Value) -> Result<Value, ScimError> {
        canonical_user(&USER_SCHEMA, &user).map(Value::Object)
    }

    /// Entra ID's and Okta's forms come out as the stored form.
    #[test]
    fn real_client_forms_are_made_canonical() {
        let sent = json!({
            "schemas": [USER_URN_FOR_TEST, ENTERPRISE_URN],
            "id": "whatever the client thinks",
            "UserName": "ann@example.com",
            "Active": "True",
            "nickName": "Babs",
            "roles": [],
            "addresses": null,
            "groups": [{"value": "g1", "display": "Admins"}],
            "password": "t1meToChange!",
            "name": {"givenName": "Ann", "middleName": null, "HonorificPrefix": "Ms."},
            "emails": [{"value": "ann@example.com", "primary": "true", "display": null}, {}],
            "phoneNumbers": [{"value": "+1 555 0100", "type": "work", "primary": "False"}],
            "meta": {"resourceType": "User", "created": "yesterday"},
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user": {
                "employeeNumber": "701984",
                "Department": "Tour Operations",
                "costCenter": null,
                "manager": "26118915-6090-4610-87e4-49d8ca9f808d",
            },
        });
        assert_eq!(
            canonical(sent),
            Ok(json!({
                "userName": "ann@example.com",
                "active": true,
                "nickName": "Babs",
                "password": "t1meToChange!",
                "name": {"givenName": "Ann", "honorificPrefix": "Ms."},
                "emails": [{"value": "ann@example.com", "primary": true}],
                "phoneNumbers": [{"value": "+1 555 0100", "type": "work", "primary": false}],
                ENTERPRISE_URN: {
                    "employeeNumber": "701984",
                    "department": "Tour Operations",
                    "manager": {"value": "26118915-6090-4610-87e4-49d8ca9f808d"},
                },
            }))
        );
        let manager = json!({ENTERPRISE_URN: {"manager": {"value": "m1", "displayName": "Set by the server"}}});
        assert_eq!(
            canonical(manager),
            Ok(json!({ENTERPRISE_URN: {"manager": {"value": "m1"}}}))
        );
        assert_eq!(
            canonical(json!({ENTERPRISE_URN: {"manager": {"displayName": "x"}}})),
            Ok(json!({})),
            "an extension left empty is unassigned"
        );
    }

    /// Each refusal, with its exact error.
    #[test]
    fn refusals_and_their_exact_errors() {
        let syntax = |s: &str| Err(ScimError::InvalidSyntax(s.into()));
        let value = |s: &str| Err(ScimError::InvalidValue(s.into()));
        let cases = [
            (json!({"favoriteColor": "x"}), syntax("unknown attribute `favoriteColor`")),
            (
                json!({"department": "x"}),
                syntax(&format!(
                    "unknown attribute `department`: the extension's attribute is `{ENTERPRISE_URN}:department`"
                )),
            ),
            (
                json!({ENTERPRISE_URN: {"userName": "x"}}),
                syntax(&format!("unknown attribute `userName` of the extension {ENTERPRISE_URN}")),
            ),
            (
                json!({ENTERPRISE_URN: "Sales"}),
                value(&format!("`{ENTERPRISE_URN}` takes an object of the extension's attributes")),
            ),
            (
                json!({ENTERPRISE_URN: {"department": 5}}),
                value(&format!("`{ENTERPRISE_URN}:department` must be a string, not 5")),
            ),
            (json!({"userName": "a", "USERNAME": "b"}), syntax("`userName` appears twice")),
            (
                json!({"name": {"givenName": "a", "GIVENNAME": "b"}}),
                syntax("`givenName` appears twice"),
            ),
            (
                json!({"name": {"nickname": "a"}}),
                syntax("unknown sub-attribute `nickname` of `name`"),
            ),
            (json!({"active": "yes"}), value("`active` must be true or false, not \"yes\"")),
            (json!({"active": 1}), value("`active` must be true or false, not 1")),
            (json!({"roles": {"value": "a"}}), value("`roles` takes an array")),
            (json!({"password": 123}), value("`password` must be a string, not 123")),
            (
                json!({"schemas": ["urn:ietf:params:scim:schemas:extension:custom:2.0:User"]}),
                value("`schemas` names \"urn:ietf:params:scim:schemas:extension:custom:2.0:User\", which is not served"),
            ),
            (
                json!({"schemas": [ENTERPRISE_URN]}),
                value(&format!("`schemas` must include {USER_URN_FOR_TEST}")),
            ),
            (json!({"schemas": "x"}), value("`schemas` takes an array of URNs")),
            (json!("ann"), syntax("a User must be a JSON object")),
        ];
        for (user, want) in cases {
            assert_eq!(canonical(user.clone()), want, "{user}");
        }
    }

    const USER_URN_FOR_TEST: &str = crate::scim::schema::USER_URN;
}
