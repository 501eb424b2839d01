//! The Recycle Bin: retention rules, and the images and snapshots they keep
//! for a while after deregistration or deletion.
//!
//! Nothing is purged: an image or snapshot in the bin carries the time its
//! retention ends, and every reader compares it with the simulated clock, so
//! `amisim clock advance` alone makes it expire.

use serde::{Deserialize, Serialize};

use crate::access::check_name_free;
use crate::call::{calls, Call, Ctx, Subject};
use crate::error::{refuse, ErrorKind, Result};
use crate::model::RootDevice;
use crate::model::{
    Image, ImageState, RecycleBinRule, RecycledStorage, Storage, StorageKind, Tags,
};
use crate::store::{Filter, Tx};
use crate::{dates, ids, validate};

/// The resource types a rule can retain.
pub const RESOURCE_TYPES: &[&str] = &["EC2_IMAGE", "EBS_SNAPSHOT"];

/// Recycle Bin CreateRule: what a retention rule says (and UpdateRule's new rule).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CreateRule {
    /// `EC2_IMAGE` or `EBS_SNAPSHOT`.
    pub resource_type: String,
    /// 1 to 365.
    pub retention_period_days: i64,
    /// Retain only resources carrying one of these tags.
    pub resource_tags: Tags,
    /// Do not retain resources carrying one of these tags.
    pub exclude_resource_tags: Tags,
    /// Free text, at most 255 characters.
    pub description: String,
}

/// Recycle Bin UpdateRule: a rule's new retention, tags and description.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct UpdateRule {
    /// The rule's ID.
    pub rule_id: String,
    /// What the rule says now.
    #[serde(flatten)]
    pub rule: CreateRule,
}

/// Recycle Bin DeleteRule; answers false if there was none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteRule {
    /// The rule's ID.
    pub rule_id: String,
}

impl DeleteRule {
    /// DeleteRule of `rule_id`.
    pub fn new(rule_id: impl Into<String>) -> DeleteRule {
        DeleteRule {
            rule_id: rule_id.into(),
        }
    }
}

/// Recycle Bin GetRule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetRule {
    /// The rule's ID.
    pub rule_id: String,
}

impl GetRule {
    /// GetRule of `rule_id`.
    pub fn new(rule_id: impl Into<String>) -> GetRule {
        GetRule {
            rule_id: rule_id.into(),
        }
    }
}

/// RestoreImageFromRecycleBin or RestoreSnapshotFromRecycleBin (by the ID's prefix).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoreFromRecycleBin {
    /// The image or snapshot waiting in the bin.
    pub resource_id: String,
}

impl RestoreFromRecycleBin {
    /// Restores `resource_id`.
    pub fn new(resource_id: impl Into<String>) -> RestoreFromRecycleBin {
        RestoreFromRecycleBin {
            resource_id: resource_id.into(),
        }
    }
}

/// ListImagesInRecycleBin or ListSnapshotsInRecycleBin: what waits in the
/// caller's bin in its region.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListRecycleBin {
    /// `EC2_IMAGE` or `EBS_SNAPSHOT`.
    pub resource_type: String,
}

/// ListRules: the caller's retention rules in its region for one resource type.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListRules {
    /// `EC2_IMAGE` or `EBS_SNAPSHOT`.
    pub resource_type: String,
}

calls! {
    ListRules => Vec<RecycleBinRule>, "ListRules", reads, Nothing,
        |r, tx, ctx| list_rules(tx, ctx, &r.resource_type);
    CreateRule => RecycleBinRule, "CreateRule", changes, Nothing,
        |r, tx, ctx| create_rule(tx, ctx, r);
    UpdateRule => RecycleBinRule, "UpdateRule", changes, Named(rule_id),
        |r, tx, ctx| update_rule(tx, ctx, &r.rule_id, &r.rule);
    DeleteRule => bool, "DeleteRule", changes, Named(rule_id),
        |r, tx, ctx| delete_rule(tx, ctx, &r.rule_id);
    GetRule => Option<RecycleBinRule>, "GetRule", reads, Named(rule_id),
        |r, tx, ctx| get_rule(tx, ctx, &r.rule_id);
}

impl Call for ListRecycleBin {
    type Output = Vec<BinEntry>;
    const ACTIONS: &'static [&'static str] =
        &["ListImagesInRecycleBin", "ListSnapshotsInRecycleBin"];
    const CHANGES: bool = false;
    fn action(&self) -> &'static str {
        if self.resource_type == "EC2_IMAGE" {
            "ListImagesInRecycleBin"
        } else {
            "ListSnapshotsInRecycleBin"
        }
    }
    fn run(&self, tx: &mut Tx<'_>, ctx: &Ctx<'_>) -> Result<Vec<BinEntry>> {
        validate::one_of("resource type", &self.resource_type, RESOURCE_TYPES)?;
        let mut entries = list(tx, Some(&ctx.caller.account_id), ctx.epoch)?;
        entries.retain(|e| e.region == ctx.caller.region && e.resource_type == self.resource_type);
        Ok(entries)
    }
}

impl Call for RestoreFromRecycleBin {
    type Output = BinEntry;
    const ACTIONS: &'static [&'static str] = &[
        "RestoreImageFromRecycleBin",
        "RestoreSnapshotFromRecycleBin",
    ];
    const CHANGES: bool = true;
    fn action(&self) -> &'static str {
        if self.resource_id.starts_with("ami-") {
            "RestoreImageFromRecycleBin"
        } else {
            "RestoreSnapshotFromRecycleBin"
        }
    }
    fn subject(&self) -> Subject<'_> {
        Subject::Named(&self.resource_id)
    }
    fn run(&self, tx: &mut Tx<'_>, ctx: &Ctx<'_>) -> Result<BinEntry> {
        restore(tx, ctx, &self.resource_id)
    }
}

impl crate::call::Outcome for BinEntry {
    fn resource_id(&self) -> Option<String> {
        Some(self.id.clone())
    }
}

/// Checks a rule that does not depend on the cloud.
pub fn check_rule(req: &CreateRule) -> Result<()> {
    validate::one_of("resource type", &req.resource_type, RESOURCE_TYPES)?;
    if !(1..=365).contains(&req.retention_period_days) {
        return refuse(
            ErrorKind::ValidationException,
            format!(
                "a retention period of {} days is out of range",
                req.retention_period_days
            ),
            "Retain resources for 1 to 365 days",
        );
    }
    if !req.resource_tags.is_empty() && !req.exclude_resource_tags.is_empty() {
        return refuse(
            ErrorKind::ValidationException,
            "a rule cannot both select resources by tag and exclude resources by tag",
            "Use resource_tags for a tag-level rule, or exclude_resource_tags on a rule for the whole region",
        );
    }
    validate::description(&req.description)
}

fn rule_of(ctx: &Ctx<'_>, id: String, req: &CreateRule) -> RecycleBinRule {
    RecycleBinRule {
        id,
        account_id: ctx.caller.account_id.clone(),
        region: ctx.caller.region.clone(),
        resource_type: req.resource_type.clone(),
        retention_period_days: req.retention_period_days,
        resource_tags: req.resource_tags.clone(),
        exclude_resource_tags: req.exclude_resource_tags.clone(),
        description: req.description.clone(),
    }
}

/// CreateRule.
pub(crate) fn create_rule(
    tx: &mut Tx<'_>,
    ctx: &Ctx<'_>,
    req: &CreateRule,
) -> Result<RecycleBinRule> {
    check_rule(req)?;
    let tags = serde_json::to_string(&(&req.resource_tags, &req.exclude_resource_tags))
        .unwrap_or_default();
    let days = req.retention_period_days.to_string();
    let derived = ids::derive::<RecycleBinRule>(
        tx,
        "rule",
        &[
            &ctx.caller.account_id,
            &ctx.caller.region,
            &req.resource_type,
            &days,
            &tags,
            &req.description,
        ],
    )?;
    // Recycle Bin rule identifiers are 11 letters and digits.
    let id: String = derived
        .trim_start_matches("rule-")
        .chars()
        .take(11)
        .collect();
    let rule = rule_of(ctx, id, req);
    tx.put(&rule)?;
    Ok(rule)
}

/// A rule of the caller's, in its region.
fn own_rule(tx: &Tx<'_>, ctx: &Ctx<'_>, id: &str) -> Result<Option<RecycleBinRule>> {
    Ok(tx
        .get::<RecycleBinRule>(id)?
        .filter(|r| r.account_id == ctx.caller.account_id && r.region == ctx.caller.region))
}

/// ListRules.
fn list_rules(tx: &Tx<'_>, ctx: &Ctx<'_>, resource_type: &str) -> Result<Vec<RecycleBinRule>> {
    validate::one_of("resource type", resource_type, RESOURCE_TYPES)?;
    let mut rules = tx.list::<RecycleBinRule>(Filter {
        account: Some(&ctx.caller.account_id),
        region: Some(&ctx.caller.region),
        name: None,
    })?;
    rules.retain(|r| r.resource_type == resource_type);
    Ok(rules)
}

/// GetRule.
pub(crate) fn get_rule(tx: &Tx<'_>, ctx: &Ctx<'_>, id: &str) -> Result<Option<RecycleBinRule>> {
    own_rule(tx, ctx, id)
}

/// UpdateRule: retention, tags and description change; the resource type does not.
pub(crate) fn update_rule(
    tx: &mut Tx<'_>,
    ctx: &Ctx<'_>,
    id: &str,
    req: &CreateRule,
) -> Result<RecycleBinRule> {
    check_rule(req)?;
    let Some(old) = own_rule(tx, ctx, id)? else {
        return rule_not_found(ctx, id);
    };
    if old.resource_type != req.resource_type {
        return refuse(
            ErrorKind::ValidationException,
            format!(
                "the rule {id} retains {}; its resource type cannot change",
                old.resource_type
            ),
            "Create a new rule for the other resource type",
        );
    }
    let rule = rule_of(ctx, old.id, req);
    tx.put(&rule)?;
    Ok(rule)
}

/// DeleteRule; false if there was none.
pub(crate) fn delete_rule(tx: &mut Tx<'_>, ctx: &Ctx<'_>, id: &str) -> Result<bool> {
    match own_rule(tx, ctx, id)? {
        Some(_) => tx.delete::<RecycleBinRule>(id),
        None => Ok(false),
    }
}

fn rule_not_found<T>(ctx: &Ctx<'_>, id: &str) -> Result<T> {
    refuse(
        ErrorKind::RuleNotFound,
        format!(
            "no Recycle Bin rule {} in account {} in {}",
            validate::shorten(id),
            ctx.caller.account_id,
            ctx.caller.region
        ),
        "Check the rule ID and the account and region",
    )
}

fn any_tag(wanted: &Tags, tags: &Tags) -> bool {
    wanted.iter().any(|(k, v)| tags.get(k) == Some(v))
}

/// The longest retention, in days, of the rules of `account` in `region` for
/// `resource_type` that match a resource with `tags`.
fn retention_days(
    tx: &Tx<'_>,
    account: &str,
    region: &str,
    resource_type: &str,
    tags: &Tags,
) -> Result<Option<i64>> {
    Ok(tx
        .list::<RecycleBinRule>(Filter {
            account: Some(account),
            region: Some(region),
            ..Filter::default()
        })?
        .into_iter()
        .filter(|r| r.resource_type == resource_type)
        .filter(|r| {
            if r.resource_tags.is_empty() {
                !any_tag(&r.exclude_resource_tags, tags)
            } else {
                any_tag(&r.resource_tags, tags)
            }
        })
        .map(|r| r.retention_period_days)
        .max())
}

/// Marks a just deregistered image as kept in the bin if a rule matches it
/// (EBS-backed images only, as in AWS), deregistered at `at`.
pub(crate) fn retain_image(tx: &Tx<'_>, image: &mut Image, at: &str) -> Result<()> {
    if image.root_device_type != RootDevice::Ebs {
        return Ok(());
    }
    let days = retention_days(tx, &image.owner_id, &image.region, "EC2_IMAGE", &image.tags)?;
    image.recycle_bin_until = match (days, dates::parse_time(at)) {
        (Some(d), Some(t)) => Some(dates::format_time(t + d * 86_400)),
        _ => None,
    };
    Ok(())
}

/// Deletes storage, into the bin if a snapshot rule keeps it (deleted at `at`).
pub(crate) fn delete_storage(tx: &mut Tx<'_>, storage: Storage, at: &str) -> Result<()> {
    tx.delete::<Storage>(&storage.id)?;
    if storage.kind != StorageKind::Snapshot {
        return Ok(());
    }
    let days = retention_days(
        tx,
        &storage.owner_id,
        &storage.region,
        "EBS_SNAPSHOT",
        &Tags::new(),
    )?;
    if let (Some(d), Some(t)) = (days, dates::parse_time(at)) {
        tx.put(&RecycledStorage {
            storage,
            deleted: at.to_string(),
            until: dates::format_time(t + d * 86_400),
        })?;
    }
    Ok(())
}

fn waiting(until: Option<&str>, now: i64) -> bool {
    until.and_then(dates::parse_time).is_some_and(|u| u > now)
}

/// One thing in the Recycle Bin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BinEntry {
    /// `EC2_IMAGE` or `EBS_SNAPSHOT`.
    pub resource_type: String,
    /// The image or snapshot ID (the same after restoring).
    pub id: String,
    /// The owner.
    pub account_id: String,
    /// The region.
    pub region: String,
    /// The image's name, or the image the snapshot was made for.
    pub name: String,
    /// When it was deregistered or deleted.
    pub entered: String,
    /// Until when it can be restored.
    pub until: String,
    /// Its size in GiB.
    pub size_gb: i64,
}

/// What the bin holds at `now`, for one account or all of them.
pub fn list(tx: &Tx<'_>, account: Option<&str>, now: i64) -> Result<Vec<BinEntry>> {
    let filter = Filter {
        account,
        ..Filter::default()
    };
    let mut out = Vec::new();
    for i in tx.list::<Image>(filter)? {
        if i.state == ImageState::Deregistered && waiting(i.recycle_bin_until.as_deref(), now) {
            out.push(image_entry(&i));
        }
    }
    out.extend(waiting_storage(tx, filter, now)?.iter().map(storage_entry));
    out.sort_by(|a, b| (&a.entered, &a.id).cmp(&(&b.entered, &b.id)));
    Ok(out)
}

/// Recycled storage that still waits in the bin at `now`.
pub fn waiting_storage(tx: &Tx<'_>, filter: Filter<'_>, now: i64) -> Result<Vec<RecycledStorage>> {
    Ok(tx
        .list::<RecycledStorage>(filter)?
        .into_iter()
        .filter(|r| waiting(Some(&r.until), now))
        .collect())
}

/// RestoreImageFromRecycleBin / RestoreSnapshotFromRecycleBin: the same ID back.
pub(crate) fn restore(tx: &mut Tx<'_>, ctx: &Ctx<'_>, id: &str) -> Result<BinEntry> {
    let now = ctx.epoch;
    if id.starts_with("ami-") {
        return restore_image(tx, ctx, id, now);
    }
    let recycled = tx.get::<RecycledStorage>(id)?.filter(|r| {
        r.storage.owner_id == ctx.caller.account_id && r.storage.region == ctx.caller.region
    });
    let Some(r) = recycled else {
        return refuse(
            ErrorKind::StorageNotFound,
            format!(
                "The snapshot '{}' is not in the Recycle Bin of account {} in {}",
                validate::shorten(id),
                ctx.caller.account_id,
                ctx.caller.region
            ),
            "List what can be restored with `amisim recycle-bin list`",
        );
    };
    if !waiting(Some(&r.until), now) {
        return refuse(
            ErrorKind::StorageNotFound,
            format!(
                "The snapshot '{id}' was deleted for good: its retention ended at {}",
                r.until
            ),
            "Nothing can bring it back; a longer retention_period_days keeps the next one longer",
        );
    }
    let entry = storage_entry(&r);
    tx.delete::<RecycledStorage>(id)?;
    tx.put(&r.storage)?;
    Ok(entry)
}

fn image_entry(i: &Image) -> BinEntry {
    BinEntry {
        resource_type: "EC2_IMAGE".into(),
        id: i.id.clone(),
        account_id: i.owner_id.clone(),
        region: i.region.clone(),
        name: i.name.clone(),
        entered: i.deregistration_time.clone().unwrap_or_default(),
        until: i.recycle_bin_until.clone().unwrap_or_default(),
        size_gb: i.size_gb,
    }
}

fn storage_entry(r: &RecycledStorage) -> BinEntry {
    BinEntry {
        resource_type: "EBS_SNAPSHOT".into(),
        id: r.storage.id.clone(),
        account_id: r.storage.owner_id.clone(),
        region: r.storage.region.clone(),
        name: r.storage.created_for_image.clone(),
        entered: r.deleted.clone(),
        until: r.until.clone(),
        size_gb: r.storage.size_gb,
    }
}

fn restore_image(tx: &mut Tx<'_>, ctx: &Ctx<'_>, id: &str, now: i64) -> Result<BinEntry> {
    let image = crate::access::image_in(tx, id, &ctx.caller.region)?.filter(|i| {
        i.owner_id == ctx.caller.account_id
            && i.state == ImageState::Deregistered
            && i.recycle_bin_until.is_some()
    });
    let Some(mut image) = image else {
        return refuse(
            ErrorKind::AmiNotFound,
            format!(
                "The image id '[{}]' is not in the Recycle Bin of account {} in {}",
                validate::shorten(id),
                ctx.caller.account_id,
                ctx.caller.region
            ),
            "Only images deregistered while a Recycle Bin rule for EC2_IMAGE matched them can be restored; list them with `amisim recycle-bin list`",
        );
    };
    let until = image.recycle_bin_until.clone().unwrap_or_default();
    if !waiting(Some(&until), now) {
        return refuse(
            ErrorKind::AmiNotFound,
            format!("The image id '[{id}]' was deleted for good: its retention ended at {until}"),
            "Nothing can bring it back; a longer retention_period_days keeps the next one longer",
        );
    }
    let mut recycled = Vec::new();
    for storage_id in &image.storage_ids {
        if tx.exists::<Storage>(storage_id)? {
            continue;
        }
        match tx.get::<RecycledStorage>(storage_id)? {
            Some(r) if waiting(Some(&r.until), now) => recycled.push(r),
            Some(r) => {
                return refuse(
                    ErrorKind::IncorrectState,
                    format!(
                        "The image {id} cannot be restored: its snapshot {storage_id} was deleted for good at {}, when its Recycle Bin retention ended (snapshot retention shorter than image retention)",
                        r.until
                    ),
                    "Nothing can bring the snapshot back. Next time keep snapshots at least as long as images (an EBS_SNAPSHOT rule with retention_period_days no shorter than the EC2_IMAGE rule's), or deregister with delete_snapshots_on_destroy = false",
                )
            }
            None => {
                return refuse(
                    ErrorKind::IncorrectState,
                    format!(
                        "The image {id} cannot be restored: its snapshot {storage_id} was deleted for good with the image, as no EBS_SNAPSHOT rule kept it (snapshot retention shorter than image retention)",
                    ),
                    "Nothing can bring the snapshot back. Next time add an amisim_recycle_bin_rule for EBS_SNAPSHOT as long as the image rule, or deregister with delete_snapshots_on_destroy = false",
                )
            }
        }
    }
    check_name_free(tx, ctx, &image.name)?;
    for r in recycled {
        tx.delete::<RecycledStorage>(&r.storage.id)?;
        tx.put(&r.storage)?;
    }
    let entry = image_entry(&image);
    image.state = ImageState::Available;
    image.deregistration_time = None;
    image.recycle_bin_until = None;
    tx.put(&image)?;
    Ok(entry)
}
