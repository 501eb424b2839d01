//! `amisim organizations list`: the organizations, who manages each, the
//! accounts it admitted and its organizational units.

use std::io::Write;

use amisim_simulator::inventory;
use amisim_simulator::{Organization, OrganizationalUnit};
use serde::Serialize;

use super::Ctx;
use crate::{open, table};

/// An organization as listed in JSON, with its OUs.
#[derive(Serialize)]
struct Listed {
    #[serde(flatten)]
    organization: Organization,
    organizational_units: Vec<OrganizationalUnit>,
}

pub fn list(ctx: &Ctx<'_>, out: &mut dyn Write, account: Option<&str>) -> anyhow::Result<()> {
    let mut cloud = open::view(ctx)?;
    let listed: Vec<Listed> = cloud
        .read(|tx| inventory::organizations(tx, account))?
        .into_iter()
        .map(|(organization, organizational_units)| Listed {
            organization,
            organizational_units,
        })
        .collect();
    if ctx.json {
        table::print_json(out, &listed)?;
        return Ok(());
    }
    if listed.is_empty() {
        let whose = account
            .map(|a| format!(" of account {a}"))
            .unwrap_or_default();
        writeln!(
            out,
            "No organization{whose}: a management account makes one with amisim_organization"
        )?;
        return Ok(());
    }
    let mut t = table::new(&["ORGANIZATION", "MANAGEMENT", "OU", "ACCOUNTS"]);
    for l in &listed {
        let o = &l.organization;
        t.add_row(vec![
            o.id.clone(),
            o.management_account_id.clone(),
            "-".to_string(),
            o.member_account_ids.join(" "),
        ]);
        for u in &l.organizational_units {
            t.add_row(vec![
                o.id.clone(),
                o.management_account_id.clone(),
                format!("{} ({})", u.id, u.name),
                u.member_account_ids.join(" "),
            ]);
        }
    }
    table::print(out, &t)?;
    Ok(())
}
