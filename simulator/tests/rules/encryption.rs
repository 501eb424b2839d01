//! Encryption: copies of encrypted images stay encrypted, shared encrypted
//! images need their key granted, AWS managed keys are never shared, and keys
//! are regional.

use amisim_simulator::{CopyImage, CreateImage, CreateKey, Image, Key, Principal, RegisterImage};

use crate::common::*;
use amisim_simulator::{
    AddLaunchPermission, AddStoragePermission, CreateGrant, DescribeKey, ListGrants, RetireGrant,
    RevokeGrant, ScheduleKeyDeletion,
};

fn new_key(w: &mut World, who: &str, region: &str, description: &str) -> Key {
    w.ok(|c| {
        c.call(
            &at(who, region),
            &CreateKey {
                description: description.into(),
                ..CreateKey::default()
            },
        )
    })
}

fn encrypted(name: &str, key: Option<&str>) -> RegisterImage {
    RegisterImage {
        encrypted: true,
        kms_key_id: key.map(str::to_string),
        ..image(name)
    }
}

/// An image of A in us-east-1, encrypted with a customer managed key of A,
/// shared with B (launch and storage), and the key.
fn shared_encrypted(w: &mut World) -> (Image, Key) {
    let owner = at(A, USE1);
    let key = new_key(w, A, USE1, "images");
    let img = w.ok(|c| c.call(&owner, &encrypted("secret-web", Some(&key.id))));
    assert!(img.encrypted);
    assert_eq!(img.kms_key_arn.as_deref(), Some(key.arn.as_str()));
    w.ok(|c| c.call(&owner, &AddLaunchPermission::new(&img.id, &account(B))));
    w.ok(|c| c.call(&owner, &AddStoragePermission::new(&img.storage_ids[0], B)));
    (img, key)
}

#[test]
fn copy_of_encrypted_source_cannot_be_unencrypted() {
    let mut w = World::new();
    let me = at(A, USE1);
    let src = w.ok(|c| c.call(&me, &encrypted("secret", None)));
    w.refused("InvalidParameterCombination", |c| {
        c.call(
            &at(A, USW2),
            &CopyImage {
                encrypted: Some(false),
                ..copy_of(&src, "secret")
            },
        )
    });
}

#[test]
fn copy_of_encrypted_source_is_encrypted_with_a_key_of_the_destination_region() {
    let mut w = World::new();
    let src = w.ok(|c| c.call(&at(A, USE1), &encrypted("secret", None)));
    let copy = w.ok(|c| c.call(&at(A, USW2), &copy_of(&src, "secret")));
    assert!(copy.encrypted);
    let arn = copy.kms_key_arn.clone().expect("a key");
    assert!(
        arn.starts_with(&format!("arn:aws:kms:{USW2}:{A}:key/")),
        "{arn}"
    );
    assert_ne!(Some(arn), src.kms_key_arn);
    let s = storage(&mut w.cloud, &copy.storage_ids[0]).expect("storage");
    assert!(s.encrypted);
    assert_eq!(s.kms_key_arn, copy.kms_key_arn);
}

#[test]
fn unencrypted_source_may_be_copied_to_an_encrypted_copy() {
    let mut w = World::new();
    let src = register(&mut w.cloud, &at(A, USE1), "plain");
    assert!(!src.encrypted && src.kms_key_arn.is_none());
    let with_default = w.ok(|c| {
        c.call(
            &at(A, USW2),
            &CopyImage {
                encrypted: Some(true),
                ..copy_of(&src, "plain")
            },
        )
    });
    assert!(with_default.encrypted);
    let key = new_key(&mut w, A, EUW1, "europe");
    let with_cmk = w.ok(|c| {
        c.call(
            &at(A, EUW1),
            &CopyImage {
                encrypted: Some(true),
                kms_key_id: Some(key.arn.clone()),
                ..copy_of(&src, "plain")
            },
        )
    });
    assert_eq!(with_cmk.kms_key_arn.as_deref(), Some(key.arn.as_str()));
    // And a plain copy of a plain image stays plain.
    let plain = w.ok(|c| c.call(&at(A, "ap-south-1"), &copy_of(&src, "plain")));
    assert!(!plain.encrypted);
}

#[test]
fn kms_key_requires_encryption() {
    let mut w = World::new();
    let me = at(A, USE1);
    let key = new_key(&mut w, A, USE1, "k");
    w.refused("InvalidParameterCombination", |c| {
        c.call(
            &me,
            &RegisterImage {
                kms_key_id: Some(key.id.clone()),
                ..image("web")
            },
        )
    });
    let src = register(&mut w.cloud, &me, "web");
    w.refused("InvalidParameterCombination", |c| {
        c.call(
            &me,
            &CopyImage {
                kms_key_id: Some(key.id.clone()),
                ..copy_of(&src, "web-copy")
            },
        )
    });
}

#[test]
fn encrypted_image_without_a_key_uses_the_aws_managed_key() {
    let mut w = World::new();
    let me = at(A, USE1);
    let img = w.ok(|c| c.call(&me, &encrypted("secret", None)));
    let managed = w
        .ok(|c| c.call(&me, &DescribeKey::new("alias/aws/ebs")))
        .expect("the managed key");
    assert!(managed.aws_managed);
    assert!(is_uuid(&managed.id));
    assert_eq!(img.kms_key_arn.as_deref(), Some(managed.arn.as_str()));
    // Naming the alias explicitly is the same key.
    let again = w.ok(|c| c.call(&me, &encrypted("secret-2", Some("alias/aws/ebs"))));
    assert_eq!(again.kms_key_arn, img.kms_key_arn);
}

#[test]
fn destination_key_must_be_in_the_destination_region() {
    let mut w = World::new();
    let src = register(&mut w.cloud, &at(A, USE1), "web");
    let east_key = new_key(&mut w, A, USE1, "east");
    // A bare key ID names a key of the caller's region only: in us-west-2 there is none.
    // The ARN names the key, which is in the wrong region.
    for (key_ref, code) in [
        (east_key.id.clone(), "NotFoundException"),
        (east_key.arn.clone(), "InvalidParameterValue"),
    ] {
        w.refused(code, |c| {
            c.call(
                &at(A, USW2),
                &CopyImage {
                    encrypted: Some(true),
                    kms_key_id: Some(key_ref.clone()),
                    ..copy_of(&src, "web")
                },
            )
        });
    }
    // The same key works for a copy in its own region.
    w.ok(|c| {
        c.call(
            &at(A, USE1),
            &CopyImage {
                encrypted: Some(true),
                kms_key_id: Some(east_key.id.clone()),
                ..copy_of(&src, "web-encrypted")
            },
        )
    });
}

#[test]
fn unknown_key_is_not_found() {
    let mut w = World::new();
    w.refused("NotFoundException", |c| {
        c.call(
            &at(A, USE1),
            &encrypted("web", Some("0b0e7c4d-1111-4222-8333-444455556666")),
        )
    });
}

#[test]
fn shared_encrypted_image_cannot_be_copied_without_the_key_granted() {
    let mut w = World::new();
    let (img, key) = shared_encrypted(&mut w);
    let b_west = at(B, USW2);
    let err = w.refused("AccessDeniedException", |c| {
        c.call(&b_west, &copy_of(&img, "secret-web"))
    });
    assert!(err.hint.contains("amisim_kms_grant"), "{err}");
    w.ok(|c| c.call(&at(A, USE1), &CreateGrant::new(&key.id, B)));
    let copy = w.ok(|c| c.call(&b_west, &copy_of(&img, "secret-web")));
    assert_eq!(copy.owner_id, B);
    assert!(copy.encrypted);
    let arn = copy.kms_key_arn.expect("a key");
    assert!(
        arn.starts_with(&format!("arn:aws:kms:{USW2}:{B}:key/")),
        "{arn}"
    );
}

fn grant_of(key: &Key, grantee: &str, operations: &[&str]) -> CreateGrant {
    CreateGrant {
        operations: operations.iter().map(|o| o.to_string()).collect(),
        ..CreateGrant::new(&key.arn, grantee)
    }
}

#[test]
fn a_grant_allows_only_the_operations_it_lists() {
    let mut w = World::new();
    let (img, key) = shared_encrypted(&mut w);
    let owner = at(A, USE1);
    let b_west = at(B, USW2);
    // DescribeKey alone lets B see the key but not read the image.
    let describe = w.ok(|c| c.call(&owner, &grant_of(&key, B, &["DescribeKey"])));
    let err = w.refused("AccessDeniedException", |c| {
        c.call(&b_west, &copy_of(&img, "secret-web"))
    });
    assert!(err.message.contains("not Decrypt"), "{err}");
    // Decrypt reads the source, which a launch needs; a copy needs
    // ReEncryptFrom, CreateGrant and DescribeKey too, as AWS documents, and
    // a refusal names the first one missing.
    let decrypt = w.ok(|c| c.call(&owner, &grant_of(&key, B, &["Decrypt", "Decrypt"])));
    assert_eq!(decrypt.operations, vec!["Decrypt".to_string()]);
    assert_ne!(decrypt.id, describe.id, "a second grant of its own");
    let err = w.refused("AccessDeniedException", |c| {
        c.call(&b_west, &copy_of(&img, "secret-web"))
    });
    assert!(err.message.contains("not ReEncryptFrom"), "{err}");
    assert!(err.hint.contains("ReEncryptFrom"), "{err}");
    w.ok(|c| c.call(&at(B, USE1), &launch(&img.id, "t3.micro")));
    let copying = w.ok(|c| {
        c.call(
            &owner,
            &grant_of(&key, B, &["ReEncryptFrom", "CreateGrant"]),
        )
    });
    assert_eq!(
        copying.operations,
        vec!["CreateGrant".to_string(), "ReEncryptFrom".to_string()]
    );
    // B's copy is encrypted with B's own key, so A's key needs nothing more.
    w.ok(|c| c.call(&b_west, &copy_of(&img, "secret-web")));
    // Encrypting new storage with A's key needs GenerateDataKeyWithoutPlaintext.
    let b = at(B, USE1);
    let with_a_key = CopyImage {
        encrypted: Some(true),
        kms_key_id: Some(key.arn.clone()),
        ..copy_of(&img, "secret-web-a-key")
    };
    let err = w.refused("AccessDeniedException", |c| c.call(&b, &with_a_key));
    assert!(
        err.message.contains("GenerateDataKeyWithoutPlaintext"),
        "{err}"
    );
    w.ok(|c| {
        c.call(
            &owner,
            &grant_of(&key, B, &["GenerateDataKeyWithoutPlaintext"]),
        )
    });
    w.ok(|c| c.call(&b, &with_a_key));
    // The same grant again is a duplicate; an operation KMS does not have is refused.
    w.refused("InvalidPermission.Duplicate", |c| {
        c.call(&owner, &grant_of(&key, B, &["Decrypt"]))
    });
    w.refused("InvalidParameterValue", |c| {
        c.call(&owner, &grant_of(&key, B, &["ReadEverything"]))
    });
    let listed = w.ok(|c| {
        c.call(
            &owner,
            &ListGrants {
                key_id: key.id.clone(),
            },
        )
    });
    assert_eq!(listed.len(), 4);
    // The grantee retires one grant; a third account cannot retire another.
    w.refused("NotFoundException", |c| {
        c.call(
            &at(C, USE1),
            &RetireGrant {
                grant_id: decrypt.id.clone(),
            },
        )
    });
    assert!(w.ok(|c| c.call(
        &b,
        &RetireGrant {
            grant_id: decrypt.id.clone(),
        },
    )));
    w.refused("AccessDeniedException", |c| {
        c.call(&b_west, &copy_of(&img, "secret-web-2"))
    });
    // The owner revokes one grant by its ID, leaving the others.
    assert!(w.ok(|c| c.call(
        &owner,
        &RevokeGrant {
            grant_id: Some(describe.id.clone()),
            ..RevokeGrant::new(&key.id, B)
        },
    )));
    let left = w.ok(|c| {
        c.call(
            &owner,
            &ListGrants {
                key_id: key.id.clone(),
            },
        )
    });
    let mut left: Vec<String> = left.iter().map(|g| g.operations.join("+")).collect();
    left.sort();
    assert_eq!(
        left,
        vec![
            "CreateGrant+ReEncryptFrom",
            "GenerateDataKeyWithoutPlaintext"
        ]
    );
}

#[test]
fn shared_encrypted_image_cannot_be_launched_without_the_key_granted() {
    let mut w = World::new();
    let (img, key) = shared_encrypted(&mut w);
    let b = at(B, USE1);
    w.refused("AccessDeniedException", |c| {
        c.call(&b, &launch(&img.id, "t3.micro"))
    });
    w.ok(|c| c.call(&at(A, USE1), &CreateGrant::new(&key.arn, B)));
    let i = w.ok(|c| c.call(&b, &launch(&img.id, "t3.micro")));
    assert_eq!(i.owner_id, B);
    // A grant to B is not a grant to C.
    let owner = at(A, USE1);
    w.ok(|c| c.call(&owner, &AddLaunchPermission::new(&img.id, &account(C))));
    w.refused("AccessDeniedException", |c| {
        c.call(&at(C, USE1), &launch(&img.id, "t3.micro"))
    });
    // Revoking the grant stops new launches again.
    assert!(w.ok(|c| c.call(&owner, &RevokeGrant::new(&key.id, B))));
    w.refused("AccessDeniedException", |c| {
        c.call(&b, &launch(&img.id, "t3.micro"))
    });
}

#[test]
fn image_from_instance_of_encrypted_image_stays_encrypted() {
    let mut w = World::new();
    let me = at(A, USE1);
    let img = w.ok(|c| c.call(&me, &encrypted("secret", None)));
    let i = w.ok(|c| c.call(&me, &launch(&img.id, "t3.micro")));
    let derived = w.ok(|c| {
        c.call(
            &me,
            &CreateImage {
                instance_id: i.id.clone(),
                name: "secret-derived".into(),
                ..CreateImage::default()
            },
        )
    });
    assert!(derived.encrypted);
    assert_eq!(derived.kms_key_arn, img.kms_key_arn);
}

#[test]
fn image_from_instance_keeps_the_volume_customer_key_and_refuses_another() {
    let mut w = World::new();
    let me = at(A, USE1);
    let key = w.ok(|c| c.call(&me, &amisim_simulator::CreateKey::default()));
    let other = w.ok(|c| c.call(&me, &amisim_simulator::CreateKey::default()));
    let img = w.ok(|c| c.call(&me, &encrypted("secret", Some(&key.id))));
    let i = w.ok(|c| c.call(&me, &launch(&img.id, "t3.micro")));
    let derived = w.ok(|c| {
        c.call(
            &me,
            &CreateImage {
                instance_id: i.id.clone(),
                name: "secret-derived".into(),
                ..CreateImage::default()
            },
        )
    });
    // The volume's customer managed key, so the image can still be shared.
    assert_eq!(derived.kms_key_arn.as_deref(), Some(key.arn.as_str()));
    w.ok(|c| c.call(&me, &AddLaunchPermission::new(&derived.id, &account(B))));
    let err = w.refused("InvalidParameterCombination", |c| {
        c.call(
            &me,
            &CreateImage {
                instance_id: i.id.clone(),
                name: "re-keyed".into(),
                encrypted: true,
                kms_key_id: Some(other.id.clone()),
                ..CreateImage::default()
            },
        )
    });
    assert!(err.message.contains("keeps that key"), "{err}");
    // Naming the volume's own key is fine.
    w.ok(|c| {
        c.call(
            &me,
            &CreateImage {
                instance_id: i.id.clone(),
                name: "same-key".into(),
                encrypted: true,
                kms_key_id: Some(key.arn.clone()),
                ..CreateImage::default()
            },
        )
    });
}

#[test]
fn images_encrypted_with_the_aws_managed_key_can_never_be_shared() {
    let mut w = World::new();
    let owner = at(A, USE1);
    let img = w.ok(|c| c.call(&owner, &encrypted("secret", None)));
    for principal in [
        account(B),
        public(),
        Principal::Organization(ORG.into()),
        Principal::OrganizationalUnit(OU1.into()),
    ] {
        let err = w.refused("InvalidParameter", |c| {
            c.call(&owner, &AddLaunchPermission::new(&img.id, &principal))
        });
        assert!(err.message.contains("alias/aws/ebs"), "{err}");
    }
    w.refused("InvalidParameter", |c| {
        c.call(&owner, &AddStoragePermission::new(&img.storage_ids[0], B))
    });
}

#[test]
fn aws_managed_key_cannot_be_granted() {
    let mut w = World::new();
    let me = at(A, USE1);
    let managed = w
        .ok(|c| c.call(&me, &DescribeKey::new("alias/aws/ebs")))
        .expect("managed key");
    for key_ref in [
        "alias/aws/ebs".to_string(),
        managed.id.clone(),
        managed.arn.clone(),
    ] {
        w.refused("UnsupportedOperation", |c| {
            c.call(&me, &CreateGrant::new(&key_ref, B))
        });
    }
    w.refused("UnsupportedOperation", |c| {
        c.call(&me, &ScheduleKeyDeletion::new("alias/aws/ebs"))
    });
}

#[test]
fn only_the_key_owner_can_grant_it() {
    let mut w = World::new();
    let key = new_key(&mut w, A, USE1, "k");
    w.refused("AccessDeniedException", |c| {
        c.call(&at(B, USE1), &CreateGrant::new(&key.id, C))
    });
    w.refused("InvalidParameterValue", |c| {
        c.call(&at(A, USE1), &CreateGrant::new(&key.id, "not-an-account"))
    });
    let g = w.ok(|c| c.call(&at(A, USE1), &CreateGrant::new(&key.id, B)));
    assert_eq!(g.grantee_account_id, B);
    assert_eq!(g.id.len(), 64);
}

#[test]
fn key_of_another_account_encrypts_only_once_granted() {
    let mut w = World::new();
    let key = new_key(&mut w, A, USE1, "shared");
    let b = at(B, USE1);
    w.refused("AccessDeniedException", |c| {
        c.call(&b, &encrypted("b-secret", Some(&key.arn)))
    });
    w.ok(|c| c.call(&at(A, USE1), &CreateGrant::new(&key.id, B)));
    let img = w.ok(|c| c.call(&b, &encrypted("b-secret", Some(&key.arn))));
    assert_eq!(img.owner_id, B);
}

#[test]
fn encrypted_images_can_never_be_public() {
    let mut w = World::new();
    let owner = at(A, USE1);
    let key = new_key(&mut w, A, USE1, "k");
    let img = w.ok(|c| c.call(&owner, &encrypted("secret", Some(&key.id))));
    w.refused("InvalidParameter", |c| {
        c.call(&owner, &AddLaunchPermission::new(&img.id, &public()))
    });
    // Sharing it with an account is fine.
    w.ok(|c| c.call(&owner, &AddLaunchPermission::new(&img.id, &account(B))));
}

#[test]
fn instance_store_images_cannot_be_encrypted() {
    let mut w = World::new();
    w.refused("InvalidParameterCombination", |c| {
        c.call(
            &at(A, USE1),
            &RegisterImage {
                root_device_type: Some("instance-store".into()),
                ..encrypted("legacy", None)
            },
        )
    });
}

#[test]
fn key_scheduled_for_deletion_cannot_encrypt() {
    let mut w = World::new();
    let me = at(A, USE1);
    let key = new_key(&mut w, A, USE1, "doomed");
    assert!(w.ok(|c| c.call(&me, &ScheduleKeyDeletion::new(&key.id))));
    assert!(!w.ok(|c| c.call(&me, &ScheduleKeyDeletion::new(&key.id))));
    w.refused("InvalidParameterValue", |c| {
        c.call(&me, &encrypted("secret", Some(&key.id)))
    });
}

#[test]
fn copy_of_instance_store_image_cannot_be_encrypted() {
    let mut w = World::new();
    let src = w.ok(|c| {
        c.call(
            &at(A, USE1),
            &RegisterImage {
                root_device_type: Some("instance-store".into()),
                ..image("legacy")
            },
        )
    });
    let key = new_key(&mut w, A, USW2, "west");
    for (encrypted, kms_key_id) in [(Some(true), None), (Some(true), Some(key.id.clone()))] {
        w.refused("InvalidParameterCombination", |c| {
            c.call(
                &at(A, USW2),
                &CopyImage {
                    encrypted,
                    kms_key_id: kms_key_id.clone(),
                    ..copy_of(&src, "legacy")
                },
            )
        });
    }
    let plain = w.ok(|c| c.call(&at(A, USW2), &copy_of(&src, "legacy")));
    assert!(!plain.encrypted);
}
