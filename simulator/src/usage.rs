//! Image usage reports (CreateImageUsageReport and the calls that read and
//! delete them): which other accounts use an image of the owner's, and how
//! many of their resources reference it, as the cloud was when the report
//! was made. A report is kept 30 days.

use serde::{Deserialize, Serialize};

use crate::access;
use crate::call::{calls, Ctx};
use crate::dates;
use crate::error::{refuse, ErrorKind, Result};
use crate::model::{Instance, InstanceState, Tags, UsageEntry, UsageReport, UsageResourceType};
use crate::store::{Filter, Tx};
use crate::{ids, validate};

/// The resource types a report may count. amisim models instances; the
/// others are accepted and, as nothing of theirs exists, counted as none.
pub const RESOURCE_TYPES: &[&str] = &[
    "ec2:Instance",
    "ec2:LaunchTemplate",
    "imagebuilder:ImageRecipe",
    "imagebuilder:ContainerRecipe",
];
/// How long a report is kept: 30 days.
pub const REPORT_LIFETIME_SECONDS: i64 = 30 * 86_400;
/// The most accounts one report may be limited to.
pub const MAX_REPORT_ACCOUNTS: usize = 200;

/// CreateImageUsageReport: a report on one of the caller's images.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateUsageReport {
    /// The image.
    pub image_id: String,
    /// What to count; at least one.
    pub resource_types: Vec<UsageResourceType>,
    /// The accounts to look at; none for every account.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub account_ids: Vec<String>,
    /// The report's tags.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

/// DescribeImageUsageReports: the caller's reports in its region, those
/// named or those on the images named (all without either).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DescribeUsageReports {
    /// The reports; each must exist.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub report_ids: Vec<String>,
    /// The images reported on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub image_ids: Vec<String>,
}

/// DescribeImageUsageReportEntries: the entries of the reports
/// [`DescribeUsageReports`] would answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DescribeUsageReportEntries {
    /// Which reports.
    #[serde(flatten)]
    pub reports: DescribeUsageReports,
}

/// DeleteImageUsageReport.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteUsageReport {
    /// The report.
    pub report_id: String,
}

/// One entry of a report, with the report it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ReportedUsage {
    /// The report.
    pub report_id: String,
    /// The image reported on.
    pub image_id: String,
    /// When the report was made.
    pub report_creation_time: String,
    /// The account, resource type and count.
    pub entry: UsageEntry,
}

calls! {
    CreateUsageReport => UsageReport, "CreateImageUsageReport", changes, Image(image_id),
        |r, tx, ctx| create(tx, ctx, r);
    DescribeUsageReports => Vec<UsageReport>, "DescribeImageUsageReports", reads, Nothing,
        |r, tx, ctx| reports(tx, ctx, r);
    DescribeUsageReportEntries => Vec<ReportedUsage>, "DescribeImageUsageReportEntries", reads, Nothing,
        |r, tx, ctx| entries(tx, ctx, &r.reports);
    DeleteUsageReport => bool, "DeleteImageUsageReport", changes, Named(report_id),
        |r, tx, ctx| delete(tx, ctx, &r.report_id);
}

fn check_request(req: &CreateUsageReport) -> Result<()> {
    let hint = format!(
        "Name one or more resource types of {}; give version-depth (1 to 10000) only for ec2:LaunchTemplate",
        RESOURCE_TYPES.join(", ")
    );
    if req.resource_types.is_empty() {
        return refuse(
            ErrorKind::InvalidParameterValue,
            "A usage report needs at least one resource type to count",
            hint,
        );
    }
    for t in &req.resource_types {
        if !RESOURCE_TYPES.contains(&t.resource_type.as_str()) {
            return refuse(
                ErrorKind::InvalidParameterValue,
                format!(
                    "The resource type \"{}\" is not one a usage report counts",
                    validate::shorten(&t.resource_type)
                ),
                hint,
            );
        }
        match t.version_depth {
            None => {}
            Some(_) if t.resource_type != "ec2:LaunchTemplate" => {
                return refuse(
                    ErrorKind::InvalidParameterCombination,
                    format!(
                        "The option version-depth applies to ec2:LaunchTemplate only, not {}",
                        t.resource_type
                    ),
                    hint,
                )
            }
            Some(depth) if !(1..=10_000).contains(&depth) => {
                return refuse(
                    ErrorKind::InvalidParameterValue,
                    format!("version-depth {depth} is out of range: 1 to 10000"),
                    hint,
                )
            }
            Some(_) => {}
        }
    }
    if req.account_ids.len() > MAX_REPORT_ACCOUNTS {
        return refuse(
            ErrorKind::InvalidParameterValue,
            format!(
                "A usage report names at most {MAX_REPORT_ACCOUNTS} accounts, not {}",
                req.account_ids.len()
            ),
            "Leave AccountIds out to report on every account, or make several reports",
        );
    }
    for account in &req.account_ids {
        validate::account_id(account)?;
    }
    validate::tags(&req.tags)
}

pub(crate) fn create(
    tx: &mut Tx<'_>,
    ctx: &Ctx<'_>,
    req: &CreateUsageReport,
) -> Result<UsageReport> {
    check_request(req)?;
    let image = access::owned(tx, ctx, &req.image_id)?;
    let created = ctx.time_after(&[&image.creation_date]);
    let expires =
        dates::parse_time(&created).unwrap_or(dates::EPOCH_SECONDS) + REPORT_LIFETIME_SECONDS;
    let counts_instances = req
        .resource_types
        .iter()
        .any(|t| t.resource_type == "ec2:Instance");
    let mut entries: Vec<UsageEntry> = Vec::new();
    if counts_instances {
        let users = tx.list::<Instance>(Filter {
            account: None,
            region: Some(&image.region),
            name: None,
        })?;
        for i in users.iter().filter(|i| {
            i.image_id == image.id
                && i.state != InstanceState::Terminated
                && i.owner_id != image.owner_id
                && (req.account_ids.is_empty() || req.account_ids.contains(&i.owner_id))
        }) {
            match entries.iter_mut().find(|e| e.account_id == i.owner_id) {
                Some(e) => e.usage_count += 1,
                None => entries.push(UsageEntry {
                    account_id: i.owner_id.clone(),
                    resource_type: "ec2:Instance".into(),
                    usage_count: 1,
                }),
            }
        }
        entries.sort_by(|a, b| a.account_id.cmp(&b.account_id));
    }
    let id = ids::derive::<UsageReport>(
        tx,
        "amiur",
        &[&ctx.caller.account_id, &ctx.caller.region, &image.id],
    )?;
    let report = UsageReport {
        id,
        account_id: ctx.caller.account_id.clone(),
        region: ctx.caller.region.clone(),
        image_id: image.id.clone(),
        resource_types: req.resource_types.clone(),
        account_ids: req.account_ids.clone(),
        creation_time: created,
        expiration_time: dates::format_time(expires),
        tags: req.tags.clone(),
        entries,
    };
    tx.put(&report)?;
    Ok(report)
}

/// The caller's reports in its region that have not expired, oldest first.
fn live_reports(tx: &Tx<'_>, ctx: &Ctx<'_>) -> Result<Vec<UsageReport>> {
    let mut out: Vec<UsageReport> = tx
        .list::<UsageReport>(Filter {
            account: Some(&ctx.caller.account_id),
            region: Some(&ctx.caller.region),
            name: None,
        })?
        .into_iter()
        .filter(|r| dates::parse_time(&r.expiration_time).is_some_and(|t| t > ctx.epoch))
        .collect();
    out.sort_by(|a, b| (&a.creation_time, &a.id).cmp(&(&b.creation_time, &b.id)));
    Ok(out)
}

fn not_found(ctx: &Ctx<'_>, id: &str) -> Result<UsageReport> {
    refuse(
        ErrorKind::UsageReportNotFound,
        format!(
            "The image usage report '{}' does not exist in {} for account {}",
            validate::shorten(id),
            ctx.caller.region,
            ctx.caller.account_id
        ),
        "Reports are regional, belong to the image's owner and are deleted 30 days after they were made: list them with DescribeImageUsageReports",
    )
}

pub(crate) fn reports(
    tx: &mut Tx<'_>,
    ctx: &Ctx<'_>,
    req: &DescribeUsageReports,
) -> Result<Vec<UsageReport>> {
    let live = live_reports(tx, ctx)?;
    for id in &req.report_ids {
        if !live.iter().any(|r| r.id == *id) {
            not_found(ctx, id)?;
        }
    }
    Ok(live
        .into_iter()
        .filter(|r| req.report_ids.is_empty() || req.report_ids.contains(&r.id))
        .filter(|r| req.image_ids.is_empty() || req.image_ids.contains(&r.image_id))
        .collect())
}

pub(crate) fn entries(
    tx: &mut Tx<'_>,
    ctx: &Ctx<'_>,
    req: &DescribeUsageReports,
) -> Result<Vec<ReportedUsage>> {
    Ok(reports(tx, ctx, req)?
        .into_iter()
        .flat_map(|r| {
            r.entries.into_iter().map(move |entry| ReportedUsage {
                report_id: r.id.clone(),
                image_id: r.image_id.clone(),
                report_creation_time: r.creation_time.clone(),
                entry,
            })
        })
        .collect())
}

pub(crate) fn delete(tx: &mut Tx<'_>, ctx: &Ctx<'_>, report_id: &str) -> Result<bool> {
    if !live_reports(tx, ctx)?.iter().any(|r| r.id == report_id) {
        not_found(ctx, report_id)?;
    }
    tx.delete::<UsageReport>(report_id)
}
