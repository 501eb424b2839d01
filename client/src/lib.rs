//! amisim's own calls made through a server: what the `amisim` command and
//! the provider use instead of a store when they are given an endpoint.
//! Each call is one JSON 1.1 request, `X-Amz-Target: AmisimService.ACTION`,
//! signed with SigV4 for the service `amisim` with the caller's access key
//! pair; its answer is the call's output, or its refusal: the very
//! [`Error`] the simulator made (its kind, rule, hint), so a refusal reads
//! and matches as it does on a store. A server that cannot be reached is a
//! store that cannot be reached (`Store.Unavailable`).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use amisim_simulator::{Call, Error, ErrorKind};
use serde::de::DeserializeOwned;

use amisim_simulator::wire::TARGET;

/// How long a call waits for its answer.
const TIMEOUT: Duration = Duration::from_secs(60);

/// A server to make calls through, and who makes them.
#[derive(Debug, Clone)]
pub struct Remote {
    endpoint: String,
    access_key: String,
    secret: String,
    region: String,
    command: Option<String>,
    account: Option<String>,
    /// For an `https://` endpoint: whom to trust.
    tls: Option<Arc<rustls::ClientConfig>>,
}

impl Remote {
    /// Calls through the server at `endpoint` (`http://HOST:PORT`), signed
    /// with `access_key` and `secret`, for `region`.
    pub fn new(
        endpoint: &str,
        access_key: &str,
        secret: &str,
        region: &str,
    ) -> anyhow::Result<Remote> {
        let endpoint = endpoint.trim_end_matches('/');
        let tls = match is_https(endpoint)? {
            false => None,
            true => Some(tls_config()?),
        };
        if access_key.is_empty() || secret.is_empty() {
            anyhow::bail!(
                "calls through {endpoint} need an access key pair: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (the administrator's, as amisim serve printed it, or a claimed account's)"
            );
        }
        Ok(Remote {
            endpoint: endpoint.to_string(),
            access_key: access_key.to_string(),
            secret: secret.to_string(),
            region: region.to_string(),
            command: None,
            account: None,
            tls,
        })
    }

    /// The same, its calls belonging to the command `name` (see
    /// `X-Amisim-Command`), so that they share the command's start.
    pub fn in_command(mut self, name: &str) -> Remote {
        self.command = Some(name.to_string());
        self
    }

    /// The same, its calls acting as `account` (`X-Amisim-Account`): for the
    /// administrator's key, which acts as any account.
    pub fn acting_as(mut self, account: &str) -> Remote {
        self.account = Some(account.to_string());
        self
    }

    /// The same, signing for `region` (where an object is).
    pub fn in_region(&self, region: &str) -> Remote {
        Remote {
            region: region.to_string(),
            ..self.clone()
        }
    }

    /// The endpoint.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Makes `request` as the key's own caller (or the account it acts as).
    pub fn call<R: Call>(&self, request: &R) -> Result<R::Output, Error>
    where
        R::Output: DeserializeOwned,
    {
        self.call_as(self.account.as_deref(), request)
    }

    /// Makes `request` as `account` (`X-Amisim-Account`: the administrator's
    /// key acting as an account), or as the key's own caller.
    pub fn call_as<R: Call>(&self, account: Option<&str>, request: &R) -> Result<R::Output, Error>
    where
        R::Output: DeserializeOwned,
    {
        let action = request.action();
        let body = serde_json::to_vec(request)
            .map_err(|e| unavailable(format!("{action} cannot be written as JSON: {e}"), ""))?;
        let text = self.send(action, account, &body)?;
        serde_json::from_str(&text).map_err(|e| {
            unavailable(
                format!(
                    "{} answered {action} with what is not its output ({e})",
                    self.endpoint
                ),
                "Is it an amisim serve of this version? Run the amisim of the server's version",
            )
        })
    }

    /// Sends one signed request for `action`; the answer's body, or its refusal.
    fn send(&self, action: &str, account: Option<&str>, body: &[u8]) -> Result<String, Error> {
        use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
        let host = self
            .endpoint
            .split_once("://")
            .map_or(self.endpoint.as_str(), |(_, rest)| rest)
            .split('/')
            .next()
            .unwrap_or_default()
            .to_string();
        let target = format!("{TARGET}{action}");
        let mut headers: Vec<(&str, &str)> = vec![
            ("host", host.as_str()),
            ("content-type", "application/x-amz-json-1.1"),
            ("x-amz-target", target.as_str()),
        ];
        if let Some(c) = &self.command {
            headers.push(("x-amisim-command", c.as_str()));
        }
        if let Some(a) = account {
            headers.push(("x-amisim-account", a));
        }
        let identity = aws_credential_types::Credentials::new(
            &self.access_key,
            &self.secret,
            None,
            None,
            "amisim",
        )
        .into();
        let url = format!("{}/", self.endpoint);
        let unsigned = |e: &dyn std::fmt::Display| {
            unavailable(format!("{action} could not be signed for {url}: {e}"), "")
        };
        let params = aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name("amisim")
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| unsigned(&e))?
            .into();
        let signable = SignableRequest::new(
            "POST",
            &url,
            headers.iter().copied(),
            SignableBody::Bytes(body),
        )
        .map_err(|e| unsigned(&e))?;
        let (instructions, _) = sign(signable, &params)
            .map_err(|e| unsigned(&e))?
            .into_parts();
        let mut agent = ureq::AgentBuilder::new().timeout(TIMEOUT);
        if let Some(tls) = &self.tls {
            agent = agent.tls_config(tls.clone());
        }
        let agent = agent.build();
        let mut request = agent.post(&url);
        for (name, value) in headers.iter().filter(|(n, _)| *n != "host") {
            request = request.set(name, value);
        }
        for (name, value) in instructions.headers() {
            request = request.set(name, value);
        }
        match request.send_bytes(body) {
            Ok(answer) => answer.into_string().map_err(|e| {
                unavailable(
                    format!(
                        "the answer of {} to {action} was cut short: {e}",
                        self.endpoint
                    ),
                    "It may have been made: look before you repeat it (amisim events)",
                )
            }),
            Err(ureq::Error::Status(status, answer)) => {
                let text = answer.into_string().unwrap_or_default();
                Err(refusal(status, &text))
            }
            // The server's certificate is not one this machine trusts.
            Err(ureq::Error::Transport(t)) if t.to_string().contains("invalid peer certificate") => {
                Err(unavailable(
                    format!("amisim serve at {} presented a certificate this machine does not trust ({t}); nothing was sent", self.endpoint),
                    "Set AWS_CA_BUNDLE to the PEM file of the server's certificate (for a self-signed one, the --tls-cert file amisim serve was given)",
                ))
            }
            // Not connected: the call was not made.
            Err(ureq::Error::Transport(t))
                if matches!(t.kind(), ureq::ErrorKind::ConnectionFailed | ureq::ErrorKind::Dns) =>
            {
                Err(unavailable(
                    format!("cannot reach amisim serve at {}: {t}; nothing was sent", self.endpoint),
                    "Start it (amisim serve), or check the endpoint",
                ))
            }
            // Connected, then cut off: the server may have made the call.
            Err(e) => Err(unavailable(
                format!("amisim serve at {} stopped answering {action}: {e}; the call may have been made", self.endpoint),
                "Look before you repeat it (amisim events, or the next plan): once the server is back, what it made is there, and a create it made is refused as a duplicate naming the object to import",
            )),
        }
    }
}

/// Whether `endpoint` is an `https://` URL; an error unless it is an
/// `http://` or `https://` one, as `amisim serve` prints it. Every face that
/// takes an endpoint checks it here.
pub fn is_https(endpoint: &str) -> anyhow::Result<bool> {
    match endpoint.split_once("://") {
        Some(("http", _)) => Ok(false),
        Some(("https", _)) => Ok(true),
        _ => anyhow::bail!(
            "the endpoint {endpoint:?} is not a URL amisim can reach; write it as http://HOST:PORT or https://HOST:PORT, as amisim serve prints it"
        ),
    }
}

/// Whom calls to an `https://` endpoint trust: the public certificate
/// authorities, and the certificates in the PEM file `AWS_CA_BUNDLE` names
/// (a class server's own, self-signed), as the AWS tools trust them.
fn tls_config() -> anyhow::Result<Arc<rustls::ClientConfig>> {
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(bundle) = std::env::var_os("AWS_CA_BUNDLE").filter(|v| !v.is_empty()) {
        let path = std::path::Path::new(&bundle);
        let pem = std::fs::read(path)
            .map_err(|e| anyhow::anyhow!("cannot read AWS_CA_BUNDLE {}: {e}", path.display()))?;
        let certs = rustls_pemfile::certs(&mut pem.as_slice())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| anyhow::anyhow!("AWS_CA_BUNDLE {} is not PEM: {e}", path.display()))?;
        if certs.is_empty() {
            anyhow::bail!(
                "AWS_CA_BUNDLE {} holds no certificate: name the PEM file of the server's certificate (or of its authority)",
                path.display()
            );
        }
        for cert in certs {
            roots.add(cert).map_err(|e| {
                anyhow::anyhow!(
                    "AWS_CA_BUNDLE {} holds a certificate rustls refuses: {e}",
                    path.display()
                )
            })?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// The server failing to answer: a store that cannot be reached.
fn unavailable(message: String, hint: &str) -> Error {
    Error::new(ErrorKind::StoreIo, message, hint)
}

/// The refusal a server answered with `status` and `text`: the simulator's
/// own when the server names its kind; else (a refusal before any rule: the
/// signature, the key) the kind named by its code, which for those is the
/// kind's name, or a plain refusal naming the code.
fn refusal(status: u16, text: &str) -> Error {
    let value: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
    let field = |name: &str| value[name].as_str().unwrap_or_default().to_string();
    if let Ok(kind) = serde_json::from_value::<ErrorKind>(value["kind"].clone()) {
        let mut e = Error::new(kind, field("rule"), field("hint"));
        if let Some(existing) = value["existing"].as_str() {
            e = e.with_existing(existing);
        }
        if let Some(rule) = value["fault"].as_str() {
            e = e.injected_by(rule);
        }
        return e;
    }
    let code = match field("__type") {
        c if c.is_empty() => format!("HTTP {status}"),
        c => c,
    };
    let kind = serde_json::from_value::<ErrorKind>(serde_json::Value::String(code.clone()))
        .ok()
        .filter(|k| k.code() == code);
    match kind {
        Some(kind) => Error::new(kind, field("message"), ""),
        None if status >= 500 => unavailable(format!("{code}: {}", field("message")), ""),
        None => Error::new(
            ErrorKind::InvalidRequest,
            format!("{code}: {}", field("message")),
            "",
        ),
    }
}
