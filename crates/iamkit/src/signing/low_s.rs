//! ECDSA signatures in low-S form, so that a token has one signature only.
//!
//! An ECDSA signature `(r, s)` has a twin `(r, n - s)` that verifies just as well
//! (`n` is the order of the curve's group): anyone holding a token can make a
//! second, different token string that is as valid. iamkit issues every ES256
//! signature with `s <= n / 2` (replacing `s` by `n - s` after signing when `ring`
//! chose the high one, as Bitcoin's BIP 62 and RustCrypto's `normalize_s` do) and
//! refuses a signature whose `s` is above `n / 2` as an invalid signature.
//!
//! The arithmetic is on the fixed-size big-endian bytes of the JWS signature
//! (`r || s`, RFC 7518 §3.4), which are public: it needs neither a big-integer
//! crate nor constant time.

/// Bytes of one P-256 scalar (`r` or `s`).
const SCALAR: usize = 32;

/// The order `n` of the P-256 group (SEC 2 §2.4.2), big-endian.
const P256_ORDER: [u8; SCALAR] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

/// `n / 2`, rounded down: the largest low `s`.
const P256_HALF_ORDER: [u8; SCALAR] = half(&P256_ORDER);

/// `x / 2` of a big-endian number.
const fn half(x: &[u8; SCALAR]) -> [u8; SCALAR] {
    let mut out = [0u8; SCALAR];
    let mut carry = 0u8;
    let mut i = 0;
    while i < SCALAR {
        out[i] = (x[i] >> 1) | carry;
        carry = (x[i] & 1) << 7;
        i += 1;
    }
    out
}

/// `n - s` of big-endian numbers, for `s < n`.
fn negate(s: &[u8; SCALAR]) -> [u8; SCALAR] {
    let mut out = [0u8; SCALAR];
    let mut borrow = 0u8;
    for i in (0..SCALAR).rev() {
        let (d, b1) = P256_ORDER[i].overflowing_sub(s[i]);
        let (d, b2) = d.overflowing_sub(borrow);
        out[i] = d;
        borrow = u8::from(b1 || b2);
    }
    out
}

/// The `s` of a fixed-size P-256 signature (`r || s`), if it is one.
fn s_of(signature: &[u8]) -> Option<&[u8; SCALAR]> {
    if signature.len() != 2 * SCALAR {
        return None;
    }
    signature.get(SCALAR..)?.try_into().ok()
}

/// Whether a fixed-size P-256 signature has a high `s` (`s > n / 2`); `false` for
/// anything that is not 64 bytes, which is left to the verifier to refuse.
pub(super) fn is_high_s(signature: &[u8]) -> bool {
    // Big-endian numbers of one length compare as their bytes do.
    s_of(signature).is_some_and(|s| *s > P256_HALF_ORDER)
}

/// Puts a fixed-size P-256 signature (`r || s`, as `ring` makes it) in low-S form:
/// a high `s` becomes `n - s`, which verifies as well.
pub(super) fn normalize_s(signature: &mut [u8]) {
    let Some(s) = s_of(signature) else {
        return;
    };
    if *s > P256_HALF_ORDER {
        let low = negate(s);
        signature[SCALAR..].copy_from_slice(&low);
    }
}

/// The high-S twin of a low-S signature (`s` replaced by `n - s`), for tests.
#[cfg(test)]
pub(crate) fn twin(signature: &[u8]) -> Vec<u8> {
    let mut out = signature.to_vec();
    if let Some(s) = s_of(signature) {
        let other = negate(s);
        out[SCALAR..].copy_from_slice(&other);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn the_constants_are_p256s() {
        assert_eq!(
            hex(&P256_ORDER),
            "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"
        );
        assert_eq!(
            hex(&P256_HALF_ORDER),
            "7fffffff800000007fffffffffffffffde737d56d38bcf4279dce5617e3192a8"
        );
    }

    #[test]
    fn negation_is_n_minus_s() {
        let mut one = [0u8; SCALAR];
        one[SCALAR - 1] = 1;
        let mut n_minus_one = P256_ORDER;
        n_minus_one[SCALAR - 1] -= 1;
        assert_eq!(negate(&one), n_minus_one);
        assert_eq!(negate(&n_minus_one), one);
        // Across every borrow: n - (n/2) = n/2 + 1, as n is odd.
        let mut above_half = P256_HALF_ORDER;
        above_half[SCALAR - 1] += 1;
        assert_eq!(negate(&P256_HALF_ORDER), above_half);
        assert_eq!(negate(&above_half), P256_HALF_ORDER);
    }

    #[test]
    fn normalizing_keeps_low_and_lowers_high() {
        let mut signature = [0x11u8; 2 * SCALAR];
        signature[SCALAR..].copy_from_slice(&P256_HALF_ORDER);
        let low = signature;
        assert!(!is_high_s(&low));
        normalize_s(&mut signature);
        assert_eq!(signature, low, "n/2 is low");
        let high = twin(&low);
        assert!(is_high_s(&high));
        let mut lowered = high.clone();
        normalize_s(&mut lowered);
        assert_eq!(lowered, low);
        assert_eq!(&lowered[..SCALAR], &high[..SCALAR], "r is kept");
        assert!(!is_high_s(&high[..63]), "not a P-256 signature");
    }
}
