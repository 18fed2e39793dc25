//! Roles and role assignments through the engine, and the authorization rule that
//! follows them: codes 25200–25203, paging, 404s and the Owner/Administrator check.

mod common;

use common::World;
use iamkit::audit::AuditQuery;
use iamkit::{
    Actor, AuthorizeError, AuthorizeRequest, Engine, ErrorCode, NewRoleAssignment, NewUser, Role,
    RoleAssignmentQuery, RoleError, Sid, UserSid,
};
use serde_json::{json, Value};

fn admin() -> Actor {
    Actor::named("console")
}

/// `(code, status, twilio code)` of an error.
fn fault(e: &RoleError) -> (&'static str, u16, u32) {
    (e.code(), e.status(), e.twilio_code())
}

fn new(
    role: Role,
    scope: &dyn std::fmt::Display,
    identity: &dyn std::fmt::Display,
) -> NewRoleAssignment {
    NewRoleAssignment {
        role_sid: role.sid().to_string(),
        scope: scope.to_string(),
        identity: identity.to_string(),
    }
}

fn by_identity(identity: &dyn std::fmt::Display) -> RoleAssignmentQuery {
    RoleAssignmentQuery {
        identity: Some(identity.to_string()),
        ..RoleAssignmentQuery::default()
    }
}

impl World {
    fn member(&self, name: &str, roles: Vec<Role>) -> iamkit::User {
        self.engine
            .create_user(NewUser {
                organization_sid: self.org.sid,
                user_name: name.into(),
                roles,
                sso: false,
            })
            .expect("user")
    }

    fn assign(&self, new: &NewRoleAssignment) -> Result<iamkit::RoleAssignment, RoleError> {
        self.engine
            .create_role_assignment(self.org.sid, new, &admin())
    }
}

#[test]
fn roles_are_listed_as_twilio_role_resources() {
    let roles = Engine::new().roles();
    assert_eq!(roles.len(), Role::ALL.len());
    let owner = serde_json::to_value(roles[0]).unwrap();
    assert_eq!(owner["sid"], Role::Owner.sid().to_string());
    assert_eq!(owner["friendly_name"], "Owner");
    assert_eq!(owner["type"], "organization");
    assert_eq!(owner["product_group"], "iam");
    assert!(owner["external_description"]
        .as_str()
        .is_some_and(|d| !d.is_empty()));
}

#[test]
fn assignments_apply_in_the_organization_or_its_accounts() {
    let w = World::new();
    let account = w.account("Production");
    let dev = w.member("dev@acme.example", vec![]);
    let in_org = w
        .assign(&new(Role::Developer, &w.org.sid, &dev.sid))
        .unwrap();
    let in_account = w
        .assign(&new(Role::Support, &account.sid, &dev.sid))
        .unwrap();
    let body = serde_json::to_value(&in_account).unwrap();
    assert_eq!(
        body,
        json!({
            "sid": in_account.sid.to_string(),
            "role_sid": Role::Support.sid().to_string(),
            "scope": account.sid.to_string(),
            "identity": dev.sid.to_string(),
            "organization_sid": w.org.sid.to_string(),
            "date_created": "2026-01-01T00:00:00Z",
        })
    );
    assert!(body["sid"].as_str().is_some_and(|s| s.starts_with("IY")));
    // Only organization-scope assignments are the directory user's roles.
    assert_eq!(w.engine.user(dev.sid).unwrap().roles, [Role::Developer]);
    let listed = w
        .engine
        .role_assignments(w.org.sid, &by_identity(&dev.sid))
        .unwrap();
    assert_eq!(listed.content, [in_org, in_account]);
    let events = w.engine.audit_events(&AuditQuery {
        event_type: Some("role-assignments.created".into()),
        ..AuditQuery::default()
    });
    assert_eq!(events.len(), 2);
    assert_eq!(events[1].actor, admin());
    assert_eq!(events[1].details["scope"], account.sid.to_string());
}

#[test]
fn invalid_scope_identity_and_role_have_twilio_codes() {
    let w = World::new();
    let dev = w.member("dev@acme.example", vec![]);
    let other = w.engine.create_organization("Other").unwrap();
    let their_account = w
        .engine
        .create_account(
            iamkit::NewAccount::new(other.sid, "Theirs"),
            &Actor::admin(),
        )
        .unwrap()
        .account;
    let outsider = w
        .engine
        .create_user(NewUser {
            organization_sid: other.sid,
            user_name: "eve@other.example".into(),
            roles: vec![],
            sso: false,
        })
        .unwrap();
    let scope = ("invalid_assignment_scope", 400, 25200);
    let identity = ("invalid_assignment_identity", 400, 25201);
    let role = ("invalid_role", 400, 25202);
    let good = new(Role::Developer, &w.org.sid, &dev.sid);
    let cases: Vec<(NewRoleAssignment, (&str, u16, u32))> = vec![
        (
            NewRoleAssignment {
                scope: "acme".into(),
                ..good.clone()
            },
            scope,
        ),
        (
            NewRoleAssignment {
                scope: other.sid.to_string(),
                ..good.clone()
            },
            scope,
        ),
        (
            NewRoleAssignment {
                scope: their_account.sid.to_string(),
                ..good.clone()
            },
            scope,
        ),
        (
            NewRoleAssignment {
                scope: dev.sid.to_string(),
                ..good.clone()
            },
            scope,
        ),
        (
            NewRoleAssignment {
                identity: "dev".into(),
                ..good.clone()
            },
            identity,
        ),
        (
            NewRoleAssignment {
                identity: outsider.sid.to_string(),
                ..good.clone()
            },
            identity,
        ),
        (
            NewRoleAssignment {
                identity: UserSid::generate().to_string(),
                ..good.clone()
            },
            identity,
        ),
        (
            NewRoleAssignment {
                role_sid: "Owner".into(),
                ..good.clone()
            },
            role,
        ),
        (
            NewRoleAssignment {
                role_sid: "IX00000000000000000000000000000000".into(),
                ..good.clone()
            },
            role,
        ),
        // Scope is checked first, then identity, then role.
        (
            NewRoleAssignment {
                role_sid: String::new(),
                scope: String::new(),
                identity: String::new(),
            },
            scope,
        ),
        (
            NewRoleAssignment {
                role_sid: String::new(),
                identity: String::new(),
                ..good.clone()
            },
            identity,
        ),
    ];
    for (bad, want) in cases {
        let err = w.assign(&bad).unwrap_err();
        assert_eq!(fault(&err), want, "{bad:?}");
    }
    assert!(w
        .engine
        .role_assignments(w.org.sid, &by_identity(&dev.sid))
        .unwrap()
        .content
        .is_empty());
}

#[test]
fn a_repeated_assignment_is_a_conflict() {
    let w = World::new();
    let dev = w.member("dev@acme.example", vec![Role::Developer]);
    let existing = w
        .engine
        .role_assignments(w.org.sid, &by_identity(&dev.sid))
        .unwrap()
        .content;
    let err = w
        .assign(&new(Role::Developer, &w.org.sid, &dev.sid))
        .unwrap_err();
    assert_eq!(fault(&err), ("role_assignment_exists", 409, 20409));
    assert_eq!(err, RoleError::AlreadyAssigned(existing[0].sid));
}

#[test]
fn lists_need_a_filter_and_valid_paging() {
    let w = World::new();
    let dev = w.member("dev@acme.example", vec![Role::Developer]);
    let list = |query: RoleAssignmentQuery| {
        w.engine
            .role_assignments(w.org.sid, &query)
            .map_err(|e| fault(&e))
    };
    assert_eq!(
        list(RoleAssignmentQuery::default()).unwrap_err(),
        ("missing_assignment_filter", 400, 25203)
    );
    let sized = |n| RoleAssignmentQuery {
        page_size: Some(n),
        ..by_identity(&dev.sid)
    };
    assert_eq!(
        list(sized(0)).unwrap_err(),
        ("invalid_page_size", 400, 20001)
    );
    assert_eq!(
        list(sized(101)).unwrap_err(),
        ("invalid_page_size", 400, 20001)
    );
    assert_eq!(list(sized(100)).map(|p| p.content.len()), Ok(1));
    for token in ["", "nope", "Zg", "ZjE5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OQ"] {
        let query = RoleAssignmentQuery {
            page_token: Some(token.into()),
            ..by_identity(&dev.sid)
        };
        assert_eq!(
            list(query).unwrap_err(),
            ("invalid_page_token", 400, 20001),
            "{token}"
        );
    }
    let malformed = RoleAssignmentQuery {
        scope: Some("nope".into()),
        ..RoleAssignmentQuery::default()
    };
    assert_eq!(
        list(malformed).unwrap_err(),
        ("invalid_assignment_scope", 400, 25200)
    );
    assert_eq!(
        list(by_identity(&"nope")).unwrap_err(),
        ("invalid_assignment_identity", 400, 25201)
    );
    // Well-formed filters that match nothing give an empty page.
    assert_eq!(
        list(by_identity(&UserSid::generate())).map(|p| p.content.len()),
        Ok(0)
    );
}

#[test]
fn pages_walk_forward_and_back_with_tokens_and_urls() {
    let w = World::with(Engine::builder().issuer("https://iam.example.test"));
    let users: Vec<_> = (0..5)
        .map(|i| w.member(&format!("u{i}@acme.example"), vec![Role::Support]))
        .collect();
    w.member("owner@acme.example", vec![Role::Owner]);
    let account = w.account("Production");
    w.assign(&new(Role::Support, &account.sid, &users[0].sid))
        .unwrap();

    let query = |token: Option<String>| RoleAssignmentQuery {
        scope: Some(w.org.sid.to_string()),
        page_size: Some(2),
        page_token: token,
        ..RoleAssignmentQuery::default()
    };
    let identities = |page: &iamkit::RoleAssignmentPage| {
        page.content.iter().map(|a| a.identity).collect::<Vec<_>>()
    };
    let first = w.engine.role_assignments(w.org.sid, &query(None)).unwrap();
    assert_eq!(identities(&first), [users[0].sid, users[1].sid]);
    assert_eq!(first.meta.previous_token, None);
    let second = w
        .engine
        .role_assignments(w.org.sid, &query(first.meta.next_token.clone()))
        .unwrap();
    assert_eq!(identities(&second), [users[2].sid, users[3].sid]);
    let third = w
        .engine
        .role_assignments(w.org.sid, &query(second.meta.next_token.clone()))
        .unwrap();
    assert_eq!(third.content.len(), 2, "u4 and the owner");
    assert_eq!(third.meta.next_token, None);
    let back = w
        .engine
        .role_assignments(w.org.sid, &query(third.meta.previous_token.clone()))
        .unwrap();
    assert_eq!(back.content, second.content);
    let start = w
        .engine
        .role_assignments(w.org.sid, &query(back.meta.previous_token.clone()))
        .unwrap();
    assert_eq!(
        (start.content, start.meta.previous_token),
        (first.content.clone(), None)
    );

    // The body, as the Twilio SDKs read it, its links on the list's URL.
    let list = w.engine.url(iamkit::endpoints::ROLE_ASSIGNMENTS);
    let body: Value = serde_json::to_value(second.at(&list)).unwrap();
    let meta = &body["meta"];
    let base = format!(
        "https://iam.example.test/v2/Organizations/RoleAssignments?Scope={}&PageSize=2",
        w.org.sid
    );
    assert_eq!(meta["key"], "content");
    assert_eq!(
        (meta["page_size"].as_u64(), meta["pageSize"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(meta["first_page_url"], base.as_str());
    let token = |key: &str| meta[key].as_str().unwrap_or_default().to_owned();
    assert_eq!(
        meta["url"],
        format!(
            "{base}&PageToken={}",
            first.meta.next_token.unwrap_or_default()
        )
    );
    assert_eq!(
        meta["next_page_url"],
        format!("{base}&PageToken={}", token("nextToken"))
    );
    assert_eq!(
        meta["previous_page_url"],
        format!("{base}&PageToken={}", token("previousToken"))
    );
    assert_eq!(body["content"].as_array().map(Vec::len), Some(2));
    let last: Value = serde_json::to_value(third.at(&list)).unwrap();
    assert!(last["meta"]["next_page_url"].is_null() && last["meta"]["nextToken"].is_null());

    // Both filters together narrow to one.
    let both = RoleAssignmentQuery {
        scope: Some(account.sid.to_string()),
        ..by_identity(&users[0].sid)
    };
    assert_eq!(
        w.engine
            .role_assignments(w.org.sid, &both)
            .unwrap()
            .content
            .len(),
        1
    );
}

#[test]
fn delete_removes_only_known_assignments_of_the_organization() {
    let w = World::new();
    let dev = w.member("dev@acme.example", vec![Role::Developer]);
    let sid = w
        .engine
        .role_assignments(w.org.sid, &by_identity(&dev.sid))
        .unwrap()
        .content[0]
        .sid;
    let other = w.engine.create_organization("Other").unwrap();
    for bad in [
        sid.to_string(),
        "IY00000000000000000000000000000000".into(),
        "nope".into(),
    ] {
        let err = w
            .engine
            .delete_role_assignment(other.sid, &bad, &admin())
            .unwrap_err();
        assert_eq!(
            fault(&err),
            ("role_assignment_not_found", 404, 20404),
            "{bad}"
        );
    }
    w.engine
        .delete_role_assignment(w.org.sid, &sid.to_string(), &admin())
        .unwrap();
    assert!(w.engine.user(dev.sid).unwrap().roles.is_empty());
    let again = w
        .engine
        .delete_role_assignment(w.org.sid, &sid.to_string(), &admin())
        .unwrap_err();
    assert_eq!(fault(&again), ("role_assignment_not_found", 404, 20404));
    let events = w.engine.audit_events(&AuditQuery {
        subject: Some(sid.to_string()),
        ..AuditQuery::default()
    });
    let kinds: Vec<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(
        kinds,
        ["role-assignments.created", "role-assignments.deleted"]
    );
}

#[test]
fn authorization_follows_role_assignments() {
    let w = World::new();
    let app = w.code_app();
    let owner = w.owner();
    let authorize = |user: UserSid| {
        w.engine.authorize(&AuthorizeRequest {
            client_id: app.app.client_id.to_string(),
            response_type: "code".into(),
            redirect_uri: "https://app.example.com/cb".into(),
            user_sid: user.to_string(),
            ..AuthorizeRequest::default()
        })
    };
    assert!(authorize(owner.sid).is_ok());

    let assignments = w
        .engine
        .role_assignments(w.org.sid, &by_identity(&owner.sid))
        .unwrap()
        .content;
    w.engine
        .delete_role_assignment(w.org.sid, &assignments[0].sid.to_string(), &admin())
        .unwrap();
    let denied = authorize(owner.sid).unwrap_err();
    assert_eq!(
        (denied.code(), denied.clone()),
        ("access_denied", AuthorizeError::NotAnAdministrator)
    );

    // An administrator of an account is not an administrator of the organization.
    let account = w.account("Production");
    w.assign(&new(Role::Administrator, &account.sid, &owner.sid))
        .unwrap();
    assert_eq!(
        authorize(owner.sid).unwrap_err(),
        AuthorizeError::NotAnAdministrator
    );
    w.assign(&new(Role::Administrator, &w.org.sid, &owner.sid))
        .unwrap();
    assert!(authorize(owner.sid).is_ok());
    assert_eq!(
        w.engine.user(owner.sid).unwrap().roles,
        [Role::Administrator]
    );

    // SSO users may not use the authorization page, whatever their roles.
    let sso = w
        .engine
        .create_user(NewUser {
            organization_sid: w.org.sid,
            user_name: "sso@acme.example".into(),
            roles: vec![Role::Owner],
            sso: true,
        })
        .unwrap();
    assert_eq!(authorize(sso.sid).unwrap_err(), AuthorizeError::SsoUser);
    // A deleted user is unknown.
    w.engine
        .scim_delete_user(w.org.sid, &owner.sid.to_string(), None, &admin())
        .unwrap();
    assert_eq!(
        authorize(owner.sid).unwrap_err(),
        AuthorizeError::UnknownUser
    );
}
