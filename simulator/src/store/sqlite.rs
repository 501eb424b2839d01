//! One transaction on an SQLite store: the primitives of [`super::Primitives`]
//! over a `rusqlite` transaction.

use std::path::PathBuf;

use rusqlite::{params, OptionalExtension};

use super::{
    io_error, EventRow, Filter, Primitives, EVENT_ACCESS_KEY, EVENT_COLUMNS, EVENT_ORDER,
    EVENT_READ,
};
use crate::error::{Error, Result};

/// One transaction on an SQLite store; errors name the store's file.
pub struct SqliteTx<'c> {
    pub(super) tx: rusqlite::Transaction<'c>,
    pub(super) path: Option<PathBuf>,
}

impl SqliteTx<'_> {
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

    fn append_event(&self, event: &EventRow) -> Result<i64> {
        self.tx
            .prepare_cached(&format!(
                "INSERT INTO events ({EVENT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
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
                    event.access_key
                ])
            })
            .map_err(|e| self.err(e))?;
        Ok(self.tx.last_insert_rowid())
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

    fn events_have_access_key(&self) -> Result<bool> {
        self.number(&format!(
            "SELECT count(*) FROM pragma_table_info('events') WHERE name = '{EVENT_ACCESS_KEY}'"
        ))
        .map(|n| n > 0)
    }

    fn events(&self) -> Result<Vec<EventRow>> {
        let key = if self.events_have_access_key()? {
            EVENT_ACCESS_KEY
        } else {
            "NULL"
        };
        let mut stmt = self
            .tx
            .prepare_cached(&format!(
                "SELECT {EVENT_READ}, {key} FROM events ORDER BY {EVENT_ORDER}"
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
