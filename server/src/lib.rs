//! `amisim serve`: the simulated cloud behind AWS's own wire protocols, so
//! that the AWS CLI, boto3 and the other SDKs act on it.
//!
//! Each request names its service and region in its SigV4 credential scope,
//! and its caller by its access key ID, as AWS routes and authenticates
//! requests. Each protocol is an adapter from the wire to the simulator's one
//! call layer and back: it parses the request into a request type of the
//! simulator, runs it with [`Cloud::call`] as the caller (so every rule,
//! check and event-log entry is the same as for the provider and the CLI),
//! and writes the answer in AWS's shape. The simulator knows nothing of HTTP.
//!
//! Served today: EC2 (the Query protocol, API version 2016-11-15) for
//! images, their attributes and tags, and regions; STS `GetCallerIdentity`.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use amisim_simulator::{Caller, Cloud};

mod amisim;
mod ec2;
mod fault;
pub mod http;
mod identity;
mod json;
pub mod keyfile;
mod kms;
pub mod operations;
mod page;
mod query;
mod rbin;
mod sts;
pub mod tls;
mod xml;

pub use fault::Fault;
pub use identity::{Identity, Named};
pub use operations::{Effect, Row};
use query::Params;

/// How long a request waits for the store, first behind the requests before
/// it in this server and then for another process's write, before it is
/// answered 503 `ServiceUnavailable` with nothing applied: both waits
/// together stay well within [`http::CONNECTION_LIMIT`] and the 60-second
/// read timeout of AWS's SDKs, so a call is never applied after its client
/// stopped waiting, and the client's retry meets no half-known call.
pub const LOCK_WAIT: Duration = Duration::from_secs(20);

/// The most requests answered in one transaction: enough that a server's
/// clients share one commit, few enough that none waits long behind a group.
pub const MAX_GROUP: usize = 64;

/// The largest request body the server reads.
pub const MAX_BODY: usize = 1 << 20;

/// One HTTP request, as the server reads it.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The query string, without `?`.
    pub query: String,
    /// The headers, names in lowercase.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Request {
    /// The value of header `name` (lowercase), if given.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// Its content type.
    pub content_type: &'static str,
    /// Its body.
    pub body: Vec<u8>,
}

/// The server over one store.
pub struct Server {
    cloud: Mutex<Cloud>,
    /// The host names requests must name, once the server listens on loopback.
    hosts: std::sync::OnceLock<http::HostGuard>,
    /// The key claims' secrets are sealed under ([`keyfile`]), if there is one.
    seal_key: Option<amisim_simulator::SealKey>,
    /// Requests answered, which number request IDs.
    requests: AtomicU64,
    /// Names this server's commands apart from other processes'.
    token: String,
    /// How long a request waits for the store ([`LOCK_WAIT`]).
    lock_wait: Duration,
    /// The requests waiting for the store, and whether one of them leads.
    waiting: Mutex<Queue>,
    /// The most requests answered in one transaction ([`MAX_GROUP`]).
    max_group: usize,
    /// The groups of requests answered, each one transaction of the store.
    groups: AtomicU64,
}

/// The requests waiting to be answered, in the order they arrived.
#[derive(Default)]
struct Queue {
    requests: VecDeque<Arc<Waiting>>,
    /// Whether a thread answers the queue (it holds the store, or is about
    /// to take it) and will look at the queue again before it stops.
    led: bool,
}

/// A request waiting to be answered with the others that arrive with it.
struct Waiting {
    request: Request,
    /// Its number, in the order requests arrived.
    n: u64,
    request_id: String,
    protocol: Protocol,
    /// Who signed it, taken when it is answered.
    identity: Mutex<Option<Result<Identity, Fault>>>,
    /// Where its answer goes, taken when it is given.
    reply: Mutex<Option<Reply>>,
}

/// Where a request's answer goes: to a thread blocked on it, or to a task.
enum Reply {
    Thread(std::sync::mpsc::SyncSender<Answer>),
    Task(tokio::sync::oneshot::Sender<Answer>),
}

impl Waiting {
    /// Gives the request its answer, once its group's transaction was committed.
    fn give(&self, answer: Answer) {
        match self.reply.lock().take() {
            Some(Reply::Thread(to)) => {
                let _ = to.send(answer);
            }
            Some(Reply::Task(to)) => {
                let _ = to.send(answer);
            }
            None => {}
        }
    }
}

/// Whether a request withdrawn past its deadline was still waiting.
enum Withdrawn {
    /// It was, and is answered 503 with nothing applied.
    Refused(Answer),
    /// A group took it: only its answer can come.
    Taken,
}

/// Ends a thread's lead of the queue if it unwinds (a panic outside the
/// group's own catch): the requests still queued are answered that nothing
/// of them was applied, and the next request leads again.
struct Leading<'a>(&'a Mutex<Queue>);

impl Drop for Leading<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let mut queue = self.0.lock();
            for waiting in queue.requests.drain(..) {
                waiting.give(failed_inside());
            }
            queue.led = false;
        }
    }
}

/// The answer given when the thread answering a request failed.
fn failed_inside() -> Answer {
    Answer {
        status: 500,
        content_type: "text/plain; charset=utf-8",
        body: b"The request failed inside the server; nothing it did was kept\n".to_vec(),
    }
}

impl Server {
    /// A server over the store `store` (a path or a `postgres://` URL),
    /// created when it does not exist yet, as the provider creates it.
    pub fn open(store: &str) -> anyhow::Result<Server> {
        Server::open_with_key(store, keyfile::load()?)
    }

    /// [`Server::open`] with the key claims' secrets are sealed under.
    pub fn open_with_key(
        store: &str,
        seal_key: Option<amisim_simulator::SealKey>,
    ) -> anyhow::Result<Server> {
        let mut cloud = Cloud::open_store(store).map_err(|e| anyhow::anyhow!("{e}"))?;
        cloud
            .set_lock_wait(LOCK_WAIT)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        // Claims made over the wire are sealed under the server's key file.
        cloud.set_seal_key(seal_key.clone());
        Ok(Server {
            cloud: Mutex::new(cloud),
            hosts: std::sync::OnceLock::new(),
            seal_key,
            requests: AtomicU64::new(0),
            token: amisim_simulator::store::unique_token(),
            lock_wait: LOCK_WAIT,
            waiting: Mutex::new(Queue::default()),
            max_group: MAX_GROUP,
            groups: AtomicU64::new(0),
        })
    }

    /// The same server, its requests waiting at most `wait` for the store
    /// (in this server, and then for another process's write).
    pub fn with_lock_wait(mut self, wait: Duration) -> anyhow::Result<Server> {
        self.cloud
            .get_mut()
            .set_lock_wait(wait)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        self.lock_wait = wait;
        Ok(self)
    }

    /// The same server, answering at most `max` requests in one transaction
    /// (1: each request in a transaction of its own).
    pub fn with_max_group(mut self, max: usize) -> Server {
        self.max_group = max.max(1);
        self
    }

    /// How many groups of requests the server has answered, each in one
    /// transaction of the store: fewer than its requests when they arrived
    /// together.
    pub fn groups(&self) -> u64 {
        self.groups.load(Ordering::SeqCst)
    }

    /// Makes the administrator's access key pair when the store has none,
    /// its secret sealed under the server's key file, and answers it: shown
    /// once, when it is made. `None` when the store has one already.
    pub fn make_administrator_key(&self) -> anyhow::Result<Option<amisim_simulator::AccessKey>> {
        let Some(seal_key) = self.seal_key.clone() else {
            anyhow::bail!(
                "amisim serve has no key file to seal the administrator's secret under: set AMISIM_KEY_FILE, or HOME"
            );
        };
        // Made once; the call is quiet, so a server started again on its
        // store logs nothing and moves no clock.
        let mut cloud = self.cloud.lock();
        cloud
            .call(
                &Caller::administrator(),
                &amisim_simulator::CreateAdministratorKey {
                    seal_key: Some(seal_key),
                },
            )
            .map_err(|e| anyhow::anyhow!("{e}"))
    }

    /// Loads the fixture images of `request` that the store does not hold
    /// yet, as the administrator; `None` when it holds them all (nothing is
    /// called, so a server started again on its store logs nothing).
    pub fn load_fixtures(
        &self,
        mut request: amisim_simulator::fixtures::LoadImages,
    ) -> anyhow::Result<Option<amisim_simulator::fixtures::Loaded>> {
        request.missing_only = true;
        let mut cloud = self.cloud.lock();
        let missing = cloud
            .read(|tx| amisim_simulator::fixtures::missing(tx, &request))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        if missing == 0 {
            return Ok(None);
        }
        cloud
            .call(&Caller::administrator(), &request)
            .map(Some)
            .map_err(|e| anyhow::anyhow!("{e}"))
    }

    /// Says where the server listens: on loopback, it then answers only
    /// requests that name it by a loopback address or `localhost`, so a page
    /// whose name a DNS-rebinding trick points at 127.0.0.1 reaches nothing.
    pub fn listening_on(&self, bound: std::net::SocketAddr) {
        if bound.ip().is_loopback() {
            let _ = self.hosts.set(http::HostGuard::new(bound, Vec::new()));
        }
    }

    /// Refuses what a web browser sends for a page of another site: a request
    /// with another site's `Origin`, or that `Sec-Fetch-Site` says comes from
    /// another site (an image, a form, a script of any page can send one), and
    /// a request naming a host the server does not answer for.
    fn check_origin(&self, request: &Request) -> Result<(), Fault> {
        let host = request.header("host").unwrap_or_default();
        if let Some(guard) = self.hosts.get() {
            if !guard.allows(host) {
                return Err(Fault::with_status(
                    421,
                    "MisdirectedRequest",
                    format!(
                        "amisim serve listens on {} and answers only requests for that address or localhost; this one named {:?}",
                        guard.bound(),
                        host.chars().take(80).collect::<String>()
                    ),
                ));
            }
        }
        let site = request.header("sec-fetch-site").unwrap_or("none");
        let origin = request.header("origin");
        let same_origin = origin.is_none_or(|o| {
            o.strip_prefix("http://")
                .or_else(|| o.strip_prefix("https://"))
                .is_some_and(|h| h.eq_ignore_ascii_case(host))
        });
        if matches!(site, "cross-site" | "same-site") || !same_origin {
            return Err(Fault::with_status(
                403,
                "AccessDenied",
                format!(
                    "A web browser sent this request for a page of another site (Origin {:?}, Sec-Fetch-Site {:?}); amisim serve answers AWS's clients, never other sites' pages",
                    origin.unwrap_or("none").chars().take(80).collect::<String>(),
                    site.chars().take(32).collect::<String>()
                ),
            ));
        }
        Ok(())
    }

    /// Answers one request. Each request is a command of its own: its
    /// changes are dated after everything the store held before it.
    ///
    /// Requests that arrive while the store is busy wait together; the
    /// thread that answers the store answers all of them (up to
    /// [`MAX_GROUP`] at a time) in one transaction, each request in a
    /// savepoint of its own, in the order they arrived, and every answer is
    /// given only once that transaction is committed: many clients get more
    /// done than one, and no answer names a change a crash of the server
    /// could lose. When no thread answers the store, the calling thread
    /// does, until no request waits.
    pub fn answer(&self, request: &Request) -> Answer {
        let arrived = Instant::now();
        let (to, answered) = std::sync::mpsc::sync_channel(1);
        let (waiting, lead) = self.enqueue(request.clone(), Reply::Thread(to));
        if lead {
            self.lead();
        }
        let deadline = arrived + self.lock_wait;
        match answered.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(answer) => answer,
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => failed_inside(),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => match self.withdraw(&waiting) {
                Withdrawn::Refused(answer) => answer,
                Withdrawn::Taken => answered.recv().unwrap_or_else(|_| failed_inside()),
            },
        }
    }

    /// [`Server::answer`] for a task of an async runtime: the task waits
    /// without a thread, and when no thread answers the store, one of the
    /// runtime's blocking threads is started to, until no request waits.
    pub async fn answer_async(self: Arc<Self>, request: Request) -> Answer {
        let deadline = tokio::time::Instant::now() + self.lock_wait;
        let (to, mut answered) = tokio::sync::oneshot::channel();
        let (waiting, lead) = self.enqueue(request, Reply::Task(to));
        if lead {
            let server = self.clone();
            tokio::task::spawn_blocking(move || server.lead());
        }
        match tokio::time::timeout_at(deadline, &mut answered).await {
            Ok(answer) => answer.unwrap_or_else(|_| failed_inside()),
            Err(_) => match self.withdraw(&waiting) {
                Withdrawn::Refused(answer) => answer,
                Withdrawn::Taken => answered.await.unwrap_or_else(|_| failed_inside()),
            },
        }
    }

    /// Queues `request`, its answer to go to `reply`; and whether the caller
    /// is to answer the queue, no thread doing so.
    fn enqueue(&self, request: Request, reply: Reply) -> (Arc<Waiting>, bool) {
        let n = self.requests.fetch_add(1, Ordering::SeqCst) + 1;
        let request_id = request_id(n);
        let mut protocol = Protocol::guess(&request);
        let identity = self
            .check_origin(&request)
            .and_then(|()| Identity::of(&request));
        if let Ok(identity) = &identity {
            protocol = Protocol::of(&identity.service, protocol);
        }
        let waiting = Arc::new(Waiting {
            request,
            n,
            request_id,
            protocol,
            identity: Mutex::new(Some(identity)),
            reply: Mutex::new(Some(reply)),
        });
        let mut queue = self.waiting.lock();
        queue.requests.push_back(waiting.clone());
        let lead = !std::mem::replace(&mut queue.led, true);
        (waiting, lead)
    }

    /// Answers the queue a group at a time until no request waits in it.
    fn lead(&self) {
        let _leading = Leading(&self.waiting);
        loop {
            let group: Vec<Arc<Waiting>> = {
                let mut queue = self.waiting.lock();
                if queue.requests.is_empty() {
                    queue.led = false;
                    return;
                }
                let k = queue.requests.len().min(self.max_group);
                queue.requests.drain(..k).collect()
            };
            let mut cloud = self.cloud.lock();
            self.answer_together(&mut cloud, &group);
        }
    }

    /// Withdraws `waiting` from the queue past its deadline: answered 503
    /// if it still waits there; taken, if a group is answering it.
    fn withdraw(&self, waiting: &Arc<Waiting>) -> Withdrawn {
        let mut queue = self.waiting.lock();
        let Some(at) = queue.requests.iter().position(|w| Arc::ptr_eq(w, waiting)) else {
            return Withdrawn::Taken;
        };
        queue.requests.remove(at);
        drop(queue);
        let fault = Fault::with_status(
            503,
            "ServiceUnavailable",
            format!(
                "amisim serve is busy: the requests before this one held the store for {} seconds; nothing of this request was applied, so send it again",
                self.lock_wait.as_secs()
            ),
        );
        Withdrawn::Refused(waiting.protocol.error(&fault, &waiting.request_id))
    }

    /// Answers `group` in one transaction, each request in savepoints of its
    /// own, and gives the answers once it is committed; if it could not be,
    /// every request of the group is told that nothing of it was applied.
    fn answer_together(&self, cloud: &mut Cloud, group: &[Arc<Waiting>]) {
        self.groups.fetch_add(1, Ordering::SeqCst);
        let answered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            cloud.together(|cloud| {
                group
                    .iter()
                    .map(|w| self.answer_with(cloud, w))
                    .collect::<Vec<Answer>>()
            })
        }));
        match answered {
            Ok(Ok(answers)) => {
                for (w, answer) in group.iter().zip(answers) {
                    w.give(answer);
                }
            }
            Ok(Err(e)) => {
                let fault = Fault::from(e);
                for w in group {
                    w.give(w.protocol.error(&fault, &w.request_id));
                }
            }
            Err(_) => {
                for w in group {
                    w.give(failed_inside());
                }
            }
        }
    }

    /// The answer to one waiting request, its calls made on `cloud`.
    fn answer_with(&self, cloud: &mut Cloud, waiting: &Waiting) -> Answer {
        let (request, n, request_id, protocol) = (
            &waiting.request,
            waiting.n,
            waiting.request_id.as_str(),
            waiting.protocol,
        );
        let identity = waiting
            .identity
            .lock()
            .take()
            .expect("a request is answered once");
        // Each request is a command of its own, refused ones too: each is
        // dated at its own time.
        cloud.set_request(format!("aws:{}:{n}", self.token));
        let presented = Named::of(request).access_key;
        cloud.set_access_key((!presented.is_empty()).then_some(presented));
        let mut identity = match identity {
            Ok(identity) => identity,
            Err(fault) => {
                let fault = self.logged_refusal(cloud, request, &Named::of(request), fault);
                return protocol.error(&fault, request_id);
            }
        };
        let secret = match self.claimed(cloud, request, &mut identity) {
            Ok(secret) => secret,
            Err(fault) => return protocol.error(&fault, request_id),
        };
        // A claim's signature was checked whole; any other is checked for its time.
        if secret.is_none() {
            if let Err(fault) = identity.check_time() {
                let fault = self.logged_refusal(cloud, request, &(&identity).into(), fault);
                return protocol.error(&fault, request_id);
            }
        }
        let caller = if identity.account == amisim_simulator::call::ADMINISTRATOR {
            match self.administrator_caller(cloud, request, &identity) {
                Ok(caller) => caller,
                Err(fault) => return protocol.error(&fault, request_id),
            }
        } else {
            Caller::new(identity.account.clone(), identity.region.clone()).with_secret(secret)
        };
        match self.dispatch(cloud, &caller, &identity, request, request_id) {
            Ok(answer) => answer,
            // A request the adapter refused before it made any call (a
            // parameter missing or malformed, an action not served) is
            // logged as its refusal; a call's refusal is logged by the call,
            // and a refusal logged already was logged by a call too.
            Err(fault) if fault.detail.is_none() && cloud.calls_made() == 0 => {
                let fault = self.logged_refusal(cloud, request, &(&identity).into(), fault);
                protocol.error(&fault, request_id)
            }
            Err(fault) => protocol.error(&fault, request_id),
        }
    }

    /// The answer of the service the request is signed for.
    fn dispatch(
        &self,
        cloud: &mut Cloud,
        caller: &Caller,
        identity: &Identity,
        request: &Request,
        request_id: &str,
    ) -> Result<Answer, Fault> {
        let xml = |body| Answer {
            status: 200,
            content_type: XML,
            body,
        };
        match identity.service.as_str() {
            "ec2" => Ok(xml(ec2::answer(
                cloud,
                caller,
                &query_params(request)?,
                request_id,
            )?)),
            "sts" => {
                if caller.secret.is_none() && claimed_account(cloud, &identity.account) {
                    // A claimed account is named only by its own key pair.
                    let fault = Fault::with_status(
                        403,
                        "InvalidClientTokenId",
                        format!(
                            "The security token included in the request is invalid: account {} is claimed, and is reached only with its access key pair",
                            identity.account
                        ),
                    );
                    return Err(self.logged_refusal(cloud, request, &identity.into(), fault));
                }
                Ok(xml(sts::answer(
                    cloud,
                    caller,
                    &query_params(request)?,
                    request_id,
                )?))
            }
            "kms" => {
                let body = json::Body::parse(&request.body)?;
                let value = kms::answer(cloud, caller, request.header("x-amz-target"), &body)?;
                Ok(Answer {
                    status: 200,
                    content_type: KMS_JSON,
                    body: json::to_bytes(&value),
                })
            }
            "amisim" => {
                // As on a store, only changes move the clock: a request is a
                // command of its own, or one of the command it names.
                let command = amisim::command(request.header("x-amisim-command"))?;
                cloud.set_command(command.unwrap_or_else(|| format!("remote:{request_id}")));
                let value =
                    amisim::answer(cloud, caller, request.header("x-amz-target"), &request.body)?;
                Ok(Answer {
                    status: 200,
                    content_type: KMS_JSON,
                    body: json::to_bytes(&value),
                })
            }
            "rbin" => {
                let body = json::Body::parse(&request.body)?;
                let reply = rbin::answer(cloud, caller, &request.method, &request.path, &body)?;
                Ok(Answer {
                    status: reply.status,
                    content_type: REST_JSON,
                    body: reply.body.map(|v| json::to_bytes(&v)).unwrap_or_default(),
                })
            }
            other => {
                let fault = Fault::bad(
                    "UnknownService",
                    format!(
                        "amisim serve answers the services ec2, sts, kms, rbin and amisim; the request is signed for {:?}",
                        other.chars().take(32).collect::<String>()
                    ),
                );
                Err(self.logged_refusal(cloud, request, &identity.into(), fault))
            }
        }
    }
}

/// One service answered: its name, its wire protocol, and the rows of its
/// table of operations.
pub struct Service {
    pub name: &'static str,
    pub protocol: &'static str,
    pub rows: fn() -> Vec<Row>,
}

/// The services answered.
pub const SERVICES: &[Service] = &[
    Service {
        name: "EC2",
        protocol: "Query, API version 2016-11-15",
        rows: ec2::rows,
    },
    Service {
        name: "STS",
        protocol: "Query",
        rows: sts::rows,
    },
    Service {
        name: "KMS",
        protocol: "JSON 1.1, `X-Amz-Target: TrentService.*`",
        rows: kms::rows,
    },
    Service {
        name: "Recycle Bin (`rbin`)",
        protocol: "REST-JSON",
        rows: rbin::rows,
    },
    Service {
        name: "amisim's own calls (`amisim`)",
        protocol: "JSON 1.1, `X-Amz-Target: AmisimService.*`",
        rows: amisim::rows,
    },
];

/// The tables of docs/aws-api.md: every action answered, what it reads and
/// whether it changes the cloud, one table per service.
pub fn actions_table() -> String {
    let mut out = String::new();
    for service in SERVICES {
        out.push_str(&format!(
            "{} ({}):\n\n| Action | Parameters | Effect |\n|---|---|---|\n",
            service.name, service.protocol
        ));
        for row in (service.rows)() {
            let parameters = if row.params.is_empty() {
                "none"
            } else {
                &row.params
            };
            let effect = if row.served {
                row.effect.word()
            } else {
                "refused by name"
            };
            out.push_str(&format!("| `{}` | {parameters} | {effect} |\n", row.name));
        }
        out.push('\n');
    }
    out
}

/// The content type of Query answers.
const XML: &str = "text/xml;charset=UTF-8";
/// The content type of KMS's JSON 1.1 answers.
const KMS_JSON: &str = "application/x-amz-json-1.1";
/// The content type of REST-JSON answers.
const REST_JSON: &str = "application/json";

/// The parameters of a Query request: its form body, or its query string for GET.
fn query_params(request: &Request) -> Result<Params, Fault> {
    if request.method == "GET" {
        Params::parse(request.query.as_bytes())
    } else {
        Params::parse(&request.body)
    }
}

/// The wire protocol of a request, which shapes its errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Protocol {
    /// EC2's Query protocol.
    Ec2,
    /// STS's Query protocol.
    Sts,
    /// KMS's JSON 1.1.
    Json,
    /// Recycle Bin's REST-JSON.
    RestJson,
    /// amisim's own calls: JSON 1.1, with the simulator's codes as they are.
    Amisim,
}

impl Protocol {
    /// The protocol of a request whose service is not known yet (its
    /// signature is unreadable): JSON if it says so, else EC2's.
    fn guess(request: &Request) -> Protocol {
        let json = request.header("x-amz-target").is_some()
            || request
                .header("content-type")
                .is_some_and(|t| t.contains("json"));
        if json {
            Protocol::Json
        } else {
            Protocol::Ec2
        }
    }

    /// The protocol of `service`.
    fn of(service: &str, guessed: Protocol) -> Protocol {
        match service {
            "ec2" => Protocol::Ec2,
            "sts" => Protocol::Sts,
            "kms" => Protocol::Json,
            "amisim" => Protocol::Amisim,
            "rbin" => Protocol::RestJson,
            _ => guessed,
        }
    }

    /// An error in this protocol's shape.
    fn error(self, fault: &Fault, request_id: &str) -> Answer {
        match self {
            Protocol::Ec2 => query_error(fault, request_id, false),
            Protocol::Sts => query_error(fault, request_id, true),
            Protocol::Amisim => {
                let mut body = serde_json::json!({
                    "__type": fault.code,
                    "message": fault.message,
                });
                if let Some(e) = &fault.detail {
                    body["kind"] = serde_json::json!(e.kind);
                    body["rule"] = serde_json::json!(e.message);
                    body["hint"] = serde_json::json!(e.hint);
                    if let Some(existing) = &e.existing {
                        body["existing"] = serde_json::json!(existing);
                    }
                    if let Some(rule) = &e.fault {
                        body["fault"] = serde_json::json!(rule);
                    }
                }
                Answer {
                    status: fault.status,
                    content_type: KMS_JSON,
                    body: json::to_bytes(&body),
                }
            }
            Protocol::Json | Protocol::RestJson => Answer {
                status: fault.status,
                content_type: if self == Protocol::Json {
                    KMS_JSON
                } else {
                    REST_JSON
                },
                body: json::to_bytes(&serde_json::json!({
                    "__type": json::json_code(&fault.code),
                    "message": fault.message,
                })),
            },
        }
    }
}

impl Server {
    /// For the access key of a claim: the account it names, once the
    /// request's signature is checked against the claim's secret (which the
    /// calls then present). Other access keys present no secret.
    fn claimed(
        &self,
        cloud: &mut Cloud,
        request: &Request,
        identity: &mut Identity,
    ) -> Result<Option<String>, Fault> {
        let key = identity.access_key.clone();
        // An account ID is never a claim's access key (those start AKIA):
        // the common request of an unclaimed account reads no claim.
        if key == identity.account {
            return Ok(None);
        }
        let (admin, claim) = cloud
            .read(|tx| {
                Ok((
                    amisim_simulator::claims::administrator_by_access_key(tx, &key)?,
                    amisim_simulator::claims::by_access_key(tx, &key)?,
                ))
            })
            .map_err(Fault::from)?;
        if let Some(admin) = admin {
            return self
                .administrator(cloud, request, identity, &admin)
                .map(Some);
        }
        let Some(claim) = claim else {
            return Ok(None);
        };
        let secret = self.open_sealed(&claim.account_id, claim.sealed_secret.as_deref());
        let checked = match secret {
            None => Err(Fault::with_status(
                401,
                "AuthFailure",
                format!(
                    "the claim on account {} was made without this server's key file, so its signatures cannot be checked: claim the account again where `amisim serve` finds its key file (AMISIM_KEY_FILE)",
                    claim.account_id
                ),
            )),
            Some(secret) => identity::verify(request, identity, &secret).map(|()| secret),
        };
        match checked {
            Ok(secret) => {
                identity.account = claim.account_id;
                Ok(Some(secret))
            }
            Err(fault) => {
                identity.account = claim.account_id;
                Err(self.logged_refusal(cloud, request, &(&*identity).into(), fault))
            }
        }
    }

    /// The secret `sealed` for `who` under the server's key file, if the
    /// server has the key it was sealed under.
    fn open_sealed(&self, who: &str, sealed: Option<&str>) -> Option<String> {
        let key = self.seal_key.as_ref()?;
        key.open(who, sealed?)
    }

    /// For the administrator's access key: its secret, once the request's
    /// signature is checked against it; the request then acts as the
    /// administrator ([`amisim_simulator::ADMINISTRATOR`]).
    fn administrator(
        &self,
        cloud: &mut Cloud,
        request: &Request,
        identity: &mut Identity,
        admin: &amisim_simulator::AdministratorKey,
    ) -> Result<String, Fault> {
        let who = amisim_simulator::call::ADMINISTRATOR;
        let secret = self.open_sealed(who, admin.sealed_secret.as_deref());
        let checked = match secret {
            None => Err(Fault::with_status(
                401,
                "AuthFailure",
                "the administrator's key was made by a server with another key file, so its signatures cannot be checked here: start amisim serve where it finds that key file (AMISIM_KEY_FILE)".to_string(),
            )),
            Some(secret) => identity::verify(request, identity, &secret).map(|()| secret),
        };
        identity.account = who.to_string();
        checked.map_err(|fault| self.logged_refusal(cloud, request, &(&*identity).into(), fault))
    }

    /// Who a request signed with the administrator's key acts as: the
    /// administrator, or the account it names in `X-Amisim-Account` (in the
    /// region it is signed for, with that account's secret when it is
    /// claimed), for amisim's own calls only.
    fn administrator_caller(
        &self,
        cloud: &mut Cloud,
        request: &Request,
        identity: &Identity,
    ) -> Result<Caller, Fault> {
        if identity.service != "amisim" {
            let fault = Fault::with_status(
                403,
                "InvalidClientTokenId",
                format!(
                    "The administrator's access key signs amisim's own calls (the service amisim, X-Amz-Target AmisimService.*), not {} requests: sign those with an account's key",
                    identity.service
                ),
            );
            return Err(self.logged_refusal(cloud, request, &identity.into(), fault));
        }
        let Some(account) = request.header("x-amisim-account") else {
            return Ok(Caller::administrator());
        };
        // An account nobody may act as (the catalogue's publishers) is
        // refused as the call itself would refuse it.
        // Both refusals are logged as the administrator's, with its key.
        if let Err(e) = amisim_simulator::validate::caller_account(account) {
            return Err(self.logged_refusal(cloud, request, &identity.into(), Fault::from(e)));
        }
        let claim = cloud
            .read(|tx| tx.get::<amisim_simulator::Claim>(account))
            .map_err(Fault::from)?;
        let secret = match claim {
            None => None,
            Some(claim) => {
                let opened = self.open_sealed(account, claim.sealed_secret.as_deref());
                if opened.is_none() {
                    let fault = Fault::with_status(
                        401,
                        "AuthFailure",
                        format!(
                            "account {account} was claimed without this server's key file, so the administrator cannot act as it here"
                        ),
                    );
                    return Err(self.logged_refusal(cloud, request, &identity.into(), fault));
                }
                opened
            }
        };
        Ok(Caller::new(account, identity.region.clone()).with_secret(secret))
    }

    /// `fault`, a refusal of `request` before any rule (how it was signed,
    /// where it came from, what it was sent to), once it is in the event log
    /// as the account the request named, with the key it presented.
    fn logged_refusal(
        &self,
        cloud: &mut Cloud,
        request: &Request,
        identity: &Named,
        fault: Fault,
    ) -> Fault {
        let refusal = amisim_simulator::RefuseRequest {
            action: action_named(request, &identity.service),
            access_key_id: identity.access_key.chars().take(128).collect(),
            code: fault.code.clone(),
            reason: fault.message.clone(),
        };
        // A request refused before its signature was read (an unsigned one)
        // that names a claimed account's key is logged as that account, as
        // a bad signature with the key is.
        let claimed = match identity.access_key != identity.account {
            true => cloud
                .read(|tx| amisim_simulator::claims::by_access_key(tx, &identity.access_key))
                .ok()
                .flatten()
                .map(|claim| claim.account_id),
            false => None,
        };
        let account = claimed.unwrap_or_else(|| identity.account.clone());
        let caller = Caller::new(account, identity.region.clone());
        match cloud.call(&caller, &refusal) {
            // The store failing is the answer the client needs to hear.
            Err(e) if e.is_store_failure() => Fault::from(e),
            _ => fault,
        }
    }
}

/// The action a request names, as the server's lists spell it, for the log
/// of a request refused before it was read; `Authenticate` for none.
fn action_named(request: &Request, service: &str) -> &'static str {
    let named = match service {
        "ec2" | "sts" => query_params(request)
            .ok()
            .and_then(|p| p.get("Action").map(str::to_string)),
        "kms" => request
            .header("x-amz-target")
            .and_then(|t| t.strip_prefix("TrentService."))
            .map(str::to_string),
        "amisim" => request
            .header("x-amz-target")
            .and_then(|t| t.strip_prefix(amisim_simulator::wire::TARGET))
            .map(str::to_string),
        _ => None,
    };
    named
        .and_then(|name| {
            SERVICES
                .iter()
                .flat_map(|s| (s.rows)())
                .map(|row| row.name)
                .find(|action| *action == name)
        })
        .unwrap_or("Authenticate")
}

/// Whether `account` is claimed.
fn claimed_account(cloud: &mut Cloud, account: &str) -> bool {
    cloud
        .read(|tx| tx.exists::<amisim_simulator::Claim>(account))
        .unwrap_or(true)
}

/// A request ID in AWS's form (a UUID), from the request's number: the same
/// requests to a new server get the same IDs.
fn request_id(n: u64) -> String {
    use sha2::{Digest, Sha256};
    let h = Sha256::digest(format!("amisim-request:{n}").as_bytes());
    let hex: String = h.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// An error in the Query protocol's shape: EC2's `<Response><Errors>`, or
/// STS's `<ErrorResponse>`.
fn query_error(fault: &Fault, request_id: &str, sts: bool) -> Answer {
    let body = if sts {
        let mut x = xml::Xml::new("ErrorResponse", Some(xml::STS_NS));
        x.open("Error")
            .text(
                "Type",
                if fault.status >= 500 {
                    "Receiver"
                } else {
                    "Sender"
                },
            )
            .text("Code", &fault.code)
            .text("Message", &fault.message)
            .close("Error")
            .text("RequestId", request_id);
        x.finish("ErrorResponse")
    } else {
        let mut x = xml::Xml::new("Response", None);
        x.open("Errors")
            .open("Error")
            .text("Code", &fault.code)
            .text("Message", &fault.message)
            .close("Error")
            .close("Errors")
            .text("RequestID", request_id);
        x.finish("Response")
    };
    Answer {
        status: fault.status,
        content_type: XML,
        body,
    }
}

/// What `amisim serve` says when it starts.
pub const BANNER: http::Banner<'static> = http::Banner {
    name: "amisim serve",
    note: "(EC2, STS, KMS, Recycle Bin; SIGINT or SIGTERM stops it)",
    exposed: "its console asks who signs in (the administrator's key pair shows the whole cloud, a claimed account's that account only)",
    example: "127.0.0.1:4566",
};
