//! The public catalogue belongs to AWS: no caller acts as its owner accounts.

use crate::common::*;
use amisim_simulator::model::{AMAZON_ACCOUNT, MARKETPLACE_ACCOUNT};
use amisim_simulator::{
    AddLaunchPermission, Caller, ClaimAccount, DeleteSnapshot, DeregisterImage, DisableImage,
    RemoveLaunchPermission, SetImageDeprecation,
};

#[test]
fn no_caller_acts_as_an_account_of_the_public_catalogue() {
    let mut w = World::new();
    let al2023 = catalogue(&mut w.cloud, &at(A, USE1), AL2023_ARM);
    assert_eq!(al2023.owner_id, AMAZON_ACCOUNT);
    let wordpress = catalogue(&mut w.cloud, &at(A, USE1), WORDPRESS);
    assert_eq!(wordpress.owner_id, MARKETPLACE_ACCOUNT);
    let ubuntu = catalogue(&mut w.cloud, &at(A, USE1), UBUNTU);
    assert_eq!(ubuntu.owner_id, CANONICAL);
    for owned in [&al2023, &wordpress, &ubuntu] {
        let owner = at(&owned.owner_id, USE1);
        let err = w.refused("AuthFailure", |c| {
            c.call(&owner, &DeregisterImage::new(&owned.id, true))
        });
        assert!(
            err.message.contains("a publisher of the public catalogue"),
            "{err}"
        );
        assert!(err.hint.contains("account of your own"), "{err}");
        w.refused("AuthFailure", |c| {
            c.call(&owner, &DeleteSnapshot::new(&owned.storage_ids[0]))
        });
        w.refused("AuthFailure", |c| {
            c.call(&owner, &RemoveLaunchPermission::new(&owned.id, &public()))
        });
        w.refused("AuthFailure", |c| {
            c.call(&owner, &DisableImage::new(&owned.id))
        });
        w.refused("AuthFailure", |c| {
            c.call(
                &owner,
                &SetImageDeprecation::new(&owned.id, Some("2025-06-01T00:00:00Z")),
            )
        });
        w.refused("AuthFailure", |c| {
            c.call(&owner, &AddLaunchPermission::new(&owned.id, &account(B)))
        });
        w.refused("AuthFailure", |c| c.call(&owner, &image("mine")));
        // Nor can the administrator claim it for someone.
        w.refused("AuthFailure", |c| {
            c.call(
                &Caller::administrator(),
                &ClaimAccount::new(&owned.owner_id),
            )
        });
    }
    // Everyone else still launches and copies the catalogue.
    w.ok(|c| c.call(&at(A, USE1), &launch(&al2023.id, "t4g.micro")));
}
