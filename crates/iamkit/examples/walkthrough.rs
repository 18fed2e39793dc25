//! A walk through iamkit's OAuth flows on a manual clock, printing what happens.
//!
//! Run it with `cargo run -p iamkit --example walkthrough`.

use iamkit::{
    Actor, AuditQuery, AuthorizeRequest, Engine, ErrorCode, ManualClock, NewAccount, NewApp,
    NewUser, OwnerSid, Role, TokenRequest,
};
use time::Duration;

fn main() -> Result<(), iamkit::Error> {
    let clock = ManualClock::parse("2026-01-01T00:00:00Z").expect("a valid instant");
    let engine = Engine::builder().clock(clock.clone()).build()?;
    let admin = Actor::admin();

    step("Directory");
    let org = engine.create_organization("Acme")?;
    let owner = engine.create_user(NewUser {
        organization_sid: org.sid,
        user_name: "owner@acme.example".into(),
        roles: vec![Role::Owner],
        sso: false,
    })?;
    let account = engine
        .create_account(NewAccount::new(org.sid, "Production"), &admin)?
        .account;
    say(format!(
        "organization {} with account {}",
        org.sid, account.sid
    ));
    say(format!("owner {} ({})", owner.user_name, owner.sid));

    step("Client credentials");
    let provisioner = engine.create_app(
        NewApp::client_credentials(
            OwnerSid::Organization(org.sid),
            "Provisioner",
            &["managed-users/list", "managed-users/read"],
        ),
        &admin,
    )?;
    let client_id = provisioner.app.client_id.to_string();
    say(format!(
        "created app {client_id}; its secret is shown once and only its hash is kept"
    ));
    let token = engine.token(&TokenRequest::client_credentials(
        &client_id,
        provisioner.client_secret.expose(),
    ))?;
    say(format!(
        "token: {} (expires_in {}, refresh_token {:?})",
        truncate(token.access_token.expose()),
        token.expires_in,
        token.refresh_token.as_ref().map(|_| "…")
    ));
    let access = engine.check_access(token.access_token.expose(), "GET", "/scim/v2/Users")?;
    say(format!(
        "GET /scim/v2/Users allowed by {}",
        access.permission
    ));
    let denied = engine
        .check_access(token.access_token.expose(), "POST", "/scim/v2/Users")
        .unwrap_err();
    say(format!(
        "POST /scim/v2/Users refused: {} ({denied})",
        denied.code()
    ));
    let wrong = engine
        .token(&TokenRequest::client_credentials(
            &client_id,
            "not-the-secret",
        ))
        .unwrap_err();
    say(format!("a wrong secret: {} ({wrong})", wrong.code()));

    step("Secret rotation with a grace period");
    let reporter = engine.create_app(
        NewApp {
            token_ttl: Some(600),
            ..NewApp::client_credentials(
                OwnerSid::Account(account.sid),
                "Reporter",
                &["messages/list"],
            )
        },
        &admin,
    )?;
    let reporter_id = reporter.app.client_id.to_string();
    let rotated = engine.rotate_secret(reporter.app.client_id, Some(3600), &admin)?;
    say("rotated the account app's secret with a one-hour grace");
    clock.advance(Duration::seconds(3599));
    let old = engine.token(&TokenRequest::client_credentials(
        &reporter_id,
        reporter.client_secret.expose(),
    ));
    say(format!(
        "after 59:59 the old secret still works: {}",
        old.is_ok()
    ));
    clock.advance(Duration::seconds(1));
    let old = engine.token(&TokenRequest::client_credentials(
        &reporter_id,
        reporter.client_secret.expose(),
    ));
    say(format!(
        "after 1:00:00 it does not: {}",
        old.unwrap_err().code()
    ));
    let new = engine.token(&TokenRequest::client_credentials(
        &reporter_id,
        rotated.client_secret.expose(),
    ))?;
    say(format!(
        "the new secret works; tokens last {} s",
        new.expires_in
    ));

    step("Authorization code with PKCE");
    let connector = engine.create_app(
        NewApp::authorization_code(
            org.sid,
            "SCIM connector",
            "https://idp.example/callback",
            &["managed-users/list", "managed-users/create"],
        ),
        &admin,
    )?;
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let approved = engine.authorize(&AuthorizeRequest {
        client_id: connector.app.client_id.to_string(),
        response_type: "code".into(),
        redirect_uri: "https://idp.example/callback".into(),
        scope: Some("offline_access".into()),
        state: Some("af0ifjsldkj".into()),
        user_sid: owner.sid.to_string(),
        code_challenge: Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into()),
        code_challenge_method: Some("S256".into()),
    })?;
    say(format!(
        "the owner approved; redirect to {}",
        truncate(approved.redirect_to.expose())
    ));
    let code_request = TokenRequest {
        code_verifier: Some(verifier.into()),
        ..TokenRequest::authorization_code(
            &connector.app.client_id.to_string(),
            connector.client_secret.expose(),
            approved.code.expose(),
            "https://idp.example/callback",
        )
    };
    let tokens = engine.token(&code_request)?;
    say(format!(
        "exchanged the code: access token and refresh token {}",
        tokens.refresh_token.is_some()
    ));
    let replay = engine.token(&code_request).unwrap_err();
    say(format!("replaying the code: {} — {replay}", replay.code()));
    let after = engine.verify(tokens.access_token.expose()).unwrap_err();
    say(format!(
        "the first exchange's token now fails: {}",
        after.code()
    ));

    step("Deleting an app");
    let fresh = engine.token(&TokenRequest::client_credentials(
        &client_id,
        provisioner.client_secret.expose(),
    ))?;
    engine.delete_app(provisioner.app.client_id, &admin)?;
    let gone = engine.verify(fresh.access_token.expose()).unwrap_err();
    say(format!(
        "the provisioner's token after deletion: {}",
        gone.code()
    ));

    step("Audit trail");
    for event in engine.audit_events(&AuditQuery::default()) {
        say(format!(
            "{}  {:<32} by {}",
            event.at,
            event.event_type,
            event.actor.as_str()
        ));
    }
    Ok(())
}

fn step(title: &str) {
    println!("\n== {title}");
}

fn say(line: impl AsRef<str>) {
    println!("   {}", line.as_ref());
}

fn truncate(s: &str) -> String {
    if s.len() > 60 {
        format!("{}…", &s[..60])
    } else {
        s.to_owned()
    }
}
