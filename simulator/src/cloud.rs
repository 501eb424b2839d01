//! The entry point of the simulated cloud: [`Cloud`], a handle on one store.
//!
//! Every operation is a request type beside its rule (see [`crate::call`]);
//! [`Cloud::call`] runs any of them in one store transaction, records it in
//! the event log with its outcome, and either changes the cloud and succeeds
//! or changes nothing but the log and returns an [`crate::Error`] with the
//! AWS error code. The few reads here are what the faces show that is not a
//! call of the API (listings, the bill, the event log).

use std::path::Path;

use crate::billing::{self, Bill};
use crate::call::{Call, Caller, Session};
use crate::error::Result;
use crate::model::{Event, Image};
use crate::recycle_bin::{self, BinEntry};
use crate::store::{Access, Setup, Store, StoreLocation, Tx};
use crate::{dates, ids, images, views};

pub use crate::views::ImageDetails;

/// The simulated cloud over one store.
pub struct Cloud {
    store: Store,
    /// The secrets this handle has checked and the command its calls belong
    /// to (see [`Cloud::in_command`]).
    session: Session,
}

impl AsMut<Store> for Cloud {
    fn as_mut(&mut self) -> &mut Store {
        &mut self.store
    }
}

/// What a store holds when new, and how an older one is brought up to date:
/// the public catalogue, and the clock of stores made before command epochs.
const SETUP: Setup = Setup {
    seed: images::seed_catalogue,
    upgrade,
};

/// Brings a store made by an earlier build up to date: the catalogue's newer
/// regions and images are seeded, and a store that kept one clock per scope
/// gets one clock. Nothing is written when it is current.
fn upgrade(store: &mut Store) -> Result<()> {
    let (regions, latest) =
        store.read(|tx| Ok((tx.meta("catalogue_regions")?, ids::latest(tx)?)))?;
    if regions.as_deref() != Some(crate::catalogue::catalogue_version().as_str()) {
        store.transaction(images::seed_catalogue)?;
    }
    if latest.is_none() {
        store.transaction(ids::migrate_scope_clocks)?;
    }
    Ok(())
}

/// The store at `location`, opened for `access`.
fn open_location(location: &StoreLocation, access: Access) -> Result<Store> {
    match location {
        StoreLocation::Postgres(url) => Store::open_postgres(url, access, &SETUP),
        StoreLocation::File(path) => match access {
            Access::ReadOnly => Store::open_read_only(path),
            Access::Existing if !path.exists() => Err(crate::store::no_store(path)),
            Access::Existing | Access::Create => Store::open(path, &SETUP),
        },
    }
}

/// The store a store string names (see [`Cloud::open_store`]).
fn open_store(store: &str, access: Access) -> Result<Store> {
    open_location(&StoreLocation::parse(store)?, access)
}

/// A name for a handle's own command, unique in this process and in time.
fn own_command() -> String {
    format!("handle:{}", crate::store::unique_token())
}

impl Cloud {
    /// Opens (or creates) the cloud stored at `path`.
    pub fn open(path: &Path) -> Result<Cloud> {
        Ok(Cloud {
            store: Store::open(path, &SETUP)?,
            session: Session::new(own_command()),
        })
    }

    /// Opens an existing cloud for reading only: nothing is ever written.
    pub fn open_read_only(path: &Path) -> Result<Cloud> {
        Ok(Cloud {
            store: Store::open_read_only(path)?,
            session: Session::new(own_command()),
        })
    }

    /// Opens (or creates) the cloud a store string names: a PostgreSQL URL
    /// (`postgres://` or `postgresql://`), `sqlite:PATH`, or a path.
    pub fn open_store(store: &str) -> Result<Cloud> {
        Ok(Cloud {
            store: open_store(store, Access::Create)?,
            session: Session::new(own_command()),
        })
    }

    /// Opens the existing cloud a store string names for changes: a missing
    /// store (or an empty database) is an error, not a new cloud.
    pub fn open_existing_store(store: &str) -> Result<Cloud> {
        Ok(Cloud {
            store: open_store(store, Access::Existing)?,
            session: Session::new(own_command()),
        })
    }

    /// Opens the existing cloud a store string names for reading only.
    pub fn open_store_read_only(store: &str) -> Result<Cloud> {
        Ok(Cloud {
            store: open_store(store, Access::ReadOnly)?,
            session: Session::new(own_command()),
        })
    }

    /// How long a call waits for another process's write to end before it
    /// is refused with `ServiceUnavailable`, having applied nothing.
    pub fn set_lock_wait(&mut self, wait: std::time::Duration) -> Result<()> {
        self.store.set_lock_wait(wait)
    }

    /// A cloud in memory holding `rows` (what [`crate::inventory::GetCloud`]
    /// answered), to be read as a store of its own.
    pub fn from_rows(rows: &crate::store::Rows) -> Result<Cloud> {
        Ok(Cloud {
            store: Store::from_rows(rows)?,
            session: Session::new(own_command()),
        })
    }

    /// A fresh cloud in memory, seeded like a new store; for tests and benchmarks.
    pub fn memory() -> Result<Cloud> {
        Ok(Cloud {
            store: Store::memory(&SETUP)?,
            session: Session::new(own_command()),
        })
    }

    /// The same handle, its calls belonging to `command`: a name the client
    /// gives to one unit of its work, shared by every process of it (the
    /// provider processes of one Terraform command name it after that
    /// command's process). A handle that names none is a command of its own.
    pub fn in_command(mut self, command: impl Into<String>) -> Cloud {
        self.set_command(command);
        self
    }

    /// Makes the handle's next calls belong to `command` (see [`Cloud::in_command`]).
    pub fn set_command(&mut self, command: impl Into<String>) {
        self.session.command = command.into();
        self.session.every_call_dated = false;
        self.session.request_start = None;
        self.session.calls = 0;
    }

    /// Makes the handle's next calls one request of a server, named
    /// `request`: a command of its own whose every call moves the clock,
    /// reads and refusals too, so that each request is dated at its own time
    /// in the order answered. (A command of the provider or the `amisim` tool
    /// moves it only by its changes.)
    pub fn set_request(&mut self, request: impl Into<String>) {
        self.session.command = request.into();
        self.session.every_call_dated = true;
        self.session.request_start = None;
        self.session.calls = 0;
    }

    /// How many calls the handle made since it was given its command or
    /// request ([`Cloud::set_command`], [`Cloud::set_request`]).
    pub fn calls_made(&self) -> u64 {
        self.session.calls
    }

    /// Seals the secrets the handle's calls make (claims made over the wire)
    /// under `key`, when the call was not given one of its own.
    pub fn set_seal_key(&mut self, key: Option<crate::secrets::SealKey>) {
        self.session.seal_key = key;
    }

    /// Logs the handle's next calls as made with the access key ID `key`
    /// (a server's request), or with none.
    pub fn set_access_key(&mut self, key: Option<String>) {
        self.session.access_key = key;
    }

    /// The simulated time now: the latest time the store has recorded.
    pub fn now(&mut self) -> Result<String> {
        self.store.read(|tx| ids::now(tx).map(dates::format_time))
    }

    /// Runs `f` over a consistent read of the store: what the faces show
    /// that is not a call (listings, reports). Nothing it writes is kept.
    pub fn read<R>(&mut self, f: impl FnOnce(&mut Tx<'_>) -> Result<R>) -> Result<R> {
        self.store.read(f)
    }

    /// The store underneath, for its own facts (where it is, whether it
    /// exists) and for tests that damage it on purpose: a change made
    /// through it is no call of the cloud and is not logged.
    pub fn store(&mut self) -> &mut Store {
        &mut self.store
    }

    /// Runs one call of the cloud: any request type, through the one
    /// wrapper (transaction, command clock, caller check, event, commit).
    pub fn call<R: Call>(&mut self, caller: &Caller, request: &R) -> Result<R::Output> {
        crate::call::run(&mut self.store, &mut self.session, caller, request)
    }

    /// Runs `f` with every call it makes on this handle committed together,
    /// in one transaction of the store, each call in a savepoint of its own
    /// (a refused call rolls back alone): what a server does with the calls
    /// that arrive at once, so that many clients get more done than one.
    /// What `f` answers may be given only once this returns `Ok`; an `Err`
    /// means none of its calls was kept.
    pub fn together<R>(&mut self, f: impl FnOnce(&mut Cloud) -> R) -> Result<R> {
        crate::store::together(self, f)
    }

    /// Runs `f` on the cloud and discards every change its calls made,
    /// their events and the clock's moves included: a dry run, which tells
    /// whether calls would be made without making them.
    pub fn discarded<R>(&mut self, f: impl FnOnce(&mut Cloud) -> R) -> Result<R> {
        crate::store::discarded(self, f)
    }

    /// What the Recycle Bin holds now, for one account or all.
    pub fn recycle_bin(&mut self, account: Option<&str>) -> Result<Vec<BinEntry>> {
        self.store.read(|tx| {
            let now = ids::now(tx)?;
            recycle_bin::list(tx, account, now)
        })
    }

    /// The claimed accounts.
    pub fn claims(&mut self) -> Result<Vec<crate::claims::ClaimView>> {
        self.store.read(|tx| crate::claims::list(tx))
    }

    /// The monthly bill of every account (or one), by region and line, from the price book.
    pub fn bill(&mut self, account: Option<&str>) -> Result<Vec<Bill>> {
        self.store.read(|tx| billing::bills(tx, account))
    }

    /// The price book in force for this store.
    pub fn prices(&mut self) -> Result<crate::catalogue::PriceBook> {
        self.store.read(|tx| billing::price_book(tx))
    }

    /// Whether an image is public, and its storage's monthly cost, read without a log entry.
    pub fn image_details(&mut self, image: &Image) -> Result<ImageDetails> {
        self.store.read(|tx| views::image_details(tx, image))
    }

    /// The event log after `after_seq`.
    pub fn events(&mut self, after_seq: i64) -> Result<Vec<Event>> {
        self.store.read(|tx| tx.events(after_seq))
    }
}
