//! Secrets: client secrets, account auth tokens, authorization codes and refresh
//! tokens.
//!
//! A plaintext secret exists only as a [`SecretString`], which never prints itself
//! and has no `Serialize`; the engine keeps only its [`SecretHash`] (SHA-256: the
//! secrets are 256-bit random values, so a slow KDF adds nothing) and compares hashes
//! in constant time.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ring::digest::{digest, SHA256};
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use subtle::ConstantTimeEq;

/// A plaintext secret handed to a caller once. Its `Debug` and `Display` are
/// redacted; read it with [`SecretString::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct SecretString(String);

impl SecretString {
    /// A fresh secret of 32 random bytes, base64url-encoded (43 characters).
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        SystemRandom::new()
            .fill(&mut bytes)
            .expect("the operating system's random source is available");
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// A fresh account auth token: 16 random bytes as 32 lower-case hex digits, the
    /// form of a Twilio auth token.
    pub fn generate_auth_token() -> Self {
        let mut bytes = [0u8; 16];
        SystemRandom::new()
            .fill(&mut bytes)
            .expect("the operating system's random source is available");
        Self(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// Wraps a secret received from a caller.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The plaintext. Call this only to hand the secret to its owner.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The hash the engine stores instead of the plaintext.
    pub fn hash(&self) -> SecretHash {
        SecretHash::of(self.0.as_bytes())
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretString(<redacted>)")
    }
}

impl From<&str> for SecretString {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

impl From<String> for SecretString {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

/// The SHA-256 of a secret. Equality is constant-time.
// Equality compares the same bytes the derived `Hash` hashes, only in constant time.
#[allow(clippy::derived_hash_with_manual_eq)]
#[derive(Clone, Copy, Eq, Hash)]
pub struct SecretHash([u8; 32]);

impl SecretHash {
    /// Hashes `secret`.
    pub fn of(secret: &[u8]) -> Self {
        let d = digest(&SHA256, secret);
        let mut out = [0u8; 32];
        out.copy_from_slice(d.as_ref());
        Self(out)
    }

    /// Whether `secret` hashes to this value, compared in constant time.
    pub fn matches(&self, secret: &str) -> bool {
        *self == Self::of(secret.as_bytes())
    }
}

impl PartialEq for SecretHash {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl fmt::Debug for SecretHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretHash(<sha-256>)")
    }
}

impl Serialize for SecretHash {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("sha256:{}", URL_SAFE_NO_PAD.encode(self.0)))
    }
}

impl<'de> Deserialize<'de> for SecretHash {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(d)?;
        let encoded = text
            .strip_prefix("sha256:")
            .ok_or_else(|| serde::de::Error::custom("a secret hash starts with \"sha256:\""))?;
        let bytes = URL_SAFE_NO_PAD
            .decode(encoded)
            .map_err(serde::de::Error::custom)?;
        let bytes: [u8; 32] = bytes
            .try_into()
            .map_err(|_| serde::de::Error::custom("a secret hash holds 32 bytes"))?;
        Ok(Self(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let s = SecretString::new("hunter2-very-secret");
        assert_eq!(format!("{s:?}"), "SecretString(<redacted>)");
        assert!(!format!("{:?}", s.hash()).contains("hunter2"));
    }

    #[test]
    fn generated_secrets_are_distinct_and_long() {
        let a = SecretString::generate();
        let b = SecretString::generate();
        assert_ne!(a, b);
        assert_eq!(a.expose().len(), 43);
        let token = SecretString::generate_auth_token();
        assert_eq!(token.expose().len(), 32);
        assert!(token
            .expose()
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
        assert_ne!(token, SecretString::generate_auth_token());
    }

    #[test]
    fn hash_matches_only_its_secret_and_round_trips() {
        let s = SecretString::new("abc");
        let h = s.hash();
        assert!(h.matches("abc"));
        assert!(!h.matches("abd"));
        let json = serde_json::to_string(&h).unwrap();
        assert!(json.starts_with("\"sha256:"));
        assert_eq!(serde_json::from_str::<SecretHash>(&json).unwrap(), h);
        assert!(serde_json::from_str::<SecretHash>("\"md5:abc\"").is_err());
    }
}
