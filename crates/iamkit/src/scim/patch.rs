//! Applying a PATCH request (RFC 7644 §3.5.2) to a User, all or nothing.
//!
//! The request is `{"schemas": [PatchOp URN], "Operations": [{"op", "path", "value"}]}`
//! (member names and `op` ignore case). Operations run in order on a copy; the copy
//! is returned only if every operation succeeds and the result passes the rule set's
//! [`ScimRules::validate_user`] (Twilio's for [`PatchRequest::apply`] and
//! [`apply_patch`]). Rules, and the choices RFC 7644 leaves open:
//! - `add`: a single-valued attribute is set; a complex one is merged; a multi-valued
//!   one gets the new values appended (an exact duplicate is skipped; a single value
//!   is taken as a one-element array). Without a path, `value` is an object whose
//!   members are applied as paths (so `"name.givenName"` works as a member name).
//! - `replace`: like `add`, but a multi-valued attribute is replaced whole, and a
//!   filtered path without a sub-attribute replaces each matching element.
//! - `remove`: needs a path (`noTarget` otherwise) and takes no value
//!   (`invalidValue`); removing an absent attribute changes nothing.
//! - A value filter that matches nothing is `noTarget` for every operation.
//! - `id`, `meta`, `schemas` and `groups` are read-only: a path naming them is
//!   `mutability`; a path-less object repeating their current value is accepted and
//!   ignored. `schemas`, when present, is kept in step: the core URN and the URN of
//!   each extension the user has attributes of.
//! - An extension's attributes are named with its URN
//!   (`urn:…:enterprise:2.0:User:manager.value`); a path-less value may key them so
//!   or hold an object under the URN; a path that is the URN alone adds, replaces or
//!   removes the extension's attributes.
//! - Values are read as creation reads them (`scim::input`): `null` and `[]`
//!   unassign, `"True"`/`"False"` are booleans, a value of the wrong type is
//!   `invalidValue`.
//! - Setting `primary: true` on one email sets it to `false` on the others.
//! - Removing a required attribute (`userName`; under Twilio's rules also all
//!   `emails`) fails the final validation: `invalidValue`, as RFC 7644 calls a
//!   missing required value.

use serde_json::{Map, Value};

use crate::scim::error::ScimError;
use crate::scim::filter::Expr;
use crate::scim::input::{canonical_single, canonical_value};
use crate::scim::json::{get_ci, is_schemas, member};
use crate::scim::path::PatchPath;
use crate::scim::schema::{AttrDef, Mutability, Schema, USER_SCHEMA};
use crate::scim::validate::ScimRules;

/// The URN of the PATCH request message.
pub const PATCH_OP_URN: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// What an operation does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchOpKind {
    /// `add`.
    Add,
    /// `remove`.
    Remove,
    /// `replace`.
    Replace,
}

/// One PATCH operation.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchOperation {
    /// The operation.
    pub op: PatchOpKind,
    /// The target; `None` means the resource itself.
    pub path: Option<PatchPath>,
    /// The value, if one was given.
    pub value: Option<Value>,
}

/// A parsed PATCH request.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchRequest {
    /// The operations, in order.
    pub operations: Vec<PatchOperation>,
}

/// Parses `request` and applies it to `user` under Twilio's rules, returning the
/// patched copy.
pub fn apply_patch(user: &Value, request: &Value) -> Result<Value, ScimError> {
    PatchRequest::parse(request)?.apply(user)
}

impl PatchRequest {
    /// Parses a PATCH body. Structural problems are `invalidSyntax`; a bad path is
    /// `invalidPath` (or `invalidFilter` inside its brackets).
    pub fn parse(body: &Value) -> Result<Self, ScimError> {
        let syntax = |what: &str| ScimError::InvalidSyntax(what.to_owned());
        let obj = body
            .as_object()
            .ok_or_else(|| syntax("a PATCH body must be a JSON object"))?;
        let schemas = get_ci(obj, "schemas").and_then(Value::as_array);
        if !schemas.is_some_and(|s| {
            s.iter().any(|u| {
                u.as_str()
                    .is_some_and(|u| u.eq_ignore_ascii_case(PATCH_OP_URN))
            })
        }) {
            return Err(syntax(&format!("`schemas` must be [{PATCH_OP_URN:?}]")));
        }
        let ops = get_ci(obj, "Operations").and_then(Value::as_array);
        let ops = ops
            .filter(|o| !o.is_empty())
            .ok_or_else(|| syntax("`Operations` must be an array of one or more operations"))?;
        let mut operations = Vec::with_capacity(ops.len());
        for op in ops {
            operations.extend(parse_operation(op)?);
        }
        Ok(Self { operations })
    }

    /// Whether an operation unassigns the top-level attribute `name`: removes it
    /// whole, or sets it to `null`.
    pub fn unassigns(&self, name: &str) -> bool {
        self.operations.iter().any(|op| {
            op.path.as_ref().is_some_and(|p| {
                p.attr().name == name
                    && p.filter().is_none()
                    && p.sub().is_none()
                    && (op.op == PatchOpKind::Remove || op.value == Some(Value::Null))
            })
        })
    }

    /// Applies the operations to a copy of `user`; the copy must then validate
    /// under Twilio's rules.
    pub fn apply(&self, user: &Value) -> Result<Value, ScimError> {
        self.apply_with(user, ScimRules::Twilio)
    }

    /// Applies the operations to a copy of `user`; the copy must then validate
    /// under `rules`.
    pub fn apply_with(&self, user: &Value, rules: ScimRules) -> Result<Value, ScimError> {
        let mut copy = user
            .as_object()
            .cloned()
            .ok_or_else(|| ScimError::InvalidSyntax("a User must be a JSON object".into()))?;
        for op in &self.operations {
            apply_op(&mut copy, op)?;
        }
        schemas_in_step(&mut copy);
        let result = Value::Object(copy);
        rules.validate_user(&result)?;
        Ok(result)
    }
}

/// One operation of the request; a path naming a whole extension by its URN (as
/// scim2-tester and other clients write it) becomes the operations on its
/// attributes.
fn parse_operation(op: &Value) -> Result<Vec<PatchOperation>, ScimError> {
    let syntax = |what: String| ScimError::InvalidSyntax(what);
    let obj = op
        .as_object()
        .ok_or_else(|| syntax("each operation must be an object".into()))?;
    if let Some(key) = obj.keys().find(|k| {
        !["op", "path", "value"]
            .iter()
            .any(|n| n.eq_ignore_ascii_case(k))
    }) {
        return Err(syntax(format!("unknown operation member `{key}`")));
    }
    let kind = match get_ci(obj, "op").and_then(Value::as_str) {
        Some(s) if s.eq_ignore_ascii_case("add") => PatchOpKind::Add,
        Some(s) if s.eq_ignore_ascii_case("remove") => PatchOpKind::Remove,
        Some(s) if s.eq_ignore_ascii_case("replace") => PatchOpKind::Replace,
        Some(s) => {
            return Err(syntax(format!(
                "unknown op {s:?}: expected add, remove or replace"
            )))
        }
        None => return Err(syntax("each operation needs an `op` string".into())),
    };
    let value = get_ci(obj, "value").cloned();
    let path = match get_ci(obj, "path") {
        None | Some(Value::Null) => None,
        Some(Value::String(p)) => match USER_SCHEMA.extension(p) {
            Some(extension) => return Ok(whole_extension(extension, kind, value)),
            None => Some(PatchPath::parse(p)?),
        },
        Some(_) => return Err(ScimError::InvalidPath("`path` must be a string".into())),
    };
    Ok(vec![PatchOperation {
        op: kind,
        path,
        value,
    }])
}

/// An operation on a whole extension: add or replace its attributes (a path-less
/// operation keyed by its URN), or remove each of them.
fn whole_extension(
    extension: &'static Schema,
    op: PatchOpKind,
    value: Option<Value>,
) -> Vec<PatchOperation> {
    if op == PatchOpKind::Remove {
        return extension
            .attributes
            .iter()
            .filter_map(|attr| PatchPath::parse(&attr.qualified_name()).ok())
            .map(|path| PatchOperation {
                op,
                path: Some(path),
                value: value.clone(),
            })
            .collect();
    }
    let value = value.map(|v| {
        let mut keyed = Map::new();
        keyed.insert(extension.id.to_owned(), v);
        Value::Object(keyed)
    });
    vec![PatchOperation {
        op,
        path: None,
        value,
    }]
}

fn apply_op(user: &mut Map<String, Value>, op: &PatchOperation) -> Result<(), ScimError> {
    match (op.op, &op.path) {
        (PatchOpKind::Remove, None) => Err(ScimError::NoTarget("remove needs a path".into())),
        (PatchOpKind::Remove, Some(path)) => {
            if op.value.as_ref().is_some_and(|v| !v.is_null()) {
                return Err(ScimError::InvalidValue(
                    "remove takes no value: select values with a filter".into(),
                ));
            }
            writable(path)?;
            within(user, path.attr(), |home| remove(home, path))
        }
        (kind, None) => {
            let Some(Value::Object(members)) = &op.value else {
                return Err(ScimError::InvalidValue(
                    "without a path, `value` must be an object of attributes".into(),
                ));
            };
            for (path, value) in pathless_members(members)? {
                if writable(&path).is_err() && current(user, &path) == Some(value) {
                    continue;
                }
                writable(&path)?;
                within(user, path.attr(), |home| set(home, &path, value, kind))?;
            }
            Ok(())
        }
        (kind, Some(path)) => match &op.value {
            Some(value) => {
                writable(path)?;
                within(user, path.attr(), |home| set(home, path, value, kind))
            }
            None => Err(ScimError::InvalidValue(format!(
                "this operation on `{path}` needs a value"
            ))),
        },
    }
}

/// The members of a path-less operation's value as paths and values: each key is a
/// path (`"name.givenName"`, `"urn:…:enterprise:2.0:User:department"`), and a key
/// naming an extension holds an object of that extension's attributes.
fn pathless_members(members: &Map<String, Value>) -> Result<Vec<(PatchPath, &Value)>, ScimError> {
    let mut out = Vec::with_capacity(members.len());
    for (key, value) in members {
        match (USER_SCHEMA.extension(key), value) {
            (Some(extension), Value::Object(inner)) => {
                for (name, value) in inner.iter().filter(|(k, _)| !is_schemas(k)) {
                    out.push((
                        PatchPath::parse(&format!("{}:{name}", extension.id))?,
                        value,
                    ));
                }
            }
            (Some(extension), _) => {
                return Err(ScimError::InvalidValue(format!(
                    "`{}` takes an object of the extension's attributes",
                    extension.id
                )))
            }
            _ => out.push((PatchPath::parse(key)?, value)),
        }
    }
    Ok(out)
}

/// Runs `f` on the object that holds `attr`: the user itself, or for an
/// extension's attribute the extension's object (made when missing, dropped when
/// left empty).
fn within<T>(
    user: &mut Map<String, Value>,
    attr: &'static AttrDef,
    f: impl FnOnce(&mut Map<String, Value>) -> Result<T, ScimError>,
) -> Result<T, ScimError> {
    let Some(urn) = attr.extension else {
        return f(user);
    };
    let mut home = match take(user, urn) {
        Some(Value::Object(home)) => home,
        _ => Map::new(),
    };
    let out = f(&mut home);
    if !home.is_empty() {
        user.insert(urn.to_owned(), Value::Object(home));
    }
    out
}

/// A `schemas` member names the core schema and each extension the user has
/// attributes of.
fn schemas_in_step(user: &mut Map<String, Value>) {
    let mut urns = vec![Value::from(USER_SCHEMA.id)];
    urns.extend(
        USER_SCHEMA
            .extensions
            .iter()
            .filter(|e| user.keys().any(|k| k.eq_ignore_ascii_case(e.id)))
            .map(|e| Value::from(e.id)),
    );
    if let Some(schemas @ Value::Array(_)) = slot(user, "schemas") {
        *schemas = Value::Array(urns);
    }
}

/// `mutability` unless the client may write the path's target.
fn writable(path: &PatchPath) -> Result<(), ScimError> {
    let read_only = |d: &AttrDef| d.mutability == Mutability::ReadOnly || d.name == "schemas";
    if read_only(path.attr()) || path.sub().is_some_and(read_only) {
        return Err(ScimError::Mutability(format!("`{path}` is read-only")));
    }
    Ok(())
}

/// The current value at an unfiltered path.
fn current<'a>(user: &'a Map<String, Value>, path: &PatchPath) -> Option<&'a Value> {
    let top = member(user, path.attr())?;
    match (path.filter(), path.sub()) {
        (None, None) => Some(top),
        (None, Some(sub)) => top.as_object().and_then(|m| get_ci(m, sub.name)),
        _ => None,
    }
}

/// Moves `name` (in any case) to its canonical key and returns the slot.
fn slot<'a>(map: &'a mut Map<String, Value>, name: &str) -> Option<&'a mut Value> {
    if !map.contains_key(name) {
        let key = map.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned()?;
        let value = map.remove(&key)?;
        map.insert(name.to_owned(), value);
    }
    map.get_mut(name)
}

/// Removes `name` (in any case).
fn take(map: &mut Map<String, Value>, name: &str) -> Option<Value> {
    slot(map, name)?;
    map.remove(name)
}

/// Sets (or, for null, unsets) one member under its canonical name.
fn put(map: &mut Map<String, Value>, def: &'static AttrDef, value: Value) {
    take(map, def.name);
    if !value.is_null() {
        map.insert(def.name.to_owned(), value);
    }
}

/// The elements of a complex attribute that `filter` selects.
fn selected<'a>(value: Option<&'a mut Value>, filter: &Expr) -> Vec<&'a mut Map<String, Value>> {
    match value {
        Some(Value::Array(items)) => items
            .iter_mut()
            .filter_map(Value::as_object_mut)
            .filter(|m| filter.eval(&**m))
            .collect(),
        Some(Value::Object(m)) if filter.eval(&*m) => vec![m],
        _ => Vec::new(),
    }
}

fn no_target(path: &PatchPath) -> ScimError {
    ScimError::NoTarget(format!("`{path}` matched no value"))
}

fn set(
    user: &mut Map<String, Value>,
    path: &PatchPath,
    value: &Value,
    kind: PatchOpKind,
) -> Result<(), ScimError> {
    let attr = path.attr();
    let before = primaries(user, attr);
    match (path.filter(), path.sub()) {
        (None, None) => set_attribute(user, attr, value, kind)?,
        (None, Some(sub)) => {
            let value = &canonical_value(sub, value)?.unwrap_or(Value::Null);
            if attr.multi_valued {
                let items = match slot(user, attr.name) {
                    Some(Value::Array(items)) if !items.is_empty() => items,
                    _ => return Err(no_target(path)),
                };
                for item in items.iter_mut().filter_map(Value::as_object_mut) {
                    put(item, sub, value.clone());
                }
            } else {
                slot(user, attr.name);
                let entry = user.entry(attr.name).or_insert(Value::Null);
                if entry.is_null() {
                    *entry = Value::Object(Map::new());
                }
                let obj = entry.as_object_mut().ok_or_else(|| no_target(path))?;
                put(obj, sub, value.clone());
                drop_if_empty(user, attr);
            }
        }
        (Some(filter), sub) => {
            let value = &match sub {
                Some(sub) => canonical_value(sub, value)?,
                None => canonical_single(attr, value)?,
            }
            .unwrap_or(Value::Null);
            let targets = selected(slot(user, attr.name), filter);
            if targets.is_empty() {
                return Err(no_target(path));
            }
            for target in targets {
                match (sub, value, kind) {
                    (Some(sub), _, _) => put(target, sub, value.clone()),
                    (None, Value::Object(members), PatchOpKind::Add) => {
                        merge(target, attr, members)
                    }
                    (None, Value::Object(members), _) => *target = members.clone(),
                    (None, Value::Null, _) => target.clear(),
                    (None, _, _) => {
                        return Err(ScimError::InvalidValue(format!("`{path}` takes an object")))
                    }
                }
            }
        }
    }
    demote_primaries(user, attr, &before);
    Ok(())
}

fn set_attribute(
    user: &mut Map<String, Value>,
    attr: &'static AttrDef,
    value: &Value,
    kind: PatchOpKind,
) -> Result<(), ScimError> {
    let value = match value {
        Value::Array(_) => canonical_value(attr, value)?,
        _ if attr.multi_valued => canonical_single(attr, value)?.map(|v| Value::Array(vec![v])),
        _ => canonical_single(attr, value)?,
    };
    let Some(value) = value else {
        take(user, attr.name);
        return Ok(());
    };
    if attr.multi_valued {
        let Value::Array(items) = value else {
            return Ok(());
        };
        let merged = match (kind, take(user, attr.name)) {
            (PatchOpKind::Add, Some(Value::Array(mut existing))) => {
                for item in items {
                    if !existing.contains(&item) {
                        existing.push(item);
                    }
                }
                existing
            }
            _ => items,
        };
        put(user, attr, Value::Array(merged));
    } else if attr.is_complex() {
        let members = value.as_object().cloned().unwrap_or_default();
        slot(user, attr.name);
        let entry = user.entry(attr.name).or_insert(Value::Null);
        if !entry.is_object() {
            *entry = Value::Object(Map::new());
        }
        if let Some(target) = entry.as_object_mut() {
            merge(target, attr, &members);
        }
        drop_if_empty(user, attr);
    } else {
        put(user, attr, value);
    }
    Ok(())
}

/// Sets each member of `members` (already type-checked) on `target`.
fn merge(target: &mut Map<String, Value>, attr: &'static AttrDef, members: &Map<String, Value>) {
    for (key, value) in members {
        if let Some(sub) = attr.sub_attribute(key) {
            put(target, sub, value.clone());
        }
    }
}

/// Unassigns a single-valued complex attribute left without members.
fn drop_if_empty(user: &mut Map<String, Value>, attr: &'static AttrDef) {
    if user
        .get(attr.name)
        .and_then(Value::as_object)
        .is_some_and(Map::is_empty)
    {
        user.remove(attr.name);
    }
}

fn remove(user: &mut Map<String, Value>, path: &PatchPath) -> Result<(), ScimError> {
    let attr = path.attr();
    match (path.filter(), path.sub()) {
        (None, None) => {
            take(user, attr.name);
        }
        (None, Some(sub)) => {
            match slot(user, attr.name) {
                Some(Value::Array(items)) => {
                    for item in items.iter_mut().filter_map(Value::as_object_mut) {
                        take(item, sub.name);
                    }
                }
                Some(Value::Object(members)) => {
                    take(members, sub.name);
                }
                _ => {}
            }
            drop_if_empty(user, attr);
        }
        (Some(filter), Some(sub)) => {
            let targets = selected(slot(user, attr.name), filter);
            if targets.is_empty() {
                return Err(no_target(path));
            }
            for target in targets {
                take(target, sub.name);
            }
            drop_if_empty(user, attr);
        }
        (Some(filter), None) => {
            let removed = match slot(user, attr.name) {
                Some(Value::Array(items)) => {
                    let before = items.len();
                    items.retain(|v| !v.as_object().is_some_and(|m| filter.eval(m)));
                    before - items.len()
                }
                Some(Value::Object(m)) => usize::from(filter.eval(&*m)),
                _ => 0,
            };
            if removed == 0 {
                return Err(no_target(path));
            }
            let emptied = match user.get(attr.name) {
                Some(Value::Array(items)) => items.is_empty(),
                _ => true,
            };
            if emptied {
                user.remove(attr.name);
            }
        }
    }
    Ok(())
}

fn is_primary(v: &Value) -> bool {
    v.as_object().and_then(|m| get_ci(m, "primary")) == Some(&Value::Bool(true))
}

/// The elements of `attr` marked primary, when `attr` has a `primary` sub-attribute.
fn primaries(user: &Map<String, Value>, attr: &AttrDef) -> Vec<Value> {
    if !attr.multi_valued || attr.sub_attribute("primary").is_none() {
        return Vec::new();
    }
    match get_ci(user, attr.name) {
        Some(Value::Array(items)) => items.iter().filter(|v| is_primary(v)).cloned().collect(),
        _ => Vec::new(),
    }
}

/// When exactly one element became primary, the others stop being primary
/// (RFC 7644 §3.5.2). Any other excess is left for validation to refuse.
fn demote_primaries(user: &mut Map<String, Value>, attr: &'static AttrDef, before: &[Value]) {
    let Some(primary) = attr.sub_attribute("primary").filter(|_| attr.multi_valued) else {
        return;
    };
    let Some(Value::Array(items)) = slot(user, attr.name) else {
        return;
    };
    let fresh: Vec<usize> = items
        .iter()
        .enumerate()
        .filter(|(_, v)| is_primary(v) && !before.contains(v))
        .map(|(i, _)| i)
        .collect();
    let [keep] = fresh.as_slice() else {
        return;
    };
    for (i, item) in items.iter_mut().enumerate() {
        if i != *keep && is_primary(item) {
            if let Some(m) = item.as_object_mut() {
                put(m, primary, Value::Bool(false));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error_code::ErrorCode;
    use serde_json::json;

    fn user() -> Value {
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "id": "US0123456789abcdef0123456789abcdef",
            "userName": "ann@example.com",
            "emails": [
                {"value": "ann@example.com", "type": "work", "primary": true},
                {"value": "ann@home.example", "type": "home"}
            ],
            "active": true
        })
    }

    fn patch(ops: Value) -> Result<Value, ScimError> {
        apply_patch(
            &user(),
            &json!({"schemas": [PATCH_OP_URN], "Operations": ops}),
        )
    }

    #[test]
    fn replace_filtered_sub_and_primary_moves() {
        let out = patch(json!([{"op": "Replace", "path": "emails[type eq \"home\"].primary", "value": true},
                                {"op": "replace", "path": "userName", "value": "ann@home.example"}]))
        .unwrap();
        assert_eq!(out["emails"][0]["primary"], false);
        assert_eq!(out["emails"][1]["primary"], true);
    }

    #[test]
    fn all_or_nothing_errors() {
        let code = |ops: Value| patch(ops).err().map_or("ok", |e| e.code());
        assert_eq!(
            code(json!([{"op": "remove", "path": "emails[type eq \"other\"]"}])),
            "noTarget"
        );
        assert_eq!(
            code(json!([{"op": "replace", "path": "id", "value": "x"}])),
            "mutability"
        );
        assert_eq!(
            code(json!([{"op": "replace", "path": "active", "value": "yes"}])),
            "invalidValue"
        );
        assert_eq!(
            code(json!([{"op": "remove", "path": "userName"}])),
            "invalidValue"
        );
        assert_eq!(code(json!([{"op": "remove"}])), "noTarget");
        assert_eq!(
            code(json!([{"op": "move", "path": "title"}])),
            "invalidSyntax"
        );
        assert_eq!(code(json!([])), "invalidSyntax");
    }
}
