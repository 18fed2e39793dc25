//! The engine's signing keys and the JWKS document that publishes them.
//!
//! ES256 (the default), EdDSA and HS256 keys are generated with `ring`. `ring` cannot
//! generate RSA keys, so an RS256 key is loaded from a PKCS#8 PEM file
//! (`openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048`).

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::{DecodingKey, EncodingKey};
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{
    EcdsaKeyPair, Ed25519KeyPair, KeyPair, RsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::error::ErrorCode;
use crate::ids::{KeyId, Sid};

/// A JWS signing algorithm the engine can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Algorithm {
    /// ECDSA on P-256 with SHA-256 (the default).
    #[default]
    ES256,
    /// Ed25519.
    EdDSA,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// HMAC with SHA-256 (a shared secret: verifiers need the same key).
    HS256,
}

impl Algorithm {
    /// The JWS `alg` name.
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::ES256 => "ES256",
            Algorithm::EdDSA => "EdDSA",
            Algorithm::RS256 => "RS256",
            Algorithm::HS256 => "HS256",
        }
    }

    pub(crate) fn jwt(self) -> jsonwebtoken::Algorithm {
        match self {
            Algorithm::ES256 => jsonwebtoken::Algorithm::ES256,
            Algorithm::EdDSA => jsonwebtoken::Algorithm::EdDSA,
            Algorithm::RS256 => jsonwebtoken::Algorithm::RS256,
            Algorithm::HS256 => jsonwebtoken::Algorithm::HS256,
        }
    }
}

impl std::str::FromStr for Algorithm {
    type Err = KeyError;
    /// Parses `ES256`, `EdDSA`, `RS256` or `HS256` (case-insensitive).
    fn from_str(s: &str) -> Result<Self, KeyError> {
        [
            Algorithm::ES256,
            Algorithm::EdDSA,
            Algorithm::RS256,
            Algorithm::HS256,
        ]
        .into_iter()
        .find(|a| a.as_str().eq_ignore_ascii_case(s))
        .ok_or_else(|| KeyError::UnknownAlgorithm(s.chars().take(32).collect()))
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A key that signs and verifies access tokens. Its `Debug` shows only the key id
/// and algorithm.
#[derive(Clone)]
pub struct SigningKey {
    kid: KeyId,
    algorithm: Algorithm,
    encoding: EncodingKey,
    decoding: DecodingKey,
    public_jwk: Option<Value>,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// A fresh key for `algorithm`. RS256 keys cannot be generated here: use
    /// [`SigningKey::rs256_from_pem`].
    pub fn generate(algorithm: Algorithm) -> Result<Self, KeyError> {
        let rng = SystemRandom::new();
        let kid = KeyId::generate();
        match algorithm {
            Algorithm::ES256 => {
                let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
                    .map_err(|_| KeyError::Generation)?;
                Self::es256(kid, pkcs8.as_ref(), &rng)
            }
            Algorithm::EdDSA => {
                let pkcs8 =
                    Ed25519KeyPair::generate_pkcs8(&rng).map_err(|_| KeyError::Generation)?;
                let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref())
                    .map_err(|e| KeyError::Rejected(e.to_string()))?;
                let public = pair.public_key().as_ref();
                Ok(Self {
                    kid,
                    algorithm,
                    encoding: EncodingKey::from_ed_der(pkcs8.as_ref()),
                    decoding: DecodingKey::from_ed_der(public),
                    public_jwk: Some(json!({
                        "kty": "OKP", "crv": "Ed25519", "x": URL_SAFE_NO_PAD.encode(public),
                    })),
                })
            }
            Algorithm::HS256 => {
                let mut secret = [0u8; 32];
                rng.fill(&mut secret).map_err(|_| KeyError::Generation)?;
                Ok(Self::hs256(kid, &secret))
            }
            Algorithm::RS256 => Err(KeyError::CannotGenerateRsa),
        }
    }

    /// An HS256 key from a shared secret of at least 32 bytes.
    pub fn hs256_from_secret(secret: &[u8]) -> Result<Self, KeyError> {
        if secret.len() < 32 {
            return Err(KeyError::Rejected(
                "an HS256 secret needs at least 32 bytes".into(),
            ));
        }
        Ok(Self::hs256(KeyId::generate(), secret))
    }

    fn hs256(kid: KeyId, secret: &[u8]) -> Self {
        Self {
            kid,
            algorithm: Algorithm::HS256,
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            public_jwk: None,
        }
    }

    fn es256(kid: KeyId, pkcs8: &[u8], rng: &SystemRandom) -> Result<Self, KeyError> {
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8, rng)
            .map_err(|e| KeyError::Rejected(e.to_string()))?;
        let public = pair.public_key().as_ref();
        // An uncompressed P-256 point: 0x04, then 32 bytes of x and 32 of y.
        let (x, y) = public
            .get(1..)
            .filter(|xy| xy.len() == 64)
            .map(|xy| xy.split_at(32))
            .ok_or_else(|| KeyError::Rejected("unexpected P-256 public key".into()))?;
        Ok(Self {
            kid,
            algorithm: Algorithm::ES256,
            encoding: EncodingKey::from_ec_der(pkcs8),
            decoding: DecodingKey::from_ec_der(public),
            public_jwk: Some(json!({
                "kty": "EC", "crv": "P-256",
                "x": URL_SAFE_NO_PAD.encode(x), "y": URL_SAFE_NO_PAD.encode(y),
            })),
        })
    }

    /// An RS256 key from a PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    pub fn rs256_from_pem(pem: &str) -> Result<Self, KeyError> {
        let der = pem_body(pem, "PRIVATE KEY")?;
        let pair = RsaKeyPair::from_pkcs8(&der).map_err(|e| KeyError::Rejected(e.to_string()))?;
        let components: ring::rsa::PublicKeyComponents<Vec<u8>> = pair.public().into();
        let encoding = EncodingKey::from_rsa_pem(pem.as_bytes())
            .map_err(|e| KeyError::Rejected(e.to_string()))?;
        Ok(Self {
            kid: KeyId::generate(),
            algorithm: Algorithm::RS256,
            encoding,
            decoding: DecodingKey::from_rsa_raw_components(&components.n, &components.e),
            public_jwk: Some(json!({
                "kty": "RSA",
                "n": URL_SAFE_NO_PAD.encode(&components.n),
                "e": URL_SAFE_NO_PAD.encode(&components.e),
            })),
        })
    }

    /// The key id (`kid`) tokens signed with this key carry.
    pub fn kid(&self) -> KeyId {
        self.kid
    }

    /// The algorithm of this key.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    pub(crate) fn encoding(&self) -> &EncodingKey {
        &self.encoding
    }

    pub(crate) fn decoding(&self) -> &DecodingKey {
        &self.decoding
    }

    /// The public JWK of this key, or `None` for a symmetric (HS256) key, which
    /// must never be published.
    pub fn public_jwk(&self) -> Option<Value> {
        let mut jwk = self.public_jwk.clone()?;
        if let Some(obj) = jwk.as_object_mut() {
            obj.insert("kid".into(), json!(self.kid.to_string()));
            obj.insert("alg".into(), json!(self.algorithm.as_str()));
            obj.insert("use".into(), json!("sig"));
        }
        Some(jwk)
    }
}

fn pem_body(pem: &str, label: &str) -> Result<Vec<u8>, KeyError> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = pem
        .find(&begin)
        .ok_or_else(|| KeyError::Rejected(format!("expected a {begin} block")))?;
    let body = &pem[start + begin.len()..];
    let stop = body
        .find(&end)
        .ok_or_else(|| KeyError::Rejected(format!("missing {end}")))?;
    let b64: String = body[..stop].split_whitespace().collect();
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|e| KeyError::Rejected(e.to_string()))
}

/// A signing key that cannot be made or loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The algorithm name is not one the engine supports.
    #[error("unsupported signing algorithm {0:?}: use ES256, EdDSA, RS256 or HS256")]
    UnknownAlgorithm(String),
    /// RS256 keys must be supplied.
    #[error("RS256 keys cannot be generated; load one with SigningKey::rs256_from_pem")]
    CannotGenerateRsa,
    /// The random generator failed.
    #[error("key generation failed")]
    Generation,
    /// The supplied key material is not acceptable.
    #[error("key rejected: {0}")]
    Rejected(String),
}

impl ErrorCode for KeyError {
    fn code(&self) -> &'static str {
        "invalid_key"
    }
    fn status(&self) -> u16 {
        400
    }
    fn twilio_code(&self) -> u32 {
        20001
    }
}
