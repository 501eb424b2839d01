//! The store on a PostgreSQL server (`AMISIM_TEST_POSTGRES`, the URL of the
//! server's administrative database): what it refuses and how it fails.
//! The rule suites run on it too (see scripts/test); without a server these
//! tests say so and check nothing.

mod common;

use amisim_simulator::DescribeImage;
use amisim_simulator::{Cloud, ErrorKind};
use common::*;

fn server() -> Option<(String, postgres::Client)> {
    let Some(admin) = postgres_admin() else {
        eprintln!("AMISIM_TEST_POSTGRES is not set: the PostgreSQL store is not tested here");
        return None;
    };
    let client = postgres::Client::connect(&admin, postgres::NoTls).expect("the test server");
    Some((admin, client))
}

/// A new store in a new database of the test server, dropped with the guard;
/// its URL.
fn new_store(admin: &str) -> (String, DropDatabase, Cloud) {
    let url = empty_database(admin);
    let drop = DropDatabase::of(&url);
    let cloud = Cloud::open_store(&url).expect("a new store");
    (url, drop, cloud)
}

fn tables(url: &str) -> Vec<String> {
    let mut c = postgres::Client::connect(url, postgres::NoTls).expect("a connection");
    c.query(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1",
        &[],
    )
    .expect("tables")
    .iter()
    .map(|r| r.get(0))
    .collect()
}

#[test]
fn a_database_holding_other_tables_is_refused_and_left_untouched() {
    let Some((admin, _)) = server() else { return };
    let url = empty_database(&admin);
    let _drop = DropDatabase::of(&url);
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    c.batch_execute(
        "CREATE TABLE grades (student TEXT, mark INT); INSERT INTO grades VALUES ('ada', 20)",
    )
    .unwrap();
    let err = Cloud::open_store(&url).err().expect("refused");
    assert_eq!(err.kind, ErrorKind::StoreDamaged);
    assert!(err.message.contains("not an amisim store"), "{err}");
    assert!(err.message.contains("grades"), "{err}");
    assert_eq!(tables(&url), ["grades"]);
}

#[test]
fn a_store_of_a_newer_schema_is_refused_and_left_untouched() {
    let Some((admin, _)) = server() else { return };
    let (url, _drop, mut cloud) = new_store(&admin);
    let me = at(A, USE1);
    register(&mut cloud, &me, "kept");
    drop(cloud);
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    c.batch_execute("UPDATE meta SET value = '99' WHERE key = 'schema'")
        .unwrap();
    let before = store_dump(&Backend::Postgres(url.clone()));
    let err = Cloud::open_store(&url).err().expect("refused");
    assert_eq!(err.kind, ErrorKind::StoreTooNew, "{err}");
    assert_eq!(store_dump(&Backend::Postgres(url.clone())), before);
}

#[test]
fn reading_an_empty_database_finds_no_store_and_creates_nothing() {
    let Some((admin, _)) = server() else { return };
    let url = empty_database(&admin);
    let _drop = DropDatabase::of(&url);
    let err = Cloud::open_store_read_only(&url).err().expect("no store");
    assert!(err.message.contains("no store"), "{err}");
    assert!(tables(&url).is_empty());
}

#[test]
fn unreachable_servers_and_missing_databases_name_the_server_never_the_password() {
    let Some((admin, _)) = server() else { return };
    let err = Cloud::open_store("postgres://ada:s3cret-pw@127.0.0.1:1/amisim")
        .err()
        .expect("no server");
    assert_eq!(err.kind, ErrorKind::StoreIo);
    assert!(
        err.message.contains("postgres://ada@127.0.0.1:1/amisim"),
        "{err}"
    );
    assert!(!err.to_string().contains("s3cret-pw"), "{err}");
    let base = admin.rsplit_once('/').unwrap().0;
    let err = Cloud::open_store(&format!("{base}/no_such_database_here"))
        .err()
        .expect("no database");
    assert!(err.message.contains("has no such database"), "{err}");
    assert!(!err.hint.is_empty());
}

#[test]
fn a_dropped_connection_is_a_clear_error_and_loses_nothing_committed() {
    let Some((admin, mut client)) = server() else {
        return;
    };
    let (url, _drop, mut cloud) = new_store(&admin);
    let name = url.rsplit('/').next().unwrap().to_string();
    let me = at(A, USE1);
    let kept = register(&mut cloud, &me, "kept");
    client
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
            &[&name],
        )
        .unwrap();
    let err = cloud
        .call(&me, &image("lost"))
        .expect_err("the connection is gone");
    assert_eq!(err.kind, ErrorKind::StoreIo, "{err}");
    assert!(err.message.contains(&name), "{err}");
    // A new connection finds what was committed, and the refused call's image is not there.
    let mut again = Cloud::open_store(&url).expect("the store again");
    assert_eq!(
        again
            .call(&me, &DescribeImage::new(&kept.id))
            .expect("a read")
            .map(|i| i.name),
        Some("kept".to_string())
    );
    again.call(&me, &image("lost")).expect("the call again");
}

#[test]
fn a_statement_timeout_names_the_server_and_the_call_and_stores_nothing_of_it() {
    let Some((admin, _)) = server() else { return };
    let (url, _drop, mut cloud) = new_store(&admin);
    let me = at(A, USE1);
    let kept = register(&mut cloud, &me, "kept");
    drop(cloud);
    // The server cancels any statement of these sessions after 2 s.
    let timed = format!("{url}?options=-c%20statement_timeout%3D2000");
    let mut cloud = Cloud::open_store(&timed).expect("the store");
    // Another session holds amisim's write lock, so the next change waits
    // for it until the statement timeout cancels it.
    let mut holder = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let mut tx = holder.transaction().unwrap();
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&0x414D_4953_i64])
        .unwrap();
    let err = cloud
        .call(&me, &image("timed-out"))
        .expect_err("the write lock is held");
    assert_eq!(err.kind, ErrorKind::StoreIo, "{err}");
    let name = url.rsplit('/').next().unwrap();
    assert!(err.message.starts_with("RegisterImage failed: "), "{err}");
    assert!(err.message.contains(name), "{err}");
    assert!(err.message.contains("statement timeout"), "{err}");
    assert!(
        err.hint
            .contains("nothing of the cancelled call was stored"),
        "{err}"
    );
    // Reads take no lock and still answer, from what was committed.
    let mut reader = Cloud::open_store_read_only(&timed).expect("reads take no lock");
    let held = reader
        .store()
        .read(|tx| amisim_simulator::inventory::images(tx, Default::default(), false, false))
        .expect("a read");
    assert_eq!(held.iter().map(|i| &i.id).collect::<Vec<_>>(), [&kept.id]);
    tx.rollback().unwrap();
    // The same handle goes on once the lock is free; the cancelled call left nothing.
    let again = cloud
        .call(&me, &image("timed-out"))
        .expect("the call again");
    let names: Vec<String> = cloud
        .call(&me, &amisim_simulator::DescribeImages::default())
        .unwrap()
        .into_iter()
        .map(|i| i.name)
        .collect();
    assert_eq!(names.iter().filter(|n| *n == "timed-out").count(), 1);
    assert_ne!(again.id, kept.id);
}

/// A call that waits for the write lock longer than its handle's lock wait
/// is refused with `ServiceUnavailable`, having stored nothing.
#[test]
fn a_call_that_cannot_get_the_write_lock_in_time_is_busy_and_stores_nothing() {
    let Some((admin, _)) = server() else { return };
    let (url, _drop, mut cloud) = new_store(&admin);
    let me = at(A, USE1);
    cloud
        .set_lock_wait(std::time::Duration::from_millis(300))
        .expect("a lock wait");
    let mut holder = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let mut tx = holder.transaction().unwrap();
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&0x414D_4953_i64])
        .unwrap();
    let err = cloud
        .call(&me, &image("busy"))
        .expect_err("the write lock is held");
    assert_eq!(err.kind, ErrorKind::StoreBusy, "{err}");
    assert_eq!(err.code(), "ServiceUnavailable");
    assert!(
        err.message.contains("nothing of the call was applied"),
        "{err}"
    );
    tx.rollback().unwrap();
    cloud.call(&me, &image("busy")).expect("the call again");
    let mine = amisim_simulator::DescribeImages {
        owners: vec!["self".into()],
        ..Default::default()
    };
    let names: Vec<String> = cloud
        .call(&me, &mine)
        .unwrap()
        .into_iter()
        .map(|i| i.name)
        .collect();
    assert_eq!(names, ["busy"]);
}

#[test]
fn an_unknown_user_is_refused_naming_the_server_never_the_password() {
    let Some((admin, _)) = server() else { return };
    let rest = admin.split_once('@').expect("user@host").1;
    let url = format!("postgres://no_such_student:guessed-pw@{rest}");
    let err = Cloud::open_store(&url).err().expect("refused");
    assert_eq!(err.kind, ErrorKind::StoreIo, "{err}");
    assert!(
        err.message.contains("refused the store's user or password"),
        "{err}"
    );
    assert!(err.message.contains("postgres://no_such_student@"), "{err}");
    assert!(!err.to_string().contains("guessed-pw"), "{err}");
}

#[test]
fn a_store_made_before_access_keys_and_faults_were_logged_gains_the_columns_when_opened() {
    let Some((admin, _)) = server() else { return };
    let (url, _drop, mut cloud) = new_store(&admin);
    register(&mut cloud, &at(A, USE1), "older");
    drop(cloud);
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    c.batch_execute(
        "ALTER TABLE events DROP COLUMN access_key; ALTER TABLE events DROP COLUMN fault",
    )
    .unwrap();
    let mut reader = Cloud::open_store_read_only(&url).expect("read as it is");
    assert!(reader
        .events(0)
        .unwrap()
        .iter()
        .all(|e| e.access_key_id.is_none() && e.fault.is_none()));
    drop(reader);
    let mut cloud = Cloud::open_store(&url).expect("brought up to date");
    cloud.set_access_key(Some("AKIAEXAMPLEEXAMPLE22".into()));
    register(&mut cloud, &at(A, USE1), "with-a-key");
    let keyed: Vec<_> = cloud
        .events(0)
        .unwrap()
        .into_iter()
        .filter_map(|e| e.access_key_id)
        .collect();
    assert_eq!(keyed, ["AKIAEXAMPLEEXAMPLE22"]);
    let has_fault = c
        .query_one(
            "SELECT count(*) FROM information_schema.columns WHERE table_name = 'events' AND column_name = 'fault'",
            &[],
        )
        .unwrap()
        .get::<_, i64>(0);
    assert_eq!(has_fault, 1, "the fault column is back");
}

/// What a caller wrote is logged as written, but PostgreSQL text cannot
/// hold NUL: a call naming one is logged with U+FFFD in its place, alone
/// and in a group of calls, and answered alike both ways.
#[test]
fn a_call_naming_nul_is_logged_with_a_replacement_character_alone_and_in_a_group() {
    let Some((admin, _)) = server() else { return };
    let (_, _drop, mut cloud) = new_store(&admin);
    let me = at(A, USE1);
    let alone = cloud.call(&me, &DescribeImage::new("ami-\0alone"));
    let grouped = cloud
        .together(|cloud| cloud.call(&me, &DescribeImage::new("ami-\0grouped")))
        .expect("the group commits");
    assert!(alone.is_err() || alone.as_ref().is_ok_and(Option::is_none));
    assert_eq!(
        format!("{alone:?}"),
        format!("{grouped:?}").replace("grouped", "alone")
    );
    let logged: Vec<String> = cloud
        .events(0)
        .expect("the log")
        .iter()
        .filter(|e| e.action == "DescribeImages")
        .map(|e| format!("{:?}", e.resource_id))
        .collect();
    assert_eq!(logged.len(), 2, "{logged:?}");
    for (event, name) in logged.iter().zip(["alone", "grouped"]) {
        assert!(event.contains(&format!("ami-\u{FFFD}{name}")), "{event}");
    }
}

/// PostgreSQL ignores every statement of a transaction after one failed,
/// and answers its `COMMIT` by rolling it back without an error. A group
/// in which a read failed after the group had sent its writes (a read of
/// the whole log) is refused as a whole, never answered as kept while
/// nothing is.
#[test]
fn a_group_in_which_a_read_failed_is_refused_whole_never_answered_as_kept() {
    let Some((admin, _)) = server() else { return };
    let (_, _drop, mut cloud) = new_store(&admin);
    let answered = cloud.together(|cloud| {
        let noted = cloud
            .store()
            .transaction(|tx| tx.set_meta("test:noted", "yes"));
        // Sends the note to the database.
        let log = cloud.events(0).map(|events| events.len());
        // PostgreSQL text holds no NUL: the statement fails.
        let failed = cloud.store().read(|tx| tx.meta_with_prefix("test:\0"));
        assert!(failed.is_err(), "{failed:?}");
        (noted, log)
    });
    let err = answered.expect_err("the group is refused whole");
    assert_eq!(err.kind, ErrorKind::StoreIo, "{err}");
    assert!(err.message.contains("none of it was kept"), "{err}");
    let noted = cloud
        .store()
        .read(|tx| tx.meta("test:noted"))
        .expect("a read");
    assert_eq!(noted, None);
    cloud
        .together(|cloud| {
            cloud
                .store()
                .transaction(|tx| tx.set_meta("test:noted", "again"))
        })
        .expect("the next group commits")
        .expect("the note");
    let noted = cloud
        .store()
        .read(|tx| tx.meta("test:noted"))
        .expect("a read");
    assert_eq!(noted.as_deref(), Some("again"));
}

/// A group whose writes could not all be sent (another session holds a
/// table they go to, past the handle's lock wait) is refused as a whole.
#[test]
fn a_group_whose_writes_failed_is_refused_whole_never_kept_in_part() {
    let Some((admin, _)) = server() else { return };
    let (url, _drop, mut cloud) = new_store(&admin);
    let me = at(A, USE1);
    let kept = register(&mut cloud, &me, "kept");
    cloud
        .set_lock_wait(std::time::Duration::from_millis(300))
        .expect("a lock wait");
    // Another session holds the counters table, which the group's writes go to.
    let mut holder = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let mut held = holder.transaction().unwrap();
    held.batch_execute("LOCK TABLE counters IN ACCESS EXCLUSIVE MODE")
        .unwrap();
    let answered = cloud.together(|cloud| {
        let noted = cloud
            .store()
            .transaction(|tx| tx.set_meta("test:noted", "yes"));
        // Sends the note to the database.
        let log = cloud.events(0).map(|events| events.len());
        let refused = cloud.call(&me, &image("waits"));
        (noted, log, refused.map(|i| i.id))
    });
    held.rollback().unwrap();
    let err = answered.expect_err("the group is refused whole");
    assert_eq!(err.kind, ErrorKind::StoreIo, "{err}");
    let noted = cloud
        .store()
        .read(|tx| tx.meta("test:noted"))
        .expect("a read");
    assert_eq!(noted, None, "nothing of the refused group was kept");
    // The handle goes on, and the next group is kept.
    cloud
        .together(|cloud| register(cloud, &me, "after"))
        .expect("the next group commits");
    let names: Vec<String> = cloud
        .call(&me, &amisim_simulator::DescribeImages::default())
        .unwrap()
        .into_iter()
        .filter(|i| i.owner_id == A)
        .map(|i| i.name)
        .collect();
    assert_eq!(names, ["after", "kept"]);
    assert!(!kept.id.is_empty());
}
