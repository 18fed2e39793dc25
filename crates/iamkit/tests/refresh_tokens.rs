//! Refresh tokens end: after their lifetime, when a rotated-out one is used again
//! (which revokes the whole authorization), and when the user who approved loses
//! the Owner or Administrator role.

mod common;

use common::{authorized_tokens, refresh, World};
use iamkit::{
    Actor, AuditQuery, CreatedApp, Engine, EngineConfig, NewRoleAssignment, NewUser, OAuthError,
    RefreshPolicy, Role, RoleAssignmentQuery, TokenError, TokenRequest,
};
use time::Duration;

fn exchange(w: &World, app: &CreatedApp, token: &str) -> Result<Option<String>, OAuthError> {
    w.engine
        .token(&TokenRequest::refresh_token(
            &app.app.client_id.to_string(),
            app.client_secret.expose(),
            token,
        ))
        .map(|t| t.refresh_token.map(|r| r.expose().to_owned()))
}

fn with_policy(refresh_tokens: RefreshPolicy) -> World {
    let config = EngineConfig {
        refresh_tokens,
        ..EngineConfig::default()
    };
    World::with(Engine::builder().config(config))
}

#[test]
fn a_refresh_token_works_for_its_lifetime_and_no_longer() {
    let w = World::new();
    let app = w.code_app();
    let (_, token) = authorized_tokens(&w, &app, &w.owner().sid.to_string());
    w.clock.advance(Duration::days(90) - Duration::seconds(1));
    assert_eq!(
        exchange(&w, &app, &token),
        Ok(None),
        "no rotation by default"
    );
    assert!(w.engine.introspect(&token).active);
    w.clock.advance(Duration::seconds(1));
    assert_eq!(
        exchange(&w, &app, &token),
        Err(OAuthError::RefreshTokenExpired)
    );
    assert!(!w.engine.introspect(&token).active);
}

#[test]
fn the_lifetime_is_set_per_engine() {
    let w = with_policy(RefreshPolicy {
        lifetime: Duration::hours(1),
        ..RefreshPolicy::default()
    });
    let app = w.code_app();
    let (_, token) = authorized_tokens(&w, &app, &w.owner().sid.to_string());
    let exp = w.engine.introspect(&token).exp.unwrap();
    assert_eq!(
        exp,
        (iamkit::Clock::now(&w.clock) + Duration::hours(1)).unix_timestamp()
    );
    w.clock.advance(Duration::hours(1));
    assert_eq!(
        exchange(&w, &app, &token),
        Err(OAuthError::RefreshTokenExpired)
    );
}

#[test]
fn with_rotation_a_reused_token_revokes_the_whole_authorization() {
    let w = with_policy(RefreshPolicy {
        rotate: true,
        ..RefreshPolicy::default()
    });
    let app = w.code_app();
    let (access, first) = authorized_tokens(&w, &app, &w.owner().sid.to_string());
    let second = exchange(&w, &app, &first)
        .unwrap()
        .expect("a rotated token");
    assert_ne!(second, first);
    assert!(
        !w.engine.introspect(&first).active,
        "the used token is retired"
    );
    let third = exchange(&w, &app, &second)
        .unwrap()
        .expect("a rotated token");

    // The first token, stolen and replayed, gives nothing and ends everything.
    assert_eq!(
        exchange(&w, &app, &first),
        Err(OAuthError::RefreshTokenReused)
    );
    assert_eq!(
        exchange(&w, &app, &third),
        Err(OAuthError::InvalidRefreshToken)
    );
    assert_eq!(
        w.engine.verify(&access),
        Err(TokenError::AuthorizationRevoked)
    );
    assert!(w.engine.authorizations(w.org.sid).is_empty());
    let revoked = w.engine.audit_events(&AuditQuery {
        event_type: Some("oauth-authorizations.revoked".into()),
        ..Default::default()
    });
    assert_eq!(revoked[0].details["reason"], "refresh token reused");
    assert_eq!(revoked[0].actor.as_str(), app.app.client_id.to_string());
}

#[test]
fn rotated_tokens_keep_the_first_ones_end() {
    let w = with_policy(RefreshPolicy {
        lifetime: Duration::days(1),
        rotate: true,
    });
    let app = w.code_app();
    let (_, first) = authorized_tokens(&w, &app, &w.owner().sid.to_string());
    w.clock.advance(Duration::hours(23));
    let next = exchange(&w, &app, &first).unwrap().unwrap();
    w.clock.advance(Duration::hours(1));
    assert_eq!(
        exchange(&w, &app, &next),
        Err(OAuthError::RefreshTokenExpired)
    );
}

#[test]
fn losing_the_administrator_role_ends_what_the_user_approved() {
    let w = World::new();
    let app = w.code_app();
    let admin = w
        .engine
        .create_user(NewUser {
            organization_sid: w.org.sid,
            user_name: "admin@acme.example".into(),
            roles: vec![Role::Administrator, Role::Developer],
            sso: false,
        })
        .unwrap();
    let (access, token) = authorized_tokens(&w, &app, &admin.sid.to_string());
    let page = w
        .engine
        .role_assignments(
            w.org.sid,
            &RoleAssignmentQuery {
                identity: Some(admin.sid.to_string()),
                ..Default::default()
            },
        )
        .unwrap();
    let developer = page
        .content
        .iter()
        .find(|a| a.role_sid == Role::Developer.sid())
        .unwrap();
    let administrator = page
        .content
        .iter()
        .find(|a| a.role_sid == Role::Administrator.sid())
        .unwrap();
    // Losing another role changes nothing.
    w.engine
        .delete_role_assignment(w.org.sid, &developer.sid.to_string(), &Actor::admin())
        .unwrap();
    assert!(w.engine.verify(&access).is_ok());
    assert_eq!(refresh(&w, &app, &token), Ok(()));
    w.engine
        .delete_role_assignment(w.org.sid, &administrator.sid.to_string(), &Actor::admin())
        .unwrap();
    assert_eq!(
        w.engine.verify(&access),
        Err(TokenError::AuthorizationRevoked)
    );
    assert_eq!(refresh(&w, &app, &token), Err("invalid_grant".into()));
    let revoked = w.engine.audit_events(&AuditQuery {
        event_type: Some("oauth-authorizations.revoked".into()),
        ..Default::default()
    });
    assert_eq!(
        revoked[0].details["reason"],
        "user lost the Owner or Administrator role"
    );
    // Given the role again, the user approves anew; the old tokens stay dead.
    w.engine
        .create_role_assignment(
            w.org.sid,
            &NewRoleAssignment {
                role_sid: Role::Administrator.sid().to_string(),
                scope: w.org.sid.to_string(),
                identity: admin.sid.to_string(),
            },
            &Actor::admin(),
        )
        .unwrap();
    assert!(w.engine.verify(&access).is_err());
    authorized_tokens(&w, &app, &admin.sid.to_string());
}
