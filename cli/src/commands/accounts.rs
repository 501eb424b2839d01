//! `amisim accounts`: claim accounts of a shared cloud, list and release claims.

use std::io::Write;

use super::changes::as_owner;
use super::Ctx;
use crate::{open, table};
use amisim_simulator::{Caller, ClaimAccount, ListClaims, ReleaseAccount};

pub fn claim(ctx: &Ctx<'_>, out: &mut dyn Write, account: &str) -> anyhow::Result<()> {
    let pair = match &ctx.remote {
        // The server seals the secret under its own key file.
        Some(remote) => remote.call(&ClaimAccount::new(account))?,
        None => {
            // The secret is sealed under the key file's key, outside the store, so
            // that `amisim serve` can check signatures and a copy of the store cannot.
            let key = amisim_server::keyfile::load_or_create()?;
            let mut cloud = open::or_create(ctx.store)?;
            cloud.call(
                &Caller::administrator(),
                &ClaimAccount::new(account).sealed_under(Some(key)),
            )?
        }
    };
    if ctx.json {
        table::print_json(out, &pair)?;
    } else {
        writeln!(
            out,
            "Claimed account {account}. Its access key, shown only this once:"
        )?;
        writeln!(out, "export AWS_ACCESS_KEY_ID={}", pair.access_key_id)?;
        writeln!(
            out,
            "export AWS_SECRET_ACCESS_KEY={}",
            pair.secret_access_key
        )?;
        writeln!(
            out,
            "Every call acting as {account} must now present it: the secret access key as secret_key in the provider block (or AMISIM_SECRET_KEY), or both through amisim serve"
        )?;
    }
    Ok(())
}

pub fn list(ctx: &Ctx<'_>, out: &mut dyn Write) -> anyhow::Result<()> {
    let claims = match &ctx.remote {
        Some(remote) => remote.call(&ListClaims {})?,
        None => open::view(ctx)?.claims()?,
    };
    if ctx.json {
        table::print_json(out, &claims)?;
        return Ok(());
    }
    if claims.is_empty() {
        writeln!(out, "No account is claimed: every account is open")?;
        return Ok(());
    }
    let mut t = table::new(&["ACCOUNT", "CLAIMED"]);
    for c in &claims {
        t.add_row(vec![c.account_id.clone(), c.claimed.clone()]);
    }
    table::print(out, &t)?;
    Ok(())
}

pub fn release(
    ctx: &Ctx<'_>,
    out: &mut dyn Write,
    account: &str,
    force: bool,
) -> anyhow::Result<()> {
    let request = ReleaseAccount::new(account, force);
    let released = match &ctx.remote {
        // Through a server the key decides: the administrator's forces, an
        // account's releases its own claim.
        Some(remote) => remote.call(&request)?,
        None => {
            let mut cloud = open::for_change(ctx.store)?;
            // A forced release is the administrator's; without force the account
            // releases its own claim, presenting its secret.
            let caller = if force {
                Caller::administrator()
            } else {
                as_owner(account, amisim_simulator::catalogue::DEFAULT_REGION)
            };
            cloud.call(&caller, &request)?
        }
    };
    if released {
        writeln!(
            out,
            "Released account {account}: its calls need no secret any more"
        )?;
    } else {
        writeln!(out, "Account {account} was not claimed; nothing changed")?;
    }
    Ok(())
}
