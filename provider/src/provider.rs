//! The provider: its configuration (one caller, one region, one store) and its
//! resources and data sources.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use amisim_simulator::{Caller, Cloud, DeclareAccount};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tf_provider::schema::Schema;
use tf_provider::value::{Value, ValueEmpty};
use tf_provider::{Diagnostics, DynamicDataSource, DynamicResource, Provider};

use crate::attrs::{optional_sensitive_string, optional_string, schema};
use crate::diags;
use crate::values::Str;

/// The default account when neither the configuration nor `AMISIM_ACCOUNT_ID` sets one.
pub const DEFAULT_ACCOUNT: &str = "123456789012";
/// The default region when neither the configuration nor `AMISIM_REGION` sets one.
pub const DEFAULT_REGION: &str = "us-east-1";
/// The default store, relative to Terraform's working directory.
pub const DEFAULT_STORE: &str = ".amisim/cloud.db";

/// The provider block.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Config {
    /// The caller's account.
    pub account_id: Str,
    /// The caller's region.
    pub region: Str,
    /// The store: a path, `sqlite:PATH` or a `postgres://` URL.
    pub store: Str,
    /// The secret of a claimed account.
    pub secret_key: Str,
    /// The account's organization.
    pub organization_arn: Str,
    /// The account's organizational unit.
    pub organizational_unit_arn: Str,
}

/// The configured provider: who calls, and the cloud it calls.
pub struct Configured {
    /// The caller of every call this provider makes.
    pub caller: Caller,
    /// Whether the store is on a PostgreSQL server: its client blocks on a
    /// runtime of its own, so calls run off Terraform's async runtime.
    pub remote: bool,
    cloud: Mutex<Cloud>,
}

impl Configured {
    /// Runs `f` with the cloud and the caller.
    pub fn with<R: Send>(&self, f: impl FnOnce(&mut Cloud, &Caller) -> R + Send) -> R {
        let mut cloud = match self.cloud.lock() {
            Ok(c) => c,
            // A panic elsewhere poisoned the lock; the cloud itself is transactional, so go on.
            Err(poisoned) => poisoned.into_inner(),
        };
        let (cloud, caller): (&mut Cloud, &Caller) = (&mut cloud, &self.caller);
        off_runtime(self.remote, || f(cloud, caller))
    }

    /// Runs one call of the cloud; a refusal becomes a diagnostic for `what`
    /// (for example "Unable to copy image"), pointing at `attribute` if given.
    pub fn call<R: Send>(
        &self,
        diags: &mut Diagnostics,
        what: &str,
        attribute: Option<&str>,
        f: impl FnOnce(&mut Cloud, &Caller) -> amisim_simulator::Result<R> + Send,
    ) -> Option<R> {
        match self.with(f) {
            Ok(r) => Some(r),
            Err(e) => {
                diags::refusal_at(diags, what, &e, attribute);
                None
            }
        }
    }
}

/// Runs `f` on a thread of its own when `remote`: the PostgreSQL client
/// blocks on a runtime of its own, which cannot run inside Terraform's.
pub fn off_runtime<R: Send>(remote: bool, f: impl FnOnce() -> R + Send) -> R {
    if !remote {
        return f();
    }
    std::thread::scope(|s| match s.spawn(f).join() {
        Ok(r) => r,
        Err(panic) => std::panic::resume_unwind(panic),
    })
}

/// The handle resources share: empty until Terraform configures the provider.
#[derive(Default)]
pub struct Shared {
    configured: RwLock<Option<Arc<Configured>>>,
}

impl Shared {
    /// The configured provider, or an error diagnostic if it is not configured yet.
    pub fn get(&self, diags: &mut Diagnostics) -> Option<Arc<Configured>> {
        let c = self.configured.read().ok().and_then(|c| c.clone());
        if c.is_none() {
            diags::error(
                diags,
                "Provider not configured",
                "The amisim provider was used before Terraform configured it; check the provider block and run the command again",
                None,
            );
        }
        c
    }
}

/// The amisim provider.
#[derive(Default)]
pub struct AmisimProvider {
    shared: Arc<Shared>,
}

impl AmisimProvider {
    /// A provider not yet configured.
    pub fn new() -> Self {
        Self::default()
    }

    /// The handle its resources share (for building resources outside Terraform, in tests).
    pub fn shared(&self) -> Arc<Shared> {
        self.shared.clone()
    }
}

/// The provider's configuration after environment variables and defaults are applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The caller.
    pub caller: Caller,
    /// The store: a path, `sqlite:PATH`, or a `postgres://` URL.
    pub store: String,
    /// The declared organization membership.
    pub membership: DeclareAccount,
}

fn setting(value: &Str, env: &str, default: Option<&str>) -> Option<String> {
    match value {
        Value::Value(v) => Some(v.clone()),
        _ => std::env::var(env)
            .ok()
            .filter(|v| !v.is_empty())
            .or_else(|| default.map(str::to_string)),
    }
}

/// Applies the environment and the defaults to a provider block, and checks the result.
pub fn resolve(config: &Config, diags: &mut Diagnostics) -> Option<Resolved> {
    let account = setting(
        &config.account_id,
        "AMISIM_ACCOUNT_ID",
        Some(DEFAULT_ACCOUNT),
    )?;
    let region = setting(&config.region, "AMISIM_REGION", Some(DEFAULT_REGION))?;
    let store = setting(&config.store, "AMISIM_STORE", Some(DEFAULT_STORE))?;
    let membership = DeclareAccount {
        organization_arn: config.organization_arn.as_ref_option().cloned(),
        organizational_unit_arn: config.organizational_unit_arn.as_ref_option().cloned(),
    };
    let ok = diags::check(
        diags,
        "account_id",
        amisim_simulator::validate::caller_account(&account),
    ) & diags::check(diags, "region", amisim_simulator::validate::region(&region))
        & diags::check(
            diags,
            "organization_arn",
            amisim_simulator::accounts::check(&membership),
        );
    if store.trim().is_empty() {
        diags::error(
            diags,
            "Invalid store",
            "The store is empty or blank: give a file path, a postgres:// URL, or leave store unset for .amisim/cloud.db",
            Some("store"),
        );
        return None;
    }
    let secret = setting(&config.secret_key, "AMISIM_SECRET_KEY", None);
    let caller = Caller::new(account, region).with_secret(secret);
    ok.then_some(Resolved {
        caller,
        store,
        membership,
    })
}

fn has_unknown(config: &Config) -> bool {
    [
        &config.account_id,
        &config.region,
        &config.store,
        &config.secret_key,
        &config.organization_arn,
        &config.organizational_unit_arn,
    ]
    .iter()
    .any(|v| matches!(v, Value::Unknown))
}

#[async_trait]
impl Provider for AmisimProvider {
    type Config<'a> = Config;
    type MetaState<'a> = ValueEmpty;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(schema(
            0,
            "The amisim provider simulates the Amazon Machine Image life cycle in a cloud stored in a local file. One provider block is one caller: an account in a region. Aliased blocks for other accounts and regions share the same store.",
            vec![
                ("account_id", optional_string("The caller's 12-digit AWS account ID. Defaults to the `AMISIM_ACCOUNT_ID` environment variable, then `123456789012`.")),
                ("region", optional_string("The AWS region of every call, for example `us-east-1`. Defaults to `AMISIM_REGION`, then `us-east-1`. Must be a commercial AWS region.")),
                ("store", optional_string("Where the simulated cloud lives, shared by every provider block that names it: a file path (or `sqlite:PATH`), or `postgres://USER:PASSWORD@HOST:5432/DATABASE` for a cloud shared by many machines on a PostgreSQL server. Defaults to `AMISIM_STORE`, then `.amisim/cloud.db` under Terraform's working directory.")),
                ("secret_key", optional_sensitive_string("The secret of a claimed account (`amisim accounts claim`), which every call acting as it must present; unclaimed accounts need none. Defaults to `AMISIM_SECRET_KEY`. Sensitive: Terraform never shows it.")),
                ("organization_arn", optional_string("The ARN of the AWS Organization the account belongs to, for example `arn:aws:organizations::999999999999:organization/o-abc123`. Recorded in the store; launch permissions for the organization reach the accounts declared in it.")),
                ("organizational_unit_arn", optional_string("The ARN of the organizational unit the account belongs to, for example `arn:aws:organizations::999999999999:ou/o-abc123/ou-ab12-cdef3456`. Implies the organization.")),
            ],
        ))
    }

    async fn validate<'a>(&self, diags: &mut Diagnostics, config: Self::Config<'a>) -> Option<()> {
        if !has_unknown(&config) {
            resolve(&config, diags)?;
        }
        Some(())
    }

    async fn configure<'a>(
        &self,
        diags: &mut Diagnostics,
        _terraform_version: String,
        config: Self::Config<'a>,
    ) -> Option<()> {
        if has_unknown(&config) {
            diags::error(
                diags,
                "Provider configuration not known",
                "The amisim provider block uses values that are only known after apply; use literal values or variables",
                None,
            );
            return None;
        }
        let resolved = resolve(&config, diags)?;
        // A URL may hold a password: its line is never pointed at.
        let remote = resolved.store.contains("://");
        let store = resolved.store.clone();
        let opened = off_runtime(remote, || Cloud::open_store(&store));
        let mut cloud = match opened {
            Ok(c) => c.in_command(crate::command::current()),
            Err(e) => {
                // Pointing at a store URL would have Terraform print its line, password and all.
                let attribute = (!remote).then_some("store");
                diags::refusal_at(diags, "Unable to open the amisim store", &e, attribute);
                return None;
            }
        };
        if resolved.membership != DeclareAccount::default() {
            let declared = off_runtime(remote, || {
                cloud.call(&resolved.caller, &resolved.membership)
            });
            if let Err(e) = declared {
                diags::refusal_at(
                    diags,
                    "Unable to declare the account's organization",
                    &e,
                    Some("organization_arn"),
                );
                return None;
            }
        }
        tracing::debug!(account_id = %resolved.caller.account_id, region = %resolved.caller.region, remote, "configured");
        let configured = Arc::new(Configured {
            caller: resolved.caller,
            remote,
            cloud: Mutex::new(cloud),
        });
        if let Ok(mut slot) = self.shared.configured.write() {
            *slot = Some(configured);
        }
        Some(())
    }

    fn get_resources(
        &self,
        _diags: &mut Diagnostics,
    ) -> Option<HashMap<String, Box<dyn DynamicResource>>> {
        Some(crate::resources::all(&self.shared))
    }

    fn get_data_sources(
        &self,
        _diags: &mut Diagnostics,
    ) -> Option<HashMap<String, Box<dyn DynamicDataSource>>> {
        Some(crate::data_sources::all(&self.shared))
    }
}
