//! What the language bindings of iamkit share, so that each of them only converts
//! its language's values: the options of an engine and of the emulator, with their
//! defaults, turned into the core's builder and the server's settings in one place.
//! A binding fills these plain structs from its keyword arguments or option objects
//! and maps [`OptionsError`] onto its own exceptions; [`FlatError`] is the one shape
//! of a core error they raise from; [`records!`] lists the result records they
//! all return, which each binding declares in its language; and [`account_apps`]
//! runs Twilio's account OAuth-apps API as an account with its auth token.

pub mod account_apps;
pub mod records;

use std::str::FromStr;

use iamkit::tokens::{Algorithm, SigningKey};
use iamkit::{Engine, ManualClock, ScimRules};

/// An option that is not valid: which one, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{option}: {message}")]
pub struct InvalidOption {
    /// The option's name, as the bindings spell it in snake_case.
    pub option: &'static str,
    /// What is wrong with its value.
    pub message: String,
}

impl InvalidOption {
    fn new(option: &'static str, message: impl ToString) -> Self {
        Self {
            option,
            message: message.to_string(),
        }
    }
}

/// Why options could not be applied.
#[derive(Debug, thiserror::Error)]
pub enum OptionsError {
    /// An option's value is not valid.
    #[error(transparent)]
    Invalid(#[from] InvalidOption),
    /// The engine refused them (an RS256 key that does not parse, a database that
    /// cannot be opened, …).
    #[error(transparent)]
    Engine(#[from] iamkit::Error),
}

/// A core error flattened for a foreign language: which part of the engine refused
/// (`area`), the stable `code`, the HTTP `status`, Twilio's numeric code and the
/// message. Every binding raises its exceptions from this one value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlatError {
    /// `app`, `authorize`, `oauth`, `token`, `access`, `scim`, `role`, `state` or
    /// `other`.
    pub area: &'static str,
    /// The stable code, e.g. `invalid_client` or the SCIM `scimType`.
    pub code: &'static str,
    /// The HTTP status the emulator answers with.
    pub status: u16,
    /// Twilio's numeric error code.
    pub twilio_code: u32,
    /// What went wrong, for people.
    pub message: String,
}

impl FlatError {
    /// The flat form of a core error of any area.
    pub fn new(error: impl Into<iamkit::Error>) -> Self {
        use iamkit::ErrorCode;
        let error: iamkit::Error = error.into();
        let area = match &error {
            iamkit::Error::App(_) => "app",
            iamkit::Error::Authorize(_) => "authorize",
            iamkit::Error::OAuth(_) => "oauth",
            iamkit::Error::Token(_) => "token",
            iamkit::Error::Access(_) => "access",
            iamkit::Error::Scim(_) => "scim",
            iamkit::Error::Role(_) => "role",
            iamkit::Error::State(_) | iamkit::Error::Store(_) => "state",
            _ => "other",
        };
        Self {
            area,
            code: error.code(),
            status: error.status(),
            twilio_code: error.twilio_code(),
            message: error.to_string(),
        }
    }
}

/// How to make an engine. Every field is optional: by default the system clock, a
/// fresh ES256 key, the engine's default issuer, Twilio's SCIM rules, and the state
/// in memory.
#[derive(Default)]
pub struct EngineOptions {
    /// The clock the engine reads.
    pub clock: Option<ManualClock>,
    /// The signing algorithm of a fresh key: `ES256`, `EdDSA` or `HS256`.
    pub algorithm: Option<String>,
    /// The tokens' `iss` and the base of the metadata endpoints and SCIM locations.
    pub issuer: Option<String>,
    /// An RS256 private key (PKCS#8 PEM) to sign with instead of a fresh key.
    pub rs256_key_pem: Option<String>,
    /// Keep the state and the signing key in this SQLite file.
    pub database: Option<iamkit::Database>,
    /// The rules SCIM users follow: `twilio` or `rfc7643`.
    pub scim_rules: Option<String>,
}

impl EngineOptions {
    /// The engine these options describe.
    pub fn build(self) -> Result<Engine, OptionsError> {
        let mut builder = Engine::builder();
        if let Some(algorithm) = &self.algorithm {
            let algorithm =
                Algorithm::from_str(algorithm).map_err(|e| InvalidOption::new("algorithm", e))?;
            builder = builder.algorithm(algorithm);
        }
        if let Some(rules) = &self.scim_rules {
            let rules =
                ScimRules::from_str(rules).map_err(|e| InvalidOption::new("scim_rules", e))?;
            builder = builder.scim_rules(rules);
        }
        if let Some(database) = self.database {
            builder = builder.database(database);
        }
        if let Some(pem) = &self.rs256_key_pem {
            let key = SigningKey::rs256_from_pem(pem).map_err(iamkit::Error::from)?;
            builder = builder.signing_key(key);
        }
        if let Some(issuer) = self.issuer {
            builder = builder.issuer(issuer);
        }
        if let Some(clock) = self.clock {
            builder = builder.clock(clock);
        }
        Ok(builder.build()?)
    }
}

/// How to run the emulator on an engine. By default: a free port on 127.0.0.1, no
/// demo organization, a random admin token, Twilio's response shapes.
#[cfg(feature = "server")]
#[derive(Default)]
pub struct ServeOptions {
    /// The port; 0 picks a free one.
    pub port: u16,
    /// The address to bind, 127.0.0.1 when absent.
    pub host: Option<String>,
    /// Create the demo organization, users and apps first.
    pub demo: bool,
    /// The admin token; a random one when absent.
    pub admin_token: Option<String>,
    /// The response shapes: `twilio` or `rfc`.
    pub response_style: Option<String>,
    /// The origins whose web pages may read answers (CORS), as `--cors-origin`
    /// takes them; none: pages served from this machine.
    pub cors_origins: Vec<String>,
}

#[cfg(feature = "server")]
impl ServeOptions {
    /// The server's settings, and whether to seed the demo organization.
    pub fn server_options(self) -> Result<(iamkit_server::ServerOptions, bool), OptionsError> {
        let mut options = iamkit_server::ServerOptions {
            port: self.port,
            admin_token: self.admin_token,
            ..Default::default()
        };
        if let Some(host) = &self.host {
            options.host =
                iamkit_server::parse_host(host).map_err(|e| InvalidOption::new("host", e))?;
        }
        if let Some(style) = &self.response_style {
            options.response_style = iamkit_server::ResponseStyle::from_str(style)
                .map_err(|e| InvalidOption::new("response_style", e))?;
        }
        options.cors_origins = iamkit_server::CorsOrigins::parse(&self.cors_origins)
            .map_err(|e| InvalidOption::new("cors_origins", e))?;
        Ok((options, self.demo))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invalid(result: Result<Engine, OptionsError>) -> InvalidOption {
        match result {
            Err(OptionsError::Invalid(e)) => e,
            Err(e) => panic!("not an invalid option: {e}"),
            Ok(_) => panic!("accepted"),
        }
    }

    #[test]
    fn defaults_make_an_es256_engine() {
        let engine = EngineOptions::default().build().unwrap();
        assert_eq!(engine.algorithm(), Algorithm::ES256);
    }

    #[test]
    fn bad_names_are_invalid_options() {
        let e = invalid(
            EngineOptions {
                algorithm: Some("none".into()),
                ..Default::default()
            }
            .build(),
        );
        assert_eq!(e.option, "algorithm");
        let e = invalid(
            EngineOptions {
                scim_rules: Some("loose".into()),
                ..Default::default()
            }
            .build(),
        );
        assert_eq!(
            e.to_string(),
            "scim_rules: unknown SCIM rule set \"loose\": expected twilio or rfc7643"
        );
    }

    #[test]
    fn a_flat_error_keeps_area_code_status_and_twilio_code() {
        let error = FlatError::new(iamkit::TokenError::Expired);
        assert_eq!(
            (error.area, error.code, error.status),
            ("token", "token_expired", 401)
        );
        use iamkit::ErrorCode;
        assert_eq!(error.twilio_code, iamkit::TokenError::Expired.twilio_code());
        let error = FlatError::new(iamkit::ScimError::InvalidSyntax("x".into()));
        assert_eq!((error.area, error.code), ("scim", "invalidSyntax"));
    }

    #[test]
    fn a_bad_key_is_the_engines_error() {
        let result = EngineOptions {
            rs256_key_pem: Some("not a key".into()),
            ..Default::default()
        }
        .build();
        assert!(matches!(result, Err(OptionsError::Engine(_))));
    }

    #[cfg(feature = "server")]
    #[test]
    fn serve_options_parse_host_and_style() {
        let (options, demo) = ServeOptions {
            host: Some("::1".into()),
            response_style: Some("rfc".into()),
            demo: true,
            ..Default::default()
        }
        .server_options()
        .unwrap();
        assert!(demo);
        assert_eq!(options.host, "::1".parse::<std::net::IpAddr>().unwrap());
        assert_eq!(options.response_style, iamkit_server::ResponseStyle::Rfc);
        let err = ServeOptions {
            response_style: Some("soap".into()),
            ..Default::default()
        }
        .server_options()
        .unwrap_err();
        assert!(err.to_string().starts_with("response_style: "), "{err}");
        let (options, _) = ServeOptions {
            cors_origins: vec!["*".into()],
            ..Default::default()
        }
        .server_options()
        .unwrap();
        assert_eq!(options.cors_origins, iamkit_server::CorsOrigins::Any);
        let err = ServeOptions {
            cors_origins: vec!["app.example".into()],
            ..Default::default()
        }
        .server_options()
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "cors_origins: \"app.example\" is not an origin: relative URL without a base"
        );
    }
}
