//! An organization's accounts: listed a page at a time, owned by a user, and
//! authenticated by their auth tokens to manage their own apps.

mod common;

use common::World;
use iamkit::account_apps::{AccountAppUpdate, NewAccountApp, Policy};
use iamkit::{AccountQuery, Actor, AppError, ErrorCode, NewAccount, NewUser, PageError, Role, Sid};
use time::Duration;

fn fault(e: &AppError) -> (&'static str, u16, u32) {
    (e.code(), e.status(), e.twilio_code())
}

#[test]
fn account_pages_walk_forward_and_back_in_creation_order() {
    let w = World::new();
    // Creation order, whatever the clock says: still, then moved back.
    let sids: Vec<_> = (0..5)
        .map(|i| {
            if i == 3 {
                w.clock.advance(Duration::days(-1));
            }
            w.account(&format!("a{i}")).sid
        })
        .collect();
    let page = |token: Option<String>| {
        w.engine
            .account_page(
                w.org.sid,
                &AccountQuery {
                    page_size: Some(2),
                    page_token: token,
                },
            )
            .unwrap()
    };
    let of = |p: &iamkit::AccountPage| p.content.iter().map(|a| a.sid).collect::<Vec<_>>();
    let first = page(None);
    assert_eq!(of(&first), sids[..2]);
    assert_eq!((first.meta.page, first.meta.page_size), (0, 2));
    assert_eq!(first.meta.query, "PageSize=2");
    assert_eq!(
        (
            first.meta.page_token.as_deref(),
            first.meta.previous_token.as_deref()
        ),
        (None, None)
    );
    let second = page(first.meta.next_token.clone());
    assert_eq!((of(&second), second.meta.page), (sids[2..4].to_vec(), 1));
    let third = page(second.meta.next_token.clone());
    assert_eq!((of(&third), third.meta.page), (sids[4..].to_vec(), 2));
    assert_eq!(third.meta.next_token, None);
    let back = page(third.meta.previous_token.clone());
    assert_eq!(of(&back), sids[2..4]);
    assert_eq!(of(&page(back.meta.previous_token.clone())), sids[..2]);

    // The default page holds 50; the whole list is `accounts`.
    let all = w
        .engine
        .account_page(w.org.sid, &AccountQuery::default())
        .unwrap();
    assert_eq!((of(&all), all.meta.page_size), (sids.clone(), 50));
    assert_eq!(all.meta.query, "PageSize=50");
    let listed: Vec<_> = w
        .engine
        .accounts(w.org.sid)
        .unwrap()
        .iter()
        .map(|a| a.sid)
        .collect();
    assert_eq!(listed, sids);
}

#[test]
fn account_pages_refuse_bad_sizes_and_tokens() {
    let w = World::new();
    w.account("Prod");
    let list = |page_size, token: Option<&str>| {
        w.engine.account_page(
            w.org.sid,
            &AccountQuery {
                page_size,
                page_token: token.map(str::to_owned),
            },
        )
    };
    for size in [0, 101, u32::MAX] {
        let err = list(Some(size), None).unwrap_err();
        assert_eq!(err, AppError::Page(PageError::InvalidPageSize(size)));
        assert_eq!(fault(&err), ("invalid_page_size", 400, 20001));
        assert_eq!(
            err.to_string(),
            format!("page size {size} is out of range: 1..=100")
        );
    }
    assert_eq!(list(Some(1), None).map(|p| p.content.len()), Ok(1));
    assert_eq!(list(Some(100), None).map(|p| p.content.len()), Ok(1));
    for token in ["", "nope", "Zg", "ZjE5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OQ"] {
        let err = list(None, Some(token)).unwrap_err();
        assert_eq!(
            err,
            AppError::Page(PageError::InvalidPageToken(token.into())),
            "{token}"
        );
        assert_eq!(fault(&err), ("invalid_page_token", 400, 20001));
    }
    let unknown = iamkit::OrganizationSid::generate();
    let err = w
        .engine
        .account_page(unknown, &AccountQuery::default())
        .unwrap_err();
    assert_eq!(err, AppError::OrganizationNotFound(unknown));
}

fn user(w: &World, name: &str, roles: Vec<Role>) -> iamkit::User {
    w.engine
        .create_user(NewUser {
            organization_sid: w.org.sid,
            user_name: name.into(),
            roles,
            sso: false,
        })
        .unwrap()
}

#[test]
fn an_account_is_owned_by_the_user_named_or_else_the_longest_standing_owner() {
    let w = World::new();
    let ownerless = w.account("Before any user");
    assert_eq!(ownerless.owner_sid, None, "no Owner yet");
    let dev = user(&w, "dev@acme.example", vec![Role::Developer]);
    let first = user(&w, "first@acme.example", vec![Role::Owner]);
    let second = user(&w, "second@acme.example", vec![Role::Owner]);
    assert_eq!(
        w.engine.account(ownerless.sid).unwrap().owner_sid,
        Some(first.sid),
        "worked out on read"
    );
    let default = w.account("Default");
    assert_eq!(default.owner_sid, Some(first.sid));
    let named = w
        .engine
        .create_account(
            NewAccount {
                owner_sid: Some(dev.sid),
                ..NewAccount::new(w.org.sid, "Named")
            },
            &Actor::admin(),
        )
        .unwrap()
        .account;
    assert_eq!(named.owner_sid, Some(dev.sid));

    // When the owner goes, the account falls to the longest-standing Owner left.
    let delete = |sid: iamkit::UserSid| {
        w.engine
            .scim_delete_user(w.org.sid, &sid.to_string(), None, &Actor::admin())
            .unwrap()
    };
    delete(dev.sid);
    assert_eq!(
        w.engine.account(named.sid).unwrap().owner_sid,
        Some(first.sid)
    );
    delete(first.sid);
    let owners: Vec<_> = w
        .engine
        .accounts(w.org.sid)
        .unwrap()
        .iter()
        .map(|a| a.owner_sid)
        .collect();
    assert_eq!(owners, [Some(second.sid); 3]);
}

#[test]
fn an_owner_must_be_a_user_of_the_organization() {
    let w = World::new();
    let other = w.engine.create_organization("Other").unwrap();
    let outsider = w
        .engine
        .create_user(NewUser {
            organization_sid: other.sid,
            user_name: "out@other.example".into(),
            roles: vec![Role::Owner],
            sso: false,
        })
        .unwrap();
    for owner in [outsider.sid, iamkit::UserSid::generate()] {
        let err = w
            .engine
            .create_account(
                NewAccount {
                    owner_sid: Some(owner),
                    ..NewAccount::new(w.org.sid, "Prod")
                },
                &Actor::admin(),
            )
            .unwrap_err();
        assert_eq!(err, AppError::InvalidOwner(owner));
        assert_eq!(fault(&err), ("invalid_account_owner", 400, 20001));
        assert_eq!(
            err.to_string(),
            format!("invalid owner {owner}: use the sid of a user of the account's organization")
        );
    }
    assert_eq!(
        w.engine.accounts(w.org.sid).unwrap(),
        [],
        "nothing was created"
    );
}

#[test]
fn auth_tokens_are_shown_once_kept_hashed_and_rotated() {
    let w = World::new();
    let created = w
        .engine
        .create_account(NewAccount::new(w.org.sid, "Prod"), &Actor::named("console"))
        .unwrap();
    let sid = created.account.sid;
    let token = created.auth_token.expose().to_owned();
    assert_eq!(token.len(), 32);
    assert!(
        !format!("{created:?}").contains(&token),
        "Debug hides the token"
    );
    assert_eq!(
        w.engine
            .authenticate_account(&sid.to_string(), &token)
            .unwrap()
            .sid(),
        sid
    );
    let refused =
        |account: &str, token: &str| w.engine.authenticate_account(account, token).unwrap_err();
    for (account, presented) in [
        (sid.to_string(), "0".repeat(32)),
        (sid.to_string(), token.to_uppercase()),
        (sid.to_string(), String::new()),
        (iamkit::AccountSid::generate().to_string(), token.clone()),
        ("nope".into(), token.clone()),
    ] {
        let err = refused(&account, &presented);
        assert_eq!(err, AppError::InvalidAccountCredentials);
        assert_eq!(fault(&err), ("invalid_credentials", 401, 20003));
    }
    let rotated = w.engine.rotate_auth_token(sid, &Actor::admin()).unwrap();
    assert_eq!(
        refused(&sid.to_string(), &token),
        AppError::InvalidAccountCredentials
    );
    assert!(w
        .engine
        .authenticate_account(&sid.to_string(), rotated.expose())
        .is_ok());
    let unknown = iamkit::AccountSid::generate();
    assert_eq!(
        w.engine.rotate_auth_token(unknown, &Actor::admin()),
        Err(AppError::AccountNotFound(unknown))
    );

    let export = w.engine.export_state();
    assert!(!export.contains(&token) && !export.contains(rotated.expose()));
    let events = w.engine.audit_events(&iamkit::AuditQuery {
        subject: Some(sid.to_string()),
        ..Default::default()
    });
    let kinds: Vec<_> = events
        .iter()
        .map(|e| (e.event_type.as_str(), e.actor.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("accounts.created", "console"),
            ("accounts.auth-token-rotated", "admin")
        ]
    );
    let logged = serde_json::to_string(&events).unwrap();
    assert!(!logged.contains(&token) && !logged.contains(rotated.expose()));
}

#[test]
fn an_authenticated_account_manages_only_its_own_apps() {
    let w = World::new();
    let mine = w
        .engine
        .create_account(NewAccount::new(w.org.sid, "Mine"), &Actor::admin())
        .unwrap();
    let theirs = w
        .engine
        .create_account(NewAccount::new(w.org.sid, "Theirs"), &Actor::admin())
        .unwrap();
    let login = |c: &iamkit::CreatedAccount| {
        w.engine
            .authenticate_account(&c.account.sid.to_string(), c.auth_token.expose())
            .unwrap()
    };
    let (me, them) = (login(&mine), login(&theirs));
    let body = |name: &str| NewAccountApp {
        friendly_name: Some(name.into()),
        policy: Some(Policy {
            allow: Some(vec!["messages/read".into()]),
            deny: None,
        }),
        access_token_ttl: Some(60),
        ..NewAccountApp::default()
    };
    let app = w
        .engine
        .create_account_app(&them, body("Theirs"))
        .unwrap()
        .app;
    assert_eq!(app.owner.account_sid(), Some(theirs.account.sid));
    assert_eq!(
        (app.token_ttl, app.created_by.clone()),
        (60, theirs.account.sid.to_string())
    );
    let rename = AccountAppUpdate {
        friendly_name: Some("Mine now".into()),
        ..AccountAppUpdate::default()
    };
    let not_found = AppError::AppNotFound(app.client_id);
    assert_eq!(
        w.engine
            .update_account_app(&me, app.client_id, rename.clone()),
        Err(not_found.clone())
    );
    assert_eq!(
        w.engine.delete_account_app(&me, app.client_id),
        Err(not_found)
    );
    assert_eq!(w.engine.app(app.client_id).unwrap().name, "Theirs");
    assert_eq!(
        w.engine
            .update_account_app(&them, app.client_id, rename)
            .unwrap()
            .name,
        "Mine now"
    );
    let slow = AccountAppUpdate {
        access_token_ttl: Some(2_592_001),
        ..AccountAppUpdate::default()
    };
    assert!(matches!(
        w.engine.update_account_app(&them, app.client_id, slow),
        Err(AppError::InvalidTokenTtl {
            value: 2_592_001,
            ..
        })
    ));
    w.engine.delete_account_app(&them, app.client_id).unwrap();
    assert_eq!(
        w.engine.app(app.client_id),
        Err(AppError::AppNotFound(app.client_id))
    );
}

#[test]
fn an_account_kept_without_an_auth_token_gets_one_by_rotation() {
    let w = World::new();
    let created = w
        .engine
        .create_account(NewAccount::new(w.org.sid, "Old"), &Actor::admin())
        .unwrap();
    let sid = created.account.sid.to_string();
    let mut state: serde_json::Value = serde_json::from_str(&w.engine.export_state()).unwrap();
    let account = &mut state["state"]["accounts"][&sid];
    assert!(
        account["auth_token"]
            .as_str()
            .unwrap()
            .starts_with("sha256:"),
        "{account}"
    );
    account.as_object_mut().unwrap().remove("auth_token");
    w.engine.import_state(&state.to_string()).unwrap();
    assert_eq!(
        w.engine
            .authenticate_account(&sid, created.auth_token.expose()),
        Err(AppError::InvalidAccountCredentials)
    );
    let token = w
        .engine
        .rotate_auth_token(created.account.sid, &Actor::admin())
        .unwrap();
    assert!(w.engine.authenticate_account(&sid, token.expose()).is_ok());
}
