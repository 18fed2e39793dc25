//! A user who is deleted or deactivated stops the apps they authorized, and an
//! inactive user cannot authorize.

mod common;

use common::{authorized_tokens, refresh, World};
use iamkit::{Actor, AuditQuery, AuthorizeError, AuthorizeRequest, TokenError};
use serde_json::json;

#[test]
fn deleting_the_authorizing_user_revokes_what_they_authorized() {
    let w = World::new();
    let app = w.code_app();
    let owner = w.owner();
    let (access, refresh_token) = authorized_tokens(&w, &app, &owner.sid.to_string());
    assert!(w.engine.verify(&access).is_ok());

    w.engine
        .scim_delete_user(w.org.sid, &owner.sid.to_string(), None, &Actor::admin())
        .unwrap();
    assert_eq!(
        w.engine.verify(&access),
        Err(TokenError::AuthorizationRevoked)
    );
    assert_eq!(
        refresh(&w, &app, &refresh_token),
        Err("invalid_grant".into())
    );
    assert!(w.engine.authorizations(w.org.sid).is_empty());
    let revoked = w.engine.audit_events(&AuditQuery {
        event_type: Some("oauth-authorizations.revoked".into()),
        ..Default::default()
    });
    assert_eq!(revoked.len(), 1);
    assert_eq!(revoked[0].details["reason"], "user deleted");
}

#[test]
fn deactivating_the_user_revokes_and_blocks_new_authorizations() {
    let w = World::new();
    let app = w.code_app();
    let owner = w.owner();
    let sid = owner.sid.to_string();
    let (access, _) = authorized_tokens(&w, &app, &sid);
    let deactivate = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "active", "value": false}],
    });
    w.engine
        .scim_patch_user(w.org.sid, &sid, &deactivate, None, &Actor::admin())
        .unwrap();
    assert_eq!(
        w.engine.verify(&access),
        Err(TokenError::AuthorizationRevoked)
    );
    assert!(!w.engine.user(owner.sid).unwrap().active);

    let again = w.engine.authorize(&AuthorizeRequest {
        client_id: app.app.client_id.to_string(),
        response_type: "code".into(),
        redirect_uri: "https://app.example.com/cb".into(),
        user_sid: sid.clone(),
        ..Default::default()
    });
    assert_eq!(again.unwrap_err(), AuthorizeError::InactiveUser);

    // Reactivating lets the user authorize again, but what was revoked stays revoked.
    let reactivate = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "active", "value": true}],
    });
    w.engine
        .scim_patch_user(w.org.sid, &sid, &reactivate, None, &Actor::admin())
        .unwrap();
    assert_eq!(
        w.engine.verify(&access),
        Err(TokenError::AuthorizationRevoked)
    );
    let (fresh, _) = authorized_tokens(&w, &app, &sid);
    assert!(w.engine.verify(&fresh).is_ok());
}

#[test]
fn other_users_authorizations_are_untouched() {
    let w = World::new();
    let app = w.code_app();
    let owner = w.owner();
    let admin = w
        .engine
        .create_user(iamkit::NewUser {
            organization_sid: w.org.sid,
            user_name: "admin@acme.example".into(),
            roles: vec![iamkit::Role::Administrator],
            sso: false,
        })
        .unwrap();
    let (owners, _) = authorized_tokens(&w, &app, &owner.sid.to_string());
    let (admins, _) = authorized_tokens(&w, &app, &admin.sid.to_string());
    w.engine
        .scim_delete_user(w.org.sid, &admin.sid.to_string(), None, &Actor::admin())
        .unwrap();
    assert!(w.engine.verify(&owners).is_ok());
    assert_eq!(
        w.engine.verify(&admins),
        Err(TokenError::AuthorizationRevoked)
    );
}
