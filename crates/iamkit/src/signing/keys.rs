//! The engine's signing keys and the JWKS document that publishes them.
//!
//! ES256 (the default), EdDSA and HS256 keys are generated with `ring`. `ring` cannot
//! generate RSA keys, so an RS256 key is loaded from a PKCS#8 PEM file
//! (`openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048`).
//!
//! ES256 signatures are issued in low-S form and only that form verifies (see
//! `low_s`), so a token has exactly one valid signature.
//!
//! Each key keeps its parsed `ring` key pair and its encoded JWS header, so signing a
//! token is one `ring` signature over `header.payload`; `jsonwebtoken` would parse
//! the PKCS#8 document again for every token, which costs as much as a P-256
//! signature. Verification checks HS256 with the cached `ring` HMAC key and the
//! other algorithms through `jsonwebtoken::crypto::verify`.

use std::fmt;
use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::DecodingKey;
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{
    EcdsaKeyPair, Ed25519KeyPair, KeyPair, RsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING,
    RSA_PKCS1_SHA256,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::TokenError;
use crate::error_code::ErrorCode;
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

/// The parsed private half of a key.
enum Signer {
    Ecdsa(EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
    Rsa(RsaKeyPair),
    Hmac(hmac::Key),
}

/// A key that signs and verifies access tokens. Its `Debug` shows only the key id
/// and algorithm.
#[derive(Clone)]
pub struct SigningKey {
    kid: KeyId,
    kid_text: Arc<str>,
    algorithm: Algorithm,
    signer: Arc<Signer>,
    encoded_header: Arc<str>,
    /// The public key for `jsonwebtoken`; `None` for HS256, verified with `signer`.
    decoding: Option<DecodingKey>,
    public_jwk: Option<Value>,
    /// The private key as loaded: PKCS#8 DER, or the HMAC secret.
    material: Arc<[u8]>,
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
                Self::es256(kid, pkcs8.as_ref())
            }
            Algorithm::EdDSA => {
                let pkcs8 =
                    Ed25519KeyPair::generate_pkcs8(&rng).map_err(|_| KeyError::Generation)?;
                Self::ed25519(kid, pkcs8.as_ref())
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
        Self::assemble(
            kid,
            Algorithm::HS256,
            Signer::Hmac(hmac::Key::new(hmac::HMAC_SHA256, secret)),
            None,
            None,
            secret,
        )
    }

    fn assemble(
        kid: KeyId,
        algorithm: Algorithm,
        signer: Signer,
        decoding: Option<DecodingKey>,
        public_jwk: Option<Value>,
        material: &[u8],
    ) -> Self {
        let kid_text: Arc<str> = kid.to_string().into();
        let header = json!({ "typ": "JWT", "alg": algorithm.as_str(), "kid": &*kid_text });
        let encoded_header = URL_SAFE_NO_PAD.encode(header.to_string());
        Self {
            kid,
            kid_text,
            algorithm,
            signer: Arc::new(signer),
            encoded_header: encoded_header.into(),
            decoding,
            public_jwk,
            material: material.into(),
        }
    }

    fn ed25519(kid: KeyId, pkcs8: &[u8]) -> Result<Self, KeyError> {
        let pair =
            Ed25519KeyPair::from_pkcs8(pkcs8).map_err(|e| KeyError::Rejected(e.to_string()))?;
        let public = pair.public_key().as_ref().to_vec();
        Ok(Self::assemble(
            kid,
            Algorithm::EdDSA,
            Signer::Ed25519(pair),
            Some(DecodingKey::from_ed_der(&public)),
            Some(json!({
                "kty": "OKP", "crv": "Ed25519", "x": URL_SAFE_NO_PAD.encode(&public),
            })),
            pkcs8,
        ))
    }

    fn es256(kid: KeyId, pkcs8: &[u8]) -> Result<Self, KeyError> {
        let rng = SystemRandom::new();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8, &rng)
            .map_err(|e| KeyError::Rejected(e.to_string()))?;
        let public = pair.public_key().as_ref().to_vec();
        // An uncompressed P-256 point: 0x04, then 32 bytes of x and 32 of y.
        let (x, y) = public
            .get(1..)
            .filter(|xy| xy.len() == 64)
            .map(|xy| xy.split_at(32))
            .ok_or_else(|| KeyError::Rejected("unexpected P-256 public key".into()))?;
        let jwk = json!({
            "kty": "EC", "crv": "P-256",
            "x": URL_SAFE_NO_PAD.encode(x), "y": URL_SAFE_NO_PAD.encode(y),
        });
        Ok(Self::assemble(
            kid,
            Algorithm::ES256,
            Signer::Ecdsa(pair),
            Some(DecodingKey::from_ec_der(&public)),
            Some(jwk),
            pkcs8,
        ))
    }

    /// An RS256 key from a PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    pub fn rs256_from_pem(pem: &str) -> Result<Self, KeyError> {
        Self::rs256(KeyId::generate(), &pem_body(pem, "PRIVATE KEY")?)
    }

    fn rs256(kid: KeyId, der: &[u8]) -> Result<Self, KeyError> {
        let pair = RsaKeyPair::from_pkcs8(der).map_err(|e| KeyError::Rejected(e.to_string()))?;
        let components: ring::rsa::PublicKeyComponents<Vec<u8>> = pair.public().into();
        let jwk = json!({
            "kty": "RSA",
            "n": URL_SAFE_NO_PAD.encode(&components.n),
            "e": URL_SAFE_NO_PAD.encode(&components.e),
        });
        Ok(Self::assemble(
            kid,
            Algorithm::RS256,
            Signer::Rsa(pair),
            Some(DecodingKey::from_rsa_raw_components(
                &components.n,
                &components.e,
            )),
            Some(jwk),
            der,
        ))
    }

    /// The key in the form a durable store keeps.
    pub fn to_stored(&self) -> StoredKey {
        StoredKey {
            kid: self.kid,
            algorithm: self.algorithm,
            material: self.material.to_vec(),
        }
    }

    /// The key a durable store kept, with its original key id.
    pub fn from_stored(stored: &StoredKey) -> Result<Self, KeyError> {
        let StoredKey {
            kid,
            algorithm,
            material,
        } = stored;
        match algorithm {
            Algorithm::ES256 => Self::es256(*kid, material),
            Algorithm::EdDSA => Self::ed25519(*kid, material),
            Algorithm::RS256 => Self::rs256(*kid, material),
            Algorithm::HS256 if material.len() >= 32 => Ok(Self::hs256(*kid, material)),
            Algorithm::HS256 => Err(KeyError::Rejected(
                "an HS256 secret needs at least 32 bytes".into(),
            )),
        }
    }

    /// The key id (`kid`) tokens signed with this key carry.
    pub fn kid(&self) -> KeyId {
        self.kid
    }

    /// The algorithm of this key.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The key id as text, as it appears in the JWS header.
    pub(crate) fn kid_text(&self) -> &str {
        &self.kid_text
    }

    /// The base64url JWS header of tokens this key signs.
    pub(crate) fn encoded_header(&self) -> &str {
        &self.encoded_header
    }

    /// Signs `message` (the `header.payload` of a JWS).
    pub(crate) fn sign(&self, message: &[u8]) -> Vec<u8> {
        let rng = SystemRandom::new();
        // ring fails to sign only when the system random source fails.
        let failed = "the operating system's random source is available";
        match &*self.signer {
            Signer::Ecdsa(pair) => {
                let mut signature = pair.sign(&rng, message).expect(failed).as_ref().to_vec();
                super::low_s::normalize_s(&mut signature);
                signature
            }
            Signer::Ed25519(pair) => pair.sign(message).as_ref().to_vec(),
            Signer::Rsa(pair) => {
                let mut signature = vec![0; pair.public().modulus_len()];
                pair.sign(&RSA_PKCS1_SHA256, &rng, message, &mut signature)
                    .expect(failed);
                signature
            }
            Signer::Hmac(key) => hmac::sign(key, message).as_ref().to_vec(),
        }
    }

    /// Whether `signature` (base64url, as in the token) is this key's signature of
    /// `message` (the token's `header.payload`); a signature that is not base64url
    /// makes the token malformed. HS256 is checked with the cached `ring` HMAC key
    /// (a constant-time comparison); the other algorithms through
    /// `jsonwebtoken::crypto::verify`, after an ES256 signature is checked to be in
    /// the low-S form the engine issues (see `low_s`): its high-S twin is not this
    /// key's signature.
    pub(crate) fn verify(&self, message: &[u8], signature: &str) -> Result<bool, TokenError> {
        match (&*self.signer, &self.decoding) {
            (Signer::Hmac(key), _) => {
                super::part::with_decoded(signature, |tag| hmac::verify(key, message, tag).is_ok())
            }
            (Signer::Ecdsa(_), Some(_))
                if super::part::with_decoded(signature, super::low_s::is_high_s)? =>
            {
                Ok(false)
            }
            (_, Some(public)) => {
                jsonwebtoken::crypto::verify(signature, message, public, self.algorithm.jwt())
                    .map_err(|_| TokenError::Malformed)
            }
            // Every asymmetric key is assembled with its public half.
            (_, None) => Ok(false),
        }
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

/// A signing key as a durable store keeps it: its id, algorithm and private
/// material (PKCS#8 DER, or the HMAC secret). The material is secret; `Debug`
/// shows only the id and algorithm.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredKey {
    kid: KeyId,
    algorithm: Algorithm,
    material: Vec<u8>,
}

impl StoredKey {
    /// A stored key from its parts, as a store read them back.
    pub fn new(kid: KeyId, algorithm: Algorithm, material: Vec<u8>) -> Self {
        Self {
            kid,
            algorithm,
            material,
        }
    }

    /// The key id.
    pub fn kid(&self) -> KeyId {
        self.kid
    }

    /// The algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The private material: keep it where only the engine's owner can read it.
    pub fn material(&self) -> &[u8] {
        &self.material
    }
}

impl fmt::Debug for StoredKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredKey")
            .field("kid", &self.kid)
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
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
    /// The store already keeps a key of another algorithm.
    #[error("the store signs with {stored}; it cannot switch to {wanted}")]
    StoredAlgorithm {
        /// The algorithm of the key the store keeps.
        stored: Algorithm,
        /// The algorithm asked for.
        wanted: Algorithm,
    },
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
