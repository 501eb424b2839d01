//! Calls committed together (what a server does with the calls that arrive
//! at once): each is a savepoint of one transaction, a refused one rolls
//! back alone, nothing of the group is seen before it commits, and the log
//! is the one the same calls leave made one by one. And reads: a call that
//! changes nothing reads without the write lock, and logs its event after.
//! On SQLite, and on PostgreSQL with `AMISIM_TEST_POSTGRES` set.

mod common;

use amisim_simulator::store::Filter;
use amisim_simulator::{
    AddLaunchPermission, Caller, Cloud, DeregisterImage, DescribeImage, DescribeImages, Event,
    Image,
};
use common::*;

/// The calls of the tests: two registrations around a refused one (a name
/// already taken), a read of the first, a share of the second.
fn calls(cloud: &mut Cloud, who: &Caller) -> Vec<String> {
    let first = cloud.call(who, &image("first"));
    let taken = cloud.call(who, &image("first"));
    let seen = first
        .as_ref()
        .ok()
        .map(|i| cloud.call(who, &DescribeImage::new(&i.id)));
    let second = cloud.call(who, &image("second"));
    vec![
        format!("{:?}", first.map(|i| i.id)),
        format!("{:?}", taken.map(|i| i.id).map_err(|e| e.code())),
        format!("{:?}", seen.map(|s| s.map(|i| i.map(|i| i.name)))),
        format!("{:?}", second.map(|i| i.id)),
    ]
}

/// What the event log says, but the commit numbers.
fn log(cloud: &mut Cloud) -> Vec<Event> {
    cloud.events(0).expect("the event log")
}

fn images(cloud: &mut Cloud) -> Vec<String> {
    let mut names: Vec<String> = cloud
        .read(|tx| {
            tx.list::<Image>(Filter {
                account: Some(A),
                ..Filter::default()
            })
        })
        .expect("a read")
        .into_iter()
        .map(|i| i.name)
        .collect();
    names.sort();
    names
}

/// The store string of a test's store, for a second handle on it.
fn store_of(world: &World) -> String {
    match &world.backend {
        Backend::File(path) => path.display().to_string(),
        Backend::Postgres(url) => url.clone(),
    }
}

#[test]
fn calls_made_together_answer_and_log_as_one_by_one_and_a_refused_one_rolls_back_alone() {
    let me = at(A, USE1);
    let mut apart = World::new();
    let one_by_one = calls(&mut apart.cloud, &me);
    let mut world = World::new();
    let together = world
        .cloud
        .together(|cloud| calls(cloud, &me))
        .expect("the group commits");
    assert_eq!(together, one_by_one);
    assert!(
        together[1].contains("InvalidAMIName.Duplicate"),
        "{together:?}"
    );
    // The read inside the group saw the registration before it.
    assert!(together[2].contains("first"), "{together:?}");
    assert_eq!(images(&mut world.cloud), ["first", "second"]);
    assert_eq!(log(&mut world.cloud), log(&mut apart.cloud));
    assert_eq!(world.dump(), apart.dump());
}

#[test]
fn nothing_of_a_group_is_seen_before_it_commits() {
    let me = at(A, USE1);
    let mut world = World::new();
    let mut other = Cloud::open_store(&store_of(&world)).expect("a second handle");
    let seen_inside = world
        .cloud
        .together(|cloud| {
            register(cloud, &me, "inside");
            images(&mut other)
        })
        .expect("the group commits");
    assert_eq!(seen_inside, Vec::<String>::new());
    assert_eq!(images(&mut other), ["inside"]);
}

#[test]
fn a_group_that_fails_midway_keeps_nothing_and_the_store_goes_on() {
    let me = at(A, USE1);
    let mut world = World::new();
    let before = world.dump();
    let events = log(&mut world.cloud);
    let failed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        world.cloud.together(|cloud| {
            register(cloud, &me, "lost");
            panic!("the face answering the group failed");
        })
    }));
    assert!(failed.is_err());
    assert_eq!(world.dump(), before);
    assert_eq!(log(&mut world.cloud), events);
    register(&mut world.cloud, &me, "after");
    assert_eq!(images(&mut world.cloud), ["after"]);
}

#[test]
fn a_group_inside_a_group_is_the_same_group() {
    let me = at(A, USE1);
    let mut world = World::new();
    let mut other = Cloud::open_store(&store_of(&world)).expect("a second handle");
    world
        .cloud
        .together(|cloud| {
            cloud
                .together(|cloud| register(cloud, &me, "inner"))
                .expect("the inner group");
            // Not committed when the inner group returned.
            assert_eq!(images(&mut other), Vec::<String>::new());
        })
        .expect("the group commits");
    assert_eq!(images(&mut other), ["inner"]);
}

#[test]
fn a_read_does_not_wait_for_a_writer_and_logs_its_event_after_it() {
    let me = at(A, USE1);
    let mut world = World::new();
    register(&mut world.cloud, &me, "before");
    let mut other = Cloud::open_store(&store_of(&world)).expect("a second handle");
    let (holding, held) = std::sync::mpsc::channel();
    let (read, was_read) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        held.recv().unwrap();
        let mine = DescribeImages {
            owners: vec!["self".into()],
            ..DescribeImages::default()
        };
        let seen = other.call(&at(A, USE1), &mine).expect("a read");
        read.send(()).unwrap();
        seen.into_iter().map(|i| i.name).collect::<Vec<_>>()
    });
    world
        .cloud
        .together(|cloud| {
            register(cloud, &me, "during");
            holding.send(()).unwrap();
            // The reader's rule ran meanwhile; its event waits for this write.
            std::thread::sleep(std::time::Duration::from_millis(1000));
            assert!(
                was_read.try_recv().is_err(),
                "the read's event waited for the write"
            );
        })
        .expect("the group commits");
    // It read the store as it was before the write it did not wait for.
    assert_eq!(reader.join().unwrap(), ["before"]);
    let events = world
        .cloud
        .read(|tx| tx.committed_after(0))
        .expect("the log");
    let actions: Vec<(&str, &str)> = events
        .iter()
        .map(|e| (e.action.as_str(), e.outcome.as_str()))
        .collect();
    assert_eq!(
        actions[actions.len() - 2..],
        [("RegisterImage", "ok"), ("DescribeImages", "ok")]
    );
}

/// A dry run (`Cloud::discarded`) makes its calls and keeps nothing of
/// them: no object, no event, no move of the clock; in a group too, where
/// the group's other calls are kept.
#[test]
fn calls_made_in_a_discarded_run_leave_nothing() {
    let mut w = World::new();
    let who = at(A, USE1);
    let before = w.dump();
    let events = log(&mut w.cloud).len();
    let made = w
        .cloud
        .discarded(|cloud| calls(cloud, &who))
        .expect("a discarded run");
    assert!(made[0].starts_with("Ok(\"ami-"), "{made:?}");
    assert_same_dump(&before, &w.dump());
    assert_eq!(log(&mut w.cloud).len(), events);
    // Inside a group: the dry run's calls go, the group's own are kept.
    w.cloud
        .together(|cloud| {
            cloud.call(&who, &image("kept")).expect("kept");
            cloud
                .discarded(|cloud| cloud.call(&who, &image("dropped")).expect("made"))
                .expect("discarded");
        })
        .expect("a group");
    assert_eq!(images(&mut w.cloud), ["kept"]);
}

/// The steps of the test below: a registration; a change that writes an
/// object, a metadata value and a count, reads the whole event log (which
/// a group answers only once its writes are in the database) and is then
/// refused, in a savepoint of its own inside another change that is kept;
/// then a registration, and a listing of what is there.
fn sent_and_rolled_back(cloud: &mut Cloud, who: &Caller) -> Vec<String> {
    let kept = register(cloud, who, "kept");
    let outcome = cloud.store().transaction(|tx| {
        tx.set_meta("test-outer", "kept")?;
        let refused = tx.atomically(|tx| {
            let ghost = Image {
                id: "ami-0123456789abcdef0".into(),
                name: "ghost".into(),
                ..kept.clone()
            };
            tx.put(&ghost)?;
            tx.set_meta("test-inner", "gone")?;
            tx.next_count("test-counter")?;
            let seen = tx.list::<Image>(Filter::default())?;
            assert!(
                seen.iter().any(|i| i.name == "ghost"),
                "a listing sees the change's own write"
            );
            tx.events(0)?;
            Err::<(), _>(amisim_simulator::Error::new(
                amisim_simulator::error::ErrorKind::InvalidParameterValue,
                "refused on purpose",
                "",
            ))
        });
        assert!(refused.is_err());
        assert!(tx.get::<Image>("ami-0123456789abcdef0")?.is_none());
        assert_eq!(tx.meta("test-inner")?, None);
        assert_eq!(
            tx.next_count("test-counter")?,
            0,
            "the refused count was undone"
        );
        tx.meta_with_prefix("test-")
    });
    register(cloud, who, "after");
    let mut names = images(cloud);
    names.push(format!("{outcome:?}"));
    names
}

/// A group keeps what it reads and writes in memory until it commits; a
/// read that memory cannot answer sends the writes first, and a savepoint
/// rolled back after that is undone by the database: the group still
/// leaves exactly what the same steps leave one by one.
#[test]
fn a_savepoint_rolled_back_after_the_group_sent_its_writes_undoes_that_part_alone() {
    let me = at(A, USE1);
    let mut apart = World::new();
    let one_by_one = sent_and_rolled_back(&mut apart.cloud, &me);
    assert_eq!(
        one_by_one,
        ["after", "kept", r#"Ok([("test-outer", "kept")])"#]
    );
    let mut world = World::new();
    let together = world
        .cloud
        .together(|cloud| sent_and_rolled_back(cloud, &me))
        .expect("the group commits");
    assert_eq!(together, one_by_one);
    assert_eq!(log(&mut world.cloud), log(&mut apart.cloud));
    assert_eq!(world.dump(), apart.dump());
}

/// What an image is, as a group of `cloud` sees it.
fn seen_in_a_group(cloud: &mut Cloud, who: &Caller, id: &str) -> Option<String> {
    cloud
        .together(|cloud| {
            cloud
                .call(who, &DescribeImage::new(id))
                .expect("a describe")
                .map(|i| format!("{} {:?}", i.name, i.state))
        })
        .expect("the group commits")
}

/// A handle keeps what its last group read and wrote for its next group,
/// but only while nothing else writes to the store: what another handle
/// (another process, another server) or this one outside a group wrote
/// since is what the next group sees.
#[test]
fn a_group_sees_every_write_made_since_the_last_group_elsewhere_or_outside_a_group() {
    let me = at(A, USE1);
    let mut world = World::new();
    let mut other = Cloud::open_store(&store_of(&world)).expect("a second handle");
    let first = world
        .cloud
        .together(|cloud| register(cloud, &me, "first"))
        .expect("the group commits");
    let listed = world.cloud.together(images).expect("the group commits");
    assert_eq!(listed, ["first"]);
    assert_eq!(
        seen_in_a_group(&mut world.cloud, &me, &first.id).as_deref(),
        Some("first Available")
    );
    // Another handle deregisters the image and registers another.
    other
        .call(&me, &DeregisterImage::new(&first.id, false))
        .expect("deregistered elsewhere");
    register(&mut other, &me, "elsewhere");
    assert_eq!(
        seen_in_a_group(&mut world.cloud, &me, &first.id).as_deref(),
        Some("first Deregistered")
    );
    assert_eq!(
        world.cloud.together(images).expect("the group commits"),
        ["elsewhere", "first"]
    );
    // This handle registers one outside a group.
    register(&mut world.cloud, &me, "outside");
    assert_eq!(
        world.cloud.together(images).expect("the group commits"),
        ["elsewhere", "first", "outside"]
    );
    // And groups one after the other, with nothing between them, go on
    // from what the last one left.
    world
        .cloud
        .together(|cloud| register(cloud, &me, "next"))
        .expect("the group commits");
    assert_eq!(
        world.cloud.together(images).expect("the group commits"),
        ["elsewhere", "first", "next", "outside"]
    );
    assert_eq!(
        images(&mut other),
        ["elsewhere", "first", "next", "outside"]
    );
}

/// An image like `like`, with another ID, owner, region and name.
fn variant(like: &Image, id: &str, owner: &str, region: &str, name: &str) -> Image {
    Image {
        id: id.into(),
        owner_id: owner.into(),
        region: region.into(),
        name: name.into(),
        ..like.clone()
    }
}

/// Raw store work a group keeps in memory: puts, deletes, metadata and
/// counts, a part refused in a savepoint of its own, and every kind of
/// read (by ID, listings by owner, region and name, counts, metadata by
/// prefix); what each read saw, in order.
fn store_work(cloud: &mut Cloud, like: &Image) -> Vec<String> {
    let mut seen = Vec::new();
    let listings = |tx: &amisim_simulator::store::Tx<'_>| -> amisim_simulator::Result<String> {
        let names = |filter: Filter<'_>| -> amisim_simulator::Result<Vec<String>> {
            // The catalogue's images left out.
            Ok(tx
                .list::<Image>(filter)?
                .into_iter()
                .filter(|i| i.owner_id == A || i.owner_id == B)
                .map(|i| i.name)
                .collect())
        };
        Ok(format!(
            "mine {:?} east {:?} named {:?} counted {} {} meta {:?}",
            names(Filter {
                account: Some(A),
                ..Filter::default()
            })?,
            names(Filter {
                region: Some(USE1),
                ..Filter::default()
            })?,
            names(Filter {
                name: Some("renamed"),
                ..Filter::default()
            })?,
            tx.count::<Image>(Filter {
                account: Some(A),
                ..Filter::default()
            })?,
            tx.count::<Image>(Filter {
                account: Some(B),
                region: Some(USW2),
                ..Filter::default()
            })?,
            tx.meta_with_prefix("test:")?,
        ))
    };
    let store = cloud.store();
    let first = store.transaction(|tx| {
        tx.put(&variant(like, "ami-00000000000000001", A, USE1, "one"))?;
        tx.put(&variant(like, "ami-00000000000000002", A, USW2, "two"))?;
        tx.put(&variant(like, "ami-00000000000000003", B, USW2, "three"))?;
        tx.set_meta("test:a", "1")?;
        tx.set_meta("test:b", "2")?;
        Ok((
            tx.next_count("test")?,
            tx.next_count("test")?,
            listings(tx)?,
        ))
    });
    seen.push(format!("{first:?}"));
    let refused = store.transaction(|tx| {
        let inner = tx.atomically(|tx| {
            tx.put(&variant(like, "ami-00000000000000004", A, USE1, "four"))?;
            let gone = tx.delete::<Image>("ami-00000000000000001")?;
            tx.set_meta("test:a", "changed")?;
            tx.set_meta("test:c", "3")?;
            let n = tx.next_count("test")?;
            let during = listings(tx)?;
            Err::<(), _>(amisim_simulator::Error::new(
                amisim_simulator::error::ErrorKind::InvalidParameterValue,
                format!("refused after gone {gone} count {n} seeing {during}"),
                "",
            ))
        });
        Ok((format!("{inner:?}"), listings(tx)?, tx.next_count("test")?))
    });
    seen.push(format!("{refused:?}"));
    let kept = store.transaction(|tx| {
        let gone = tx.delete::<Image>("ami-00000000000000002")?;
        let again = tx.delete::<Image>("ami-00000000000000002")?;
        tx.put(&variant(like, "ami-00000000000000001", A, USE1, "renamed"))?;
        tx.set_meta("test:b", "changed")?;
        Ok((
            gone,
            again,
            tx.exists::<Image>("ami-00000000000000002")?,
            tx.get::<Image>("ami-00000000000000001")?.map(|i| i.name),
            listings(tx)?,
        ))
    });
    seen.push(format!("{kept:?}"));
    seen.push(format!("{:?}", store.read(|tx| listings(tx))));
    seen
}

/// Every read a group answers from memory is what the same reads answer
/// one transaction at a time, after every kind of write and a refused part.
#[test]
fn a_group_answers_every_kind_of_read_as_the_store_does_one_transaction_at_a_time() {
    let me = at(A, USE1);
    let mut apart = World::new();
    let like = register(&mut apart.cloud, &me, "template");
    let one_by_one = store_work(&mut apart.cloud, &like);
    assert!(
        one_by_one[1].contains("refused after gone true count 2"),
        "{one_by_one:?}"
    );
    assert!(one_by_one[3].contains("renamed"), "{one_by_one:?}");
    let mut world = World::new();
    let like = register(&mut world.cloud, &me, "template");
    let together = world
        .cloud
        .together(|cloud| store_work(cloud, &like))
        .expect("the group commits");
    assert_eq!(together, one_by_one);
    assert_eq!(world.dump(), apart.dump());
}

#[test]
fn an_id_already_taken_is_passed_over_in_a_group_as_alone() {
    let me = at(A, USE1);
    // Registered, deregistered and registered again, "web" gets the first
    // two IDs of its parts.
    let mut counted = World::new();
    let first = register(&mut counted.cloud, &me, "web");
    counted.ok(|c| c.call(&me, &DeregisterImage::new(&first.id, false)));
    let second = register(&mut counted.cloud, &me, "web");
    assert_ne!(first.id, second.id);
    let mut made = Vec::new();
    for grouped in [false, true] {
        let mut world = World::new();
        // Another object holds the first ID while its parts were never counted.
        let squatter = Image {
            name: "squatter".into(),
            ..first.clone()
        };
        world
            .cloud
            .store()
            .transaction(|tx| tx.put(&squatter))
            .expect("the object is stored");
        let image = match grouped {
            true => world
                .cloud
                .together(|cloud| register(cloud, &me, "web"))
                .expect("the group commits"),
            false => register(&mut world.cloud, &me, "web"),
        };
        made.push(image.id);
    }
    assert_eq!(made, [second.id.clone(), second.id]);
}

#[test]
fn a_new_image_is_private_until_it_is_shared_in_its_group_and_the_next() {
    let me = at(A, USE1);
    let other = at(B, USE1);
    let mut world = World::new();
    unblock(&mut world.cloud, &me);
    let found_by_other = |cloud: &mut Cloud, id: &str| -> String {
        match cloud.call(&other, &DescribeImage::new(id)) {
            Ok(image) => format!("{:?}", image.map(|i| i.id == id)),
            Err(e) => e.code().to_string(),
        }
    };
    let seen = world
        .cloud
        .together(|cloud| {
            let image = register(cloud, &me, "web");
            let before = found_by_other(cloud, &image.id);
            cloud
                .call(&me, &AddLaunchPermission::new(&image.id, &public()))
                .expect("made public");
            let after = found_by_other(cloud, &image.id);
            (image, before, after)
        })
        .expect("the group commits");
    let (image, before, after) = seen;
    assert_eq!(before, "None");
    assert_eq!(after, "Some(true)");
    // The next group, which starts from what this one knew, and a second
    // handle on the store see it public too.
    let next = world
        .cloud
        .together(|cloud| found_by_other(cloud, &image.id))
        .expect("the group commits");
    assert_eq!(next, "Some(true)");
    let mut second = Cloud::open_store(&store_of(&world)).expect("a second handle");
    assert_eq!(found_by_other(&mut second, &image.id), "Some(true)");
}
