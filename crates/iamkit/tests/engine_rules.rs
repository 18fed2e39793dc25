//! Rules that the shared vectors cannot express: catalogue-sized limits, audit,
//! export/import, secrecy and sharing across threads.

mod common;

use common::World;
use iamkit::{
    Actor, AppError, AuditQuery, Catalogue, Engine, EngineConfig, ErrorCode, Method, NewApp,
    OwnerSid, Permission, Route, StateError, TokenRequest,
};

fn wide_catalogue(n: usize) -> Catalogue {
    Catalogue::new(
        (0..n)
            .map(|i| Permission {
                name: format!("things/{i}"),
                routes: vec![Route::new(Method::Get, &format!("/things/{i}")).unwrap()],
            })
            .collect(),
    )
    .unwrap()
}

#[test]
fn one_hundred_scopes_are_accepted_and_one_hundred_and_one_refused() {
    let config = EngineConfig::default().account_catalogue(wide_catalogue(150));
    let w = World::with(Engine::builder().config(config));
    let acct = w.account("Prod");
    let names: Vec<String> = (0..101).map(|i| format!("things/{i}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let owner = OwnerSid::Account(acct.sid);
    let ok = w.engine.create_app(
        NewApp::client_credentials(owner, "wide", &refs[..100]),
        &Actor::admin(),
    );
    assert_eq!(ok.unwrap().app.scopes.len(), 100);
    let err = w.engine.create_app(
        NewApp::client_credentials(owner, "wider", &refs),
        &Actor::admin(),
    );
    assert_eq!(err.unwrap_err(), AppError::TooManyScopes(101));
}

#[test]
fn a_refused_token_request_names_only_a_real_app() {
    let w = World::new();
    let app = w.org_app(&["managed-users/list"]);
    let pasted = app.client_secret.expose().to_owned();
    for sent in [
        "admin",
        pasted.as_str(),
        "",
        "OQ00000000000000000000000000000000",
    ] {
        let _ = w
            .engine
            .token(&TokenRequest::client_credentials(sent, "wrong"));
    }
    let real = app.app.client_id.to_string();
    let _ = w
        .engine
        .token(&TokenRequest::client_credentials(&real, "wrong"));
    let query = AuditQuery {
        event_type: Some("oauth-tokens.refused".into()),
        ..Default::default()
    };
    let events = w.engine.audit_events(&query);
    let named: Vec<(&str, &str)> = events
        .iter()
        .map(|e| (e.actor.as_str(), e.subject.as_str()))
        .collect();
    assert_eq!(
        named,
        [
            ("unknown-client", "unknown-client"),
            ("unknown-client", "unknown-client"),
            ("unknown-client", "unknown-client"),
            ("unknown-client", "unknown-client"),
            (real.as_str(), real.as_str()),
        ]
    );
    assert!(!serde_json::to_string(&events).unwrap().contains(&pasted));
}

#[test]
fn audit_records_the_app_lifecycle_with_grace_and_no_secret() {
    let w = World::new();
    let app = w.org_app(&["managed-users/list"]);
    let id = app.app.client_id;
    w.token(&app);
    let _ = w
        .engine
        .token(&TokenRequest::client_credentials(&id.to_string(), "wrong"));
    let update = iamkit::AppUpdate {
        name: Some("renamed".into()),
        ..Default::default()
    };
    w.engine
        .update_app(
            id,
            update,
            &Actor::named("US0123456789abcdef0123456789abcdef"),
        )
        .unwrap();
    let rotated = w.engine.rotate_secret(id, None, &Actor::admin()).unwrap();
    w.clock.advance(time::Duration::seconds(10));
    w.engine.delete_app(id, &Actor::admin()).unwrap();

    let events = w.engine.audit_events(&AuditQuery::default());
    let types: Vec<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(
        types,
        [
            "oauth-apps.created",
            "oauth-tokens.issued",
            "oauth-tokens.refused",
            "oauth-apps.updated",
            "oauth-apps.secret-rotated",
            "oauth-apps.deleted"
        ]
    );
    let rotated_event = &events[4];
    assert_eq!(rotated_event.details["grace_period_seconds"], 86400);
    assert_eq!(rotated_event.actor.as_str(), "admin");
    assert_eq!(
        events[3].actor.as_str(),
        "US0123456789abcdef0123456789abcdef"
    );
    assert_eq!(events[3].details["changed"], serde_json::json!(["name"]));
    assert_eq!(events[2].details["error"], "invalid_client");

    let everything = serde_json::to_string(&events).unwrap();
    assert!(!everything.contains(app.client_secret.expose()));
    assert!(!everything.contains(rotated.client_secret.expose()));

    let by_type = AuditQuery {
        event_type: Some("oauth-apps.deleted".into()),
        ..Default::default()
    };
    assert_eq!(w.engine.audit_events(&by_type).len(), 1);
    let late = AuditQuery {
        since: Some(w.clock_now()),
        ..Default::default()
    };
    assert_eq!(
        w.engine.audit_events(&late).len(),
        1,
        "only the deletion happened after the advance"
    );
    let last_two = AuditQuery {
        limit: Some(2),
        ..Default::default()
    };
    assert_eq!(
        w.engine.audit_events(&last_two)[1].event_type,
        "oauth-apps.deleted"
    );
}

trait ClockNow {
    fn clock_now(&self) -> time::OffsetDateTime;
}

impl ClockNow for World {
    fn clock_now(&self) -> time::OffsetDateTime {
        use iamkit::Clock;
        self.clock.now()
    }
}

#[test]
fn the_audit_log_is_bounded() {
    let config = EngineConfig {
        audit_capacity: 3,
        ..EngineConfig::default()
    };
    let w = World::with(Engine::builder().config(config));
    let app = w.org_app(&["managed-users/list"]);
    for _ in 0..5 {
        w.token(&app);
    }
    let events = w.engine.audit_events(&AuditQuery::default());
    assert_eq!(events.len(), 3);
    assert!(events.iter().all(|e| e.event_type == "oauth-tokens.issued"));
}

#[test]
fn export_holds_no_secret_and_import_restores_state() {
    let w = World::new();
    let app = w.org_app(&["managed-users/list"]);
    let token = w.token(&app);
    let exported = w.engine.export_state();
    assert!(!exported.contains(app.client_secret.expose()));
    assert!(exported.contains("sha256:"));

    let other = World::with(Engine::builder());
    other.engine.import_state(&exported).unwrap();
    let again = other
        .engine
        .token(&TokenRequest::client_credentials(
            &app.app.client_id.to_string(),
            app.client_secret.expose(),
        ))
        .unwrap();
    assert!(other.engine.verify(again.access_token.expose()).is_ok());
    // Keys are not exported: the first engine's token does not verify in the second.
    assert!(other.engine.verify(token.access_token.expose()).is_err());
    assert_eq!(other.engine.app(app.app.client_id).unwrap(), app.app);
}

#[test]
fn a_bad_import_changes_nothing() {
    let w = World::new();
    let app = w.org_app(&["managed-users/list"]);
    assert!(matches!(
        w.engine.import_state("{"),
        Err(StateError::Invalid(_))
    ));
    assert_eq!(
        w.engine.import_state(r#"{"version": 99, "state": {}}"#),
        Err(StateError::UnsupportedVersion(99))
    );
    let bad_sid = w
        .engine
        .export_state()
        .replace(&app.app.client_id.to_string(), "OQnot-a-sid");
    assert!(matches!(
        w.engine.import_state(&bad_sid),
        Err(StateError::Invalid(_))
    ));
    assert!(w.engine.app(app.app.client_id).is_ok());
}

#[test]
fn secrets_never_show_in_debug_output() {
    let w = World::new();
    let app = w.org_app(&["managed-users/list"]);
    let token = w.token(&app);
    let debug = format!("{app:?} {token:?} {:?}", w.engine);
    assert!(!debug.contains(app.client_secret.expose()));
    assert!(!debug.contains(token.access_token.expose()));
    assert!(debug.contains("<redacted>"));
}

#[test]
fn the_engine_is_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Engine>();

    let w = std::sync::Arc::new(World::new());
    let app = std::sync::Arc::new(w.org_app(&["managed-users/list"]));
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let (w, app) = (w.clone(), app.clone());
            std::thread::spawn(move || {
                for _ in 0..50 {
                    let t = w.token(&app);
                    w.engine.verify(t.access_token.expose()).unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let issued = AuditQuery {
        event_type: Some("oauth-tokens.issued".into()),
        ..Default::default()
    };
    assert_eq!(w.engine.audit_events(&issued).len(), 200);
}

#[test]
fn metadata_names_the_endpoints_under_the_issuer() {
    let w = World::with(Engine::builder().issuer("http://127.0.0.1:8080/"));
    let m = w.engine.metadata();
    assert_eq!(m["issuer"], "http://127.0.0.1:8080");
    assert_eq!(m["token_endpoint"], "http://127.0.0.1:8080/v2/token");
    assert_eq!(m["jwks_uri"], "http://127.0.0.1:8080/.well-known/jwks.json");
    assert!(m["scopes_supported"]
        .as_array()
        .unwrap()
        .contains(&"managed-users/read".into()));
    assert_eq!(
        m["code_challenge_methods_supported"],
        serde_json::json!(["S256", "plain"])
    );
}

#[test]
fn authorized_apps_are_listed_with_who_authorized_them() {
    let w = World::new();
    let app = w.code_app();
    let owner = w.owner();
    let request = iamkit::AuthorizeRequest {
        client_id: app.app.client_id.to_string(),
        response_type: "code".into(),
        redirect_uri: "https://app.example.com/cb".into(),
        user_sid: owner.sid.to_string(),
        ..Default::default()
    };
    let first = w.engine.authorize(&request).unwrap();
    let second = w.engine.authorize(&request).unwrap();
    assert_eq!(
        first.authorization.sid, second.authorization.sid,
        "one authorization per app and user"
    );
    let listed = w.engine.authorizations(w.org.sid);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].authorized_by, owner.sid);
    assert_eq!(
        w.engine.authorization_url(&app.app).unwrap(),
        format!(
            "https://oauth.iamkit.test/v2/authorize?client_id={}&response_type=code&scope=offline_access&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb",
            app.app.client_id
        )
    );
    assert_eq!(
        w.engine
            .authorization(first.authorization.sid)
            .unwrap()
            .revoked_at,
        None
    );
    w.engine
        .revoke_authorization(first.authorization.sid, &iamkit::Actor::admin())
        .unwrap();
    assert!(w.engine.authorizations(w.org.sid).is_empty());
    let kept = w.engine.authorization(first.authorization.sid).unwrap();
    assert_eq!(
        kept.revoked_at,
        Some(kept.created_at),
        "revoked, still found"
    );
    let unknown = <iamkit::AuthorizationSid as iamkit::Sid>::generate();
    assert_eq!(
        w.engine.authorization(unknown),
        Err(AppError::AuthorizationNotFound(unknown))
    );
    assert_eq!(
        w.engine
            .revoke_authorization(first.authorization.sid, &iamkit::Actor::admin()),
        Err(AppError::AuthorizationNotFound(first.authorization.sid))
    );
}

/// A plain-HTTP redirect URL is refused (`invalid_url`) unless its host is a
/// loopback one (RFC 8252 §7.3), on create and on update; `https` is unchanged.
#[test]
fn plain_http_redirect_urls_must_be_loopback() {
    let w = World::new();
    let create = |url: &str| {
        w.engine.create_app(
            NewApp::authorization_code(w.org.sid, "web", url, &["managed-users/list"]),
            &Actor::admin(),
        )
    };
    let refusal = AppError::InvalidUrl {
        field: "redirect_url",
        reason: "plain http is allowed only to a loopback host (127.0.0.0/8, [::1] or \
                 localhost; RFC 8252 §7.3): use https"
            .into(),
    };
    let refused = [
        "http://example.com/cb",
        "http://10.0.0.1/cb",
        "http://0.0.0.0:8080/cb",
        "http://[::ffff:127.0.0.1]/cb",
        "http://localhost.example.com/cb",
        "http://127.0.0.1.example.com/cb",
    ];
    for url in refused {
        let err = create(url).unwrap_err();
        assert_eq!(err, refusal, "{url}");
        assert_eq!((err.code(), err.status()), ("invalid_url", 400), "{url}");
    }
    for url in [
        "http://127.0.0.1:8080/cb",
        "http://127.10.20.30/cb",
        "http://localhost/cb",
        "http://LOCALHOST:3000/cb",
        "http://[::1]/cb",
        "https://example.com/cb",
        "https://10.0.0.1/cb",
    ] {
        let app = create(url).unwrap_or_else(|e| panic!("{url}: {e}"));
        assert_eq!(app.app.redirect_url.as_deref(), Some(url));
    }
    let app = create("https://app.example.com/cb").unwrap();
    let update = |url: &str| {
        w.engine.update_app(
            app.app.client_id,
            iamkit::AppUpdate {
                redirect_url: Some(url.into()),
                ..Default::default()
            },
            &Actor::admin(),
        )
    };
    assert_eq!(update("http://example.com/cb").unwrap_err(), refusal);
    assert_eq!(
        update("http://[::1]:9000/cb")
            .unwrap()
            .redirect_url
            .as_deref(),
        Some("http://[::1]:9000/cb")
    );
}
