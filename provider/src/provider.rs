//! The provider: its configuration (one caller, one region, one store) and its
//! resources and data sources.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use amisim_client::Remote;
use amisim_simulator::views::GetCaller;
use amisim_simulator::{Call, Caller, Cloud, DeclareAccount};
use async_trait::async_trait;
use serde::de::DeserializeOwned;
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
    /// The `amisim serve` to work through instead of a store.
    pub endpoint: Str,
    /// The access key ID its calls are signed with.
    pub access_key: Str,
}

/// The configured provider: who calls, and the cloud it calls.
pub struct Configured {
    /// The caller of every call this provider makes.
    pub caller: Caller,
    backend: Backend,
}

/// Where the provider's calls go.
enum Backend {
    /// The store itself; on a PostgreSQL server (`remote`), whose client
    /// blocks on a runtime of its own, calls run off Terraform's.
    Store { cloud: Mutex<Cloud>, remote: bool },
    /// An `amisim serve`, with the key pair of the caller.
    Server(Remote),
}

/// The cloud one call of the provider reaches: the store's, or a server's.
/// A call reads the same either way (see [`Api::call`]).
pub struct Api<'a> {
    target: Target<'a>,
    /// The calls retried so far, as [`crate::retries`] reports them.
    retried: Vec<crate::retries::Retried>,
}

enum Target<'a> {
    /// The store, opened by this process.
    Store(&'a mut Cloud),
    /// A server, which opened the store.
    Server(&'a Remote),
}

impl<'a> Api<'a> {
    fn new(target: Target<'a>) -> Api<'a> {
        Api {
            target,
            retried: Vec::new(),
        }
    }

    /// Runs one call of the cloud as `caller`: on the store, or through the
    /// server, where the key pair stands for the caller and the answer is
    /// the same output or the same refusal. A call AWS's SDKs retry
    /// (throttled, or failed inside AWS) is retried as hashicorp/aws retries
    /// it (see [`crate::retries`]).
    pub fn call<R: Call>(
        &mut self,
        caller: &Caller,
        request: &R,
    ) -> amisim_simulator::Result<R::Output>
    where
        R::Output: DeserializeOwned,
    {
        let mut attempt = 1;
        loop {
            let result = match &mut self.target {
                Target::Store(cloud) => cloud.call(caller, request),
                Target::Server(remote) => remote.call(request),
            };
            let e = match result {
                Err(e) => e,
                answered => return answered,
            };
            let Some(limit) = crate::retries::retryable(&e) else {
                return Err(e);
            };
            let exhausted = attempt >= limit;
            crate::retries::note(&mut self.retried, request.action(), &e, exhausted);
            if exhausted {
                return Err(crate::retries::exhausted(e, attempt));
            }
            attempt += 1;
        }
    }
}

impl Configured {
    /// Runs `f` with the cloud and the caller.
    pub fn with<R: Send>(&self, f: impl FnOnce(&mut Api<'_>, &Caller) -> R + Send) -> R {
        match &self.backend {
            Backend::Store { cloud, remote } => {
                let mut cloud = match cloud.lock() {
                    Ok(c) => c,
                    // A panic elsewhere poisoned the lock; the cloud itself is transactional, so go on.
                    Err(poisoned) => poisoned.into_inner(),
                };
                let (cloud, caller): (&mut Cloud, &Caller) = (&mut cloud, &self.caller);
                let (r, retried) = off_runtime(*remote, || {
                    let mut api = Api::new(Target::Store(cloud));
                    (f(&mut api, caller), api.retried)
                });
                crate::retries::keep(retried);
                r
            }
            // The network blocks too.
            Backend::Server(remote) => {
                let caller = &self.caller;
                let (r, retried) = off_runtime(true, || {
                    let mut api = Api::new(Target::Server(remote));
                    (f(&mut api, caller), api.retried)
                });
                crate::retries::keep(retried);
                r
            }
        }
    }

    /// Runs one call of the cloud; a refusal becomes a diagnostic for `what`
    /// (for example "Unable to copy image"), pointing at `attribute` if given.
    pub fn call<R: Send>(
        &self,
        diags: &mut Diagnostics,
        what: &str,
        attribute: Option<&str>,
        f: impl FnOnce(&mut Api<'_>, &Caller) -> amisim_simulator::Result<R> + Send,
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

/// The provider working on the store `store`, which this process opens.
fn on_store(diags: &mut Diagnostics, resolved: &Resolved, store: &str) -> Option<Configured> {
    // A URL may hold a password: its line is never pointed at.
    let remote = store.contains("://");
    match off_runtime(remote, || Cloud::open_store(store)) {
        Ok(c) => Some(Configured {
            caller: resolved.caller.clone(),
            backend: Backend::Store {
                cloud: Mutex::new(c.in_command(crate::command::current())),
                remote,
            },
        }),
        Err(e) => {
            // Pointing at a store URL would have Terraform print its line, password and all.
            let attribute = (!remote).then_some("store");
            diags::refusal_at(diags, "Unable to open the amisim store", &e, attribute);
            None
        }
    }
}

/// The provider working through the server at `endpoint`, signing with the
/// key pair: the account is the one the key acts as (the administrator's
/// key acts as the account the block names), asked of the server first, so
/// that a server that cannot be reached, or a key it refuses, is one clear
/// diagnostic before any plan.
fn through_server(
    diags: &mut Diagnostics,
    resolved: &Resolved,
    endpoint: &str,
    access_key: &str,
    secret: &str,
) -> Option<Configured> {
    let region = &resolved.caller.region;
    let remote = match Remote::new(endpoint, access_key, secret, region) {
        Ok(r) => r.in_command(&crate::command::current_on_this_machine()),
        Err(e) => {
            diags::error(
                diags,
                "Invalid endpoint",
                format!("{e:#}"),
                Some("endpoint"),
            );
            return None;
        }
    };
    let asked = |remote: &Remote| off_runtime(true, || remote.call(&GetCaller {}));
    let who = match asked(&remote) {
        Ok(who) => who,
        Err(e) => {
            diags::refusal_at(
                diags,
                "Unable to work through the amisim server",
                &e,
                Some("endpoint"),
            );
            return None;
        }
    };
    let named = &resolved.caller.account_id;
    let (remote, account) = if who.account_id == amisim_simulator::ADMINISTRATOR {
        if !resolved.account_named {
            diags::error(
                diags,
                "Missing account_id",
                format!("The access key {access_key} is the administrator's, which acts as no account of its own: set account_id (or AMISIM_ACCOUNT_ID) to the account to act as, or use that account's key pair"),
                None,
            );
            return None;
        }
        let acting = remote.acting_as(named);
        if let Err(e) = asked(&acting) {
            diags::refusal_at(
                diags,
                "Unable to act as the account",
                &e,
                Some("account_id"),
            );
            return None;
        }
        (acting, named.clone())
    } else {
        if resolved.account_named && who.account_id != *named {
            diags::error(
                diags,
                "Conflicting account_id",
                format!("The access key {access_key} acts as account {}, not {named}: leave account_id unset to act as the key's account, or use the key pair of account {named}", who.account_id),
                Some("account_id"),
            );
            return None;
        }
        (remote, who.account_id)
    };
    Some(Configured {
        caller: Caller::new(account, region.clone()),
        backend: Backend::Server(remote),
    })
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
    /// The caller. Through a server, the account is the one the key acts
    /// as, asked of the server when the configuration names none.
    pub caller: Caller,
    /// Whether the configuration or `AMISIM_ACCOUNT_ID` named the account.
    pub account_named: bool,
    /// Where the cloud is.
    pub cloud: Where,
    /// The declared organization membership.
    pub membership: DeclareAccount,
}

/// Where the provider's cloud is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Where {
    /// A store: a path, `sqlite:PATH`, or a `postgres://` URL.
    Store(String),
    /// An `amisim serve`, and the key pair its calls are signed with.
    Server {
        /// `http://HOST:PORT`.
        endpoint: String,
        /// The access key ID.
        access_key: String,
        /// The secret access key.
        secret: String,
    },
}

/// The environment variable `name`, when set and not empty.
fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn setting(value: &Str, env_name: &str, default: Option<&str>) -> Option<String> {
    match value {
        Value::Value(v) => Some(v.clone()),
        _ => env(env_name).or_else(|| default.map(str::to_string)),
    }
}

/// The server to work through: `endpoint`, else `AMISIM_ENDPOINT` (unless
/// the block names a store), else `AWS_ENDPOINT_URL` when no store is named
/// at all (neither `store` nor `AMISIM_STORE`): as the `amisim` command
/// chooses. `None` for a store.
fn endpoint(config: &Config) -> Option<String> {
    if let Value::Value(e) = &config.endpoint {
        return Some(e.clone());
    }
    if config.store.as_ref_option().is_some() {
        return None;
    }
    env("AMISIM_ENDPOINT").or_else(|| match env("AMISIM_STORE") {
        Some(_) => None,
        None => env("AWS_ENDPOINT_URL"),
    })
}

/// Applies the environment and the defaults to a provider block, and checks the result.
pub fn resolve(config: &Config, diags: &mut Diagnostics) -> Option<Resolved> {
    if config.store.as_ref_option().is_some() && config.endpoint.as_ref_option().is_some() {
        diags::error(
            diags,
            "Conflicting store and endpoint",
            "The provider block names both a store and an endpoint, two clouds: give one, the store to open or the amisim serve to work through",
            Some("endpoint"),
        );
        return None;
    }
    let endpoint = endpoint(config);
    let named_account = setting(&config.account_id, "AMISIM_ACCOUNT_ID", None);
    let account = named_account
        .clone()
        .unwrap_or_else(|| DEFAULT_ACCOUNT.to_string());
    // Through a server, the AWS tools' region settings count too.
    let region = match (&config.region, &endpoint) {
        (Value::Value(r), _) => r.clone(),
        (_, None) => setting(&config.region, "AMISIM_REGION", Some(DEFAULT_REGION))?,
        (_, Some(_)) => env("AMISIM_REGION")
            .or_else(|| env("AWS_REGION"))
            .or_else(|| env("AWS_DEFAULT_REGION"))
            .unwrap_or_else(|| DEFAULT_REGION.to_string()),
    };
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
    let (cloud, secret) = match endpoint {
        None => {
            let store = setting(&config.store, "AMISIM_STORE", Some(DEFAULT_STORE))?;
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
            (Where::Store(store), secret)
        }
        Some(endpoint) => {
            if let Err(e) = amisim_client::is_https(&endpoint) {
                diags::error(
                    diags,
                    "Invalid endpoint",
                    format!("{e:#}"),
                    Some("endpoint"),
                );
                return None;
            }
            // An unclaimed account is reached with its ID as the access key
            // and any secret, as on the AWS API.
            let access_key = setting(&config.access_key, "AWS_ACCESS_KEY_ID", None)
                .unwrap_or_else(|| account.clone());
            let secret = match &config.secret_key {
                Value::Value(v) => v.clone(),
                _ => env("AWS_SECRET_ACCESS_KEY")
                    .or_else(|| env("AMISIM_SECRET_KEY"))
                    .unwrap_or_else(|| "amisim-unclaimed-account".to_string()),
            };
            let cloud = Where::Server {
                endpoint,
                access_key,
                secret,
            };
            (cloud, None)
        }
    };
    let caller = Caller::new(account, region).with_secret(secret);
    ok.then_some(Resolved {
        caller,
        account_named: named_account.is_some(),
        cloud,
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
        &config.endpoint,
        &config.access_key,
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
                ("region", optional_string("The AWS region of every call, for example `us-east-1`. Defaults to `AMISIM_REGION`, then (through a server) `AWS_REGION` and `AWS_DEFAULT_REGION`, then `us-east-1`. Must be a commercial AWS region.")),
                ("store", optional_string("Where the simulated cloud lives, shared by every provider block that names it: a file path (or `sqlite:PATH`), or `postgres://USER:PASSWORD@HOST:5432/DATABASE` for a cloud shared by many machines on a PostgreSQL server. Defaults to `AMISIM_STORE`, then `.amisim/cloud.db` under Terraform's working directory.")),
                ("secret_key", optional_sensitive_string("The secret of a claimed account (`amisim accounts claim`), which every call acting as it must present; unclaimed accounts need none. Defaults to `AMISIM_SECRET_KEY`; through a server (`endpoint`), the secret access key its calls are signed with, defaulting to `AWS_SECRET_ACCESS_KEY`, then `AMISIM_SECRET_KEY`. Sensitive: Terraform never shows it.")),
                ("endpoint", optional_string("Work through the `amisim serve` at this URL (`http://HOST:PORT`) instead of opening a store: every call is signed with the key pair (`access_key`, `secret_key`) and made by the server, with the same rules, IDs, diagnostics and event log. Defaults to `AMISIM_ENDPOINT` (unless the block names a `store`), then `AWS_ENDPOINT_URL` when no store is named at all (neither `store` nor `AMISIM_STORE`). Conflicts with `store`.")),
                ("access_key", optional_string("Through a server (`endpoint`), the access key ID its calls are signed with: a claimed account's, the administrator's (which then acts as `account_id`), or an unclaimed account's 12-digit ID. Defaults to `AWS_ACCESS_KEY_ID`, then the account ID. The account is the one the key acts as; `account_id`, when set, must be that account.")),
                ("organization_arn", optional_string("The ARN of the AWS Organization the account belongs to, for example `arn:aws:organizations::999999999999:organization/o-abc123`. Where the store holds the organization (made by its management account), an assertion: refused unless the management account admitted this account. Where it does not, the membership is recorded and reaches the organization's launch permissions, which is deprecated (a warning says so) until 1.0.")),
                ("organizational_unit_arn", optional_string("The ARN of the organizational unit the account belongs to, for example `arn:aws:organizations::999999999999:ou/o-abc123/ou-ab12-cdef3456`. Implies the organization. Where the store holds the organization, an assertion: refused unless its management account placed this account in the OU.")),
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
        let configured = match &resolved.cloud {
            Where::Store(store) => on_store(diags, &resolved, store)?,
            Where::Server {
                endpoint,
                access_key,
                secret,
            } => through_server(diags, &resolved, endpoint, access_key, secret)?,
        };
        if resolved.membership != DeclareAccount::default() {
            let admitted = configured.call(
                diags,
                "Unable to declare the account's organization",
                Some("organization_arn"),
                |cloud, caller| cloud.call(caller, &resolved.membership),
            )?;
            if !admitted {
                diags::warning(
                    diags,
                    "A membership the account declares for itself is deprecated",
                    format!(
                        "The store holds no organization {}: its members are those that declare it, which AWS does not allow. From 1.0 only the accounts an organization's management account admits (amisim_organization's member_account_ids, in its provider block) belong to it, and organization_arn only asserts it",
                        resolved.membership.organization_arn.as_deref().unwrap_or("?")
                    ),
                );
            }
        }
        tracing::debug!(account_id = %configured.caller.account_id, region = %configured.caller.region, through_server = matches!(configured.backend, Backend::Server(_)), "configured");
        let configured = Arc::new(configured);
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
