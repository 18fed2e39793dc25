//! Secrets: client secrets, account auth tokens, authorization codes and refresh
//! tokens, and SCIM users' passwords.
//!
//! A plaintext secret exists only as a [`SecretString`], which never prints itself
//! and has no `Serialize`; the engine keeps only its [`SecretHash`] (SHA-256: the
//! secrets are 256-bit random values, so a slow KDF adds nothing) and compares hashes
//! in constant time. Passwords are chosen by people, so the engine keeps a salted,
//! slow [`PasswordHash`] of them instead.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use std::num::NonZeroU32;

use ring::digest::{digest, SHA256};
use ring::pbkdf2;
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

/// A password as the engine keeps it: PBKDF2-HMAC-SHA256 (RFC 8018) with a random
/// 16-byte salt, written `pbkdf2-sha256$<iterations>$<salt>$<hash>` (base64url).
/// Its `Debug` shows neither salt nor hash.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

const PASSWORD_SCHEME: &str = "pbkdf2-sha256";

impl PasswordHash {
    /// The PBKDF2 iterations of new hashes.
    pub const ITERATIONS: NonZeroU32 = NonZeroU32::new(10_000).expect("non-zero");

    /// Hashes `password` with a fresh salt.
    pub fn of(password: &str) -> Self {
        let mut salt = [0u8; 16];
        SystemRandom::new()
            .fill(&mut salt)
            .expect("the operating system's random source is available");
        let mut hash = [0u8; 32];
        pbkdf2::derive(
            pbkdf2::PBKDF2_HMAC_SHA256,
            Self::ITERATIONS,
            &salt,
            password.as_bytes(),
            &mut hash,
        );
        Self(format!(
            "{PASSWORD_SCHEME}${}${}${}",
            Self::ITERATIONS,
            URL_SAFE_NO_PAD.encode(salt),
            URL_SAFE_NO_PAD.encode(hash)
        ))
    }

    /// The iterations, salt and hash of an encoded hash.
    fn parts(text: &str) -> Option<(NonZeroU32, Vec<u8>, Vec<u8>)> {
        let mut parts = text.split('$');
        let (Some(PASSWORD_SCHEME), Some(iterations), Some(salt), Some(hash), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return None;
        };
        let hash = URL_SAFE_NO_PAD.decode(hash).ok()?;
        (hash.len() == 32).then_some(())?;
        Some((
            iterations.parse().ok()?,
            URL_SAFE_NO_PAD.decode(salt).ok()?,
            hash,
        ))
    }

    /// Whether `password` is the one hashed, compared in constant time.
    pub fn matches(&self, password: &str) -> bool {
        Self::parts(&self.0).is_some_and(|(iterations, salt, hash)| {
            pbkdf2::verify(
                pbkdf2::PBKDF2_HMAC_SHA256,
                iterations,
                &salt,
                password.as_bytes(),
                &hash,
            )
            .is_ok()
        })
    }

    /// The encoded form, as state exports carry it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Reads an encoded hash, refusing anything else.
    pub fn parse(text: &str) -> Result<Self, String> {
        match Self::parts(text) {
            Some(_) => Ok(Self(text.to_owned())),
            None => Err(format!(
                "a password hash is {PASSWORD_SCHEME}$<iterations>$<salt>$<hash>"
            )),
        }
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(<pbkdf2-sha256>)")
    }
}

impl Serialize for PasswordHash {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for PasswordHash {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(d)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_salted_and_verify() {
        let a = PasswordHash::of("t1meToChange!");
        let b = PasswordHash::of("t1meToChange!");
        assert_ne!(a, b, "each hash has its own salt");
        assert!(a.matches("t1meToChange!") && b.matches("t1meToChange!"));
        assert!(!a.matches("t1meToChange"));
        assert!(!a.as_str().contains("t1me"));
        assert_eq!(format!("{a:?}"), "PasswordHash(<pbkdf2-sha256>)");
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(serde_json::from_str::<PasswordHash>(&json).unwrap(), a);
        for bad in [
            "\"t1meToChange!\"",
            "\"sha256:abc\"",
            "\"pbkdf2-sha256$0$AAAA$AAAA\"",
            "\"pbkdf2-sha256$10$AAAA$AAAA\"",
        ] {
            let err = serde_json::from_str::<PasswordHash>(bad).unwrap_err();
            assert!(
                err.to_string().starts_with("a password hash is"),
                "{bad}: {err}"
            );
        }
    }

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
