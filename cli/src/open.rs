//! Opening the store: read-only for looking, read-write for changing.
//!
//! The store is a path (or `sqlite:PATH`), or a `postgres://` URL of a
//! shared cloud on a PostgreSQL server.

use std::path::Path;

use amisim_simulator::store::StoreLocation;
use amisim_simulator::{Cloud, Result};

fn text(store: &Path) -> String {
    store.to_string_lossy().into_owned()
}

/// Where the store is: a file or a server (refused when the string names neither).
pub fn location(store: &Path) -> Result<StoreLocation> {
    StoreLocation::parse(&text(store))
}

/// Opens an existing store without ever writing to it (a missing store is an error).
pub fn read_only(store: &Path) -> Result<Cloud> {
    Cloud::open_store_read_only(&text(store))
}

/// The cloud a command looks at: the store, opened read-only, or through a
/// server the rows it lets the caller see, read as a store of their own.
pub fn view(ctx: &crate::commands::Ctx<'_>) -> anyhow::Result<Cloud> {
    match &ctx.remote {
        Some(remote) => {
            let rows = remote.call(&amisim_simulator::inventory::GetCloud {})?;
            Ok(Cloud::from_rows(&rows)?)
        }
        None => Ok(read_only(ctx.store)?),
    }
}

/// Where an out-of-band change is made: on the store, or through a server,
/// reading the cloud from the rows it answers (read again after each change,
/// so what follows sees the change). Reads go to the cloud it derefs to;
/// changes go through [`Changing::call`].
pub struct Changing {
    cloud: Cloud,
    remote: Option<amisim_client::Remote>,
}

impl Changing {
    /// The store for a change (a missing store is an error), or the server.
    pub fn open(ctx: &crate::commands::Ctx<'_>) -> anyhow::Result<Changing> {
        Ok(match &ctx.remote {
            Some(remote) => Changing {
                cloud: view(ctx)?,
                remote: Some(remote.clone()),
            },
            None => Changing {
                cloud: for_change(ctx.store)?,
                remote: None,
            },
        })
    }

    /// Makes `request` as `caller`: on the store, or through the server (the
    /// administrator's key acting as the account, in the caller's region).
    pub fn call<R: amisim_simulator::Call>(
        &mut self,
        caller: &amisim_simulator::Caller,
        request: &R,
    ) -> anyhow::Result<R::Output>
    where
        R::Output: serde::de::DeserializeOwned,
    {
        let Some(remote) = &self.remote else {
            return Ok(self.cloud.call(caller, request)?);
        };
        let output = if caller.is_administrator() {
            remote.call(request)?
        } else {
            remote
                .in_region(&caller.region)
                .call_as(Some(&caller.account_id), request)?
        };
        self.cloud = Cloud::from_rows(&remote.call(&amisim_simulator::inventory::GetCloud {})?)?;
        Ok(output)
    }
}

impl std::ops::Deref for Changing {
    type Target = Cloud;
    fn deref(&self) -> &Cloud {
        &self.cloud
    }
}

impl std::ops::DerefMut for Changing {
    fn deref_mut(&mut self) -> &mut Cloud {
        &mut self.cloud
    }
}

/// Opens an existing store for an out-of-band change; a missing store is an error, not a new cloud.
pub fn for_change(store: &Path) -> Result<Cloud> {
    Cloud::open_existing_store(&text(store))
}

/// Opens the store for writing, creating a new cloud if there is none.
pub fn or_create(store: &Path) -> Result<Cloud> {
    Cloud::open_store(&text(store))
}

/// Makes an administrator's call that may be the first a cloud holds (the
/// price book, fixture images, fault rules): through the server when
/// working through one (with its administrator's key), else on the store,
/// which it creates if there is none.
pub fn administrators<C: amisim_simulator::Call>(
    ctx: &crate::commands::Ctx<'_>,
    request: &C,
) -> anyhow::Result<C::Output> {
    Ok(match &ctx.remote {
        Some(remote) => remote.call(request)?,
        None => or_create(ctx.store)?.call(&amisim_simulator::Caller::administrator(), request)?,
    })
}
