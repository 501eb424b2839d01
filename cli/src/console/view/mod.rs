//! What each page of the console shows, read from the store in one
//! consistent read and turned into plain strings for the templates.
//!
//! Nothing here writes to the store or logs a call: the console only looks.
//! The links between pages are in `links`, the lineage drawing in `lineage`;
//! this module holds the page models.

use std::collections::BTreeMap;

use amisim_simulator::inventory::{self, EventQuery, KeyView, OutcomeFilter, StorageView};
use amisim_simulator::store::{Filter, Tx};
use amisim_simulator::{Event, Image, Instance, InstanceState, LaunchPermission, Principal};

use crate::table;

mod lineage;
pub mod links;

pub use lineage::{graph, Graph};
use links::link_opt;
pub use links::{encode, link, Link};

/// Which account and region a listing shows; `None` is every one.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct Scope {
    pub account: Option<String>,
    pub region: Option<String>,
}

impl Scope {
    fn filter(&self) -> Filter<'_> {
        Filter {
            account: self.account.as_deref().filter(|a| !a.is_empty()),
            region: self.region.as_deref().filter(|r| !r.is_empty()),
            name: None,
        }
    }

    /// The images page of this scope, with deregistered images or without.
    pub fn images_href(&self, all: bool) -> String {
        let f = self.filter();
        let mut query = Vec::new();
        if all {
            query.push("all=1".to_string());
        }
        if let Some(a) = f.account {
            query.push(format!("account={}", encode(a)));
        }
        if let Some(r) = f.region {
            query.push(format!("region={}", encode(r)));
        }
        format!("{}images?{}", links::base(), query.join("&"))
    }

    /// "of account A in region R", or nothing.
    pub fn words(&self) -> String {
        crate::commands::scope_words(self.filter())
    }
}

// ---------------------------------------------------------------- overview

/// One row of the overview: an account in a region.
pub struct ScopeRow {
    pub account: Link,
    pub region: String,
    pub images_href: String,
    pub images: usize,
    pub instances: usize,
    pub keys: usize,
    pub monthly: String,
}

pub struct Overview {
    pub rows: Vec<ScopeRow>,
    pub total: String,
    pub events: usize,
    pub refusals: usize,
}

pub fn overview(tx: &Tx<'_>) -> amisim_simulator::Result<Overview> {
    let all = Filter::default();
    // (account, region) -> images, live instances, keys, monthly micro-dollars
    let mut counts: BTreeMap<(String, String), (usize, usize, usize, i64)> = BTreeMap::new();
    for i in inventory::images(tx, all, false, false)? {
        counts.entry((i.owner_id, i.region)).or_default().0 += 1;
    }
    for i in inventory::instances(tx, all)? {
        if i.state == InstanceState::Running {
            counts.entry((i.owner_id, i.region)).or_default().1 += 1;
        }
    }
    for k in inventory::keys(tx, all)? {
        if !k.key.aws_managed {
            counts.entry((k.key.owner_id, k.key.region)).or_default().2 += 1;
        }
    }
    let mut total = 0;
    for bill in inventory::bills(tx, None, None)? {
        for line in bill.lines {
            total += line.amount_micros;
            counts
                .entry((bill.account_id.clone(), line.region))
                .or_default()
                .3 += line.amount_micros;
        }
    }
    let rows = counts
        .into_iter()
        .map(
            |((account, region), (images, instances, keys, micros))| ScopeRow {
                images_href: format!(
                    "{}images?account={}&region={}",
                    links::base(),
                    encode(&account),
                    encode(&region)
                ),
                account: link(&account),
                region,
                images,
                instances,
                keys,
                monthly: table::usd(micros),
            },
        )
        .collect();
    let events = inventory::events(tx, &EventQuery::default())?;
    let refusals = events.iter().filter(|e| e.outcome != "ok").count();
    Ok(Overview {
        rows,
        total: table::usd(total),
        events: events.len(),
        refusals,
    })
}

// ---------------------------------------------------------------- images

/// An image as a row of the images page (the EC2 console's columns).
pub struct ImageRow {
    pub name: String,
    pub id: Link,
    pub state: String,
    pub visibility: String,
    pub protection: String,
    pub deprecation: String,
    pub created: String,
    pub source: Link,
    pub owner: Link,
    pub region: String,
}

/// Public, private, or shared with how many principals.
fn visibility(permissions: &[&LaunchPermission]) -> String {
    if permissions
        .iter()
        .any(|p| matches!(&p.principal, Principal::Group(g) if g == "all"))
    {
        return "Public".to_string();
    }
    match permissions.len() {
        0 => "Private".to_string(),
        1 => format!("Shared with {}", permissions[0].principal.as_str()),
        n => format!("Shared with {n}"),
    }
}

fn source(image: &Image) -> Link {
    match (&image.source_image_id, &image.source_instance_id) {
        (Some(id), _) => link(id),
        (None, Some(instance)) => link(instance),
        (None, None) => Link {
            href: String::new(),
            text: "registered".to_string(),
        },
    }
}

fn protection(image: &Image) -> String {
    match &image.protected_until {
        Some(until)
            if image.deregistration_protection == amisim_simulator::Protection::Disabled =>
        {
            format!("cooldown until {until}")
        }
        _ => image.deregistration_protection.to_string(),
    }
}

pub fn image_rows(
    tx: &Tx<'_>,
    scope: &Scope,
    all: bool,
) -> amisim_simulator::Result<Vec<ImageRow>> {
    let permissions = inventory::launch_permissions(tx, scope.filter(), true)?;
    let mut by_image: BTreeMap<&str, Vec<&LaunchPermission>> = BTreeMap::new();
    for p in &permissions {
        by_image.entry(&p.image_id).or_default().push(p);
    }
    Ok(inventory::images(tx, scope.filter(), false, all)?
        .into_iter()
        .map(|i| ImageRow {
            visibility: visibility(by_image.get(i.id.as_str()).map_or(&[][..], |v| v)),
            protection: protection(&i),
            deprecation: i.deprecation_time.clone().unwrap_or_else(|| "–".into()),
            created: i.creation_date.clone(),
            source: source(&i),
            owner: link(&i.owner_id),
            state: i.state.as_str().to_string(),
            id: link(&i.id),
            region: i.region.clone(),
            name: i.name,
        })
        .collect())
}

// ---------------------------------------------------------------- one image

pub struct Fact {
    pub label: &'static str,
    pub value: Link,
}

fn fact(label: &'static str, text: impl Into<String>) -> Fact {
    Fact {
        label,
        value: Link {
            href: String::new(),
            text: text.into(),
        },
    }
}

fn fact_link(label: &'static str, id: Option<&str>) -> Fact {
    Fact {
        label,
        value: link_opt(id),
    }
}

pub struct StorageRow {
    pub id: Link,
    pub kind: String,
    pub region: String,
    pub owner: Link,
    pub size_gb: i64,
    pub encrypted: String,
    pub readers: String,
    pub image: Link,
    pub image_state: String,
}

fn storage_row(v: &StorageView) -> StorageRow {
    let s = &v.storage;
    StorageRow {
        id: link(&s.id),
        kind: match s.kind {
            amisim_simulator::StorageKind::Snapshot => "EBS snapshot",
            amisim_simulator::StorageKind::Bundle => "instance-store bundle",
            amisim_simulator::StorageKind::Volume => "EBS volume (kept)",
        }
        .to_string(),
        region: s.region.clone(),
        owner: link(&s.owner_id),
        size_gb: s.size_gb,
        encrypted: match &s.kms_key_arn {
            Some(arn) => format!("yes ({})", arn.rsplit('/').next().unwrap_or(arn)),
            None => table::yes_no(s.encrypted),
        },
        readers: table::readers(v),
        image: link(&s.created_for_image),
        image_state: v
            .image_state
            .map_or("not in the store".to_string(), |s| s.as_str().to_string()),
    }
}

pub struct PermissionRow {
    pub kind: &'static str,
    pub object: Link,
    pub principal: Link,
    pub region: String,
}

pub struct InstanceRow {
    pub id: Link,
    pub state: String,
    pub instance_type: String,
    pub image: Link,
    pub owner: Link,
    pub region: String,
    pub launched: String,
    pub hourly: String,
}

fn instance_row(i: &Instance) -> InstanceRow {
    InstanceRow {
        id: link(&i.id),
        state: i.state.as_str().to_string(),
        instance_type: i.instance_type.clone(),
        image: link(&i.image_id),
        owner: link(&i.owner_id),
        region: i.region.clone(),
        launched: i.launch_time.clone(),
        hourly: table::usd(i.hourly_cost_micros),
    }
}

/// One event as a row of a table; refusals carry their code.
pub struct EventRow {
    pub seq: i64,
    pub time: String,
    pub account: Link,
    pub region: String,
    pub action: String,
    pub subject: Link,
    pub outcome: String,
    pub refused: bool,
    /// The fault rule that refused the call on purpose; empty if none did.
    pub fault: String,
    pub parameters: String,
}

fn event_row(e: &Event) -> EventRow {
    EventRow {
        seq: e.seq,
        time: e.time.clone(),
        account: link(&e.account_id),
        region: e.region.clone(),
        action: e.action.clone(),
        subject: link_opt(e.resource_id.as_deref()),
        outcome: e.outcome.clone(),
        refused: e.outcome != "ok",
        fault: e.fault.clone().unwrap_or_default(),
        parameters: e.parameters.to_string(),
    }
}

pub struct ImagePage {
    pub id: String,
    pub name: String,
    pub state: String,
    pub facts: Vec<Fact>,
    pub tags: Vec<(String, String)>,
    pub storage: Vec<StorageRow>,
    pub permissions: Vec<PermissionRow>,
    pub instances: Vec<InstanceRow>,
    pub graph: Graph,
    pub events: Vec<EventRow>,
}

/// Events whose subject is one of `names` or whose request names one of them.
fn events_about(tx: &Tx<'_>, names: &[&str]) -> amisim_simulator::Result<Vec<EventRow>> {
    let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    Ok(inventory::events(tx, &EventQuery::default())?
        .iter()
        .filter(|e| {
            let request = e.parameters.to_string();
            e.resource_id.as_deref().is_some_and(|r| names.contains(&r))
                || quoted.iter().any(|q| request.contains(q))
        })
        .map(event_row)
        .collect())
}

pub fn image_page(tx: &Tx<'_>, id: &str) -> amisim_simulator::Result<Option<ImagePage>> {
    let Some(r) = inventory::image_report(tx, id)? else {
        return Ok(None);
    };
    let i = &r.image;
    let mut facts = vec![
        fact("AMI ID", i.id.clone()),
        fact("ARN", r.arn.clone()),
        fact_link("Owner", Some(&i.owner_id)),
        fact("Region", i.region.clone()),
        fact("State", i.state.as_str()),
        fact("Created", i.creation_date.clone()),
        fact("Description", i.description.clone()),
        fact("Architecture", i.architecture.clone()),
        fact("Platform", i.platform.clone()),
        fact(
            "Root device",
            format!("{} ({} GiB)", i.root_device_type, i.size_gb),
        ),
        fact(
            "Encrypted",
            match &i.kms_key_arn {
                Some(arn) => format!("yes, with {arn}"),
                None => table::yes_no(i.encrypted),
            },
        ),
        fact(
            "Visibility",
            visibility(&r.launch_permissions.iter().collect::<Vec<_>>()),
        ),
        fact("Deregistration protection", protection(i)),
        fact(
            "Deprecation",
            i.deprecation_time.clone().unwrap_or_else(|| "–".into()),
        ),
        fact(
            "Last launched",
            i.last_launched_time.clone().unwrap_or_else(|| "–".into()),
        ),
        fact("Billing products", table::list(&i.billing_products)),
        fact(
            "Storage cost",
            format!("{} a month", table::usd(r.monthly_storage_cost_micros)),
        ),
    ];
    if let Some(kms) = &i.kms_key_arn {
        facts.push(fact_link("KMS key", Some(kms)));
    }
    facts.push(Fact {
        label: "Source",
        value: source(i),
    });
    if let Some(t) = &i.deregistration_time {
        facts.push(fact("Deregistered", t.clone()));
    }
    if let Some(t) = &i.recycle_bin_until {
        facts.push(fact("In the Recycle Bin until", t.clone()));
    }
    // The owner's newer settings show when they are set.
    if !i.supported_instance_types.is_empty() {
        facts.push(fact(
            "Supported instance types",
            table::list(&i.supported_instance_types),
        ));
    }
    if !i.unsupported_instance_types.is_empty() {
        facts.push(fact(
            "Unsupported instance types",
            table::list(&i.unsupported_instance_types),
        ));
    }
    if !i.watermarks.is_empty() {
        facts.push(fact("Watermarks", table::watermarks(&i.id, &i.watermarks)));
    }
    let mut permissions: Vec<PermissionRow> = r
        .launch_permissions
        .iter()
        .map(|p| PermissionRow {
            kind: "launch",
            object: link(&p.image_id),
            principal: link(p.principal.as_str()),
            region: p.region.clone(),
        })
        .collect();
    permissions.extend(r.storage_permissions.iter().map(|p| PermissionRow {
        kind: "storage read",
        object: link(&p.storage_id),
        principal: link(&p.account_id),
        region: p.region.clone(),
    }));
    Ok(Some(ImagePage {
        id: i.id.clone(),
        name: i.name.clone(),
        state: i.state.as_str().to_string(),
        facts,
        tags: i.tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        storage: r.storage.iter().map(storage_row).collect(),
        permissions,
        instances: r.instances.iter().map(instance_row).collect(),
        graph: graph(&r.lineage),
        events: events_about(tx, &[&i.id])?,
    }))
}

// ---------------------------------------------------------------- instances, storage, keys

pub fn instance_rows(tx: &Tx<'_>, scope: &Scope) -> amisim_simulator::Result<Vec<InstanceRow>> {
    Ok(inventory::instances(tx, scope.filter())?
        .iter()
        .map(instance_row)
        .collect())
}

pub struct ObjectPage {
    pub kind: &'static str,
    pub id: String,
    pub facts: Vec<Fact>,
    pub tags: Vec<(String, String)>,
    pub grants: Vec<GrantRow>,
    pub events: Vec<EventRow>,
}

pub fn instance_page(tx: &Tx<'_>, id: &str) -> amisim_simulator::Result<Option<ObjectPage>> {
    let Some(i) = tx.get::<Instance>(id)? else {
        return Ok(None);
    };
    let facts = vec![
        fact("Instance ID", i.id.clone()),
        fact("State", i.state.as_str()),
        fact_link("AMI", Some(&i.image_id)),
        fact_link("Owner", Some(&i.owner_id)),
        fact("Region", i.region.clone()),
        fact("Instance type", i.instance_type.clone()),
        fact("Platform", format!("{} ({})", i.platform, i.architecture)),
        fact(
            "Root device",
            format!("{} ({} GiB)", i.root_device_type, i.root_volume_size_gb),
        ),
        fact_link("Root volume", i.root_volume_id.as_deref()),
        fact(
            "Root volume deleted on termination",
            table::yes_no(i.root_delete_on_termination),
        ),
        fact("Launched", i.launch_time.clone()),
        fact("Software", table::list(&i.software)),
        fact("Billing products", table::list(&i.billing_products)),
        fact("Hourly cost", table::usd(i.hourly_cost_micros)),
    ];
    Ok(Some(ObjectPage {
        kind: "Instance",
        id: i.id.clone(),
        tags: i.tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        facts,
        grants: Vec::new(),
        events: events_about(tx, &[id])?,
    }))
}

pub fn storage_rows(tx: &Tx<'_>, scope: &Scope) -> amisim_simulator::Result<Vec<StorageRow>> {
    Ok(inventory::storage(tx, scope.filter(), false)?
        .iter()
        .map(storage_row)
        .collect())
}

pub fn storage_page(tx: &Tx<'_>, id: &str) -> amisim_simulator::Result<Option<ObjectPage>> {
    let Some(v) = inventory::storage_one(tx, id)? else {
        return Ok(None);
    };
    let row = storage_row(&v);
    let s = &v.storage;
    let facts = vec![
        fact("ID", s.id.clone()),
        fact("Kind", row.kind.clone()),
        fact_link("Owner", Some(&s.owner_id)),
        fact("Region", s.region.clone()),
        fact("Size", format!("{} GiB", s.size_gb)),
        fact("Encrypted", row.encrypted.clone()),
        fact_link("Created for", Some(&s.created_for_image)),
        fact("That image's state", row.image_state.clone()),
        fact("Readable by", row.readers.clone()),
        fact("Started", s.start_time.clone()),
    ];
    Ok(Some(ObjectPage {
        kind: "Storage",
        id: s.id.clone(),
        facts,
        tags: Vec::new(),
        grants: Vec::new(),
        events: events_about(tx, &[id])?,
    }))
}

pub struct GrantRow {
    pub id: String,
    pub grantee: Link,
    pub region: String,
}

pub struct KeyRow {
    pub id: Link,
    pub description: String,
    pub owner: Link,
    pub region: String,
    pub state: String,
    pub grantees: Vec<Link>,
    pub created: String,
}

fn key_link(v: &KeyView) -> Link {
    Link {
        href: format!("{}keys/{}", links::base(), encode(&v.key.id)),
        text: v.key.id.clone(),
    }
}

pub fn key_rows(tx: &Tx<'_>, scope: &Scope) -> amisim_simulator::Result<Vec<KeyRow>> {
    Ok(inventory::keys(tx, scope.filter())?
        .iter()
        .map(|v| KeyRow {
            id: key_link(v),
            description: v.key.description.clone(),
            owner: link(&v.key.owner_id),
            region: v.key.region.clone(),
            state: v.key.state.clone(),
            grantees: v
                .grants
                .iter()
                .map(|g| link(&g.grantee_account_id))
                .collect(),
            created: v.key.creation_date.clone(),
        })
        .collect())
}

pub fn key_page(tx: &Tx<'_>, id: &str) -> amisim_simulator::Result<Option<ObjectPage>> {
    let Some(key) = inventory::find_key(tx, id)? else {
        return Ok(None);
    };
    let v = inventory::key_view(tx, key)?;
    let k = &v.key;
    let facts = vec![
        fact("Key ID", k.id.clone()),
        fact("ARN", k.arn.clone()),
        fact("Description", k.description.clone()),
        fact_link("Owner", Some(&k.owner_id)),
        fact("Region", k.region.clone()),
        fact("State", k.state.clone()),
        fact("Managed by AWS", table::yes_no(k.aws_managed)),
        fact("Created", k.creation_date.clone()),
    ];
    let events = events_about(tx, &[&k.id, &k.arn])?;
    Ok(Some(ObjectPage {
        kind: "KMS key",
        id: k.id.clone(),
        tags: k.tags.iter().map(|(a, b)| (a.clone(), b.clone())).collect(),
        grants: v
            .grants
            .iter()
            .map(|g| GrantRow {
                id: g.id.clone(),
                grantee: link(&g.grantee_account_id),
                region: g.region.clone(),
            })
            .collect(),
        facts,
        events,
    }))
}

// ---------------------------------------------------------------- organizations

/// An organization or one of its OUs, with the images shared with it.
pub struct OrganizationRow {
    /// `o-…` or `ou-…`: the row's anchor.
    pub id: String,
    /// The OU's name; empty for the organization itself.
    pub name: String,
    pub arn: String,
    pub members: Vec<Link>,
    /// Images whose launch permission names this ARN.
    pub shared: Vec<Link>,
}

pub struct OrganizationView {
    pub management: Link,
    /// The organization first, then its OUs by name.
    pub rows: Vec<OrganizationRow>,
}

/// The organizations (in scope: those that admit the scope's account), each
/// with its OUs, who is in each and which images are shared with each.
pub fn organizations(
    tx: &Tx<'_>,
    scope: &Scope,
) -> amisim_simulator::Result<Vec<OrganizationView>> {
    let mut shared: BTreeMap<String, Vec<Link>> = BTreeMap::new();
    for p in inventory::launch_permissions(tx, Filter::default(), true)? {
        if matches!(
            p.principal,
            Principal::Organization(_) | Principal::OrganizationalUnit(_)
        ) {
            shared
                .entry(p.principal.as_str().to_string())
                .or_default()
                .push(link(&p.image_id));
        }
    }
    let row = |id: &str, name: &str, arn: &str, members: &[String]| OrganizationRow {
        id: id.to_string(),
        name: name.to_string(),
        arn: arn.to_string(),
        members: members.iter().map(|m| link(m)).collect(),
        shared: shared.get(arn).cloned().unwrap_or_default(),
    };
    Ok(inventory::organizations(tx, scope.filter().account)?
        .into_iter()
        .map(|(o, own)| {
            let mut rows = vec![row(&o.id, "", &o.arn, &o.member_account_ids)];
            rows.extend(
                own.iter()
                    .map(|u| row(&u.id, &u.name, &u.arn, &u.member_account_ids)),
            );
            OrganizationView {
                management: link(&o.management_account_id),
                rows,
            }
        })
        .collect())
}

// ---------------------------------------------------------------- bill

pub struct Bar {
    pub label: String,
    pub amount: String,
    pub y: i64,
    pub width: i64,
}

pub struct BillView {
    pub account: Link,
    pub total: String,
    pub accrued: String,
    pub lines: Vec<BillLineRow>,
    pub one_off: Vec<BillLineRow>,
    pub one_off_total: String,
    pub bars: Vec<Bar>,
    pub chart_height: i64,
}

pub struct BillLineRow {
    pub region: String,
    pub category: String,
    pub description: String,
    pub quantity: String,
    pub amount: String,
    /// The month of a one-off charge; empty for a monthly line.
    pub month: String,
}

/// The widest bar of a chart, in pixels.
const BAR_MAX: i64 = 320;

fn bill_line_row(l: &amisim_simulator::billing::BillLine) -> BillLineRow {
    BillLineRow {
        region: l.region.clone(),
        category: l.category.to_string(),
        description: l.description.clone(),
        quantity: format!("{} {}", l.quantity, l.unit),
        amount: table::usd(l.amount_micros),
        month: l.month.clone().unwrap_or_default(),
    }
}

pub fn bills(tx: &Tx<'_>, scope: &Scope) -> amisim_simulator::Result<Vec<BillView>> {
    let f = scope.filter();
    Ok(inventory::bills(tx, f.account, f.region)?
        .into_iter()
        .map(|b| {
            // One bar per category and region, the biggest first.
            let mut sums: BTreeMap<(String, String), i64> = BTreeMap::new();
            for l in &b.lines {
                *sums
                    .entry((l.category.to_string(), l.region.clone()))
                    .or_default() += l.amount_micros;
            }
            let mut sums: Vec<_> = sums.into_iter().collect();
            sums.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            let max = sums.first().map_or(1, |s| s.1.max(1));
            let bars: Vec<Bar> = sums
                .iter()
                .enumerate()
                .map(|(n, ((category, region), micros))| Bar {
                    label: format!("{category} · {region}"),
                    amount: table::usd(*micros),
                    y: n as i64 * 28,
                    width: (micros * BAR_MAX / max).max(1),
                })
                .collect();
            BillView {
                account: link(&b.account_id),
                total: table::usd(b.total_micros),
                accrued: table::usd(b.accrued_micros),
                chart_height: (bars.len() as i64 * 28).max(28),
                bars,
                lines: b.lines.iter().map(bill_line_row).collect(),
                one_off: b.one_off.iter().map(bill_line_row).collect(),
                one_off_total: table::usd(b.one_off_micros),
            }
        })
        .collect())
}

// ---------------------------------------------------------------- events

/// The event log's filters, as the page's form sends them.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct EventFilter {
    pub account: Option<String>,
    pub region: Option<String>,
    pub action: Option<String>,
    /// `ok`, `error`, or an AWS error code.
    pub outcome: Option<String>,
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The most calls the event log page shows at once: the latest that match.
pub const EVENTS_SHOWN: usize = 500;

pub struct EventLog {
    /// The latest calls that match, at most [`EVENTS_SHOWN`], in the log's order.
    pub rows: Vec<EventRow>,
    /// How many calls match the filters.
    pub matched: usize,
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    pub actions: Vec<String>,
    pub total: usize,
}

pub fn events(tx: &Tx<'_>, f: &EventFilter) -> amisim_simulator::Result<EventLog> {
    let everything = inventory::events(tx, &EventQuery::default())?;
    let set = |pick: fn(&Event) -> &String| -> Vec<String> {
        let mut v: Vec<String> = everything.iter().map(|e| pick(e).clone()).collect();
        v.sort();
        v.dedup();
        v
    };
    let outcome = given(&f.outcome).map(OutcomeFilter::parse);
    let rows = inventory::events(
        tx,
        &EventQuery {
            account: given(&f.account),
            region: given(&f.region),
            action: given(&f.action),
            outcome,
            after_commit: None,
        },
    )?;
    let matched = rows.len();
    Ok(EventLog {
        rows: rows[matched.saturating_sub(EVENTS_SHOWN)..]
            .iter()
            .map(event_row)
            .collect(),
        matched,
        accounts: set(|e| &e.account_id),
        regions: set(|e| &e.region),
        actions: set(|e| &e.action),
        total: everything.len(),
    })
}
