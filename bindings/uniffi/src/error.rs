//! The one place where core errors become the foreign-language exception.

/// Every error the binding raises. In Kotlin this is the sealed class
/// `IamkitException`; each engine area is a subclass carrying the stable `code`,
/// the HTTP `status`, Twilio's numeric `twilioCode` and a human `detail`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum IamkitError {
    /// Managing organizations, accounts, users and apps.
    #[error("{detail}")]
    App {
        /// The stable code, e.g. `invalid_scope`.
        code: String,
        /// The HTTP status the emulator answers with.
        status: u16,
        /// Twilio's numeric error code.
        twilio_code: u32,
        /// What went wrong, for people.
        detail: String,
    },
    /// The authorization (consent) step of the authorization-code flow.
    #[error("{detail}")]
    Authorize {
        /// The stable code, e.g. `invalid_request`.
        code: String,
        /// The HTTP status.
        status: u16,
        /// Twilio's numeric error code.
        twilio_code: u32,
        /// What went wrong, for people.
        detail: String,
    },
    /// The Token API (RFC 6749 codes such as `invalid_client`).
    #[error("{detail}")]
    OAuth {
        /// The RFC 6749 error code.
        code: String,
        /// The HTTP status.
        status: u16,
        /// Twilio's numeric error code.
        twilio_code: u32,
        /// What went wrong, for people.
        detail: String,
    },
    /// Verifying an access token (`token_expired`, `token_revoked`, …).
    #[error("{detail}")]
    Token {
        /// The stable code.
        code: String,
        /// The HTTP status.
        status: u16,
        /// Twilio's numeric error code.
        twilio_code: u32,
        /// What went wrong, for people.
        detail: String,
    },
    /// Checking a token against the permission catalogue (`insufficient_scope`, …).
    #[error("{detail}")]
    Access {
        /// The stable code.
        code: String,
        /// The HTTP status.
        status: u16,
        /// Twilio's numeric error code.
        twilio_code: u32,
        /// What went wrong, for people.
        detail: String,
    },
    /// SCIM resources, filters and PATCH; `code` is the SCIM `scimType`.
    #[error("{detail}")]
    Scim {
        /// The SCIM `scimType`, e.g. `invalidFilter`.
        code: String,
        /// The HTTP status.
        status: u16,
        /// Twilio's numeric error code.
        twilio_code: u32,
        /// What went wrong, for people.
        detail: String,
    },
    /// Roles and role assignments.
    #[error("{detail}")]
    Role {
        /// The stable code.
        code: String,
        /// The HTTP status.
        status: u16,
        /// Twilio's numeric error code.
        twilio_code: u32,
        /// What went wrong, for people.
        detail: String,
    },
    /// Importing state.
    #[error("{detail}")]
    State {
        /// The stable code.
        code: String,
        /// The HTTP status.
        status: u16,
        /// Twilio's numeric error code.
        twilio_code: u32,
        /// What went wrong, for people.
        detail: String,
    },
    /// Any other engine error (a signing key or algorithm that cannot be used).
    #[error("{detail}")]
    Other {
        /// The stable code.
        code: String,
        /// The HTTP status.
        status: u16,
        /// Twilio's numeric error code.
        twilio_code: u32,
        /// What went wrong, for people.
        detail: String,
    },
    /// An argument the binding cannot hand to the engine (an unknown role name, an
    /// instant out of range); the Kotlin counterpart of `IllegalArgumentException`.
    #[error("{detail}")]
    InvalidArgument {
        /// What is wrong with the argument.
        detail: String,
    },
}

impl From<iamkit_bindings::FlatError> for IamkitError {
    fn from(error: iamkit_bindings::FlatError) -> Self {
        let iamkit_bindings::FlatError {
            area,
            code,
            status,
            twilio_code,
            message: detail,
        } = error;
        let code = code.to_owned();
        macro_rules! area {
            ($variant:ident) => {
                IamkitError::$variant {
                    code,
                    status,
                    twilio_code,
                    detail,
                }
            };
        }
        match area {
            "app" => area!(App),
            "authorize" => area!(Authorize),
            "oauth" => area!(OAuth),
            "token" => area!(Token),
            "access" => area!(Access),
            "scim" => area!(Scim),
            "role" => area!(Role),
            "state" => area!(State),
            _ => area!(Other),
        }
    }
}

impl From<iamkit::Error> for IamkitError {
    fn from(error: iamkit::Error) -> Self {
        iamkit_bindings::FlatError::new(error).into()
    }
}

/// Converts an error of any engine area (for `map_err`).
pub fn core_err(error: impl Into<iamkit::Error>) -> IamkitError {
    IamkitError::from(error.into())
}

/// Options the shared binding layer refused: an invalid one is `InvalidArgument`
/// naming it; what the engine refused is its area's error.
pub fn options_err(error: iamkit_bindings::OptionsError) -> IamkitError {
    match error {
        iamkit_bindings::OptionsError::Invalid(e) => invalid_argument(e),
        iamkit_bindings::OptionsError::Engine(e) => core_err(e),
    }
}

/// A failure inside the binding itself (a bug): `Other` with status 500.
pub fn internal(detail: impl std::fmt::Display) -> IamkitError {
    IamkitError::Other {
        code: "internal_error".to_owned(),
        status: 500,
        twilio_code: 20500,
        detail: detail.to_string(),
    }
}

/// An argument the binding cannot convert.
pub fn invalid_argument(detail: impl std::fmt::Display) -> IamkitError {
    IamkitError::InvalidArgument {
        detail: detail.to_string(),
    }
}

/// The binding's result type.
pub type Result<T> = std::result::Result<T, IamkitError>;

#[cfg(test)]
mod tests {
    use super::*;
    use iamkit::ErrorCode;

    #[test]
    fn core_errors_keep_their_area_code_status_and_twilio_code() {
        let error = core_err(iamkit::TokenError::Expired);
        let IamkitError::Token {
            code,
            status,
            twilio_code,
            ..
        } = error
        else {
            panic!("not a token error: {error:?}");
        };
        assert_eq!(code, "token_expired");
        assert_eq!(status, iamkit::TokenError::Expired.status());
        assert_eq!(twilio_code, iamkit::TokenError::Expired.twilio_code());
    }

    #[test]
    fn scim_errors_carry_the_scim_type() {
        let error = core_err(iamkit::ScimError::InvalidSyntax("x".into()));
        assert!(matches!(
            error,
            IamkitError::Scim { ref code, status: 400, .. } if code == "invalidSyntax"
        ));
    }
}
