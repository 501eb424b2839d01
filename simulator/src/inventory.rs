//! Read-only views of the whole cloud, for inspection tools such as the `amisim` command-line tool.
//!
//! The API calls of [`crate::Cloud`] see what one caller may see in one region
//! and are recorded in the event log. The queries here see every account and
//! region at once, write nothing and log nothing: they answer "what does the
//! cloud hold?" rather than "what may this caller do?". They run inside
//! [`Store::read`](crate::store::Store::read).
//!
//! ```
//! use amisim_simulator::{inventory, Caller, Cloud, CopyImage, RegisterImage};
//!
//! let mut cloud = Cloud::memory().unwrap();
//! let me = Caller::new("111111111111", "us-east-1");
//! let golden = cloud
//!     .call(&me, &RegisterImage { name: "golden".into(), ..Default::default() })
//!     .unwrap();
//! let west = Caller::new("111111111111", "us-west-2");
//! let copy = cloud
//!     .call(&west, &CopyImage {
//!         source_image_id: golden.id.clone(),
//!         source_region: "us-east-1".into(),
//!         name: "golden".into(),
//!         ..Default::default()
//!     })
//!     .unwrap();
//!
//! let tree = cloud.read(|tx| inventory::lineage(tx, &copy.id)).unwrap().unwrap();
//! assert_eq!(tree.image_id, golden.id);
//! assert_eq!(tree.children[0].image_id, copy.id);
//! assert!(tree.children[0].selected);
//! ```

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::billing::{self, Bill};
use crate::call::{Call, Ctx, Role};
use crate::catalogue::PriceBook;
use crate::error::{refuse, ErrorKind, Result};
use crate::model::{
    Event, Grant, Image, ImageState, Instance, Key, LaunchPermission, Storage, StoragePermission,
    AMAZON, AMAZON_ACCOUNT, MARKETPLACE, MARKETPLACE_ACCOUNT,
};
use crate::store::{Filter, Tx};

/// A snapshot or bundle, with the state of its image and who may read it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StorageView {
    /// The storage itself.
    #[serde(flatten)]
    pub storage: Storage,
    /// The state of the image it was created for; `None` if that image is not in the store.
    pub image_state: Option<ImageState>,
    /// Accounts other than the owner with an explicit read permission, sorted.
    pub shared_with: Vec<String>,
}

/// A KMS key with the accounts it is granted to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyView {
    /// The key itself.
    #[serde(flatten)]
    pub key: Key,
    /// The grants on the key, by grantee account.
    pub grants: Vec<Grant>,
}

/// Everything the store holds about one image.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImageReport {
    /// The image itself.
    pub image: Image,
    /// Its ARN.
    pub arn: String,
    /// Whether it has a `group = all` launch permission.
    pub public: bool,
    /// The monthly cost of its storage at the flat rates, in micro-dollars.
    pub monthly_storage_cost_micros: i64,
    /// Its backing storage (storage deleted with the image is absent).
    pub storage: Vec<StorageView>,
    /// Who may launch it.
    pub launch_permissions: Vec<LaunchPermission>,
    /// Who may read its storage.
    pub storage_permissions: Vec<StoragePermission>,
    /// Instances launched from it, in every account.
    pub instances: Vec<Instance>,
    /// Its lineage: the source chain up to the original, and every image made from it.
    pub lineage: LineageNode,
}

/// How an image came from the image above it in a lineage tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Derivation {
    /// The top of the tree: registered, or a catalogue image, or its source is unknown.
    Original,
    /// CopyImage of the parent (in any region and account).
    Copy,
    /// CreateRestoreImageTask of the object the parent was stored as.
    Restore {
        /// The object, `BUCKET/KEY`.
        object: String,
    },
    /// CreateImage of an instance launched from the parent.
    FromInstance {
        /// The instance the image was created from.
        instance_id: String,
    },
}

impl Derivation {
    /// How an image with a source image came from it: restored from the
    /// object its source was stored as, or copied.
    pub fn of_source(image: &Image) -> Derivation {
        match &image.restored_from {
            Some(object) => Derivation::Restore {
                object: object.clone(),
            },
            None => Derivation::Copy,
        }
    }
}

/// One image in a lineage tree.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineageNode {
    /// The image's ID.
    pub image_id: String,
    /// Its region, if known.
    pub region: Option<String>,
    /// Its owner, if the image is in the store.
    pub owner_id: Option<String>,
    /// Its name, if the image is in the store.
    pub name: Option<String>,
    /// Its state; `None` if the image is not in the store.
    pub state: Option<ImageState>,
    /// How it came from its parent.
    pub derivation: Derivation,
    /// Whether this is the image the lineage was asked for.
    pub selected: bool,
    /// Images made from it, oldest first.
    pub children: Vec<LineageNode>,
}

/// Which events [`events`] returns; `None` matches anything.
#[derive(Debug, Clone, Default)]
pub struct EventQuery<'a> {
    /// Only calls of this account.
    pub account: Option<&'a str>,
    /// Only calls made in this region.
    pub region: Option<&'a str>,
    /// Only this action, compared without regard to case (`CopyImage`).
    pub action: Option<&'a str>,
    /// Only this outcome.
    pub outcome: Option<OutcomeFilter>,
    /// Follow the log: only the events committed after this commit number,
    /// in the order they committed, each with its number. `None` lists the
    /// whole log in its canonical order.
    pub after_commit: Option<i64>,
}

/// Which outcomes an event query keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutcomeFilter {
    /// Successful calls.
    Ok,
    /// Refused or failed calls, whatever the code.
    Error,
    /// Calls refused with this AWS error code (compared without regard to case).
    Code(String),
}

impl OutcomeFilter {
    /// `ok`, `error`, or an AWS error code, as the CLI and the console take it.
    pub fn parse(text: &str) -> OutcomeFilter {
        match text {
            "ok" => OutcomeFilter::Ok,
            "error" => OutcomeFilter::Error,
            code => OutcomeFilter::Code(code.to_string()),
        }
    }
}

/// One tier of the S3 Standard price of instance-store bundles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StorageTier {
    /// `first 50 TB`, `next 450 TB` or `over 500 TB`.
    pub tier: &'static str,
    /// The GB charged at this tier's price.
    pub gb: i64,
    /// The tier's price per GB-month, in micro-dollars.
    pub price_gb_month_micros: i64,
    /// `gb` times the price, in micro-dollars.
    pub amount_micros: i64,
}

pub use crate::catalogue::is_catalogue_account;

/// The account behind an owner alias (`amazon`, `aws-marketplace`), or the text itself.
pub fn resolve_account(text: &str) -> &str {
    match text {
        AMAZON => AMAZON_ACCOUNT,
        MARKETPLACE => MARKETPLACE_ACCOUNT,
        other => other,
    }
}

/// Images in the filter's scope, oldest first.
///
/// The public catalogue is left out unless `include_catalogue` is set or the
/// filter names a catalogue account; deregistered images are left out unless
/// `include_deregistered` is set.
pub fn images(
    tx: &Tx<'_>,
    filter: Filter<'_>,
    include_catalogue: bool,
    include_deregistered: bool,
) -> Result<Vec<Image>> {
    let catalogue_too = include_catalogue || filter.account.is_some_and(is_catalogue_account);
    let mut out: Vec<Image> = tx
        .list::<Image>(filter)?
        .into_iter()
        .filter(|i| catalogue_too || !is_catalogue_account(&i.owner_id))
        .filter(|i| {
            include_deregistered || i.is_available() || i.state == crate::model::ImageState::Pending
        })
        .collect();
    out.sort_by(|a, b| {
        (&a.creation_date, &a.region, &a.id).cmp(&(&b.creation_date, &b.region, &b.id))
    });
    Ok(out)
}

/// The public catalogue in brief: how many images it holds, and a SHA-256
/// over everything about them (the images, deregistered ones included, their
/// storage and their launch permissions), so that a snapshot shows any
/// change to it in one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CatalogueDigest {
    /// Its images.
    pub images: usize,
    /// The SHA-256 of its canonical JSON lines, in lowercase hex.
    pub sha256: String,
}

/// The [`CatalogueDigest`] of `region`'s catalogue, or of every region's.
pub fn catalogue_digest(tx: &Tx<'_>, region: Option<&str>) -> Result<CatalogueDigest> {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    let mut count = 0;
    let mut line = |value: serde_json::Result<String>| {
        hash.update(value.unwrap_or_default().as_bytes());
        hash.update(b"\n");
    };
    for publisher in crate::catalogue::PUBLISHERS {
        let filter = Filter {
            account: Some(publisher.account),
            region,
            name: None,
        };
        let images = images(tx, filter, true, true)?;
        count += images.len();
        images.iter().for_each(|i| line(serde_json::to_string(i)));
        for s in storage(tx, filter, true)? {
            line(serde_json::to_string(&s.storage));
        }
        for p in launch_permissions(tx, filter, true)? {
            line(serde_json::to_string(&p));
        }
    }
    let sha256 = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok(CatalogueDigest {
        images: count,
        sha256,
    })
}

/// Instances in the filter's scope (terminated ones included), oldest first.
pub fn instances(tx: &Tx<'_>, filter: Filter<'_>) -> Result<Vec<Instance>> {
    let mut out = tx.list::<Instance>(filter)?;
    out.sort_by(|a, b| (&a.launch_time, &a.id).cmp(&(&b.launch_time, &b.id)));
    Ok(out)
}

/// Snapshots and bundles in the filter's scope, oldest first; the catalogue's unless asked for.
pub fn storage(
    tx: &Tx<'_>,
    filter: Filter<'_>,
    include_catalogue: bool,
) -> Result<Vec<StorageView>> {
    let catalogue_too = include_catalogue || filter.account.is_some_and(is_catalogue_account);
    let mut out = Vec::new();
    for s in tx.list::<Storage>(filter)? {
        if !catalogue_too && is_catalogue_account(&s.owner_id) {
            continue;
        }
        out.push(storage_view(tx, s)?);
    }
    out.sort_by(|a, b| {
        (&a.storage.start_time, &a.storage.id).cmp(&(&b.storage.start_time, &b.storage.id))
    });
    Ok(out)
}

/// One snapshot, bundle or kept volume by ID, in any account, with its image's
/// state and readers; `None` if the store has no such storage.
pub fn storage_one(tx: &Tx<'_>, id: &str) -> Result<Option<StorageView>> {
    tx.get::<Storage>(id)?
        .map(|s| storage_view(tx, s))
        .transpose()
}

fn storage_view(tx: &Tx<'_>, storage: Storage) -> Result<StorageView> {
    let image_state =
        crate::access::image_in(tx, &storage.created_for_image, &storage.region)?.map(|i| i.state);
    let mut shared_with: Vec<String> = tx
        .list::<StoragePermission>(Filter {
            name: Some(&storage.id),
            ..Filter::default()
        })?
        .into_iter()
        .map(|p| p.account_id)
        .collect();
    shared_with.sort();
    Ok(StorageView {
        storage,
        image_state,
        shared_with,
    })
}

/// KMS keys in the filter's scope with their grants, oldest first.
pub fn keys(tx: &Tx<'_>, filter: Filter<'_>) -> Result<Vec<KeyView>> {
    let mut out = Vec::new();
    for key in tx.list::<Key>(filter)? {
        out.push(key_view(tx, key)?);
    }
    out.sort_by(|a, b| (&a.key.creation_date, &a.key.id).cmp(&(&b.key.creation_date, &b.key.id)));
    Ok(out)
}

/// A key with its grants, by grantee account.
pub fn key_view(tx: &Tx<'_>, key: Key) -> Result<KeyView> {
    let mut grants = tx.list::<Grant>(Filter {
        name: Some(&key.arn),
        ..Filter::default()
    })?;
    grants.sort_by(|a, b| a.grantee_account_id.cmp(&b.grantee_account_id));
    Ok(KeyView { key, grants })
}

/// Finds a key by ID or by ARN (`arn:aws:kms:REGION:ACCOUNT:key/ID`), in any account.
pub fn find_key(tx: &Tx<'_>, key_ref: &str) -> Result<Option<Key>> {
    match key_ref.strip_prefix("arn:aws:kms:") {
        Some(rest) => {
            let id = rest.rsplit_once(":key/").map(|(_, id)| id).unwrap_or("");
            Ok(tx.get::<Key>(id)?.filter(|k| k.arn == key_ref))
        }
        None => tx.get::<Key>(key_ref),
    }
}

/// Launch permissions in the filter's scope (by the image owner's account and region).
///
/// The catalogue's own `group = all` permissions are left out unless asked for.
pub fn launch_permissions(
    tx: &Tx<'_>,
    filter: Filter<'_>,
    include_catalogue: bool,
) -> Result<Vec<LaunchPermission>> {
    let catalogue_too = include_catalogue || filter.account.is_some_and(is_catalogue_account);
    let mut out: Vec<LaunchPermission> = tx
        .list::<LaunchPermission>(filter)?
        .into_iter()
        .filter(|p| catalogue_too || !is_catalogue_account(&p.owner_id))
        .collect();
    out.sort_by(|a, b| {
        (&a.region, &a.image_id, &a.principal).cmp(&(&b.region, &b.image_id, &b.principal))
    });
    Ok(out)
}

/// Storage read permissions in the filter's scope (by the storage owner's account and region).
pub fn storage_permissions(tx: &Tx<'_>, filter: Filter<'_>) -> Result<Vec<StoragePermission>> {
    let mut out = tx.list::<StoragePermission>(filter)?;
    out.sort_by(|a, b| {
        (&a.region, &a.storage_id, &a.account_id).cmp(&(&b.region, &b.storage_id, &b.account_id))
    });
    Ok(out)
}

/// Everything about one image, in any account and region; `None` if the store has no such image.
pub fn image_report(tx: &Tx<'_>, image_id: &str) -> Result<Option<ImageReport>> {
    let Some(image) = tx.get::<Image>(image_id)? else {
        return Ok(None);
    };
    let prices = billing::price_book(tx)?;
    let launch_permissions = launch_permissions(
        tx,
        Filter {
            name: Some(&image.id),
            ..Filter::default()
        },
        true,
    )?;
    let public = launch_permissions
        .iter()
        .any(|p| matches!(&p.principal, crate::model::Principal::Group(g) if g == "all"));
    let mut storage = Vec::new();
    let mut storage_permissions = Vec::new();
    for id in &image.storage_ids {
        if let Some(s) = tx.get::<Storage>(id)? {
            storage.push(storage_view(tx, s)?);
        }
        storage_permissions.extend(self::storage_permissions(
            tx,
            Filter {
                name: Some(id),
                ..Filter::default()
            },
        )?);
    }
    let instances = instances(
        tx,
        Filter {
            name: Some(&image.id),
            ..Filter::default()
        },
    )?;
    let lineage = lineage(tx, &image.id)?.unwrap_or_else(|| leaf(&image, Derivation::Original));
    Ok(Some(ImageReport {
        arn: image.arn(),
        public,
        monthly_storage_cost_micros: billing::image_storage_month_micros(&prices, &image),
        storage,
        launch_permissions,
        storage_permissions,
        instances,
        lineage,
        image,
    }))
}

/// The lineage of an image: its source chain up to the original, and every image made from it.
///
/// The tree's root is the oldest known ancestor. Above the asked-for image the
/// tree holds only the chain of sources; below it, every copy (in any region
/// and account), every image created from an instance launched from it, and
/// theirs in turn. `None` if the store has no such image.
pub fn lineage(tx: &Tx<'_>, image_id: &str) -> Result<Option<LineageNode>> {
    let Some(image) = tx.get::<Image>(image_id)? else {
        return Ok(None);
    };
    let all: BTreeMap<String, Image> = tx
        .list::<Image>(Filter::default())?
        .into_iter()
        .map(|i| (i.id.clone(), i))
        .collect();
    let instances: BTreeMap<String, Instance> = tx
        .list::<Instance>(Filter::default())?
        .into_iter()
        .map(|i| (i.id.clone(), i))
        .collect();

    // Children of each image: copies, and images of instances launched from it.
    let mut children: BTreeMap<&str, Vec<(&Image, Derivation)>> = BTreeMap::new();
    for i in all.values() {
        if let Some(parent) = &i.source_image_id {
            children
                .entry(parent)
                .or_default()
                .push((i, Derivation::of_source(i)));
        } else if let Some(instance_id) = &i.source_instance_id {
            if let Some(instance) = instances.get(instance_id) {
                children.entry(&instance.image_id).or_default().push((
                    i,
                    Derivation::FromInstance {
                        instance_id: instance_id.clone(),
                    },
                ));
            }
        }
    }
    for list in children.values_mut() {
        list.sort_by(|a, b| (&a.0.creation_date, &a.0.id).cmp(&(&b.0.creation_date, &b.0.id)));
    }

    let mut seen = BTreeSet::new();
    let below = descend(&image, Derivation::Original, &children, &mut seen, true);

    // Walk up the sources, wrapping the tree built so far in each parent.
    let mut tree = below;
    let mut current = image.clone();
    loop {
        let (parent_id, parent_region, how) =
            match (&current.source_image_id, &current.source_instance_id) {
                (Some(id), _) => (
                    id.clone(),
                    current.source_image_region.clone(),
                    Derivation::of_source(&current),
                ),
                (None, Some(instance_id)) => match instances.get(instance_id) {
                    Some(instance) => (
                        instance.image_id.clone(),
                        Some(instance.region.clone()),
                        Derivation::FromInstance {
                            instance_id: instance_id.clone(),
                        },
                    ),
                    None => break,
                },
                (None, None) => break,
            };
        if !seen.insert(parent_id.clone()) {
            break;
        }
        tree.derivation = how;
        match all.get(&parent_id) {
            Some(parent) => {
                let mut node = leaf(parent, Derivation::Original);
                node.children.push(tree);
                tree = node;
                current = parent.clone();
            }
            None => {
                tree = LineageNode {
                    image_id: parent_id,
                    region: parent_region,
                    owner_id: None,
                    name: None,
                    state: None,
                    derivation: Derivation::Original,
                    selected: false,
                    children: vec![tree],
                };
                break;
            }
        }
    }
    Ok(Some(tree))
}

fn leaf(image: &Image, derivation: Derivation) -> LineageNode {
    LineageNode {
        image_id: image.id.clone(),
        region: Some(image.region.clone()),
        owner_id: Some(image.owner_id.clone()),
        name: Some(image.name.clone()),
        state: Some(image.state),
        derivation,
        selected: false,
        children: Vec::new(),
    }
}

fn descend(
    image: &Image,
    derivation: Derivation,
    children: &BTreeMap<&str, Vec<(&Image, Derivation)>>,
    seen: &mut BTreeSet<String>,
    selected: bool,
) -> LineageNode {
    seen.insert(image.id.clone());
    let mut node = leaf(image, derivation);
    node.selected = selected;
    for (child, how) in children.get(image.id.as_str()).into_iter().flatten() {
        if seen.contains(&child.id) {
            continue;
        }
        node.children
            .push(descend(child, how.clone(), children, seen, false));
    }
    node
}

/// The event log, filtered, in order.
pub fn events(tx: &Tx<'_>, query: &EventQuery<'_>) -> Result<Vec<Event>> {
    let events = match query.after_commit {
        None => tx.events(0)?,
        Some(commit) => tx.committed_after(commit)?,
    };
    Ok(events
        .into_iter()
        .filter(|e| !matches!(query.account, Some(a) if e.account_id != a))
        .filter(|e| !matches!(query.region, Some(r) if e.region != r))
        .filter(|e| !matches!(query.action, Some(a) if !e.action.eq_ignore_ascii_case(a)))
        .filter(|e| match &query.outcome {
            None => true,
            Some(OutcomeFilter::Ok) => e.outcome == "ok",
            Some(OutcomeFilter::Error) => e.outcome != "ok",
            Some(OutcomeFilter::Code(code)) => e.outcome.eq_ignore_ascii_case(code),
        })
        .collect())
}

/// The account a view through a server may show: the administrator's any
/// (or all, with none named), an account's only its own.
fn viewable(ctx: &Ctx<'_>, asked: Option<&str>) -> Result<Option<String>> {
    let me = &ctx.caller.account_id;
    if ctx.caller.is_administrator() {
        return Ok(asked.map(str::to_string));
    }
    match asked {
        Some(other) if other != me => refuse(
            ErrorKind::UnauthorizedOperation,
            format!("account {me} is not authorized to see account {other}'s"),
            "An account sees only its own; the administrator sees every account",
        ),
        _ => Ok(Some(me.clone())),
    }
}

/// ListEvents: the event log as `amisim events` shows it, for amisim's own
/// clients; an account's key sees only its own account's calls.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListEvents {
    /// Only calls of this account.
    pub account: Option<String>,
    /// Only calls made in this region.
    pub region: Option<String>,
    /// Only this action.
    pub action: Option<String>,
    /// Only this outcome: `ok`, `error` or an AWS code.
    pub outcome: Option<String>,
    /// Only the calls committed after this commit number.
    pub after_commit: Option<i64>,
}

impl Call for ListEvents {
    type Output = Vec<Event>;
    const ACTIONS: &'static [&'static str] = &["ListEvents"];
    const CHANGES: bool = false;
    const QUIET: bool = true;
    const ROLE: Role = Role::Anyone;
    const STARTS_COMMAND: bool = false;
    fn action(&self) -> &'static str {
        "ListEvents"
    }
    fn run(&self, tx: &mut Tx<'_>, ctx: &Ctx<'_>) -> Result<Vec<Event>> {
        let account = viewable(ctx, self.account.as_deref())?;
        events(
            tx,
            &EventQuery {
                account: account.as_deref(),
                region: self.region.as_deref(),
                action: self.action.as_deref(),
                outcome: self.outcome.as_deref().map(OutcomeFilter::parse),
                after_commit: self.after_commit,
            },
        )
    }
}

/// GetBills: the monthly bills as `amisim bill` shows them, for amisim's own
/// clients; an account's key sees only its own bill.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetBills {
    /// Only this account's.
    pub account: Option<String>,
    /// Only the lines of this region.
    pub region: Option<String>,
}

impl Call for GetBills {
    type Output = Vec<Bill>;
    const ACTIONS: &'static [&'static str] = &["GetBills"];
    const CHANGES: bool = false;
    const QUIET: bool = true;
    const ROLE: Role = Role::Anyone;
    const STARTS_COMMAND: bool = false;
    fn action(&self) -> &'static str {
        "GetBills"
    }
    fn run(&self, tx: &mut Tx<'_>, ctx: &Ctx<'_>) -> Result<Vec<Bill>> {
        let account = viewable(ctx, self.account.as_deref())?;
        bills(tx, account.as_deref(), self.region.as_deref())
    }
}

/// GetCloud: the rows of the cloud the caller may see, for amisim's own
/// clients to read as a store of their own (`amisim --endpoint` reads every
/// listing, the snapshot and the graph from them). The administrator sees
/// every account; an account its own objects, calls and charges and the
/// public catalogue. Secrets never leave: no administrator's key, and no
/// claim's hash or sealed secret.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetCloud {}

impl crate::call::Outcome for crate::store::Rows {}

impl Call for GetCloud {
    type Output = crate::store::Rows;
    const ACTIONS: &'static [&'static str] = &["GetCloud"];
    const CHANGES: bool = false;
    const QUIET: bool = true;
    const ROLE: Role = Role::Anyone;
    const STARTS_COMMAND: bool = false;
    fn action(&self) -> &'static str {
        "GetCloud"
    }
    fn run(&self, tx: &mut Tx<'_>, ctx: &Ctx<'_>) -> Result<crate::store::Rows> {
        rows_seen_by(tx, viewable(ctx, None)?.as_deref())
    }
}

/// The rows of the cloud `only` may see (every row but secrets for none):
/// an account sees its own objects, calls and charges and the public
/// catalogue. Secrets never leave: no administrator's key, and no claim's
/// hash or sealed secret. What [`GetCloud`] answers, and what the console
/// shows a student.
pub fn rows_seen_by(tx: &Tx<'_>, only: Option<&str>) -> Result<crate::store::Rows> {
    let mut rows = tx.export()?;
    let mine = |account: &str| {
        only.is_none_or(|me| account == me || crate::catalogue::publisher(account).is_some())
    };
    rows.objects.retain(|o| {
        o.kind != <crate::model::AdministratorKey as crate::store::Entity>::KIND
            && (only.is_none() || o.kind != <crate::model::Claim as crate::store::Entity>::KIND)
            && mine(&o.account)
    });
    for o in &mut rows.objects {
        if o.kind == <crate::model::Claim as crate::store::Entity>::KIND {
            if let Ok(mut claim) = serde_json::from_str::<crate::model::Claim>(&o.body) {
                claim.secret_hash = String::new();
                claim.sealed_secret = None;
                o.body = serde_json::to_string(&claim).unwrap_or_default();
            }
        }
    }
    if let Some(me) = only {
        rows.events.retain(|e| e.account == me);
        rows.meta.retain(|(k, _)| {
            k.strip_prefix("accrued:")
                .is_none_or(|rest| rest.starts_with(&format!("{me}:")))
        });
    }
    Ok(rows)
}

/// The organizations (with `account`, those that admit it), each with its
/// organizational units by name: what the listings, the console and the
/// snapshot show of them.
pub fn organizations(
    tx: &Tx<'_>,
    account: Option<&str>,
) -> Result<
    Vec<(
        crate::model::Organization,
        Vec<crate::model::OrganizationalUnit>,
    )>,
> {
    let units = tx.list::<crate::model::OrganizationalUnit>(Filter::default())?;
    Ok(tx
        .list::<crate::model::Organization>(Filter::default())?
        .into_iter()
        .filter(|o| account.is_none_or(|a| o.admits(a)))
        .map(|o| {
            let mut own: Vec<_> = units
                .iter()
                .filter(|u| u.organization_id == o.id)
                .cloned()
                .collect();
            own.sort_by(|a, b| a.name.cmp(&b.name));
            (o, own)
        })
        .collect())
}

/// The monthly bills of every account (or one), keeping only the lines of `region` if given.
///
/// Totals are recomputed over the lines kept; accounts with no line left are dropped.
pub fn bills(tx: &Tx<'_>, account: Option<&str>, region: Option<&str>) -> Result<Vec<Bill>> {
    let mut out = Vec::new();
    for mut bill in billing::bills(tx, account)? {
        if let Some(region) = region {
            bill.lines.retain(|l| l.region == region);
            bill.total_micros = bill.lines.iter().map(|l| l.amount_micros).sum();
            bill.one_off.retain(|l| l.region == region);
            bill.one_off_micros = bill.one_off.iter().map(|l| l.amount_micros).sum();
            bill.accrued.retain(|r, _| r == region);
            bill.accrued_micros = bill.accrued.values().sum();
        }
        if !bill.lines.is_empty() || !bill.one_off.is_empty() || bill.accrued_micros > 0 {
            out.push(bill);
        }
    }
    Ok(out)
}

/// How `gb` of instance-store bundles of one account in one region split over the S3 tiers.
///
/// The amounts add up to [`PriceBook::s3_month_micros`]; tiers with nothing in them are left out.
pub fn s3_tiers(prices: &PriceBook, gb: i64) -> Vec<StorageTier> {
    const TB: i64 = 1024;
    let first = gb.clamp(0, 50 * TB);
    let next = (gb - 50 * TB).clamp(0, 450 * TB);
    let rest = (gb - 500 * TB).max(0);
    [
        ("first 50 TB", first, prices.s3_first_50tb_gb_month),
        ("next 450 TB", next, prices.s3_next_450tb_gb_month),
        ("over 500 TB", rest, prices.s3_over_500tb_gb_month),
    ]
    .into_iter()
    .filter(|(_, gb, _)| *gb > 0)
    .map(|(tier, gb, price)| StorageTier {
        tier,
        gb,
        price_gb_month_micros: price,
        amount_micros: gb * price,
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Caller, Cloud, CopyImage, CreateImage, RegisterImage, RunInstance};

    #[test]
    fn s3_tiers_add_up_to_the_tiered_price() {
        let p = PriceBook::default();
        for gb in [0, 1, 10, 50 * 1024, 50 * 1024 + 1, 500 * 1024, 501 * 1024] {
            let sum: i64 = s3_tiers(&p, gb).iter().map(|t| t.amount_micros).sum();
            assert_eq!(sum, p.s3_month_micros(gb), "{gb}");
        }
        assert_eq!(s3_tiers(&p, 0), vec![]);
        assert_eq!(s3_tiers(&p, 501 * 1024).len(), 3);
    }

    #[test]
    fn lineage_holds_the_chain_up_and_every_copy_down() {
        let mut cloud = Cloud::memory().unwrap();
        let a = Caller::new("111111111111", "us-east-1");
        let a_west = Caller::new("111111111111", "us-west-2");
        let base = cloud
            .call(
                &a,
                &RegisterImage {
                    name: "base".into(),
                    ..Default::default()
                },
            )
            .unwrap();
        let copy = |cloud: &mut Cloud, who: &Caller, src: &Image, name: &str| {
            cloud
                .call(
                    who,
                    &CopyImage {
                        source_image_id: src.id.clone(),
                        source_region: src.region.clone(),
                        name: name.into(),
                        ..Default::default()
                    },
                )
                .unwrap()
        };
        let west = copy(&mut cloud, &a_west, &base, "west");
        let west2 = copy(&mut cloud, &a_west, &west, "west2");
        let east2 = copy(&mut cloud, &a, &base, "east2");
        let instance = cloud
            .call(
                &a_west,
                &RunInstance {
                    image_id: west.id.clone(),
                    instance_type: "t3.micro".into(),
                    ..Default::default()
                },
            )
            .unwrap();
        let baked = cloud
            .call(
                &a_west,
                &CreateImage {
                    instance_id: instance.id.clone(),
                    name: "baked".into(),
                    ..Default::default()
                },
            )
            .unwrap();

        let tree = cloud.read(|tx| lineage(tx, &west.id)).unwrap().unwrap();
        // Up: only the chain to the original, so the sibling east2 is absent.
        assert_eq!(tree.image_id, base.id);
        assert_eq!(tree.derivation, Derivation::Original);
        assert_eq!(tree.children.len(), 1);
        let node = &tree.children[0];
        assert_eq!(
            (node.image_id.as_str(), node.selected),
            (west.id.as_str(), true)
        );
        assert_eq!(node.derivation, Derivation::Copy);
        // Down: the copy of the copy, and the image of an instance launched from it.
        let below: Vec<(&str, &Derivation)> = node
            .children
            .iter()
            .map(|c| (c.image_id.as_str(), &c.derivation))
            .collect();
        assert_eq!(
            below,
            vec![
                (west2.id.as_str(), &Derivation::Copy),
                (
                    baked.id.as_str(),
                    &Derivation::FromInstance {
                        instance_id: instance.id.clone()
                    }
                ),
            ]
        );

        let from_top = cloud.read(|tx| lineage(tx, &base.id)).unwrap().unwrap();
        let ids: Vec<&str> = from_top
            .children
            .iter()
            .map(|c| c.image_id.as_str())
            .collect();
        // Children come in creation order; each account and region has its own clock,
        // and a copy is never older than its source.
        assert_eq!(ids, vec![east2.id.as_str(), west.id.as_str()]);

        let up_from_baked = cloud.read(|tx| lineage(tx, &baked.id)).unwrap().unwrap();
        assert_eq!(up_from_baked.image_id, base.id);
        assert_eq!(up_from_baked.children[0].children[0].image_id, baked.id);
        assert!(cloud
            .read(|tx| lineage(tx, "ami-00000000000000000"))
            .unwrap()
            .is_none());
    }

    #[test]
    fn listings_hide_the_catalogue_unless_asked() {
        let mut cloud = Cloud::memory().unwrap();
        let a = Caller::new("111111111111", "us-east-1");
        cloud
            .call(
                &a,
                &RegisterImage {
                    name: "mine".into(),
                    ..Default::default()
                },
            )
            .unwrap();
        let (mine, everything, amazon) = cloud
            .read(|tx| {
                let east = Filter {
                    region: Some("us-east-1"),
                    ..Filter::default()
                };
                Ok((
                    images(tx, east, false, false)?,
                    images(tx, east, true, false)?,
                    images(
                        tx,
                        Filter {
                            account: Some(resolve_account("amazon")),
                            ..east
                        },
                        false,
                        false,
                    )?,
                ))
            })
            .unwrap();
        assert_eq!(mine.len(), 1);
        assert!(everything.len() > 10);
        assert!(
            amazon
                .iter()
                .all(|i| i.owner_alias.as_deref() == Some("amazon"))
                && !amazon.is_empty()
        );
    }
}
