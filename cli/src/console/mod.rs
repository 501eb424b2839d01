//! `amisim console`: a read-only web console of the simulated cloud.
//!
//! Served by this binary (axum on tokio, templates checked at compile time
//! by askama, one small script served from the binary). Every request opens
//! the store for reading only, in one consistent read, so the console never
//! changes the cloud and never holds it open between requests. Pages ask
//! `/version` twice a second and redraw themselves when the cloud changed.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use askama::Template;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use amisim_server::http::HostGuard;
use amisim_simulator::store::Tx;

mod pages;
pub mod view;

use pages::*;
use view::{EventFilter, Scope};

/// What every handler shares: where the store is.
struct Console {
    store: PathBuf,
    /// The store as pages name it: a file by its name alone (where it lies
    /// on the machine is nobody's business who reaches the console), a
    /// server by its URL without the password.
    label: String,
    /// On a PostgreSQL store, one open read-only handle, kept between
    /// requests (each read is its own snapshot) and opened again after a
    /// failure. A file store is opened for each request instead, since
    /// how it is safely read depends on who else has it open at the time.
    kept: std::sync::Mutex<Option<amisim_simulator::Cloud>>,
}

impl Console {
    /// Runs `f` on a read-only handle of the store.
    fn with_cloud<T>(
        &self,
        f: impl FnOnce(&mut amisim_simulator::Cloud) -> amisim_simulator::Result<T>,
    ) -> amisim_simulator::Result<T> {
        if crate::open::location(&self.store)?.file().is_some() {
            return f(&mut crate::open::read_only(&self.store)?);
        }
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        let mut cloud = match kept.take() {
            Some(cloud) => cloud,
            None => crate::open::read_only(&self.store)?,
        };
        let result = f(&mut cloud);
        if result.is_ok() {
            *kept = Some(cloud);
        }
        result
    }

    /// The frame of a page drawn without reading the store. Its version is
    /// one the store never answers, so the page redraws itself as soon as
    /// the store can be read.
    fn bare_frame(&self, title: &str) -> Frame {
        Frame {
            title: title.to_string(),
            store: self.label.clone(),
            now: "–".into(),
            version: "trouble".into(),
            section: "",
            base: view::links::base(),
        }
    }
}

type Shared = Arc<Console>;

/// Serves the console on `listen` until the process is stopped; requests may
/// name it by its address or by one of `hosts`.
pub fn serve(
    store: &Path,
    listen: &str,
    hosts: &[String],
    out: &mut dyn std::io::Write,
) -> anyhow::Result<()> {
    let label = label(store)?;
    let console = Arc::new(Console {
        store: store.to_path_buf(),
        label,
        kept: std::sync::Mutex::new(None),
    });
    let banner = amisim_server::http::Banner {
        name: "amisim console",
        note: "(read-only; Ctrl-C stops it)",
        exposed: "it asks who signs in (the administrator's key pair shows the whole cloud, a claimed account's that account only)",
        example: "127.0.0.1:8080",
    };
    amisim_server::http::listen_and_serve(listen, &banner, None, out, |bound| {
        let guard = Arc::new(HostGuard::new(bound, hosts.to_vec()));
        let login = Login::new(&console, bound);
        router(console)
            .layer(axum::middleware::from_fn_with_state(login, signed_in))
            .layer(axum::middleware::from_fn_with_state(guard, guarded))
    })
}

/// `amisim serve`: the AWS API on `listen`, and the console's pages under
/// `/console/`, until SIGINT or SIGTERM.
pub fn serve_with_api(
    store: &Path,
    args: &crate::args::ServeArgs,
    out: &mut dyn std::io::Write,
) -> anyhow::Result<()> {
    let (listen, lock_wait) = (args.listen.as_str(), args.lock_wait);
    // A certificate that cannot be served is an error before the store opens.
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(amisim_server::tls::server_config(cert, key)?),
        _ => None,
    };
    view::links::set_base("/console/");
    // A fixture file with a fault is an error before the store opens.
    let fixtures = match &args.fixtures {
        Some(file) => Some(amisim_simulator::fixtures::read(file)?),
        None => None,
    };
    let seal_key = amisim_server::keyfile::load_or_create()?;
    let server = amisim_server::Server::open_with_key(&store.to_string_lossy(), Some(seal_key))?
        .with_lock_wait(std::time::Duration::from_secs(lock_wait))?
        .with_max_group(args.max_group);
    // On a new store, the administrator's credential: shown once, here.
    if let Some(key) = server.make_administrator_key()? {
        eprintln!("The administrator's credential (shown once; it claims accounts, sets prices and the clock, and acts as any account):");
        eprintln!("export AWS_ACCESS_KEY_ID={}", key.access_key_id);
        eprintln!("export AWS_SECRET_ACCESS_KEY={}", key.secret_access_key);
    }
    if let Some(fixtures) = fixtures {
        if let Some(loaded) = server.load_fixtures(fixtures)? {
            eprintln!(
                "Loaded {} fixture images of {} ({} entries)",
                loaded.images.len(),
                loaded.file,
                loaded.entries
            );
        }
    }
    let server = Arc::new(server);
    let console = Arc::new(Console {
        store: store.to_path_buf(),
        label: label(store)?,
        kept: std::sync::Mutex::new(None),
    });
    amisim_server::http::listen_and_serve(listen, &amisim_server::BANNER, tls, out, move |bound| {
        let guard = Arc::new(HostGuard::new(bound, Vec::new()));
        server.listening_on(bound);
        let api = tower::service_fn(move |request: axum::extract::Request| {
            amisim_server::http::answer(server.clone(), request)
        });
        let login = Login::new(&console, bound);
        let pages = router(console)
            .layer(axum::middleware::from_fn_with_state(login, signed_in))
            .layer(axum::middleware::from_fn_with_state(guard, guarded));
        Router::new()
            .route(
                "/console",
                get(|| async { axum::response::Redirect::permanent("/console/") }),
            )
            .nest("/console/", pages)
            .fallback_service(api)
    })
}

fn router(console: Shared) -> Router {
    Router::new()
        .route("/", get(overview))
        .route("/images", get(images))
        .route("/images/:id", get(image))
        .route("/instances", get(instances))
        .route("/instances/:id", get(instance))
        .route("/storage", get(storage))
        .route("/storage/:id", get(storage_one))
        .route("/keys", get(keys))
        .route("/keys/:id", get(key))
        .route("/organizations", get(organizations))
        .route("/bill", get(bill))
        .route("/events", get(events))
        .route("/version", get(version))
        .route("/static/console.css", get(css))
        .route("/static/console.js", get(js))
        .fallback(not_found)
        .with_state(console)
}

/// The console's security headers on every answer, and its `Host` check.
async fn guarded(
    State(guard): State<Arc<HostGuard>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let mut response = if guard.allows(&host) {
        next.run(request).await
    } else {
        (
            StatusCode::MISDIRECTED_REQUEST,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!(
                "This console answers only requests for {} (or a name given with amisim console --host); this one named {:?}\n",
                guard.bound(),
                host.chars().take(80).collect::<String>()
            ),
        )
            .into_response()
    };
    let headers = response.headers_mut();
    for (name, value) in [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
    ] {
        headers.insert(name, axum::http::HeaderValue::from_static(value));
    }
    response
}

tokio::task_local! {
    /// The account whose console a request shows; none for the whole cloud.
    static VIEWER: Option<String>;
}

/// Who may see the console. On loopback, anyone on this machine: the whole
/// cloud. Beyond it, only who signs in (HTTP Basic: the access key ID as
/// the user, the secret as the password): the administrator sees the whole
/// cloud, a claimed account its own console (its objects, calls and bill,
/// and the public catalogue), never another's.
struct Login {
    console: Shared,
    required: bool,
    /// Pairs checked lately (by their digest), so that a page's polling
    /// does not check the hash of the secret twice a second.
    known: std::sync::Mutex<std::collections::HashMap<[u8; 32], Checked>>,
}

/// A pair checked: whose console it opens, and when it was checked.
type Checked = (Option<String>, std::time::Instant);

/// How long a checked pair is believed without checking it again.
const KNOWN_FOR: std::time::Duration = std::time::Duration::from_secs(60);

impl Login {
    fn new(console: &Shared, bound: std::net::SocketAddr) -> Arc<Login> {
        Arc::new(Login {
            console: console.clone(),
            required: !bound.ip().is_loopback(),
            known: Default::default(),
        })
    }

    /// Whose console the pair `key`/`secret` opens: `Some(None)` the whole
    /// cloud (the administrator's), `Some(Some(account))` one account's;
    /// `None` for a pair that opens nothing.
    async fn check(self: &Arc<Login>, key: String, secret: String) -> Option<Option<String>> {
        use sha2::{Digest, Sha256};
        let digest: [u8; 32] = Sha256::digest(format!("{key}\n{secret}")).into();
        if let Some((viewer, at)) = self
            .known
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&digest)
        {
            if at.elapsed() < KNOWN_FOR {
                return Some(viewer.clone());
            }
        }
        let login = self.clone();
        let holder = tokio::task::spawn_blocking(move || {
            login.console.with_cloud(|cloud| {
                cloud.read(|tx| amisim_simulator::claims::holder(tx, &key, &secret))
            })
        })
        .await
        .ok()?
        .ok()??;
        let viewer = (holder != amisim_simulator::ADMINISTRATOR).then_some(holder);
        self.known
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(digest, (viewer.clone(), std::time::Instant::now()));
        Some(viewer)
    }
}

/// The HTTP Basic user and password of a request, if it gives them.
fn basic(headers: &axum::http::HeaderMap) -> Option<(String, String)> {
    use base64::Engine;
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_string(), password.to_string()))
}

/// Lets a request through as the one who signed in (see [`Login`]), or asks
/// the browser to sign in.
async fn signed_in(
    State(login): State<Arc<Login>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if !login.required {
        return VIEWER.scope(None, next.run(request)).await;
    }
    let viewer = match basic(request.headers()) {
        Some((key, secret)) => login.check(key, secret).await,
        None => None,
    };
    match viewer {
        Some(viewer) => VIEWER.scope(viewer, next.run(request)).await,
        None => (
            StatusCode::UNAUTHORIZED,
            [
                (header::WWW_AUTHENTICATE, "Basic realm=\"amisim console\", charset=\"UTF-8\""),
                (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            ],
            "This console is reached from other machines: sign in with an access key pair, the access key ID as the user and the secret as the password. The administrator's pair shows the whole cloud; a claimed account's shows that account's console only.\n",
        )
            .into_response(),
    }
}

/// A store read, off the async workers: `Err` is a page saying what is wrong.
async fn read<T: Send + 'static>(
    console: &Shared,
    f: impl FnOnce(&Tx<'_>) -> amisim_simulator::Result<T> + Send + 'static,
) -> Result<(T, Frame), Response> {
    let c = console.clone();
    let viewer = VIEWER.try_with(Clone::clone).ok().flatten();
    let store = match &viewer {
        None => console.label.clone(),
        Some(account) => format!("{} (account {account})", console.label),
    };
    let result = tokio::task::spawn_blocking(move || {
        // The page, the clock and the log's last row, from one consistent read.
        let page = move |tx: &Tx<'_>| {
            let now = amisim_simulator::dates::format_time(amisim_simulator::ids::now(tx)?);
            let row = tx.last_event_row()?;
            Ok((f(tx), now, row))
        };
        c.with_cloud(|cloud| match &viewer {
            None => cloud.read(|tx| page(tx)),
            // An account's console is drawn from the part of the cloud it sees.
            Some(account) => {
                let rows = cloud
                    .read(|tx| amisim_simulator::inventory::rows_seen_by(tx, Some(account)))?;
                amisim_simulator::Cloud::from_rows(&rows)?.read(|tx| page(tx))
            }
        })
    })
    .await;
    let (value, now, row) = match result {
        Ok(Ok(read)) => read,
        Ok(Err(e)) => return Err(trouble(console, &e, None)),
        Err(e) => {
            let e = amisim_simulator::Error::new(
                amisim_simulator::ErrorKind::StoreIo,
                format!("reading the store failed: {e}"),
                "Reload the page",
            );
            return Err(trouble(console, &e, None));
        }
    };
    let version = format!("{row} {now}");
    match value {
        Ok(value) => Ok((
            value,
            Frame {
                store,
                version,
                now,
                title: String::new(),
                section: "",
                base: view::links::base(),
            },
        )),
        // The store reads, but not this page: it redraws when the cloud changes.
        Err(e) => Err(trouble(console, &e, Some(version))),
    }
}

/// The page shown when the store cannot be read: what is wrong and what to do.
fn trouble(console: &Shared, e: &amisim_simulator::Error, version: Option<String>) -> Response {
    let mut frame = console.bare_frame("The store cannot be read");
    if let Some(v) = version {
        frame.version = v;
    }
    // Messages name the store by its path: pages name it as the frame does.
    let hide = |text: &str| match crate::open::location(&console.store) {
        Ok(location) if location.file().is_some() => {
            let path = location.to_string();
            let absolute = std::path::absolute(&console.store)
                .map(|p| p.display().to_string())
                .unwrap_or_else(|_| path.clone());
            text.replace(&absolute, &console.label)
                .replace(&path, &console.label)
        }
        _ => text.to_string(),
    };
    let page = Trouble {
        frame,
        code: e.code().to_string(),
        message: hide(&e.message),
        hint: hide(&e.hint),
    };
    (StatusCode::SERVICE_UNAVAILABLE, render(&page)).into_response()
}

/// The store as the console's pages name it (see [`Console::label`]).
fn label(store: &Path) -> anyhow::Result<String> {
    let location = crate::open::location(store)?;
    Ok(match location.file() {
        Some(path) => path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| location.to_string()),
        None => location.to_string(),
    })
}

fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the page could not be drawn: {e}"),
        )
            .into_response(),
    }
}

fn missing(frame: Frame, kind: &str, id: &str) -> Response {
    let page = NotFound {
        frame: frame.titled(&format!("No {kind} {id}"), ""),
        what: format!("The cloud holds no {kind} {id}."),
    };
    (StatusCode::NOT_FOUND, render(&page)).into_response()
}

macro_rules! page {
    ($console:expr, $f:expr, |$value:ident, $frame:ident| $build:expr) => {
        match read(&$console, $f).await {
            Ok(($value, $frame)) => render(&$build),
            Err(r) => r,
        }
    };
}

async fn overview(State(c): State<Shared>) -> Response {
    page!(c, view::overview, |o, frame| OverviewPage {
        frame: frame.titled("Overview", "overview"),
        o,
    })
}

#[derive(serde::Deserialize, Default)]
struct ImagesQuery {
    account: Option<String>,
    region: Option<String>,
    all: Option<String>,
}

async fn images(State(c): State<Shared>, Query(q): Query<ImagesQuery>) -> Response {
    let scope = Scope {
        account: q.account,
        region: q.region,
    };
    let all = q.all.is_some_and(|a| !a.is_empty());
    let s = scope.clone();
    page!(c, move |tx| view::image_rows(tx, &s, all), |rows, frame| {
        ImagesPage {
            frame: frame.titled(&format!("Images{}", scope.words()), "images"),
            rows,
            all,
            with_all: scope.images_href(true),
            without_all: scope.images_href(false),
        }
    })
}

async fn image(State(c): State<Shared>, UrlPath(id): UrlPath<String>) -> Response {
    let wanted = id.clone();
    match read(&c, move |tx| view::image_page(tx, &wanted)).await {
        Ok((Some(p), frame)) => render(&ImagePageT {
            frame: frame.titled(&format!("Image {}", p.id), "images"),
            p,
        }),
        Ok((None, frame)) => missing(frame, "image", &id),
        Err(r) => r,
    }
}

async fn instances(State(c): State<Shared>, Query(scope): Query<Scope>) -> Response {
    let s = scope.clone();
    page!(c, move |tx| view::instance_rows(tx, &s), |rows, frame| {
        InstancesPage {
            frame: frame.titled(&format!("Instances{}", scope.words()), "instances"),
            rows,
        }
    })
}

async fn object(
    c: Shared,
    id: String,
    kind: &'static str,
    section: &'static str,
    f: fn(&Tx<'_>, &str) -> amisim_simulator::Result<Option<view::ObjectPage>>,
) -> Response {
    let wanted = id.clone();
    match read(&c, move |tx| f(tx, &wanted)).await {
        Ok((Some(p), frame)) => render(&ObjectPageT {
            frame: frame.titled(&format!("{} {}", p.kind, p.id), section),
            p,
        }),
        Ok((None, frame)) => missing(frame, kind, &id),
        Err(r) => r,
    }
}

async fn instance(State(c): State<Shared>, UrlPath(id): UrlPath<String>) -> Response {
    object(c, id, "instance", "instances", view::instance_page).await
}

async fn storage(State(c): State<Shared>, Query(scope): Query<Scope>) -> Response {
    let s = scope.clone();
    page!(c, move |tx| view::storage_rows(tx, &s), |rows, frame| {
        StoragePage {
            frame: frame.titled(
                &format!("Snapshots and volumes{}", scope.words()),
                "storage",
            ),
            rows,
        }
    })
}

async fn storage_one(State(c): State<Shared>, UrlPath(id): UrlPath<String>) -> Response {
    object(
        c,
        id,
        "snapshot, bundle or volume",
        "storage",
        view::storage_page,
    )
    .await
}

async fn keys(State(c): State<Shared>, Query(scope): Query<Scope>) -> Response {
    let s = scope.clone();
    page!(c, move |tx| view::key_rows(tx, &s), |rows, frame| {
        KeysPage {
            frame: frame.titled(&format!("KMS keys and grants{}", scope.words()), "keys"),
            rows,
        }
    })
}

async fn key(State(c): State<Shared>, UrlPath(id): UrlPath<String>) -> Response {
    object(c, id, "KMS key", "keys", view::key_page).await
}

async fn organizations(State(c): State<Shared>, Query(scope): Query<Scope>) -> Response {
    let s = scope.clone();
    let account = scope.account.clone().filter(|a| !a.is_empty());
    let whose = account
        .as_deref()
        .map(|a| format!(" of account {a}"))
        .unwrap_or_default();
    let empty = match &account {
        Some(a) => format!("No organization admits account {a}."),
        None => "No organization yet: a management account makes one with amisim_organization, and admits the accounts a share with the organization or its OUs reaches.".to_string(),
    };
    page!(
        c,
        move |tx| view::organizations(tx, &s),
        |organizations, frame| {
            OrganizationsPage {
                frame: frame.titled(&format!("Organizations{whose}"), "organizations"),
                organizations,
                empty,
            }
        }
    )
}

async fn bill(State(c): State<Shared>, Query(scope): Query<Scope>) -> Response {
    let s = scope.clone();
    page!(c, move |tx| view::bills(tx, &s), |bills, frame| BillPage {
        frame: frame.titled(&format!("Bill{}", scope.words()), "bill"),
        bills,
    })
}

async fn events(State(c): State<Shared>, Query(f): Query<EventFilter>) -> Response {
    let filter = f.clone();
    page!(c, move |tx| view::events(tx, &filter), |log, frame| {
        EventsPage {
            frame: frame.titled("Event log", "events"),
            shown: log.rows.len(),
            log,
            f: Filled::of(&f),
        }
    })
}

/// What changes whenever the cloud does: the last event row and the clock.
async fn version(State(c): State<Shared>) -> Response {
    // Whether anything changed, from the whole store: cheap to ask twice a
    // second, and it tells an account's page no more than that.
    let v = match VIEWER.scope(None, read(&c, |_| Ok(()))).await {
        Ok(((), frame)) => frame.version,
        Err(_) => "trouble".to_string(),
    };
    ([(header::CACHE_CONTROL, "no-store")], v).into_response()
}

async fn css() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("../../static/console.css"),
    )
        .into_response()
}

async fn js() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("../../static/console.js"),
    )
        .into_response()
}

async fn not_found(State(c): State<Shared>) -> Response {
    let mut frame = c.bare_frame("No such page");
    // Nothing the cloud does brings this page into being: it never redraws.
    frame.version = String::new();
    let page = NotFound {
        frame,
        what: "The console has no such page; the links above lead to every page.".into(),
    };
    (StatusCode::NOT_FOUND, render(&page)).into_response()
}
