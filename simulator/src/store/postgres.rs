//! The store on a PostgreSQL server: the same four tables as the SQLite file,
//! for a cloud shared by many machines (a classroom, a team's CI runners).
//!
//! Every write transaction first takes one transaction-scoped advisory lock,
//! so writers on any number of machines serialise exactly as SQLite's
//! `BEGIN IMMEDIATE` makes them on one: no update is lost or applied twice.
//! Reads run in a read-only repeatable-read snapshot and take no lock. A
//! database holding tables that are not amisim's, or an amisim schema newer
//! than this build's, is refused and left untouched.
//!
//! A connection prepares each statement once and keeps it (a statement then
//! costs one round trip to the server, not two), and a write's `BEGIN` and
//! its lock go in one message.

use std::cell::RefCell;
use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

use postgres::{Client, NoTls, Statement};

use super::{Filter, Scope};
use crate::error::{Error, ErrorKind, Result};

/// The key of the advisory lock every write transaction holds ("AMIS").
const WRITE_LOCK: i64 = 0x414D_4953;

const TABLES: &[&str] = &["counters", "events", "meta", "objects"];

/// `user@host:port/database` of a store URL: what errors name (never the password).
pub fn server_name(url: &str) -> String {
    let Ok(config) = postgres::Config::from_str(url) else {
        return "a PostgreSQL server (the store URL cannot be read)".to_string();
    };
    let host = config
        .get_hosts()
        .first()
        .map(|h| match h {
            postgres::config::Host::Tcp(name) => name.clone(),
            postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .unwrap_or_else(|| "localhost".to_string());
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!(
        "postgres://{}@{host}:{port}/{}",
        config.get_user().unwrap_or(""),
        config.get_dbname().unwrap_or("")
    )
}

/// An open connection to a PostgreSQL store.
pub struct Pg {
    conn: Conn,
    server: String,
}

/// A connection and the statements prepared on it, by their SQL.
struct Conn {
    /// Always there but while it is dropped (see [`Conn`]'s `Drop`).
    link: Option<Client>,
    prepared: HashMap<String, Statement>,
    /// Whether a statement failed in the transaction open: PostgreSQL then
    /// ignores everything until the transaction is rolled back (or rolled
    /// back to a savepoint begun before), and answers a `COMMIT` by rolling
    /// back without an error, so the commit is refused here instead.
    failed: bool,
}

impl Drop for Conn {
    /// Closes the connection on a thread of its own: a `postgres::Client`
    /// closes by blocking on a runtime of its own, which panics on a thread
    /// that drives another (a server's, when it stops).
    fn drop(&mut self) {
        if let Some(client) = self.link.take() {
            let _ = std::thread::spawn(move || drop(client)).join();
        }
    }
}

impl Conn {
    fn new(client: Client) -> Conn {
        Conn {
            link: Some(client),
            prepared: HashMap::new(),
            failed: false,
        }
    }

    /// The connection's client.
    fn client(&mut self) -> &mut Client {
        self.link
            .as_mut()
            .expect("a connection's client is there until it is dropped")
    }

    /// The statement of `sql`, prepared on the first use. A prepared
    /// statement is the connection's, not a transaction's: a rollback
    /// keeps it.
    fn statement(&mut self, sql: &str) -> std::result::Result<Statement, postgres::Error> {
        if let Some(statement) = self.prepared.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client().prepare(sql)?;
        self.prepared.insert(sql.to_string(), statement.clone());
        Ok(statement)
    }
}

impl Pg {
    /// Connects to the store at `url`, creating its tables in an empty
    /// database when `create`, and checks that it is an amisim store this
    /// build can use. Returns the store and whether it still needs seeding.
    pub fn connect(url: &str, create: bool) -> Result<(Pg, bool)> {
        let server = server_name(url);
        let mut config = postgres::Config::from_str(url).map_err(|e| {
            Error::new(
                ErrorKind::StoreIo,
                format!("the store URL for {server} is not a PostgreSQL connection URL: {e}"),
                "Write it as postgres://USER:PASSWORD@HOST:5432/DATABASE",
            )
        })?;
        config.connect_timeout(Duration::from_secs(10));
        config.application_name("amisim");
        let mut client = config.connect(NoTls).map_err(|e| error(&server, &e))?;
        // Every statement is prepared once and run with other values each
        // time: planned once too, rather than again for every run (a
        // group's writes, as arrays, cost more to plan than to run). A
        // server older than PostgreSQL 12 has no such setting, and plans
        // each run as before.
        let _ = client.batch_execute("SET plan_cache_mode = force_generic_plan");
        let mut pg = Pg {
            conn: Conn::new(client),
            server,
        };
        let created = pg.prepare(create)?;
        Ok((pg, created))
    }

    /// How long a write waits for the write lock (`lock_timeout`).
    pub fn set_lock_wait(&mut self, wait: std::time::Duration) -> Result<()> {
        let millis = wait.as_millis().max(1);
        self.conn
            .client()
            .batch_execute(&format!("SET lock_timeout = {millis}"))
            .map_err(|e| error(&self.server, &e))
    }

    /// The server, for messages.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// Creates the tables in an empty database, or checks those it holds.
    fn prepare(&mut self, create: bool) -> Result<bool> {
        let server = self.server.clone();
        let mut tx = self
            .conn
            .client()
            .transaction()
            .map_err(|e| error(&server, &e))?;
        // Only a writer that may create the tables waits for the write lock;
        // a reader sees them whole or not at all (DDL is transactional).
        if create {
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])
                .map_err(|e| error(&server, &e))?;
        }
        let rows = tx
            .query(
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = current_schema() ORDER BY 1",
                &[],
            )
            .map_err(|e| error(&server, &e))?;
        let tables: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
        if tables.is_empty() && !create {
            return Err(Error::new(
                ErrorKind::StoreIo,
                format!("no store in the database {server}: it is empty"),
                "Run terraform apply first, or point AMISIM_STORE (or --store) at an existing store",
            ));
        }
        if tables.is_empty() {
            tx.batch_execute(&super::schema::tables(&super::schema::POSTGRES))
                .map_err(|e| error(&server, &e))?;
            tx.commit().map_err(|e| error(&server, &e))?;
            return Ok(true);
        }
        if tables != TABLES {
            return Err(Error::new(
                ErrorKind::StoreDamaged,
                format!(
                    "the database {server} is not an amisim store: it holds the tables {}",
                    tables.join(", ")
                ),
                "Give amisim a database of its own (CREATE DATABASE amisim); this one was left untouched",
            ));
        }
        let schema: Option<String> = tx
            .query_opt("SELECT value FROM meta WHERE key = 'schema'", &[])
            .map_err(|e| error(&server, &e))?
            .map(|r| r.get(0));
        match schema.and_then(|s| s.parse::<i64>().ok()) {
            None => {
                // Tables made by a connection that died before seeding: seeding goes on.
                tx.commit().map_err(|e| error(&server, &e))?;
                Ok(true)
            }
            Some(v) if v > super::SCHEMA_VERSION => Err(Error::new(
                ErrorKind::StoreTooNew,
                format!(
                    "the store {server} was written by a newer amisim (store schema {v}; this build reads up to {})",
                    super::SCHEMA_VERSION
                ),
                "Upgrade the amisim provider and command-line tool; the store was left untouched",
            )),
            Some(_) => {
                tx.commit().map_err(|e| error(&server, &e))?;
                Ok(false)
            }
        }
    }

    /// Begins a transaction of `scope`: a write holds the store's write lock
    /// until it ends; a read is a read-only snapshot.
    pub fn begin(&mut self, scope: Scope) -> Result<()> {
        begin(&mut self.conn, &self.server, scope)
    }

    /// Begins a group's write transaction, its lock taken, and gives the
    /// transaction's ID, all in one message.
    pub fn begin_group(&mut self) -> Result<i64> {
        let sql = format!("BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK}), txid_current()");
        let client = self.conn.client();
        let messages = match client.simple_query(&sql) {
            Ok(messages) => messages,
            Err(e) => {
                let _ = client.batch_execute("ROLLBACK");
                return Err(error(&self.server, &e));
            }
        };
        self.conn.failed = false;
        let id = messages.iter().rev().find_map(|m| match m {
            postgres::SimpleQueryMessage::Row(row) => row.get(1)?.parse::<i64>().ok(),
            _ => None,
        });
        // Without an ID the group still runs; it only knows nothing of the last.
        Ok(id.unwrap_or(i64::MIN))
    }

    /// Ends a transaction of `scope`, keeping what it wrote or not.
    pub fn end(&mut self, scope: Scope, keep: bool) -> Result<()> {
        end(&mut self.conn, &self.server, scope, keep)
    }

    /// A transaction of `scope`.
    pub fn transaction(&mut self, scope: Scope) -> Result<PgTx<'_>> {
        begin(&mut self.conn, &self.server, scope)?;
        Ok(PgTx {
            tx: RefCell::new(&mut self.conn),
            server: self.server.clone(),
            scope,
            ended: false,
        })
    }
}

/// Begins a transaction of `scope` on `client`, a write one with the
/// write lock taken in the same message. A write one that cannot take the
/// lock is rolled back at once.
fn begin(conn: &mut Conn, server: &str, scope: Scope) -> Result<()> {
    let write = format!("BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK})");
    let sql = match scope {
        Scope::Write => write.as_str(),
        Scope::Read => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        Scope::Nested => "SAVEPOINT nested",
        Scope::Within => return Ok(()),
    };
    let client = conn.client();
    if let Err(e) = client.batch_execute(sql) {
        if scope == Scope::Write {
            // BEGIN ran; the lock did not: nothing was written.
            let _ = client.batch_execute("ROLLBACK");
        }
        return Err(error(server, &e));
    }
    if matches!(scope, Scope::Write | Scope::Read) {
        conn.failed = false;
    }
    Ok(())
}

/// Ends a transaction of `scope` on `conn`, keeping what it wrote or not.
/// A transaction in which a statement failed is not committed: the caller
/// rolls it back.
fn end(conn: &mut Conn, server: &str, scope: Scope, keep: bool) -> Result<()> {
    let Some(sql) = scope.end(keep) else {
        return Ok(());
    };
    if keep && conn.failed && scope == Scope::Write {
        return Err(Error::new(
            ErrorKind::StoreIo,
            format!("a statement failed on the PostgreSQL store {server} during the transaction, so none of it was kept"),
            "Send the calls again; nothing of them was stored",
        ));
    }
    conn.client()
        .batch_execute(sql)
        .map_err(|e| error(server, &e))?;
    if !keep {
        // Rolled back, or back to a savepoint begun before any failure.
        conn.failed = false;
    }
    Ok(())
}

/// One transaction on a PostgreSQL store: the primitive operations the
/// store's typed access is built on. Dropped before [`PgTx::commit`], it is
/// rolled back.
pub struct PgTx<'c> {
    tx: RefCell<&'c mut Conn>,
    server: String,
    scope: Scope,
    ended: bool,
}

impl Drop for PgTx<'_> {
    fn drop(&mut self) {
        if !self.ended {
            let _ = end(self.tx.get_mut(), &self.server, self.scope, false);
        }
    }
}

type Params<'a> = [&'a (dyn postgres::types::ToSql + Sync)];

impl PgTx<'_> {
    fn err(&self, e: &postgres::Error) -> Error {
        error(&self.server, e)
    }

    /// The error of a statement that failed, noted on the connection (see
    /// [`Conn`]'s `failed`).
    fn failed(&self, conn: &mut Conn, e: &postgres::Error) -> Error {
        conn.failed = true;
        self.err(e)
    }

    /// Runs the statement of `sql`, prepared once, with `run`; a failure
    /// is noted on the connection.
    fn prepared<T>(
        &self,
        sql: &str,
        run: impl FnOnce(&mut Client, &Statement) -> std::result::Result<T, postgres::Error>,
    ) -> Result<T> {
        let mut conn = self.tx.borrow_mut();
        let result = conn
            .statement(sql)
            .and_then(|statement| run(conn.client(), &statement));
        result.map_err(|e| self.failed(&mut conn, &e))
    }

    fn query(&self, sql: &str, params: &Params<'_>) -> Result<Vec<postgres::Row>> {
        self.prepared(sql, |client, statement| client.query(statement, params))
    }

    fn execute(&self, sql: &str, params: &Params<'_>) -> Result<u64> {
        self.prepared(sql, |client, statement| client.execute(statement, params))
    }

    /// Commits the transaction (releases its savepoint, in a group).
    pub fn commit(&mut self) -> Result<()> {
        let result = end(self.tx.get_mut(), &self.server, self.scope, true);
        // A commit that failed is rolled back when dropped.
        self.ended = result.is_ok();
        result
    }

    fn condition(kind: &str, filter: Filter<'_>) -> (String, Vec<String>) {
        let mut sql = String::from("FROM objects WHERE kind = $1");
        let mut values = vec![kind.to_string()];
        for (column, value) in [
            ("account", filter.account),
            ("region", filter.region),
            ("name", filter.name),
        ] {
            if let Some(v) = value {
                values.push(v.to_string());
                sql.push_str(&format!(" AND {column} = ${}", values.len()));
            }
        }
        (sql, values)
    }

    /// `SELECT what` over the objects of `kind` that match `filter`; `None`
    /// when a filter value holds NUL, which no stored key does.
    fn select(
        &self,
        what: &str,
        kind: &str,
        filter: Filter<'_>,
    ) -> Result<Option<Vec<postgres::Row>>> {
        let (condition, values) = Self::condition(kind, filter);
        if values.iter().any(|v| v.contains('\0')) {
            return Ok(None);
        }
        let params: Vec<&(dyn postgres::types::ToSql + Sync)> = values
            .iter()
            .map(|v| v as &(dyn postgres::types::ToSql + Sync))
            .collect();
        self.query(&format!("SELECT {what} {condition}"), &params)
            .map(Some)
    }
}

impl super::Primitives for PgTx<'_> {
    /// Runs SQL with no result (emptying the store).
    fn batch(&self, sql: &str) -> Result<()> {
        let mut conn = self.tx.borrow_mut();
        match conn.client().batch_execute(sql) {
            Ok(()) => Ok(()),
            Err(e) => Err(self.failed(&mut conn, &e)),
        }
    }

    /// The body of the object `kind`/`id`.
    fn body(&self, kind: &str, id: &str) -> Result<Option<String>> {
        // PostgreSQL text holds no NUL; no stored key does either.
        if id.contains('\0') {
            return Ok(None);
        }
        let rows = self.query(
            "SELECT body FROM objects WHERE kind = $1 AND id = $2",
            &[&kind, &id],
        )?;
        Ok(rows.first().map(|r| r.get(0)))
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
    ) -> Result<()> {
        self.execute(
            "INSERT INTO objects (kind, id, account, region, name, body) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (kind, id) DO UPDATE SET account = EXCLUDED.account, region = EXCLUDED.region, \
             name = EXCLUDED.name, body = EXCLUDED.body",
            &[&kind, &id, &account, &region, &name, &body],
        )?;
        Ok(())
    }

    /// Removes an object; true if there was one.
    fn delete(&self, kind: &str, id: &str) -> Result<bool> {
        if id.contains('\0') {
            return Ok(false);
        }
        Ok(self.execute(
            "DELETE FROM objects WHERE kind = $1 AND id = $2",
            &[&kind, &id],
        )? > 0)
    }

    /// The IDs and bodies of the objects of `kind` that match `filter`.
    fn list(&self, kind: &str, filter: Filter<'_>) -> Result<Vec<(String, String)>> {
        Ok(self
            .select("id, body", kind, filter)?
            .map(|rows| rows.iter().map(|r| (r.get(0), r.get(1))).collect())
            .unwrap_or_default())
    }

    /// How many objects of `kind` match `filter`.
    fn count(&self, kind: &str, filter: Filter<'_>) -> Result<i64> {
        Ok(self
            .select("COUNT(*)", kind, filter)?
            .and_then(|rows| rows.first().map(|r| r.get(0)))
            .unwrap_or(0))
    }

    /// A metadata value.
    fn meta(&self, key: &str) -> Result<Option<String>> {
        if key.contains('\0') {
            return Ok(None);
        }
        let rows = self.query("SELECT value FROM meta WHERE key = $1", &[&key])?;
        Ok(rows.first().map(|r| r.get(0)))
    }

    /// Sets a metadata value.
    fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.execute(
            "INSERT INTO meta (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            &[&key, &value],
        )?;
        Ok(())
    }

    /// The metadata entries from `prefix` on, in key order.
    fn meta_from(&self, prefix: &str) -> Result<Vec<(String, String)>> {
        let rows = self.query(
            "SELECT key, value FROM meta WHERE key >= $1 ORDER BY key",
            &[&prefix],
        )?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    /// Counts `key` once more and returns the new count.
    fn count_up(&self, key: &str) -> Result<i64> {
        let rows = self.query(
            "INSERT INTO counters (key, n) VALUES ($1, 1) \
             ON CONFLICT (key) DO UPDATE SET n = counters.n + 1 RETURNING n",
            &[&key],
        )?;
        Ok(rows.first().map(|r| r.get(0)).unwrap_or(1))
    }

    /// The count of `key`, if it was ever counted.
    fn counter(&self, key: &str) -> Result<Option<i64>> {
        if key.contains('\0') {
            return Ok(None);
        }
        let rows = self.query("SELECT n FROM counters WHERE key = $1", &[&key])?;
        Ok(rows.first().map(|r| r.get(0)))
    }

    fn counter_and_body(
        &self,
        key: &str,
        kind: &str,
        id: &str,
    ) -> Result<(Option<i64>, Option<String>)> {
        if key.contains('\0') || id.contains('\0') {
            return Ok((self.counter(key)?, self.body(kind, id)?));
        }
        let rows = self.query(
            "SELECT (SELECT n FROM counters WHERE key = $1), \
             (SELECT body FROM objects WHERE kind = $2 AND id = $3)",
            &[&key, &kind, &id],
        )?;
        Ok(rows
            .first()
            .map(|r| (r.get(0), r.get(1)))
            .unwrap_or((None, None)))
    }

    /// Sets the count of `key`.
    fn set_counter(&self, key: &str, n: i64) -> Result<()> {
        self.execute(
            "INSERT INTO counters (key, n) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET n = EXCLUDED.n",
            &[&key, &n],
        )?;
        Ok(())
    }

    /// Begins or ends a savepoint inside the group's transaction.
    fn savepoint(&self, end: Option<bool>) -> Result<()> {
        let mut conn = self.tx.borrow_mut();
        match end {
            None => begin(&mut conn, &self.server, Scope::Nested),
            Some(keep) => self::end(&mut conn, &self.server, Scope::Nested, keep),
        }
    }

    /// Writes what a group wrote in one statement: one round trip to the
    /// server for all of it, the events numbered in the order they came.
    fn write_all(&self, writes: &super::group::Writes) -> Result<()> {
        if writes.is_empty() {
            return Ok(());
        }
        let mut put: [Vec<&str>; 5] = Default::default();
        let mut names: Vec<Option<&str>> = Vec::new();
        let mut gone: [Vec<&str>; 2] = Default::default();
        for ((kind, id), row) in &writes.objects {
            match row {
                Some(r) => {
                    for (column, value) in
                        put.iter_mut()
                            .zip([kind.as_str(), id, &r.account, &r.region, &r.body])
                    {
                        column.push(value);
                    }
                    names.push(r.name.as_deref());
                }
                None => {
                    gone[0].push(kind);
                    gone[1].push(id);
                }
            }
        }
        let meta: [Vec<&str>; 2] = [
            writes.meta.iter().map(|(k, _)| k.as_str()).collect(),
            writes.meta.iter().map(|(_, v)| v.as_str()).collect(),
        ];
        let counted: Vec<&str> = writes.counters.iter().map(|(k, _)| k.as_str()).collect();
        let counts: Vec<i64> = writes.counters.iter().map(|(_, n)| *n).collect();
        let events: Vec<super::EventRow> = writes.events.iter().map(storable).collect();
        let text =
            |f: fn(&super::EventRow) -> &str| -> Vec<&str> { events.iter().map(f).collect() };
        let optional = |f: fn(&super::EventRow) -> Option<&str>| -> Vec<Option<&str>> {
            events.iter().map(f).collect()
        };
        let (time, account, region, action, parameters, outcome) = (
            text(|e| &e.time),
            text(|e| &e.account),
            text(|e| &e.region),
            text(|e| &e.action),
            text(|e| &e.parameters),
            text(|e| &e.outcome),
        );
        let (resource_id, access_key, fault) = (
            optional(|e| e.resource_id.as_deref()),
            optional(|e| e.access_key.as_deref()),
            optional(|e| e.fault.as_deref()),
        );
        self.execute(
            &format!(
                "WITH stored AS ( \
                   INSERT INTO objects (kind, id, account, region, body, name) \
                   SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) \
                   ON CONFLICT (kind, id) DO UPDATE SET account = EXCLUDED.account, region = EXCLUDED.region, \
                   name = EXCLUDED.name, body = EXCLUDED.body), \
                 removed AS ( \
                   DELETE FROM objects o USING unnest($7::text[], $8::text[]) AS g(kind, id) \
                   WHERE o.kind = g.kind COLLATE \"C\" AND o.id = g.id COLLATE \"C\"), \
                 noted AS ( \
                   INSERT INTO meta (key, value) SELECT * FROM unnest($9::text[], $10::text[]) \
                   ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value), \
                 counted AS ( \
                   INSERT INTO counters (key, n) SELECT * FROM unnest($11::text[], $12::bigint[]) \
                   ON CONFLICT (key) DO UPDATE SET n = EXCLUDED.n) \
                 INSERT INTO events ({}) \
                 SELECT c1, c2, c3, c4, c5, c6, c7, c8, c9 FROM unnest($13::text[], $14::text[], \
                   $15::text[], $16::text[], $17::text[], $18::text[], $19::text[], $20::text[], \
                   $21::text[]) WITH ORDINALITY AS e(c1, c2, c3, c4, c5, c6, c7, c8, c9, n) ORDER BY n",
                super::EVENT_COLUMNS
            ),
            &[
                &put[0],
                &put[1],
                &put[2],
                &put[3],
                &put[4],
                &names,
                &gone[0],
                &gone[1],
                &meta[0],
                &meta[1],
                &counted,
                &counts,
                &time,
                &account,
                &region,
                &action,
                &parameters,
                &outcome,
                &resource_id,
                &access_key,
                &fault,
            ],
        )?;
        Ok(())
    }

    /// Appends an event: a group's writes of one event.
    fn append_event(&self, event: &super::EventRow) -> Result<()> {
        self.write_all(&super::group::Writes {
            events: vec![event.clone()],
            ..Default::default()
        })
    }

    /// The one number a query answers.
    fn number(&self, sql: &str) -> Result<i64> {
        let rows = self.query(sql, &[])?;
        Ok(rows.first().map(|r| r.get(0)).unwrap_or(0))
    }

    /// Every event in the log's canonical order, as text fields.
    fn objects(&self) -> Result<Vec<super::ObjectRow>> {
        let rows = self.query(
            "SELECT kind, id, account, region, name, body FROM objects ORDER BY kind, id",
            &[],
        )?;
        Ok(rows
            .iter()
            .map(|r| super::ObjectRow {
                kind: r.get(0),
                id: r.get(1),
                account: r.get(2),
                region: r.get(3),
                name: r.get(4),
                body: r.get(5),
            })
            .collect())
    }

    fn counters(&self) -> Result<Vec<(String, i64)>> {
        let rows = self.query("SELECT key, n FROM counters ORDER BY key", &[])?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    fn events_have(&self, column: &str) -> Result<bool> {
        self.number(&format!(
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'events' AND column_name = '{column}'"
        ))
        .map(|n| n > 0)
    }

    fn events(&self) -> Result<Vec<super::EventRow>> {
        let added = super::event_added_columns(self, "NULL::text")?;
        let rows = self.query(
            &format!(
                "SELECT {}, {added} FROM events ORDER BY {}",
                super::EVENT_READ,
                super::EVENT_ORDER
            ),
            &[],
        )?;
        Ok(rows
            .iter()
            .map(|r| super::EventRow {
                row: r.get(0),
                time: r.get(1),
                account: r.get(2),
                region: r.get(3),
                action: r.get(4),
                parameters: r.get(5),
                outcome: r.get(6),
                resource_id: r.get(7),
                access_key: r.get(8),
                fault: r.get(9),
            })
            .collect())
    }
}

/// An event as PostgreSQL can hold it: what a caller wrote is logged as
/// written, but PostgreSQL text cannot hold NUL: it is logged as U+FFFD instead.
fn storable(event: &super::EventRow) -> super::EventRow {
    let clean = |t: &String| t.replace('\0', "\u{FFFD}");
    let optional = |t: &Option<String>| t.as_ref().map(clean);
    super::EventRow {
        row: event.row,
        time: clean(&event.time),
        account: clean(&event.account),
        region: clean(&event.region),
        action: clean(&event.action),
        parameters: clean(&event.parameters),
        outcome: clean(&event.outcome),
        resource_id: optional(&event.resource_id),
        access_key: optional(&event.access_key),
        fault: optional(&event.fault),
    }
}

/// A PostgreSQL failure as a store error naming the server, never the password.
fn error(server: &str, e: &postgres::Error) -> Error {
    if let Some(db) = e.as_db_error() {
        let code = db.code().code();
        if code == "55P03" {
            // lock_not_available: the lock wait (lock_timeout) ran out.
            return super::busy(&format!("the PostgreSQL store {server}"), db.message());
        }
        let (what, hint) = match &code[..2] {
            "28" => (
                "refused the store's user or password",
                "Check the user and password in the store URL (AMISIM_STORE or the provider's store argument)",
            ),
            "3D" => (
                "has no such database",
                "Create the database first (CREATE DATABASE …), or fix its name in the store URL",
            ),
            "57" => (
                "cancelled the call (a statement timeout, or the server is shutting down)",
                "Run the command again; nothing of the cancelled call was stored",
            ),
            _ => (
                "refused a statement",
                "Check that the database is an amisim store and the user may write to it",
            ),
        };
        return Error::new(
            ErrorKind::StoreIo,
            format!("the PostgreSQL store {server} {what}: {}", db.message()),
            hint,
        );
    }
    Error::new(
        ErrorKind::StoreIo,
        format!("cannot reach the PostgreSQL store {server}: {e}"),
        "Check that the server is running and reachable from here; nothing of the last call was stored, and running the command again goes on from what was",
    )
}
