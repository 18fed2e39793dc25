//! The rules of the consent step: which requests may reach a user (client,
//! redirect URI, grant, response type, scope, PKCE, in RFC 6749's order), who may
//! approve, and what an approval records.

use time::OffsetDateTime;

use super::{
    retention, Authorization, AuthorizeError, AuthorizeRequest, Grant, Pkce, RefreshToken,
    OFFLINE_ACCESS,
};
use crate::apps::{App, GrantType, StoredApp};
use crate::directory::User;
use crate::ids::{AuthorizationSid, ClientId, GrantSid, OrganizationSid, Sid, UserSid};
use crate::secrets::SecretHash;
use crate::tracked::TrackedMap;

/// An authorization request that passed every check that does not depend on the
/// user.
pub(crate) struct Consent {
    pub app: App,
    pub scopes: Vec<String>,
    pub offline_access: bool,
    pkce: Option<Pkce>,
}

/// Checks an authorization request up to (not including) the user. A wrong
/// redirect URI is never redirected to, so it is checked right after the client.
pub(crate) fn check(
    apps: &TrackedMap<ClientId, StoredApp>,
    req: &AuthorizeRequest,
) -> Result<Consent, AuthorizeError> {
    let client_id = ClientId::parse(&req.client_id).map_err(|_| AuthorizeError::UnknownClient)?;
    let app = &apps
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
        app: app.clone(),
        scopes,
        offline_access,
        pkce,
    })
}

/// The tables an approval writes.
pub(crate) struct Tables<'s> {
    pub authorizations: &'s mut TrackedMap<AuthorizationSid, Authorization>,
    pub grants: &'s mut TrackedMap<GrantSid, Grant>,
    /// Code hash → grant.
    pub codes: &'s mut TrackedMap<SecretHash, GrantSid>,
    pub refresh_tokens: &'s mut TrackedMap<SecretHash, RefreshToken>,
}

/// `user` (of the app's organization, or `None` if there is no such user) approves
/// a checked request: an active, non-SSO Owner or Administrator may. Refuses a code
/// beyond the app's [`super::MAX_PENDING_CODES`], drops the codes that expired
/// unredeemed and the refresh tokens past their end, records or widens the authorization, and starts a
/// grant for the code of hash `code_hash`.
pub(crate) fn approve(
    t: Tables<'_>,
    consent: Consent,
    user: Option<User>,
    req: &AuthorizeRequest,
    code_hash: SecretHash,
    now: OffsetDateTime,
) -> Result<Approval, AuthorizeError> {
    let user = user.ok_or(AuthorizeError::UnknownUser)?;
    if !user.active {
        return Err(AuthorizeError::InactiveUser);
    }
    if user.sso {
        return Err(AuthorizeError::SsoUser);
    }
    if !user.may_authorize_apps() {
        return Err(AuthorizeError::NotAnAdministrator);
    }
    let app = &consent.app;
    retention::check_room(t.grants, app.client_id, now)?;
    retention::drop_spent(t.grants, t.codes, t.refresh_tokens, now);
    let (authorization, granted) = upsert_authorization(
        t.authorizations,
        app.client_id,
        app.owner.organization_sid(),
        user.sid,
        &consent.scopes,
        now,
    );
    let grant = Grant {
        sid: GrantSid::generate(),
        authorization_sid: authorization.sid,
        client_id: app.client_id,
        user_sid: user.sid,
        scopes: consent.scopes,
        offline_access: consent.offline_access,
        redirect_uri: req.redirect_uri.clone(),
        code_hash,
        pkce: consent.pkce,
        issued_at: now,
        redeemed_at: None,
        revoked_at: None,
    };
    t.codes.insert(code_hash, grant.sid);
    t.grants.insert(grant.sid, grant.clone());
    Ok(Approval {
        authorization,
        grant,
        granted,
    })
}

/// What an approval recorded.
pub(crate) struct Approval {
    pub authorization: Authorization,
    /// The grant of the new code.
    pub grant: Grant,
    /// Whether the authorization is new or gained scopes (else it only issued a code).
    pub granted: bool,
}

/// Revokes active authorizations at `now` and drops the refresh tokens of their
/// grants (their codes and access tokens stop working because the authorization is
/// revoked); returns those it revoked.
pub(crate) fn revoke(
    authorizations: &mut TrackedMap<AuthorizationSid, Authorization>,
    grants: &TrackedMap<GrantSid, Grant>,
    refresh_tokens: &mut TrackedMap<SecretHash, RefreshToken>,
    sids: &[AuthorizationSid],
    now: OffsetDateTime,
) -> Vec<Authorization> {
    let mut revoked = Vec::new();
    for sid in sids {
        if let Some(a) = authorizations
            .get_mut(sid)
            .filter(|a| a.revoked_at.is_none())
        {
            a.revoked_at = Some(now);
            revoked.push(a.clone());
        }
    }
    refresh_tokens.retain(|_, r| {
        grants
            .get(&r.grant_sid)
            .is_some_and(|g| !sids.contains(&g.authorization_sid))
    });
    revoked
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

/// The user's active authorization of the app, widened to `scopes`, or a new one;
/// and whether it is new or was widened.
fn upsert_authorization(
    authorizations: &mut TrackedMap<AuthorizationSid, Authorization>,
    client_id: ClientId,
    organization_sid: OrganizationSid,
    user_sid: UserSid,
    scopes: &[String],
    now: OffsetDateTime,
) -> (Authorization, bool) {
    let existing = authorizations.find_mut(|a| {
        a.client_id == client_id && a.authorized_by == user_sid && a.revoked_at.is_none()
    });
    match existing {
        Some(a) => {
            let known = a.scopes.len();
            for scope in scopes {
                if !a.scopes.contains(scope) {
                    a.scopes.push(scope.clone());
                }
            }
            (a.clone(), a.scopes.len() > known)
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
            authorizations.insert(a.sid, a.clone());
            (a, true)
        }
    }
}
