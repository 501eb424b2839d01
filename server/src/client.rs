//! amisim's own calls made through a server: what the `amisim` command (and
//! later the provider) uses instead of a store when it is given an endpoint.
//! Each call is one JSON 1.1 request, `X-Amz-Target: AmisimService.ACTION`,
//! signed with SigV4 for the service `amisim` with the caller's access key
//! pair; its answer is the call's output, or its refusal with the code, rule
//! and hint the simulator gave, so a refusal reads as it does on a store.

use std::time::{Duration, SystemTime};

use amisim_simulator::Call;
use serde::de::DeserializeOwned;

use crate::amisim::TARGET;

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
}

/// A call refused through a server, as the server answered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The HTTP status.
    pub status: u16,
    /// The AWS code (`InvalidAMIID.NotFound`, `UnauthorizedOperation`).
    pub code: String,
    /// The rule broken (the whole message, for refusals before any rule).
    pub message: String,
    /// What to do instead; empty when the server gave none apart.
    pub hint: String,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        if !self.hint.is_empty() {
            write!(f, "\n\n{}", self.hint)?;
        }
        Ok(())
    }
}

impl std::error::Error for Refusal {}

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
        if !endpoint.starts_with("http://") {
            anyhow::bail!(
                "the endpoint {endpoint:?} is not a URL amisim can reach; write it as http://HOST:PORT, as amisim serve prints it"
            );
        }
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
        })
    }

    /// The same, its calls belonging to the command `name` (see
    /// `X-Amisim-Command`), so that they share the command's start.
    pub fn in_command(mut self, name: &str) -> Remote {
        self.command = Some(name.to_string());
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

    /// Makes `request` as the key's own caller.
    pub fn call<R: Call>(&self, request: &R) -> Result<R::Output, anyhow::Error>
    where
        R::Output: DeserializeOwned,
    {
        self.call_as(None, request)
    }

    /// Makes `request` as `account` (`X-Amisim-Account`: the administrator's
    /// key acting as an account), or as the key's own caller.
    pub fn call_as<R: Call>(
        &self,
        account: Option<&str>,
        request: &R,
    ) -> Result<R::Output, anyhow::Error>
    where
        R::Output: DeserializeOwned,
    {
        let body = serde_json::to_vec(request)?;
        let text = self.send(request.action(), account, &body)?;
        serde_json::from_str(&text).map_err(|e| {
            anyhow::anyhow!(
                "{} answered {} with what is not its output ({e}); is it an amisim serve of this version?",
                self.endpoint,
                request.action()
            )
        })
    }

    /// Sends one signed request for `action`; the answer's body, or its refusal.
    fn send(&self, action: &str, account: Option<&str>, body: &[u8]) -> anyhow::Result<String> {
        use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
        let host = self
            .endpoint
            .trim_start_matches("http://")
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
        let params = aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name("amisim")
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()?
            .into();
        let url = format!("{}/", self.endpoint);
        let signable = SignableRequest::new(
            "POST",
            &url,
            headers.iter().copied(),
            SignableBody::Bytes(body),
        )?;
        let (instructions, _) = sign(signable, &params)?.into_parts();
        let agent = ureq::AgentBuilder::new().timeout(TIMEOUT).build();
        let mut request = agent.post(&url);
        for (name, value) in headers.iter().filter(|(n, _)| *n != "host") {
            request = request.set(name, value);
        }
        for (name, value) in instructions.headers() {
            request = request.set(name, value);
        }
        match request.send_bytes(body) {
            Ok(answer) => Ok(answer.into_string()?),
            Err(ureq::Error::Status(status, answer)) => {
                let text = answer.into_string().unwrap_or_default();
                Err(refusal(status, &text).into())
            }
            Err(e) => Err(anyhow::anyhow!(
                "cannot reach amisim serve at {}: {e}; nothing was sent. Start it (amisim serve), or check the endpoint",
                self.endpoint
            )),
        }
    }
}

/// The refusal a server answered with `status` and `text`.
fn refusal(status: u16, text: &str) -> Refusal {
    let value: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
    let field = |name: &str| value[name].as_str().unwrap_or_default().to_string();
    let code = match field("__type") {
        c if c.is_empty() => format!("HTTP {status}"),
        c => c,
    };
    match (value.get("rule"), value.get("hint")) {
        (Some(_), Some(_)) => Refusal {
            status,
            code,
            message: field("rule"),
            hint: field("hint"),
        },
        _ => Refusal {
            status,
            code,
            message: field("message"),
            hint: String::new(),
        },
    }
}
