//! One module per command family; each turns the simulator's answers into tables or JSON.

use std::io::Write;
use std::path::Path;

use amisim_client::Remote;
use amisim_simulator::store::Filter;

use crate::args::{
    AccountsCommand, BucketsCommand, Cli, ClockCommand, Command, FaultsCommand, ImagesCommand,
    InstancesCommand, KeysCommand, OrganizationsCommand, PermissionsCommand, PricesCommand,
    RecycleBinCommand, Scope, SnapshotsCommand,
};

mod accounts;
mod bill;
mod buckets;
mod changes;
mod clock;
mod env;
mod events;
mod faults;
mod graph;
mod images;
mod instances;
mod keys;
mod lifecycle;
mod organizations;
mod permissions;
mod prices;
mod reset;
mod snapshot;
mod snapshots;

/// What every command needs besides its own arguments.
pub struct Ctx<'a> {
    /// The store file.
    pub store: &'a Path,
    /// JSON instead of tables.
    pub json: bool,
    /// The server to work through instead of the store, if any.
    pub remote: Option<Remote>,
}

/// Runs the command the user asked for, writing its output to `out`.
pub fn run(cli: &Cli, out: &mut dyn Write) -> anyhow::Result<()> {
    let store = cli.store_path();
    // The server itself, its console and the exports for it are where a
    // store is: they never work through another server.
    let local = matches!(
        cli.command,
        Command::Serve(_) | Command::Console(_) | Command::Env(_)
    );
    let remote = match cli.endpoint()? {
        Some(_) if local => None,
        Some(endpoint) => Some(remote(&endpoint)?),
        None => None,
    };
    let ctx = Ctx {
        store: &store,
        json: cli.json,
        remote,
    };
    match &cli.command {
        Command::Images(ImagesCommand::List(a)) => images::list(&ctx, out, &a.scope, a.all),
        Command::Images(ImagesCommand::Show(a)) => images::show(&ctx, out, &a.image_id),
        Command::Images(ImagesCommand::Load(a)) => images::load(&ctx, out, &a.file),
        Command::Images(ImagesCommand::References(a)) => {
            lifecycle::references(&ctx, out, &a.image_id)
        }
        Command::Images(ImagesCommand::Protect(a)) => {
            let mode = if a.cooldown {
                "enabled-with-cooldown"
            } else {
                "enabled"
            };
            lifecycle::protect(&ctx, out, &a.image.image_id, mode)
        }
        Command::Images(ImagesCommand::Unprotect(a)) => {
            lifecycle::protect(&ctx, out, &a.image_id, "disabled")
        }
        Command::Images(ImagesCommand::Disable(a)) => {
            lifecycle::set_enabled(&ctx, out, &a.image_id, false)
        }
        Command::Images(ImagesCommand::Enable(a)) => {
            lifecycle::set_enabled(&ctx, out, &a.image_id, true)
        }
        Command::Images(ImagesCommand::Deprecate(a)) => {
            lifecycle::deprecate(&ctx, out, &a.image.image_id, a.at.as_deref())
        }
        Command::RecycleBin(RecycleBinCommand::List(scope)) => {
            lifecycle::recycle_bin(&ctx, out, scope)
        }
        Command::RecycleBin(RecycleBinCommand::Restore(a)) => lifecycle::restore(&ctx, out, &a.id),
        Command::Accounts(AccountsCommand::Claim(a)) => accounts::claim(&ctx, out, &a.account_id),
        Command::Accounts(AccountsCommand::List) => accounts::list(&ctx, out),
        Command::Organizations(OrganizationsCommand::List(scope)) => {
            organizations::list(&ctx, out, scope.account.as_deref())
        }
        Command::Accounts(AccountsCommand::Release(a)) => {
            accounts::release(&ctx, out, &a.account.account_id, a.force)
        }
        Command::Instances(InstancesCommand::List(scope)) => instances::list(&ctx, out, scope),
        Command::Instances(InstancesCommand::Show(a)) => instances::show(&ctx, out, &a.instance_id),
        Command::Snapshots(SnapshotsCommand::List(a)) => {
            snapshots::list(&ctx, out, &a.scope, a.all)
        }
        Command::Buckets(BucketsCommand::List(scope)) => buckets::list(&ctx, out, scope),
        Command::Buckets(BucketsCommand::Delete(a)) => {
            buckets::delete(&ctx, out, &a.bucket, &a.key)
        }
        Command::Keys(KeysCommand::List(scope)) => keys::list(&ctx, out, scope),
        Command::Permissions(PermissionsCommand::List(a)) => {
            permissions::list(&ctx, out, &a.scope, a.all)
        }
        Command::Events(a) => events::list(&ctx, out, a),
        Command::Bill(scope) => bill::show(&ctx, out, scope),
        Command::Deregister(a) => changes::deregister(&ctx, out, &a.image_id, a.delete_snapshots),
        Command::DeleteSnapshot(a) => changes::delete_snapshot(&ctx, out, &a.storage_id),
        Command::DeleteVolume(a) => changes::delete_volume(&ctx, out, &a.volume_id),
        Command::Terminate(a) => changes::terminate(&ctx, out, &a.instance_id),
        Command::Stop(a) => changes::stop(&ctx, out, &a.instance_id),
        Command::Start(a) => changes::start(&ctx, out, &a.instance_id),
        Command::Revoke(r) => changes::revoke(&ctx, out, r),
        Command::Leave(a) => changes::leave(&ctx, out, &a.image_id, &a.account_id),
        Command::Reset(a) => reset::reset(&ctx, out, a.yes),
        Command::Prices(PricesCommand::Show) => prices::show(&ctx, out),
        Command::Prices(PricesCommand::Set { file }) => prices::set(&ctx, out, file),
        Command::Clock(ClockCommand::Show) => clock::show(&ctx, out),
        Command::Clock(ClockCommand::Advance { duration }) => clock::advance(&ctx, out, duration),
        Command::Faults(FaultsCommand::Add(a)) => faults::add(&ctx, out, a),
        Command::Faults(FaultsCommand::List) => faults::list(&ctx, out),
        Command::Faults(FaultsCommand::Clear { id }) => faults::clear(&ctx, out, id.as_deref()),
        Command::Snapshot(a) => snapshot::run(&ctx, out, a),
        Command::Graph(a) => graph::draw(&ctx, out, a),
        Command::Console(a) => crate::console::serve(ctx.store, &a.listen, &a.host, out),
        Command::Serve(a) => crate::console::serve_with_api(ctx.store, a, out),
        Command::Env(a) => env::print(out, a),
    }
}

/// The client of the server at `endpoint`, signing with the AWS environment's key pair.
fn remote(endpoint: &str) -> anyhow::Result<Remote> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let region = var("AWS_REGION")
        .or_else(|| var("AWS_DEFAULT_REGION"))
        .unwrap_or_else(|| amisim_simulator::catalogue::DEFAULT_REGION.to_string());
    Remote::new(
        endpoint,
        &var("AWS_ACCESS_KEY_ID").unwrap_or_default(),
        &var("AWS_SECRET_ACCESS_KEY").unwrap_or_default(),
        &region,
    )
}

/// The store filter of a listing's `--account` and `--region`.
fn filter(scope: &Scope) -> Filter<'_> {
    Filter {
        account: scope.account.as_deref(),
        region: scope.region.as_deref(),
        name: None,
    }
}

/// A listing's scope in words: " of account A in R", or nothing.
pub(crate) fn scope_words(filter: Filter<'_>) -> String {
    let mut text = String::new();
    if let Some(a) = filter.account {
        text.push_str(&format!(" of account {a}"));
    }
    if let Some(r) = filter.region {
        text.push_str(&format!(" in {r}"));
    }
    text
}

/// A line saying a listing found nothing, with what the scope was.
fn nothing(out: &mut dyn Write, what: &str, scope: &Scope, hint: &str) -> std::io::Result<()> {
    writeln!(out, "No {what}{}{hint}", scope_words(filter(scope)))
}
