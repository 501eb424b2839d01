//! Billing products: images that carry them cannot be copied to another
//! account or made public; launching and imaging the instance is the way out.

use amisim_simulator::{CreateImage, RegisterImage};

use crate::common::*;
use amisim_simulator::{AddLaunchPermission, AddStoragePermission};

const PRODUCT: &str = "bp-63a5400a";

fn assert_billing_product_refusal(err: &amisim_simulator::Error) {
    assert!(
        err.message.starts_with(
            "Images with EC2 BillingProduct codes cannot be copied to another AWS account"
        ),
        "{err}"
    );
    assert!(
        err.hint.contains("source_instance_id"),
        "the hint names the way out: {err}"
    );
}

#[test]
fn billing_product_image_of_another_account_cannot_be_copied() {
    let mut w = World::new();
    let owner = at(A, USE1);
    let img = w.ok(|c| {
        c.call(
            &owner,
            &RegisterImage {
                billing_products: vec![PRODUCT.into()],
                ..image("licensed")
            },
        )
    });
    assert_eq!(img.billing_products, vec![PRODUCT.to_string()]);
    // Shared for launch and storage: everything a copy needs but the product.
    w.ok(|c| c.call(&owner, &AddLaunchPermission::new(&img.id, &account(B))));
    w.ok(|c| c.call(&owner, &AddStoragePermission::new(&img.storage_ids[0], B)));
    for region in [USE1, USW2] {
        let err = w.refused("InvalidRequest", |c| {
            c.call(&at(B, region), &copy_of(&img, "licensed"))
        });
        assert_billing_product_refusal(&err);
    }
    // The owner itself may copy it, and the copy keeps the product.
    let own = w.ok(|c| c.call(&at(A, USW2), &copy_of(&img, "licensed")));
    assert_eq!(own.billing_products, img.billing_products);
}

#[test]
fn public_windows_image_cannot_be_copied_to_another_account() {
    let mut w = World::new();
    let me = at(B, USE1);
    let windows = catalogue(&mut w.cloud, &me, WINDOWS);
    assert!(windows.billing_products.contains(&WINDOWS_BP.to_string()));
    assert_eq!(windows.owner_alias.as_deref(), Some("amazon"));
    for region in [USE1, EUW1] {
        let err = w.refused("InvalidRequest", |c| {
            c.call(&at(B, region), &copy_of(&windows, "my-windows"))
        });
        assert_billing_product_refusal(&err);
    }
}

#[test]
fn marketplace_images_cannot_be_copied_to_another_account() {
    let mut w = World::new();
    let me = at(B, USE1);
    for name in [WORDPRESS, "cis-hardened-ubuntu-24.04-level-1-x86_64"] {
        let img = catalogue(&mut w.cloud, &me, name);
        assert_eq!(img.owner_alias.as_deref(), Some("aws-marketplace"));
        assert!(!img.billing_products.is_empty());
        let err = w.refused("InvalidRequest", |c| {
            c.call(&me, &copy_of(&img, "my-market"))
        });
        assert_billing_product_refusal(&err);
    }
}

#[test]
fn image_from_instance_of_billing_product_image_keeps_the_billing_product() {
    let mut w = World::new();
    let me = at(B, USE1);
    for (name, itype) in [(WINDOWS, "t3.micro"), (WORDPRESS, "t3.small")] {
        let src = catalogue(&mut w.cloud, &me, name);
        let instance = w.ok(|c| c.call(&me, &launch(&src.id, itype)));
        assert_eq!(instance.billing_products, src.billing_products);
        let own_name = format!("own-{}", &name[..9]);
        let own = w.ok(|c| {
            c.call(
                &me,
                &CreateImage {
                    instance_id: instance.id.clone(),
                    name: own_name.clone(),
                    ..CreateImage::default()
                },
            )
        });
        assert_eq!(own.owner_id, B);
        assert_eq!(own.billing_products, src.billing_products);
        assert_eq!(own.platform, src.platform);
        assert_eq!(
            own.source_instance_id.as_deref(),
            Some(instance.id.as_str())
        );
        // Now B owns an image it may copy, and the copy still carries the product.
        let copy = w.ok(|c| c.call(&at(B, EUW1), &copy_of(&own, &own_name)));
        assert_eq!(copy.billing_products, src.billing_products);
        // But not hand it on to another account by copy.
        w.ok(|c| c.call(&me, &AddLaunchPermission::new(&own.id, &account(C))));
        w.ok(|c| c.call(&me, &AddStoragePermission::new(&own.storage_ids[0], C)));
        w.refused("InvalidRequest", |c| {
            c.call(&at(C, USE1), &copy_of(&own, "from-b"))
        });
    }
}

#[test]
fn billing_product_images_can_never_be_public() {
    let mut w = World::new();
    let owner = at(A, USE1);
    let img = w.ok(|c| {
        c.call(
            &owner,
            &RegisterImage {
                billing_products: vec![PRODUCT.into()],
                ..image("licensed")
            },
        )
    });
    w.refused("InvalidParameter", |c| {
        c.call(&owner, &AddLaunchPermission::new(&img.id, &public()))
    });
    let windows = w.ok(|c| {
        c.call(
            &owner,
            &RegisterImage {
                platform: Some("windows".into()),
                ..image("my-windows")
            },
        )
    });
    assert_eq!(windows.billing_products, vec![WINDOWS_BP.to_string()]);
    w.refused("InvalidParameter", |c| {
        c.call(&owner, &AddLaunchPermission::new(&windows.id, &public()))
    });
    // Sharing with one account is allowed.
    w.ok(|c| c.call(&owner, &AddLaunchPermission::new(&img.id, &account(B))));
}

#[test]
fn billing_product_codes_are_checked() {
    let mut w = World::new();
    for bad in ["", "BP-UPPER", "bp 1", &"x".repeat(65)] {
        w.refused("InvalidParameterValue", |c| {
            c.call(
                &at(A, USE1),
                &RegisterImage {
                    billing_products: vec![bad.to_string()],
                    ..image("licensed")
                },
            )
        });
    }
}

#[test]
fn windows_images_run_only_on_x86_64() {
    let mut w = World::new();
    w.refused("InvalidParameterCombination", |c| {
        c.call(
            &at(A, USE1),
            &RegisterImage {
                platform: Some("windows".into()),
                architecture: Some("arm64".into()),
                ..image("arm-windows")
            },
        )
    });
}
