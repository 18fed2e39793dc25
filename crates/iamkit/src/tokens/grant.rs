//! The rules of the Token API: which grant a request asks for, the client's
//! credentials, redeeming a code exactly once (a replay revokes its grant), PKCE,
//! refresh tokens, narrowing scopes, the claims of the token issued, and RFC 7009
//! revocation. They work on [`Tables`], the part of the state the Token API
//! reads and writes.

use time::OffsetDateTime;

use super::{OAuthError, TokenRequest};
use crate::apps::{App, GrantType, StoredApp};
use crate::authorize::{Authorization, Grant, RefreshPolicy, RefreshToken, OFFLINE_ACCESS};
use crate::ids::{AuthorizationSid, ClientId, GrantSid, RefreshTokenSid, Sid, TokenId};
use crate::secrets::{SecretHash, SecretString};
use crate::signing::Claims;
use crate::tracked::TrackedMap;

/// The tables the Token API works on.
pub(crate) struct Tables<'s> {
    pub apps: &'s TrackedMap<ClientId, StoredApp>,
    pub authorizations: &'s TrackedMap<AuthorizationSid, Authorization>,
    pub grants: &'s mut TrackedMap<GrantSid, Grant>,
    /// Code hash → grant.
    pub codes: &'s TrackedMap<SecretHash, GrantSid>,
    pub refresh_tokens: &'s mut TrackedMap<SecretHash, RefreshToken>,
    /// Revoked access-token ids and their expiry (Unix seconds).
    pub revoked_tokens: &'s mut TrackedMap<TokenId, i64>,
}

/// Who signs, and how: the `iss` and `aud` of every token, and how refresh tokens
/// live.
pub(crate) struct Issuer<'a> {
    pub iss: &'a str,
    pub aud: &'a str,
    pub refresh: RefreshPolicy,
}

/// The grant types of the Token API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GrantKind {
    ClientCredentials,
    AuthorizationCode,
    RefreshToken,
}

impl GrantKind {
    /// The `grant_type` form value.
    pub fn name(self) -> &'static str {
        match self {
            GrantKind::ClientCredentials => "client_credentials",
            GrantKind::AuthorizationCode => "authorization_code",
            GrantKind::RefreshToken => "refresh_token",
        }
    }

    fn parse(grant_type: &str) -> Result<Self, OAuthError> {
        match grant_type {
            "" => Err(OAuthError::MissingParameter("grant_type")),
            "client_credentials" => Ok(GrantKind::ClientCredentials),
            "authorization_code" => Ok(GrantKind::AuthorizationCode),
            "refresh_token" => Ok(GrantKind::RefreshToken),
            other => Err(OAuthError::UnsupportedGrantType(
                other.chars().take(64).collect(),
            )),
        }
    }
}

/// A token request whose grant type and client credentials are well-formed.
pub(crate) struct Parsed<'r> {
    pub kind: GrantKind,
    pub client_id: ClientId,
    secret: &'r SecretString,
    req: &'r TokenRequest,
}

/// Checks the fields every grant needs, in this order: `grant_type`, `client_id`,
/// `client_secret`.
pub(crate) fn parse(req: &TokenRequest) -> Result<Parsed<'_>, OAuthError> {
    let kind = GrantKind::parse(&req.grant_type)?;
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
    Ok(Parsed {
        kind,
        client_id,
        secret,
        req,
    })
}

/// What a successful grant yields before signing.
pub(crate) struct Issue {
    pub claims: Claims,
    pub refresh_token: Option<SecretString>,
}

/// How a token request that passed [`parse`] ends. A refusal that changed the state
/// (a replayed code revokes its grant) is [`Outcome::Refused`], so that the change
/// is kept; any other refusal is an `Err` and changes nothing.
pub(crate) enum Outcome {
    Issued(Issue),
    Refused(OAuthError),
    /// A rotated-out refresh token was used again: the engine revokes this
    /// authorization and refuses with [`OAuthError::RefreshTokenReused`].
    Reused(AuthorizationSid),
}

impl Outcome {
    /// The issue, or the refusal as an error.
    pub fn into_result(self) -> Result<Issue, OAuthError> {
        match self {
            Outcome::Issued(issue) => Ok(issue),
            Outcome::Refused(error) => Err(error),
            Outcome::Reused(_) => Err(OAuthError::RefreshTokenReused),
        }
    }
}

/// Authenticates the client, then applies its grant.
pub(crate) fn grant(
    t: Tables<'_>,
    parsed: &Parsed<'_>,
    issuer: &Issuer<'_>,
    now: OffsetDateTime,
) -> Result<Outcome, OAuthError> {
    let app = &authenticate(t.apps, parsed.client_id, parsed.secret.expose(), now)?.app;
    let req = parsed.req;
    match parsed.kind {
        GrantKind::ClientCredentials => {
            if app.grant_type != GrantType::ClientCredentials {
                return Err(OAuthError::UnauthorizedClient("client_credentials"));
            }
            let scopes = narrow(&app.scopes, req.scope.as_deref())?;
            Ok(Outcome::Issued(Issue {
                claims: claims(app, app.client_id.to_string(), scopes, None, issuer, now),
                refresh_token: None,
            }))
        }
        GrantKind::AuthorizationCode => redeem_code(t, app, req, issuer, now),
        GrantKind::RefreshToken => refresh(t, app, req, issuer, now),
    }
}

/// The app `client_id` if `secret` is its current secret, or its previous one
/// within the grace period at `now`.
pub(crate) fn authenticate<'s>(
    apps: &'s TrackedMap<ClientId, StoredApp>,
    client_id: ClientId,
    secret: &str,
    now: OffsetDateTime,
) -> Result<&'s StoredApp, OAuthError> {
    apps.get(&client_id)
        .filter(|app| app.accepts_secret(secret, now))
        .ok_or(OAuthError::InvalidClient)
}

/// Redeems a code once: a second redemption revokes the grant and every token of
/// it (RFC 6749 §4.1.2), and is refused.
fn redeem_code(
    t: Tables<'_>,
    app: &App,
    req: &TokenRequest,
    issuer: &Issuer<'_>,
    now: OffsetDateTime,
) -> Result<Outcome, OAuthError> {
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
    let grant_sid = *t.codes.get(&code.hash()).ok_or(OAuthError::InvalidCode)?;
    let grant = t
        .grants
        .get(&grant_sid)
        .filter(|g| g.client_id == app.client_id)
        .ok_or(OAuthError::InvalidCode)?;
    if grant.redeemed_at.is_some() {
        revoke_grant(t.grants, t.refresh_tokens, grant_sid, now);
        return Ok(Outcome::Refused(OAuthError::CodeReused));
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
    if grant_revoked(t.authorizations, grant) {
        return Err(OAuthError::AuthorizationRevoked);
    }
    let scopes = narrow(&grant.scopes, req.scope.as_deref())?;
    let claims = claims(
        app,
        grant.user_sid.to_string(),
        scopes,
        Some(grant_sid),
        issuer,
        now,
    );
    let refresh_token = grant.offline_access.then(SecretString::generate);
    if let Some(token) = &refresh_token {
        let expires = now + issuer.refresh.lifetime;
        keep_refresh_token(t.refresh_tokens, token, grant_sid, app.client_id, expires);
    }
    if let Some(grant) = t.grants.get_mut(&grant_sid) {
        grant.redeemed_at = Some(now);
    }
    Ok(Outcome::Issued(Issue {
        claims,
        refresh_token,
    }))
}

/// A new access token for the grant of a refresh token, and with rotation a new
/// refresh token that retires the one used. An expired token is refused; a retired
/// one used again is [`Outcome::Reused`].
fn refresh(
    t: Tables<'_>,
    app: &App,
    req: &TokenRequest,
    issuer: &Issuer<'_>,
    now: OffsetDateTime,
) -> Result<Outcome, OAuthError> {
    if app.grant_type != GrantType::AuthorizationCode {
        return Err(OAuthError::UnauthorizedClient("refresh_token"));
    }
    let token = req
        .refresh_token
        .as_ref()
        .filter(|t| !t.expose().is_empty())
        .ok_or(OAuthError::MissingParameter("refresh_token"))?;
    let record = t
        .refresh_tokens
        .get(&token.hash())
        .filter(|r| r.client_id == app.client_id)
        .ok_or(OAuthError::InvalidRefreshToken)?;
    let grant = t
        .grants
        .get(&record.grant_sid)
        .ok_or(OAuthError::InvalidRefreshToken)?;
    if grant_revoked(t.authorizations, grant) {
        return Err(OAuthError::AuthorizationRevoked);
    }
    if record.rotated_at.is_some() {
        return Ok(Outcome::Reused(grant.authorization_sid));
    }
    let expires = record.expires_at(grant, issuer.refresh.lifetime);
    if now >= expires {
        return Err(OAuthError::RefreshTokenExpired);
    }
    let scopes = narrow(&grant.scopes, req.scope.as_deref())?;
    let claims = claims(
        app,
        grant.user_sid.to_string(),
        scopes,
        Some(grant.sid),
        issuer,
        now,
    );
    let grant_sid = grant.sid;
    let successor = issuer.refresh.rotate.then(SecretString::generate);
    if let Some(next) = &successor {
        if let Some(used) = t.refresh_tokens.get_mut(&token.hash()) {
            used.rotated_at = Some(now);
        }
        keep_refresh_token(t.refresh_tokens, next, grant_sid, app.client_id, expires);
    }
    Ok(Outcome::Issued(Issue {
        claims,
        refresh_token: successor,
    }))
}

/// Records a refresh token of `grant_sid` that works until `expires`.
fn keep_refresh_token(
    refresh_tokens: &mut TrackedMap<SecretHash, RefreshToken>,
    token: &SecretString,
    grant_sid: GrantSid,
    client_id: ClientId,
    expires: OffsetDateTime,
) {
    refresh_tokens.insert(
        token.hash(),
        RefreshToken {
            sid: RefreshTokenSid::generate(),
            grant_sid,
            client_id,
            expires: Some(expires),
            rotated_at: None,
        },
    );
}

fn claims(
    app: &App,
    sub: String,
    scope: String,
    grant_sid: Option<GrantSid>,
    issuer: &Issuer<'_>,
    now: OffsetDateTime,
) -> Claims {
    let iat = now.unix_timestamp();
    Claims {
        iss: issuer.iss.to_owned(),
        sub,
        aud: issuer.aud.to_owned(),
        iat,
        nbf: iat,
        exp: iat.saturating_add(i64::try_from(app.token_ttl).unwrap_or(i64::MAX)),
        jti: super::jti::fresh(),
        scope,
        client_id: app.client_id,
        organization_sid: app.owner.organization_sid(),
        account_sid: app.owner.account_sid(),
        grant_sid,
    }
}

/// What RFC 7009 revocation revoked: the kind of token and its id.
pub(crate) type Revoked = (&'static str, String);

/// RFC 7009 revocation by `app`: an access token of its own (`access`, when the
/// token's signature verified) is revoked until its expiry; a refresh token of its
/// own revokes its grant. Anything else changes nothing (RFC 7009 §2.2). Expired
/// revocations are dropped on the way.
pub(crate) fn revoke(
    t: Tables<'_>,
    app: &App,
    access: Option<&Claims>,
    token: &str,
    now: OffsetDateTime,
) -> Option<Revoked> {
    let now_unix = now.unix_timestamp();
    t.revoked_tokens.retain(|_, exp| *exp > now_unix);
    if let Some(claims) = access.filter(|c| c.client_id == app.client_id) {
        t.revoked_tokens.insert(claims.jti, claims.exp);
        return Some(("access_token", claims.jti.to_string()));
    }
    let record = t
        .refresh_tokens
        .get(&SecretHash::of(token.as_bytes()))
        .filter(|r| r.client_id == app.client_id)
        .cloned()?;
    revoke_grant(t.grants, t.refresh_tokens, record.grant_sid, now);
    Some(("refresh_token", record.sid.to_string()))
}

/// Whether a grant, or the authorization it belongs to, was revoked.
pub(crate) fn grant_revoked(
    authorizations: &TrackedMap<AuthorizationSid, Authorization>,
    grant: &Grant,
) -> bool {
    grant.revoked_at.is_some()
        || authorizations
            .get(&grant.authorization_sid)
            .is_none_or(|a| a.revoked_at.is_some())
}

/// Revokes a grant and drops its refresh tokens.
fn revoke_grant(
    grants: &mut TrackedMap<GrantSid, Grant>,
    refresh_tokens: &mut TrackedMap<SecretHash, RefreshToken>,
    grant_sid: GrantSid,
    now: OffsetDateTime,
) {
    if let Some(grant) = grants.get_mut(&grant_sid) {
        grant.revoked_at.get_or_insert(now);
    }
    refresh_tokens.retain(|_, r| r.grant_sid != grant_sid);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrowing_keeps_the_order_asked_drops_repeats_and_offline_access() {
        let granted = vec!["a".to_owned(), "b".to_owned(), "c".to_owned()];
        assert_eq!(narrow(&granted, None).unwrap(), "a b c");
        assert_eq!(narrow(&granted, Some("offline_access")).unwrap(), "a b c");
        assert_eq!(narrow(&granted, Some("c a c")).unwrap(), "c a");
        assert_eq!(
            narrow(&granted, Some("a d")),
            Err(OAuthError::InvalidScope("d".into()))
        );
    }

    #[test]
    fn grant_types_parse_by_their_form_name() {
        for kind in [
            GrantKind::ClientCredentials,
            GrantKind::AuthorizationCode,
            GrantKind::RefreshToken,
        ] {
            assert_eq!(GrantKind::parse(kind.name()), Ok(kind));
        }
        assert_eq!(
            GrantKind::parse(""),
            Err(OAuthError::MissingParameter("grant_type"))
        );
        assert_eq!(
            GrantKind::parse("password"),
            Err(OAuthError::UnsupportedGrantType("password".into()))
        );
    }
}
