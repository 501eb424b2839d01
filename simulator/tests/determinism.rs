//! Determinism: the same calls on a new store give the same bytes, and IDs do
//! not depend on the order of independent calls.

mod common;

use std::collections::BTreeMap;

use amisim_simulator::{
    Caller, Cloud, CopyImage, CreateImage, CreateKey, DeclareAccount, DescribeImages, Principal,
    RegisterImage, RunInstance,
};
use serde::Serialize;

use amisim_simulator::{
    AddLaunchPermission, AddStoragePermission, AdvanceClock, CreateGrant, DeregisterImage,
    DescribeImage, StopInstance,
};
use common::*;

fn outcome<T: Serialize>(r: amisim_simulator::Result<T>) -> String {
    match r {
        Ok(v) => serde_json::to_string(&v).expect("JSON"),
        Err(e) => format!("{}: {} / {}", e.code(), e.message, e.hint),
    }
}

/// A scenario touching every kind of call, refusals included; each result as text.
fn scenario(cloud: &mut Cloud) -> Vec<String> {
    let a = at(A, USE1);
    let a_west = at(A, USW2);
    let b = at(B, USE1);
    let b_west = at(B, USW2);
    let mut out = Vec::new();
    out.push(outcome(cloud.call(
        &b,
        &DeclareAccount {
            organization_arn: Some(ORG.into()),
            organizational_unit_arn: Some(OU1.into()),
        },
    )));
    let key = cloud.call(
        &a,
        &CreateKey {
            description: "images".into(),
            ..Default::default()
        },
    );
    out.push(outcome(key.clone()));
    let key = key.expect("a key");
    let img = cloud.call(
        &a,
        &RegisterImage {
            encrypted: true,
            kms_key_id: Some(key.id.clone()),
            tags: [("team".to_string(), "web".to_string())].into(),
            ..image("golden-web")
        },
    );
    out.push(outcome(img.clone()));
    let img = img.expect("an image");
    out.push(outcome(cloud.call(&a, &image("golden-web"))));
    out.push(outcome(cloud.call(
        &a,
        &AddLaunchPermission::new(&img.id, &Principal::OrganizationalUnit(OU1.into())),
    )));
    out.push(outcome(
        cloud.call(&a, &AddLaunchPermission::new(&img.id, &public())),
    ));
    out.push(outcome(cloud.call(&b_west, &copy_of(&img, "mine"))));
    out.push(outcome(
        cloud.call(&a, &AddStoragePermission::new(&img.storage_ids[0], B)),
    ));
    out.push(outcome(cloud.call(&b_west, &copy_of(&img, "mine"))));
    out.push(outcome(cloud.call(&a, &CreateGrant::new(&key.arn, B))));
    let copy = cloud.call(&b_west, &copy_of(&img, "mine"));
    out.push(outcome(copy.clone()));
    out.push(outcome(cloud.call(
        &a_west,
        &CopyImage {
            encrypted: Some(false),
            ..copy_of(&img, "golden-web")
        },
    )));
    out.push(outcome(cloud.call(&a_west, &copy_of(&img, "golden-web"))));
    let instance = cloud.call(
        &b,
        &RunInstance {
            user_data: "yum install -y httpd".into(),
            tags: [("Name".to_string(), "web".to_string())].into(),
            ..launch(&img.id, "t3.micro")
        },
    );
    out.push(outcome(instance.clone()));
    let instance = instance.expect("an instance");
    out.push(outcome(cloud.call(
        &b,
        &CreateImage {
            instance_id: instance.id.clone(),
            name: "b-golden".into(),
            ..Default::default()
        },
    )));
    out.push(outcome(cloud.call(&b, &launch(&img.id, "t4g.micro"))));
    out.push(outcome(cloud.call(&b, &StopInstance::new(&instance.id))));
    out.push(outcome(cloud.call(
        &b,
        &DescribeImages {
            owners: vec!["self".into(), A.into()],
            ..Default::default()
        },
    )));
    out.push(outcome(
        cloud.call(&a, &DeregisterImage::new(&img.id, false)),
    ));
    out.push(outcome(
        cloud.call(&a, &DeregisterImage::new(&img.id, false)),
    ));
    out.push(outcome(cloud.call(&a, &launch(&img.id, "t3.micro"))));
    out.push(outcome(cloud.call(&a, &DescribeImage::new(&img.id))));
    out.push(outcome(cloud.bill(None)));
    out.push(outcome(cloud.events(0)));
    out
}

#[test]
fn the_same_calls_on_two_new_stores_give_byte_identical_results_and_logs() {
    let mut first = Cloud::memory().expect("a cloud");
    let mut second = Cloud::memory().expect("a cloud");
    let mut on_file = World::new();
    let one = scenario(&mut first);
    let two = scenario(&mut second);
    let three = scenario(&mut on_file.cloud);
    assert_eq!(one, two);
    assert_eq!(one, three, "a file store behaves like a memory store");
    assert!(
        one.iter().any(|r| r.starts_with("InvalidRequest:")),
        "the scenario has refusals"
    );
    let log = |c: &mut Cloud| serde_json::to_string(&c.events(0).expect("log")).expect("JSON");
    assert_eq!(log(&mut first), log(&mut second));
    assert_eq!(log(&mut first), log(&mut on_file.cloud));
    assert_eq!(entity_dump(&mut first), entity_dump(&mut second));
    assert_eq!(entity_dump(&mut first), entity_dump(&mut on_file.cloud));
}

#[test]
fn every_call_is_logged_with_time_caller_action_parameters_and_outcome() {
    let mut cloud = Cloud::memory().expect("a cloud");
    let results = scenario(&mut cloud);
    let events = cloud.events(0).expect("log");
    // Every call but the bill and the log itself is an entry.
    assert_eq!(events.len(), results.len() - 2);
    for (n, e) in events.iter().enumerate() {
        assert_eq!(e.seq, n as i64 + 1);
        assert!(
            e.time.starts_with("2025-01-01T00:00:") && e.time.ends_with(".000Z"),
            "{}",
            e.time
        );
        assert!(!e.action.is_empty());
        assert!(e.parameters.is_object(), "{:?}", e.parameters);
    }
    let copy_refusal = events
        .iter()
        .find(|e| e.action == "CopyImage" && e.outcome == "InvalidRequest")
        .expect("the copy refusal");
    assert_eq!(
        (
            copy_refusal.outcome.as_str(),
            copy_refusal.account_id.as_str()
        ),
        ("InvalidRequest", B)
    );
    assert_eq!(copy_refusal.region, USW2);
    assert_eq!(copy_refusal.parameters["source_region"], USE1);
    let register = events
        .iter()
        .find(|e| e.action == "RegisterImage" && e.outcome == "ok")
        .expect("a registration");
    assert!(register
        .resource_id
        .as_deref()
        .is_some_and(|id| well_formed(id, "ami")));
    // The log is in its canonical order: by time first.
    assert!(events.windows(2).all(|w| w[0].time <= w[1].time));
    assert_eq!(
        cloud.events(events.len() as i64 - 1).expect("tail").len(),
        1
    );
}

#[test]
fn following_the_log_by_commit_number_sees_each_event_once_in_commit_order() {
    use amisim_simulator::inventory::{self, EventQuery};
    let mut w = World::new();
    let follow = |cloud: &mut Cloud, after: i64| {
        let query = EventQuery {
            account: None,
            region: None,
            action: None,
            outcome: None,
            after_commit: Some(after),
        };
        cloud
            .read(|tx| inventory::events(tx, &query))
            .expect("the log")
    };
    // B's call commits first, but A's sorts first in the canonical order.
    register(&mut w.cloud, &at(B, USE1), "b-first");
    let first = follow(&mut w.cloud, 0);
    assert_eq!(first.len(), 1);
    assert_eq!((first[0].commit, first[0].seq), (Some(1), 1));
    register(&mut w.cloud, &at(A, USE1), "a-second");
    let canonical = w.cloud.events(0).expect("the log");
    assert_eq!(
        canonical[0].account_id, A,
        "A sorts first: B's number moved"
    );
    assert!(canonical.iter().all(|e| e.commit.is_none()));
    // Following on from B's commit number gives A's call only.
    let next = follow(&mut w.cloud, 1);
    assert_eq!(next.len(), 1);
    assert_eq!(
        (next[0].account_id.as_str(), next[0].commit, next[0].seq),
        (A, Some(2), 1)
    );
    // From the start: both, in the order they committed, numbers unchanged.
    let all = follow(&mut w.cloud, 0);
    let commits: Vec<_> = all
        .iter()
        .map(|e| (e.account_id.as_str(), e.commit))
        .collect();
    assert_eq!(commits, [(B, Some(1)), (A, Some(2))]);
    assert!(follow(&mut w.cloud, 2).is_empty());
    assert!(follow(&mut w.cloud, i64::MAX).is_empty());
}

#[test]
fn a_change_is_dated_after_what_it_depends_on_and_commands_follow_each_other() {
    let dir = tempfile::tempdir().expect("a folder");
    let path = dir.path().join("cloud.db");
    let mut cloud = Cloud::open(&path).expect("a cloud");
    let me = at(A, USE1);
    let first = register(&mut cloud, &me, "one");
    assert_eq!(first.creation_date, "2025-01-01T00:00:01.000Z");
    // Reads and refusals date nothing.
    cloud
        .call(&me, &DescribeImage::new(&first.id))
        .expect("read");
    cloud.call(&me, &image("one")).expect_err("duplicate");
    // An independent change of the same command is made "at once" with the first.
    let second = register(&mut cloud, &me, "two");
    assert_eq!(second.creation_date, first.creation_date);
    // What depends on it comes one step after it, whatever else happened in between.
    let i = cloud
        .call(&me, &launch(&second.id, "t3.micro"))
        .expect("instance");
    assert_eq!(i.launch_time, "2025-01-01T00:00:02.000Z");
    let copy = cloud
        .call(&at(A, USW2), &copy_of(&second, "two-west"))
        .expect("copy");
    assert_eq!(copy.creation_date, "2025-01-01T00:00:02.000Z");
    let copy_of_copy = cloud
        .call(&at(A, EUW1), &copy_of(&copy, "two-eu"))
        .expect("copy of the copy");
    assert_eq!(copy_of_copy.creation_date, "2025-01-01T00:00:03.000Z");
    drop(cloud);
    // The next command starts at the next whole minute after everything recorded.
    let mut next = Cloud::open(&path).expect("the same store");
    assert_eq!(
        register(&mut next, &me, "three").creation_date,
        "2025-01-01T00:01:01.000Z"
    );
    assert_eq!(next.now().unwrap(), "2025-01-01T00:01:01.000Z");
    // Time moved on demand: the command after it starts past the jump.
    assert_eq!(
        next.call(
            &Caller::administrator(),
            &AdvanceClock { seconds: 25 * 3600 }
        )
        .unwrap(),
        "2025-01-02T01:01:01.000Z"
    );
    drop(next);
    let mut later = Cloud::open(&path).expect("the same store");
    assert_eq!(
        register(&mut later, &me, "four").creation_date,
        "2025-01-02T01:02:01.000Z"
    );
    // A handle that names the same command as an earlier one shares its start.
    let mut again = Cloud::open(&path)
        .expect("the same store")
        .in_command("terraform-apply-1");
    let five = register(&mut again, &me, "five");
    drop(again);
    let mut again = Cloud::open(&path)
        .expect("the same store")
        .in_command("terraform-apply-1");
    assert_eq!(
        register(&mut again, &me, "six").creation_date,
        five.creation_date
    );
}

/// Calls of one command that do not depend on each other, in `order`, then what
/// depends on them; the store and the log as text.
fn one_command(order: &[usize]) -> (BTreeMap<&'static str, String>, String) {
    let mut cloud = Cloud::memory().expect("a cloud");
    let scopes = [at(A, USE1), at(A, USE1), at(B, USW2), at(A, EUW1)];
    let mut images = vec![None; scopes.len()];
    for &n in order {
        let key = cloud
            .call(
                &scopes[n],
                &CreateKey {
                    description: format!("key-{n}"),
                    ..Default::default()
                },
            )
            .expect("key");
        let img = register(&mut cloud, &scopes[n], &format!("image-{n}"));
        cloud
            .call(&scopes[n], &DescribeImage::new(&img.id))
            .expect("read");
        cloud
            .call(&scopes[n], &image(&format!("image-{n}")))
            .expect_err("a duplicate");
        cloud
            .call(&scopes[n], &CreateGrant::new(&key.id, C))
            .expect("grant");
        images[n] = Some(img);
    }
    for &n in order.iter().rev() {
        let img = images[n].clone().expect("made");
        cloud
            .call(&scopes[n], &AddLaunchPermission::new(&img.id, &account(D)))
            .expect("share");
        cloud
            .call(&scopes[n], &launch(&img.id, "t3.micro"))
            .expect("launch");
        cloud
            .call(&at(C, USE1), &copy_of(&img, &format!("copy-{n}")))
            .expect_err("not shared with C");
    }
    let log = serde_json::to_string_pretty(&cloud.events(0).expect("log")).expect("JSON");
    (entity_dump(&mut cloud), log)
}

#[test]
fn the_order_of_independent_calls_changes_no_byte_of_the_store_or_the_log() {
    let reference = one_command(&[0, 1, 2, 3]);
    for order in [[3, 2, 1, 0], [1, 3, 0, 2], [2, 0, 3, 1]] {
        let other = one_command(&order);
        assert_eq!(other.0, reference.0, "{order:?}");
        assert_eq!(other.1, reference.1, "{order:?}");
    }
}

/// Runs each account's calls as a unit, the accounts in `order`; returns every ID by what it is.
fn independent_calls(order: &[&str]) -> BTreeMap<String, String> {
    let mut cloud = Cloud::memory().expect("a cloud");
    let mut ids = BTreeMap::new();
    for &who in order {
        let (home, away, name): (Caller, Caller, &str) = match who {
            A => (at(A, USE1), at(A, EUW1), "alpha"),
            B => (at(B, USW2), at(B, EUW1), "beta"),
            _ => (at(C, USE1), at(C, EUW1), "alpha"),
        };
        let key = cloud.call(&home, &CreateKey::default()).expect("key");
        let img = cloud
            .call(
                &home,
                &RegisterImage {
                    encrypted: true,
                    kms_key_id: Some(key.id.clone()),
                    ..image(name)
                },
            )
            .expect("image");
        let plain = register(&mut cloud, &home, &format!("{name}-plain"));
        let i1 = cloud
            .call(&home, &launch(&img.id, "t3.micro"))
            .expect("instance");
        let i2 = cloud
            .call(&home, &launch(&img.id, "t3.micro"))
            .expect("instance");
        let copy = cloud.call(&away, &copy_of(&plain, name)).expect("copy");
        let grant = cloud
            .call(&home, &CreateGrant::new(&key.id, D))
            .expect("grant");
        for (what, id) in [
            ("key", key.id),
            ("image", img.id),
            ("snapshot", img.storage_ids[0].clone()),
            ("plain", plain.id),
            ("instance-1", i1.id),
            ("instance-2", i2.id),
            ("copy", copy.id),
            ("copy-snapshot", copy.storage_ids[0].clone()),
            ("grant", grant.id),
        ] {
            ids.insert(format!("{who}/{what}"), id);
        }
    }
    ids
}

#[test]
fn ids_do_not_depend_on_the_order_of_independent_calls() {
    let forward = independent_calls(&[A, B, C]);
    let backward = independent_calls(&[C, B, A]);
    let alone = independent_calls(&[B]);
    assert_eq!(forward, backward);
    for (what, id) in &alone {
        assert_eq!(
            forward.get(what),
            Some(id),
            "{what} is the same with or without other accounts"
        );
    }
    // Different accounts with the same names still get different IDs.
    assert_ne!(
        forward[&format!("{A}/image")],
        forward[&format!("{C}/image")]
    );
    let mut all: Vec<&String> = forward.values().collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), forward.len(), "IDs are unique");
}

#[test]
fn interleaving_two_accounts_calls_gives_the_same_ids() {
    // Terraform's parallel walk interleaves the calls of independent resources.
    let run = |interleave: bool| {
        let mut cloud = Cloud::memory().expect("a cloud");
        let (a, b) = (at(A, USE1), at(B, USE1));
        let mut ids = Vec::new();
        if interleave {
            for n in 0..3 {
                ids.push((1, n, register(&mut cloud, &b, &format!("img-{n}")).id));
                ids.push((0, n, register(&mut cloud, &a, &format!("img-{n}")).id));
            }
        } else {
            for n in 0..3 {
                ids.push((0, n, register(&mut cloud, &a, &format!("img-{n}")).id));
            }
            for n in 0..3 {
                ids.push((1, n, register(&mut cloud, &b, &format!("img-{n}")).id));
            }
        }
        ids.sort();
        ids
    };
    assert_eq!(run(true), run(false));
}

#[test]
fn a_refused_call_consumes_no_id_and_no_time() {
    let run = |with_refusals: bool| {
        let mut cloud = Cloud::memory().expect("a cloud");
        let me = at(A, USE1);
        let mut results = Vec::new();
        for n in 0..3 {
            if with_refusals {
                cloud.call(&me, &image("x")).expect_err("bad name");
                cloud
                    .call(&me, &launch("ami-0123456789abcdef0", "t3.micro"))
                    .expect_err("unknown image");
            }
            let img = register(&mut cloud, &me, &format!("img-{n}"));
            if with_refusals {
                cloud.call(&me, &image(&img.name)).expect_err("duplicate");
                cloud
                    .call(&me, &launch(&img.id, "t4g.micro"))
                    .expect_err("architecture");
            }
            let i = cloud
                .call(&me, &launch(&img.id, "t3.micro"))
                .expect("instance");
            results.push(serde_json::to_string(&(img, i)).expect("JSON"));
        }
        results
    };
    assert_eq!(run(true), run(false));
}

#[test]
fn ids_and_arns_have_the_aws_shapes() {
    let mut cloud = Cloud::memory().expect("a cloud");
    let me = at(A, USE1);
    let key = cloud.call(&me, &CreateKey::default()).expect("key");
    assert!(is_uuid(&key.id), "{}", key.id);
    assert_eq!(key.arn, format!("arn:aws:kms:{USE1}:{A}:key/{}", key.id));
    let img = register(&mut cloud, &me, "web");
    assert!(well_formed(&img.id, "ami"));
    assert!(well_formed(&img.storage_ids[0], "snap"));
    assert_eq!(img.arn(), format!("arn:aws:ec2:{USE1}::image/{}", img.id));
    let i = cloud
        .call(&me, &launch(&img.id, "t3.micro"))
        .expect("instance");
    assert!(well_formed(&i.id, "i"));
    for ubuntu in [
        catalogue(&mut cloud, &me, UBUNTU),
        catalogue(&mut cloud, &me, WINDOWS),
    ] {
        assert!(well_formed(&ubuntu.id, "ami"));
        assert!(well_formed(&ubuntu.storage_ids[0], "snap"));
    }
}
