//! `amisim accounts`: claim accounts of a shared cloud, list and release claims.

use std::io::Write;

use serde::Serialize;

use super::changes::as_owner;
use super::Ctx;
use crate::{open, table};
use amisim_simulator::{Caller, ClaimAccount, ReleaseAccount};

#[derive(Serialize)]
struct Claimed<'a> {
    account_id: &'a str,
    secret: &'a str,
}

pub fn claim(ctx: &Ctx<'_>, out: &mut dyn Write, account: &str) -> anyhow::Result<()> {
    let mut cloud = open::or_create(ctx.store)?;
    let secret = cloud.call(&Caller::administrator(), &ClaimAccount::new(account))?;
    if ctx.json {
        table::print_json(
            out,
            &Claimed {
                account_id: account,
                secret: &secret,
            },
        )?;
    } else {
        writeln!(
            out,
            "Claimed account {account}. Its secret, shown only this once:"
        )?;
        writeln!(out, "{secret}")?;
        writeln!(
            out,
            "Every call acting as {account} must now present it: secret_key in the provider block, or AMISIM_SECRET_KEY"
        )?;
    }
    Ok(())
}

pub fn list(ctx: &Ctx<'_>, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut cloud = open::read_only(ctx.store)?;
    let claims = cloud.claims()?;
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
    let mut cloud = open::for_change(ctx.store)?;
    // A forced release is the administrator's; without force the account
    // releases its own claim, presenting its secret.
    let caller = if force {
        Caller::administrator()
    } else {
        as_owner(account, amisim_simulator::catalogue::DEFAULT_REGION)
    };
    let released = cloud.call(&caller, &ReleaseAccount::new(account, force))?;
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
