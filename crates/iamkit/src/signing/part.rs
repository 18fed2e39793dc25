//! A base64url part of a token, decoded without a heap allocation when it fits.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::{DecodeSliceError, Engine as _};

use super::TokenError;

/// Bytes of the stack buffer a part of a token is decoded into: room for the
/// header, the claims and the signature of any token iamkit issues.
const DECODED_ON_STACK: usize = 512;

/// Decodes the base64url `part` (strictly, as [`URL_SAFE_NO_PAD`] does) and hands
/// the bytes to `f`: decoded on the stack when they fit, else on the heap.
/// `Malformed` if `part` is not base64url.
pub(super) fn with_decoded<R>(part: &str, f: impl FnOnce(&[u8]) -> R) -> Result<R, TokenError> {
    let mut buf = [0u8; DECODED_ON_STACK];
    match URL_SAFE_NO_PAD.decode_slice(part, &mut buf) {
        Ok(len) => Ok(f(&buf[..len])),
        Err(DecodeSliceError::OutputSliceTooSmall) => {
            let bytes = URL_SAFE_NO_PAD
                .decode(part)
                .map_err(|_| TokenError::Malformed)?;
            Ok(f(&bytes))
        }
        Err(DecodeSliceError::DecodeError(_)) => Err(TokenError::Malformed),
    }
}
