//! An in-process emulator on a manual clock, driven through the router without a
//! socket.
#![allow(dead_code)]

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use iamkit::{Engine, EngineBuilder, ManualClock, RateLimits, ScimRules};
use iamkit_server::{demo, router, state, Bootstrap, ResponseStyle, ServerOptions};
use serde_json::Value;
use tower::ServiceExt;

pub const URL: &str = "http://127.0.0.1:8750";

pub struct Emulator {
    pub clock: ManualClock,
    pub engine: Arc<Engine>,
    pub router: Router,
    pub boot: Bootstrap,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|_| panic!("not JSON: {}", self.text))
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or("")
    }
}

impl Emulator {
    pub fn new() -> Self {
        Self::with_style(ResponseStyle::Twilio)
    }

    pub fn with_style(style: ResponseStyle) -> Self {
        Self::with_options(style, ScimRules::Twilio)
    }

    pub fn with_options(style: ResponseStyle, rules: ScimRules) -> Self {
        Self::with_engine(style, Engine::builder().scim_rules(rules))
    }

    /// An emulator whose engine has these rate limits.
    pub fn with_rate_limits(limits: RateLimits) -> Self {
        Self::with_engine(ResponseStyle::Twilio, Engine::builder().rate_limits(limits))
    }

    /// An emulator of the engine `builder` makes, on the manual clock.
    pub fn with_engine(style: ResponseStyle, builder: EngineBuilder) -> Self {
        let clock = ManualClock::parse("2026-01-01T00:00:00Z").unwrap();
        let engine = Arc::new(builder.clock(clock.clone()).issuer(URL).build().unwrap());
        let options = ServerOptions {
            response_style: style,
            admin_token: Some("admin-secret".into()),
            ..ServerOptions::default()
        };
        let (state, token) = state(engine.clone(), &options);
        let boot = demo::seed(&engine, URL, &token).unwrap();
        Self {
            clock,
            engine,
            router: router(state),
            boot,
        }
    }

    pub fn cc(&self) -> (String, String) {
        let app = &self.boot.apps.as_ref().unwrap().org_client_credentials;
        (app.client_id.clone(), app.client_secret.clone())
    }

    pub fn code_app(&self) -> (String, String, String) {
        let app = &self.boot.apps.as_ref().unwrap().org_authorization_code;
        (
            app.client_id.clone(),
            app.client_secret.clone(),
            app.redirect_uri.clone().unwrap(),
        )
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            headers,
            text: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn form(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        self.send(form_request(path, fields)).await
    }

    /// Posts a form as a connection from `peer` (an address such as
    /// `192.0.2.1:40000`) would.
    pub async fn form_from(&self, peer: &str, path: &str, fields: &[(&str, &str)]) -> Reply {
        let mut request = form_request(path, fields);
        let peer: std::net::SocketAddr = peer.parse().unwrap();
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(peer));
        self.send(request).await
    }

    /// Submits a consent form as a browser on the page would: renders the page of
    /// the request in `fields` (all of them but `decision` and `user_sid`), then
    /// posts `fields` with the page's ticket.
    pub async fn consent(&self, fields: &[(&str, &str)]) -> Reply {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(
                fields
                    .iter()
                    .filter(|(name, _)| !matches!(*name, "decision" | "user_sid")),
            )
            .finish();
        let page = self.get(&format!("/v2/authorize?{query}")).await;
        let ticket = page_ticket(&page.text);
        let mut fields = fields.to_vec();
        fields.push(("ticket", &ticket));
        self.form("/v2/authorize", &fields).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Request::get(path).body(Body::empty()).unwrap())
            .await
    }

    pub async fn admin(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let mut request = Request::builder()
            .method(method)
            .uri(format!("/admin/v1{path}"))
            .header(header::AUTHORIZATION, "Bearer admin-secret");
        let body = match body {
            Some(v) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        self.send(request.body(body).unwrap()).await
    }

    /// The authorized apps of the bootstrap organization, from the admin API.
    pub async fn authorized_apps(&self) -> Vec<Value> {
        let org = self.boot.organization_sid.clone().unwrap();
        let path = format!("/organizations/{org}/authorized-apps");
        let listed = self.admin(Method::GET, &path, None).await;
        listed.json()["authorizations"].as_array().unwrap().clone()
    }

    /// A request with a bearer token and, when given, a JSON body of `content_type`.
    pub async fn bearer(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<(&str, Value)>,
    ) -> Reply {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"));
        let body = match body {
            Some((content_type, value)) => {
                request = request.header(header::CONTENT_TYPE, content_type);
                Body::from(value.to_string())
            }
            None => Body::empty(),
        };
        self.send(request.body(body).unwrap()).await
    }

    /// An access token of the demo organization app, narrowed to `scope` if given.
    pub async fn org_token(&self, scope: Option<&str>) -> String {
        let (id, secret) = self.cc();
        let mut fields = vec![
            ("grant_type", "client_credentials"),
            ("client_id", id.as_str()),
            ("client_secret", secret.as_str()),
        ];
        if let Some(scope) = scope {
            fields.push(("scope", scope));
        }
        self.form("/v2/token", &fields).await.json()["access_token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub async fn cc_token(&self) -> Reply {
        let (id, secret) = self.cc();
        self.form(
            "/v2/token",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &id),
                ("client_secret", &secret),
            ],
        )
        .await
    }
}

/// A form `POST` to `path`.
pub fn form_request(path: &str, fields: &[(&str, &str)]) -> Request<Body> {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap()
}

/// The ticket a consent page's form carries (empty if the page has none).
pub fn page_ticket(page: &str) -> String {
    const FIELD: &str = "name=\"ticket\" value=\"";
    page.split_once(FIELD)
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(ticket, _)| ticket.to_owned())
        .unwrap_or_default()
}
