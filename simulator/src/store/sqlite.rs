//! One transaction on an SQLite store: the primitives of [`super::Primitives`]
//! over a connection, in a transaction (or a savepoint of a group's) this
//! module begins and ends itself.

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};

use super::{
    event_added_columns, io_error, EventRow, Filter, Primitives, Scope, EVENT_COLUMNS, EVENT_ORDER,
    EVENT_READ,
};
use crate::error::{Error, ErrorKind, Result};

/// Begins a transaction of `scope` on `conn`. A savepoint is begun only
/// inside the group's transaction: had SQLite ended that one (it rolls a
/// transaction back itself on some failures), a savepoint would begin a
/// transaction of its own, and the calls after it would be kept while the
/// group is told they were not.
pub(super) fn begin(conn: &Connection, path: Option<&Path>, scope: Scope) -> Result<()> {
    let sql = match scope {
        Scope::Write => "BEGIN IMMEDIATE",
        Scope::Read => "BEGIN DEFERRED",
        Scope::Nested if conn.is_autocommit() => return Err(group_ended()),
        Scope::Nested => "SAVEPOINT nested",
        Scope::Within => return Ok(()),
    };
    conn.execute_batch(sql).map_err(|e| io_error(path, e))
}

/// The error for a group's transaction SQLite ended itself (it rolls a
/// transaction back on some failures) before the group did.
fn group_ended() -> Error {
    Error::new(
        ErrorKind::StoreIo,
        "the store's transaction for the calls answered together ended before they did; none of them was kept",
        "Send the call again",
    )
}

/// The file's data version: it moves when another connection commits.
pub(super) fn data_version(conn: &Connection, path: Option<&Path>) -> Result<i64> {
    conn.query_row("PRAGMA data_version", [], |r| r.get(0))
        .map_err(|e| io_error(path, e))
}

/// Ends a transaction of `scope` on `conn`, keeping what it wrote or not.
pub(super) fn end(conn: &Connection, path: Option<&Path>, scope: Scope, keep: bool) -> Result<()> {
    let Some(sql) = scope.end(keep) else {
        return Ok(());
    };
    if scope != Scope::Nested && conn.is_autocommit() {
        // SQLite ended it already (rolled back on a failure).
        return match keep {
            true => Err(Error::new(
                ErrorKind::StoreIo,
                "the store's transaction ended before it could be committed; nothing of it was kept",
                "Send the call again",
            )),
            false => Ok(()),
        };
    }
    conn.execute_batch(sql).map_err(|e| io_error(path, e))
}

/// One transaction on an SQLite store; errors name the store's file. Dropped
/// before [`SqliteTx::commit`], it is rolled back.
pub struct SqliteTx<'c> {
    tx: &'c Connection,
    path: Option<PathBuf>,
    scope: Scope,
    ended: bool,
}

impl Drop for SqliteTx<'_> {
    fn drop(&mut self) {
        if !self.ended {
            let _ = end(self.tx, self.path.as_deref(), self.scope, false);
        }
    }
}

impl<'c> SqliteTx<'c> {
    /// Begins a transaction of `scope` on `conn`.
    pub(super) fn begin(
        conn: &'c Connection,
        path: Option<PathBuf>,
        scope: Scope,
    ) -> Result<SqliteTx<'c>> {
        begin(conn, path.as_deref(), scope)?;
        Ok(SqliteTx {
            tx: conn,
            path,
            scope,
            ended: false,
        })
    }

    /// Commits it (releases its savepoint, in a group).
    pub(super) fn commit(&mut self) -> Result<()> {
        let result = end(self.tx, self.path.as_deref(), self.scope, true);
        // A commit that failed is rolled back when dropped.
        self.ended = result.is_ok();
        result
    }

    fn err(&self, e: rusqlite::Error) -> Error {
        io_error(self.path.as_deref(), e)
    }

    /// Every `(text, text)` row a query answers.
    fn pairs(&self, sql: &str, values: &[&str]) -> Result<Vec<(String, String)>> {
        let mut stmt = self.tx.prepare_cached(sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(values), |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<Vec<(String, String)>>>()
            .map_err(|e| self.err(e))
    }
}

impl Primitives for SqliteTx<'_> {
    fn body(&self, kind: &str, id: &str) -> Result<Option<String>> {
        self.tx
            .prepare_cached("SELECT body FROM objects WHERE kind = ?1 AND id = ?2")
            .and_then(|mut s| s.query_row(params![kind, id], |r| r.get(0)).optional())
            .map_err(|e| self.err(e))
    }

    fn exists(&self, kind: &str, id: &str) -> Result<bool> {
        self.tx
            .prepare_cached("SELECT 1 FROM objects WHERE kind = ?1 AND id = ?2")
            .and_then(|mut s| s.exists(params![kind, id]))
            .map_err(|e| self.err(e))
    }

    fn put(
        &self,
        kind: &str,
        id: &str,
        account: &str,
        region: &str,
        name: Option<&str>,
        body: &str,
    ) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT OR REPLACE INTO objects (kind, id, account, region, name, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .and_then(|mut s| s.execute(params![kind, id, account, region, name, body]))
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    fn delete(&self, kind: &str, id: &str) -> Result<bool> {
        self.tx
            .prepare_cached("DELETE FROM objects WHERE kind = ?1 AND id = ?2")
            .and_then(|mut s| s.execute(params![kind, id]))
            .map(|n| n > 0)
            .map_err(|e| self.err(e))
    }

    fn list(&self, kind: &str, filter: Filter<'_>) -> Result<Vec<(String, String)>> {
        let (condition, values) = filter.sql(kind);
        self.pairs(&format!("SELECT id, body {condition}"), &values)
    }

    fn count(&self, kind: &str, filter: Filter<'_>) -> Result<i64> {
        let (condition, values) = filter.sql(kind);
        self.tx
            .prepare_cached(&format!("SELECT COUNT(*) {condition}"))
            .and_then(|mut s| s.query_row(rusqlite::params_from_iter(values), |r| r.get(0)))
            .map_err(|e| self.err(e))
    }

    fn meta(&self, key: &str) -> Result<Option<String>> {
        self.tx
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")
            .and_then(|mut s| s.query_row(params![key], |r| r.get(0)).optional())
            .map_err(|e| self.err(e))
    }

    fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.tx
            .prepare_cached("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)")
            .and_then(|mut s| s.execute(params![key, value]))
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    fn meta_from(&self, prefix: &str) -> Result<Vec<(String, String)>> {
        self.pairs(
            "SELECT key, value FROM meta WHERE key >= ?1 ORDER BY key",
            &[prefix],
        )
    }

    fn count_up(&self, key: &str) -> Result<i64> {
        self.tx
            .prepare_cached(
                "INSERT INTO counters (key, n) VALUES (?1, 1) ON CONFLICT(key) DO UPDATE SET n = n + 1 RETURNING n",
            )
            .and_then(|mut s| s.query_row(params![key], |r| r.get(0)))
            .map_err(|e| self.err(e))
    }

    fn counter(&self, key: &str) -> Result<Option<i64>> {
        self.tx
            .prepare_cached("SELECT n FROM counters WHERE key = ?1")
            .and_then(|mut s| s.query_row(params![key], |r| r.get(0)).optional())
            .map_err(|e| self.err(e))
    }

    fn set_counter(&self, key: &str, n: i64) -> Result<()> {
        self.tx
            .prepare_cached("INSERT OR REPLACE INTO counters (key, n) VALUES (?1, ?2)")
            .and_then(|mut s| s.execute(params![key, n]))
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    fn savepoint(&self, end: Option<bool>) -> Result<()> {
        let path = self.path.as_deref();
        match end {
            None => begin(self.tx, path, Scope::Nested),
            Some(keep) => self::end(self.tx, path, Scope::Nested, keep),
        }
    }

    fn write_all(&self, writes: &super::group::Writes) -> Result<()> {
        if self.tx.is_autocommit() {
            // SQLite ended the group's transaction itself: each write would
            // be kept alone while the group is told none was.
            return Err(group_ended());
        }
        super::write_each(self, writes)
    }

    fn append_event(&self, event: &EventRow) -> Result<()> {
        self.tx
            .prepare_cached(&format!(
                "INSERT INTO events ({EVENT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
            ))
            .and_then(|mut s| {
                s.execute(params![
                    event.time,
                    event.account,
                    event.region,
                    event.action,
                    event.parameters,
                    event.outcome,
                    event.resource_id,
                    event.access_key,
                    event.fault
                ])
            })
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    fn objects(&self) -> Result<Vec<super::ObjectRow>> {
        let mut stmt = self
            .tx
            .prepare_cached(
                "SELECT kind, id, account, region, name, body FROM objects ORDER BY kind, id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(super::ObjectRow {
                    kind: r.get(0)?,
                    id: r.get(1)?,
                    account: r.get(2)?,
                    region: r.get(3)?,
                    name: r.get(4)?,
                    body: r.get(5)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))
    }

    fn counters(&self) -> Result<Vec<(String, i64)>> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT key, n FROM counters ORDER BY key")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))
    }

    fn events_have(&self, column: &str) -> Result<bool> {
        self.number(&format!(
            "SELECT count(*) FROM pragma_table_info('events') WHERE name = '{column}'"
        ))
        .map(|n| n > 0)
    }

    fn events(&self) -> Result<Vec<EventRow>> {
        let added = event_added_columns(self, "NULL")?;
        let mut stmt = self
            .tx
            .prepare_cached(&format!(
                "SELECT {EVENT_READ}, {added} FROM events ORDER BY {EVENT_ORDER}"
            ))
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(EventRow {
                    row: r.get(0)?,
                    time: r.get(1)?,
                    account: r.get(2)?,
                    region: r.get(3)?,
                    action: r.get(4)?,
                    parameters: r.get(5)?,
                    outcome: r.get(6)?,
                    resource_id: r.get(7)?,
                    access_key: r.get(8)?,
                    fault: r.get(9)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<Vec<EventRow>>>()
            .map_err(|e| self.err(e))
    }

    fn number(&self, sql: &str) -> Result<i64> {
        self.tx
            .query_row(sql, [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    fn batch(&self, sql: &str) -> Result<()> {
        self.tx.execute_batch(sql).map_err(|e| self.err(e))
    }
}
