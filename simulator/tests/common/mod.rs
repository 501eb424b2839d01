//! Helpers shared by the simulator's integration tests.
//!
//! A [`World`] is a simulated cloud in a store file of its own, so that a test
//! can dump everything the store holds (objects, metadata, counters) with a
//! second connection and check that a refused call changed nothing but the
//! event log.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::path::{Path, PathBuf};

use amisim_simulator::store::Filter;
use amisim_simulator::{
    Account, Caller, Charge, Cloud, CopyImage, Error, Event, Grant, Image, Instance, Key,
    LaunchPermission, Principal, RegisterImage, Result, RunInstance, Storage, StoragePermission,
};
use amisim_simulator::{AdvanceClock, SetBlockPublicAccess};
use rusqlite::{Connection, OpenFlags};

/// The account most tests act as: the owner of the images under test.
pub const A: &str = "111111111111";
/// A second account, usually the one something is shared with.
pub const B: &str = "222222222222";
/// A third account, usually one that must not be reached.
pub const C: &str = "333333333333";
/// A fourth account, never declared anywhere.
pub const D: &str = "444444444444";

/// The default region.
pub const USE1: &str = "us-east-1";
/// A second region.
pub const USW2: &str = "us-west-2";
/// A third region.
pub const EUW1: &str = "eu-west-1";

/// An organization.
pub const ORG: &str = "arn:aws:organizations::999999999999:organization/o-abc1234567";
/// Another organization.
pub const OTHER_ORG: &str = "arn:aws:organizations::888888888888:organization/o-zzz9876543";
/// An OU of [`ORG`].
pub const OU1: &str = "arn:aws:organizations::999999999999:ou/o-abc1234567/ou-ab12-cdef3456";
/// Another OU of [`ORG`].
pub const OU2: &str = "arn:aws:organizations::999999999999:ou/o-abc1234567/ou-ab12-99998888";

/// The public Ubuntu 24.04 x86_64 image of the catalogue.
/// Canonical, the publisher of Ubuntu.
pub const CANONICAL: &str = "099720109477";
pub const UBUNTU: &str = "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20250115";
/// The public Amazon Linux 2023 arm64 image of the catalogue.
pub const AL2023_ARM: &str = "al2023-ami-2023.6.20250115.0-kernel-6.1-arm64";
/// The public Windows Server 2022 image of the catalogue.
pub const WINDOWS: &str = "Windows_Server-2022-English-Full-Base-2025.01.15";
/// A public Marketplace image of the catalogue.
pub const WORDPRESS: &str = "bitnami-wordpress-6.7.1-r0-debian-12-amd64";
/// The Windows licence billing product.
pub const WINDOWS_BP: &str = "bp-6ba54002";

/// Lets `who` make images public: a new account blocks it, as in AWS.
pub fn unblock(cloud: &mut Cloud, who: &Caller) {
    cloud
        .call(who, &SetBlockPublicAccess::new("unblocked"))
        .expect("block public access turned off");
}

/// A caller: `account` in `region`.
pub fn at(account: &str, region: &str) -> Caller {
    Caller::new(account, region)
}

/// A simulated cloud in a store of its own: a file, or with
/// `AMISIM_TEST_POSTGRES` set (the URL of a PostgreSQL server's
/// administrative database), a new database on that server.
pub struct World {
    /// The cloud under test.
    pub cloud: Cloud,
    /// The store file (unused on PostgreSQL).
    pub path: PathBuf,
    /// Where the store lives, for dumping it with a second connection.
    pub backend: Backend,
    commands: u32,
    _database: DropDatabase,
    _dir: tempfile::TempDir,
}

/// Where a test's store lives.
#[derive(Debug, Clone)]
pub enum Backend {
    /// An SQLite file.
    File(PathBuf),
    /// A database on a PostgreSQL server: its URL.
    Postgres(String),
}

/// The PostgreSQL server the tests run against, if any.
pub fn postgres_admin() -> Option<String> {
    std::env::var("AMISIM_TEST_POSTGRES")
        .ok()
        .filter(|v| !v.is_empty())
}

/// The URL of database `name` on the server of `admin`.
fn database_url(admin: &str, name: &str) -> String {
    let base = admin.rsplit_once('/').map_or(admin, |(base, _)| base);
    format!("{base}/{name}")
}

/// A new, empty database on the test server.
pub fn empty_database(admin: &str) -> String {
    static COUNT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let mut client =
        postgres::Client::connect(admin, postgres::NoTls).expect("the test PostgreSQL server");
    let n = COUNT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let name = format!("amisim_e_{}_{n}", std::process::id());
    for sql in [
        format!("DROP DATABASE IF EXISTS {name}"),
        format!("CREATE DATABASE {name}"),
    ] {
        client.batch_execute(&sql).expect("an empty database");
    }
    database_url(admin, &name)
}

/// A new database on the test server, copied from one seeded once per test process.
fn new_database(admin: &str) -> String {
    static TEMPLATE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    static COUNT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let mut client =
        postgres::Client::connect(admin, postgres::NoTls).expect("the test PostgreSQL server");
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let template = TEMPLATE.get_or_init(|| {
        let name = format!("amisim_tpl_{}_{nanos}", std::process::id());
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("a template database");
        drop(Cloud::open_store(&database_url(admin, &name)).expect("a seeded template"));
        name
    });
    let n = COUNT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let name = format!("amisim_t_{}_{n}_{nanos}", std::process::id());
    client
        .batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
        .expect("a test database");
    database_url(admin, &name)
}

impl World {
    /// A new cloud in a new store file.
    pub fn new() -> World {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("cloud.db");
        let (cloud, backend) = match postgres_admin() {
            Some(admin) => {
                let url = new_database(&admin);
                (
                    Cloud::open_store(&url).expect("a new store on PostgreSQL"),
                    Backend::Postgres(url),
                )
            }
            None => {
                // Seeding the catalogue takes a while in a debug build: copy a new store instead.
                std::fs::write(&path, new_store_bytes()).expect("a copy of a new store");
                (
                    Cloud::open(&path).expect("a new store"),
                    Backend::File(path.clone()),
                )
            }
        };
        World {
            cloud,
            path,
            _database: DropDatabase(match &backend {
                Backend::Postgres(url) => Some(url.clone()),
                Backend::File(_) => None,
            }),
            backend,
            commands: 0,
            _dir: dir,
        }
    }

    /// Everything the store holds except the event log, one line per row.
    pub fn dump(&self) -> Vec<String> {
        store_dump(&self.backend)
    }

    /// Runs a call that must be refused with `code`, and checks that the
    /// refusal changed nothing in the store but one appended event whose
    /// outcome is the code.
    pub fn refused<T: Debug>(
        &mut self,
        code: &str,
        call: impl FnOnce(&mut Cloud) -> Result<T>,
    ) -> Error {
        let before = self.dump();
        let events_before = self.cloud.events(0).expect("the event log");
        let err = match call(&mut self.cloud) {
            Ok(v) => panic!("expected a refusal with {code}, but the call succeeded: {v:?}"),
            Err(e) => e,
        };
        assert_eq!(err.code(), code, "wrong refusal: {err}");
        assert!(
            !err.message.is_empty(),
            "a refusal says which rule was broken"
        );
        assert!(
            !err.hint.is_empty(),
            "a refusal says what to do instead: {err}"
        );
        assert!(
            !err.message.ends_with('.'),
            "error messages have no trailing period: {err}"
        );
        // Every object, the metadata and the ID counters, as before.
        assert_same_dump(&before, &self.dump());
        let events_after = self.cloud.events(0).expect("the event log");
        let added = new_events(&events_before, &events_after);
        assert_eq!(added.len(), 1, "a refusal appends exactly one event");
        assert_eq!(events_after.len(), events_before.len() + 1);
        assert_eq!(added[0].outcome, code, "the event records the error code");
        err
    }

    /// Moves the simulated clock on by `seconds` and starts a new command,
    /// as `amisim clock advance` and the next `terraform apply` would.
    pub fn later(&mut self, seconds: i64) {
        self.cloud
            .call(&Caller::administrator(), &AdvanceClock { seconds })
            .expect("the clock moved");
        self.commands += 1;
        let name = format!("later-{}", self.commands);
        self.cloud.set_command(name);
    }

    /// Runs a call that must succeed, and returns its result.
    pub fn ok<T>(&mut self, call: impl FnOnce(&mut Cloud) -> Result<T>) -> T {
        match call(&mut self.cloud) {
            Ok(v) => v,
            Err(e) => panic!("expected success, got {e}"),
        }
    }
}

/// The bytes of a new, closed store file, made once per test process.
fn new_store_bytes() -> &'static [u8] {
    static BYTES: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BYTES.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("cloud.db");
        drop(Cloud::open(&path).expect("a new store"));
        std::fs::read(&path).expect("the new store")
    })
}

impl Default for World {
    fn default() -> Self {
        World::new()
    }
}

/// The events of `after` that `before` did not hold (the log is renumbered in
/// its canonical order, so a new event may sort before older ones).
pub fn new_events(before: &[Event], after: &[Event]) -> Vec<Event> {
    let key = |e: &Event| {
        serde_json::to_string(&(
            &e.time,
            &e.account_id,
            &e.region,
            &e.action,
            &e.parameters,
            &e.outcome,
            &e.resource_id,
        ))
        .expect("JSON")
    };
    let mut old: Vec<String> = before.iter().map(key).collect();
    let mut out = Vec::new();
    for e in after {
        let k = key(e);
        match old.iter().position(|o| *o == k) {
            Some(i) => {
                old.swap_remove(i);
            }
            None => out.push(e.clone()),
        }
    }
    out
}

/// The names of the files in `dir`, sorted.
pub fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("a folder")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

/// What a dump reads, table by table: every table but the event log. The
/// clock's own bookkeeping (which command started when, the latest time
/// recorded) moves with every command and every logged call, so it is left out.
const DUMP_QUERIES: [(&str, &str); 3] = [
    (
        "meta",
        "SELECT key || '=' || value FROM meta \
         WHERE key NOT LIKE 'epoch:%' AND key != 'clock:latest' ORDER BY key",
    ),
    (
        "counters",
        "SELECT key || '=' || n FROM counters ORDER BY key",
    ),
    (
        "objects",
        "SELECT kind || '|' || id || '|' || account || '|' || region || '|' || \
         coalesce(name, '') || '|' || body FROM objects ORDER BY kind, id",
    ),
];

/// Dumps every table but the event log of a test's store.
pub fn store_dump(backend: &Backend) -> Vec<String> {
    match backend {
        Backend::File(path) => raw_dump(path),
        Backend::Postgres(url) => postgres_dump(url),
    }
}

/// [`raw_dump`] of a store on PostgreSQL.
fn postgres_dump(url: &str) -> Vec<String> {
    let mut client = postgres::Client::connect(url, postgres::NoTls).expect("a second connection");
    let mut out = Vec::new();
    for (table, query) in DUMP_QUERIES {
        for row in client.query(query, &[]).expect("dump rows") {
            out.push(format!("{table}: {}", row.get::<_, String>(0)));
        }
    }
    out
}

/// Drops a test's database on the PostgreSQL server when the test ends.
pub struct DropDatabase(Option<String>);

impl DropDatabase {
    /// Drops the database of `url` at the end, if it is a PostgreSQL URL.
    pub fn of(url: &str) -> DropDatabase {
        let server =
            amisim_simulator::store::StoreLocation::parse(url).is_ok_and(|l| l.is_server());
        DropDatabase(server.then(|| url.to_string()))
    }
}

impl Drop for DropDatabase {
    fn drop(&mut self) {
        if let (Some(url), Some(admin)) = (&self.0, postgres_admin()) {
            let name = url.rsplit('/').next().unwrap_or_default().to_string();
            if let Ok(mut client) = postgres::Client::connect(&admin, postgres::NoTls) {
                let _ =
                    client.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

/// Dumps every table but the event log of the store file at `path`.
pub fn raw_dump(path: &Path) -> Vec<String> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .expect("a second connection to the store");
    let mut out = Vec::new();
    for (table, query) in DUMP_QUERIES {
        let mut stmt = conn.prepare(query).expect("a dump query");
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .expect("dump rows");
        for row in rows {
            out.push(format!("{table}: {}", row.expect("a dump row")));
        }
    }
    out
}

/// Fails with the first lines that differ between two dumps.
pub fn assert_same_dump(before: &[String], after: &[String]) {
    if before == after {
        return;
    }
    let gone: Vec<&String> = before
        .iter()
        .filter(|l| !after.contains(l))
        .take(5)
        .collect();
    let new: Vec<&String> = after
        .iter()
        .filter(|l| !before.contains(l))
        .take(5)
        .collect();
    panic!("the store changed:\n  removed or changed: {gone:#?}\n  added or changed: {new:#?}");
}

/// Every entity of the cloud, through the store's public API, as JSON per kind.
pub fn entity_dump(cloud: &mut Cloud) -> BTreeMap<&'static str, String> {
    entity_dump_in(cloud, None)
}

/// Like [`entity_dump`], limited to one region (accounts are global and always included).
pub fn entity_dump_in(cloud: &mut Cloud, region: Option<&str>) -> BTreeMap<&'static str, String> {
    let f = Filter {
        region,
        ..Filter::default()
    };
    cloud
        .store()
        .read(|tx| {
            let mut m = BTreeMap::new();
            m.insert("image", j(&tx.list::<Image>(f)?));
            m.insert("storage", j(&tx.list::<Storage>(f)?));
            m.insert("key", j(&tx.list::<Key>(f)?));
            m.insert("grant", j(&tx.list::<Grant>(f)?));
            m.insert("launch-permission", j(&tx.list::<LaunchPermission>(f)?));
            m.insert("storage-permission", j(&tx.list::<StoragePermission>(f)?));
            m.insert("instance", j(&tx.list::<Instance>(f)?));
            m.insert("charge", j(&tx.list::<Charge>(f)?));
            m.insert("account", j(&tx.list::<Account>(Filter::default())?));
            Ok(m)
        })
        .expect("an entity dump")
}

fn j<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("JSON")
}

/// A RegisterImage request with the defaults and `name`.
pub fn image(name: &str) -> RegisterImage {
    RegisterImage {
        name: name.into(),
        ..RegisterImage::default()
    }
}

/// Registers a default image (8 GiB, x86_64, EBS, unencrypted) named `name`.
pub fn register(cloud: &mut Cloud, who: &Caller, name: &str) -> Image {
    cloud
        .call(who, &image(name))
        .unwrap_or_else(|e| panic!("registering {name}: {e}"))
}

/// A CopyImage request for `source` named `name`.
pub fn copy_of(source: &Image, name: &str) -> CopyImage {
    CopyImage {
        source_image_id: source.id.clone(),
        source_region: source.region.clone(),
        name: name.into(),
        ..CopyImage::default()
    }
}

/// A RunInstances request for `image_id` of `instance_type`.
pub fn launch(image_id: &str, instance_type: &str) -> RunInstance {
    RunInstance {
        image_id: image_id.into(),
        instance_type: instance_type.into(),
        ..RunInstance::default()
    }
}

/// The catalogue image called `name` in `who`'s region.
pub fn catalogue(cloud: &mut Cloud, who: &Caller, name: &str) -> Image {
    let found = cloud
        .call(
            who,
            &amisim_simulator::DescribeImages {
                filters: vec![("name".into(), vec![name.into()])],
                ..Default::default()
            },
        )
        .expect("a catalogue lookup");
    assert_eq!(found.len(), 1, "catalogue image {name} in {}", who.region);
    found.into_iter().next().expect("one image")
}

/// A launch permission for one account.
pub fn account(id: &str) -> Principal {
    Principal::Account(id.into())
}

/// The public launch permission.
pub fn public() -> Principal {
    Principal::Group("all".into())
}

/// The storage object with `id`, if it exists.
pub fn storage(cloud: &mut Cloud, id: &str) -> Option<Storage> {
    cloud
        .store()
        .read(|tx| tx.get::<Storage>(id))
        .expect("a storage lookup")
}

/// Every launch permission of `image_id`.
pub fn launch_permissions(cloud: &mut Cloud, image_id: &str) -> Vec<LaunchPermission> {
    cloud
        .store()
        .read(|tx| {
            tx.list::<LaunchPermission>(Filter {
                name: Some(image_id),
                ..Filter::default()
            })
        })
        .expect("a permission listing")
}

/// The image with `id` as stored, whoever owns it.
pub fn stored_image(cloud: &mut Cloud, id: &str) -> Image {
    cloud
        .store()
        .read(|tx| tx.get::<Image>(id))
        .expect("an image lookup")
        .unwrap_or_else(|| panic!("image {id} is stored"))
}

/// Whether `id` is `prefix-` followed by 17 lowercase hex digits.
pub fn well_formed(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix)
        .and_then(|r| r.strip_prefix('-'))
        .is_some_and(|hex| {
            hex.len() == 17
                && hex
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
}

/// Whether `id` is a lowercase UUID.
pub fn is_uuid(id: &str) -> bool {
    let parts: Vec<&str> = id.split('-').collect();
    parts.iter().map(|p| p.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
        && parts.iter().all(|p| {
            p.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
}
