//! The HTTP server under `amisim serve` (and the console): hyper over tokio,
//! closing connections whose client stalls, and on SIGINT or SIGTERM
//! finishing the requests in flight before it returns.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;

use crate::{Answer, Request, Server, MAX_BODY};

/// How long a client may take to send a request's head, may pause while
/// sending its body, and may keep an idle connection open: one that stalls
/// longer is closed, so stalled clients cannot hold the server's connections.
pub const STALL_LIMIT: Duration = Duration::from_secs(10);

/// The longest a connection may last, whatever its client does: then it is
/// closed, once the request in flight on it (if any) is answered, which it
/// is within another such limit. A request is never cut off unanswered
/// while its call may still be applied.
pub const CONNECTION_LIMIT: Duration = Duration::from_secs(60);

/// The most connections one client address may hold open at once; one more
/// is answered 503 and closed, so one client cannot take every connection.
pub const CLIENT_CONNECTIONS: usize = 128;

/// The most connections all clients together may hold open at once.
pub const TOTAL_CONNECTIONS: usize = 512;

/// How long, after SIGINT or SIGTERM, requests in flight have to finish.
pub const DRAIN_LIMIT: Duration = Duration::from_secs(10);

/// What a face says when it starts: its name, a note after its address,
/// and the warning when it listens beyond loopback.
pub struct Banner<'a> {
    /// `amisim serve`.
    pub name: &'a str,
    /// `(EC2, STS, KMS, Recycle Bin; SIGINT or SIGTERM stops it)`.
    pub note: &'a str,
    /// What being reachable from other machines means for it.
    pub exposed: &'a str,
    /// An address to suggest when `--listen` is not one.
    pub example: &'a str,
}

/// Whom a face answers: requests that name it by the address it listens on
/// (any of this machine's addresses when it listens on all of them),
/// `localhost` when it listens on loopback, or one of the names it is given.
/// A page of another site that a DNS-rebinding trick points at the server
/// names that site, and is refused.
#[derive(Debug, Clone)]
pub struct HostGuard {
    bound: std::net::SocketAddr,
    names: Vec<String>,
}

impl HostGuard {
    /// The guard of a face listening on `bound`, also known as `names`.
    pub fn new(bound: std::net::SocketAddr, names: Vec<String>) -> HostGuard {
        HostGuard { bound, names }
    }

    /// The address the face listens on.
    pub fn bound(&self) -> std::net::SocketAddr {
        self.bound
    }

    /// Whether a request whose `Host` header is `host` is for this face.
    pub fn allows(&self, host: &str) -> bool {
        let Some((name, port)) = split_host(host) else {
            return false;
        };
        if port != self.bound.port() {
            return false;
        }
        let ip = self.bound.ip();
        match name.parse::<std::net::IpAddr>() {
            Ok(asked) => asked == ip || (ip.is_unspecified() && asked.is_ipv4() == ip.is_ipv4()),
            Err(_) => {
                (name.eq_ignore_ascii_case("localhost")
                    && (ip.is_loopback() || ip.is_unspecified()))
                    || self.names.iter().any(|n| n.eq_ignore_ascii_case(name))
            }
        }
    }
}

/// A `Host` header's name and port (80 when it names none), with an IPv6
/// literal's brackets taken off; `None` when it is not a host.
fn split_host(host: &str) -> Option<(&str, u16)> {
    let (name, port) = match host.strip_prefix('[') {
        Some(rest) => {
            let (name, after) = rest.split_once(']')?;
            match after {
                "" => (name, None),
                _ => (name, Some(after.strip_prefix(':')?)),
            }
        }
        None => match host.split_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (host, None),
        },
    };
    let port = match port {
        None => 80,
        Some(p) => p.parse().ok()?,
    };
    (!name.is_empty()).then_some((name, port))
}

/// Listens on `listen`, says so on `out` (warning when other machines can
/// reach it), and serves the service `make` builds for the bound address
/// until SIGINT or SIGTERM (see [`accept`]), over TLS when given its
/// configuration.
pub fn listen_and_serve<S, B>(
    listen: &str,
    banner: &Banner<'_>,
    tls: Option<Arc<rustls::ServerConfig>>,
    out: &mut dyn std::io::Write,
    make: impl FnOnce(std::net::SocketAddr) -> S,
) -> anyhow::Result<()>
where
    S: tower::Service<hyper::Request<Incoming>, Response = hyper::Response<B>>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let addr: std::net::SocketAddr = listen.parse().map_err(|_| {
        anyhow::anyhow!(
            "--listen {listen:?} is not an address and port; write it as {}",
            banner.example
        )
    })?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
        let bound = listener.local_addr()?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        writeln!(
            out,
            "{} at {scheme}://{bound}/ {}",
            banner.name, banner.note
        )?;
        if !bound.ip().is_loopback() {
            let clear = match tls {
                Some(_) => "",
                None => "; it speaks plain HTTP, which anyone on the network can read",
            };
            writeln!(
                out,
                "Warning: {} is reachable from other machines; {}{clear}",
                bound.ip(),
                banner.exposed
            )?;
        }
        out.flush()?;
        accept(listener, make(bound), tls).await
    })
}

/// Serves `service` to every connection on `listener` until SIGINT or
/// SIGTERM, closing connections whose client stalls for [`STALL_LIMIT`] (in
/// the TLS handshake too); then lets the requests in flight finish (for up
/// to [`DRAIN_LIMIT`]).
pub async fn accept<S, B>(
    listener: tokio::net::TcpListener,
    service: S,
    tls: Option<Arc<rustls::ServerConfig>>,
) -> anyhow::Result<()>
where
    S: tower::Service<hyper::Request<Incoming>, Response = hyper::Response<B>>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    use tokio::signal::unix::{signal, SignalKind};
    let tls = tls.map(tokio_rustls::TlsAcceptor::from);
    let open = Arc::new(OpenConnections::default());
    let mut terminate = signal(SignalKind::terminate())?;
    let interrupt = tokio::signal::ctrl_c();
    tokio::pin!(interrupt);
    let mut in_flight = tokio::task::JoinSet::new();
    loop {
        let (stream, client) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // A connection that failed before it was ours (the client
                // gave up, or the process is out of descriptors for a moment).
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut interrupt => break,
            _ = terminate.recv() => break,
        };
        // Forget connections that are done.
        while in_flight.try_join_next().is_some() {}
        let Some(slot) = OpenConnections::take(&open, client.ip()) else {
            tokio::spawn(too_many(stream));
            continue;
        };
        let service = hyper_util::service::TowerToHyperService::new(service.clone());
        let tls = tls.clone();
        in_flight.spawn(async move {
            let _slot = slot;
            match tls {
                None => serve_connection(stream, service).await,
                Some(acceptor) => {
                    // A client that stalls in the handshake is closed too.
                    if let Ok(Ok(stream)) =
                        tokio::time::timeout(STALL_LIMIT, acceptor.accept(stream)).await
                    {
                        serve_connection(stream, service).await;
                    }
                }
            }
        });
    }
    drop(listener);
    // The requests in flight finish; idle connections close at their next read.
    let _ = tokio::time::timeout(DRAIN_LIMIT, async {
        while in_flight.join_next().await.is_some() {}
    })
    .await;
    Ok(())
}

/// Serves one connection's requests, for at most [`CONNECTION_LIMIT`] (then
/// the request in flight is answered and it closes).
async fn serve_connection<IO, S, B>(io: IO, service: S)
where
    IO: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    S: hyper::service::Service<hyper::Request<Incoming>, Response = hyper::Response<B>>
        + Send
        + 'static,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    use hyper_util::rt::{TokioIo, TokioTimer};
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(STALL_LIMIT)
        .serve_connection(TokioIo::new(io), service);
    tokio::pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => return,
        _ = tokio::time::sleep(CONNECTION_LIMIT) => {}
    }
    // Long enough: the request in flight is answered, then it closes.
    connection.as_mut().graceful_shutdown();
    let _ = tokio::time::timeout(CONNECTION_LIMIT, connection).await;
}

/// The connections open now, by client address and in all.
#[derive(Default)]
struct OpenConnections {
    by_client: std::sync::Mutex<std::collections::HashMap<std::net::IpAddr, usize>>,
}

/// One open connection, counted until it is dropped.
struct Slot {
    open: Arc<OpenConnections>,
    client: std::net::IpAddr,
}

impl OpenConnections {
    /// A slot for a new connection from `client`, unless the client or all
    /// clients together hold as many as they may.
    fn take(open: &Arc<OpenConnections>, client: std::net::IpAddr) -> Option<Slot> {
        let mut by_client = open.by_client.lock().unwrap_or_else(|p| p.into_inner());
        let total: usize = by_client.values().sum();
        let mine = by_client.entry(client).or_insert(0);
        if *mine >= CLIENT_CONNECTIONS || total >= TOTAL_CONNECTIONS {
            return None;
        }
        *mine += 1;
        Some(Slot {
            open: open.clone(),
            client,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut by_client = self
            .open
            .by_client
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(n) = by_client.get_mut(&self.client) {
            *n -= 1;
            if *n == 0 {
                by_client.remove(&self.client);
            }
        }
    }
}

/// Answers a connection beyond the limits 503 (which AWS's SDKs retry) and closes it.
async fn too_many(mut stream: tokio::net::TcpStream) {
    use tokio::io::AsyncWriteExt;
    let text = format!(
        "Too many open connections: at most {CLIENT_CONNECTIONS} from one client and {TOTAL_CONNECTIONS} in all; close some and retry\n"
    );
    let answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nRetry-After: 1\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{text}",
        text.len()
    );
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        let _ = stream.write_all(answer.as_bytes()).await;
        let _ = stream.shutdown().await;
    })
    .await;
}

/// Reads one HTTP request (refusing a body over [`MAX_BODY`]) and answers
/// it: the task waits for its answer while a blocking thread, never an async
/// worker, reads and writes the store ([`Server::answer_async`]).
pub async fn answer<B>(
    server: Arc<Server>,
    request: hyper::Request<B>,
) -> Result<hyper::Response<Full<Bytes>>, Infallible>
where
    B: hyper::body::Body,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let (parts, body) = request.into_parts();
    let length = parts
        .headers
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    let body = match read_body(body, length).await {
        Ok(body) => body,
        Err(refusal) => return Ok(reply(&refusal)),
    };
    let request = Request {
        method: parts.method.as_str().to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or_default().to_string(),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).to_string(),
                )
            })
            .collect(),
        body,
    };
    let answer = server.answer_async(request).await;
    Ok(reply(&answer))
}

/// A request's body, of at most [`MAX_BODY`] bytes, from a client that never
/// pauses for [`STALL_LIMIT`] while sending it; or the answer refusing it.
async fn read_body<B>(body: B, length: usize) -> Result<Vec<u8>, Answer>
where
    B: hyper::body::Body,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let refusal = |status: u16, text: String| Answer {
        status,
        content_type: "text/plain; charset=utf-8",
        body: text.into_bytes(),
    };
    let mut body = std::pin::pin!(body);
    // One buffer of the announced length, at most the largest body read.
    let mut bytes = Vec::with_capacity(length.min(MAX_BODY));
    loop {
        let frame = match tokio::time::timeout(STALL_LIMIT, body.frame()).await {
            Err(_) => {
                return Err(refusal(
                    408,
                    format!(
                        "The request body stalled for {} seconds; send it whole\n",
                        STALL_LIMIT.as_secs()
                    ),
                ))
            }
            Ok(None) => return Ok(bytes),
            Ok(Some(Err(_))) => {
                return Err(refusal(400, "The request body was cut short\n".into()))
            }
            Ok(Some(Ok(frame))) => frame,
        };
        if let Ok(data) = frame.into_data() {
            use bytes::{Buf, BufMut};
            if bytes.len() + data.remaining() > MAX_BODY {
                return Err(refusal(
                    413,
                    format!("The request body is larger than {MAX_BODY} bytes\n"),
                ));
            }
            bytes.put(data);
        }
    }
}

fn reply(answer: &Answer) -> hyper::Response<Full<Bytes>> {
    let mut response = hyper::Response::new(Full::new(Bytes::from(answer.body.clone())));
    *response.status_mut() = hyper::StatusCode::from_u16(answer.status)
        .unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    if let Ok(v) = hyper::header::HeaderValue::from_str(answer.content_type) {
        response
            .headers_mut()
            .insert(hyper::header::CONTENT_TYPE, v);
    }
    response
}
