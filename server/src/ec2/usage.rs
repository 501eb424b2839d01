//! EC2's image usage reports over the Query protocol: CreateImageUsageReport,
//! DescribeImageUsageReports, DescribeImageUsageReportEntries and
//! DeleteImageUsageReport, over the simulator's report calls.

use amisim_simulator::{
    CreateUsageReport, DeleteUsageReport, DescribeUsageReportEntries, DescribeUsageReports,
    UsageReport, UsageResourceType,
};

use super::filter::Filters;
use super::{Action, Paged};
use crate::fault::Fault;
use crate::query::Params;
use crate::xml::Xml;

impl Action<'_> {
    /// CreateImageUsageReport: answers the new report's ID.
    pub(super) fn create_image_usage_report(&mut self) -> Result<(), Fault> {
        let p = self.p;
        let mut resource_types = Vec::new();
        for m in p.members("ResourceType")? {
            let resource_type = p.required(&format!("{m}.ResourceType"))?.to_string();
            let mut version_depth = None;
            for o in p.members(&format!("{m}.ResourceTypeOption"))? {
                let name = p.required(&format!("{o}.OptionName"))?;
                if name != "version-depth" {
                    return Err(Fault::bad(
                        "InvalidParameterValue",
                        format!(
                            "The resource type option {} is not one amisim knows: version-depth",
                            name.chars().take(64).collect::<String>()
                        ),
                    ));
                }
                let values = p.list(&format!("{o}.OptionValue"))?;
                let [value] = values.as_slice() else {
                    return Err(Fault::bad(
                        "InvalidParameterValue",
                        "version-depth takes one value: a number of versions from 1 to 10000",
                    ));
                };
                version_depth = Some(value.parse::<i64>().map_err(|_| {
                    Fault::bad(
                        "InvalidParameterValue",
                        format!(
                            "version-depth {} is not a number",
                            value.chars().take(32).collect::<String>()
                        ),
                    )
                })?);
            }
            resource_types.push(UsageResourceType {
                resource_type,
                version_depth,
            });
        }
        let mut tags = p.tag_specifications(&["image-usage-report"])?;
        let request = CreateUsageReport {
            image_id: p.required("ImageId")?.to_string(),
            resource_types,
            account_ids: p.list("AccountId")?,
            tags: tags.remove("image-usage-report").unwrap_or_default(),
        };
        // AWS makes a report idempotent by ClientToken; amisim answers each
        // request with a report of its own.
        let _ = p.get("ClientToken");
        self.ready()?;
        let report = self.call(&request)?;
        self.out.xml.text("reportId", &report.id);
        Ok(())
    }

    /// DescribeImageUsageReports: the caller's reports, a page at a time.
    pub(super) fn describe_image_usage_reports(&mut self) -> Result<(), Fault> {
        let p = self.p;
        let request = reports_asked(p)?;
        let filters = Filters::of(p, &["creation-time", "state"], self.name)?;
        let page = Paged::within(p, None, 1, 1000)?;
        self.ready()?;
        let reports: Vec<UsageReport> = self
            .call(&request)?
            .into_iter()
            .filter(|r| {
                filters.pass(|name| match name {
                    "creation-time" => vec![r.creation_time.clone()],
                    _ => vec!["available".to_string()],
                })
            })
            .collect();
        let (shown, next) = Paged::cut(&page, &reports)?;
        let x = &mut self.out.xml;
        x.open("imageUsageReportSet");
        for r in shown {
            report_item(x, r);
        }
        x.close("imageUsageReportSet");
        x.opt("nextToken", next.as_deref());
        Ok(())
    }

    /// DescribeImageUsageReportEntries: what the caller's reports found.
    pub(super) fn describe_image_usage_report_entries(&mut self) -> Result<(), Fault> {
        let p = self.p;
        let reports = reports_asked(p)?;
        let filters = Filters::of(
            p,
            &["account-id", "creation-time", "resource-type"],
            self.name,
        )?;
        let page = Paged::within(p, None, 1, 1000)?;
        self.ready()?;
        let entries: Vec<_> = self
            .call(&DescribeUsageReportEntries { reports })?
            .into_iter()
            .filter(|u| {
                filters.pass(|name| match name {
                    "account-id" => vec![u.entry.account_id.clone()],
                    "creation-time" => vec![u.report_creation_time.clone()],
                    _ => vec![u.entry.resource_type.clone()],
                })
            })
            .collect();
        let (shown, next) = Paged::cut(&page, &entries)?;
        let x = &mut self.out.xml;
        x.open("imageUsageReportEntrySet");
        for u in shown {
            x.open("item")
                .text("resourceType", &u.entry.resource_type)
                .text("reportId", &u.report_id)
                .text("usageCount", &u.entry.usage_count.to_string())
                .text("accountId", &u.entry.account_id)
                .text("imageId", &u.image_id)
                .text("reportCreationTime", &u.report_creation_time)
                .close("item");
        }
        x.close("imageUsageReportEntrySet");
        x.opt("nextToken", next.as_deref());
        Ok(())
    }

    /// DeleteImageUsageReport.
    pub(super) fn delete_image_usage_report(&mut self) -> Result<(), Fault> {
        let report_id = self.p.required("ReportId")?.to_string();
        self.ready()?;
        self.call(&DeleteUsageReport { report_id })?;
        self.out.xml.bool("return", true);
        Ok(())
    }
}

/// The reports a describe names: `ReportId.N` and `ImageId.N`.
fn reports_asked(p: &Params) -> Result<DescribeUsageReports, Fault> {
    Ok(DescribeUsageReports {
        report_ids: p.list("ReportId")?,
        image_ids: p.list("ImageId")?,
    })
}

/// One report of `imageUsageReportSet`.
fn report_item(x: &mut Xml, r: &UsageReport) {
    x.open("item")
        .text("imageId", &r.image_id)
        .text("reportId", &r.id)
        .open("resourceTypeSet");
    for t in &r.resource_types {
        x.open("item").text("resourceType", &t.resource_type);
        if let Some(depth) = t.version_depth {
            x.open("resourceTypeOptionSet")
                .open("item")
                .text("optionName", "version-depth")
                .open("optionValueSet")
                .text("item", &depth.to_string())
                .close("optionValueSet")
                .close("item")
                .close("resourceTypeOptionSet");
        }
        x.close("item");
    }
    x.close("resourceTypeSet").open("accountIdSet");
    for a in &r.account_ids {
        x.text("item", a);
    }
    x.close("accountIdSet")
        .text("state", "available")
        .text("creationTime", &r.creation_time)
        .text("expirationTime", &r.expiration_time);
    super::tag_set(x, &r.tags);
    x.close("item");
}
