//! Property tests: random sequences of calls by a few accounts in a few
//! regions, checking after every call that
//! - a refused call left the store as it was (every object, the metadata and
//!   the ID counters), and logged one event;
//! - every available image's storage exists;
//! - an image's owner never changes;
//! - IDs are unique and well formed (`ami-` and 17 lowercase hex digits);
//!
//! and that replaying a sequence on a new store gives the same log, and that
//! independent registrations get the same IDs in any order.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use amisim_simulator::store::{Entity, Filter};
use amisim_simulator::{
    Caller, Cloud, CopyImage, CreateImage, CreateKey, DeclareAccount, Image, Instance,
    LaunchPermission, Principal, RegisterImage, Storage,
};
use proptest::prelude::*;

use amisim_simulator::{
    AddLaunchPermission, AddStoragePermission, CreateGrant, DeregisterImage,
    RemoveLaunchPermission, SetBlockPublicAccess, StopInstance, TerminateInstance,
};
use common::*;

const ACCOUNTS: [&str; 3] = [A, B, C];
const REGIONS: [&str; 2] = [USE1, USW2];
/// "x" breaks the naming rules, so some registrations are refused.
const NAMES: [&str; 6] = ["web", "dbs", "cache", "queue", "batch", "x"];
const TYPES: [&str; 5] = [
    "t3.micro",
    "t4g.micro",
    "m5d.large",
    "t1.micro",
    "m3.medium",
];

/// One call, its targets as indexes into what exists when it runs.
#[derive(Debug, Clone)]
enum Op {
    Register {
        who: u8,
        region: u8,
        name: u8,
        encrypted: bool,
        instance_store: bool,
        product: bool,
    },
    RegisterWithKey {
        who: u8,
        region: u8,
        name: u8,
        key: u8,
    },
    Copy {
        who: u8,
        region: u8,
        image: u8,
        name: u8,
        encrypted: Option<bool>,
    },
    Share {
        who: u8,
        region: u8,
        image: u8,
        principal: u8,
    },
    Unshare {
        who: u8,
        region: u8,
        image: u8,
        principal: u8,
    },
    ShareStorage {
        who: u8,
        region: u8,
        image: u8,
        to: u8,
    },
    Deregister {
        who: u8,
        region: u8,
        image: u8,
        delete: bool,
    },
    Run {
        who: u8,
        region: u8,
        image: u8,
        itype: u8,
    },
    CreateImage {
        who: u8,
        region: u8,
        instance: u8,
        name: u8,
    },
    Stop {
        who: u8,
        region: u8,
        instance: u8,
    },
    Terminate {
        who: u8,
        region: u8,
        instance: u8,
    },
    CreateKey {
        who: u8,
        region: u8,
    },
    Grant {
        who: u8,
        region: u8,
        key: u8,
        to: u8,
    },
    BlockPublicAccess {
        who: u8,
        region: u8,
        blocked: bool,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let who = prop_oneof![2 => Just(0u8), 1 => Just(1u8), 1 => Just(2u8)];
    // Mostly the first region, so that each account has a few images in one place.
    let region = prop_oneof![3 => Just(0u8), 1 => Just(1u8)];
    let byte = any::<u8>();
    prop_oneof![
        5 => (who.clone(), region.clone(), 0u8..6, any::<bool>(), prop::bool::weighted(0.15), prop::bool::weighted(0.15))
            .prop_map(|(who, region, name, encrypted, instance_store, product)| Op::Register {
                who, region, name, encrypted, instance_store, product
            }),
        1 => (who.clone(), region.clone(), 0u8..6, byte)
            .prop_map(|(who, region, name, key)| Op::RegisterWithKey { who, region, name, key }),
        3 => (who.clone(), region.clone(), byte, 0u8..6, prop::option::of(any::<bool>()))
            .prop_map(|(who, region, image, name, encrypted)| Op::Copy { who, region, image, name, encrypted }),
        3 => (who.clone(), region.clone(), byte, 0u8..6)
            .prop_map(|(who, region, image, principal)| Op::Share { who, region, image, principal }),
        1 => (who.clone(), region.clone(), byte, 0u8..6)
            .prop_map(|(who, region, image, principal)| Op::Unshare { who, region, image, principal }),
        2 => (who.clone(), region.clone(), byte, 0u8..3)
            .prop_map(|(who, region, image, to)| Op::ShareStorage { who, region, image, to }),
        1 => (who.clone(), region.clone(), byte, any::<bool>())
            .prop_map(|(who, region, image, delete)| Op::Deregister { who, region, image, delete }),
        3 => (who.clone(), region.clone(), byte, 0u8..5)
            .prop_map(|(who, region, image, itype)| Op::Run { who, region, image, itype }),
        2 => (who.clone(), region.clone(), byte, 0u8..6)
            .prop_map(|(who, region, instance, name)| Op::CreateImage { who, region, instance, name }),
        1 => (who.clone(), region.clone(), byte)
            .prop_map(|(who, region, instance)| Op::Stop { who, region, instance }),
        1 => (who.clone(), region.clone(), byte)
            .prop_map(|(who, region, instance)| Op::Terminate { who, region, instance }),
        1 => (who.clone(), region.clone()).prop_map(|(who, region)| Op::CreateKey { who, region }),
        1 => (who.clone(), region.clone(), byte, 0u8..3).prop_map(|(who, region, key, to)| Op::Grant { who, region, key, to }),
        1 => (who, region, any::<bool>()).prop_map(|(who, region, blocked)| Op::BlockPublicAccess { who, region, blocked }),
    ]
}

/// What the sequence has made so far, for ops to pick targets from.
struct Known {
    images: Vec<String>,
    instances: Vec<String>,
    keys: Vec<String>,
}

fn pick(list: &[String], n: u8) -> String {
    list[n as usize % list.len()].clone()
}

/// Mostly one of the caller's own images or instances (so that owner-only calls
/// get through), sometimes anything at all.
fn pick_own<T: Entity>(cloud: &mut Cloud, list: &[String], me: &Caller, n: u8) -> String {
    // A quarter of the time, anything at all.
    if n < 64 {
        return pick(list, n);
    }
    let own: Vec<String> = cloud
        .store()
        .read(|tx| {
            let mut own = Vec::new();
            for id in list {
                if let Some(x) = tx.get::<T>(id)? {
                    if x.account() == me.account_id && x.region() == me.region {
                        own.push(id.clone());
                    }
                }
            }
            Ok(own)
        })
        .expect("a lookup");
    if own.is_empty() {
        pick(list, n)
    } else {
        pick(&own, n)
    }
}

fn principal(n: u8) -> Principal {
    match n {
        0..=2 => account(ACCOUNTS[n as usize]),
        3 => public(),
        4 => Principal::Organization(ORG.into()),
        _ => account("not-an-account"),
    }
}

/// A result whose value the invariants do not look at.
fn nothing<T>(r: amisim_simulator::Result<T>) -> amisim_simulator::Result<Made> {
    r.map(|_| Made::Nothing)
}

/// What a call returned, reduced to what the invariants look at.
enum Made {
    Image(Box<Image>),
    Instance(Box<Instance>),
    Key(String),
    Nothing,
}

fn apply(cloud: &mut Cloud, known: &Known, op: &Op) -> (Caller, amisim_simulator::Result<Made>) {
    let c = |who: u8, region: u8| at(ACCOUNTS[who as usize], REGIONS[region as usize]);
    match *op {
        Op::Register {
            who,
            region,
            name,
            encrypted,
            instance_store,
            product,
        } => {
            let me = c(who, region);
            let req = RegisterImage {
                encrypted,
                root_device_type: instance_store.then(|| "instance-store".to_string()),
                billing_products: if product {
                    vec!["bp-1234abcd".into()]
                } else {
                    vec![]
                },
                ..image(NAMES[name as usize])
            };
            let r = cloud.call(&me, &req).map(|i| Made::Image(Box::new(i)));
            (me, r)
        }
        Op::RegisterWithKey {
            who,
            region,
            name,
            key,
        } => {
            let me = c(who, region);
            let req = RegisterImage {
                encrypted: true,
                kms_key_id: Some(pick(&known.keys, key)),
                ..image(NAMES[name as usize])
            };
            let r = cloud.call(&me, &req).map(|i| Made::Image(Box::new(i)));
            (me, r)
        }
        Op::Copy {
            who,
            region,
            image,
            name,
            encrypted,
        } => {
            let me = c(who, region);
            let source = pick(&known.images, image);
            // Guess the source's region as the other one half of the time.
            let source_region = cloud
                .store()
                .read(|tx| tx.get::<Image>(&source))
                .ok()
                .flatten()
                .map(|i| i.region)
                .filter(|_| image % 5 != 0)
                .unwrap_or_else(|| REGIONS[(region as usize + 1) % 2].to_string());
            let req = CopyImage {
                source_image_id: source,
                source_region,
                name: NAMES[name as usize].into(),
                encrypted,
                ..CopyImage::default()
            };
            let r = cloud.call(&me, &req).map(|i| Made::Image(Box::new(i)));
            (me, r)
        }
        Op::Share {
            who,
            region,
            image,
            principal: p,
        } => {
            let me = c(who, region);
            let target = pick_own::<Image>(cloud, &known.images, &me, image);
            let r = nothing(cloud.call(&me, &AddLaunchPermission::new(&target, &principal(p))));
            (me, r)
        }
        Op::Unshare {
            who,
            region,
            image,
            principal: p,
        } => {
            let me = c(who, region);
            let target = pick_own::<Image>(cloud, &known.images, &me, image);
            let r = nothing(cloud.call(&me, &RemoveLaunchPermission::new(&target, &principal(p))));
            (me, r)
        }
        Op::ShareStorage {
            who,
            region,
            image,
            to,
        } => {
            let me = c(who, region);
            let id = pick_own::<Image>(cloud, &known.images, &me, image);
            let sid = cloud
                .store()
                .read(|tx| tx.get::<Image>(&id))
                .ok()
                .flatten()
                .and_then(|i| i.storage_ids.first().cloned())
                .unwrap_or_else(|| "snap-0123456789abcdef0".into());
            let r =
                nothing(cloud.call(&me, &AddStoragePermission::new(&sid, ACCOUNTS[to as usize])));
            (me, r)
        }
        Op::Deregister {
            who,
            region,
            image,
            delete,
        } => {
            let me = c(who, region);
            let target = pick_own::<Image>(cloud, &known.images, &me, image);
            let r = nothing(cloud.call(&me, &DeregisterImage::new(&target, delete)));
            (me, r)
        }
        Op::Run {
            who,
            region,
            image,
            itype,
        } => {
            let me = c(who, region);
            let target = pick_own::<Image>(cloud, &known.images, &me, image);
            let r = cloud
                .call(&me, &launch(&target, TYPES[itype as usize]))
                .map(|i| Made::Instance(Box::new(i)));
            (me, r)
        }
        Op::CreateImage {
            who,
            region,
            instance,
            name,
        } => {
            let me = c(who, region);
            let target = pick_own::<Instance>(cloud, &known.instances, &me, instance);
            let req = CreateImage {
                instance_id: target,
                name: NAMES[name as usize].into(),
                ..CreateImage::default()
            };
            let r = cloud.call(&me, &req).map(|i| Made::Image(Box::new(i)));
            (me, r)
        }
        Op::Stop {
            who,
            region,
            instance,
        } => {
            let me = c(who, region);
            let target = pick_own::<Instance>(cloud, &known.instances, &me, instance);
            let r = nothing(cloud.call(&me, &StopInstance::new(&target)));
            (me, r)
        }
        Op::Terminate {
            who,
            region,
            instance,
        } => {
            let me = c(who, region);
            let target = pick_own::<Instance>(cloud, &known.instances, &me, instance);
            let r = nothing(cloud.call(&me, &TerminateInstance::new(&target)));
            (me, r)
        }
        Op::CreateKey { who, region } => {
            let me = c(who, region);
            let r = cloud
                .call(&me, &CreateKey::default())
                .map(|k| Made::Key(k.id));
            (me, r)
        }
        Op::Grant {
            who,
            region,
            key,
            to,
        } => {
            let me = c(who, region);
            let target = pick_own::<amisim_simulator::Key>(cloud, &known.keys, &me, key);
            let r = nothing(cloud.call(&me, &CreateGrant::new(&target, ACCOUNTS[to as usize])));
            (me, r)
        }
        Op::BlockPublicAccess {
            who,
            region,
            blocked,
        } => {
            let me = c(who, region);
            let state = if blocked {
                "block-new-sharing"
            } else {
                "unblocked"
            };
            let r = nothing(cloud.call(&me, &SetBlockPublicAccess::new(state)));
            (me, r)
        }
    }
}

/// A new cloud with B in the organization, and what the ops can start from.
fn start() -> (World, Known) {
    let mut world = World::new();
    let cloud = &mut world.cloud;
    cloud
        .call(
            &at(B, USE1),
            &DeclareAccount {
                organization_arn: Some(ORG.into()),
                organizational_unit_arn: None,
            },
        )
        .expect("declared");
    let mut images = Vec::new();
    for region in REGIONS {
        for name in [UBUNTU, AL2023_ARM, WINDOWS, WORDPRESS] {
            images.push(catalogue(cloud, &at(C, region), name).id);
        }
    }
    images.push("ami-0123456789abcdef0".into());
    images.push("ami-NOT-AN-ID".into());
    // A few images and a key to start from, so that owner-only calls have targets.
    let key = cloud
        .call(&at(C, USE1), &CreateKey::default())
        .expect("a key");
    for (who, region, req) in [
        (A, USE1, image("seed-a")),
        (A, USW2, image("seed-a-west")),
        (B, USE1, image("seed-b")),
        (
            C,
            USE1,
            RegisterImage {
                encrypted: true,
                kms_key_id: Some(key.id.clone()),
                ..image("seed-c")
            },
        ),
    ] {
        images.push(cloud.call(&at(who, region), &req).expect("a seed image").id);
    }
    let known = Known {
        images,
        instances: vec!["i-0123456789abcdef0".into()],
        keys: vec!["alias/aws/ebs".into(), key.id],
    };
    (world, known)
}

fn check_sequence(ops: &[Op]) -> Result<(), TestCaseError> {
    let (mut world, mut known) = start();
    let path = world.backend.clone();
    let cloud = &mut world.cloud;
    let mut owners: BTreeMap<String, String> = BTreeMap::new();
    let mut seen: BTreeSet<String> = known.images.iter().cloned().collect();
    for op in ops {
        // Everything the store holds but the log: objects, metadata, ID counters.
        let before = store_dump(&path);
        let log_before = cloud.events(0).expect("log");
        let (caller, result) = apply(cloud, &known, op);
        let events = new_events(&log_before, &cloud.events(0).expect("log"));
        prop_assert_eq!(events.len(), 1, "one call, one event: {:?}", op);
        match result {
            Err(e) => {
                prop_assert_eq!(&events[0].outcome, e.code());
                prop_assert!(!e.kind.code().starts_with("Store."), "{:?}: {}", op, e);
                prop_assert!(
                    before == store_dump(&path),
                    "{:?} was refused ({}) but changed the cloud",
                    op,
                    e
                );
            }
            Ok(made) => {
                prop_assert_eq!(&events[0].outcome, "ok");
                match made {
                    Made::Image(img) => {
                        prop_assert!(well_formed(&img.id, "ami"), "{}", img.id);
                        prop_assert!(
                            seen.insert(img.id.clone()),
                            "{} was handed out twice",
                            img.id
                        );
                        prop_assert_eq!(&img.owner_id, &caller.account_id);
                        prop_assert_eq!(&img.region, &caller.region);
                        for sid in &img.storage_ids {
                            prop_assert!(seen.insert(sid.clone()), "{} was handed out twice", sid);
                        }
                        known.images.push(img.id);
                    }
                    Made::Instance(i) => {
                        prop_assert!(well_formed(&i.id, "i"), "{}", i.id);
                        prop_assert!(seen.insert(i.id.clone()), "{} was handed out twice", i.id);
                        prop_assert_eq!(&i.owner_id, &caller.account_id);
                        known.instances.push(i.id);
                    }
                    Made::Key(id) => {
                        prop_assert!(is_uuid(&id), "{}", id);
                        prop_assert!(seen.insert(id.clone()));
                        known.keys.push(id);
                    }
                    Made::Nothing => {}
                }
            }
        }
        // Invariants over everything in the regions in play.
        let (images, storage, public_ids) = cloud
            .store()
            .read(|tx| {
                let mut images = Vec::new();
                let mut storage = BTreeMap::new();
                let mut public_ids = BTreeSet::new();
                for r in REGIONS {
                    let f = Filter {
                        region: Some(r),
                        ..Filter::default()
                    };
                    images.extend(tx.list::<Image>(f)?);
                    for s in tx.list::<Storage>(f)? {
                        storage.insert(s.id.clone(), s);
                    }
                    for p in tx.list::<LaunchPermission>(f)? {
                        if p.principal == public() {
                            public_ids.insert(p.image_id);
                        }
                    }
                }
                Ok((images, storage, public_ids))
            })
            .expect("a listing");
        for img in &images {
            prop_assert!(well_formed(&img.id, "ami"), "{}", img.id);
            let owner = owners
                .entry(img.id.clone())
                .or_insert_with(|| img.owner_id.clone());
            prop_assert_eq!(&*owner, &img.owner_id, "the owner of {} changed", img.id);
            if img.is_available() {
                for sid in &img.storage_ids {
                    let s = storage.get(sid);
                    prop_assert!(
                        s.is_some(),
                        "available image {} lost its storage {}",
                        img.id,
                        sid
                    );
                    let s = s.expect("checked");
                    prop_assert_eq!(&s.region, &img.region);
                    prop_assert_eq!(&s.owner_id, &img.owner_id);
                    prop_assert!(
                        well_formed(sid, "snap") || well_formed(sid, "bundle"),
                        "{}",
                        sid
                    );
                }
            } else {
                prop_assert!(
                    !public_ids.contains(&img.id),
                    "deregistered {} is still public",
                    img.id
                );
            }
            prop_assert!(!(img.encrypted && img.kms_key_arn.is_none()));
        }
        // Public images: never encrypted, never with billing products, at most 5 per account and region.
        let own_public: Vec<&Image> = images
            .iter()
            .filter(|i| {
                !amisim_simulator::inventory::is_catalogue_account(&i.owner_id)
                    && public_ids.contains(&i.id)
            })
            .collect();
        for i in &own_public {
            prop_assert!(
                !i.encrypted && i.billing_products.is_empty(),
                "{} is public",
                i.id
            );
        }
        for who in ACCOUNTS {
            for r in REGIONS {
                let n = own_public
                    .iter()
                    .filter(|i| i.owner_id == who && i.region == r)
                    .count();
                prop_assert!(n <= 5, "{} public images of {} in {}", n, who, r);
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn random_calls_keep_the_cloud_consistent(ops in prop::collection::vec(op(), 1..40)) {
        check_sequence(&ops)?;
    }
}

fn log_of(ops: &[Op]) -> String {
    let (mut world, mut known) = start();
    let cloud = &mut world.cloud;
    for op in ops {
        if let (_, Ok(made)) = apply(cloud, &known, op) {
            match made {
                Made::Image(i) => known.images.push(i.id),
                Made::Instance(i) => known.instances.push(i.id),
                Made::Key(k) => known.keys.push(k),
                Made::Nothing => {}
            }
        }
    }
    let events = cloud.events(0).expect("log");
    let bills = cloud.bill(None).expect("bill");
    serde_json::to_string(&(events, bills)).expect("JSON")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn replaying_calls_on_a_new_store_gives_the_same_log_and_bill(ops in prop::collection::vec(op(), 1..30)) {
        prop_assert_eq!(log_of(&ops), log_of(&ops));
    }

    #[test]
    fn independent_registrations_get_the_same_ids_in_any_order(
        picks in prop::collection::btree_set((0usize..3, 0usize..2, 0usize..3), 1..10),
        seed in any::<u64>(),
    ) {
        let items: Vec<(usize, usize, usize)> = picks.into_iter().collect();
        let mut shuffled = items.clone();
        // A deterministic shuffle from the seed.
        let mut s = seed;
        for i in (1..shuffled.len()).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (s >> 33) as usize % (i + 1));
        }
        let ids = |order: &[(usize, usize, usize)]| {
            let mut world = World::new();
            let cloud = &mut world.cloud;
            let mut out = BTreeMap::new();
            for &(a, r, n) in order {
                let img = register(cloud, &at(ACCOUNTS[a], REGIONS[r]), NAMES[n]);
                out.insert((a, r, n), (img.id, img.storage_ids));
            }
            out
        };
        prop_assert_eq!(ids(&items), ids(&shuffled));
    }
}

/// Text a user might write: anything at all, or something close to a valid value.
fn text() -> BoxedStrategy<String> {
    prop_oneof![
        ".{0,12}",
        "\\PC{0,300}",
        "[a-z0-9./_-]{0,24}",
        "ami-[0-9a-fA-F]{0,20}",
        "[0-9]{10,14}",
        Just(String::new()),
        Just("us-east-1".to_string()),
        Just("all".to_string()),
        Just(ORG.to_string()),
        Just("alias/aws/ebs".to_string()),
    ]
    .boxed()
}

/// One call with user-written values in every field.
#[derive(Debug, Clone)]
enum Wild {
    Register {
        name: String,
        description: String,
        architecture: String,
        platform: String,
        root: String,
        size: i64,
        key: Option<String>,
        tag: (String, String),
    },
    Copy {
        image: String,
        region: String,
        name: String,
        key: Option<String>,
    },
    Share {
        image: String,
        principal: String,
    },
    ShareStorage {
        storage: String,
        account: String,
    },
    Run {
        image: String,
        itype: String,
        user_data: String,
        state: String,
    },
    Key {
        description: String,
    },
    Grant {
        key: String,
        grantee: String,
    },
    Describe {
        owner: String,
        filter: String,
        value: String,
        regex: String,
    },
    Declare {
        org: String,
        ou: String,
    },
    Caller {
        account: String,
        region: String,
    },
}

fn wild() -> BoxedStrategy<Wild> {
    prop_oneof![
        (
            text(),
            text(),
            text(),
            text(),
            text(),
            -5i64..20_000,
            prop::option::of(text()),
            (text(), text())
        )
            .prop_map(
                |(name, description, architecture, platform, root, size, key, tag)| {
                    Wild::Register {
                        name,
                        description,
                        architecture,
                        platform,
                        root,
                        size,
                        key,
                        tag,
                    }
                }
            )
            .boxed(),
        (text(), text(), text(), prop::option::of(text()))
            .prop_map(|(image, region, name, key)| Wild::Copy {
                image,
                region,
                name,
                key
            })
            .boxed(),
        (text(), text())
            .prop_map(|(image, principal)| Wild::Share { image, principal })
            .boxed(),
        (text(), text())
            .prop_map(|(storage, account)| Wild::ShareStorage { storage, account })
            .boxed(),
        (text(), text(), text(), text())
            .prop_map(|(image, itype, user_data, state)| Wild::Run {
                image,
                itype,
                user_data,
                state
            })
            .boxed(),
        text()
            .prop_map(|description| Wild::Key { description })
            .boxed(),
        (text(), text())
            .prop_map(|(key, grantee)| Wild::Grant { key, grantee })
            .boxed(),
        (text(), text(), text(), text())
            .prop_map(|(owner, filter, value, regex)| Wild::Describe {
                owner,
                filter,
                value,
                regex
            })
            .boxed(),
        (text(), text())
            .prop_map(|(org, ou)| Wild::Declare { org, ou })
            .boxed(),
        (text(), text())
            .prop_map(|(account, region)| Wild::Caller { account, region })
            .boxed(),
    ]
    .boxed()
}

fn apply_wild(cloud: &mut Cloud, ubuntu: &str, w: &Wild) -> amisim_simulator::Result<Made> {
    let me = at(A, USE1);
    match w {
        Wild::Register {
            name,
            description,
            architecture,
            platform,
            root,
            size,
            key,
            tag,
        } => nothing(cloud.call(
            &me,
            &RegisterImage {
                name: name.clone(),
                description: description.clone(),
                architecture: Some(architecture.clone()),
                platform: Some(platform.clone()),
                root_device_type: Some(root.clone()),
                root_volume_size_gb: Some(*size),
                encrypted: key.is_some(),
                kms_key_id: key.clone(),
                tags: [tag.clone()].into(),
                ..RegisterImage::default()
            },
        )),
        Wild::Copy {
            image,
            region,
            name,
            key,
        } => nothing(cloud.call(
            &me,
            &CopyImage {
                source_image_id: if image.is_empty() {
                    ubuntu.to_string()
                } else {
                    image.clone()
                },
                source_region: region.clone(),
                name: name.clone(),
                encrypted: key.as_ref().map(|_| true),
                kms_key_id: key.clone(),
                ..CopyImage::default()
            },
        )),
        Wild::Share { image, principal } => nothing(cloud.call(
            &me,
            &AddLaunchPermission::new(image, &Principal::parse(principal)),
        )),
        Wild::ShareStorage { storage, account } => {
            nothing(cloud.call(&me, &AddStoragePermission::new(storage, account)))
        }
        Wild::Run {
            image,
            itype,
            user_data,
            state,
        } => nothing(cloud.call(
            &me,
            &amisim_simulator::RunInstance {
                image_id: if image.len() < 3 {
                    ubuntu.to_string()
                } else {
                    image.clone()
                },
                instance_type: if itype.len() < 3 {
                    "t3.micro".to_string()
                } else {
                    itype.clone()
                },
                user_data: user_data.clone(),
                state: (!state.is_empty()).then(|| state.clone()),
                ..Default::default()
            },
        )),
        Wild::Key { description } => nothing(cloud.call(
            &me,
            &CreateKey {
                description: description.clone(),
                ..CreateKey::default()
            },
        )),
        Wild::Grant { key, grantee } => nothing(cloud.call(&me, &CreateGrant::new(key, grantee))),
        Wild::Describe {
            owner,
            filter,
            value,
            regex,
        } => nothing(cloud.call(
            &me,
            &amisim_simulator::DescribeImages {
                owners: vec![owner.clone()],
                filters: vec![(filter.clone(), vec![value.clone()])],
                name_regex: Some(regex.clone()),
                ..Default::default()
            },
        )),
        Wild::Declare { org, ou } => nothing(cloud.call(
            &at(B, USE1),
            &DeclareAccount {
                organization_arn: (!org.is_empty()).then(|| org.clone()),
                organizational_unit_arn: (!ou.is_empty()).then(|| ou.clone()),
            },
        )),
        Wild::Caller { account, region } => {
            nothing(cloud.call(&at(account, region), &image("from-anyone")))
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn whatever_a_user_writes_is_refused_cleanly_or_accepted(calls in prop::collection::vec(wild(), 1..12)) {
        let mut world = World::new();
        let path = world.backend.clone();
        let cloud = &mut world.cloud;
        let ubuntu = catalogue(cloud, &at(A, USE1), UBUNTU).id;
        for call in &calls {
            let before = store_dump(&path);
            let log_before = cloud.events(0).expect("log");
            let result = apply_wild(cloud, &ubuntu, call);
            let events = new_events(&log_before, &cloud.events(0).expect("log"));
            prop_assert_eq!(events.len(), 1);
            if let Err(e) = result {
                prop_assert!(!e.code().starts_with("Store."), "{:?}: {}", call, e);
                prop_assert!(!e.message.is_empty() && !e.hint.is_empty(), "{:?}: {}", call, e);
                prop_assert_eq!(&events[0].outcome, e.code());
                prop_assert!(before == store_dump(&path), "{:?} was refused ({}) but changed the cloud", call, e);
            }
        }
    }
}

/// A call with a date or a duration at or around where the simulated clock,
/// AWS's timestamps (year 9999) or a rule's range end.
#[derive(Debug, Clone)]
enum Timed {
    /// `amisim clock advance`, by this many seconds.
    Advance(i64),
    /// A deprecation time this many seconds from the clock, or at this year.
    DeprecateIn(i64),
    DeprecateInYear(i32),
    /// A Recycle Bin rule retaining for this many days.
    Retain(i64),
    /// Protection with cooldown, lifted, then a deregistration.
    Cooldown,
}

/// Seconds at the edges that matter: none, a minute, a day, ten years, the
/// distance to the clock's limit and to year 9999, and 64 bits.
fn edge_seconds() -> BoxedStrategy<i64> {
    let limit = amisim_simulator::ids::CLOCK_LIMIT - amisim_simulator::dates::EPOCH_SECONDS;
    let last = amisim_simulator::ids::LAST_SECOND - amisim_simulator::dates::EPOCH_SECONDS;
    prop_oneof![
        Just(0i64),
        Just(1),
        Just(59),
        Just(60),
        Just(86_400),
        Just(10 * 366 * 86_400),
        Just(limit - 60),
        Just(limit),
        Just(limit + 1),
        Just(last),
        Just(last + 1),
        Just(i64::MAX),
        Just(i64::MIN),
        Just(-1),
        -100_000i64..100_000_000,
    ]
    .boxed()
}

fn timed() -> impl Strategy<Value = Timed> {
    prop_oneof![
        3 => edge_seconds().prop_map(Timed::Advance),
        2 => edge_seconds().prop_map(Timed::DeprecateIn),
        1 => prop_oneof![Just(1i32), Just(1969), Just(2034), Just(2035), Just(2036), Just(9989), Just(9999), Just(10_000)]
            .prop_map(Timed::DeprecateInYear),
        2 => prop_oneof![Just(i64::MIN), Just(-1i64), Just(0), Just(1), Just(365), Just(366), Just(i64::MAX)]
            .prop_map(Timed::Retain),
        1 => Just(Timed::Cooldown),
    ]
}

/// A call's result without what it made.
fn unit<T>(r: amisim_simulator::Result<T>) -> amisim_simulator::Result<()> {
    r.map(|_| ())
}

/// Runs `t` as the administrator or as account A; its results, without what they made.
fn apply_timed(cloud: &mut Cloud, image: &str, t: &Timed) -> Vec<amisim_simulator::Result<()>> {
    use amisim_simulator::{
        dates, AdvanceClock, CreateRule, SetDeregistrationProtection, SetImageDeprecation,
    };
    let me = at(A, USE1);
    let now = dates::parse_time(&cloud.now().expect("the clock")).expect("a time");
    match t {
        Timed::Advance(seconds) => {
            vec![unit(cloud.call(
                &Caller::administrator(),
                &AdvanceClock { seconds: *seconds },
            ))]
        }
        Timed::DeprecateIn(seconds) => {
            let at = now.saturating_add(*seconds);
            let text = time::OffsetDateTime::from_unix_timestamp(at)
                .ok()
                .and_then(|t| {
                    t.format(&time::format_description::well_known::Rfc3339)
                        .ok()
                })
                .unwrap_or_else(|| format!("@{at}"));
            vec![unit(cloud.call(
                &me,
                &SetImageDeprecation::new(image, Some(text.as_str())),
            ))]
        }
        Timed::DeprecateInYear(year) => {
            let text = format!("{year:04}-06-01T00:00:00Z");
            vec![unit(cloud.call(
                &me,
                &SetImageDeprecation::new(image, Some(text.as_str())),
            ))]
        }
        Timed::Retain(days) => vec![unit(cloud.call(
            &me,
            &CreateRule {
                resource_type: "EC2_IMAGE".into(),
                retention_period_days: *days,
                ..CreateRule::default()
            },
        ))],
        Timed::Cooldown => vec![
            unit(cloud.call(
                &me,
                &SetDeregistrationProtection::new(image, "enabled-with-cooldown"),
            )),
            unit(cloud.call(&me, &SetDeregistrationProtection::new(image, "disabled"))),
        ],
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// Dates and durations driven to their limits: a refusal changes nothing,
    /// no call damages the store, and the clock only ever moves forward.
    #[test]
    fn dates_and_durations_at_their_limits_are_refused_cleanly_and_the_clock_only_moves_on(
        calls in prop::collection::vec(timed(), 1..16)
    ) {
        let mut world = World::new();
        let path = world.backend.clone();
        let cloud = &mut world.cloud;
        let timed_image = register(cloud, &at(A, USE1), "timed").id;
        let mut clock = cloud.now().expect("the clock");
        for (n, call) in calls.iter().enumerate() {
            // Each call a command of its own, as each `amisim` or Terraform command is.
            cloud.set_command(format!("timed-{n}"));
            let before = store_dump(&path);
            let results = apply_timed(cloud, &timed_image, call);
            let refused_at_once = matches!(results.first(), Some(Err(_))) && results.len() == 1;
            for r in &results {
                if let Err(e) = r {
                    prop_assert!(!e.code().starts_with("Store."), "{:?}: {}", call, e);
                    prop_assert!(!e.message.is_empty() && !e.hint.is_empty(), "{:?}: {}", call, e);
                }
            }
            if refused_at_once {
                prop_assert!(before == store_dump(&path), "{:?} was refused but changed the cloud", call);
            }
            // The store still opens and reads its clock, which never went back.
            let now = cloud.now();
            prop_assert!(now.is_ok(), "{:?} left a store that cannot be read: {:?}", call, now);
            let now = now.unwrap();
            prop_assert!(now >= clock, "{:?} moved the clock back from {} to {}", call, clock, now);
            prop_assert!(now.as_str() < "9999-12-31", "{:?} moved the clock to {}", call, now);
            clock = now;
            // A later command still works, and is dated after everything before.
            cloud.set_command(format!("probe-{n}"));
            let probe = cloud.call(&at(B, USE1), &image("probe"));
            if let Ok(img) = probe {
                prop_assert!(img.creation_date > clock, "{} is not after {}", img.creation_date, clock);
                cloud.call(&at(B, USE1), &amisim_simulator::DeregisterImage::new(&img.id, true)).expect("the probe goes");
            }
        }
    }
}
