//! `amisim keys list`: KMS keys and their grants.

use std::io::Write;

use amisim_simulator::inventory;

use super::{filter, nothing, Ctx};
use crate::args::Scope;
use crate::{open, table};

pub fn list(ctx: &Ctx<'_>, out: &mut dyn Write, scope: &Scope) -> anyhow::Result<()> {
    let mut cloud = open::view(ctx)?;
    let keys = cloud.read(|tx| inventory::keys(tx, filter(scope)))?;
    if ctx.json {
        table::print_json(out, &keys)?;
        return Ok(());
    }
    if keys.is_empty() {
        nothing(out, "KMS keys", scope, "")?;
        return Ok(());
    }
    let mut t = table::new(&[
        "ID",
        "REGION",
        "OWNER",
        "MANAGED BY",
        "STATE",
        "DESCRIPTION",
        "GRANTED TO",
    ]);
    for v in &keys {
        let k = &v.key;
        let grantees: Vec<String> = v
            .grants
            .iter()
            .map(|g| g.grantee_account_id.clone())
            .collect();
        t.add_row(vec![
            k.id.clone(),
            k.region.clone(),
            k.owner_id.clone(),
            if k.aws_managed {
                "AWS (alias/aws/ebs)".to_string()
            } else {
                "customer".to_string()
            },
            k.state.clone(),
            table::or_dash(Some(&k.description)),
            table::list(&grantees),
        ]);
    }
    table::print(out, &t)?;
    Ok(())
}
