//! TLS for `amisim serve --tls-cert FILE --tls-key FILE` (rustls, with the
//! ring provider): the certificate chain and private key read from PEM
//! files, each fault named with the file and what to give instead.

use std::path::Path;
use std::sync::Arc;

/// The server's TLS configuration from a PEM certificate chain and a PEM
/// private key (PKCS#8, PKCS#1 or SEC1).
pub fn server_config(cert: &Path, key: &Path) -> anyhow::Result<Arc<rustls::ServerConfig>> {
    let read = |path: &Path, what: &str| {
        std::fs::read(path)
            .map_err(|e| anyhow::anyhow!("cannot read the {what} {}: {e}", path.display()))
    };
    let cert_pem = read(cert, "certificate")?;
    let chain: Vec<_> = rustls_pemfile::certs(&mut cert_pem.as_slice())
        .collect::<Result<_, _>>()
        .map_err(|e| anyhow::anyhow!("{} is not a PEM certificate: {e}", cert.display()))?;
    if chain.is_empty() {
        anyhow::bail!(
            "{} holds no certificate: give --tls-cert a PEM file that begins with -----BEGIN CERTIFICATE-----",
            cert.display()
        );
    }
    let key_pem = read(key, "private key")?;
    let private = rustls_pemfile::private_key(&mut key_pem.as_slice())
        .map_err(|e| anyhow::anyhow!("{} is not a PEM private key: {e}", key.display()))?
        .ok_or_else(|| {
            anyhow::anyhow!(
                "{} holds no private key: give --tls-key the PEM key of the certificate (-----BEGIN PRIVATE KEY-----)",
                key.display()
            )
        })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, private)
        .map_err(|e| {
            anyhow::anyhow!(
                "the key {} does not go with the certificate {}: {e}",
                key.display(),
                cert.display()
            )
        })?;
    Ok(Arc::new(config))
}
