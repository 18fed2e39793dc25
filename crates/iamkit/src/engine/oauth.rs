//! The authorization-code flow and the Token API, as engine operations: each one
//! runs the rules of [`crate::authorize`] or [`crate::tokens::grant`] in one store
//! write and records what happened.

use serde_json::json;
use time::OffsetDateTime;

use super::users::user_in;
use super::Engine;
use crate::apps::{App, AppError};
use crate::audit::{types, Actor};
use crate::authorize::{
    self, redirect_with, Authorization, AuthorizeError, AuthorizeRequest, AuthorizeResponse,
    CODE_LIFETIME,
};
use crate::error_code::ErrorCode;
use crate::ids::{AuthorizationSid, ClientId, OrganizationSid, Sid, UserSid};
use crate::secrets::SecretString;
use crate::signing::sign;
use crate::store::{self, State, StoreError};
use crate::tokens::grant::{self, Issue, Issuer, Outcome};
use crate::tokens::{OAuthError, TokenRequest, TokenResponse};

/// The actor and subject of a refused token request whose `client_id` names no app.
const UNKNOWN_CLIENT: &str = "unknown-client";

/// What the consent page shows about a valid authorization request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRequest {
    /// The app asking for access.
    pub app: App,
    /// The scopes it would get.
    pub scopes: Vec<String>,
    /// Whether it asks for a refresh token.
    pub offline_access: bool,
    /// The anti-CSRF ticket the page's form carries back to
    /// [`Engine::decide_consent`]: bound to this request, valid for
    /// [`authorize::TICKET_LIFETIME`].
    pub ticket: String,
}

impl Engine {
    /// Checks an authorization request before a user is chosen, for a consent page.
    /// A redirectable error should be sent back to the redirect URI
    /// ([`AuthorizeError::redirect_to`]); the others are shown, never redirected.
    pub fn check_authorize_request(
        &self,
        req: &AuthorizeRequest,
    ) -> Result<ConsentRequest, AuthorizeError> {
        let consent = store::read(self.store(), |s| authorize::check(&s.apps, req))?;
        Ok(ConsentRequest {
            app: consent.app,
            scopes: consent.scopes,
            offline_access: consent.offline_access,
            ticket: self.tickets.issue(req, self.now()),
        })
    }

    /// The submitted form of a consent page: refused as
    /// [`AuthorizeError::ForgedConsent`] or [`AuthorizeError::ConsentExpired`] unless
    /// `ticket` is the one [`Engine::check_authorize_request`] gave for this request
    /// within [`authorize::TICKET_LIFETIME`]; then approved ([`Engine::authorize`])
    /// or, when `approve` is false, denied ([`AuthorizeError::Denied`], after the
    /// request's own checks).
    pub fn decide_consent(
        &self,
        req: &AuthorizeRequest,
        ticket: &str,
        approve: bool,
    ) -> Result<AuthorizeResponse, AuthorizeError> {
        self.tickets.check(req, ticket, self.now())?;
        if approve {
            return self.authorize(req);
        }
        store::read(self.store(), |s| authorize::check(&s.apps, req))?;
        Err(AuthorizeError::Denied)
    }

    /// A signed-in user approves an authorization-code app: records the
    /// authorization and returns a five-minute, single-use code and the redirect.
    pub fn authorize(&self, req: &AuthorizeRequest) -> Result<AuthorizeResponse, AuthorizeError> {
        let now = self.now();
        let code = SecretString::generate();
        let authorization = store::write(self.store(), |s| {
            let consent = authorize::check(&s.apps, req)?;
            let user = UserSid::parse(&req.user_sid)
                .ok()
                .and_then(|sid| user_in(s, consent.app.owner.organization_sid(), sid));
            let approval =
                authorize::approve(s.consent_tables(), consent, user, req, code.hash(), now)?;
            let (authorization, grant) = (approval.authorization, approval.grant);
            // Approving what is already authorized issues a code but grants nothing:
            // no event, so repeated approvals cannot flood the log.
            if approval.granted {
                s.audit.record(
                    self.config.audit_capacity,
                    types::AUTHORIZATION_GRANTED,
                    now,
                    &Actor::named(grant.user_sid),
                    authorization.sid,
                    json!({ "client_id": grant.client_id, "grant_sid": grant.sid, "scopes": authorization.scopes, "offline_access": grant.offline_access }),
                );
            }
            Ok::<_, AuthorizeError>(authorization)
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

    /// One authorization by sid, revoked or not (`revoked_at` says when).
    pub fn authorization(&self, sid: AuthorizationSid) -> Result<Authorization, AppError> {
        store::read(self.store(), |s| s.authorizations.get(&sid).cloned())
            .ok_or(AppError::AuthorizationNotFound(sid))
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
        let revoked = authorize::revoke(
            &mut s.authorizations,
            &s.grants,
            &mut s.refresh_tokens,
            sids,
            now,
        );
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
        self.store().check_fresh()?;
        store::read(self.store(), |s| {
            grant::authenticate(&s.apps, client_id, secret, now).map(|a| a.app.clone())
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
                let client = req
                    .client_id
                    .as_deref()
                    .and_then(|id| ClientId::parse(id).ok());
                store::write(self.store(), |s| {
                    // Only the id of a real app names the caller: any other text sent
                    // as `client_id` (another actor's name, a pasted secret, a made-up
                    // id) is not kept.
                    let (actor, subject) = match client.filter(|id| s.apps.contains_key(id)) {
                        Some(id) => (Actor::named(id), id.to_string()),
                        None => (Actor::named(UNKNOWN_CLIENT), UNKNOWN_CLIENT.to_owned()),
                    };
                    s.audit.record(
                        self.config.refusal_capacity,
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
        let parsed = grant::parse(req)?;
        let issuer = Issuer {
            iss: &self.config.issuer,
            aud: &self.config.audience,
            refresh: self.config.refresh_tokens,
        };
        let now = self.now();
        let client = Actor::named(parsed.client_id);
        store::write(self.store(), |s| {
            let outcome = grant::grant(s.token_tables(), &parsed, &issuer, now)?;
            match &outcome {
                Outcome::Issued(issue) => s.audit.record(
                    self.config.audit_capacity,
                    types::TOKEN_ISSUED,
                    now,
                    &client,
                    parsed.client_id,
                    token_issued_details(parsed.kind, issue),
                ),
                Outcome::Reused(authorization) => {
                    let reason = "refresh token reused";
                    self.revoke_authorizations(s, &[*authorization], now, &client, reason);
                }
                Outcome::Refused(_) => {}
            }
            Ok::<_, OAuthError>(outcome)
        })?
        .into_result()
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
        let access = crate::signing::verify_signature(token, &self.key).ok();
        store::write(self.store(), |s| {
            let revoked = grant::revoke(s.token_tables(), &app, access.as_ref(), token, now);
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
fn token_issued_details(grant_type: grant::GrantKind, issue: &Issue) -> serde_json::Value {
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
