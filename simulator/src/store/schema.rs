//! The store's tables, written once for both backends.
//!
//! SQLite and PostgreSQL hold the same four tables: the store's metadata,
//! the counters behind IDs, the objects (each a JSON body under its kind and
//! ID, with the columns listings filter on), and the event log. Only the
//! words differ: PostgreSQL compares the text of keys byte by byte when told
//! to (`COLLATE "C"`), as SQLite always does, so that the canonical orders are
//! the same bytes on both.
//!
//! How the rows lie is chosen for what a commit writes, a page at a time:
//! a new object goes at the end of its table (a group of calls shares that
//! page), found by its kind and ID through a small index of its key (SQLite's
//! primary key beside a table of row numbers); the name
//! index holds only the objects that have a name; SQLite keeps the metadata
//! and the counters in their key's own b-tree, not in a table beside an index.
//! A store made before keeps the layout it was made with, which answers the
//! same statements.

/// How one backend spells the parts of the schema that differ.
pub(super) struct Dialect {
    /// Text that is a key or is ordered by.
    key: &'static str,
    /// A whole number.
    integer: &'static str,
    /// The event log's own row number.
    row: &'static str,
    /// Whether a table is created only when missing.
    if_missing: &'static str,
    /// What follows a table found only by its text key.
    keyed_options: &'static str,
}

/// SQLite, whose file is made once and may be opened again to create what is missing.
pub(super) const SQLITE: Dialect = Dialect {
    key: "TEXT",
    integer: "INTEGER",
    row: "INTEGER PRIMARY KEY AUTOINCREMENT",
    if_missing: "IF NOT EXISTS ",
    keyed_options: " WITHOUT ROWID",
};

/// PostgreSQL, whose tables are made in an empty database under the write lock.
pub(super) const POSTGRES: Dialect = Dialect {
    key: "TEXT COLLATE \"C\"",
    integer: "BIGINT",
    row: "BIGSERIAL PRIMARY KEY",
    if_missing: "",
    keyed_options: "",
};

/// The tables and indexes of an amisim store, in `d`'s words.
pub(super) fn tables(d: &Dialect) -> String {
    let Dialect {
        key,
        integer,
        row,
        if_missing,
        keyed_options,
    } = d;
    format!(
        "
CREATE TABLE {if_missing}meta (key {key} PRIMARY KEY, value TEXT NOT NULL){keyed_options};
CREATE TABLE {if_missing}counters (key {key} PRIMARY KEY, n {integer} NOT NULL){keyed_options};
CREATE TABLE {if_missing}objects (
    kind {key} NOT NULL,
    id {key} NOT NULL,
    account {key} NOT NULL,
    region {key} NOT NULL,
    name {key},
    body TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE INDEX {if_missing}objects_by_scope ON objects (kind, account, region, name);
CREATE INDEX {if_missing}objects_by_name ON objects (kind, name) WHERE name IS NOT NULL;
CREATE INDEX {if_missing}objects_by_region ON objects (kind, region);
CREATE TABLE {if_missing}events (
    seq {row},
    time {key} NOT NULL,
    account {key} NOT NULL,
    region {key} NOT NULL,
    action {key} NOT NULL,
    parameters {key} NOT NULL,
    outcome {key} NOT NULL,
    resource_id {key},
    access_key {key},
    fault {key}
);
"
    )
}

/// Adds one of the event log's later columns ([`super::EVENT_ADDED`]) to a
/// store made before it.
pub(super) fn add_event_column(d: &Dialect, column: &str) -> String {
    format!("ALTER TABLE events ADD COLUMN {column} {}", d.key)
}
