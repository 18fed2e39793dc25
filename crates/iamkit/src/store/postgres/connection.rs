//! Connections to the database: the URL, its TLS settings, and driving a
//! connection on the store's runtime.
//!
//! TLS is chosen as libpq chooses it, by the URL's `sslmode` and `sslrootcert`:
//!
//! | `sslmode` | TLS | the server's certificate |
//! |---|---|---|
//! | `disable` | never | — |
//! | `prefer` (the default) | when the server offers it | not checked |
//! | `require` | always | checked against `sslrootcert` when it is given, else not |
//! | `verify-ca` | always | signed by a root of `sslrootcert` |
//! | `verify-full` | always | signed by a root of `sslrootcert`, for the URL's host |
//!
//! `sslrootcert` is a PEM file of root certificates, or `system` for the system's
//! store; `verify-ca` and `verify-full` without it use the system's store.

use std::str::FromStr;
use std::sync::Arc;

use futures_util::StreamExt;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::Notify;
use tokio_postgres::config::SslMode;
use tokio_postgres::{AsyncMessage, Client, Config, Connection, NoTls, Socket};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::WAIT;
use crate::store::StoreError;

/// How to reach the database: its settings and, unless TLS is off, the TLS client.
#[derive(Clone)]
pub(super) struct Connector {
    config: Config,
    tls: Option<MakeRustlsConnect>,
}

/// The URL's `sslmode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl Mode {
    fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "disable" => Self::Disable,
            "prefer" => Self::Prefer,
            "require" => Self::Require,
            "verify-ca" => Self::VerifyCa,
            "verify-full" => Self::VerifyFull,
            _ => return None,
        })
    }
}

/// How much of the server's certificate is checked.
enum Check {
    Nothing,
    Chain,
    ChainAndHost,
}

impl Connector {
    /// Reads `url` (`postgres://USER[:PASSWORD]@HOST:PORT/DB[?PARAMS]`); `shown` is
    /// the URL without its password, for messages.
    pub(super) fn parse(url: &str, shown: &str) -> Result<Self, StoreError> {
        let invalid = |message: String| StoreError::Invalid(format!("{shown}: {message}"));
        let (base, query) = url.split_once('?').unwrap_or((url, ""));
        let mut mode = Mode::Prefer;
        let mut root = None;
        let mut kept = url::form_urlencoded::Serializer::new(String::new());
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            match &*key {
                "sslmode" => {
                    mode = Mode::parse(&value).ok_or_else(|| {
                        invalid(format!(
                            "sslmode {value:?} is not one of disable, prefer, require, \
                             verify-ca, verify-full"
                        ))
                    })?;
                }
                "sslrootcert" => root = Some(value.into_owned()),
                _ => {
                    kept.append_pair(&key, &value);
                }
            }
        }
        let kept = kept.finish();
        let url = if kept.is_empty() {
            base.to_owned()
        } else {
            format!("{base}?{kept}")
        };
        let mut config = Config::from_str(&url).map_err(|e| invalid(e.to_string()))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(WAIT);
        }
        config.application_name("iamkit");
        config.ssl_mode(match mode {
            Mode::Disable => SslMode::Disable,
            Mode::Prefer => SslMode::Prefer,
            Mode::Require | Mode::VerifyCa | Mode::VerifyFull => SslMode::Require,
        });
        let check = match (mode, &root) {
            (Mode::Disable, _) => return Ok(Self { config, tls: None }),
            (Mode::Prefer, _) | (Mode::Require, None) => Check::Nothing,
            (Mode::Require | Mode::VerifyCa, _) => Check::Chain,
            (Mode::VerifyFull, _) => Check::ChainAndHost,
        };
        let tls = client_config(check, root.as_deref()).map_err(invalid)?;
        Ok(Self {
            config,
            tls: Some(MakeRustlsConnect::new(tls)),
        })
    }

    /// Opens a connection and drives it on the current runtime; `wake`, when
    /// given, is woken by each notification the connection receives.
    pub(super) async fn connect(
        &self,
        wake: Option<Arc<Notify>>,
    ) -> Result<Client, tokio_postgres::Error> {
        Ok(match &self.tls {
            None => {
                let (client, connection) = self.config.connect(NoTls).await?;
                drive(connection, wake);
                client
            }
            Some(tls) => {
                let (client, connection) = self.config.connect(tls.clone()).await?;
                drive(connection, wake);
                client
            }
        })
    }
}

/// Polls `connection` until it closes, waking `wake` on each notification.
fn drive<T>(mut connection: Connection<Socket, T>, wake: Option<Arc<Notify>>)
where
    T: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    tokio::spawn(async move {
        let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(Ok(message)) = messages.next().await {
            if let (AsyncMessage::Notification(_), Some(wake)) = (message, &wake) {
                wake.notify_one();
            }
        }
    });
}

/// The TLS client for `check`, trusting the roots of `root` (a PEM file, or
/// `system`; the system's store when absent).
fn client_config(check: Check, root: Option<&str>) -> Result<ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .dangerous();
    let chain = match check {
        Check::Nothing => None,
        Check::Chain | Check::ChainAndHost => Some(
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots(root)?), provider.clone())
                .build()
                .map_err(|e| format!("sslrootcert: {e}"))?,
        ),
    };
    let verifier: Arc<dyn ServerCertVerifier> = match (check, chain) {
        (Check::ChainAndHost, Some(chain)) => chain,
        (_, chain) => Arc::new(Lenient { chain, provider }),
    };
    Ok(builder
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth())
}

/// The root certificates of `root`.
fn roots(root: Option<&str>) -> Result<RootCertStore, String> {
    let mut store = RootCertStore::empty();
    match root {
        None | Some("system") => {
            let found = rustls_native_certs::load_native_certs();
            store.add_parsable_certificates(found.certs);
            if store.is_empty() {
                return Err("the system has no root certificates: give sslrootcert=PATH".into());
            }
        }
        Some(path) => {
            let certs = CertificateDer::pem_file_iter(path)
                .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
                .map_err(|e| format!("sslrootcert {path}: {e}"))?;
            let (_, refused) = store.add_parsable_certificates(certs);
            if store.is_empty() {
                return Err(format!(
                    "sslrootcert {path}: no root certificate in it ({refused} unreadable)"
                ));
            }
        }
    }
    Ok(store)
}

/// Checks less than `verify-full`: the chain but not the host name (`verify-ca`,
/// `require` with roots), or nothing (`prefer`, `require` without roots, as libpq
/// does). The handshake's signatures are checked either way, so the connection is
/// encrypted to whoever holds the certificate's key.
#[derive(Debug)]
struct Lenient {
    chain: Option<Arc<WebPkiServerVerifier>>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for Lenient {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let Some(chain) = &self.chain else {
            return Ok(ServerCertVerified::assertion());
        };
        match chain.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            checked => checked,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(url: &str) -> String {
        match Connector::parse(url, "shown") {
            Err(StoreError::Invalid(message)) => message,
            Err(other) => panic!("{url}: {other:?}"),
            Ok(_) => panic!("{url} was accepted"),
        }
    }

    #[test]
    fn sslmode_is_one_of_libpqs() {
        assert_eq!(
            refused("postgres://u@h/db?sslmode=verify"),
            "shown: sslmode \"verify\" is not one of disable, prefer, require, verify-ca, \
             verify-full"
        );
    }

    #[test]
    fn a_missing_root_file_is_named() {
        let message =
            refused("postgres://u@h/db?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem");
        assert!(
            message.starts_with("shown: sslrootcert /nonexistent/ca.pem: "),
            "{message}"
        );
    }

    #[test]
    fn a_root_file_without_certificates_is_refused() {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), "not a certificate\n").unwrap();
        let path = file.path().display();
        assert_eq!(
            refused(&format!(
                "postgres://u@h/db?sslmode=verify-ca&sslrootcert={path}"
            )),
            format!("shown: sslrootcert {path}: no root certificate in it (0 unreadable)")
        );
    }

    #[test]
    fn other_parameters_reach_the_client() {
        assert!(refused("postgres://u@h/db?nonsense=1").starts_with("shown: "));
        let connector = Connector::parse(
            "postgres://u@h/db?sslmode=disable&connect_timeout=3",
            "shown",
        )
        .unwrap();
        assert!(connector.tls.is_none());
        assert_eq!(connector.config.get_ssl_mode(), SslMode::Disable);
        assert_eq!(
            connector.config.get_connect_timeout(),
            Some(&std::time::Duration::from_secs(3))
        );
        let connector = Connector::parse("postgres://u@h/db?sslmode=require", "shown").unwrap();
        assert!(connector.tls.is_some());
        assert_eq!(connector.config.get_ssl_mode(), SslMode::Require);
    }
}
