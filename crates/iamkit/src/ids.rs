//! Twilio-style identifiers: two upper-case letters and 32 lower-case hex digits.
//!
//! Every kind of id is its own type, so an account sid cannot be passed where a user
//! sid is expected. Parsing checks both the shape and the kind's prefix.

use std::fmt;
use std::str::FromStr;

use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Length of every sid: two prefix letters and 32 hex digits.
pub const SID_LEN: usize = 34;

/// Why a string is not a valid sid of the expected kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SidError {
    /// The string is not two upper-case letters followed by 32 lower-case hex digits.
    #[error("{value:?} is not a valid {kind} sid: expected {prefix} followed by 32 lower-case hex digits")]
    Malformed {
        /// The kind of id that was expected.
        kind: &'static str,
        /// The prefix that kind carries.
        prefix: &'static str,
        /// The rejected input, cut to a bounded length.
        value: String,
    },
}

/// The common behaviour of every sid type.
pub trait Sid: Sized + Copy + Eq + std::hash::Hash + fmt::Display {
    /// The two-letter prefix of this kind of id.
    const PREFIX: &'static str;
    /// A human name of this kind, used in error messages.
    const KIND: &'static str;
    /// Builds the id from its 16 random bytes.
    fn from_bytes(bytes: [u8; 16]) -> Self;
    /// The 16 bytes behind the hex digits.
    fn bytes(&self) -> [u8; 16];

    /// A fresh id from the system's secure random generator.
    fn generate() -> Self {
        let mut bytes = [0u8; 16];
        // The OS random source failing is unrecoverable for any crypto library;
        // ring reports it as an error that cannot happen on supported platforms.
        SystemRandom::new()
            .fill(&mut bytes)
            .expect("the operating system's random source is available");
        Self::from_bytes(bytes)
    }

    /// Parses and validates an id of this kind.
    fn parse(value: &str) -> Result<Self, SidError> {
        parse_hex(value, Self::PREFIX)
            .map(Self::from_bytes)
            .ok_or_else(|| SidError::Malformed {
                kind: Self::KIND,
                prefix: Self::PREFIX,
                value: value.chars().take(64).collect(),
            })
    }
}

fn parse_hex(value: &str, prefix: &str) -> Option<[u8; 16]> {
    let raw = value.as_bytes();
    if raw.len() != SID_LEN || !value.starts_with(prefix) {
        return None;
    }
    let mut out = [0u8; 16];
    for (i, pair) in raw[2..].chunks_exact(2).enumerate() {
        out[i] = (hex_digit(pair[0])? << 4) | hex_digit(pair[1])?;
    }
    Some(out)
}

fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

fn write_sid(f: &mut fmt::Formatter<'_>, prefix: &str, bytes: &[u8; 16]) -> fmt::Result {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut buf = [0u8; SID_LEN];
    buf[..2].copy_from_slice(prefix.as_bytes());
    for (i, b) in bytes.iter().enumerate() {
        buf[2 + 2 * i] = HEX[usize::from(b >> 4)];
        buf[3 + 2 * i] = HEX[usize::from(b & 0x0f)];
    }
    // The buffer holds only ASCII letters and hex digits.
    f.write_str(std::str::from_utf8(&buf).map_err(|_| fmt::Error)?)
}

macro_rules! sid_type {
    ($(#[$doc:meta])* $name:ident, $prefix:literal, $kind:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name([u8; 16]);

        impl Sid for $name {
            const PREFIX: &'static str = $prefix;
            const KIND: &'static str = $kind;
            fn from_bytes(bytes: [u8; 16]) -> Self {
                Self(bytes)
            }
            fn bytes(&self) -> [u8; 16] {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write_sid(f, $prefix, &self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(self, f)
            }
        }

        impl FromStr for $name {
            type Err = SidError;
            fn from_str(s: &str) -> Result<Self, SidError> {
                <Self as Sid>::parse(s)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
                <Self as Sid>::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

sid_type!(
    /// An organization (`OR…`).
    OrganizationSid, "OR", "organization"
);
sid_type!(
    /// An account, which belongs to one organization (`AC…`).
    AccountSid, "AC", "account"
);
sid_type!(
    /// A managed user of an organization (`US…`).
    UserSid, "US", "user"
);
sid_type!(
    /// A role (`IX…`).
    RoleSid, "IX", "role"
);
sid_type!(
    /// A role assignment (`IY…`).
    RoleAssignmentSid, "IY", "role assignment"
);
sid_type!(
    /// The client id of an OAuth app (`OQ…`).
    ClientId, "OQ", "client id"
);
sid_type!(
    /// An authorization: a user's consent to an authorization-code app (`AZ…`).
    AuthorizationSid, "AZ", "authorization"
);
sid_type!(
    /// One redemption chain of an authorization code: the code and every token it
    /// led to (`GR…`).
    GrantSid, "GR", "grant"
);
sid_type!(
    /// The `jti` of an access token (`AT…`).
    TokenId, "AT", "token id"
);
sid_type!(
    /// A refresh token's record (`RT…`); the token itself is a separate secret.
    RefreshTokenSid, "RT", "refresh token"
);
sid_type!(
    /// A signing key's `kid` (`KY…`).
    KeyId, "KY", "key id"
);
sid_type!(
    /// An audit event (`AE…`).
    AuditEventSid, "AE", "audit event"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_text() {
        let id = UserSid::generate();
        let text = id.to_string();
        assert_eq!(text.len(), SID_LEN);
        assert!(text.starts_with("US"));
        assert_eq!(text.parse::<UserSid>().unwrap(), id);
    }

    #[test]
    fn rejects_wrong_prefix_case_and_length() {
        let good = "US0123456789abcdef0123456789abcdef";
        assert!(good.parse::<UserSid>().is_ok());
        for bad in [
            "AC0123456789abcdef0123456789abcdef",
            "us0123456789abcdef0123456789abcdef",
            "US0123456789ABCDEF0123456789abcdef",
            "US0123456789abcdef0123456789abcde",
            "US0123456789abcdef0123456789abcdef0",
            "US0123456789abcdeg0123456789abcdef",
            "",
        ] {
            let err = bad.parse::<UserSid>().unwrap_err();
            assert!(matches!(err, SidError::Malformed { kind: "user", .. }), "{bad}");
        }
    }

    #[test]
    fn serde_validates() {
        let id: AccountSid = serde_json::from_str("\"AC0123456789abcdef0123456789abcdef\"").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"AC0123456789abcdef0123456789abcdef\"");
        assert!(serde_json::from_str::<AccountSid>("\"OR0123456789abcdef0123456789abcdef\"").is_err());
    }
}
