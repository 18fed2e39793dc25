//! State that requests without credentials can make grow stays bounded: codes that
//! expire unredeemed go with their grants, an app's unredeemed codes are capped, and
//! refused token requests have a log of their own.

mod common;

use common::World;
use iamkit::authorize::{CODE_LIFETIME, MAX_PENDING_CODES};
use iamkit::{
    AuditQuery, AuthorizeError, AuthorizeRequest, Clock, CreatedApp, Engine, EngineConfig,
    ErrorCode, TokenRequest,
};
use serde_json::Value;

fn request(app: &CreatedApp, user_sid: &str) -> AuthorizeRequest {
    AuthorizeRequest {
        client_id: app.app.client_id.to_string(),
        response_type: "code".into(),
        redirect_uri: "https://app.example.com/cb".into(),
        user_sid: user_sid.into(),
        ..Default::default()
    }
}

/// How many grants and codes the exported state holds.
fn grants_and_codes(w: &World) -> (usize, usize) {
    let state: Value = serde_json::from_str(&w.engine.export_state()).unwrap();
    let count = |name: &str| state["state"][name].as_object().map_or(0, |m| m.len());
    (count("grants"), count("codes"))
}

#[test]
fn codes_that_expire_unredeemed_are_dropped_with_their_grants() {
    let w = World::new();
    let app = w.code_app();
    let owner = w.owner().sid.to_string();
    let redeemed = w.engine.authorize(&request(&app, &owner)).unwrap();
    w.engine
        .token(&TokenRequest::authorization_code(
            &app.app.client_id.to_string(),
            app.client_secret.expose(),
            redeemed.code.expose(),
            "https://app.example.com/cb",
        ))
        .unwrap();
    for _ in 0..50 {
        w.engine.authorize(&request(&app, &owner)).unwrap();
    }
    assert_eq!(grants_and_codes(&w), (51, 51));
    w.clock.advance(CODE_LIFETIME);
    let last = w.engine.authorize(&request(&app, &owner)).unwrap();
    // The redeemed grant and the new code stay; the 50 expired ones are gone.
    assert_eq!(grants_and_codes(&w), (2, 2));
    assert_eq!(last.expires_at, w.clock.now() + CODE_LIFETIME);
    assert_eq!(w.engine.authorizations(w.org.sid).len(), 1);
    // Approving what is already authorized grants nothing new: one event in all.
    let granted = w.engine.audit_events(&AuditQuery {
        event_type: Some("oauth-authorizations.granted".into()),
        ..Default::default()
    });
    assert_eq!(granted.len(), 1);
}

#[test]
fn an_app_has_at_most_its_cap_of_unredeemed_codes() {
    let w = World::new();
    let app = w.code_app();
    let other = w.code_app();
    let owner = w.owner().sid.to_string();
    let mut first = None;
    for _ in 0..MAX_PENDING_CODES {
        let approved = w.engine.authorize(&request(&app, &owner)).unwrap();
        first.get_or_insert(approved);
    }
    let refused = w.engine.authorize(&request(&app, &owner)).unwrap_err();
    assert_eq!(refused, AuthorizeError::TooManyPendingCodes);
    assert_eq!(
        (refused.code(), refused.status(), refused.twilio_code()),
        ("temporarily_unavailable", 503, 20503)
    );
    let back = refused
        .redirect_to("https://app.example.com/cb", Some("s"))
        .unwrap();
    assert!(back.starts_with("https://app.example.com/cb?error=temporarily_unavailable&"));
    // Another app is not affected.
    w.engine.authorize(&request(&other, &owner)).unwrap();
    // Redeeming a code makes room for one more.
    w.engine
        .token(&TokenRequest::authorization_code(
            &app.app.client_id.to_string(),
            app.client_secret.expose(),
            first.unwrap().code.expose(),
            "https://app.example.com/cb",
        ))
        .unwrap();
    w.engine.authorize(&request(&app, &owner)).unwrap();
    assert_eq!(
        w.engine.authorize(&request(&app, &owner)),
        Err(AuthorizeError::TooManyPendingCodes)
    );
    // Once they expire, codes are issued again and the expired ones are dropped.
    w.clock.advance(CODE_LIFETIME);
    w.engine.authorize(&request(&app, &owner)).unwrap();
    assert_eq!(grants_and_codes(&w), (2, 2));
}

#[test]
fn refused_token_requests_never_push_other_events_out() {
    let config = EngineConfig {
        audit_capacity: 10,
        refusal_capacity: 5,
        ..EngineConfig::default()
    };
    let w = World::with(Engine::builder().config(config));
    let app = w.org_app(&["managed-users/list"]);
    w.token(&app);
    for i in 0..100 {
        let bogus = format!("OQ{i:032x}");
        w.engine
            .token(&TokenRequest::client_credentials(&bogus, "guess"))
            .unwrap_err();
    }
    let types: Vec<String> = w
        .engine
        .audit_events(&AuditQuery::default())
        .into_iter()
        .map(|e| e.event_type)
        .collect();
    let mut expected = vec!["oauth-apps.created", "oauth-tokens.issued"];
    expected.extend(["oauth-tokens.refused"; 5]);
    assert_eq!(
        types, expected,
        "the app's events stay, with the newest refusals"
    );
    let newest = w.engine.audit_events(&AuditQuery {
        limit: Some(1),
        ..Default::default()
    });
    assert_eq!(newest[0].event_type, "oauth-tokens.refused");
    assert_eq!(newest[0].subject, "unknown-client");
}
