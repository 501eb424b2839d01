//! Image usage reports: which other accounts use an image of the owner's,
//! as the cloud was when the report was made, kept for 30 days.

use amisim_simulator::{
    AddLaunchPermission, CreateUsageReport, DeleteUsageReport, DescribeUsageReportEntries,
    DescribeUsageReports, TerminateInstance, UsageResourceType,
};

use crate::common::*;

fn report_on(image_id: &str, types: &[&str], accounts: &[&str]) -> CreateUsageReport {
    CreateUsageReport {
        image_id: image_id.into(),
        resource_types: types
            .iter()
            .map(|t| UsageResourceType {
                resource_type: t.to_string(),
                version_depth: None,
            })
            .collect(),
        account_ids: accounts.iter().map(|a| a.to_string()).collect(),
        ..CreateUsageReport::default()
    }
}

fn counts(report: &amisim_simulator::UsageReport) -> Vec<(&str, i64)> {
    report
        .entries
        .iter()
        .map(|e| (e.account_id.as_str(), e.usage_count))
        .collect()
}

#[test]
fn a_report_counts_other_accounts_instances_as_they_were_when_it_was_made() {
    let mut w = World::new();
    let owner = at(A, USE1);
    let img = register(&mut w.cloud, &owner, "golden");
    for who in [B, C] {
        w.ok(|c| c.call(&owner, &AddLaunchPermission::new(&img.id, &account(who))));
    }
    for who in [B, B, C, C] {
        w.ok(|c| c.call(&at(who, USE1), &launch(&img.id, "t3.micro")));
    }
    let gone = w.ok(|c| c.call(&at(C, USE1), &launch(&img.id, "t3.small")));
    w.ok(|c| c.call(&at(C, USE1), &TerminateInstance::new(&gone.id)));
    // The owner's own instances are not use by another account.
    w.ok(|c| c.call(&owner, &launch(&img.id, "t3.micro")));
    let report = w.ok(|c| {
        c.call(
            &owner,
            &report_on(&img.id, &["ec2:Instance", "ec2:LaunchTemplate"], &[]),
        )
    });
    assert!(report.id.starts_with("amiur-"), "{}", report.id);
    assert_eq!(counts(&report), [(B, 2), (C, 2)]);
    assert!(report.creation_time < report.expiration_time);
    // Later launches do not change it; a new report sees them.
    w.ok(|c| c.call(&at(B, USE1), &launch(&img.id, "t3.micro")));
    let listed = w.ok(|c| c.call(&owner, &DescribeUsageReports::default()));
    assert_eq!(listed, std::slice::from_ref(&report));
    let only_b = w.ok(|c| c.call(&owner, &report_on(&img.id, &["ec2:Instance"], &[B])));
    assert_eq!(counts(&only_b), [(B, 3)]);
    // Entries name their report.
    let entries = w.ok(|c| {
        c.call(
            &owner,
            &DescribeUsageReportEntries {
                reports: DescribeUsageReports {
                    report_ids: vec![only_b.id.clone()],
                    image_ids: Vec::new(),
                },
            },
        )
    });
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].report_id, only_b.id);
    assert_eq!(entries[0].entry.resource_type, "ec2:Instance");
}

#[test]
fn reports_are_the_owners_checked_and_gone_after_30_days_or_when_deleted() {
    let mut w = World::new();
    let owner = at(A, USE1);
    let img = register(&mut w.cloud, &owner, "golden");
    w.ok(|c| c.call(&owner, &AddLaunchPermission::new(&img.id, &account(B))));
    w.refused("AuthFailure", |c| {
        c.call(&at(B, USE1), &report_on(&img.id, &["ec2:Instance"], &[]))
    });
    w.refused("InvalidParameterValue", |c| {
        c.call(&owner, &report_on(&img.id, &[], &[]))
    });
    w.refused("InvalidParameterValue", |c| {
        c.call(&owner, &report_on(&img.id, &["ec2:Volume"], &[]))
    });
    w.refused("InvalidParameterCombination", |c| {
        c.call(
            &owner,
            &CreateUsageReport {
                resource_types: vec![UsageResourceType {
                    resource_type: "ec2:Instance".into(),
                    version_depth: Some(5),
                }],
                ..report_on(&img.id, &[], &[])
            },
        )
    });
    w.refused("InvalidParameterValue", |c| {
        c.call(&owner, &report_on(&img.id, &["ec2:Instance"], &["12345"]))
    });
    let kept = w.ok(|c| c.call(&owner, &report_on(&img.id, &["ec2:Instance"], &[])));
    let deleted = w.ok(|c| c.call(&owner, &report_on(&img.id, &["ec2:Instance"], &[])));
    assert_ne!(kept.id, deleted.id);
    assert!(w.ok(|c| c.call(
        &owner,
        &DeleteUsageReport {
            report_id: deleted.id.clone()
        }
    )));
    w.refused("InvalidImageUsageReportId.NotFound", |c| {
        c.call(
            &owner,
            &DeleteUsageReport {
                report_id: deleted.id.clone(),
            },
        )
    });
    // Another account and another region see none of the owner's reports.
    assert!(w
        .ok(|c| c.call(&at(B, USE1), &DescribeUsageReports::default()))
        .is_empty());
    w.refused("InvalidImageUsageReportId.NotFound", |c| {
        c.call(
            &at(A, USW2),
            &DescribeUsageReports {
                report_ids: vec![kept.id.clone()],
                image_ids: Vec::new(),
            },
        )
    });
    let by_image = w.ok(|c| {
        c.call(
            &owner,
            &DescribeUsageReports {
                report_ids: Vec::new(),
                image_ids: vec![img.id.clone()],
            },
        )
    });
    assert_eq!(by_image, std::slice::from_ref(&kept));
    // Thirty days on, the report is gone.
    w.later(30 * 86_400);
    assert!(w
        .ok(|c| c.call(&owner, &DescribeUsageReports::default()))
        .is_empty());
}
