//! Verifying access tokens, checking them against the catalogue, introspection and
//! the published documents (JWKS, authorization-server metadata).

use serde_json::{json, Value};

use super::Engine;
use crate::apps::App;
use crate::catalogue::{AccessError, Method};
use crate::error_code::ErrorCode;
use crate::ids::{AccountSid, OrganizationSid};
use crate::secrets::SecretHash;
use crate::signing::{decode_unverified, verify_signature, Claims, TokenError};
use crate::store::{self, State};
use crate::tokens::grant::grant_revoked;
use crate::tokens::{Introspection, TokenInspection};

/// A request a token may make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    /// The permission that allows it.
    pub permission: String,
    /// The verified token's claims.
    pub claims: Claims,
}

impl Engine {
    /// Verifies an access token: form, algorithm, key, signature, issuer, audience,
    /// times (by the engine clock, no leeway), and that its app, its authorization
    /// and the token itself are neither deleted nor revoked. An engine whose store
    /// follows a shared database and has not heard from it within its staleness
    /// bound answers `storage_error` instead of trusting what it last read.
    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let claims = verify_signature(token, &self.key)?;
        if claims.iss != self.config.issuer {
            return Err(TokenError::WrongIssuer);
        }
        if claims.aud != self.config.audience {
            return Err(TokenError::WrongAudience);
        }
        let now = self.now().unix_timestamp();
        if now >= claims.exp {
            return Err(TokenError::Expired);
        }
        if now < claims.nbf {
            return Err(TokenError::NotYetValid);
        }
        self.store().check_fresh()?;
        store::read(self.store(), |s| still_valid(s, &claims))?;
        Ok(claims)
    }

    /// Inspects a token: its header and claims as sent, and the verdict of
    /// [`Engine::verify`] with its code; for an expired token, how long ago it
    /// expired.
    pub fn inspect_token(&self, token: &str) -> TokenInspection {
        let (header, claims) = decode_unverified(token);
        let verdict = self.verify(token);
        let expired_seconds_ago = match (&verdict, &claims) {
            (Err(TokenError::Expired), Some(c)) => c
                .get("exp")
                .and_then(Value::as_i64)
                .map(|exp| self.now().unix_timestamp().saturating_sub(exp)),
            _ => None,
        };
        let error = verdict.err();
        TokenInspection {
            valid: error.is_none(),
            code: error.as_ref().map(|e| e.code().to_owned()),
            message: error.as_ref().map(ToString::to_string),
            expired_seconds_ago,
            header,
            claims,
        }
    }

    /// Whether `token` may make the request `method path`: the token must verify,
    /// carry the permission the catalogue of its app's level requires for the path,
    /// and belong to the organization or account the path names.
    pub fn check_access(
        &self,
        token: &str,
        method: &str,
        path: &str,
    ) -> Result<Access, AccessError> {
        let claims = self.verify(token)?;
        let unknown = || AccessError::UnknownEndpoint {
            method: method.chars().take(16).collect(),
            path: path.chars().take(256).collect(),
        };
        let method: Method = method.parse().map_err(|_| unknown())?;
        let Some(found) = self
            .config
            .catalogue_for(claims.account_sid)
            .find(method, path)
        else {
            return Err(self
                .other_level(&claims, method, path)
                .unwrap_or_else(unknown));
        };
        if !claims.scopes().any(|s| s == found.permission) {
            return Err(AccessError::InsufficientScope {
                required: found.permission.to_owned(),
            });
        }
        if let Some(org) = found.owners.organization {
            if org.parse::<OrganizationSid>().ok() != Some(claims.organization_sid) {
                return Err(AccessError::WrongOrganization);
            }
        }
        if let Some(account) = found.owners.account {
            if account.parse::<AccountSid>().ok() != claims.account_sid {
                return Err(AccessError::WrongOrganization);
            }
        }
        Ok(Access {
            permission: found.permission.to_owned(),
            claims,
        })
    }

    /// For a request no permission of the token's catalogue covers: `WrongLevel`
    /// when the other level's catalogue covers it.
    fn other_level(&self, claims: &Claims, method: Method, path: &str) -> Option<AccessError> {
        let (other, needed, given) = match claims.account_sid {
            Some(_) => (
                &self.config.organization_catalogue,
                "organization",
                "account",
            ),
            None => (&self.config.account_catalogue, "account", "organization"),
        };
        other
            .find(method, path)
            .map(|_| AccessError::WrongLevel { needed, given })
    }

    /// RFC 7662 introspection of an access or refresh token. Anything that does not
    /// verify is just `active: false`.
    pub fn introspect(&self, token: &str) -> Introspection {
        if let Ok(c) = self.verify(token) {
            return Introspection {
                active: true,
                scope: Some(c.scope),
                client_id: Some(c.client_id),
                token_type: Some("access_token".into()),
                exp: Some(c.exp),
                iat: Some(c.iat),
                nbf: Some(c.nbf),
                sub: Some(c.sub),
                aud: Some(c.aud),
                iss: Some(c.iss),
                jti: Some(c.jti.to_string()),
                organization_sid: Some(c.organization_sid),
                account_sid: c.account_sid,
            };
        }
        if self.store().check_fresh().is_err() {
            return Introspection::inactive();
        }
        let hash = SecretHash::of(token.as_bytes());
        let now = self.now();
        store::read(self.store(), |s| {
            let record = s.refresh_tokens.get(&hash)?;
            let grant = s.grants.get(&record.grant_sid)?;
            let app = s.apps.get(&record.client_id)?;
            let lifetime = self.config.refresh_tokens.lifetime;
            if grant_revoked(&s.authorizations, grant) || !record.usable(grant, lifetime, now) {
                return None;
            }
            Some(Introspection {
                active: true,
                exp: Some(record.expires_at(grant, lifetime).unix_timestamp()),
                scope: Some(grant.scopes.join(" ")),
                client_id: Some(record.client_id),
                token_type: Some("refresh_token".into()),
                sub: Some(grant.user_sid.to_string()),
                iss: Some(self.config.issuer.clone()),
                organization_sid: Some(app.app.owner.organization_sid()),
                ..Introspection::inactive()
            })
        })
        .unwrap_or_else(Introspection::inactive)
    }

    /// RFC 7662 introspection as the client `caller` sees it: a token of another
    /// organization is inactive, as an unknown one is (RFC 7662 §2.2 lets the server
    /// hide what the caller may not know).
    pub fn introspect_as(&self, caller: &App, token: &str) -> Introspection {
        let seen = self.introspect(token);
        if seen.organization_sid == Some(caller.owner.organization_sid()) {
            seen
        } else {
            Introspection::inactive()
        }
    }

    /// The JWKS document of the signing key (no keys for HS256, whose key is secret).
    pub fn jwks(&self) -> Value {
        json!({ "keys": self.key.public_jwk().into_iter().collect::<Vec<_>>() })
    }

    /// The RFC 8414 authorization-server metadata document.
    pub fn metadata(&self) -> Value {
        let base = &self.config.issuer;
        let scopes: Vec<&str> = self
            .config
            .organization_catalogue
            .permissions()
            .iter()
            .chain(self.config.account_catalogue.permissions())
            .map(|p| p.name.as_str())
            .chain([crate::authorize::OFFLINE_ACCESS])
            .collect();
        json!({
            "issuer": base,
            "authorization_endpoint": format!("{base}/v2/authorize"),
            "token_endpoint": format!("{base}/v2/token"),
            "jwks_uri": format!("{base}/.well-known/jwks.json"),
            "introspection_endpoint": format!("{base}/v2/introspect"),
            "revocation_endpoint": format!("{base}/v2/revoke"),
            "response_types_supported": ["code"],
            "grant_types_supported": ["client_credentials", "authorization_code", "refresh_token"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "introspection_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "revocation_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "code_challenge_methods_supported": ["S256", "plain"],
            "token_endpoint_auth_signing_alg_values_supported": [self.key.algorithm().as_str()],
            "scopes_supported": scopes,
        })
    }
}

/// The state checks of verification: app, grant and token not deleted or revoked.
fn still_valid(s: &State, claims: &Claims) -> Result<(), TokenError> {
    let app = s
        .apps
        .get(&claims.client_id)
        .ok_or(TokenError::AppDeleted)?;
    if app.app.owner.organization_sid() != claims.organization_sid {
        return Err(TokenError::AppDeleted);
    }
    if let Some(grant_sid) = claims.grant_sid {
        let revoked = s
            .grants
            .get(&grant_sid)
            .is_none_or(|g| grant_revoked(&s.authorizations, g));
        if revoked {
            return Err(TokenError::AuthorizationRevoked);
        }
    }
    if s.revoked_tokens.contains_key(&claims.jti) {
        return Err(TokenError::Revoked);
    }
    Ok(())
}
