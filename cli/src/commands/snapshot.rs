//! `amisim snapshot`: the whole cloud as canonical, diff-friendly text.
//!
//! The clock and a digest of the public catalogue (which the listings leave
//! out, so that a change to it still shows), then one section per kind of
//! object, one line per object (its fields as compact JSON, in the canonical
//! order of the listings), then the account settings, the bill and the event
//! log. The same commands on a new store give the same
//! bytes, so a saved snapshot is a test oracle: `--check FILE` compares and
//! prints a unified diff, `--update FILE` saves a new one.

use std::io::Write;
use std::path::Path;

use amisim_simulator::inventory::{self, EventQuery};
use amisim_simulator::store::Filter;
use amisim_simulator::{
    dates, ids, Account, Cloud, FaultRule, ImageSettings, RecycleBinRule, RecycledStorage,
    StoredImage, UsageReport,
};
use anyhow::{bail, Context};
use serde::Serialize;

use super::Ctx;
use crate::args::{SnapshotArgs, SnapshotEvents};
use crate::open;

/// Everything the snapshot holds, as `--json` prints it.
#[derive(Serialize)]
struct Snapshot {
    clock: String,
    catalogue: inventory::CatalogueDigest,
    images: Vec<serde_json::Value>,
    storage: Vec<serde_json::Value>,
    launch_permissions: Vec<serde_json::Value>,
    storage_permissions: Vec<serde_json::Value>,
    keys: Vec<serde_json::Value>,
    instances: Vec<serde_json::Value>,
    accounts: Vec<serde_json::Value>,
    image_settings: Vec<serde_json::Value>,
    recycle_bin_rules: Vec<serde_json::Value>,
    recycle_bin: Vec<serde_json::Value>,
    /// Images stored in S3 buckets; left out when there are none, so that
    /// snapshots saved before they existed still match.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    stored_images: Vec<serde_json::Value>,
    /// Image usage reports; left out when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    usage_reports: Vec<serde_json::Value>,
    /// Organizations (those the account belongs to, with `--account`);
    /// left out when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    organizations: Vec<serde_json::Value>,
    /// Their organizational units; left out when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    organizational_units: Vec<serde_json::Value>,
    /// The fault rules in force (those that can match the account and
    /// region, with `--account` and `--region`); left out when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fault_rules: Vec<serde_json::Value>,
    bill: Vec<serde_json::Value>,
    /// The event log as `--events` selects it; left out with `--events none`.
    #[serde(skip_serializing_if = "Option::is_none")]
    events: Option<Vec<serde_json::Value>>,
}

pub fn run(ctx: &Ctx<'_>, out: &mut dyn Write, args: &SnapshotArgs) -> anyhow::Result<()> {
    let mut cloud = open::view(ctx)?;
    let snapshot = take(
        &mut cloud,
        args.scope.account.as_deref(),
        args.scope.region.as_deref(),
        args.events,
    )?;
    let text = if ctx.json {
        format!("{}\n", serde_json::to_string_pretty(&snapshot)?)
    } else {
        render(&snapshot)
    };
    if let Some(file) = &args.check {
        let saved = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read the saved snapshot {}", file.display()))?;
        if saved == text {
            writeln!(out, "The cloud matches {}", file.display())?;
            return Ok(());
        }
        let diff = similar::TextDiff::from_lines(&saved, &text);
        let saved_name = file.display().to_string();
        write!(
            out,
            "{}",
            diff.unified_diff()
                .context_radius(3)
                .header(&saved_name, "the cloud now")
        )?;
        out.flush()?;
        bail!(
            "the cloud differs from {} (the diff is above); run with --update {} to accept it",
            file.display(),
            file.display()
        );
    }
    if let Some(file) = &args.update {
        write_file(file, &text)?;
        writeln!(out, "Saved the snapshot to {}", file.display())?;
        return Ok(());
    }
    write!(out, "{text}")?;
    Ok(())
}

fn write_file(file: &Path, text: &str) -> anyhow::Result<()> {
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the folder {}", dir.display()))?;
    }
    std::fs::write(file, text).with_context(|| format!("cannot write {}", file.display()))
}

fn json<T: Serialize>(items: impl IntoIterator<Item = T>) -> Vec<serde_json::Value> {
    items
        .into_iter()
        .map(|i| serde_json::to_value(i).unwrap_or(serde_json::Value::Null))
        .collect()
}

/// `items` in the order of `key`.
fn sorted<T, K: Ord>(mut items: Vec<T>, key: impl Fn(&T) -> K) -> Vec<T> {
    items.sort_by_key(|i| key(i));
    items
}

fn take(
    cloud: &mut Cloud,
    account: Option<&str>,
    region: Option<&str>,
    which: SnapshotEvents,
) -> anyhow::Result<Snapshot> {
    let filter = Filter {
        account,
        region,
        name: None,
    };
    let snapshot = cloud.read(|tx| {
        let mut accounts: Vec<Account> = tx.list::<Account>(Filter::default())?;
        accounts.retain(|a| account.is_none_or(|x| x == a.id));
        let (organizations, units): (Vec<_>, Vec<Vec<_>>) =
            inventory::organizations(tx, account)?.into_iter().unzip();
        let units: Vec<_> = units.into_iter().flatten().collect();
        let mut faults = tx.list::<FaultRule>(Filter::default())?;
        faults.retain(|f| {
            account.is_none_or(|a| f.account_id.as_deref().is_none_or(|x| x == a))
                && region.is_none_or(|r| f.region.as_deref().is_none_or(|x| x == r))
        });
        faults.sort_by_key(FaultRule::number);
        let mut events = inventory::events(
            tx,
            &EventQuery {
                account,
                region,
                ..EventQuery::default()
            },
        )?;
        if which == SnapshotEvents::Changes {
            events.retain(|e| !e.is_successful_read());
        }
        // Numbered within the snapshot, so the reads left out leave no gaps;
        // the keys calls were made with are random, and no part of what the
        // cloud is.
        for (n, e) in events.iter_mut().enumerate() {
            e.seq = n as i64 + 1;
            e.access_key_id = None;
        }
        Ok(Snapshot {
            clock: dates::format_time(ids::now(tx)?),
            catalogue: inventory::catalogue_digest(tx, region)?,
            images: json(inventory::images(tx, filter, false, true)?),
            storage: json(
                inventory::storage(tx, filter, false)?
                    .into_iter()
                    .map(|v| v.storage),
            ),
            launch_permissions: json(inventory::launch_permissions(tx, filter, false)?),
            storage_permissions: json(inventory::storage_permissions(tx, filter)?),
            keys: json(inventory::keys(tx, filter)?),
            instances: json(inventory::instances(tx, filter)?),
            accounts: json(accounts),
            image_settings: json(sorted(tx.list::<ImageSettings>(filter)?, |x| x.id.clone())),
            recycle_bin_rules: json(sorted(tx.list::<RecycleBinRule>(filter)?, |x| {
                (x.account_id.clone(), x.region.clone(), x.id.clone())
            })),
            recycle_bin: json(sorted(tx.list::<RecycledStorage>(filter)?, |x| {
                x.storage.id.clone()
            })),
            stored_images: json(sorted(tx.list::<StoredImage>(filter)?, |x| x.id.clone())),
            usage_reports: json(sorted(tx.list::<UsageReport>(filter)?, |x| {
                (x.creation_time.clone(), x.id.clone())
            })),
            organizations: json(organizations),
            organizational_units: json(sorted(units, |u| {
                (u.organization_id.clone(), u.name.clone())
            })),
            fault_rules: json(faults),
            bill: json(inventory::bills(tx, account, region)?),
            events: (which != SnapshotEvents::None).then(|| json(events)),
        })
    })?;
    Ok(snapshot)
}

/// The snapshot as text: a header per section, a line per object.
fn render(s: &Snapshot) -> String {
    let mut text = String::from("# amisim snapshot\n");
    text.push_str(&format!("clock {}\n", s.clock));
    text.push_str(&format!(
        "catalogue {} images sha256:{}\n",
        s.catalogue.images, s.catalogue.sha256
    ));
    for (title, items) in [
        ("images", &s.images),
        ("storage", &s.storage),
        ("launch permissions", &s.launch_permissions),
        ("storage permissions", &s.storage_permissions),
        ("keys", &s.keys),
        ("instances", &s.instances),
        ("accounts", &s.accounts),
        ("image settings", &s.image_settings),
        ("recycle bin rules", &s.recycle_bin_rules),
        ("recycle bin", &s.recycle_bin),
        ("stored images", &s.stored_images),
        ("usage reports", &s.usage_reports),
        ("organizations", &s.organizations),
        ("organizational units", &s.organizational_units),
        ("fault rules", &s.fault_rules),
        ("bill", &s.bill),
    ]
    .into_iter()
    // Sections newer than the snapshot format show only when they hold something.
    .filter(|(title, items)| {
        !items.is_empty()
            || ![
                "stored images",
                "usage reports",
                "organizations",
                "organizational units",
                "fault rules",
            ]
            .contains(title)
    })
    .chain(s.events.as_ref().map(|e| ("events", e)))
    {
        text.push_str(&format!("\n## {title} ({})\n", items.len()));
        for item in items {
            text.push_str(&item.to_string());
            text.push('\n');
        }
    }
    text
}
