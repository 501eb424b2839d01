//! The billing ledger and the monthly bill.
//!
//! The bill is what each account pays for a month of the cloud as it stands:
//! storage held (snapshots per GB-month, instance-store bundles at tiered S3
//! prices, per account and region), instance hours and software fees of the
//! running instances, plus the one-off charges on the ledger (data transfer
//! of cross-region copies, charged to the source image's owner), and images
//! stored as S3 objects at tiered S3 prices. Copying itself is free, and
//! deregistering an image stops no charge by itself.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::call::{Call, Ctx, Role};
use crate::catalogue::{self, InstanceType, PriceBook};
use crate::dates;
use crate::error::Result;
use crate::ids;
use crate::model::{
    BillCategory, Charge, Image, Instance, InstanceState, RootDevice, Storage, StorageKind,
    StoredImage,
};
use crate::store::{Filter, Tx};

/// One line of a bill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillLine {
    /// The region the cost arises in.
    pub region: String,
    /// What it charges for (`ebs-snapshot-storage`, `instance-hours`, …).
    pub category: BillCategory,
    /// What is charged, in words.
    pub description: String,
    /// How much of it (GB-months, GB or hours).
    pub quantity: i64,
    /// The unit of `quantity`.
    pub unit: String,
    /// The cost in micro-dollars.
    pub amount_micros: i64,
    /// For a one-off charge, the month it happened in (`2025-01`); a monthly
    /// line has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub month: Option<String>,
}

/// The monthly bill of one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bill {
    /// The account billed.
    pub account_id: String,
    /// Its monthly run rate, by region and category: what it pays per month
    /// for the cloud as it stands.
    pub lines: Vec<BillLine>,
    /// The sum of the monthly lines in micro-dollars.
    pub total_micros: i64,
    /// Charges made once (the data transfer of a cross-region copy), by
    /// month, region and category: listed apart, never part of the monthly
    /// run rate.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub one_off: Vec<BillLine>,
    /// The sum of the one-off lines in micro-dollars.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub one_off_micros: i64,
    /// What the account's costs added up to, by region, over the simulated
    /// time that `amisim clock advance` moved on (the lines are a monthly rate).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub accrued: BTreeMap<String, i64>,
    /// The sum of `accrued`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub accrued_micros: i64,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

/// Moves the simulated time forward by `seconds` (the administrator's): the
/// next command starts after it, and each account's bill accrues what the
/// cloud as it stands costs over that time. Answers the new time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdvanceClock {
    /// How far, in seconds.
    pub seconds: i64,
}

/// Replaces the store's price book (the administrator's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetPriceBook {
    /// The prices in force from now on.
    pub prices: PriceBook,
}

impl Call for AdvanceClock {
    type Output = String;
    const ACTIONS: &'static [&'static str] = &["AdvanceClock"];
    const CHANGES: bool = true;
    const ROLE: Role = Role::Administrator;
    const STARTS_COMMAND: bool = false;
    fn action(&self) -> &'static str {
        "AdvanceClock"
    }
    fn run(&self, tx: &mut Tx<'_>, _: &Ctx<'_>) -> Result<String> {
        // Refused before the bill accrues anything.
        ids::advanced(tx, self.seconds)?;
        accrue(tx, self.seconds)?;
        let now = ids::advance(tx, self.seconds)?;
        crate::settling::settle_all(tx, now)?;
        Ok(dates::format_time(now))
    }
}

/// WaitImageAvailable: an image the caller may launch that a `pending`
/// fault rule keeps pending is waited for, as AWS's `image_available`
/// waiter and hashicorp/aws wait: the simulated clock moves on to the time
/// it becomes available (the bill accrues as for `AdvanceClock`), at most
/// `timeout_seconds`. Answers the image, available, or refuses
/// (`IncorrectState`) when it is still pending at the timeout. An image that
/// is not pending is answered as it is, and the clock does not move.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitImageAvailable {
    /// The image, in the caller's region.
    pub image_id: String,
    /// How long to wait at most (seconds of simulated time).
    pub timeout_seconds: i64,
}

impl Call for WaitImageAvailable {
    type Output = crate::model::Image;
    const ACTIONS: &'static [&'static str] = &["WaitImageAvailable"];
    const CHANGES: bool = true;
    fn action(&self) -> &'static str {
        "WaitImageAvailable"
    }
    fn subject(&self) -> crate::call::Subject<'_> {
        crate::call::Subject::Named(&self.image_id)
    }
    fn run(&self, tx: &mut Tx<'_>, ctx: &Ctx<'_>) -> Result<crate::model::Image> {
        let image = crate::access::image_in(tx, &self.image_id, &ctx.caller.region)?
            .filter(|i| i.owner_id == ctx.caller.account_id || crate::access::can_launch(tx, &ctx.caller.account_id, i).unwrap_or(false))
            .ok_or_else(|| {
                crate::error::Error::new(
                    crate::error::ErrorKind::AmiNotFound,
                    format!(
                        "The image id '[{}]' does not exist or is not shared with account {}",
                        self.image_id, ctx.caller.account_id
                    ),
                    "Wait for an image of your own, or one shared with your account, in the provider's region",
                )
            })?;
        if image.state != crate::model::ImageState::Pending {
            return Ok(image);
        }
        let now = ids::now(tx)?;
        let until = crate::settling::pending_until(tx, &image)?.unwrap_or(now);
        let wait = (until - now).clamp(0, self.timeout_seconds.max(0));
        if wait > 0 {
            accrue(tx, wait)?;
            ids::advance(tx, wait)?;
        }
        crate::settling::settle_all(tx, now + wait)?;
        let image = tx.get::<crate::model::Image>(image.key())?.unwrap_or(image);
        if image.state == crate::model::ImageState::Pending {
            return Err(crate::error::Error::new(
                crate::error::ErrorKind::IncorrectState,
                format!(
                    "image {} is still pending after {} of waiting; it becomes available at {}",
                    image.id,
                    dates::format_duration(wait),
                    dates::format_time(until)
                ),
                "Wait longer (a longer create timeout), or move the clock on with amisim clock advance",
            ));
        }
        Ok(image)
    }
}

impl Call for SetPriceBook {
    type Output = ();
    const ACTIONS: &'static [&'static str] = &["SetPriceBook"];
    const CHANGES: bool = true;
    const ROLE: Role = Role::Administrator;
    const STARTS_COMMAND: bool = false;
    fn action(&self) -> &'static str {
        "SetPriceBook"
    }
    fn run(&self, tx: &mut Tx<'_>, _: &Ctx<'_>) -> Result<()> {
        set_price_book(tx, &self.prices)
    }
}

/// GetClock: the simulated time now, the latest the store holds; anyone's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetClock {}

impl Call for GetClock {
    type Output = String;
    const ACTIONS: &'static [&'static str] = &["GetClock"];
    const CHANGES: bool = false;
    const QUIET: bool = true;
    const ROLE: Role = Role::Anyone;
    const STARTS_COMMAND: bool = false;
    fn action(&self) -> &'static str {
        "GetClock"
    }
    fn run(&self, tx: &mut Tx<'_>, _: &Ctx<'_>) -> Result<String> {
        ids::now(tx).map(dates::format_time)
    }
}

/// GetPriceBook: the prices the bill uses, and whether they were set
/// (`amisim prices set`) rather than the catalogue's; anyone's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetPriceBook {}

/// The price book in force.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PricesInForce {
    /// The prices.
    pub prices: PriceBook,
    /// Whether they were set, rather than the catalogue's own.
    pub overridden: bool,
}

impl crate::call::Outcome for PricesInForce {}

impl Call for GetPriceBook {
    type Output = PricesInForce;
    const ACTIONS: &'static [&'static str] = &["GetPriceBook"];
    const CHANGES: bool = false;
    const QUIET: bool = true;
    const ROLE: Role = Role::Anyone;
    const STARTS_COMMAND: bool = false;
    fn action(&self) -> &'static str {
        "GetPriceBook"
    }
    fn run(&self, tx: &mut Tx<'_>, _: &Ctx<'_>) -> Result<PricesInForce> {
        Ok(PricesInForce {
            prices: price_book(tx)?,
            overridden: tx.meta("price_book")?.is_some(),
        })
    }
}

const ACCRUED: &str = "accrued:";

/// Adds what the cloud as it stands costs over `seconds` of simulated time to
/// each account's accrued total: every monthly line (the one-off charges are
/// apart), pro rata of the price book's month.
pub(crate) fn accrue(tx: &mut Tx<'_>, seconds: i64) -> Result<()> {
    let month = i128::from(price_book(tx)?.hours_per_month.max(1)) * 3600;
    let mut add: BTreeMap<String, i64> = BTreeMap::new();
    for bill in bills(tx, None)? {
        for line in &bill.lines {
            let amount = i128::from(line.amount_micros) * i128::from(seconds.max(0)) / month;
            *add.entry(format!("{ACCRUED}{}:{}", bill.account_id, line.region))
                .or_default() += i64::try_from(amount).unwrap_or(i64::MAX);
        }
    }
    for (key, amount) in add.into_iter().filter(|(_, a)| *a > 0) {
        let before = tx
            .meta(&key)?
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0);
        tx.set_meta(&key, &before.saturating_add(amount).to_string())?;
    }
    Ok(())
}

/// The store's price book: the defaults, with any override saved in the store.
pub fn price_book(tx: &Tx<'_>) -> Result<PriceBook> {
    match tx.meta("price_book")? {
        Some(json) => PriceBook::from_json(&json).map_err(|m| {
            crate::error::Error::new(
                crate::error::ErrorKind::StoreDamaged,
                m,
                "Set the price book again with `amisim prices set FILE`",
            )
        }),
        None => Ok(PriceBook::default()),
    }
}

/// Saves a price book override in the store.
pub(crate) fn set_price_book(tx: &mut Tx<'_>, prices: &PriceBook) -> Result<()> {
    let json = serde_json::to_string(prices).unwrap_or_default();
    tx.set_meta("price_book", &json)
}

/// The hourly cost of an instance: the type's price, the Windows licence, Marketplace fees.
pub fn instance_hourly_micros(
    prices: &PriceBook,
    itype: &InstanceType,
    billing_products: &[String],
) -> i64 {
    itype.hourly_micros + software_hourly_micros(prices, itype, billing_products)
}

fn software_hourly_micros(
    prices: &PriceBook,
    itype: &InstanceType,
    billing_products: &[String],
) -> i64 {
    let windows = if catalogue::is_windows_licensed(billing_products) {
        itype.vcpus * prices.windows_vcpu_hour
    } else {
        0
    };
    let rhel = if catalogue::is_rhel_licensed(billing_products) {
        itype.vcpus * prices.rhel_vcpu_hour
    } else {
        0
    };
    windows
        + rhel
        + billing_products
            .iter()
            .map(|p| prices.software_fee_hour(p))
            .sum::<i64>()
}

/// Charges the data transfer of a cross-region copy to the source image's owner.
pub(crate) fn charge_transfer(
    tx: &mut Tx<'_>,
    ctx: &Ctx<'_>,
    source: &Image,
    copy_id: &str,
) -> Result<()> {
    let prices = price_book(tx)?;
    let id = ids::derive::<Charge>(tx, "charge", &[&source.owner_id, "transfer", copy_id])?;
    tx.put(&Charge {
        id,
        account_id: source.owner_id.clone(),
        region: source.region.clone(),
        category: BillCategory::DataTransfer,
        description: format!(
            "copy of {} from {} to {} ({})",
            source.id, source.region, ctx.caller.region, copy_id
        ),
        quantity: source.size_gb,
        amount_micros: source.size_gb * prices.inter_region_transfer_gb,
        time: ctx.call_time(),
    })
}

/// The monthly bill of every account that has costs (or of one account).
pub fn bills(tx: &Tx<'_>, account: Option<&str>) -> Result<Vec<Bill>> {
    let prices = price_book(tx)?;
    let filter = Filter {
        account,
        ..Filter::default()
    };
    let mut lines = Lines::default();
    storage_costs(tx, filter, &prices, &mut lines)?;
    instance_costs(tx, filter, &prices, &mut lines)?;
    one_off_costs(tx, filter, &mut lines)?;
    let mut bills = lines.into_bills();
    add_accrued(tx, account, &mut bills)?;
    Ok(bills.into_values().collect())
}

/// One cost found: who pays it, where, what for, how much of what.
struct Cost<'a> {
    account: &'a str,
    region: &'a str,
    category: BillCategory,
    quantity: i64,
    amount_micros: i64,
    description: &'a str,
    unit: &'a str,
}

/// The lines of the bills being made, keyed by (account, one-off month or
/// none, region, category), each summed as its costs are found.
#[derive(Default)]
struct Lines(BTreeMap<(String, Option<String>, String, &'static str), BillLine>);

impl Lines {
    /// Adds a monthly cost.
    fn monthly(&mut self, cost: Cost<'_>) {
        self.add(None, cost);
    }

    /// Adds a cost to the line of `month` (a one-off charge) or to the
    /// monthly run rate (`None`).
    fn add(&mut self, month: Option<String>, c: Cost<'_>) {
        let key = (
            c.account.to_string(),
            month.clone(),
            c.region.to_string(),
            c.category.as_str(),
        );
        let line = self.0.entry(key).or_insert_with(|| BillLine {
            region: c.region.to_string(),
            category: c.category,
            description: c.description.to_string(),
            quantity: 0,
            unit: c.unit.to_string(),
            amount_micros: 0,
            month,
        });
        line.quantity += c.quantity;
        line.amount_micros += c.amount_micros;
    }

    /// The bill of each account with a line: its monthly run rate and its
    /// one-off charges apart.
    fn into_bills(self) -> BTreeMap<String, Bill> {
        let mut bills: BTreeMap<String, Bill> = BTreeMap::new();
        for ((account, month, _, _), line) in self.0 {
            let bill = bills
                .entry(account.clone())
                .or_insert_with(|| empty_bill(account));
            if month.is_some() {
                bill.one_off_micros += line.amount_micros;
                bill.one_off.push(line);
            } else {
                bill.total_micros += line.amount_micros;
                bill.lines.push(line);
            }
        }
        bills
    }
}

/// What storage costs per month: snapshots, kept volumes, snapshots waiting
/// in the Recycle Bin, and instance-store bundles (S3, tiered per account
/// and region). The catalogue's publishers are never billed.
fn storage_costs(
    tx: &Tx<'_>,
    filter: Filter<'_>,
    prices: &PriceBook,
    lines: &mut Lines,
) -> Result<()> {
    let mut bundle_gb: BTreeMap<(String, String), i64> = BTreeMap::new();
    for s in tx.list::<Storage>(filter)? {
        if catalogue::is_catalogue_account(&s.owner_id) {
            continue;
        }
        let (category, price, description) = match s.kind {
            StorageKind::Snapshot => (
                BillCategory::EbsSnapshotStorage,
                prices.ebs_snapshot_gb_month,
                "EBS snapshot storage",
            ),
            StorageKind::Volume => (
                BillCategory::EbsVolumeStorage,
                prices.ebs_volume_gb_month,
                "EBS volumes kept after their instance terminated",
            ),
            StorageKind::Bundle => {
                *bundle_gb
                    .entry((s.owner_id.clone(), s.region.clone()))
                    .or_default() += s.size_gb;
                continue;
            }
        };
        lines.monthly(Cost {
            account: &s.owner_id,
            region: &s.region,
            category,
            quantity: s.size_gb,
            amount_micros: s.size_gb * price,
            description,
            unit: "GB-month",
        });
    }
    // Snapshots in the Recycle Bin cost what they cost before their deletion.
    for r in crate::recycle_bin::waiting_storage(tx, filter, ids::now(tx)?)? {
        let s = &r.storage;
        lines.monthly(Cost {
            account: &s.owner_id,
            region: &s.region,
            category: BillCategory::RecycleBinStorage,
            quantity: s.size_gb,
            amount_micros: s.size_gb * prices.ebs_snapshot_gb_month,
            description: "EBS snapshots waiting in the Recycle Bin",
            unit: "GB-month",
        });
    }
    for ((owner, region), gb) in bundle_gb {
        lines.monthly(Cost {
            account: &owner,
            region: &region,
            category: BillCategory::S3BundleStorage,
            quantity: gb,
            amount_micros: prices.s3_month_micros(gb),
            description: "S3 Standard storage of instance-store bundles (tiered)",
            unit: "GB-month",
        });
    }
    stored_image_costs(tx, filter, prices, lines)
}

/// What images stored as S3 objects cost per month: S3 Standard, tiered per
/// account and region, as their buckets are.
fn stored_image_costs(
    tx: &Tx<'_>,
    filter: Filter<'_>,
    prices: &PriceBook,
    lines: &mut Lines,
) -> Result<()> {
    let mut gb: BTreeMap<(String, String), i64> = BTreeMap::new();
    for s in tx.list::<StoredImage>(filter)? {
        *gb.entry((s.account_id, s.region)).or_default() += s.size_gb;
    }
    for ((owner, region), gb) in gb {
        lines.monthly(Cost {
            account: &owner,
            region: &region,
            category: BillCategory::S3StoredImages,
            quantity: gb,
            amount_micros: prices.s3_month_micros(gb),
            description: "S3 Standard storage of images stored in buckets (tiered)",
            unit: "GB-month",
        });
    }
    Ok(())
}

/// What running instances cost per month: their hours, and the licences and
/// software fees of their billing products.
fn instance_costs(
    tx: &Tx<'_>,
    filter: Filter<'_>,
    prices: &PriceBook,
    lines: &mut Lines,
) -> Result<()> {
    for i in tx.list::<Instance>(filter)? {
        if i.state != InstanceState::Running {
            continue;
        }
        let Some(itype) = catalogue::instance_type(&i.instance_type) else {
            continue;
        };
        let hours = prices.hours_per_month;
        lines.monthly(Cost {
            account: &i.owner_id,
            region: &i.region,
            category: BillCategory::InstanceHours,
            quantity: hours,
            amount_micros: hours * itype.hourly_micros,
            description: "On-demand instance hours",
            unit: "hours",
        });
        let software = software_hourly_micros(prices, itype, &i.billing_products);
        if software > 0 {
            lines.monthly(Cost {
                account: &i.owner_id,
                region: &i.region,
                category: BillCategory::SoftwareFees,
                quantity: hours,
                amount_micros: hours * software,
                description: "Windows and Red Hat licences, and Marketplace software fees",
                unit: "hours",
            });
        }
    }
    Ok(())
}

/// The one-off charges of the ledger (copies' data transfer), each in the
/// month it happened.
fn one_off_costs(tx: &Tx<'_>, filter: Filter<'_>, lines: &mut Lines) -> Result<()> {
    for c in tx.list::<Charge>(filter)? {
        if catalogue::is_catalogue_account(&c.account_id) {
            continue;
        }
        let month = c.time.get(..7).unwrap_or(&c.time).to_string();
        lines.add(
            Some(month),
            Cost {
                account: &c.account_id,
                region: &c.region,
                category: c.category,
                quantity: c.quantity,
                amount_micros: c.amount_micros,
                description: "Inter-region data transfer of image copies",
                unit: "GB",
            },
        );
    }
    Ok(())
}

/// Adds what each account accrued while the clock was advanced, per region.
fn add_accrued(
    tx: &Tx<'_>,
    account: Option<&str>,
    bills: &mut BTreeMap<String, Bill>,
) -> Result<()> {
    for (key, value) in tx.meta_with_prefix(ACCRUED)? {
        let rest = key.trim_start_matches(ACCRUED);
        let (Some((owner, region)), Ok(amount)) = (rest.split_once(':'), value.parse::<i64>())
        else {
            continue;
        };
        if account.is_some_and(|a| a != owner) {
            continue;
        }
        let bill = bills
            .entry(owner.to_string())
            .or_insert_with(|| empty_bill(owner.to_string()));
        bill.accrued.insert(region.to_string(), amount);
        bill.accrued_micros += amount;
    }
    Ok(())
}

fn empty_bill(account_id: String) -> Bill {
    Bill {
        account_id,
        lines: Vec::new(),
        total_micros: 0,
        one_off: Vec::new(),
        one_off_micros: 0,
        accrued: BTreeMap::new(),
        accrued_micros: 0,
    }
}

/// The monthly storage cost of one image's storage at the flat rates (first S3 tier).
pub fn image_storage_month_micros(prices: &PriceBook, image: &Image) -> i64 {
    if image.root_device_type == RootDevice::InstanceStore {
        prices.s3_month_micros(image.size_gb)
    } else {
        image.size_gb * prices.ebs_snapshot_gb_month
    }
}
