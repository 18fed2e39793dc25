//! Runs the shared OAuth scenario vectors in `tests/vectors/oauth/` against the
//! engine. The Python, Node and Kotlin suites run the same files; see
//! `tests/vectors/oauth/README.md` for the format.

use std::collections::HashMap;
use std::path::PathBuf;

use iamkit::{
    Actor, AppUpdate, AuthorizeRequest, Engine, ErrorCode, GrantType, ManualClock, NewApp, NewUser,
    Role, TokenRequest,
};
use serde_json::{json, Map, Value};

fn vector_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors/oauth")
}

/// Values bound by earlier steps, looked up by `${alias.field}` in later ones.
#[derive(Default)]
struct Bindings(HashMap<String, Value>);

impl Bindings {
    fn resolve(&self, value: &Value) -> Value {
        match value {
            Value::String(s) => Value::String(self.interpolate(s)),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.resolve(v)).collect()),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), self.resolve(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    fn interpolate(&self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find('}').expect("unclosed ${") + start;
            let reference = &rest[start + 2..end];
            let (alias, field) = reference.split_once('.').unwrap_or((reference, "id"));
            let bound = self
                .0
                .get(alias)
                .unwrap_or_else(|| panic!("unbound alias {alias}"));
            let value = bound
                .get(field)
                .unwrap_or_else(|| panic!("{alias} has no field {field}: {bound}"));
            match value {
                Value::String(s) => out.push_str(s),
                other => out.push_str(&other.to_string()),
            }
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        out
    }
}

fn text(step: &Map<String, Value>, key: &str) -> Option<String> {
    step.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn req(step: &Map<String, Value>, key: &str) -> String {
    text(step, key).unwrap_or_else(|| panic!("step needs {key}: {step:?}"))
}

fn strings(step: &Map<String, Value>, key: &str) -> Vec<String> {
    step.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

type StepError = (String, String);

fn fail(e: &(impl ErrorCode + std::fmt::Display)) -> StepError {
    (e.code().to_owned(), e.to_string())
}

fn run_step(
    engine: &Engine,
    clock: &ManualClock,
    step: &Map<String, Value>,
) -> Result<Value, StepError> {
    let admin = Actor::admin();
    let client_id = || {
        req(step, "client_id")
            .parse()
            .map_err(|e: iamkit::SidError| fail(&iamkit::AppError::from(e)))
    };
    match req(step, "op").as_str() {
        "advance" => {
            clock.advance(time::Duration::seconds(
                step["seconds"].as_i64().expect("seconds"),
            ));
            Ok(json!({}))
        }
        "create_organization" => {
            let org = engine
                .create_organization(&req(step, "name"))
                .map_err(|e| fail(&e))?;
            Ok(json!({ "id": org.sid.to_string() }))
        }
        "create_account" => {
            let org = req(step, "organization").parse().expect("organization sid");
            let acct = engine
                .create_account(
                    iamkit::NewAccount::new(org, &req(step, "name")),
                    &Actor::admin(),
                )
                .map_err(|e| fail(&e))?;
            Ok(json!({ "id": acct.account.sid.to_string() }))
        }
        "create_user" => {
            let user = engine
                .create_user(NewUser {
                    organization_sid: req(step, "organization").parse().expect("organization sid"),
                    user_name: req(step, "user_name"),
                    roles: strings(step, "roles")
                        .iter()
                        .map(|r| r.parse::<Role>().expect("role"))
                        .collect(),
                    sso: step.get("sso").and_then(Value::as_bool).unwrap_or(false),
                })
                .map_err(|e| fail(&e))?;
            Ok(json!({ "id": user.sid.to_string() }))
        }
        "create_app" => {
            let new = NewApp {
                owner: req(step, "owner").parse().map_err(|e| fail(&e))?,
                grant_type: GrantType::parse(&req(step, "grant_type")).map_err(|e| fail(&e))?,
                name: text(step, "name").unwrap_or_default(),
                description: text(step, "description"),
                company_name: text(step, "company_name"),
                image_urls: strings(step, "image_urls"),
                homepage_url: text(step, "homepage_url"),
                terms_of_service_url: text(step, "terms_of_service_url"),
                redirect_url: text(step, "redirect_url"),
                scopes: strings(step, "scopes"),
                token_ttl: step.get("token_ttl").and_then(Value::as_u64),
            };
            let created = engine.create_app(new, &admin).map_err(|e| fail(&e))?;
            Ok(json!({
                "id": created.app.client_id.to_string(),
                "client_secret": created.client_secret.expose(),
                "token_ttl": created.app.token_ttl,
                "scopes": created.app.scopes,
            }))
        }
        "update_app" => {
            let update = AppUpdate {
                name: text(step, "name"),
                description: text(step, "description"),
                scopes: step.get("scopes").map(|_| strings(step, "scopes")),
                token_ttl: step.get("token_ttl").and_then(Value::as_u64),
                redirect_url: text(step, "redirect_url"),
                ..AppUpdate::default()
            };
            let app = engine
                .update_app(client_id()?, update, &admin)
                .map_err(|e| fail(&e))?;
            Ok(
                json!({ "id": app.client_id.to_string(), "token_ttl": app.token_ttl, "scopes": app.scopes, "name": app.name }),
            )
        }
        "rotate_secret" => {
            let grace = step.get("grace_seconds").and_then(Value::as_u64);
            let rotated = engine
                .rotate_secret(client_id()?, grace, &admin)
                .map_err(|e| fail(&e))?;
            Ok(
                json!({ "id": rotated.app.client_id.to_string(), "client_secret": rotated.client_secret.expose() }),
            )
        }
        "delete_app" => {
            engine
                .delete_app(client_id()?, &admin)
                .map_err(|e| fail(&e))?;
            Ok(json!({}))
        }
        "authorize" => {
            let request = AuthorizeRequest {
                client_id: req(step, "client_id"),
                response_type: text(step, "response_type").unwrap_or_else(|| "code".into()),
                redirect_uri: req(step, "redirect_uri"),
                scope: text(step, "scope"),
                state: text(step, "state"),
                user_sid: req(step, "user_sid"),
                code_challenge: text(step, "code_challenge"),
                code_challenge_method: text(step, "code_challenge_method"),
            };
            let r = engine.authorize(&request).map_err(|e| fail(&e))?;
            Ok(json!({
                "code": r.code.expose(),
                "redirect_to": r.redirect_to.expose(),
                "authorization_sid": r.authorization.sid.to_string(),
            }))
        }
        "token" => {
            let request = TokenRequest {
                grant_type: text(step, "grant_type").unwrap_or_default(),
                client_id: text(step, "client_id"),
                client_secret: text(step, "client_secret").map(Into::into),
                code: text(step, "code").map(Into::into),
                redirect_uri: text(step, "redirect_uri"),
                refresh_token: text(step, "refresh_token").map(Into::into),
                code_verifier: text(step, "code_verifier").map(Into::into),
                scope: text(step, "scope"),
            };
            let t = engine.token(&request).map_err(|e| fail(&e))?;
            Ok(t.body(iamkit::TokenBody::Complete))
        }
        "verify" => {
            let claims = engine.verify(&req(step, "token")).map_err(|e| fail(&e))?;
            Ok(serde_json::to_value(claims).expect("claims serialize"))
        }
        "check_access" => {
            let access = engine
                .check_access(
                    &req(step, "token"),
                    &req(step, "method"),
                    &req(step, "path"),
                )
                .map_err(|e| fail(&e))?;
            Ok(json!({ "permission": access.permission }))
        }
        "introspect" => Ok(serde_json::to_value(engine.introspect(&req(step, "token")))
            .expect("introspection serializes")),
        "revoke_token" => {
            engine
                .revoke_token(
                    &req(step, "client_id"),
                    &req(step, "client_secret"),
                    &req(step, "token"),
                )
                .map_err(|e| fail(&e))?;
            Ok(json!({}))
        }
        "revoke_authorization" => {
            let sid = req(step, "authorization_sid")
                .parse()
                .expect("authorization sid");
            engine
                .revoke_authorization(sid, &admin)
                .map_err(|e| fail(&e))?;
            Ok(json!({}))
        }
        other => panic!("unknown op {other}"),
    }
}

fn run_scenario(file: &str, scenario: &Value) -> usize {
    let name = scenario["name"].as_str().expect("scenario name");
    let start = scenario["start"].as_str().unwrap_or("2026-01-01T00:00:00Z");
    let clock = ManualClock::parse(start).expect("start instant");
    let engine = Engine::builder()
        .clock(clock.clone())
        .build()
        .expect("engine");
    let mut bound = Bindings::default();
    let steps = scenario["steps"].as_array().expect("steps");
    for (i, raw) in steps.iter().enumerate() {
        // `expect` may name what this very step binds, so it is resolved afterwards.
        let mut without_expect = raw.clone();
        if let Some(obj) = without_expect.as_object_mut() {
            obj.remove("expect");
        }
        let resolved = bound.resolve(&without_expect);
        let step = resolved.as_object().expect("a step is an object");
        let at = format!("{file} / {name} / step {i} ({})", step["op"]);
        match (run_step(&engine, &clock, step), text(step, "expect_error")) {
            (Ok(result), None) => {
                if let Some(alias) = text(step, "as") {
                    bound.0.insert(alias, result.clone());
                }
                if let Some(expect) = raw.get("expect") {
                    let expect = bound.resolve(expect);
                    for (key, want) in expect.as_object().expect("expect is an object") {
                        assert_eq!(result.get(key), Some(want), "{at}: field {key} of {result}");
                    }
                }
            }
            (Ok(result), Some(code)) => panic!("{at}: expected error {code}, got {result}"),
            (Err((code, message)), None) => panic!("{at}: unexpected error {code}: {message}"),
            (Err((code, _)), Some(want)) => assert_eq!(code, want, "{at}"),
        }
    }
    steps.len()
}

#[test]
fn oauth_vectors_agree() {
    let mut files: Vec<_> = std::fs::read_dir(vector_dir())
        .expect("tests/vectors/oauth exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no vector files found");
    let (mut scenarios, mut steps) = (0, 0);
    for path in files {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("read"))
            .expect("valid JSON");
        let file = path
            .file_name()
            .expect("file name")
            .to_string_lossy()
            .into_owned();
        for scenario in doc["scenarios"].as_array().expect("scenarios") {
            steps += run_scenario(&file, scenario);
            scenarios += 1;
        }
    }
    assert!(scenarios >= 20, "only {scenarios} scenarios");
    println!("{scenarios} scenarios, {steps} steps");
}
