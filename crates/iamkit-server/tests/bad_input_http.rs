//! Hostile and malformed requests, table-driven: each gets its exact 4xx status and
//! a typed error body (RFC 6749 `error` on the OAuth endpoints, the SCIM error
//! schema with `scimType` on SCIM paths, Twilio's `code` elsewhere), and the
//! emulator keeps serving afterwards.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use common::Emulator;
use iamkit::{Actor, NewApp, OwnerSid};
use serde_json::{json, Value};

const FORM: &str = "application/x-www-form-urlencoded";
const SCIM: &str = "application/scim+json";
const SCIM_ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
const SQL: [&str; 2] = ["' OR 1=1 --", "\"; DROP TABLE users; --"];

/// The typed body a refused request must carry.
#[derive(Debug, Clone, Copy)]
enum Typed {
    /// RFC 6749 `error` (with Twilio's `code` beside it).
    OAuth(&'static str),
    /// The SCIM error schema with this `scimType`, or none.
    Scim(Option<&'static str>),
    /// Twilio's numeric `code` (the admin and Twilio-style endpoints).
    Twilio(u64),
}

struct Case {
    name: String,
    request: Request<Body>,
    status: StatusCode,
    typed: Typed,
}

fn case(name: impl Into<String>, request: Request<Body>, status: StatusCode, typed: Typed) -> Case {
    Case {
        name: name.into(),
        request,
        status,
        typed,
    }
}

fn post(path: &str, content_type: Option<&str>, body: impl Into<Body>) -> Request<Body> {
    let mut request = Request::post(path);
    if let Some(content_type) = content_type {
        request = request.header(header::CONTENT_TYPE, content_type);
    }
    request.body(body.into()).unwrap()
}

/// A form POST with the fields encoded as given (so duplicates and raw bytes stay).
fn raw_form(path: &str, body: impl Into<Body>) -> Request<Body> {
    post(path, Some(FORM), body)
}

fn form(path: &str, fields: &[(&str, &str)]) -> Request<Body> {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    raw_form(path, body)
}

fn with_basic(path: &str, authorization: &str, body: &str) -> Request<Body> {
    Request::post(path)
        .header(header::CONTENT_TYPE, FORM)
        .header(header::AUTHORIZATION, authorization)
        .body(Body::from(body.to_owned()))
        .unwrap()
}

fn bearer(method: Method, path: &str, token: &str, body: Option<(&str, Body)>) -> Request<Body> {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    let body = match body {
        Some((content_type, body)) => {
            request = request.header(header::CONTENT_TYPE, content_type);
            body
        }
        None => Body::empty(),
    };
    request.body(body).unwrap()
}

fn admin(method: Method, path: &str, content_type: &str, body: impl Into<Body>) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(format!("/admin/v1{path}"))
        .header(header::AUTHORIZATION, "Bearer admin-secret")
        .header(header::CONTENT_TYPE, content_type)
        .body(body.into())
        .unwrap()
}

/// `/scim/v2/Users?filter=…` with the filter percent-encoded.
fn filter_path(filter: &str) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("filter", filter)
        .finish();
    format!("/scim/v2/Users?{query}")
}

fn user(user_name: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": user_name,
        "emails": [{"value": user_name, "type": "work", "primary": true}],
    })
}

fn scim_json(value: &Value) -> Option<(&'static str, Body)> {
    Some((SCIM, Body::from(value.to_string())))
}

fn check(case_name: &str, reply: &common::Reply, status: StatusCode, typed: Typed) {
    assert_eq!(reply.status, status, "{case_name}: {}", reply.text);
    let body: Value = serde_json::from_str(&reply.text)
        .unwrap_or_else(|_| panic!("{case_name}: untyped body {:?}", reply.text));
    match typed {
        Typed::OAuth(error) => {
            assert_eq!(body["error"], error, "{case_name}: {body}");
            assert!(body["code"].is_u64(), "{case_name}: {body}");
            assert_eq!(body["status"], status.as_u16(), "{case_name}: {body}");
        }
        Typed::Scim(scim_type) => {
            assert_eq!(body["schemas"], json!([SCIM_ERROR]), "{case_name}: {body}");
            assert_eq!(
                body["status"],
                status.as_u16().to_string(),
                "{case_name}: {body}"
            );
            assert_eq!(
                body.get("scimType").and_then(Value::as_str),
                scim_type,
                "{case_name}: {body}"
            );
            assert_eq!(reply.header("content-type"), SCIM, "{case_name}");
        }
        Typed::Twilio(code) => {
            assert_eq!(body["code"], code, "{case_name}: {body}");
            assert_eq!(body["status"], status.as_u16(), "{case_name}: {body}");
        }
    }
}

async fn run(e: &Emulator, cases: Vec<Case>) {
    assert!(!cases.is_empty());
    for c in cases {
        let reply = e.send(c.request).await;
        check(&c.name, &reply, c.status, c.typed);
    }
    // Still serving: a normal token request and a normal SCIM list succeed.
    assert_eq!(e.cc_token().await.status, StatusCode::OK);
    let token = e.org_token(None).await;
    let reply = e
        .send(bearer(Method::GET, "/scim/v2/Users", &token, None))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
}

/// The request with its `Content-Length` set, as a client sends it (without it the
/// body is read up to the limit instead).
fn with_length(mut request: Request<Body>) -> Request<Body> {
    let length = axum::body::HttpBody::size_hint(request.body())
        .exact()
        .unwrap();
    request
        .headers_mut()
        .insert(header::CONTENT_LENGTH, length.into());
    request
}

/// A client-credentials form with `extra` fields after it.
fn cc_fields<'a>(
    id: &'a str,
    secret: &'a str,
    extra: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("grant_type", "client_credentials"),
        ("client_id", id),
        ("client_secret", secret),
    ];
    fields.extend_from_slice(extra);
    fields
}

/// A body one byte over the limit.
fn huge() -> Vec<u8> {
    let mut body = b"grant_type=".to_vec();
    body.resize(iamkit_server::MAX_BODY_BYTES + 1, b'x');
    body
}

#[tokio::test]
async fn token_endpoint_refuses_bad_forms_with_rfc6749_errors() {
    use StatusCode as S;
    use Typed::OAuth;
    let e = Emulator::new();
    let (id, secret) = e.cc();
    let cc = |extra: &[(&'static str, &'static str)]| cc_fields(&id, &secret, extra);
    let basic = |text: &str| format!("Basic {}", STANDARD.encode(text));
    let mut cases = vec![
        case(
            "no content type",
            post("/v2/token", None, "grant_type=client_credentials"),
            S::BAD_REQUEST,
            OAuth("invalid_request"),
        ),
        case(
            "JSON body",
            post(
                "/v2/token",
                Some("application/json"),
                r#"{"grant_type":"client_credentials"}"#,
            ),
            S::BAD_REQUEST,
            OAuth("invalid_request"),
        ),
        case(
            "multipart body",
            post(
                "/v2/token",
                Some("multipart/form-data; boundary=x"),
                "--x--",
            ),
            S::BAD_REQUEST,
            OAuth("invalid_request"),
        ),
        case(
            "text/plain form",
            post(
                "/v2/token",
                Some("text/plain"),
                "grant_type=client_credentials",
            ),
            S::BAD_REQUEST,
            OAuth("invalid_request"),
        ),
        case(
            "non-UTF-8 body",
            raw_form("/v2/token", vec![b'g', b'=', 0xff, 0xfe, 0xc0]),
            S::BAD_REQUEST,
            OAuth("invalid_request"),
        ),
        case(
            "percent-encoded non-UTF-8",
            raw_form("/v2/token", "grant_type=%ff%fe"),
            S::BAD_REQUEST,
            OAuth("unsupported_grant_type"),
        ),
        case(
            "empty body",
            raw_form("/v2/token", ""),
            S::BAD_REQUEST,
            OAuth("invalid_request"),
        ),
        case(
            "only separators",
            raw_form("/v2/token", "&&&=&="),
            S::BAD_REQUEST,
            OAuth("invalid_request"),
        ),
        case(
            "duplicated grant_type",
            raw_form(
                "/v2/token",
                "grant_type=client_credentials&grant_type=client_credentials",
            ),
            S::BAD_REQUEST,
            OAuth("invalid_request"),
        ),
        case(
            "duplicated client_id",
            form(
                "/v2/token",
                &[
                    ("client_id", "a"),
                    ("client_id", "b"),
                    ("grant_type", "client_credentials"),
                ],
            ),
            S::BAD_REQUEST,
            OAuth("invalid_request"),
        ),
        case(
            "unknown grant type",
            form(
                "/v2/token",
                &cc(&[])
                    .into_iter()
                    .map(|(k, v)| {
                        if k == "grant_type" {
                            (k, "password")
                        } else {
                            (k, v)
                        }
                    })
                    .collect::<Vec<_>>(),
            ),
            S::BAD_REQUEST,
            OAuth("unsupported_grant_type"),
        ),
        case(
            "device-code grant type",
            form(
                "/v2/token",
                &[("grant_type", "urn:ietf:params:oauth:grant-type:device_code")],
            ),
            S::BAD_REQUEST,
            OAuth("unsupported_grant_type"),
        ),
        case(
            "grant type of 100,000 characters",
            form("/v2/token", &[("grant_type", &"g".repeat(100_000))]),
            S::BAD_REQUEST,
            OAuth("unsupported_grant_type"),
        ),
        case(
            "missing grant_type",
            form(
                "/v2/token",
                &[("client_id", &id), ("client_secret", &secret)],
            ),
            S::BAD_REQUEST,
            OAuth("invalid_request"),
        ),
        case(
            "missing client_secret",
            form(
                "/v2/token",
                &[("grant_type", "client_credentials"), ("client_id", &id)],
            ),
            S::BAD_REQUEST,
            OAuth("invalid_request"),
        ),
        case(
            "NUL in client_id",
            form(
                "/v2/token",
                &[
                    ("grant_type", "client_credentials"),
                    ("client_id", "OQ\u{0}"),
                    ("client_secret", "x"),
                ],
            ),
            S::BAD_REQUEST,
            OAuth("invalid_request"),
        ),
        case(
            "escape in client_secret",
            form(
                "/v2/token",
                &[
                    ("grant_type", "client_credentials"),
                    ("client_id", &id),
                    ("client_secret", "\u{1b}[2J"),
                ],
            ),
            S::BAD_REQUEST,
            OAuth("invalid_request"),
        ),
        case(
            "newline in scope",
            form(
                "/v2/token",
                &cc(&[("scope", "managed-users/list\nmanaged-users/delete")]),
            ),
            S::BAD_REQUEST,
            OAuth("invalid_request"),
        ),
        case(
            "unknown scope",
            form(
                "/v2/token",
                &cc(&[("scope", "managed-users/list admin/everything")]),
            ),
            S::BAD_REQUEST,
            OAuth("invalid_scope"),
        ),
        case(
            "wrong secret",
            form(
                "/v2/token",
                &cc(&[])
                    .into_iter()
                    .map(|(k, v)| {
                        if k == "client_secret" {
                            (k, "wrong")
                        } else {
                            (k, v)
                        }
                    })
                    .collect::<Vec<_>>(),
            ),
            S::UNAUTHORIZED,
            OAuth("invalid_client"),
        ),
        case(
            "code without a code",
            form(
                "/v2/token",
                &[
                    ("grant_type", "authorization_code"),
                    ("client_id", &id),
                    ("client_secret", &secret),
                ],
            ),
            S::BAD_REQUEST,
            OAuth("unauthorized_client"),
        ),
        case(
            "Basic that is not base64",
            with_basic(
                "/v2/token",
                "Basic !!!not-base64!!!",
                "grant_type=client_credentials",
            ),
            S::BAD_REQUEST,
            OAuth("invalid_request"),
        ),
        case(
            "Basic without a colon",
            with_basic(
                "/v2/token",
                &basic("just-an-id"),
                "grant_type=client_credentials",
            ),
            S::BAD_REQUEST,
            OAuth("invalid_request"),
        ),
        case(
            "Basic of non-UTF-8 bytes",
            with_basic(
                "/v2/token",
                &format!("Basic {}", STANDARD.encode([0xff, b':', 0xfe])),
                "grant_type=client_credentials",
            ),
            S::BAD_REQUEST,
            OAuth("invalid_request"),
        ),
        case(
            "Basic beside client_secret",
            with_basic(
                "/v2/token",
                &basic(&format!("{id}:{secret}")),
                &format!("grant_type=client_credentials&client_secret={secret}"),
            ),
            S::BAD_REQUEST,
            OAuth("invalid_request"),
        ),
        case(
            "Basic with another client_id",
            with_basic(
                "/v2/token",
                &basic(&format!("{id}:{secret}")),
                "grant_type=client_credentials&client_id=OQ00000000000000000000000000000000",
            ),
            S::BAD_REQUEST,
            OAuth("invalid_request"),
        ),
        case(
            "introspect without client",
            form("/v2/introspect", &[("token", "x")]),
            S::UNAUTHORIZED,
            OAuth("invalid_client"),
        ),
        case(
            "introspect without token",
            form(
                "/v2/introspect",
                &[("client_id", &id), ("client_secret", &secret)],
            ),
            S::BAD_REQUEST,
            OAuth("invalid_request"),
        ),
        case(
            "introspect as JSON",
            post("/v2/introspect", Some("application/json"), "{}"),
            S::BAD_REQUEST,
            OAuth("invalid_request"),
        ),
        case(
            "revoke with a duplicated token",
            raw_form(
                "/v2/revoke",
                format!("client_id={id}&client_secret={secret}&token=a&token=b"),
            ),
            S::BAD_REQUEST,
            OAuth("invalid_request"),
        ),
        case(
            "revoke with a control character",
            form(
                "/v2/revoke",
                &[
                    ("client_id", &id),
                    ("client_secret", &secret),
                    ("token", "a\u{7f}b"),
                ],
            ),
            S::BAD_REQUEST,
            OAuth("invalid_request"),
        ),
        case(
            "body over 1 MiB, read to the limit",
            raw_form("/v2/token", huge()),
            S::PAYLOAD_TOO_LARGE,
            OAuth("invalid_request"),
        ),
        case(
            "body over 1 MiB by its Content-Length",
            with_length(raw_form("/v2/token", huge())),
            S::PAYLOAD_TOO_LARGE,
            OAuth("invalid_request"),
        ),
        case(
            "GET on the token endpoint",
            Request::get("/v2/token").body(Body::empty()).unwrap(),
            S::METHOD_NOT_ALLOWED,
            OAuth("invalid_request"),
        ),
    ];
    for sql in SQL {
        cases.push(case(
            format!("SQL grant type {sql}"),
            form("/v2/token", &[("grant_type", sql)]),
            S::BAD_REQUEST,
            OAuth("unsupported_grant_type"),
        ));
        cases.push(case(
            format!("SQL client id {sql}"),
            form(
                "/v2/token",
                &[
                    ("grant_type", "client_credentials"),
                    ("client_id", sql),
                    ("client_secret", sql),
                ],
            ),
            S::UNAUTHORIZED,
            OAuth("invalid_client"),
        ));
        cases.push(case(
            format!("SQL in Basic {sql}"),
            with_basic(
                "/v2/token",
                &basic(&format!("{}:{sql}", sql.replace(':', ""))),
                "grant_type=client_credentials",
            ),
            S::UNAUTHORIZED,
            OAuth("invalid_client"),
        ));
        cases.push(case(
            format!("SQL scope {sql}"),
            form("/v2/token", &cc(&[("scope", sql)])),
            S::BAD_REQUEST,
            OAuth("invalid_scope"),
        ));
    }
    run(&e, cases).await;
}

#[tokio::test]
async fn scim_refuses_bad_bodies_filters_and_tokens_with_scim_errors() {
    use StatusCode as S;
    use Typed::Scim;
    let e = Emulator::new();
    let token = e.org_token(None).await;
    let t = token.as_str();
    let users = "/scim/v2/Users";
    let created = e
        .send(bearer(
            Method::POST,
            users,
            t,
            scim_json(&user("kim@acme.example")),
        ))
        .await;
    assert_eq!(created.status, S::CREATED, "{}", created.text);
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let one = format!("{users}/{id}");
    let patch = |operations: Value| json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": operations});
    let deep = format!("{}title pr{}", "(".repeat(200), ")".repeat(200));
    let nots = format!("{}title pr{}", "not (".repeat(40), ")".repeat(40));
    let long = format!("title eq \"{}\"", "a".repeat(5000));
    let many_ors = vec!["title pr"; 2000].join(" or ");
    let body = |bytes: &[u8]| Some((SCIM, Body::from(bytes.to_vec())));
    let huge_name = |name: &str| {
        let mut user = user(name);
        user["displayName"] = json!("x".repeat(512 * 1024));
        user
    };
    let phones: Vec<Value> = (0..101)
        .map(|i| json!({"value": format!("+1 555 {i:04}")}))
        .collect();
    let mut cases = vec![
        case(
            "no token",
            Request::get(users).body(Body::empty()).unwrap(),
            S::UNAUTHORIZED,
            Scim(None),
        ),
        case(
            "garbage token",
            bearer(Method::GET, users, "not.a.token", None),
            S::UNAUTHORIZED,
            Scim(None),
        ),
        case(
            "alg none token",
            bearer(Method::GET, users, &alg_none(t), None),
            S::UNAUTHORIZED,
            Scim(None),
        ),
        case(
            "token with a flipped signature",
            bearer(Method::GET, users, &flipped(t), None),
            S::UNAUTHORIZED,
            Scim(None),
        ),
        case(
            "Basic instead of Bearer",
            Request::get(users)
                .header(header::AUTHORIZATION, "Basic YTpi")
                .body(Body::empty())
                .unwrap(),
            S::UNAUTHORIZED,
            Scim(None),
        ),
        case(
            "text/plain body",
            bearer(
                Method::POST,
                users,
                t,
                Some(("text/plain", Body::from(user("a@acme.example").to_string()))),
            ),
            S::BAD_REQUEST,
            Scim(Some("invalidSyntax")),
        ),
        case(
            "form body",
            bearer(
                Method::POST,
                users,
                t,
                Some((FORM, Body::from("userName=a"))),
            ),
            S::BAD_REQUEST,
            Scim(Some("invalidSyntax")),
        ),
        case(
            "no content type",
            bearer(Method::POST, users, t, None),
            S::BAD_REQUEST,
            Scim(Some("invalidSyntax")),
        ),
        case(
            "truncated JSON",
            bearer(Method::POST, users, t, body(br#"{"userName": "a"#)),
            S::BAD_REQUEST,
            Scim(Some("invalidSyntax")),
        ),
        case(
            "non-UTF-8 JSON",
            bearer(Method::POST, users, t, body(&[b'"', 0xff, 0xfe, b'"'])),
            S::BAD_REQUEST,
            Scim(Some("invalidSyntax")),
        ),
        case(
            "JSON array",
            bearer(Method::POST, users, t, body(b"[]")),
            S::BAD_REQUEST,
            Scim(Some("invalidSyntax")),
        ),
        case(
            "JSON nested 10,000 deep",
            bearer(
                Method::POST,
                users,
                t,
                body(format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)).as_bytes()),
            ),
            S::BAD_REQUEST,
            Scim(Some("invalidSyntax")),
        ),
        case(
            "userName with a NUL",
            bearer(
                Method::POST,
                users,
                t,
                scim_json(&user("nul\u{0}@acme.example")),
            ),
            S::BAD_REQUEST,
            Scim(Some("invalidValue")),
        ),
        case(
            "userName with a bell",
            bearer(
                Method::POST,
                users,
                t,
                scim_json(&user("bell\u{7}@acme.example")),
            ),
            S::BAD_REQUEST,
            Scim(Some("invalidValue")),
        ),
        case(
            "userName of one character",
            bearer(Method::POST, users, t, scim_json(&user("a"))),
            S::BAD_REQUEST,
            Scim(Some("invalidValue")),
        ),
        case(
            "userName taken",
            bearer(Method::POST, users, t, scim_json(&user("KIM@acme.example"))),
            S::CONFLICT,
            Scim(Some("uniqueness")),
        ),
        case(
            "displayName of 512 KiB",
            bearer(
                Method::POST,
                users,
                t,
                scim_json(&huge_name("ann@acme.example")),
            ),
            S::BAD_REQUEST,
            Scim(Some("invalidValue")),
        ),
        case(
            "replaced by a displayName of 512 KiB",
            bearer(
                Method::PUT,
                &one,
                t,
                scim_json(&huge_name("kim@acme.example")),
            ),
            S::BAD_REQUEST,
            Scim(Some("invalidValue")),
        ),
        case(
            "patched to 101 phone numbers",
            bearer(
                Method::PATCH,
                &one,
                t,
                scim_json(&patch(
                    json!([{"op": "add", "path": "phoneNumbers", "value": phones}]),
                )),
            ),
            S::BAD_REQUEST,
            Scim(Some("invalidValue")),
        ),
        case(
            "filter nested 200 deep",
            bearer(Method::GET, &filter_path(&deep), t, None),
            S::BAD_REQUEST,
            Scim(Some("invalidFilter")),
        ),
        case(
            "filter of 40 nested nots",
            bearer(Method::GET, &filter_path(&nots), t, None),
            S::BAD_REQUEST,
            Scim(Some("invalidFilter")),
        ),
        case(
            "filter over 4 KiB",
            bearer(Method::GET, &filter_path(&long), t, None),
            S::BAD_REQUEST,
            Scim(Some("invalidFilter")),
        ),
        case(
            "filter of 2,000 ors",
            bearer(Method::GET, &filter_path(&many_ors), t, None),
            S::BAD_REQUEST,
            Scim(Some("invalidFilter")),
        ),
        case(
            "unquoted SQL in a filter",
            bearer(
                Method::GET,
                &filter_path("userName eq ' OR 1=1 --"),
                t,
                None,
            ),
            S::BAD_REQUEST,
            Scim(Some("invalidFilter")),
        ),
        case(
            "SQL comment after a filter",
            bearer(Method::GET, &filter_path("userName eq \"a\" --"), t, None),
            S::BAD_REQUEST,
            Scim(Some("invalidFilter")),
        ),
        case(
            "raw control character in a filter string",
            bearer(
                Method::GET,
                &filter_path("userName eq \"a\u{1}b\""),
                t,
                None,
            ),
            S::BAD_REQUEST,
            Scim(Some("invalidValue")),
        ),
        case(
            "escaped control character in a filter",
            bearer(
                Method::GET,
                &filter_path("userName eq \"a\\u0001b\" and"),
                t,
                None,
            ),
            S::BAD_REQUEST,
            Scim(Some("invalidFilter")),
        ),
        case(
            "filter given twice",
            bearer(
                Method::GET,
                "/scim/v2/Users?filter=title%20pr&filter=title%20pr",
                t,
                None,
            ),
            S::BAD_REQUEST,
            Scim(Some("invalidValue")),
        ),
        case(
            "unknown operator",
            bearer(Method::GET, &filter_path("userName like \"a%\""), t, None),
            S::BAD_REQUEST,
            Scim(Some("invalidFilter")),
        ),
        case(
            "count not a number",
            bearer(Method::GET, "/scim/v2/Users?count=1;DROP", t, None),
            S::BAD_REQUEST,
            Scim(Some("invalidValue")),
        ),
        case(
            "startIndex overflowing",
            bearer(
                Method::GET,
                "/scim/v2/Users?startIndex=99999999999999999999999",
                t,
                None,
            ),
            S::BAD_REQUEST,
            Scim(Some("invalidValue")),
        ),
        case(
            "PATCH without Operations",
            bearer(
                Method::PATCH,
                &one,
                t,
                scim_json(&json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]})),
            ),
            S::BAD_REQUEST,
            Scim(Some("invalidSyntax")),
        ),
        case(
            "PATCH with Operations an object",
            bearer(
                Method::PATCH,
                &one,
                t,
                scim_json(&patch(json!({"op": "add"}))),
            ),
            S::BAD_REQUEST,
            Scim(Some("invalidSyntax")),
        ),
        case(
            "PATCH with an unknown op",
            bearer(
                Method::PATCH,
                &one,
                t,
                scim_json(&patch(json!([{"op": "drop", "path": "title"}]))),
            ),
            S::BAD_REQUEST,
            Scim(Some("invalidSyntax")),
        ),
        case(
            "PATCH with an SQL path",
            bearer(
                Method::PATCH,
                &one,
                t,
                scim_json(&patch(
                    json!([{"op": "replace", "path": SQL[0], "value": "x"}]),
                )),
            ),
            S::BAD_REQUEST,
            Scim(Some("invalidPath")),
        ),
        case(
            "PATCH with a deep value filter",
            bearer(
                Method::PATCH,
                &one,
                t,
                scim_json(&patch(
                    json!([{"op": "remove", "path": format!("emails[{deep}]")}]),
                )),
            ),
            S::BAD_REQUEST,
            Scim(Some("invalidFilter")),
        ),
        case(
            "PUT of a string",
            bearer(Method::PUT, &one, t, scim_json(&json!("user"))),
            S::BAD_REQUEST,
            Scim(Some("invalidSyntax")),
        ),
        case(
            "unknown id",
            bearer(
                Method::GET,
                &format!("{users}/US0123456789abcdef0123456789abcdef"),
                t,
                None,
            ),
            S::NOT_FOUND,
            Scim(None),
        ),
        case(
            "body over 1 MiB",
            bearer(
                Method::POST,
                users,
                t,
                Some((
                    SCIM,
                    Body::from(vec![b' '; iamkit_server::MAX_BODY_BYTES + 1]),
                )),
            ),
            S::PAYLOAD_TOO_LARGE,
            Scim(None),
        ),
        case(
            "body over 1 MiB by its Content-Length",
            with_length(bearer(
                Method::POST,
                users,
                t,
                Some((
                    SCIM,
                    Body::from(vec![b' '; iamkit_server::MAX_BODY_BYTES + 1]),
                )),
            )),
            S::PAYLOAD_TOO_LARGE,
            Scim(None),
        ),
    ];
    for sql in SQL {
        cases.push(case(
            format!("SQL id {sql}"),
            bearer(
                Method::GET,
                &format!(
                    "{users}/{}",
                    url::form_urlencoded::byte_serialize(sql.as_bytes()).collect::<String>()
                ),
                t,
                None,
            ),
            S::NOT_FOUND,
            Scim(None),
        ));
        cases.push(case(
            format!("SQL as the token {sql}"),
            bearer(Method::GET, users, sql, None),
            S::UNAUTHORIZED,
            Scim(None),
        ));
        cases.push(case(
            format!("SQL attribute name {sql}"),
            bearer(
                Method::GET,
                &filter_path(&format!("{sql} eq \"x\"")),
                t,
                None,
            ),
            S::BAD_REQUEST,
            Scim(Some("invalidFilter")),
        ));
    }
    run(&e, cases).await;

    // SQL-looking values are data: stored, found by an exact filter, and nothing else
    // matches them.
    for (i, sql) in SQL.iter().enumerate() {
        let local: String = sql
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || "'=-".contains(*c))
            .collect();
        let name = format!("{local}{i}@acme.example");
        let r = e
            .send(bearer(Method::POST, users, t, scim_json(&user(&name))))
            .await;
        assert_eq!(r.status, S::CREATED, "{name}: {}", r.text);
        let mut with_sql = user(&format!("plain{i}@acme.example"));
        with_sql["name"] = json!({"givenName": sql, "familyName": sql});
        let r = e
            .send(bearer(Method::POST, users, t, scim_json(&with_sql)))
            .await;
        assert_eq!(r.status, S::CREATED, "{sql}: {}", r.text);
        let found = e
            .send(bearer(
                Method::GET,
                &filter_path(&format!("name.givenName eq {}", json!(sql))),
                t,
                None,
            ))
            .await;
        assert_eq!(found.json()["totalResults"], 1, "{sql}: {}", found.text);
        let found = e
            .send(bearer(
                Method::GET,
                &filter_path(&format!("userName eq {}", json!(sql))),
                t,
                None,
            ))
            .await;
        assert_eq!(found.json()["totalResults"], 0, "{sql}: {}", found.text);
    }
}

#[tokio::test]
async fn tokens_of_another_organization_or_an_account_are_refused() {
    use StatusCode as S;
    use Typed::{Scim, Twilio};
    let e = Emulator::new();
    let org = e.boot.organization_sid.clone().unwrap();
    let other = e.engine.create_organization("Other").unwrap();
    let theirs = e
        .engine
        .create_app(
            NewApp::client_credentials(
                OwnerSid::Organization(other.sid),
                "theirs",
                &["managed-users/list", "role-assignments/list", "roles/list"],
            ),
            &Actor::admin(),
        )
        .unwrap();
    let reply = e
        .send(form(
            "/v2/token",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &theirs.app.client_id.to_string()),
                ("client_secret", theirs.client_secret.expose()),
            ],
        ))
        .await;
    let foreign = reply.json()["access_token"].as_str().unwrap().to_owned();
    let f = foreign.as_str();
    let account = e
        .boot
        .apps
        .as_ref()
        .unwrap()
        .account_client_credentials
        .clone();
    let reply = e
        .send(form(
            "/v2/token",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &account.client_id),
                ("client_secret", &account.client_secret),
            ],
        ))
        .await;
    let account_token = reply.json()["access_token"].as_str().unwrap().to_owned();
    let cases = vec![
        case(
            "their token on our SCIM users",
            bearer(
                Method::GET,
                &format!("/Organizations/{org}/scim/Users"),
                f,
                None,
            ),
            S::FORBIDDEN,
            Scim(None),
        ),
        case(
            "their token on our role assignments",
            bearer(
                Method::GET,
                &format!("/Organizations/{org}/RoleAssignments"),
                f,
                None,
            ),
            S::FORBIDDEN,
            Twilio(20403),
        ),
        case(
            "their token on our accounts",
            bearer(
                Method::GET,
                &format!("/Organizations/{org}/Accounts"),
                f,
                None,
            ),
            S::FORBIDDEN,
            Twilio(20403),
        ),
        case(
            "an account token on our accounts",
            bearer(
                Method::GET,
                &format!("/Organizations/{org}/Accounts"),
                &account_token,
                None,
            ),
            S::FORBIDDEN,
            Twilio(20403),
        ),
        case(
            "our token for their users",
            bearer(
                Method::GET,
                &format!("/Organizations/{}/scim/Users", other.sid),
                &e.org_token(None).await,
                None,
            ),
            S::FORBIDDEN,
            Scim(None),
        ),
    ];
    run(&e, cases).await;
    // Their token still lists their (empty) directory through the documented path.
    let reply = e.send(bearer(Method::GET, "/scim/v2/Users", f, None)).await;
    assert_eq!(
        (reply.status, reply.json()["totalResults"].clone()),
        (S::OK, json!(0))
    );
}

#[tokio::test]
async fn twilio_style_endpoints_refuse_bad_input_with_twilio_codes() {
    use StatusCode as S;
    use Typed::{OAuth, Twilio};
    let e = Emulator::new();
    let token = e.org_token(None).await;
    let t = token.as_str();
    let org = e.boot.organization_sid.clone().unwrap();
    let assignments = "/v2/Organizations/RoleAssignments";
    let user_sid = e.boot.users[0].sid.clone();
    let json_body = |v: Value| Some(("application/json", Body::from(v.to_string())));
    let mut cases = vec![
        case("assignment as truncated JSON", bearer(Method::POST, assignments, t, Some(("application/json", Body::from("{\"role_sid\":")))), S::BAD_REQUEST, Twilio(20001)),
        case("assignment as text/plain", bearer(Method::POST, assignments, t, Some(("text/plain", Body::from("RoleSid=x")))), S::BAD_REQUEST, Twilio(20001)),
        case("assignment with a duplicated field", bearer(Method::POST, assignments, t, Some((FORM, Body::from("RoleSid=a&RoleSid=b")))), S::BAD_REQUEST, Twilio(20001)),
        case("assignment with a non-UTF-8 form", bearer(Method::POST, assignments, t, Some((FORM, Body::from(vec![b'R', b'=', 0xff])))), S::BAD_REQUEST, Twilio(20001)),
        case("assignment with a bad role sid", bearer(Method::POST, assignments, t, json_body(json!({"role_sid": "IX' OR 1=1 --", "scope": org, "identity": user_sid}))), S::BAD_REQUEST, Twilio(25202)),
        case("role-assignment page size not a number", bearer(Method::GET, &format!("{assignments}?PageSize=ten"), t, None), S::BAD_REQUEST, Twilio(20001)),
        case("role-assignment query with a control character", bearer(Method::GET, &format!("{assignments}?Identity=%07"), t, None), S::BAD_REQUEST, Twilio(20001)),
        case("delete an SQL sid", bearer(Method::DELETE, &format!("{assignments}/{}", url::form_urlencoded::byte_serialize(SQL[0].as_bytes()).collect::<String>()), t, None), S::NOT_FOUND, Twilio(20404)),
        case("accounts of an SQL organization", bearer(Method::GET, "/Organizations/OR'%20OR%201=1%20--/Accounts", t, None), S::FORBIDDEN, Twilio(20403)),
        case("unknown endpoint", Request::get("/v2/Users'%20OR%201=1").body(Body::empty()).unwrap(), S::NOT_FOUND, Twilio(20404)),
        case("DELETE on roles, which no permission covers", bearer(Method::DELETE, "/v2/Organizations/Roles", t, None), S::NOT_FOUND, Twilio(20404)),
        case("admin method a path does not serve", admin(Method::PATCH, "/clock", "application/json", "{}"), S::METHOD_NOT_ALLOWED, Twilio(20004)),
        case("admin without its token", Request::get("/admin/v1/apps").body(Body::empty()).unwrap(), S::UNAUTHORIZED, OAuth("invalid_token")),
        case("admin with an SQL token", Request::get("/admin/v1/apps").header(header::AUTHORIZATION, format!("Bearer {}", SQL[0])).body(Body::empty()).unwrap(), S::UNAUTHORIZED, OAuth("invalid_token")),
        case("admin app as truncated JSON", admin(Method::POST, "/apps", "application/json", "{\"name\":"), S::BAD_REQUEST, Twilio(20001)),
        case("admin app as non-UTF-8", admin(Method::POST, "/apps", "application/json", vec![b'{', 0xff, b'}']), S::BAD_REQUEST, Twilio(20001)),
        case("admin app name with a control character", admin(Method::POST, "/apps", "application/json", json!({"owner_sid": org, "grant_type": "client_credentials", "name": "bad\u{1b}name", "scopes": ["managed-users/list"]}).to_string()), S::BAD_REQUEST, Twilio(20001)),
        case("admin app with an SQL owner", admin(Method::POST, "/apps", "application/json", json!({"owner_sid": SQL[1], "grant_type": "client_credentials", "name": "x", "scopes": []}).to_string()), S::BAD_REQUEST, Twilio(20001)),
        case("admin app with an SQL grant type", admin(Method::POST, "/apps", "application/json", json!({"owner_sid": org, "grant_type": SQL[0], "name": "x", "scopes": []}).to_string()), S::BAD_REQUEST, Twilio(20001)),
        case("admin organization with a NUL name", admin(Method::POST, "/organizations", "application/json", json!({"name": "a\u{0}b"}).to_string()), S::BAD_REQUEST, Twilio(20001)),
        case("admin clock moved back", admin(Method::POST, "/clock", "application/json", json!({"advance_seconds": -1}).to_string()), S::BAD_REQUEST, Twilio(20001)),
        case("admin clock moved by text", admin(Method::POST, "/clock", "application/json", json!({"advance_seconds": "1; DROP"}).to_string()), S::BAD_REQUEST, Twilio(20001)),
        case("admin view of an SQL app", admin(Method::GET, &format!("/apps/{}", url::form_urlencoded::byte_serialize(SQL[1].as_bytes()).collect::<String>()), "application/json", ""), S::BAD_REQUEST, Twilio(20001)),
        case("admin state import of garbage", admin(Method::PUT, "/state", "application/json", "{\"apps\": 7}"), S::BAD_REQUEST, Twilio(20001)),
        case("admin body over 1 MiB", admin(Method::PUT, "/state", "application/json", vec![b' '; iamkit_server::MAX_BODY_BYTES + 1]), S::PAYLOAD_TOO_LARGE, Twilio(20001)),
    ];
    for sql in SQL {
        cases.push(case(format!("admin app named {sql}"), admin(Method::POST, "/apps", "application/json", json!({"owner_sid": org, "grant_type": "client_credentials", "name": sql, "scopes": [sql]}).to_string()), S::BAD_REQUEST, Twilio(20001)));
    }
    run(&e, cases).await;
}

/// The token with its header's `alg` set to `none` and no signature.
fn alg_none(token: &str) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut parts = token.split('.');
    let header = URL_SAFE_NO_PAD.decode(parts.next().unwrap()).unwrap();
    let mut header: Value = serde_json::from_slice(&header).unwrap();
    header["alg"] = json!("none");
    let header = URL_SAFE_NO_PAD.encode(header.to_string());
    format!("{header}.{}.", parts.next().unwrap())
}

/// The token with one bit of its signature flipped.
fn flipped(token: &str) -> String {
    let mut bytes = token.as_bytes().to_vec();
    let last = bytes.len() - 2;
    bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).unwrap()
}
