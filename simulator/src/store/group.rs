//! What a group of calls (see [`super::together`]) has read and written,
//! kept in memory while the group holds the store's write transaction.
//!
//! Nothing else writes to the store meanwhile (every writer waits for the
//! write lock the group holds), so a row the group has read stays what it
//! read until the group itself writes it. The group's writes wait here, in
//! order, and go to the database together when the group commits: on
//! PostgreSQL one statement for all of them instead of a round trip each,
//! and the reads they would have answered again are answered from memory.
//!
//! When the group has committed, what it read and wrote is what the store
//! holds, and stays so until another transaction writes: the store's handle
//! keeps it for its next group, which uses it only if no other transaction
//! wrote in between (see `Store::begin_group`).
//!
//! A call's savepoint is kept here too: begun and released without the
//! database, and rolled back by undoing its writes in memory. Only a read
//! that memory cannot answer (the whole event log, every row) sends the
//! writes waiting first, with a real savepoint for each one still open, so
//! that rolling one of those back afterwards is the database's to do.

use std::collections::{BTreeMap, HashMap};

use super::{EventRow, Filter, Primitives};
use crate::error::{Error, ErrorKind, Result};

/// An object row as [`Primitives::put`] stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row {
    pub account: String,
    pub region: String,
    pub name: Option<String>,
    pub body: String,
}

impl Row {
    fn matches(&self, filter: Filter<'_>) -> bool {
        filter.account.is_none_or(|a| a == self.account)
            && filter.region.is_none_or(|r| r == self.region)
            && filter.name.is_none_or(|n| Some(n) == self.name.as_deref())
    }
}

/// An object's key: its kind and ID.
type Key = (String, String);

/// The key a listing is remembered under: the kind and the filter's values.
type ListKey = (String, Option<String>, Option<String>, Option<String>);

fn list_key(kind: &str, filter: Filter<'_>) -> ListKey {
    let own = |v: Option<&str>| v.map(str::to_string);
    (
        kind.to_string(),
        own(filter.account),
        own(filter.region),
        own(filter.name),
    )
}

fn key(kind: &str, id: &str) -> Key {
    (kind.to_string(), id.to_string())
}

/// One write of the group, with what the group knew of its row before it
/// (`None`: nothing, the database's row stood), to undo it in memory.
#[derive(Debug, Clone)]
enum Write {
    Object {
        key: Key,
        now: Option<Row>,
        before: Option<Option<Row>>,
    },
    Meta {
        key: String,
        now: String,
        before: Option<String>,
    },
    Counter {
        key: String,
        now: i64,
        before: Option<i64>,
    },
    Event(EventRow),
}

/// The final state of every row a run of writes touched, in the order the
/// rows were first written, and the events in the order they were
/// appended: what a backend writes at once ([`Primitives::write_all`]).
#[derive(Debug, Default)]
pub(crate) struct Writes {
    /// Each object as it is to be: stored, or removed (`None`).
    pub objects: Vec<(Key, Option<Row>)>,
    pub meta: Vec<(String, String)>,
    pub counters: Vec<(String, i64)>,
    pub events: Vec<EventRow>,
}

impl Writes {
    /// The final states of `writes`, each row once.
    fn of(writes: &[Write]) -> Writes {
        fn last<K: Clone + Eq + std::hash::Hash, V: Clone>(
            out: &mut Vec<(K, V)>,
            at: &mut HashMap<K, usize>,
            key: &K,
            value: &V,
        ) {
            match at.get(key) {
                Some(&i) => out[i].1 = value.clone(),
                None => {
                    at.insert(key.clone(), out.len());
                    out.push((key.clone(), value.clone()));
                }
            }
        }
        let mut all = Writes::default();
        let (mut objects, mut meta, mut counters) =
            (HashMap::new(), HashMap::new(), HashMap::new());
        for write in writes {
            match write {
                Write::Object { key, now, .. } => last(&mut all.objects, &mut objects, key, now),
                Write::Meta { key, now, .. } => last(&mut all.meta, &mut meta, key, now),
                Write::Counter { key, now, .. } => last(&mut all.counters, &mut counters, key, now),
                Write::Event(row) => all.events.push(row.clone()),
            }
        }
        all
    }

    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
            && self.meta.is_empty()
            && self.counters.is_empty()
            && self.events.is_empty()
    }
}

/// A savepoint of the group: where its writes begin, and whether the
/// database holds a savepoint for it (once writes were sent while it was open).
#[derive(Debug, Clone, Copy)]
struct Level {
    start: usize,
    in_database: bool,
}

/// The rows a group has read from the database and the writes it has made,
/// while it holds the store's write transaction.
#[derive(Debug, Default)]
pub(crate) struct Group {
    /// Every row the group wrote, as it now stands (`None`: removed).
    objects: HashMap<Key, Option<Row>>,
    meta: HashMap<String, String>,
    counters: HashMap<String, i64>,
    /// The group's writes in order; those before `sent` are in the database.
    writes: Vec<Write>,
    sent: usize,
    /// The savepoints open, outermost first.
    levels: Vec<Level>,
    /// What the database answered, as it stands since it last changed.
    read: Read,
    /// Set when the database and this memory may no longer agree (a
    /// savepoint of the database could not be ended): the group then
    /// cannot commit.
    broken: bool,
}

/// Rows read from the database, and after a group commits, the rows it
/// wrote as they now stand there.
#[derive(Debug, Default)]
pub(crate) struct Read {
    bodies: HashMap<Key, Option<String>>,
    lists: HashMap<ListKey, Vec<(String, String)>>,
    counts: HashMap<ListKey, i64>,
    meta: HashMap<String, Option<String>>,
    prefixed: HashMap<String, Vec<(String, String)>>,
    counters: HashMap<String, Option<i64>>,
}

impl Read {
    /// How many rows it holds, to keep no more than a bound of them.
    pub fn rows(&self) -> usize {
        self.bodies.len()
            + self.lists.values().map(Vec::len).sum::<usize>()
            + self.counts.len()
            + self.meta.len()
            + self.prefixed.values().map(Vec::len).sum::<usize>()
            + self.counters.len()
    }
}

impl Group {
    /// A group that starts from what the store is known to hold.
    pub fn knowing(read: Read) -> Group {
        Group {
            read,
            ..Group::default()
        }
    }

    /// The body of the object `kind`/`id`.
    pub fn body(&mut self, db: &dyn Primitives, kind: &str, id: &str) -> Result<Option<String>> {
        let key = key(kind, id);
        if let Some(row) = self.objects.get(&key) {
            return Ok(row.as_ref().map(|r| r.body.clone()));
        }
        if let Some(body) = self.read.bodies.get(&key) {
            return Ok(body.clone());
        }
        let body = db.body(kind, id)?;
        self.read.bodies.insert(key, body.clone());
        Ok(body)
    }

    /// Stores an object, replacing the one of the same kind and ID.
    pub fn put(&mut self, kind: &str, id: &str, row: Row) {
        self.object(key(kind, id), Some(row));
    }

    /// Removes the object `kind`/`id`; true if there was one.
    pub fn delete(&mut self, db: &dyn Primitives, kind: &str, id: &str) -> Result<bool> {
        let existed = self.body(db, kind, id)?.is_some();
        if existed {
            self.object(key(kind, id), None);
        }
        Ok(existed)
    }

    fn object(&mut self, key: Key, now: Option<Row>) {
        let before = self.objects.insert(key.clone(), now.clone());
        self.writes.push(Write::Object { key, now, before });
    }

    /// Whether the group wrote an object of `kind`.
    fn wrote(&self, kind: &str) -> bool {
        self.objects.keys().any(|(k, _)| k == kind)
    }

    /// The IDs and bodies of the objects of `kind` that match `filter`, in no order.
    pub fn list(
        &mut self,
        db: &dyn Primitives,
        kind: &str,
        filter: Filter<'_>,
    ) -> Result<Vec<(String, String)>> {
        let listed = list_key(kind, filter);
        let stored = match self.read.lists.get(&listed) {
            Some(rows) => rows.clone(),
            None => {
                let rows = db.list(kind, filter)?;
                self.read.lists.insert(listed, rows.clone());
                rows
            }
        };
        if !self.wrote(kind) {
            return Ok(stored);
        }
        let mut rows: HashMap<String, String> = stored.into_iter().collect();
        for ((k, id), row) in &self.objects {
            if k != kind {
                continue;
            }
            match row {
                Some(row) if row.matches(filter) => {
                    rows.insert(id.clone(), row.body.clone());
                }
                _ => {
                    rows.remove(id);
                }
            }
        }
        Ok(rows.into_iter().collect())
    }

    /// How many objects of `kind` match `filter`.
    pub fn count(&mut self, db: &dyn Primitives, kind: &str, filter: Filter<'_>) -> Result<i64> {
        if self.wrote(kind) {
            return Ok(self.list(db, kind, filter)?.len() as i64);
        }
        let listed = list_key(kind, filter);
        if let Some(n) = self.read.counts.get(&listed) {
            return Ok(*n);
        }
        let n = db.count(kind, filter)?;
        self.read.counts.insert(listed, n);
        Ok(n)
    }

    /// A metadata value.
    pub fn meta(&mut self, db: &dyn Primitives, key: &str) -> Result<Option<String>> {
        if let Some(value) = self.meta.get(key) {
            return Ok(Some(value.clone()));
        }
        if let Some(value) = self.read.meta.get(key) {
            return Ok(value.clone());
        }
        let value = db.meta(key)?;
        self.read.meta.insert(key.to_string(), value.clone());
        Ok(value)
    }

    /// Sets a metadata value.
    pub fn set_meta(&mut self, key: &str, value: &str) {
        let before = self.meta.insert(key.to_string(), value.to_string());
        self.writes.push(Write::Meta {
            key: key.to_string(),
            now: value.to_string(),
            before,
        });
    }

    /// The metadata entries whose key starts with `prefix`, in key order.
    pub fn meta_with_prefix(
        &mut self,
        db: &dyn Primitives,
        prefix: &str,
    ) -> Result<Vec<(String, String)>> {
        let stored = match self.read.prefixed.get(prefix) {
            Some(rows) => rows.clone(),
            None => {
                let rows: Vec<(String, String)> = db
                    .meta_from(prefix)?
                    .into_iter()
                    .take_while(|(k, _)| k.starts_with(prefix))
                    .collect();
                self.read.prefixed.insert(prefix.to_string(), rows.clone());
                rows
            }
        };
        let mut rows: BTreeMap<String, String> = stored.into_iter().collect();
        for (k, v) in &self.meta {
            if k.starts_with(prefix) {
                rows.insert(k.clone(), v.clone());
            }
        }
        Ok(rows.into_iter().collect())
    }

    /// Counts `key` once more and returns the new count.
    /// Reads the count of `key` and the body of `kind`/`likely`, the object
    /// it most likely counts next, together, unless the group knows either.
    pub fn read_counter_with(
        &mut self,
        db: &dyn Primitives,
        key: &str,
        kind: &str,
        likely: &str,
    ) -> Result<()> {
        let object = self::key(kind, likely);
        let known = self.counters.contains_key(key)
            || self.read.counters.contains_key(key)
            || self.objects.contains_key(&object)
            || self.read.bodies.contains_key(&object);
        if known {
            return Ok(());
        }
        let (n, body) = db.counter_and_body(key, kind, likely)?;
        self.read.counters.insert(key.to_string(), n);
        self.read.bodies.insert(object, body);
        Ok(())
    }

    /// Knows that no object `kind`/`id` is stored, unless it knows better.
    pub fn known_absent(&mut self, kind: &str, id: &str) {
        let object = key(kind, id);
        if !self.objects.contains_key(&object) {
            self.read.bodies.entry(object).or_insert(None);
        }
    }

    pub fn count_up(&mut self, db: &dyn Primitives, key: &str) -> Result<i64> {
        let was = match self.counters.get(key) {
            Some(n) => *n,
            None => match self.read.counters.get(key) {
                Some(n) => n.unwrap_or(0),
                None => {
                    let n = db.counter(key)?;
                    self.read.counters.insert(key.to_string(), n);
                    n.unwrap_or(0)
                }
            },
        };
        let now = was + 1;
        let before = self.counters.insert(key.to_string(), now);
        self.writes.push(Write::Counter {
            key: key.to_string(),
            now,
            before,
        });
        Ok(now)
    }

    /// Appends an event to the log.
    pub fn append_event(&mut self, event: EventRow) {
        self.writes.push(Write::Event(event));
    }

    /// Begins a savepoint: the writes after it can be undone alone.
    pub fn savepoint(&mut self) {
        self.levels.push(Level {
            start: self.writes.len(),
            in_database: false,
        });
    }

    /// Ends the innermost savepoint, keeping its writes (they become its
    /// enclosing one's) or undoing them.
    pub fn end(&mut self, db: &dyn Primitives, keep: bool) -> Result<()> {
        let Some(level) = self.levels.pop() else {
            self.broken = true;
            return Err(unbalanced());
        };
        if level.in_database {
            if let Err(e) = db.savepoint(Some(keep)) {
                self.broken = true;
                return Err(e);
            }
        }
        if keep {
            return Ok(());
        }
        if level.in_database {
            // Everything before the savepoint was sent when it was: the
            // database, rolled back, is the whole truth again.
            self.writes.truncate(level.start);
            self.sent = self.sent.min(level.start);
            self.forget();
            return Ok(());
        }
        for write in self.writes.drain(level.start..).rev() {
            match write {
                Write::Object { key, before, .. } => match before {
                    Some(row) => {
                        self.objects.insert(key, row);
                    }
                    None => {
                        self.objects.remove(&key);
                    }
                },
                Write::Meta { key, before, .. } => match before {
                    Some(value) => {
                        self.meta.insert(key, value);
                    }
                    None => {
                        self.meta.remove(&key);
                    }
                },
                Write::Counter { key, before, .. } => match before {
                    Some(n) => {
                        self.counters.insert(key, n);
                    }
                    None => {
                        self.counters.remove(&key);
                    }
                },
                Write::Event(_) => {}
            }
        }
        Ok(())
    }

    /// Sends every write still waiting to the database, with a savepoint
    /// of the database's for each savepoint still open, before the writes
    /// made in it: for a read the group cannot answer from memory. What the
    /// group read before is then forgotten (the database changed).
    pub fn send(&mut self, db: &dyn Primitives) -> Result<()> {
        let changed = self.sent < self.writes.len();
        let mut from = self.sent;
        for i in 0..self.levels.len() {
            if self.levels[i].in_database {
                continue;
            }
            let start = self.levels[i].start;
            self.write(db, from, start)?;
            from = start;
            if let Err(e) = db.savepoint(None) {
                self.broken = true;
                return Err(e);
            }
            self.levels[i].in_database = true;
        }
        self.write(db, from, self.writes.len())?;
        if changed {
            self.read = Read::default();
        }
        Ok(())
    }

    fn write(&mut self, db: &dyn Primitives, from: usize, to: usize) -> Result<()> {
        if from >= to {
            return Ok(());
        }
        let writes = Writes::of(&self.writes[from..to]);
        self.sent = to;
        // Some of them may have been written: the group cannot commit.
        db.write_all(&writes).inspect_err(|_| self.broken = true)
    }

    /// Forgets what the group read and wrote, once everything it wrote is in
    /// the database and the database changed in a way memory cannot follow
    /// (SQL run as it is).
    pub fn forget(&mut self) {
        self.objects.clear();
        self.meta.clear();
        self.counters.clear();
        self.read = Read::default();
    }

    /// Sends every write still waiting, when the group is to commit, and
    /// gives what the store holds once it has: what the group read, with
    /// what it wrote in its place.
    pub fn finish(mut self, db: &dyn Primitives) -> Result<Read> {
        if self.broken || !self.levels.is_empty() {
            return Err(unbalanced());
        }
        self.write(db, self.sent, self.writes.len())?;
        let mut read = self.read;
        let mut kinds = std::collections::HashSet::new();
        for ((kind, id), row) in self.objects {
            kinds.insert(kind.clone());
            read.bodies.insert((kind, id), row.map(|r| r.body));
        }
        read.lists.retain(|listed, _| !kinds.contains(&listed.0));
        read.counts.retain(|listed, _| !kinds.contains(&listed.0));
        for (key, value) in self.meta {
            read.prefixed
                .retain(|prefix, _| !key.starts_with(prefix.as_str()));
            read.meta.insert(key, Some(value));
        }
        for (key, n) in self.counters {
            read.counters.insert(key, Some(n));
        }
        Ok(read)
    }
}

fn unbalanced() -> Error {
    Error::new(
        ErrorKind::StoreIo,
        "the transaction of the calls answered together lost track of a call's savepoint; none of them was kept",
        "This is a fault in amisim: report it with the calls that met it, and send them again",
    )
}
