//! The store: the only module that does IO.
//!
//! One SQLite file in WAL mode (or one PostgreSQL database) holds the whole
//! cloud. Every call is one write transaction (`BEGIN IMMEDIATE`, or an
//! advisory lock), so provider processes of one Terraform run (one per
//! aliased provider block) serialise their writes and never lose one. A file
//! that is not an amisim store, is damaged or comes from a newer version is
//! refused and never written to.
//!
//! The two backends offer the same [`Primitives`] (`store/sqlite.rs`,
//! `store/postgres.rs`) over the same tables (`store/schema.rs`); [`Tx`]
//! builds the typed store on them once, with the event log's canonical
//! order ([`EVENT_ORDER`]) shared by both.

mod companions;
mod group;
mod held;
mod location;
mod postgres;
mod schema;
mod sqlite;

pub use location::{StoreLocation, SCHEMES};
pub use postgres::server_name;

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Result};
use crate::model::{
    Account, Charge, Event, Grant, Image, ImageSettings, Instance, Key, LaunchPermission,
    RecycleBinRule, RecycledStorage, Storage, StoragePermission, StoredImage, UsageReport,
};

/// `n` random bytes from the system (`/dev/urandom`): the simulator's one
/// source of randomness, in the layer that does its IO.
pub(crate) fn random_bytes(n: usize) -> Result<Vec<u8>> {
    let mut bytes = vec![0u8; n];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| {
            Error::new(
                ErrorKind::StoreIo,
                format!("cannot read random bytes for a secret: {e}"),
                "Run the command on a system with /dev/urandom",
            )
        })?;
    Ok(bytes)
}

/// `PRAGMA application_id` of amisim stores ("AMIS").
const APPLICATION_ID: i64 = 0x414D_4953;
/// The schema version this build writes; older stores are migrated on open.
pub const SCHEMA_VERSION: i64 = 1;
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";
/// How long a call waits for another process's write before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(120);

/// Something kept in the store's object table.
pub trait Entity: Serialize + DeserializeOwned {
    /// The object kind, the first part of its key.
    const KIND: &'static str;
    /// The object's ID, unique within its kind.
    fn id(&self) -> &str;
    /// The account it belongs to (the owner).
    fn account(&self) -> &str;
    /// The region it lives in.
    fn region(&self) -> &str;
    /// A secondary key for lookups (an image's name, a grant's key), if any.
    fn name(&self) -> Option<&str> {
        None
    }
}

macro_rules! entity {
    ($ty:ty, $kind:literal, |$x:ident| $id:expr, $account:expr, $region:expr, $name:expr) => {
        #[allow(unused_variables)]
        impl Entity for $ty {
            const KIND: &'static str = $kind;
            fn id(&self) -> &str {
                let $x = self;
                $id
            }
            fn account(&self) -> &str {
                let $x = self;
                $account
            }
            fn region(&self) -> &str {
                let $x = self;
                $region
            }
            fn name(&self) -> Option<&str> {
                let $x = self;
                $name
            }
        }
    };
}

entity!(
    Image,
    "image",
    |x| x.key(),
    &x.owner_id,
    &x.region,
    Some(&x.name)
);
entity!(
    Storage,
    "storage",
    |x| &x.id,
    &x.owner_id,
    &x.region,
    Some(&x.created_for_image)
);
entity!(Key, "key", |x| &x.id, &x.owner_id, &x.region, None);
entity!(
    Grant,
    "grant",
    |x| &x.id,
    &x.owner_id,
    &x.region,
    Some(&x.key_arn)
);
entity!(
    LaunchPermission,
    "launch-permission",
    |x| &x.id,
    &x.owner_id,
    &x.region,
    Some(&x.image_id)
);
entity!(
    StoragePermission,
    "storage-permission",
    |x| &x.id,
    &x.owner_id,
    &x.region,
    Some(&x.storage_id)
);
entity!(
    Instance,
    "instance",
    |x| &x.id,
    &x.owner_id,
    &x.region,
    Some(&x.image_id)
);
entity!(
    RecycleBinRule,
    "recycle-bin-rule",
    |x| &x.id,
    &x.account_id,
    &x.region,
    None
);
entity!(
    RecycledStorage,
    "recycled-storage",
    |x| &x.storage.id,
    &x.storage.owner_id,
    &x.storage.region,
    None
);
entity!(
    ImageSettings,
    "image-settings",
    |x| &x.id,
    &x.account_id,
    &x.region,
    None
);
entity!(
    crate::model::Claim,
    "claim",
    |x| &x.account_id,
    &x.account_id,
    "global",
    None
);
entity!(Account, "account", |x| &x.id, &x.id, "global", None);
entity!(
    crate::model::AdministratorKey,
    "administrator-key",
    |x| &x.access_key_id,
    crate::model::ADMINISTRATOR,
    crate::model::GLOBAL,
    None
);
entity!(
    StoredImage,
    "stored-image",
    |x| &x.id,
    &x.account_id,
    &x.region,
    Some(&x.bucket)
);
entity!(
    UsageReport,
    "image-usage-report",
    |x| &x.id,
    &x.account_id,
    &x.region,
    Some(&x.image_id)
);
entity!(Charge, "charge", |x| &x.id, &x.account_id, &x.region, None);
entity!(
    crate::model::FaultRule,
    "fault-rule",
    |x| &x.id,
    crate::model::ADMINISTRATOR,
    crate::model::GLOBAL,
    None
);
entity!(
    crate::model::Organization,
    "organization",
    |x| &x.id,
    &x.management_account_id,
    crate::model::GLOBAL,
    None
);
entity!(
    crate::model::OrganizationalUnit,
    "organizational-unit",
    |x| &x.id,
    &x.management_account_id,
    crate::model::GLOBAL,
    Some(&x.organization_id)
);

/// An open store: a file, a PostgreSQL database, or an in-memory store for tests.
pub struct Store {
    backend: Backend,
    /// This process's count of the connection to the store file, dropped
    /// after the connection is closed (see `held`).
    _hold: Option<held::Hold>,
    path: Option<PathBuf>,
    /// The private copy a read-only store is read from, when the store's WAL
    /// was left by a process that ended (see `companions`).
    _scratch: Option<companions::Scratch>,
    /// What a group of calls holding the store's write transaction open
    /// (see [`together`]) has read and written: each transaction begun
    /// meanwhile is a savepoint in it.
    group: Option<Box<std::cell::RefCell<group::Group>>>,
    /// What the store held when this handle's last group committed, and
    /// the mark that tells whether another transaction wrote since (see
    /// [`Store::begin_group`]).
    carried: Option<(i64, Box<group::Read>)>,
}

/// The most rows a handle keeps from one group for the next: about 25 MB of
/// images at most. Past it the next group starts knowing nothing, and the
/// count starts again.
const CARRIED_MOST: usize = 10_000;

/// How a transaction on the store begins and ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// The store's write transaction: it waits for the other writers.
    Write,
    /// A consistent read, writing nothing.
    Read,
    /// A savepoint inside the write transaction a group of calls holds.
    Nested,
    /// A read inside the write transaction a group of calls holds: it
    /// writes nothing, so it needs no savepoint of its own (nor the round
    /// trips to the database that begin and end one).
    Within,
}

impl Scope {
    /// The SQL that ends a transaction of this scope, keeping what it wrote
    /// or not; none for a read within a group.
    fn end(self, keep: bool) -> Option<&'static str> {
        Some(match (self, keep) {
            (Scope::Within, _) => return None,
            (Scope::Nested, true) => "RELEASE SAVEPOINT nested",
            (Scope::Nested, false) => "ROLLBACK TO SAVEPOINT nested; RELEASE SAVEPOINT nested",
            (_, true) => "COMMIT",
            (_, false) => "ROLLBACK",
        })
    }

    /// Whether a transaction of this scope may write.
    fn writes(self) -> bool {
        matches!(self, Scope::Write | Scope::Nested)
    }
}

/// Where a store's transactions go.
enum Backend {
    /// An SQLite file, or an SQLite database in memory.
    Sqlite(Connection),
    /// A database on a PostgreSQL server.
    Postgres(Box<postgres::Pg>),
}

/// How a store is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// An existing store, never written to.
    ReadOnly,
    /// An existing store, for changes; a missing store is an error.
    Existing,
    /// A store for changes, created if there is none.
    Create,
}

/// The error for a store file that is not there.
pub fn no_store(path: &Path) -> Error {
    Error::new(
        ErrorKind::StoreIo,
        format!("no store at {}", path.display()),
        "Run terraform apply first, or point AMISIM_STORE (or --store) at an existing store",
    )
}

/// What the opener of a store brings to it: what a new store starts with,
/// and how a store made by an earlier build is brought up to date. The store
/// itself knows no rule of the cloud.
#[derive(Clone, Copy)]
pub struct Setup {
    /// Fills a new store in its first transaction (the public catalogue).
    pub seed: fn(&mut Tx<'_>) -> Result<()>,
    /// Brings a store opened for writing up to date; writes nothing when it is current.
    pub upgrade: fn(&mut Store) -> Result<()>,
}

impl Setup {
    /// A store with nothing in it but its tables, for the store's own tests.
    pub const NONE: Setup = Setup {
        seed: |_| Ok(()),
        upgrade: |_| Ok(()),
    };
}

/// Which objects a listing returns; `None` matches anything.
#[derive(Debug, Default, Clone, Copy)]
pub struct Filter<'a> {
    /// Only objects of this account.
    pub account: Option<&'a str>,
    /// Only objects in this region.
    pub region: Option<&'a str>,
    /// Only objects with this secondary key.
    pub name: Option<&'a str>,
}

impl<'a> Filter<'a> {
    /// `FROM objects … WHERE …` for this filter, and the values to bind. Only the
    /// columns the filter sets appear, and the index that fits is named: the
    /// table's primary key starts with `kind` too, and SQLite would otherwise
    /// prefer walking every object of the kind.
    fn sql(&self, kind: &'a str) -> (String, Vec<&'a str>) {
        let index = if self.account.is_some() {
            " INDEXED BY objects_by_scope"
        } else if self.name.is_some() {
            " INDEXED BY objects_by_name"
        } else if self.region.is_some() {
            " INDEXED BY objects_by_region"
        } else {
            ""
        };
        let mut sql = format!("FROM objects{index} WHERE kind = ?");
        let mut values = vec![kind];
        for (column, value) in [
            ("account", self.account),
            ("region", self.region),
            ("name", self.name),
        ] {
            if let Some(v) = value {
                sql.push_str(&format!(" AND {column} = ?"));
                values.push(v);
            }
        }
        (sql, values)
    }
}

impl Store {
    /// Opens the store at `path` for reading and writing, creating it (and its folder) if missing.
    pub fn open(path: &Path, setup: &Setup) -> Result<Store> {
        companions::check_store_kind(path)?;
        if !path.exists() {
            create_new(path, setup)?;
        }
        Store::held(path, false, |_| {
            Store::open_existing(path, path, Some(setup), None)
        })
    }

    /// Opens an existing store without ever writing to it.
    pub fn open_read_only(path: &Path) -> Result<Store> {
        if !path.exists() {
            return Err(no_store(path));
        }
        companions::check_store_kind(path)?;
        // Reading never creates a file beside the store: with no WAL to apply the
        // file is read as it is; a WAL left by an ended process is read from the
        // checked private copy.
        Store::held(path, true, |beside| match beside {
            companions::Beside::Quiet => {
                Store::open_existing(path, Path::new(&immutable_uri(path)), None, None)
            }
            companions::Beside::Live => Store::open_existing(path, path, None, None),
            companions::Beside::Recovered(scratch) => {
                let copy = scratch.store();
                Store::open_existing(path, &copy, None, Some(scratch))
            }
        })
    }

    /// Checks the store file at `path` (its header, and what is beside it)
    /// and opens it with `open`, told what is beside it, all under this
    /// process's lock on its store files: the checks that read the files
    /// outside SQLite are made only before the process's first connection
    /// to the store (see `held`).
    fn held(
        path: &Path,
        read_only: bool,
        open: impl FnOnce(companions::Beside) -> Result<Store>,
    ) -> Result<Store> {
        let (mut store, hold) = held::open(path, |first| {
            if first {
                check_header(path)?;
            }
            open(companions::inspect(path, read_only, first)?)
        })?;
        store._hold = Some(hold);
        Ok(store)
    }

    /// A fresh store in memory, seeded like a new file; for tests and benchmarks.
    pub fn memory(setup: &Setup) -> Result<Store> {
        let conn = Connection::open_in_memory().map_err(|e| io_error(None, e))?;
        let mut store = Store {
            backend: Backend::Sqlite(conn),
            _hold: None,
            path: None,
            _scratch: None,
            group: None,
            carried: None,
        };
        store.initialise(setup)?;
        Ok(store)
    }

    /// A store in memory holding `rows` as they are: the cloud a server
    /// showed its client, read with the same code as a store of its own.
    pub fn from_rows(rows: &Rows) -> Result<Store> {
        let mut store = Store::memory(&Setup::NONE)?;
        let Backend::Sqlite(conn) = &mut store.backend else {
            unreachable!("a store in memory is SQLite");
        };
        let tx = conn.transaction().map_err(|e| io_error(None, e))?;
        {
            let insert = |sql: &str, values: &[&dyn rusqlite::ToSql]| {
                tx.execute(sql, values).map_err(|e| io_error(None, e))
            };
            insert("DELETE FROM meta", &[])?;
            for o in &rows.objects {
                insert(
                    "INSERT OR REPLACE INTO objects (kind, id, account, region, name, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    &[&o.kind, &o.id, &o.account, &o.region, &o.name, &o.body],
                )?;
            }
            for e in &rows.events {
                insert(
                    &format!("INSERT INTO events (seq, {EVENT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"),
                    &[
                        &e.row,
                        &e.time,
                        &e.account,
                        &e.region,
                        &e.action,
                        &e.parameters,
                        &e.outcome,
                        &e.resource_id,
                        &e.access_key,
                        &e.fault,
                    ],
                )?;
            }
            for (k, v) in &rows.meta {
                insert(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
                    &[k, v],
                )?;
            }
            for (k, n) in &rows.counters {
                insert(
                    "INSERT OR REPLACE INTO counters (key, n) VALUES (?1, ?2)",
                    &[k, n],
                )?;
            }
        }
        tx.commit().map_err(|e| io_error(None, e))?;
        Ok(store)
    }

    /// Opens the store on the PostgreSQL server at `url`
    /// (`postgres://USER:PASSWORD@HOST:PORT/DATABASE`); with
    /// [`Access::Create`], an empty database becomes a new store.
    pub fn open_postgres(url: &str, access: Access, setup: &Setup) -> Result<Store> {
        let read_only = access == Access::ReadOnly;
        let (pg, created) = postgres::Pg::connect(url, access == Access::Create)?;
        let mut store = Store {
            backend: Backend::Postgres(Box::new(pg)),
            _hold: None,
            path: None,
            _scratch: None,
            group: None,
            carried: None,
        };
        if created && !read_only {
            store.transaction(|tx| {
                if tx.meta("schema")?.is_some() {
                    return Ok(());
                }
                (setup.seed)(tx)?;
                tx.set_meta("store_id", &new_store_id())?;
                tx.set_meta("schema", &SCHEMA_VERSION.to_string())
            })?;
        }
        if !read_only {
            store.add_missing_columns(&schema::POSTGRES)?;
            (setup.upgrade)(&mut store)?;
        }
        Ok(store)
    }

    /// How long a write waits for another process's write to end before it
    /// is refused with [`ErrorKind::StoreBusy`], having applied nothing
    /// (120 seconds unless set).
    pub fn set_lock_wait(&mut self, wait: Duration) -> Result<()> {
        match &mut self.backend {
            Backend::Sqlite(conn) => conn
                .busy_timeout(wait)
                .map_err(|e| io_error(self.path.as_deref(), e)),
            Backend::Postgres(pg) => pg.set_lock_wait(wait),
        }
    }

    /// The PostgreSQL server this store lives on, if any (without the password).
    pub fn server(&self) -> Option<&str> {
        match &self.backend {
            Backend::Postgres(pg) => Some(pg.server()),
            Backend::Sqlite(_) => None,
        }
    }

    /// The file this store lives in, if any.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Opens the SQLite database `file` (the store `path`, a URI for it, or a
    /// private copy of it); errors name `path`. With a `setup` it is opened
    /// for writing and brought up to date, without one for reading only.
    fn open_existing(
        path: &Path,
        file: &Path,
        setup: Option<&Setup>,
        scratch: Option<companions::Scratch>,
    ) -> Result<Store> {
        let read_only = setup.is_none();
        let mut flags = if read_only {
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
        } else {
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX
        };
        if file != path && file.to_string_lossy().starts_with("file:") {
            flags |= OpenFlags::SQLITE_OPEN_URI;
        }
        // What this open adds beside the store is removed again if the store is refused.
        let added: Vec<PathBuf> = ["-wal", "-shm"]
            .iter()
            .map(|s| companions::companion(file, s))
            .filter(|c| file == path && !c.exists())
            .collect();
        let opened = Connection::open_with_flags(file, flags)
            .map_err(|e| io_error(Some(path), e))
            .and_then(|conn| Store::checked(conn, path, setup, scratch));
        if opened.is_err() {
            for c in added {
                if fs::metadata(&c)
                    .is_ok_and(|m| m.len() == 0 || c.to_string_lossy().ends_with("-shm"))
                {
                    let _ = fs::remove_file(&c);
                }
            }
        }
        opened
    }

    /// The store over `conn` once it proves to be an amisim store this build can use.
    fn checked(
        conn: Connection,
        path: &Path,
        setup: Option<&Setup>,
        scratch: Option<companions::Scratch>,
    ) -> Result<Store> {
        let read_only = setup.is_none();
        // Until the checks below pass, closing must not fold the WAL into the file.
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)
            .map_err(|e| io_error(Some(path), e))?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| io_error(Some(path), e))?;
        let app: i64 = conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .map_err(|e| io_error(Some(path), e))?;
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| io_error(Some(path), e))?;
        check_identity(path, app, version)?;
        if !read_only {
            conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = OFF; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -8192; PRAGMA wal_autocheckpoint = 16000;")
                .map_err(|e| io_error(Some(path), e))?;
            conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, false)
                .map_err(|e| io_error(Some(path), e))?;
        }
        let mut store = Store {
            backend: Backend::Sqlite(conn),
            _hold: None,
            path: Some(path.to_path_buf()),
            _scratch: scratch,
            group: None,
            carried: None,
        };
        if let Some(setup) = setup {
            store.add_missing_columns(&schema::SQLITE)?;
            (setup.upgrade)(&mut store)?;
        }
        Ok(store)
    }

    /// Creates the schema and fills it as `setup` says.
    fn initialise(&mut self, setup: &Setup) -> Result<()> {
        self.sqlite_batch(&format!(
            "PRAGMA journal_mode = WAL;{}",
            schema::tables(&schema::SQLITE)
        ))?;
        self.transaction(|tx| {
            (setup.seed)(tx)?;
            tx.set_meta("store_id", &new_store_id())?;
            tx.set_meta("schema", &SCHEMA_VERSION.to_string())
        })?;
        self.sqlite_batch(&format!(
            "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {SCHEMA_VERSION};"
        ))
    }

    /// Runs statements outside any transaction on an SQLite store's own
    /// connection (its schema, pragmas, checkpoints). A PostgreSQL store's
    /// schema is made by [`postgres::Pg::connect`]; it has no such statements.
    fn sqlite_batch(&self, sql: &str) -> Result<()> {
        match &self.backend {
            Backend::Sqlite(conn) => conn
                .execute_batch(sql)
                .map_err(|e| io_error(self.path.as_deref(), e)),
            Backend::Postgres(pg) => Err(Error::new(
                ErrorKind::StoreIo,
                format!(
                    "an SQLite statement was sent to the PostgreSQL store {}",
                    pg.server()
                ),
                "This is a fault in amisim; the store was left untouched",
            )),
        }
    }

    /// Adds the columns a store made by an earlier build lacks (the event
    /// log's access keys and injected faults); reads only, when it has them.
    fn add_missing_columns(&mut self, dialect: &schema::Dialect) -> Result<()> {
        let missing = |tx: &Tx<'_>| -> Result<Vec<&'static str>> {
            let mut out = Vec::new();
            for column in EVENT_ADDED {
                if !tx.rows().events_have(column)? {
                    out.push(column);
                }
            }
            Ok(out)
        };
        if self.read(|tx| missing(tx))?.is_empty() {
            return Ok(());
        }
        self.transaction(|tx| {
            for column in missing(tx)? {
                tx.rows()
                    .batch(&schema::add_event_column(dialect, column))?;
            }
            Ok(())
        })
    }

    /// Runs `f` in one immediate transaction: all of it is stored, or none of it.
    pub fn transaction<R>(&mut self, f: impl FnOnce(&mut Tx<'_>) -> Result<R>) -> Result<R> {
        let mut tx = self.begin(true)?;
        let result = f(&mut tx)?;
        tx.commit()?;
        Ok(result)
    }

    /// Runs `f` over a consistent read of the store, writing nothing.
    pub fn read<R>(&mut self, f: impl FnOnce(&mut Tx<'_>) -> Result<R>) -> Result<R> {
        let mut tx = self.begin(false)?;
        // Dropping a transaction rolls it back, which also releases its snapshot:
        // a read has nothing to keep.
        f(&mut tx)
    }

    /// Whether a group of calls holds the store's write transaction open
    /// (see [`together`]).
    pub(crate) fn is_grouped(&self) -> bool {
        self.group.is_some()
    }

    /// A transaction on the backend: one that writes (it waits for the
    /// other writers), or a read of a consistent snapshot; inside a group
    /// (see [`together`]) either is a savepoint of the group's.
    fn begin(&mut self, write: bool) -> Result<Tx<'_>> {
        let scope = match (self.group.is_some(), write) {
            (true, true) => Scope::Nested,
            (true, false) => Scope::Within,
            (false, true) => Scope::Write,
            (false, false) => Scope::Read,
        };
        // In a group the backend's transaction is the group's: a savepoint
        // is the group's to keep (see `group`).
        let backend_scope = match self.group {
            Some(_) => Scope::Within,
            None => scope,
        };
        if scope == Scope::Write {
            // A write outside a group: what the last group knew may change.
            self.carried = None;
        }
        let inner = Self::inner(&mut self.backend, &self.path, backend_scope)?;
        let group = self.group.as_deref();
        if let (Some(group), Scope::Nested) = (group, scope) {
            group.borrow_mut().savepoint();
        }
        Ok(Tx {
            inner,
            scope,
            wrote_in_read: std::cell::Cell::new(false),
            group,
            ended: false,
        })
    }

    /// A transaction of `scope` on the backend.
    fn inner<'c>(
        backend: &'c mut Backend,
        path: &Option<PathBuf>,
        scope: Scope,
    ) -> Result<Inner<'c>> {
        Ok(match backend {
            Backend::Postgres(pg) => Inner::Postgres(pg.transaction(scope)?),
            Backend::Sqlite(conn) => {
                Inner::Sqlite(sqlite::SqliteTx::begin(conn, path.clone(), scope)?)
            }
        })
    }

    /// Runs `f` with the backend's primitives inside the transaction already
    /// open (a group's), beginning and ending nothing.
    fn within<R>(&mut self, f: impl FnOnce(&dyn Primitives) -> Result<R>) -> Result<R> {
        let inner = Self::inner(&mut self.backend, &self.path, Scope::Within)?;
        f(primitives(&inner))
    }

    /// Begins the write transaction of a group (see [`together`]) and
    /// gives what the store is known to hold: what this handle's last group
    /// read and wrote, if no other transaction has written since it
    /// committed, else nothing. On PostgreSQL the group's transaction takes
    /// the next transaction ID of the whole server: only if it is the one
    /// after the last group's did nothing else write meanwhile (any write,
    /// by any process or build, takes one). On SQLite the file's data
    /// version moves with every commit of another connection.
    fn begin_group(&mut self) -> Result<(i64, group::Read)> {
        let path = self.path.clone();
        let (mark, follows): (i64, fn(i64, i64) -> bool) = match &mut self.backend {
            Backend::Postgres(pg) => (pg.begin_group()?, |last, now| {
                last.checked_add(1) == Some(now)
            }),
            Backend::Sqlite(conn) => {
                sqlite::begin(conn, path.as_deref(), Scope::Write)?;
                match sqlite::data_version(conn, path.as_deref()) {
                    Ok(version) => (version, |last, now| now == last),
                    Err(e) => {
                        let _ = sqlite::end(conn, path.as_deref(), Scope::Write, false);
                        return Err(e);
                    }
                }
            }
        };
        let read = match self.carried.take() {
            Some((last, read)) if follows(last, mark) => *read,
            _ => group::Read::default(),
        };
        Ok((mark, read))
    }

    /// Begins (`end` none) or ends (keeping what was written, or not) a
    /// transaction of `scope` on the backend, outside any [`Tx`].
    fn raw(&mut self, scope: Scope, end: Option<bool>) -> Result<()> {
        match &mut self.backend {
            Backend::Postgres(pg) => match end {
                None => pg.begin(scope),
                Some(keep) => pg.end(scope, keep),
            },
            Backend::Sqlite(conn) => {
                let path = self.path.as_deref();
                match end {
                    None => sqlite::begin(conn, path, scope),
                    Some(keep) => sqlite::end(conn, path, scope, keep),
                }
            }
        }
    }
}

impl AsMut<Store> for Store {
    fn as_mut(&mut self) -> &mut Store {
        self
    }
}

/// Runs `f` on `holder` (a store, or what holds one) with the store's write
/// transaction held open: every transaction `f` begins is a savepoint in it
/// (a refused call rolls back alone), and all of them are committed at once
/// when `f` returns. What `f` answers may be given only once this returns
/// `Ok`: an `Err` means none of it was kept, which is also the answer when
/// the database failed a statement the group could not undo alone (any
/// failed statement, on PostgreSQL; its writes not all written, on either).
/// Within a group this only runs `f`.
pub fn together<H: AsMut<Store>, R>(holder: &mut H, f: impl FnOnce(&mut H) -> R) -> Result<R> {
    if holder.as_mut().group.is_some() {
        return Ok(f(holder));
    }
    let (mark, known) = holder.as_mut().begin_group()?;
    holder.as_mut().group = Some(Box::new(std::cell::RefCell::new(group::Group::knowing(
        known,
    ))));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(holder)));
    let store = holder.as_mut();
    let group = store.group.take().map(|group| group.into_inner());
    let kept = match (&result, group) {
        (Ok(_), Some(group)) => store.within(|db| group.finish(db)).and_then(|known| {
            store.raw(Scope::Write, Some(true))?;
            if known.rows() <= CARRIED_MOST {
                store.carried = Some((mark, Box::new(known)));
            }
            Ok(())
        }),
        _ => Ok(()),
    };
    if result.is_err() || kept.is_err() {
        let _ = store.raw(Scope::Write, Some(false));
    }
    match result {
        Ok(r) => kept.map(|()| r),
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// Runs `f` on `holder` (a store, or what holds one) and then discards
/// every change it made, its calls' events and clock included: what a dry
/// run is. Inside a group it is a savepoint of the group's, rolled back.
pub fn discarded<H: AsMut<Store>, R>(holder: &mut H, f: impl FnOnce(&mut H) -> R) -> Result<R> {
    let store = holder.as_mut();
    let was_grouped = store.group.is_some();
    match &store.group {
        Some(group) => group.borrow_mut().savepoint(),
        None => {
            store.carried = None;
            store.raw(Scope::Write, None)?;
            store.group = Some(Default::default());
        }
    }
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(holder)));
    let store = holder.as_mut();
    let ended = match was_grouped {
        true => match store.group.take() {
            Some(group) => {
                let ended = store.within(|db| group.borrow_mut().end(db, false));
                store.group = Some(group);
                ended
            }
            None => Ok(()),
        },
        false => {
            store.group = None;
            store.raw(Scope::Write, Some(false))
        }
    };
    match result {
        Ok(r) => ended.map(|()| r),
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// One transaction over the store: typed access to every entity.
pub struct Tx<'c> {
    inner: Inner<'c>,
    scope: Scope,
    /// Whether something tried to write in a read (see [`Tx::wrote_in_read`]).
    wrote_in_read: std::cell::Cell<bool>,
    /// The group this transaction is part of (see [`together`]): it reads
    /// and writes through the group's memory, and a nested one is a
    /// savepoint of the group's, undone when dropped before its commit.
    group: Option<&'c std::cell::RefCell<group::Group>>,
    ended: bool,
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if let (Some(group), Scope::Nested, false) = (self.group, self.scope, self.ended) {
            // A failure here leaves the group unable to commit (see `Group::end`).
            let _ = group.borrow_mut().end(primitives(&self.inner), false);
        }
    }
}

/// The primitives of a backend's transaction.
fn primitives<'a>(inner: &'a Inner<'_>) -> &'a dyn Primitives {
    match inner {
        Inner::Sqlite(tx) => tx,
        Inner::Postgres(tx) => tx,
    }
}

/// The transaction underneath, on one of the two backends.
enum Inner<'c> {
    Sqlite(sqlite::SqliteTx<'c>),
    Postgres(postgres::PgTx<'c>),
}

/// What one transaction offers on either backend: rows of text, keyed as the
/// schema keys them. [`Tx`] builds the typed store on it, once for both.
pub(crate) trait Primitives {
    /// The body of the object `kind`/`id`.
    fn body(&self, kind: &str, id: &str) -> Result<Option<String>>;
    /// Whether the object `kind`/`id` exists.
    fn exists(&self, kind: &str, id: &str) -> Result<bool> {
        Ok(self.body(kind, id)?.is_some())
    }
    /// Stores an object, replacing the one of the same kind and ID.
    fn put(
        &self,
        kind: &str,
        id: &str,
        account: &str,
        region: &str,
        name: Option<&str>,
        body: &str,
    ) -> Result<()>;
    /// Removes the object `kind`/`id`; true if there was one.
    fn delete(&self, kind: &str, id: &str) -> Result<bool>;
    /// The IDs and bodies of the objects of `kind` that match `filter`, in no order.
    fn list(&self, kind: &str, filter: Filter<'_>) -> Result<Vec<(String, String)>>;
    /// How many objects of `kind` match `filter`.
    fn count(&self, kind: &str, filter: Filter<'_>) -> Result<i64>;
    /// A metadata value.
    fn meta(&self, key: &str) -> Result<Option<String>>;
    /// Sets a metadata value.
    fn set_meta(&self, key: &str, value: &str) -> Result<()>;
    /// The metadata entries from `prefix` on, in key order.
    fn meta_from(&self, prefix: &str) -> Result<Vec<(String, String)>>;
    /// Counts `key` once more and returns the new count.
    fn count_up(&self, key: &str) -> Result<i64>;
    /// The count of `key`, if it was ever counted.
    fn counter(&self, key: &str) -> Result<Option<i64>>;
    /// The count of `key` and the body of the object `kind`/`id`, read
    /// together (one round trip on PostgreSQL).
    fn counter_and_body(
        &self,
        key: &str,
        kind: &str,
        id: &str,
    ) -> Result<(Option<i64>, Option<String>)> {
        Ok((self.counter(key)?, self.body(kind, id)?))
    }
    /// Sets the count of `key`.
    fn set_counter(&self, key: &str, n: i64) -> Result<()>;
    /// Begins (`None`) or ends (keeping what it wrote, or not) a savepoint
    /// inside the transaction a group holds.
    fn savepoint(&self, end: Option<bool>) -> Result<()>;
    /// Writes what a group wrote, each row as it is to be, then the events
    /// in their order.
    fn write_all(&self, writes: &group::Writes) -> Result<()>;
    /// Every object row, by kind and ID.
    fn objects(&self) -> Result<Vec<ObjectRow>>;
    /// Every counter.
    fn counters(&self) -> Result<Vec<(String, i64)>>;
    /// Appends an event.
    fn append_event(&self, event: &EventRow) -> Result<()>;
    /// Whether the event log has `column` (one of [`EVENT_ADDED`]).
    fn events_have(&self, column: &str) -> Result<bool>;
    /// Every event, in the log's canonical order ([`EVENT_ORDER`]).
    fn events(&self) -> Result<Vec<EventRow>>;
    /// The one number a query answers.
    fn number(&self, sql: &str) -> Result<i64>;
    /// Runs SQL with no result (emptying the store).
    fn batch(&self, sql: &str) -> Result<()>;
}

/// Writes what a group wrote one row at a time, then the events in their order.
fn write_each(p: &dyn Primitives, writes: &group::Writes) -> Result<()> {
    for ((kind, id), row) in &writes.objects {
        match row {
            Some(r) => p.put(kind, id, &r.account, &r.region, r.name.as_deref(), &r.body)?,
            None => {
                p.delete(kind, id)?;
            }
        }
    }
    for (key, value) in &writes.meta {
        p.set_meta(key, value)?;
    }
    for (key, n) in &writes.counters {
        p.set_counter(key, *n)?;
    }
    for event in &writes.events {
        p.append_event(event)?;
    }
    Ok(())
}

/// The columns of an event row as written, in [`EventRow`]'s order.
const EVENT_COLUMNS: &str =
    "time, account, region, action, parameters, outcome, resource_id, access_key, fault";

/// The columns of an event row as read: its number, then [`EVENT_COLUMNS`]
/// but the later ones, which a store made before them lacks (see
/// [`EVENT_ADDED`]).
const EVENT_READ: &str = "seq, time, account, region, action, parameters, outcome, resource_id";

/// The event log's later columns, in order: the access key a call was made
/// with, and the fault rule that refused it. Each is added to a store made
/// before it when the store is first opened for writing.
const EVENT_ADDED: [&str; 2] = ["access_key", "fault"];

/// The later columns as a read selects them: each by name where the store
/// has it, else nothing in its place.
fn event_added_columns(p: &dyn Primitives, nothing: &str) -> Result<String> {
    let mut out = Vec::new();
    for column in EVENT_ADDED {
        out.push(if p.events_have(column)? {
            column
        } else {
            nothing
        });
    }
    Ok(out.join(", "))
}

/// The event log's canonical order, on both backends: by simulated time, then
/// by a stable key (account, region, action, subject, parameters, outcome),
/// never by the order calls happened to commit.
const EVENT_ORDER: &str =
    "time, account, region, action, coalesce(resource_id, ''), parameters, outcome, seq";

/// One object row as stored: what [`Rows`] carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectRow {
    /// Its kind.
    pub kind: String,
    /// Its ID.
    pub id: String,
    /// The account it belongs to.
    pub account: String,
    /// Its region.
    pub region: String,
    /// Its secondary key.
    pub name: Option<String>,
    /// Its JSON body.
    pub body: String,
}

/// The rows of a store (or of the part of it one caller may see), to be read
/// elsewhere as a store of its own ([`Store::from_rows`]): what a client of a
/// server reads the cloud from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rows {
    /// The objects.
    pub objects: Vec<ObjectRow>,
    /// The event log.
    pub events: Vec<EventRow>,
    /// The metadata.
    pub meta: Vec<(String, String)>,
    /// The counters behind IDs.
    pub counters: Vec<(String, i64)>,
}

/// One event row as stored, in the log's canonical order: what [`Rows`] carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRow {
    /// The row's number, given when its call committed and never changed
    /// (0 for a row not yet stored): the commit number.
    pub row: i64,
    /// Its simulated time.
    pub time: String,
    /// The caller's account.
    pub account: String,
    /// The caller's region.
    pub region: String,
    /// The action.
    pub action: String,
    /// Its parameters, as JSON text.
    pub parameters: String,
    /// `ok`, or the refusal's code.
    pub outcome: String,
    /// The object it acted on.
    pub resource_id: Option<String>,
    /// The access key it was made with, through a server.
    pub access_key: Option<String>,
    /// The fault rule that refused it on purpose, if one did.
    #[serde(default)]
    pub fault: Option<String>,
}

impl Tx<'_> {
    /// The backend's primitives.
    fn rows(&self) -> &dyn Primitives {
        primitives(&self.inner)
    }

    /// The backend's primitives for a read memory cannot answer: in a group,
    /// once every write the group made waits no more (see `Group::send`).
    fn sent(&self) -> Result<&dyn Primitives> {
        if let Some(group) = self.group {
            group.borrow_mut().send(self.rows())?;
        }
        Ok(self.rows())
    }

    /// The backend's primitives, to write with: a read writes nothing (what
    /// it wrote would be dropped with it, unseen), so a write in one is an
    /// error rather than a change lost.
    fn writes(&self) -> Result<&dyn Primitives> {
        if self.scope.writes() {
            return Ok(self.rows());
        }
        self.wrote_in_read.set(true);
        Err(Error::new(
            ErrorKind::StoreIo,
            "amisim tried to write to the store while only reading it; nothing was written",
            "This is a fault in amisim: report it with the command that met it",
        ))
    }

    /// The object of kind `T` with `id`, if any.
    pub fn get<T: Entity>(&self, id: &str) -> Result<Option<T>> {
        let body = match self.group {
            Some(group) => group.borrow_mut().body(self.rows(), T::KIND, id)?,
            None => self.rows().body(T::KIND, id)?,
        };
        body.map(|b| self.decode(&b)).transpose()
    }

    /// Whether an object of kind `T` with `id` exists.
    pub fn exists<T: Entity>(&self, id: &str) -> Result<bool> {
        match self.group {
            Some(group) => Ok(group.borrow_mut().body(self.rows(), T::KIND, id)?.is_some()),
            None => self.rows().exists(T::KIND, id),
        }
    }

    /// Stores `object`, replacing the object of the same kind and ID.
    pub fn put<T: Entity>(&mut self, object: &T) -> Result<()> {
        let body = serde_json::to_string(object).map_err(|e| {
            Error::new(
                ErrorKind::StoreDamaged,
                format!("cannot encode an object: {e}"),
                "",
            )
        })?;
        let db = self.writes()?;
        match self.group {
            Some(group) => {
                let row = group::Row {
                    account: object.account().to_string(),
                    region: object.region().to_string(),
                    name: object.name().map(str::to_string),
                    body,
                };
                group.borrow_mut().put(T::KIND, object.id(), row);
                Ok(())
            }
            None => db.put(
                T::KIND,
                object.id(),
                object.account(),
                object.region(),
                object.name(),
                &body,
            ),
        }
    }

    /// Removes the object of kind `T` with `id`; true if there was one.
    pub fn delete<T: Entity>(&mut self, id: &str) -> Result<bool> {
        let db = self.writes()?;
        match self.group {
            Some(group) => group.borrow_mut().delete(db, T::KIND, id),
            None => db.delete(T::KIND, id),
        }
    }

    /// Every object of kind `T` that matches `filter`, in ID order.
    pub fn list<T: Entity>(&self, filter: Filter<'_>) -> Result<Vec<T>> {
        let mut rows = match self.group {
            Some(group) => group.borrow_mut().list(self.rows(), T::KIND, filter)?,
            None => self.rows().list(T::KIND, filter)?,
        };
        // Sorted here rather than by SQL, so that SQLite picks the index of the
        // filter instead of walking the whole kind in ID order.
        rows.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        rows.iter().map(|(_, body)| self.decode(body)).collect()
    }

    /// How many objects of kind `T` match `filter`.
    pub fn count<T: Entity>(&self, filter: Filter<'_>) -> Result<i64> {
        match self.group {
            Some(group) => group.borrow_mut().count(self.rows(), T::KIND, filter),
            None => self.rows().count(T::KIND, filter),
        }
    }

    fn decode<T: DeserializeOwned>(&self, body: &str) -> Result<T> {
        serde_json::from_str(body).map_err(|e| {
            Error::new(
                ErrorKind::StoreDamaged,
                format!("the store holds an object this build cannot read: {e}"),
                "The store may be damaged or from another version; it was left untouched",
            )
        })
    }

    /// Whether something tried to write in this read (and was refused): a
    /// call that changes nothing but may write (a key made on first use)
    /// runs again as a write.
    pub(crate) fn wrote_in_read(&self) -> bool {
        self.wrote_in_read.get()
    }

    /// A value of the store's metadata.
    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        match self.group {
            Some(group) => group.borrow_mut().meta(self.rows(), key),
            None => self.rows().meta(key),
        }
    }

    /// Sets a value of the store's metadata.
    pub fn set_meta(&mut self, key: &str, value: &str) -> Result<()> {
        let db = self.writes()?;
        match self.group {
            Some(group) => {
                group.borrow_mut().set_meta(key, value);
                Ok(())
            }
            None => db.set_meta(key, value),
        }
    }

    /// Every metadata entry whose key starts with `prefix`.
    pub fn meta_with_prefix(&self, prefix: &str) -> Result<Vec<(String, String)>> {
        if let Some(group) = self.group {
            return group.borrow_mut().meta_with_prefix(self.rows(), prefix);
        }
        Ok(self
            .rows()
            .meta_from(prefix)?
            .into_iter()
            .take_while(|(k, _)| k.starts_with(prefix))
            .collect())
    }

    /// Reads the count of `key` with the object of kind `T` and ID `likely`
    /// (the one it most likely counts next) in one go, for a group to answer
    /// both from memory; outside a group it reads nothing.
    pub fn read_counter_with<T: Entity>(&self, key: &str, likely: &str) -> Result<()> {
        match self.group {
            Some(group) => group
                .borrow_mut()
                .read_counter_with(self.rows(), key, T::KIND, likely),
            None => Ok(()),
        }
    }

    /// Tells a group that no object of kind `T` has `id`, as the rule
    /// calling it knows (one that would belong to an object it has just
    /// made), so that the group answers a lookup of it from memory; outside
    /// a group, or for an object the group has read or written, nothing.
    pub fn known_absent<T: Entity>(&self, id: &str) {
        if let Some(group) = self.group {
            group.borrow_mut().known_absent(T::KIND, id);
        }
    }

    /// Returns how many times `key` was counted before, and counts it once more.
    pub fn next_count(&mut self, key: &str) -> Result<i64> {
        let db = self.writes()?;
        let n = match self.group {
            Some(group) => group.borrow_mut().count_up(db, key)?,
            None => db.count_up(key)?,
        };
        Ok(n - 1)
    }

    /// Every row of the store.
    pub fn export(&self) -> Result<Rows> {
        let p = self.sent()?;
        Ok(Rows {
            objects: p.objects()?,
            events: p.events()?,
            meta: p.meta_from("")?,
            counters: p.counters()?,
        })
    }

    /// Appends an event to the log.
    pub fn append_event(&mut self, event: &Event) -> Result<()> {
        let db = self.writes()?;
        let row = EventRow {
            row: 0,
            time: event.time.clone(),
            account: event.account_id.clone(),
            region: event.region.clone(),
            action: event.action.clone(),
            parameters: event.parameters.to_string(),
            outcome: event.outcome.clone(),
            resource_id: event.resource_id.clone(),
            access_key: event.access_key_id.clone(),
            fault: event.fault.clone(),
        };
        match self.group {
            Some(group) => group.borrow_mut().append_event(row),
            None => db.append_event(&row)?,
        }
        Ok(())
    }

    /// The event log after `after_seq`, in its canonical order
    /// ([`EVENT_ORDER`]). Events are numbered in that order from 1.
    pub fn events(&self, after_seq: i64) -> Result<Vec<Event>> {
        let mut events = self.numbered_events()?;
        events.retain(|e| e.seq > after_seq);
        for e in &mut events {
            e.commit = None;
        }
        Ok(events)
    }

    /// The events whose calls committed after commit number `commit`, in the
    /// order they committed, each with its commit number and its place in
    /// the canonical order. A commit number is given once and never changes,
    /// and a call commits after every call it could see, so following the
    /// log with the last number seen shows every event exactly once.
    pub fn committed_after(&self, commit: i64) -> Result<Vec<Event>> {
        let mut events = self.numbered_events()?;
        events.retain(|e| e.commit.is_some_and(|c| c > commit));
        events.sort_by_key(|e| e.commit);
        Ok(events)
    }

    /// Every event in the canonical order, numbered from 1, with its commit number.
    fn numbered_events(&self) -> Result<Vec<Event>> {
        let rows = self.sent()?.events()?;
        Ok(rows
            .into_iter()
            .enumerate()
            .map(|(n, r)| Event {
                seq: n as i64 + 1,
                commit: Some(r.row),
                time: r.time,
                account_id: r.account,
                region: r.region,
                action: r.action,
                parameters: serde_json::from_str(&r.parameters).unwrap_or(serde_json::Value::Null),
                outcome: r.outcome,
                resource_id: r.resource_id,
                access_key_id: r.access_key,
                fault: r.fault,
            })
            .collect())
    }

    /// The highest row of the event log: it grows with every recorded call,
    /// so a watcher can tell that the cloud changed without reading the log.
    pub fn last_event_row(&self) -> Result<i64> {
        self.sent()?
            .number("SELECT coalesce(max(seq), 0) FROM events")
    }

    /// Runs SQL as it is: in a group, after every write the group made, and
    /// the group forgets what it read (the SQL may have changed any of it).
    fn batch(&self, sql: &str) -> Result<()> {
        self.sent()?.batch(sql)?;
        if let Some(group) = self.group {
            group.borrow_mut().forget();
        }
        Ok(())
    }

    /// Empties the store but the objects of the kinds `keep`, and the
    /// store's own identity (its ID and schema): every other object, the
    /// event log, the counters and the metadata go. What a new store starts
    /// with is the opener's to write again.
    pub fn empty_but(&mut self, keep: &[&str]) -> Result<()> {
        let kinds: Vec<String> = keep
            .iter()
            .map(|k| format!("'{}'", k.replace('\'', "''")))
            .collect();
        let objects = if kinds.is_empty() {
            "DELETE FROM objects".to_string()
        } else {
            format!(
                "DELETE FROM objects WHERE kind NOT IN ({})",
                kinds.join(", ")
            )
        };
        self.batch(&format!(
            "{objects}; DELETE FROM events; DELETE FROM counters; DELETE FROM meta WHERE key NOT IN ('store_id', 'schema')"
        ))
    }

    /// Commits the transaction (in a group, keeps its savepoint's writes).
    fn commit(mut self) -> Result<()> {
        // Ended either way: a savepoint that could not be kept leaves the
        // group unable to commit, rather than undone twice.
        self.ended = true;
        if let (Some(group), Scope::Nested) = (self.group, self.scope) {
            group.borrow_mut().end(primitives(&self.inner), true)?;
        }
        match &mut self.inner {
            Inner::Sqlite(t) => t.commit(),
            Inner::Postgres(t) => t.commit(),
        }
    }

    /// Runs `f` inside a savepoint: if it fails, everything it wrote is undone.
    pub fn atomically<R>(&mut self, f: impl FnOnce(&mut Tx<'_>) -> Result<R>) -> Result<R> {
        if let Some(group) = self.group {
            group.borrow_mut().savepoint();
            let result = f(self);
            group.borrow_mut().end(self.rows(), result.is_ok())?;
            return result;
        }
        self.rows().savepoint(None)?;
        let result = f(self);
        self.rows().savepoint(Some(result.is_ok()))?;
        result
    }
}

/// Creates a new store at `path` atomically: built beside it, then linked into place.
///
/// Linking fails if another process created the store first; that store is then used,
/// and nothing at `path` is ever replaced. The store is readable by its owner only
/// (0600), as are the files SQLite makes beside it (it gives them the store's
/// mode), and so is a folder made for it (0700): it holds claims' secret hashes.
fn create_new(path: &Path, setup: &Setup) -> Result<()> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| {
                Error::new(
                    ErrorKind::StoreIo,
                    format!("cannot create the store's folder {}: {e}", dir.display()),
                    "Choose a writable location with the provider's store argument or AMISIM_STORE",
                )
            })?;
    }
    let tmp = path.with_file_name(format!(
        ".{}.new-{}",
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("cloud.db"),
        std::process::id()
    ));
    let cleanup = |tmp: &Path| {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut p = tmp.as_os_str().to_owned();
            p.push(suffix);
            let _ = fs::remove_file(PathBuf::from(p));
        }
    };
    cleanup(&tmp);
    let result = (|| {
        // An empty file is a new SQLite database; made here, it has its mode from the start.
        fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(|e| {
                Error::new(
                    ErrorKind::StoreIo,
                    format!("cannot create the store {}: {e}", path.display()),
                    "Choose a writable location with the provider's store argument or AMISIM_STORE",
                )
            })?;
        let conn = Connection::open(&tmp).map_err(|e| io_error(Some(path), e))?;
        let mut store = Store {
            backend: Backend::Sqlite(conn),
            _hold: None,
            path: Some(tmp.clone()),
            _scratch: None,
            group: None,
            carried: None,
        };
        store.initialise(setup)?;
        // Fold the WAL into the main file so the linked file is complete on its own.
        store.sqlite_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
        drop(store);
        match fs::hard_link(&tmp, path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
            Err(e) => Err(Error::new(
                ErrorKind::StoreIo,
                format!("cannot create the store {}: {e}", path.display()),
                "Choose a writable location with the provider's store argument or AMISIM_STORE",
            )),
        }
    })();
    cleanup(&tmp);
    result
}

/// An internal name for a new store, unique to it: a WAL is applied to a store
/// only when the result keeps the store's name (see `companions`). It never
/// appears in anything a user reads, so it need not be deterministic.
fn new_store_id() -> String {
    unique_token()
}

/// A token no other call, in this process or another, has had: the process
/// ID, a count within the process, and the wall clock. For internal names
/// only (stores, scratch folders, a handle's own command), never for anything
/// a user reads, which must be deterministic.
pub fn unique_token() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!(
        "{:x}-{:x}-{nanos:x}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// An SQLite URI that opens `path` as a file nobody changes: read as it is,
/// with no WAL applied and no file created beside it.
fn immutable_uri(path: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut uri = String::from("file:");
    for b in absolute.to_string_lossy().bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'.' | b'-' | b'_' | b'~' => {
                uri.push(b as char)
            }
            _ => uri.push_str(&format!("%{b:02X}")),
        }
    }
    uri.push_str("?immutable=1");
    uri
}

/// Refuses a database that is not an amisim store, or is one of a newer schema.
fn check_identity(path: &Path, application_id: i64, version: i64) -> Result<()> {
    if application_id != APPLICATION_ID {
        return Err(Error::new(
            ErrorKind::StoreDamaged,
            format!("{} is an SQLite database but not an amisim store", path.display()),
            "Point AMISIM_STORE (or the provider's store argument) at another file; this one was left untouched",
        ));
    }
    if version > SCHEMA_VERSION {
        return Err(Error::new(
            ErrorKind::StoreTooNew,
            format!(
                "{} was written by a newer amisim (store schema {version}; this build reads up to {SCHEMA_VERSION})",
                path.display()
            ),
            "Upgrade the amisim provider and command-line tool; the store was left untouched",
        ));
    }
    Ok(())
}

/// Whether the file at `path` is, by its header alone, an amisim store (or
/// empty): what may be deleted as a store even when it is too damaged to open.
/// A store this process has open is not read here (see `held`).
pub fn is_store_file(path: &Path) -> std::io::Result<bool> {
    let mut header = Vec::with_capacity(72);
    held::outside_sqlite(path, || {
        fs::File::open(path).and_then(|f| f.take(72).read_to_end(&mut header))
    })?;
    Ok(header.is_empty()
        || (header.len() == 72
            && header.starts_with(SQLITE_HEADER)
            && header[68..72] == APPLICATION_ID.to_be_bytes()[4..]))
}

fn check_header(path: &Path) -> Result<()> {
    let mut header = Vec::with_capacity(100);
    let len = fs::File::open(path)
        .and_then(|f| {
            let len = f.metadata()?.len();
            f.take(100).read_to_end(&mut header)?;
            Ok(len)
        })
        .map_err(|e| {
            Error::new(
                ErrorKind::StoreIo,
                format!("cannot read the store {}: {e}", path.display()),
                "Check the file's permissions, or point AMISIM_STORE at another file",
            )
        })?;
    // An SQLite file is a whole number of pages: a partial last page means a truncated copy,
    // which SQLite itself would open and write to.
    let page_size = match header.get(16..18) {
        Some(&[0, 1]) => 65_536,
        Some(&[hi, lo]) => u64::from(u16::from_be_bytes([hi, lo])),
        _ => 0,
    };
    let whole_pages = page_size >= 512 && page_size.is_power_of_two() && len % page_size == 0;
    if header.len() < 100 || &header[..16] != SQLITE_HEADER || !whole_pages {
        return Err(Error::new(
            ErrorKind::StoreDamaged,
            format!("{} is not an amisim store (it is empty, truncated or another kind of file)", path.display()),
            "Move the file away or point AMISIM_STORE (or the provider's store argument) at another path; this file was left untouched",
        ));
    }
    // The header's own copy of the application ID and schema version (offsets 68 and 60),
    // checked before SQLite opens the file and creates anything beside it.
    let word = |at: usize| {
        i64::from(u32::from_be_bytes([
            header[at],
            header[at + 1],
            header[at + 2],
            header[at + 3],
        ]))
    };
    check_identity(path, word(68), word(60))
}

/// The error of a call that waited for the store's write lock for as long as
/// it may: nothing of it was applied.
pub(crate) fn busy(place: &str, detail: &str) -> Error {
    Error::new(
        ErrorKind::StoreBusy,
        format!("{place} stayed locked by another process for longer than this call may wait ({detail}); nothing of the call was applied"),
        "Run the call again once the other process has finished",
    )
}

fn io_error(path: Option<&Path>, e: rusqlite::Error) -> Error {
    let place = path
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "the in-memory store".to_string());
    let code = match &e {
        rusqlite::Error::SqliteFailure(f, _) => Some(f.code),
        _ => None,
    };
    use rusqlite::ErrorCode as C;
    match code {
        Some(C::DatabaseCorrupt) | Some(C::NotADatabase) => Error::new(
            ErrorKind::StoreDamaged,
            format!("{place} is damaged: {e}"),
            "Move the file away or restore it from a copy; amisim did not write to it",
        ),
        Some(C::DiskFull) => Error::new(
            ErrorKind::StoreIo,
            format!("the disk holding {place} is full: {e}"),
            "Free some space and run the command again; the last call was not stored",
        ),
        Some(C::ReadOnly) | Some(C::PermissionDenied) | Some(C::CannotOpen) => Error::new(
            ErrorKind::StoreIo,
            format!("cannot write to {place}: {e}"),
            "Make the store and its folder writable, or choose another location with AMISIM_STORE",
        ),
        Some(C::DatabaseBusy) | Some(C::DatabaseLocked) => busy(&place, &e.to_string()),
        _ => Error::new(
            ErrorKind::StoreIo,
            format!("the store {place} failed: {e}"),
            "Run the command again; if it keeps failing, the store may be damaged",
        ),
    }
}
