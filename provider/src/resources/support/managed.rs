//! The plumbing every resource type shares, written once.
//!
//! A resource type implements [`Managed`]: its schema and its own logic, as
//! plain functions that receive the configured provider. [`Typed`] turns it
//! into a `tf_provider` resource: it fetches the configured provider, passes
//! private and meta state through (no resource uses them), plans destroys,
//! derives forced replacements from the schema (an attribute made with
//! [`crate::attrs::replaces`]), and turns a read
//! that found nothing into "gone" so that Terraform plans a new object.

use std::marker::PhantomData;
use std::sync::Arc;

use async_trait::async_trait;
use serde::de::DeserializeOwned;
use serde::Serialize;
use tf_provider::schema::Schema;
use tf_provider::value::ValueEmpty;
use tf_provider::{AttributePath, Diagnostics, Resource};

use crate::diags;
use crate::provider::{Configured, Shared};
use crate::resources::support::common::changed;

/// One Terraform resource type: its schema and what it does with the cloud.
pub trait Managed: Send + Sync + 'static {
    /// The resource's state, attribute by attribute.
    type State: Serialize + DeserializeOwned + Default + Send + Sync;

    /// The schema Terraform shows and checks configurations against.
    fn schema() -> Schema;

    /// Checks what can be known from the configuration alone.
    fn validate(_diags: &mut Diagnostics, _config: &Self::State) {}

    /// The state a create will produce, with what is not known yet unknown.
    fn plan_create(
        diags: &mut Diagnostics,
        cfg: &Configured,
        planned: Self::State,
        config: &Self::State,
    ) -> Option<Self::State>;

    /// The state an update will produce; by default what Terraform proposes.
    fn plan_update(
        _diags: &mut Diagnostics,
        _cfg: &Configured,
        _prior: &Self::State,
        planned: Self::State,
        _config: &Self::State,
    ) -> Option<Self::State> {
        Some(planned)
    }

    /// Fills in what a state written by an earlier version of the provider
    /// lacks: an argument added beside an older spelling takes the older
    /// one's value, so moving a configuration to the new name changes and
    /// replaces nothing. Runs on every state read and on the prior state of
    /// every planned update.
    fn upgrade(_state: &mut Self::State) {}

    /// The object as the cloud has it now; `Some(None)` when it is gone.
    fn read(
        diags: &mut Diagnostics,
        cfg: &Configured,
        state: Self::State,
    ) -> Option<Option<Self::State>>;

    /// Creates the object.
    fn create(
        diags: &mut Diagnostics,
        cfg: &Configured,
        planned: Self::State,
    ) -> Option<Self::State>;

    /// Changes the object in place; by default there is nothing to change
    /// (every argument forces replacement).
    fn update(
        _diags: &mut Diagnostics,
        _cfg: &Configured,
        _prior: &Self::State,
        planned: Self::State,
    ) -> Option<Self::State> {
        Some(planned)
    }

    /// Deletes the object; one already gone is not an error.
    fn destroy(diags: &mut Diagnostics, cfg: &Configured, prior: Self::State) -> Option<()>;

    /// Reads an existing object for `terraform import`: by default the state
    /// [`Managed::import_state`] makes of the ID, read as a refresh reads it.
    /// A type whose import checks more than its read (an owner, a state)
    /// writes its own.
    fn import(diags: &mut Diagnostics, cfg: &Configured, id: &str) -> Option<Self::State> {
        let state = Self::import_state(diags, cfg, id)?;
        match Self::read(diags, cfg, state)? {
            Some(state) => Some(state),
            None => {
                let (summary, detail) = Self::import_missing(cfg, id);
                diags::error(diags, summary, detail, None);
                None
            }
        }
    }

    /// The state an import ID names before it is read; a malformed ID is a
    /// diagnostic. By default a type takes no import ID.
    fn import_state(diags: &mut Diagnostics, _cfg: &Configured, id: &str) -> Option<Self::State> {
        diags::error(
            diags,
            "Import is not supported",
            format!("this resource type cannot import {id:?}"),
            None,
        );
        None
    }

    /// The summary and detail of the import diagnostic when the ID names nothing.
    fn import_missing(_cfg: &Configured, id: &str) -> (String, String) {
        (
            "Cannot import: not found".to_string(),
            format!("nothing to import at {id:?}; create the resource instead"),
        )
    }
}

/// A [`Managed`] resource type served to Terraform.
pub struct Typed<M> {
    shared: Arc<Shared>,
    /// The attributes whose change replaces the object, read from the schema once.
    replacing: Vec<String>,
    kind: PhantomData<fn() -> M>,
}

impl<M: Managed> Typed<M> {
    /// The resource over the provider's shared handle.
    pub fn new(shared: Arc<Shared>) -> Self {
        Self {
            shared,
            replacing: crate::attrs::replacing(&M::schema()),
            kind: PhantomData,
        }
    }
}

#[async_trait]
impl<M: Managed> Resource for Typed<M> {
    type State<'a> = M::State;
    type PrivateState<'a> = ValueEmpty;
    type ProviderMetaState<'a> = ValueEmpty;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(M::schema())
    }

    async fn validate<'a>(&self, diags: &mut Diagnostics, config: M::State) -> Option<()> {
        M::validate(diags, &config);
        Some(())
    }

    async fn read<'a>(
        &self,
        diags: &mut Diagnostics,
        state: M::State,
        private: ValueEmpty,
        _meta: ValueEmpty,
    ) -> Option<(M::State, ValueEmpty)> {
        let cfg = self.shared.get(diags)?;
        let mut state = state;
        M::upgrade(&mut state);
        // `None` from here tells Terraform the object is gone.
        crate::retries::reported(diags, |diags| M::read(diags, &cfg, state))?.map(|s| (s, private))
    }

    async fn plan_create<'a>(
        &self,
        diags: &mut Diagnostics,
        planned: M::State,
        config: M::State,
        _meta: ValueEmpty,
    ) -> Option<(M::State, ValueEmpty)> {
        let cfg = self.shared.get(diags)?;
        crate::retries::reported(diags, |diags| M::plan_create(diags, &cfg, planned, &config))
            .map(|s| (s, ValueEmpty::default()))
    }

    async fn plan_update<'a>(
        &self,
        diags: &mut Diagnostics,
        prior: M::State,
        planned: M::State,
        config: M::State,
        private: ValueEmpty,
        _meta: ValueEmpty,
    ) -> Option<(M::State, ValueEmpty, Vec<AttributePath>)> {
        let cfg = self.shared.get(diags)?;
        let mut prior = prior;
        M::upgrade(&mut prior);
        let planned = crate::retries::reported(diags, |diags| {
            M::plan_update(diags, &cfg, &prior, planned, &config)
        })?;
        let replace = changed(&prior, &planned, &self.replacing);
        Some((planned, private, replace))
    }

    async fn plan_destroy<'a>(
        &self,
        _diags: &mut Diagnostics,
        _prior: M::State,
        private: ValueEmpty,
        _meta: ValueEmpty,
    ) -> Option<ValueEmpty> {
        Some(private)
    }

    async fn create<'a>(
        &self,
        diags: &mut Diagnostics,
        planned: M::State,
        _config: M::State,
        private: ValueEmpty,
        _meta: ValueEmpty,
    ) -> Option<(M::State, ValueEmpty)> {
        let cfg = self.shared.get(diags)?;
        crate::retries::reported(diags, |diags| M::create(diags, &cfg, planned))
            .map(|s| (s, private))
    }

    async fn update<'a>(
        &self,
        diags: &mut Diagnostics,
        prior: M::State,
        planned: M::State,
        _config: M::State,
        private: ValueEmpty,
        _meta: ValueEmpty,
    ) -> Option<(M::State, ValueEmpty)> {
        let cfg = self.shared.get(diags)?;
        crate::retries::reported(diags, |diags| M::update(diags, &cfg, &prior, planned))
            .map(|s| (s, private))
    }

    async fn destroy<'a>(
        &self,
        diags: &mut Diagnostics,
        prior: M::State,
        _private: ValueEmpty,
        _meta: ValueEmpty,
    ) -> Option<()> {
        let cfg = self.shared.get(diags)?;
        crate::retries::reported(diags, |diags| M::destroy(diags, &cfg, prior))
    }

    async fn import<'a>(
        &self,
        diags: &mut Diagnostics,
        id: String,
    ) -> Option<(M::State, ValueEmpty)> {
        let cfg = self.shared.get(diags)?;
        crate::retries::reported(diags, |diags| M::import(diags, &cfg, &id))
            .map(|s| (s, ValueEmpty::default()))
    }
}

/// What a read of an object found: the object, gone (logged, so that
/// Terraform plans a new one), or a refusal reported as "Unable to read NOUN".
pub fn found<T>(
    diags: &mut Diagnostics,
    noun: &str,
    id: &str,
    result: amisim_simulator::Result<Option<T>>,
) -> Option<Option<T>> {
    match result {
        Ok(Some(object)) => Some(Some(object)),
        Ok(None) => {
            tracing::warn!(id = %id, "{noun} is gone; removing it from state");
            Some(None)
        }
        Err(e) => {
            diags::refusal(diags, &format!("Unable to read {noun}"), &e);
            None
        }
    }
}

/// What an import found: the object, or a diagnostic saying `code` and
/// what was not there (`missing`), or the refusal.
pub fn imported<T>(
    diags: &mut Diagnostics,
    noun: &str,
    result: amisim_simulator::Result<Option<T>>,
    code: &str,
    missing: impl FnOnce() -> String,
) -> Option<T> {
    match result {
        Ok(Some(object)) => Some(object),
        Ok(None) => {
            diags::error(
                diags,
                format!("Cannot import {noun}: {code}"),
                format!(
                    "{code}: {}\n\nCheck the import ID and the provider's account and region",
                    missing()
                ),
                None,
            );
            None
        }
        Err(e) => {
            diags::refusal(diags, &format!("Cannot import {noun}"), &e);
            None
        }
    }
}

/// The two parts of an import ID `A/B` (split at the last `/` when `last`,
/// since an organization ARN as `A` holds slashes), or a diagnostic showing
/// the expected `shape` and an `example`.
pub fn import_parts<'a>(
    diags: &mut Diagnostics,
    id: &'a str,
    last: bool,
    shape: &str,
    example: &str,
) -> Option<(&'a str, &'a str)> {
    let parts = if last {
        id.rsplit_once('/')
    } else {
        id.split_once('/')
    };
    if parts.is_none() {
        diags::error(
            diags,
            "Invalid import ID",
            format!(
                "{:?} is not {shape}\n\nUse for example {example}",
                amisim_simulator::validate::shorten(id)
            ),
            None,
        );
    }
    parts
}

/// Checks the import ID of a per-region setting (`what`): it is the provider's region.
pub fn region_import_id(
    diags: &mut Diagnostics,
    cfg: &Configured,
    id: &str,
    what: &str,
) -> Option<()> {
    if id == cfg.caller.region {
        return Some(());
    }
    diags::error(
        diags,
        "Invalid import ID",
        format!(
            "{:?} is not the provider's region {}\n\nThe import ID of {what} is the region of the provider that manages it",
            amisim_simulator::validate::shorten(id),
            cfg.caller.region
        ),
        None,
    );
    None
}
