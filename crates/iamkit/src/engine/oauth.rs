//! The authorization-code flow and the Token API.

use serde_json::json;
use time::OffsetDateTime;

use super::users::user_in;
use super::Engine;
use crate::apps::{App, AppError, GrantType, StoredApp};
use crate::audit::{types, Actor};
use crate::authorize::{
    redirect_with, Authorization, AuthorizeError, AuthorizeRequest, AuthorizeResponse, Grant, Pkce,
    CODE_LIFETIME, OFFLINE_ACCESS,
};
use crate::error_code::ErrorCode;
use crate::ids::{
    AuthorizationSid, ClientId, GrantSid, OrganizationSid, RefreshTokenSid, Sid, TokenId, UserSid,
};
use crate::secrets::{SecretHash, SecretString};
use crate::store::{self, RefreshToken, State, StoreError};
use crate::tokens::{sign, Claims, OAuthError, TokenRequest, TokenResponse};

/// The actor and subject of a refused token request whose `client_id` is missing or
/// not a client id.
const UNKNOWN_CLIENT: &str = "unknown-client";

/// What a successful grant yields before signing.
struct Issue {
    claims: Claims,
    refresh_token: Option<SecretString>,
}

/// An authorization request that passed every check that does not depend on the
/// user.
struct Consent<'s> {
    app: &'s App,
    scopes: Vec<String>,
    offline_access: bool,
    pkce: Option<Pkce>,
}

/// Checks an authorization request up to (not including) the user, in RFC 6749
/// order: client, redirect URI (never redirected to if wrong), grant, response type,
/// scope, PKCE.
fn consent<'s>(
    s: &'s State,
    client_id: ClientId,
    req: &AuthorizeRequest,
) -> Result<Consent<'s>, AuthorizeError> {
    let app = &s
        .apps
        .get(&client_id)
        .ok_or(AuthorizeError::UnknownClient)?
        .app;
    if app.redirect_url.as_deref() != Some(req.redirect_uri.as_str()) {
        return Err(AuthorizeError::RedirectUriMismatch);
    }
    if app.grant_type != GrantType::AuthorizationCode || !app.owner.is_organization() {
        return Err(AuthorizeError::UnauthorizedClient);
    }
    if req.response_type != "code" {
        return Err(AuthorizeError::UnsupportedResponseType(
            req.response_type.chars().take(32).collect(),
        ));
    }
    let (scopes, offline_access) =
        requested_scopes(app, req.scope.as_deref()).map_err(AuthorizeError::InvalidScope)?;
    let pkce = match (&req.code_challenge, &req.code_challenge_method) {
        (Some(challenge), method) => Some(Pkce::parse(challenge, method.as_deref())?),
        (None, Some(_)) => {
            return Err(AuthorizeError::InvalidRequest(
                "code_challenge_method given without code_challenge".into(),
            ))
        }
        (None, None) => None,
    };
    Ok(Consent {
        app,
        scopes,
        offline_access,
        pkce,
    })
}

/// What the consent page shows about a valid authorization request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRequest {
    /// The app asking for access.
    pub app: App,
    /// The scopes it would get.
    pub scopes: Vec<String>,
    /// Whether it asks for a refresh token.
    pub offline_access: bool,
}

impl Engine {
    /// Checks an authorization request before a user is chosen, for a consent page.
    /// A redirectable error should be sent back to the redirect URI
    /// ([`AuthorizeError::redirect_to`]); the others are shown, never redirected.
    pub fn check_authorize_request(
        &self,
        req: &AuthorizeRequest,
    ) -> Result<ConsentRequest, AuthorizeError> {
        let client_id =
            ClientId::parse(&req.client_id).map_err(|_| AuthorizeError::UnknownClient)?;
        store::read(self.store(), |s| {
            consent(s, client_id, req).map(|c| ConsentRequest {
                app: c.app.clone(),
                scopes: c.scopes,
                offline_access: c.offline_access,
            })
        })
    }

    /// A signed-in user approves an authorization-code app: records the
    /// authorization and returns a five-minute, single-use code and the redirect.
    pub fn authorize(&self, req: &AuthorizeRequest) -> Result<AuthorizeResponse, AuthorizeError> {
        let client_id =
            ClientId::parse(&req.client_id).map_err(|_| AuthorizeError::UnknownClient)?;
        let now = self.now();
        let code = SecretString::generate();
        let authorization = store::write(self.store(), |s| {
            let Consent {
                app,
                scopes,
                offline_access,
                pkce,
            } = consent(s, client_id, req)?;
            let user = UserSid::parse(&req.user_sid)
                .ok()
                .and_then(|sid| user_in(s, app.owner.organization_sid(), sid))
                .ok_or(AuthorizeError::UnknownUser)?;
            if !user.active {
                return Err(AuthorizeError::InactiveUser);
            }
            if user.sso {
                return Err(AuthorizeError::SsoUser);
            }
            if !user.may_authorize_apps() {
                return Err(AuthorizeError::NotAnAdministrator);
            }
            let user_sid = user.sid;
            let organization_sid = app.owner.organization_sid();
            let authorization =
                upsert_authorization(s, client_id, organization_sid, user_sid, &scopes, now);
            let grant = Grant {
                sid: GrantSid::generate(),
                authorization_sid: authorization.sid,
                client_id,
                user_sid,
                scopes,
                offline_access,
                redirect_uri: req.redirect_uri.clone(),
                code_hash: code.hash(),
                pkce,
                issued_at: now,
                redeemed_at: None,
                revoked_at: None,
            };
            s.codes.insert(grant.code_hash, grant.sid);
            s.audit.record(
                self.config.audit_capacity,
                types::AUTHORIZATION_GRANTED,
                now,
                &Actor::named(user_sid),
                authorization.sid,
                json!({ "client_id": client_id, "grant_sid": grant.sid, "scopes": grant.scopes, "offline_access": offline_access }),
            );
            s.grants.insert(grant.sid, grant);
            Ok(authorization)
        })?;
        let mut params = vec![("code", code.expose())];
        if let Some(state) = &req.state {
            params.push(("state", state));
        }
        Ok(AuthorizeResponse {
            redirect_to: SecretString::new(redirect_with(&req.redirect_uri, &params)),
            code,
            authorization,
            expires_at: now + CODE_LIFETIME,
        })
    }

    /// The apps users of an organization have authorized and not revoked.
    pub fn authorizations(&self, organization_sid: OrganizationSid) -> Vec<Authorization> {
        let mut found: Vec<Authorization> = store::read(self.store(), |s| {
            s.authorizations
                .values()
                .filter(|a| a.organization_sid == organization_sid && a.revoked_at.is_none())
                .cloned()
                .collect()
        });
        found.sort_by_key(|a| (a.created_at, a.sid));
        found
    }

    /// Revokes an authorization: its codes, access tokens and refresh tokens stop
    /// working at once.
    pub fn revoke_authorization(
        &self,
        sid: AuthorizationSid,
        actor: &Actor,
    ) -> Result<Authorization, AppError> {
        let now = self.now();
        store::write(self.store(), |s| {
            if s.authorizations
                .get(&sid)
                .is_none_or(|a| a.revoked_at.is_some())
            {
                return Err(AppError::AuthorizationNotFound(sid));
            }
            self.revoke_authorizations(s, &[sid], now, actor, "revoked")
                .pop()
                .ok_or(AppError::AuthorizationNotFound(sid))
        })
    }

    /// Revokes active authorizations in one write: their codes, access tokens and
    /// refresh tokens stop working at once. Records `oauth-authorizations.revoked`
    /// with `reason` for each; returns the revoked authorizations.
    pub(super) fn revoke_authorizations(
        &self,
        s: &mut State,
        sids: &[AuthorizationSid],
        now: OffsetDateTime,
        actor: &Actor,
        reason: &str,
    ) -> Vec<Authorization> {
        let mut revoked = Vec::new();
        for sid in sids {
            if let Some(a) = s
                .authorizations
                .get_mut(sid)
                .filter(|a| a.revoked_at.is_none())
            {
                a.revoked_at = Some(now);
                revoked.push(a.clone());
            }
        }
        let grants = &s.grants;
        s.refresh_tokens.retain(|_, r| {
            grants
                .get(&r.grant_sid)
                .is_some_and(|g| !sids.contains(&g.authorization_sid))
        });
        for a in &revoked {
            s.audit.record(
                self.config.audit_capacity,
                types::AUTHORIZATION_REVOKED,
                now,
                actor,
                a.sid,
                json!({ "client_id": a.client_id, "reason": reason }),
            );
        }
        revoked
    }

    /// Revokes every active authorization `user` approved: a user who is deleted or
    /// deactivated stops the apps they authorized (Twilio's advice to authorize with
    /// a dedicated service user exists because of this).
    pub(super) fn revoke_authorizations_of(
        &self,
        s: &mut State,
        user: UserSid,
        now: OffsetDateTime,
        actor: &Actor,
        reason: &str,
    ) {
        let sids: Vec<AuthorizationSid> = s
            .authorizations
            .values()
            .filter(|a| a.authorized_by == user && a.revoked_at.is_none())
            .map(|a| a.sid)
            .collect();
        if !sids.is_empty() {
            self.revoke_authorizations(s, &sids, now, actor, reason);
        }
    }

    /// Checks a client id and secret (the current secret, or the previous one within
    /// its grace period) and returns the app.
    pub fn authenticate_client(&self, client_id: &str, secret: &str) -> Result<App, OAuthError> {
        let client_id = ClientId::parse(client_id).map_err(|_| OAuthError::InvalidClient)?;
        let now = self.now();
        store::read(self.store(), |s| {
            authenticate(s, client_id, secret, now).map(|a| a.app.clone())
        })
    }

    /// The Token API: `client_credentials`, `authorization_code` or
    /// `refresh_token`. Every answer, issued or refused, is an audit event.
    pub fn token(&self, req: &TokenRequest) -> Result<TokenResponse, OAuthError> {
        let result = self.grant(req);
        match result {
            Ok(issue) => {
                let access_token = sign(&issue.claims, &self.key);
                Ok(TokenResponse {
                    access_token: SecretString::new(access_token),
                    id_token: None,
                    token_type: "Bearer",
                    expires_in: u64::try_from(issue.claims.exp - issue.claims.iat).unwrap_or(0),
                    refresh_token: issue.refresh_token,
                    scope: issue.claims.scope,
                })
            }
            Err(error) => {
                let now = self.now();
                // Only a well-formed client id names the caller: any other text sent
                // as `client_id` (another actor's name, a pasted secret) is not kept.
                let client = req
                    .client_id
                    .as_deref()
                    .and_then(|id| ClientId::parse(id).ok());
                let (actor, subject) = match client {
                    Some(id) => (Actor::named(id), id.to_string()),
                    None => (Actor::named(UNKNOWN_CLIENT), UNKNOWN_CLIENT.to_owned()),
                };
                store::write(self.store(), |s| {
                    s.audit.record(
                        self.config.audit_capacity,
                        types::TOKEN_REFUSED,
                        now,
                        &actor,
                        &subject,
                        json!({ "grant_type": req.grant_type.chars().take(64).collect::<String>(), "error": error.code(), "reason": error.to_string() }),
                    );
                    Ok::<(), StoreError>(())
                })
                // The refusal stands even if its audit event cannot be kept.
                .ok();
                Err(error)
            }
        }
    }

    fn grant(&self, req: &TokenRequest) -> Result<Issue, OAuthError> {
        let grant_type = match req.grant_type.as_str() {
            "" => return Err(OAuthError::MissingParameter("grant_type")),
            "client_credentials" => GrantKind::ClientCredentials,
            "authorization_code" => GrantKind::AuthorizationCode,
            "refresh_token" => GrantKind::RefreshToken,
            other => {
                return Err(OAuthError::UnsupportedGrantType(
                    other.chars().take(64).collect(),
                ))
            }
        };
        let client_id = req
            .client_id
            .as_deref()
            .filter(|c| !c.is_empty())
            .ok_or(OAuthError::MissingParameter("client_id"))?;
        let secret = req
            .client_secret
            .as_ref()
            .filter(|c| !c.expose().is_empty())
            .ok_or(OAuthError::MissingParameter("client_secret"))?;
        let client_id = ClientId::parse(client_id).map_err(|_| OAuthError::InvalidClient)?;
        let now = self.now();
        let outcome = store::write(self.store(), |s| {
            let app = &authenticate(s, client_id, secret.expose(), now)?.app;
            let issue = match grant_type {
                GrantKind::ClientCredentials => self.client_credentials(app, req, now)?,
                GrantKind::RefreshToken => self.refresh(s, app, req, now)?,
                GrantKind::AuthorizationCode => {
                    // Redeeming changes the state, so it works on a copy of the app.
                    let app = app.clone();
                    match self.redeem_code(s, &app, req, now)? {
                        Ok(issue) => issue,
                        // The replay revoked the grant: commit that, then refuse.
                        Err(reused) => return Ok::<_, OAuthError>(Err(reused)),
                    }
                }
            };
            s.audit.record(
                self.config.audit_capacity,
                types::TOKEN_ISSUED,
                now,
                &Actor::named(client_id),
                client_id,
                token_issued_details(grant_type, &issue),
            );
            Ok(Ok(issue))
        })?;
        outcome
    }

    fn client_credentials(
        &self,
        app: &App,
        req: &TokenRequest,
        now: OffsetDateTime,
    ) -> Result<Issue, OAuthError> {
        if app.grant_type != GrantType::ClientCredentials {
            return Err(OAuthError::UnauthorizedClient("client_credentials"));
        }
        let scopes = narrow(&app.scopes, req.scope.as_deref())?;
        Ok(Issue {
            claims: self.claims(app, app.client_id.to_string(), scopes, None, now),
            refresh_token: None,
        })
    }

    /// Redeems a code. The outer error refuses without change; the inner one is a
    /// replay, whose revocation of the grant must be kept.
    fn redeem_code(
        &self,
        s: &mut State,
        app: &App,
        req: &TokenRequest,
        now: OffsetDateTime,
    ) -> Result<Result<Issue, OAuthError>, OAuthError> {
        if app.grant_type != GrantType::AuthorizationCode {
            return Err(OAuthError::UnauthorizedClient("authorization_code"));
        }
        let code = req
            .code
            .as_ref()
            .filter(|c| !c.expose().is_empty())
            .ok_or(OAuthError::MissingParameter("code"))?;
        let redirect_uri = req
            .redirect_uri
            .as_deref()
            .ok_or(OAuthError::MissingParameter("redirect_uri"))?;
        let grant_sid = *s.codes.get(&code.hash()).ok_or(OAuthError::InvalidCode)?;
        let grant = s
            .grants
            .get(&grant_sid)
            .filter(|g| g.client_id == app.client_id)
            .ok_or(OAuthError::InvalidCode)?;
        if grant.redeemed_at.is_some() {
            revoke_grant(s, grant_sid, now);
            return Ok(Err(OAuthError::CodeReused));
        }
        if grant.code_expired(now) {
            return Err(OAuthError::CodeExpired);
        }
        if grant.redirect_uri != redirect_uri {
            return Err(OAuthError::RedirectUriMismatch);
        }
        let verifier = req.code_verifier.as_ref().map(SecretString::expose);
        match (&grant.pkce, verifier) {
            (Some(pkce), Some(v)) if pkce.verify(v) => {}
            (None, None) => {}
            _ => return Err(OAuthError::PkceMismatch),
        }
        if grant_revoked(s, grant) {
            return Err(OAuthError::AuthorizationRevoked);
        }
        let scopes = narrow(&grant.scopes, req.scope.as_deref())?;
        let claims = self.claims(
            app,
            grant.user_sid.to_string(),
            scopes,
            Some(grant_sid),
            now,
        );
        let refresh_token = grant.offline_access.then(SecretString::generate);
        if let Some(token) = &refresh_token {
            s.refresh_tokens.insert(
                token.hash(),
                RefreshToken {
                    sid: RefreshTokenSid::generate(),
                    grant_sid,
                    client_id: app.client_id,
                },
            );
        }
        if let Some(grant) = s.grants.get_mut(&grant_sid) {
            grant.redeemed_at = Some(now);
        }
        Ok(Ok(Issue {
            claims,
            refresh_token,
        }))
    }

    fn refresh(
        &self,
        s: &State,
        app: &App,
        req: &TokenRequest,
        now: OffsetDateTime,
    ) -> Result<Issue, OAuthError> {
        if app.grant_type != GrantType::AuthorizationCode {
            return Err(OAuthError::UnauthorizedClient("refresh_token"));
        }
        let token = req
            .refresh_token
            .as_ref()
            .filter(|t| !t.expose().is_empty())
            .ok_or(OAuthError::MissingParameter("refresh_token"))?;
        let record = s
            .refresh_tokens
            .get(&token.hash())
            .filter(|r| r.client_id == app.client_id)
            .ok_or(OAuthError::InvalidRefreshToken)?;
        let grant = s
            .grants
            .get(&record.grant_sid)
            .ok_or(OAuthError::InvalidRefreshToken)?;
        if grant_revoked(s, grant) {
            return Err(OAuthError::AuthorizationRevoked);
        }
        let scopes = narrow(&grant.scopes, req.scope.as_deref())?;
        Ok(Issue {
            claims: self.claims(
                app,
                grant.user_sid.to_string(),
                scopes,
                Some(grant.sid),
                now,
            ),
            refresh_token: None,
        })
    }

    fn claims(
        &self,
        app: &App,
        sub: String,
        scope: String,
        grant_sid: Option<GrantSid>,
        now: OffsetDateTime,
    ) -> Claims {
        let iat = now.unix_timestamp();
        Claims {
            iss: self.config.issuer.clone(),
            sub,
            aud: self.config.audience.clone(),
            iat,
            nbf: iat,
            exp: iat.saturating_add(i64::try_from(app.token_ttl).unwrap_or(i64::MAX)),
            jti: TokenId::generate(),
            scope,
            client_id: app.client_id,
            organization_sid: app.owner.organization_sid(),
            account_sid: app.owner.account_sid(),
            grant_sid,
        }
    }

    /// RFC 7009 revocation by the client the token was issued to. An access token
    /// stops verifying; a refresh token stops working together with every access
    /// token of its grant. Unknown tokens and other clients' tokens are ignored, as
    /// RFC 7009 §2.2 asks.
    pub fn revoke_token(
        &self,
        client_id: &str,
        client_secret: &str,
        token: &str,
    ) -> Result<(), OAuthError> {
        let app = self.authenticate_client(client_id, client_secret)?;
        let now = self.now();
        let access = crate::tokens::verify_signature(token, &self.key).ok();
        let refresh_hash = SecretHash::of(token.as_bytes());
        store::write(self.store(), |s| {
            let now_unix = now.unix_timestamp();
            s.revoked_tokens.retain(|_, exp| *exp > now_unix);
            let revoked =
                if let Some(claims) = access.as_ref().filter(|c| c.client_id == app.client_id) {
                    s.revoked_tokens.insert(claims.jti, claims.exp);
                    Some(("access_token", claims.jti.to_string()))
                } else if let Some(record) = s
                    .refresh_tokens
                    .get(&refresh_hash)
                    .filter(|r| r.client_id == app.client_id)
                    .cloned()
                {
                    revoke_grant(s, record.grant_sid, now);
                    Some(("refresh_token", record.sid.to_string()))
                } else {
                    None
                };
            if let Some((kind, id)) = revoked {
                s.audit.record(
                    self.config.audit_capacity,
                    types::TOKEN_REVOKED,
                    now,
                    &Actor::named(app.client_id),
                    app.client_id,
                    json!({ "token_type": kind, "id": id }),
                );
            }
            Ok(())
        })
    }
}

/// What a `oauth-tokens.issued` event records: the grant type, token id and scope,
/// and for authorization-code grants the grant and whether a refresh token came too.
fn token_issued_details(grant_type: GrantKind, issue: &Issue) -> serde_json::Value {
    let mut details = json!({
        "grant_type": grant_type.name(),
        "jti": issue.claims.jti,
        "scope": issue.claims.scope,
    });
    if let Some(grant_sid) = issue.claims.grant_sid {
        details["grant_sid"] = json!(grant_sid);
        details["refresh_token_issued"] = json!(issue.refresh_token.is_some());
    }
    details
}

#[derive(Clone, Copy)]
enum GrantKind {
    ClientCredentials,
    AuthorizationCode,
    RefreshToken,
}

impl GrantKind {
    fn name(self) -> &'static str {
        match self {
            GrantKind::ClientCredentials => "client_credentials",
            GrantKind::AuthorizationCode => "authorization_code",
            GrantKind::RefreshToken => "refresh_token",
        }
    }
}

fn authenticate<'s>(
    s: &'s State,
    client_id: ClientId,
    secret: &str,
    now: OffsetDateTime,
) -> Result<&'s StoredApp, OAuthError> {
    s.apps
        .get(&client_id)
        .filter(|app| app.accepts_secret(secret, now))
        .ok_or(OAuthError::InvalidClient)
}

/// Whether a grant, or the authorization it belongs to, was revoked.
pub(super) fn grant_revoked(s: &State, grant: &Grant) -> bool {
    grant.revoked_at.is_some()
        || s.authorizations
            .get(&grant.authorization_sid)
            .is_none_or(|a| a.revoked_at.is_some())
}

/// Revokes a grant and drops its refresh tokens.
fn revoke_grant(s: &mut State, grant_sid: GrantSid, now: OffsetDateTime) {
    if let Some(grant) = s.grants.get_mut(&grant_sid) {
        grant.revoked_at.get_or_insert(now);
    }
    s.refresh_tokens.retain(|_, r| r.grant_sid != grant_sid);
}

/// Parses the `scope` of an authorization request: `offline_access` asks for a
/// refresh token; other names must be scopes of the app (all of them if none).
fn requested_scopes(app: &App, scope: Option<&str>) -> Result<(Vec<String>, bool), String> {
    let mut offline = false;
    let mut named = Vec::new();
    for s in scope.unwrap_or("").split(' ').filter(|s| !s.is_empty()) {
        if s == OFFLINE_ACCESS {
            offline = true;
        } else if !app.scopes.iter().any(|a| a == s) {
            return Err(s.chars().take(128).collect());
        } else if !named.iter().any(|n| n == s) {
            named.push(s.to_owned());
        }
    }
    if named.is_empty() {
        named = app.scopes.clone();
    }
    Ok((named, offline))
}

/// Narrows `granted` to the space-separated `requested` scopes, if any.
/// `offline_access` names no permission: clients that repeat it on a token or
/// refresh request get the scopes they would have had without it.
fn narrow(granted: &[String], requested: Option<&str>) -> Result<String, OAuthError> {
    let mut named = requested
        .unwrap_or("")
        .split(' ')
        .filter(|s| !s.is_empty() && *s != OFFLINE_ACCESS)
        .peekable();
    if named.peek().is_none() {
        return Ok(granted.join(" "));
    }
    let mut out: Vec<&str> = Vec::new();
    for s in named {
        if !granted.iter().any(|g| g == s) {
            return Err(OAuthError::InvalidScope(s.chars().take(128).collect()));
        }
        if !out.contains(&s) {
            out.push(s);
        }
    }
    Ok(out.join(" "))
}

fn upsert_authorization(
    s: &mut State,
    client_id: ClientId,
    organization_sid: OrganizationSid,
    user_sid: UserSid,
    scopes: &[String],
    now: OffsetDateTime,
) -> Authorization {
    let existing = s.authorizations.find_mut(|a| {
        a.client_id == client_id && a.authorized_by == user_sid && a.revoked_at.is_none()
    });
    match existing {
        Some(a) => {
            for scope in scopes {
                if !a.scopes.contains(scope) {
                    a.scopes.push(scope.clone());
                }
            }
            a.clone()
        }
        None => {
            let a = Authorization {
                sid: AuthorizationSid::generate(),
                client_id,
                organization_sid,
                authorized_by: user_sid,
                scopes: scopes.to_vec(),
                created_at: now,
                revoked_at: None,
            };
            s.authorizations.insert(a.sid, a.clone());
            a
        }
    }
}
