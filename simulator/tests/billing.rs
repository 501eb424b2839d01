//! The bill: storage, data transfer, instance hours and software fees, from
//! the price book, charged to the right account in the right region.

mod common;

/// The billing product of Red Hat Enterprise Linux licences.
const RHEL_BP: &str = "bp-6fa54006";

use amisim_simulator::billing::{Bill, BillLine};
use amisim_simulator::{RegisterImage, RunInstance};

use amisim_simulator::{
    AddLaunchPermission, AddStoragePermission, AdvanceClock, Caller, DeregisterImage,
    StartInstance, StopInstance, TerminateInstance,
};
use common::*;

/// Micro-dollars per dollar.
const USD: i64 = 1_000_000;

fn bill_of(w: &mut World, account: &str) -> Option<Bill> {
    let mut bills = w.ok(|c| c.bill(Some(account)));
    assert!(bills.len() <= 1);
    bills.pop()
}

/// The bill's lines as (region, category, quantity, amount).
fn lines(w: &mut World, account: &str) -> Vec<(String, String, i64, i64)> {
    bill_of(w, account)
        .map(|b| {
            let sum: i64 = b.lines.iter().map(|l| l.amount_micros).sum();
            assert_eq!(sum, b.total_micros, "the total is the sum of the lines");
            b.lines
                .into_iter()
                .map(|l: BillLine| {
                    (
                        l.region,
                        l.category.to_string(),
                        l.quantity,
                        l.amount_micros,
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn line(region: &str, category: &str, quantity: i64, amount: i64) -> (String, String, i64, i64) {
    (region.into(), category.into(), quantity, amount)
}

fn sized(name: &str, gb: i64) -> RegisterImage {
    RegisterImage {
        root_volume_size_gb: Some(gb),
        ..image(name)
    }
}

#[test]
fn a_new_cloud_bills_nobody() {
    let mut w = World::new();
    assert_eq!(w.ok(|c| c.bill(None)), vec![]);
    let prices = w.ok(|c| c.prices());
    assert_eq!(prices.ebs_snapshot_gb_month, 50_000, "$0.05 per GB-month");
    assert_eq!(prices.inter_region_transfer_gb, 20_000, "$0.02 per GB");
    assert_eq!(prices.hours_per_month, 730);
    assert_eq!(
        (
            prices.s3_first_50tb_gb_month,
            prices.s3_next_450tb_gb_month,
            prices.s3_over_500tb_gb_month
        ),
        (23_000, 22_000, 21_000)
    );
}

#[test]
fn snapshot_storage_is_charged_to_the_owner_in_the_storage_region() {
    let mut w = World::new();
    w.ok(|c| c.call(&at(A, USE1), &sized("small", 8)));
    w.ok(|c| c.call(&at(A, USE1), &sized("big", 100)));
    w.ok(|c| c.call(&at(A, EUW1), &sized("europe", 30)));
    assert_eq!(
        lines(&mut w, A),
        vec![
            line(EUW1, "ebs-snapshot-storage", 30, 30 * 50_000),
            line(USE1, "ebs-snapshot-storage", 108, 108 * 50_000),
        ]
    );
    assert_eq!(bill_of(&mut w, A).unwrap().total_micros, 138 * USD / 20);
    assert_eq!(lines(&mut w, B), vec![]);
    let img = w.ok(|c| c.call(&at(B, USE1), &sized("b-image", 8)));
    let details = w.ok(|c| c.image_details(&img));
    assert_eq!(
        details.monthly_storage_cost_micros, 400_000,
        "8 GB at $0.05"
    );
}

#[test]
fn instance_store_bundles_are_charged_at_tiered_s3_prices() {
    let mut w = World::new();
    let me = at(A, USE1);
    let bundle = |name: &str, gb: i64| RegisterImage {
        root_device_type: Some("instance-store".into()),
        ..sized(name, gb)
    };
    let small = w.ok(|c| c.call(&me, &bundle("small", 10)));
    assert_eq!(
        lines(&mut w, A),
        vec![line(USE1, "s3-bundle-storage", 10, 230_000)]
    );
    assert_eq!(
        w.ok(|c| c.image_details(&small))
            .monthly_storage_cost_micros,
        230_000
    );
    // The tiers apply to what one account holds in one region, summed over its bundles.
    for n in 0..3 {
        w.ok(|c| c.call(&me, &bundle(&format!("more-{n}"), 5)));
    }
    assert_eq!(
        lines(&mut w, A),
        vec![line(USE1, "s3-bundle-storage", 25, 25 * 23_000)]
    );
    // Another region starts its own tiers.
    w.ok(|c| c.call(&at(A, USW2), &bundle("west", 10)));
    assert!(lines(&mut w, A).contains(&line(USW2, "s3-bundle-storage", 10, 10 * 23_000)));
    // An instance-store root device holds at most 10 GiB, as in AWS today.
    let err = w.refused("InvalidParameterValue", |c| {
        c.call(&me, &bundle("too-big", 11))
    });
    assert!(err.message.contains("at most 10 GiB"), "{err}");
    // Past 50 TB (5,120 of the largest bundles) the next tier's price applies, and past 500 TB the third.
    let prices = amisim_simulator::catalogue::PriceBook::default();
    let first = 50 * 1024;
    let next = 450 * 1024;
    assert_eq!(prices.s3_month_micros(first), first * 23_000);
    assert_eq!(
        prices.s3_month_micros(first + 10),
        first * 23_000 + 10 * 22_000
    );
    assert_eq!(
        prices.s3_month_micros(first + next + 10),
        first * 23_000 + next * 22_000 + 10 * 21_000
    );
}

#[test]
fn cross_region_copy_transfer_is_charged_to_the_source_owner() {
    let mut w = World::new();
    let owner = at(A, USE1);
    let src = w.ok(|c| c.call(&owner, &sized("web", 20)));
    w.ok(|c| c.call(&owner, &AddLaunchPermission::new(&src.id, &account(B))));
    w.ok(|c| c.call(&owner, &AddStoragePermission::new(&src.storage_ids[0], B)));
    let before = lines(&mut w, A);
    assert_eq!(
        before,
        vec![line(USE1, "ebs-snapshot-storage", 20, 1_000_000)]
    );
    w.ok(|c| c.call(&at(B, USW2), &copy_of(&src, "web")));
    assert_eq!(
        lines(&mut w, A),
        vec![line(USE1, "ebs-snapshot-storage", 20, 1_000_000)],
        "the transfer is no part of the monthly run rate"
    );
    let bill = bill_of(&mut w, A).expect("A's bill");
    let one_off: Vec<_> = bill
        .one_off
        .iter()
        .map(|l| {
            (
                l.month.clone(),
                line(&l.region, l.category.as_str(), l.quantity, l.amount_micros),
            )
        })
        .collect();
    assert_eq!(
        one_off,
        vec![(
            Some("2025-01".to_string()),
            line(USE1, "data-transfer", 20, 20 * 20_000)
        )],
        "the source's owner pays the transfer once, at $0.02 per GB, in the month of the copy"
    );
    assert_eq!(bill.one_off_micros, 20 * 20_000);
    assert_eq!(
        lines(&mut w, B),
        vec![line(USW2, "ebs-snapshot-storage", 20, 1_000_000)],
        "the copy's owner pays its storage, in the copy's region, and nothing for the copy itself"
    );
}

#[test]
fn same_region_copy_adds_only_storage() {
    let mut w = World::new();
    let me = at(A, USE1);
    let src = w.ok(|c| c.call(&me, &sized("web", 8)));
    w.ok(|c| c.call(&me, &copy_of(&src, "web-2")));
    assert_eq!(
        lines(&mut w, A),
        vec![line(USE1, "ebs-snapshot-storage", 16, 800_000)]
    );
    // Copying a public catalogue image into another region charges the copier only storage.
    let ubuntu = catalogue(&mut w.cloud, &at(C, USE1), UBUNTU);
    w.ok(|c| c.call(&at(C, EUW1), &copy_of(&ubuntu, "ubuntu")));
    assert_eq!(
        lines(&mut w, C),
        vec![line(
            EUW1,
            "ebs-snapshot-storage",
            ubuntu.size_gb,
            ubuntu.size_gb * 50_000
        )]
    );
}

#[test]
fn instance_hours_are_charged_by_type_for_730_hours_a_month() {
    let mut w = World::new();
    let me = at(A, USE1);
    let ubuntu = catalogue(&mut w.cloud, &me, UBUNTU);
    let arm = catalogue(&mut w.cloud, &me, AL2023_ARM);
    let i = w.ok(|c| c.call(&me, &launch(&ubuntu.id, "t3.micro")));
    assert_eq!(i.hourly_cost_micros, 10_400);
    w.ok(|c| c.call(&me, &launch(&arm.id, "t4g.micro")));
    assert_eq!(
        lines(&mut w, A),
        vec![line(
            USE1,
            "instance-hours",
            2 * 730,
            730 * (10_400 + 8_400)
        )]
    );
    // Stopped and terminated instances cost no hours.
    w.ok(|c| c.call(&me, &StopInstance::new(&i.id)));
    assert_eq!(
        lines(&mut w, A),
        vec![line(USE1, "instance-hours", 730, 730 * 8_400)]
    );
    w.ok(|c| c.call(&me, &StartInstance::new(&i.id)));
    w.ok(|c| c.call(&me, &TerminateInstance::new(&i.id)));
    assert_eq!(
        lines(&mut w, A),
        vec![line(USE1, "instance-hours", 730, 730 * 8_400)]
    );
    w.ok(|c| {
        c.call(
            &me,
            &RunInstance {
                state: Some("stopped".into()),
                ..launch(&ubuntu.id, "m5.large")
            },
        )
    });
    assert_eq!(
        lines(&mut w, A),
        vec![line(USE1, "instance-hours", 730, 730 * 8_400)]
    );
}

#[test]
fn windows_instances_pay_a_licence_per_vcpu_hour() {
    let mut w = World::new();
    let me = at(A, USE1);
    let windows = catalogue(&mut w.cloud, &me, WINDOWS);
    let i = w.ok(|c| c.call(&me, &launch(&windows.id, "t3.micro")));
    let licence = 2 * 4_600;
    assert_eq!(i.hourly_cost_micros, 10_400 + licence);
    assert_eq!(
        lines(&mut w, A),
        vec![
            line(USE1, "instance-hours", 730, 730 * 10_400),
            line(USE1, "software-fees", 730, 730 * licence),
        ]
    );
}

#[test]
fn marketplace_instances_pay_the_software_fee() {
    let mut w = World::new();
    let me = at(A, EUW1);
    let wordpress = catalogue(&mut w.cloud, &me, WORDPRESS);
    let i = w.ok(|c| c.call(&me, &launch(&wordpress.id, "t3.small")));
    assert_eq!(i.hourly_cost_micros, 20_800 + 10_000);
    assert_eq!(
        lines(&mut w, A),
        vec![
            line(EUW1, "instance-hours", 730, 730 * 20_800),
            line(EUW1, "software-fees", 730, 730 * 10_000),
        ]
    );
    // An image made from that instance keeps the fee for its instances.
    let own = w.ok(|c| {
        c.call(
            &me,
            &amisim_simulator::CreateImage {
                instance_id: i.id.clone(),
                name: "my-wordpress".into(),
                ..Default::default()
            },
        )
    });
    let j = w.ok(|c| c.call(&me, &launch(&own.id, "t3.small")));
    assert_eq!(j.hourly_cost_micros, i.hourly_cost_micros);
}

#[test]
fn deregistration_alone_stops_no_charge() {
    let mut w = World::new();
    let me = at(A, USE1);
    let img = w.ok(|c| c.call(&me, &sized("web", 50)));
    w.ok(|c| c.call(&me, &launch(&img.id, "t3.micro")));
    let before = bill_of(&mut w, A).expect("a bill");
    w.ok(|c| c.call(&me, &DeregisterImage::new(&img.id, false)));
    assert_eq!(
        bill_of(&mut w, A).expect("a bill"),
        before,
        "kept snapshots and running instances go on costing"
    );
    // Deleting the snapshots stops their charge; the instance still runs.
    let img2 = w.ok(|c| c.call(&me, &sized("web2", 10)));
    w.ok(|c| c.call(&me, &DeregisterImage::new(&img2.id, true)));
    assert_eq!(bill_of(&mut w, A).expect("a bill"), before);
}

#[test]
fn price_book_override_is_used_by_the_bill() {
    let mut w = World::new();
    w.ok(|c| c.call(&at(A, USE1), &sized("web", 10)));
    let prices =
        amisim_simulator::catalogue::PriceBook::from_json(r#"{"ebs_snapshot_gb_month": 1000}"#)
            .expect("a price book");
    w.ok(|c| {
        c.call(
            &amisim_simulator::Caller::administrator(),
            &amisim_simulator::SetPriceBook { prices },
        )
    });
    assert_eq!(
        lines(&mut w, A),
        vec![line(USE1, "ebs-snapshot-storage", 10, 10_000)]
    );
}

#[test]
fn every_marketplace_windows_and_red_hat_catalogue_image_carries_a_fee() {
    let mut w = World::new();
    let prices = w.ok(|c| c.prices());
    let me = at(D, USE1);
    let all = w.ok(|c| {
        c.call(
            &me,
            &amisim_simulator::DescribeImages {
                owners: vec![
                    "amazon".into(),
                    "aws-marketplace".into(),
                    "309956199498".into(),
                ],
                ..Default::default()
            },
        )
    });
    assert!(all.len() >= 10, "{}", all.len());
    for img in &all {
        let itype = if img.architecture == "arm64" {
            "t4g.micro"
        } else {
            "t3.micro"
        };
        let base = amisim_simulator::catalogue::instance_type(itype)
            .expect("a type")
            .hourly_micros;
        let i = w.ok(|c| c.call(&me, &launch(&img.id, itype)));
        match img.owner_alias.as_deref() {
            Some("aws-marketplace") => {
                assert!(!img.billing_products.is_empty(), "{}", img.name);
                assert!(
                    img.billing_products
                        .iter()
                        .all(|p| prices.software_fee_hour(p) > 0),
                    "{}",
                    img.name
                );
                assert!(
                    i.hourly_cost_micros > base,
                    "{} charges a software fee",
                    img.name
                );
            }
            _ if img.name.starts_with("RHEL") => {
                // Red Hat Enterprise Linux is licensed by the hour per vCPU, as in AWS.
                assert_eq!(
                    img.billing_products,
                    vec![RHEL_BP.to_string()],
                    "{}",
                    img.name
                );
                let vcpus = amisim_simulator::catalogue::instance_type(&i.instance_type)
                    .expect("a catalogue type")
                    .vcpus;
                assert_eq!(i.hourly_cost_micros, base + vcpus * 14_400, "{}", img.name);
            }
            _ if img.platform == "windows" => {
                assert!(
                    img.billing_products.contains(&WINDOWS_BP.to_string()),
                    "{}",
                    img.name
                );
                assert!(
                    i.hourly_cost_micros > base,
                    "{} charges a licence",
                    img.name
                );
            }
            _ => {
                assert!(img.billing_products.is_empty(), "{}", img.name);
                assert_eq!(i.hourly_cost_micros, base, "{} is free software", img.name);
            }
        }
    }
}

#[test]
fn the_bill_accrues_the_monthly_rate_for_the_simulated_time_that_passes() {
    let mut w = World::new();
    let me = at(A, USE1);
    register(&mut w.cloud, &me, "kept");
    let ubuntu = catalogue(&mut w.cloud, &me, UBUNTU);
    w.ok(|c| c.call(&me, &launch(&ubuntu.id, "t3.micro")));
    let before = w.ok(|c| c.bill(Some(A)));
    assert_eq!(before[0].accrued_micros, 0, "no time has passed");
    let monthly = before[0].total_micros;
    // A whole month of the price book (730 hours) accrues exactly one month.
    w.ok(|c| {
        c.call(
            &Caller::administrator(),
            &AdvanceClock {
                seconds: 730 * 3600,
            },
        )
    });
    let after = w.ok(|c| c.bill(Some(A)));
    assert_eq!(
        after[0].total_micros, monthly,
        "the monthly rate is unchanged"
    );
    assert_eq!(after[0].accrued_micros, monthly);
    assert_eq!(after[0].accrued.get(USE1), Some(&monthly));
    // Half a month more of the same cloud accrues half a month more.
    w.ok(|c| {
        c.call(
            &Caller::administrator(),
            &AdvanceClock {
                seconds: 365 * 3600,
            },
        )
    });
    let now = w.ok(|c| c.bill(Some(A)));
    assert_eq!(now[0].accrued_micros, monthly + monthly / 2);
}
