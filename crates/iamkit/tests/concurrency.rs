//! Many threads issue, verify, rotate, revoke, delete and redeem at once on one
//! engine while another thread advances its manual clock; afterwards nothing that
//! was deleted, revoked or replaced still works, and every code was redeemed once.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Barrier, Mutex, RwLock};
use std::thread;

use common::World;
use iamkit::{
    Actor, Algorithm, AuthorizationSid, AuthorizeRequest, ClientId, Clock, CreatedApp, Engine,
    NewApp, OAuthError, OwnerSid, TokenError, TokenRequest, User,
};
use time::Duration;

const THREADS: usize = 8;
const ROUNDS: usize = 64;
const REDIRECT: &str = "https://app.example.com/cb";

/// The seconds the clock thread moves on each round: the whole run stays well
/// inside the five-minute code lifetime and the one-hour token lifetime.
const TICK: i64 = 2;

fn code_app(w: &World, name: &str) -> CreatedApp {
    w.engine
        .create_app(
            NewApp::authorization_code(w.org.sid, name, REDIRECT, &["managed-users/list"]),
            &Actor::admin(),
        )
        .expect("app")
}

/// Approves `app` for `user` (with a refresh token) and returns the code and the
/// authorization.
fn approve(w: &World, app: &CreatedApp, user: &User) -> (String, AuthorizationSid) {
    let approved = w
        .engine
        .authorize(&AuthorizeRequest {
            client_id: app.app.client_id.to_string(),
            response_type: "code".into(),
            redirect_uri: REDIRECT.into(),
            scope: Some("offline_access managed-users/list".into()),
            user_sid: user.sid.to_string(),
            ..Default::default()
        })
        .expect("authorize");
    (
        approved.code.expose().to_owned(),
        approved.authorization.sid,
    )
}

fn redeem(engine: &Engine, app: &CreatedApp, code: &str) -> Result<(String, String), OAuthError> {
    engine
        .token(&TokenRequest::authorization_code(
            &app.app.client_id.to_string(),
            app.client_secret.expose(),
            code,
            REDIRECT,
        ))
        .map(|t| {
            let refresh = t
                .refresh_token
                .expect("offline_access gives a refresh token");
            (
                t.access_token.expose().to_owned(),
                refresh.expose().to_owned(),
            )
        })
}

fn cc_token(engine: &Engine, client_id: ClientId, secret: &str) -> Result<String, OAuthError> {
    engine
        .token(&TokenRequest::client_credentials(
            &client_id.to_string(),
            secret,
        ))
        .map(|t| t.access_token.expose().to_owned())
}

/// One round's authorization whose refresh token is used while it is revoked.
struct Refreshable {
    app: CreatedApp,
    authorization: AuthorizationSid,
    refresh_token: String,
}

/// Everything the threads share, and what they record for the checks afterwards.
struct Run {
    w: World,
    barrier: Barrier,
    /// Apps deleted one a round while tokens are issued to them.
    victims: Vec<CreatedApp>,
    /// An app whose secret is rotated every round while it is used.
    rotated: CreatedApp,
    /// Every secret `rotated` had, oldest first.
    secrets: RwLock<Vec<String>>,
    /// An app that is never touched: its tokens must keep working.
    keeper: CreatedApp,
    /// One contested code a round, with its app: every thread tries to redeem it.
    contested: Vec<(CreatedApp, String)>,
    redeemed: Vec<AtomicUsize>,
    /// Access tokens the contested codes gave.
    code_tokens: Mutex<Vec<String>>,
    /// One authorization a round, revoked while its refresh token is used.
    refreshable: Vec<Refreshable>,
    /// Access tokens obtained by refresh, by round.
    refreshed: Mutex<Vec<(usize, String)>>,
    /// Tokens issued to the victim apps, with the app.
    victim_tokens: Mutex<Vec<(ClientId, String)>>,
    /// Tokens revoked with `revoke_token`.
    revoked: Mutex<Vec<String>>,
    /// Tokens of the keeper app.
    kept: Mutex<Vec<String>>,
}

impl Run {
    fn new() -> Self {
        let w = World::with(Engine::builder().algorithm(Algorithm::HS256));
        let owner = w.owner();
        let victims = (0..ROUNDS)
            .map(|_| w.org_app(&["managed-users/list"]))
            .collect();
        let rotated = w.org_app(&["managed-users/list"]);
        let keeper = w.org_app(&["managed-users/list"]);
        let contested = (0..ROUNDS)
            .map(|i| {
                let app = code_app(&w, &format!("contested {i}"));
                let (code, _) = approve(&w, &app, &owner);
                (app, code)
            })
            .collect();
        let refreshable = (0..ROUNDS)
            .map(|i| {
                let app = code_app(&w, &format!("refreshed {i}"));
                let (code, authorization) = approve(&w, &app, &owner);
                let (_, refresh_token) = redeem(&w.engine, &app, &code).expect("first use");
                Refreshable {
                    app,
                    authorization,
                    refresh_token,
                }
            })
            .collect();
        Self {
            barrier: Barrier::new(THREADS),
            secrets: RwLock::new(vec![rotated.client_secret.expose().to_owned()]),
            redeemed: (0..ROUNDS).map(|_| AtomicUsize::new(0)).collect(),
            code_tokens: Mutex::default(),
            refreshed: Mutex::default(),
            victim_tokens: Mutex::default(),
            revoked: Mutex::default(),
            kept: Mutex::default(),
            w,
            victims,
            rotated,
            keeper,
            contested,
            refreshable,
        }
    }

    fn engine(&self) -> &Engine {
        &self.w.engine
    }

    /// Every thread tries the round's contested code at once.
    fn contest(&self, round: usize) {
        let (app, code) = &self.contested[round];
        match redeem(self.engine(), app, code) {
            Ok((access, _)) => {
                self.redeemed[round].fetch_add(1, Ordering::SeqCst);
                self.code_tokens.lock().unwrap().push(access);
            }
            Err(e) => assert_eq!(e, OAuthError::CodeReused, "round {round}"),
        }
    }

    /// What thread `t` does in `round`, besides contesting the code.
    fn work(&self, t: usize, round: usize) {
        let engine = self.engine();
        match t {
            0 => self.w.clock.advance(Duration::seconds(TICK)),
            1 => {
                let rotated = engine
                    .rotate_secret(self.rotated.app.client_id, None, &Actor::admin())
                    .expect("rotate");
                let secret = rotated.client_secret.expose().to_owned();
                self.secrets.write().unwrap().push(secret);
            }
            2 => engine
                .delete_app(self.victims[round].app.client_id, &Actor::admin())
                .expect("delete"),
            3 => {
                let r = &self.refreshable[round];
                engine
                    .revoke_authorization(r.authorization, &Actor::admin())
                    .expect("revoke authorization");
            }
            4 | 5 => {
                // Tokens for the app being deleted this round and the next one.
                for victim in &self.victims[round..(round + 2).min(ROUNDS)] {
                    let id = victim.app.client_id;
                    match cc_token(engine, id, victim.client_secret.expose()) {
                        Ok(token) => self.victim_tokens.lock().unwrap().push((id, token)),
                        Err(e) => assert_eq!(e, OAuthError::InvalidClient),
                    }
                }
                let r = &self.refreshable[round];
                let request = TokenRequest::refresh_token(
                    &r.app.app.client_id.to_string(),
                    r.app.client_secret.expose(),
                    &r.refresh_token,
                );
                match engine.token(&request) {
                    Ok(t) => self
                        .refreshed
                        .lock()
                        .unwrap()
                        .push((round, t.access_token.expose().to_owned())),
                    Err(e) => assert!(
                        matches!(
                            e,
                            OAuthError::InvalidRefreshToken | OAuthError::AuthorizationRevoked
                        ),
                        "refresh during revocation gave {e:?}"
                    ),
                }
            }
            6 => {
                // Issue with whichever secret is newest as read; a rotation may
                // land in between, and the previous secret is still in its grace.
                let secret = self.secrets.read().unwrap().last().cloned().unwrap();
                let id = self.rotated.app.client_id;
                let token = cc_token(engine, id, &secret).expect("secret in grace");
                engine
                    .revoke_token(&id.to_string(), &secret, &token)
                    .expect("revoke token");
                assert_eq!(engine.verify(&token), Err(TokenError::Revoked));
                self.revoked.lock().unwrap().push(token);
            }
            _ => {
                let keeper = &self.keeper;
                let token = cc_token(engine, keeper.app.client_id, keeper.client_secret.expose())
                    .expect("keeper token");
                engine.verify(&token).expect("keeper token verifies");
                self.kept.lock().unwrap().push(token);
                self.recheck_dead();
            }
        }
    }

    /// A token that failed for a lasting reason never verifies again.
    fn recheck_dead(&self) {
        let tokens: Vec<String> = self.revoked.lock().unwrap().clone();
        for token in tokens {
            assert_eq!(self.engine().verify(&token), Err(TokenError::Revoked));
            assert!(!self.engine().introspect(&token).active);
        }
    }
}

#[test]
fn nothing_deleted_revoked_or_replaced_outlives_its_end_under_concurrency() {
    let run = Run::new();
    let start = run.w.clock.now();
    thread::scope(|s| {
        for t in 0..THREADS {
            let run = &run;
            s.spawn(move || {
                for round in 0..ROUNDS {
                    run.barrier.wait();
                    run.contest(round);
                    run.work(t, round);
                }
            });
        }
    });
    let engine = run.engine();
    let ticks = i64::try_from(ROUNDS).unwrap() * TICK;
    assert_eq!(run.w.clock.now(), start + Duration::seconds(ticks));

    // Every code was redeemed by exactly one thread; the others' replays revoked
    // what the first use issued.
    for (round, count) in run.redeemed.iter().enumerate() {
        assert_eq!(count.load(Ordering::SeqCst), 1, "code of round {round}");
    }
    let code_tokens = run.code_tokens.lock().unwrap();
    assert_eq!(code_tokens.len(), ROUNDS);
    for token in code_tokens.iter() {
        assert_eq!(engine.verify(token), Err(TokenError::AuthorizationRevoked));
    }

    // No token of a deleted app verifies, and the deleted apps issue no more.
    let victim_tokens = run.victim_tokens.lock().unwrap();
    assert!(!victim_tokens.is_empty());
    for (id, token) in victim_tokens.iter() {
        assert_eq!(engine.verify(token), Err(TokenError::AppDeleted), "{id}");
        assert!(!engine.introspect(token).active);
    }
    for victim in &run.victims {
        let issued = cc_token(engine, victim.app.client_id, victim.client_secret.expose());
        assert_eq!(issued, Err(OAuthError::InvalidClient));
    }

    // No token of a revoked authorization verifies, and its refresh token is dead.
    let refreshed = run.refreshed.lock().unwrap();
    for (round, token) in refreshed.iter() {
        assert_eq!(
            engine.verify(token),
            Err(TokenError::AuthorizationRevoked),
            "round {round}"
        );
    }
    for r in &run.refreshable {
        let request = TokenRequest::refresh_token(
            &r.app.app.client_id.to_string(),
            r.app.client_secret.expose(),
            &r.refresh_token,
        );
        assert!(engine.token(&request).is_err());
        assert!(!engine.introspect(&r.refresh_token).active);
    }

    // Tokens revoked one by one stay revoked; the keeper's tokens still verify.
    run.recheck_dead();
    assert_eq!(run.revoked.lock().unwrap().len(), ROUNDS);
    let kept = run.kept.lock().unwrap();
    assert_eq!(kept.len(), ROUNDS);
    for token in kept.iter() {
        engine
            .verify(token)
            .expect("the untouched app's token verifies");
    }

    // Secrets: only the newest previous secret keeps its grace; once the clock
    // passes it, only the current secret works.
    let secrets = run.secrets.read().unwrap();
    assert_eq!(secrets.len(), ROUNDS + 1);
    let id = run.rotated.app.client_id;
    let (current, previous, older) = (
        &secrets[ROUNDS],
        &secrets[ROUNDS - 1],
        &secrets[..ROUNDS - 1],
    );
    for old in older {
        assert_eq!(cc_token(engine, id, old), Err(OAuthError::InvalidClient));
    }
    cc_token(engine, id, previous).expect("the newest previous secret is in its grace");
    run.w.clock.advance(Duration::hours(24));
    assert_eq!(
        cc_token(engine, id, previous),
        Err(OAuthError::InvalidClient)
    );
    for old in older {
        assert_eq!(cc_token(engine, id, old), Err(OAuthError::InvalidClient));
    }
    cc_token(engine, id, current).expect("the current secret works");
    let keeper = &run.keeper;
    cc_token(engine, keeper.app.client_id, keeper.client_secret.expose())
        .expect("the keeper still gets tokens");
}

#[test]
fn an_account_app_rotated_without_grace_refuses_its_old_secret_at_once_under_concurrency() {
    let w = World::with(Engine::builder().algorithm(Algorithm::HS256));
    let account = w.account("Prod");
    let app = w
        .engine
        .create_app(
            NewApp::client_credentials(OwnerSid::Account(account.sid), "acct", &["messages/list"]),
            &Actor::admin(),
        )
        .unwrap();
    let id = app.app.client_id;
    let secrets = RwLock::new(vec![app.client_secret.expose().to_owned()]);
    let barrier = Barrier::new(4);
    thread::scope(|s| {
        s.spawn(|| {
            for _ in 0..ROUNDS {
                barrier.wait();
                let rotated = w.engine.rotate_secret(id, None, &Actor::admin()).unwrap();
                assert_eq!(rotated.previous_valid_until, None);
                secrets
                    .write()
                    .unwrap()
                    .push(rotated.client_secret.expose().to_owned());
            }
        });
        for _ in 0..3 {
            s.spawn(|| {
                for _ in 0..ROUNDS {
                    barrier.wait();
                    let secret = secrets.read().unwrap().last().cloned().unwrap();
                    // A rotation may land first: then the secret read is already dead.
                    match cc_token(&w.engine, id, &secret) {
                        Ok(token) => w.engine.verify(&token).map(drop).unwrap(),
                        Err(e) => assert_eq!(e, OAuthError::InvalidClient),
                    }
                }
            });
        }
    });
    let secrets = secrets.into_inner().unwrap();
    let (current, old) = secrets.split_last().unwrap();
    for secret in old {
        assert_eq!(
            cc_token(&w.engine, id, secret),
            Err(OAuthError::InvalidClient)
        );
    }
    cc_token(&w.engine, id, current).expect("the current secret works");
}
