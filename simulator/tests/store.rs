//! The store file: what is not an amisim store (or comes from a newer amisim)
//! is refused with a clear error and left byte for byte as it was; reading
//! never creates a file; what is stored survives reopening.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use amisim_simulator::store::{Filter, SCHEMA_VERSION};
use amisim_simulator::{Caller, Cloud, ErrorKind, Image};

use amisim_simulator::{DeregisterImage, DescribeImage};
use common::*;

/// A store file with a few images in it, closed; its path and folder.
fn populated_store() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a folder");
    let path = dir.path().join("cloud.db");
    let mut cloud = Cloud::open(&path).expect("a new store");
    for n in 0..20 {
        register(&mut cloud, &at(A, USE1), &format!("image-{n}"));
    }
    drop(cloud);
    (dir, path)
}

/// Opens `path` for writing and for reading only; both must fail with `kind`,
/// and the file's bytes must be as before, with no file added or removed beside it.
fn assert_refused_untouched(path: &Path, kind: ErrorKind) {
    let dir = path.parent().expect("a folder");
    let bytes = fs::read(path).expect("the file");
    let files = files_in(dir);
    for read_only in [false, true] {
        let result = if read_only {
            Cloud::open_read_only(path)
        } else {
            Cloud::open(path)
        };
        let err = match result {
            Ok(mut cloud) => {
                // Some damage only shows when the store is read: the first call must fail.
                let call = cloud.call(&at(A, USE1), &image("probe"));
                let err = call.expect_err("a call on a damaged store fails");
                drop(cloud);
                err
            }
            Err(e) => e,
        };
        assert_eq!(err.kind, kind, "read_only={read_only}: {err}");
        assert!(
            err.message.contains(&path.display().to_string()),
            "the error names the file: {err}"
        );
        assert!(
            err.hint.contains("untouched") || err.hint.contains("did not write"),
            "{err}"
        );
        assert_eq!(
            fs::read(path).expect("the file"),
            bytes,
            "read_only={read_only}: the file was changed"
        );
        assert_eq!(
            files_in(dir),
            files,
            "read_only={read_only}: files were created or removed"
        );
    }
}

#[test]
fn a_file_that_is_not_sqlite_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().expect("a folder");
    let path = dir.path().join("cloud.db");
    fs::write(
        &path,
        "terraform { required_providers { amisim = {} } }\n".repeat(100),
    )
    .unwrap();
    assert_refused_untouched(&path, ErrorKind::StoreDamaged);
    fs::write(&path, b"SQLite format 3").unwrap();
    assert_refused_untouched(&path, ErrorKind::StoreDamaged);
}

#[test]
fn an_empty_file_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().expect("a folder");
    let path = dir.path().join("cloud.db");
    fs::write(&path, b"").unwrap();
    assert_refused_untouched(&path, ErrorKind::StoreDamaged);
    assert_eq!(fs::metadata(&path).unwrap().len(), 0);
}

#[test]
fn a_truncated_store_is_refused_and_left_untouched() {
    let (_dir, path) = populated_store();
    let whole = fs::read(&path).expect("the store");
    let page = 4096;
    assert!(
        whole.len() > 4 * page,
        "the store has several pages: {}",
        whole.len()
    );
    // Cut at a page boundary, and in the middle of a page (a copy interrupted mid-write).
    for keep in [
        16,
        100,
        page,
        page + 1,
        whole.len() / 2,
        whole.len() - page,
        whole.len() - 100,
        whole.len() - 1,
    ] {
        for sidecar in ["cloud.db-wal", "cloud.db-shm"] {
            let _ = fs::remove_file(path.with_file_name(sidecar));
        }
        fs::write(&path, &whole[..keep]).unwrap();
        assert_refused_untouched(&path, ErrorKind::StoreDamaged);
    }
}

#[test]
fn an_sqlite_file_that_is_not_an_amisim_store_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().expect("a folder");
    let path = dir.path().join("cloud.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE terraform_state (id INTEGER PRIMARY KEY, body TEXT);
             INSERT INTO terraform_state (body) VALUES ('precious');",
        )
        .unwrap();
    }
    assert_refused_untouched(&path, ErrorKind::StoreDamaged);
}

#[test]
fn a_store_from_a_newer_amisim_is_refused_and_left_untouched() {
    let (_dir, path) = populated_store();
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(&format!("PRAGMA user_version = {};", SCHEMA_VERSION + 1))
            .unwrap();
    }
    assert_refused_untouched(&path, ErrorKind::StoreTooNew);
    let err = Cloud::open(&path).err().expect("refused");
    assert_eq!(err.code(), "Store.TooNew");
    assert!(err.hint.contains("Upgrade"), "{err}");
}

#[test]
fn an_object_this_build_cannot_read_is_a_damaged_store() {
    let (_dir, path) = populated_store();
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute(
            "UPDATE objects SET body = '{\"not\": \"an image\"}' WHERE kind = 'image' AND account = ?1",
            [A],
        )
        .unwrap();
    }
    let mut cloud = Cloud::open(&path).expect("the file itself is an amisim store");
    let err = cloud
        .store()
        .read(|tx| tx.list::<Image>(Filter::default()))
        .expect_err("undecodable objects");
    assert_eq!(err.kind, ErrorKind::StoreDamaged);
    let err = cloud
        .call(&at(A, USE1), &amisim_simulator::DescribeImages::default())
        .expect_err("undecodable objects");
    assert_eq!(err.kind, ErrorKind::StoreDamaged);
    drop(cloud);
    // The refused call appended its event, and nothing else changed: the images are as damaged as before.
    let conn = rusqlite::Connection::open(&path).unwrap();
    let damaged: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM objects WHERE kind = 'image' AND body = '{\"not\": \"an image\"}'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(damaged, 20);
}

#[test]
fn opening_read_only_never_creates_a_file() {
    let dir = tempfile::tempdir().expect("a folder");
    let missing = dir.path().join("cloud.db");
    let err = Cloud::open_read_only(&missing)
        .err()
        .expect("no store there");
    assert_eq!(err.kind, ErrorKind::StoreIo);
    assert!(
        err.message.contains(&missing.display().to_string()),
        "{err}"
    );
    let nested = dir.path().join("not").join("there").join("cloud.db");
    assert!(Cloud::open_read_only(&nested).is_err());
    assert_eq!(
        files_in(dir.path()),
        Vec::<String>::new(),
        "nothing was created"
    );
}

#[test]
fn a_read_only_store_reads_and_refuses_writes_without_changing_the_file() {
    let (dir, path) = populated_store();
    let bytes = fs::read(&path).unwrap();
    let files = files_in(dir.path());
    let mut cloud = Cloud::open_read_only(&path).expect("an existing store");
    let mine = cloud
        .store()
        .read(|tx| {
            tx.list::<Image>(Filter {
                account: Some(A),
                ..Filter::default()
            })
        })
        .expect("reading works");
    assert_eq!(mine.len(), 20);
    assert_eq!(cloud.events(0).expect("the log").len(), 20);
    let err = cloud
        .call(&at(A, USE1), &image("not-stored"))
        .expect_err("a read-only store takes no calls");
    assert_eq!(err.kind, ErrorKind::StoreIo, "{err}");
    drop(cloud);
    assert_eq!(fs::read(&path).unwrap(), bytes);
    assert_eq!(files_in(dir.path()), files);
}

/// How many POSIX locks this process holds on `file`, as /proc/locks lists them.
fn own_locks(file: &Path) -> usize {
    use std::os::unix::fs::MetadataExt;
    let meta = fs::metadata(file).expect("the file is there");
    let dev = meta.dev();
    let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & !0xfff);
    let minor = (dev & 0xff) | ((dev >> 12) & !0xff);
    let inode = format!("{major:02x}:{minor:02x}:{}", meta.ino());
    let pid = std::process::id().to_string();
    fs::read_to_string("/proc/locks")
        .expect("/proc/locks")
        .lines()
        .filter(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            fields.contains(&pid.as_str()) && fields.contains(&inode.as_str())
        })
        .count()
}

/// Closing any descriptor of a file drops every POSIX lock the process holds
/// on it: a second opening of a store in the same process (a console page in
/// the server, an aliased provider block) must not read the store's files
/// outside SQLite, or another process closing the store would take itself
/// for the last user and delete the write-ahead log under the first handle.
#[test]
fn opening_a_store_again_in_the_same_process_keeps_the_locks_of_its_connections() {
    let (_dir, path) = populated_store();
    let mut cloud = Cloud::open(&path).expect("the store");
    register(&mut cloud, &at(A, USE1), "first");
    let shm = PathBuf::from(format!("{}-shm", path.display()));
    let held = (own_locks(&path), own_locks(&shm));
    assert!(held.0 > 0 && held.1 > 0, "{held:?}");
    for n in 0..3 {
        drop(Cloud::open_read_only(&path).expect("read again"));
        assert_eq!((own_locks(&path), own_locks(&shm)), held);
        drop(Cloud::open(&path).expect("opened again"));
        assert_eq!((own_locks(&path), own_locks(&shm)), held);
        let reset = amisim_simulator::store::is_store_file(&path);
        assert!(
            reset.is_err(),
            "a store open in this process is not read outside SQLite"
        );
        assert_eq!((own_locks(&path), own_locks(&shm)), held);
        register(&mut cloud, &at(A, USE1), &format!("again-{n}"));
    }
    drop(cloud);
    assert_eq!(own_locks(&path), 0);
    assert!(amisim_simulator::store::is_store_file(&path).expect("a closed store"));
}

/// A call that waits for another process's write longer than its handle's
/// lock wait is refused with `ServiceUnavailable`, having stored nothing.
#[test]
fn a_call_that_cannot_get_the_write_lock_in_time_is_busy_and_stores_nothing() {
    let (_dir, path) = populated_store();
    let mut cloud = Cloud::open(&path).expect("the store");
    cloud
        .set_lock_wait(std::time::Duration::from_millis(300))
        .expect("a lock wait");
    let holder = rusqlite::Connection::open(&path).expect("another connection");
    holder
        .execute_batch("BEGIN IMMEDIATE")
        .expect("the write lock");
    let err = cloud
        .call(&at(A, USE1), &image("busy"))
        .expect_err("the write lock is held");
    assert_eq!(err.kind, ErrorKind::StoreBusy, "{err}");
    assert_eq!(err.code(), "ServiceUnavailable");
    holder.execute_batch("ROLLBACK").expect("released");
    drop(holder);
    register(&mut cloud, &at(A, USE1), "busy");
}

/// A store holds claims' secret hashes: a new one, the files SQLite keeps
/// beside it and a folder made for it are its owner's only.
#[test]
fn a_new_store_and_what_is_beside_it_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("a folder");
    let path = dir.path().join("made").join("cloud.db");
    let mut cloud = Cloud::open(&path).expect("a new store");
    register(&mut cloud, &at(A, USE1), "private");
    let mode = |p: &Path| fs::metadata(p).expect("there").permissions().mode() & 0o777;
    assert_eq!(mode(path.parent().unwrap()), 0o700);
    for file in [
        path.clone(),
        PathBuf::from(format!("{}-wal", path.display())),
        PathBuf::from(format!("{}-shm", path.display())),
    ] {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
}

#[test]
fn a_new_store_is_created_with_its_folder_and_survives_reopening() {
    let dir = tempfile::tempdir().expect("a folder");
    let path = dir.path().join(".amisim").join("cloud.db");
    let me = at(A, USE1);
    let first = {
        let mut cloud = Cloud::open(&path).expect("created with its folder");
        register(&mut cloud, &me, "one")
    };
    assert!(path.exists());
    let names = files_in(path.parent().unwrap());
    assert!(
        names.iter().all(|n| !n.contains(".new-")),
        "no temporary file is left behind: {names:?}"
    );
    let mut cloud = Cloud::open(&path).expect("reopened");
    assert_eq!(
        cloud.call(&me, &DescribeImage::new(&first.id)).unwrap(),
        Some(first.clone())
    );
    // The clock and the counters go on where they stopped: a new handle is a new
    // command, which starts after everything recorded.
    let second = register(&mut cloud, &me, "two");
    assert_eq!(second.creation_date, "2025-01-01T00:01:01.000Z");
    cloud
        .call(&me, &DeregisterImage::new(&first.id, true))
        .unwrap();
    let again = register(&mut cloud, &me, "one");
    assert_ne!(again.id, first.id);
    assert_eq!(cloud.events(0).unwrap().len(), 5);
    // A second handle on the same file sees every change.
    let mut other = Cloud::open(&path).expect("a second handle");
    assert_eq!(
        other.call(&me, &DescribeImage::new(&again.id)).unwrap(),
        Some(again)
    );
}

#[test]
fn a_file_store_starts_like_a_memory_store() {
    let w = World::new();
    drop(w.cloud);
    let mut memory = Cloud::memory().unwrap();
    let mut file = Cloud::open(&w.path).unwrap();
    assert_eq!(entity_dump(&mut memory), entity_dump(&mut file));
}

#[test]
fn a_blank_store_path_is_refused_and_nothing_is_created() {
    let dir = tempfile::tempdir().expect("a folder");
    for blank in ["   ", ""] {
        let err = Cloud::open(Path::new(blank)).err().expect("refused");
        assert_eq!(err.kind, ErrorKind::StoreIo, "{err}");
        assert!(err.message.contains("no file name"), "{err}");
    }
    let err = Cloud::open(&dir.path().join("   ")).err().expect("refused");
    assert!(err.message.contains("no file name"), "{err}");
    // A folder is not a store either.
    let err = Cloud::open(dir.path()).err().expect("refused");
    assert!(err.message.contains("a folder"), "{err}");
    assert_eq!(files_in(dir.path()), Vec::<String>::new());
}

#[test]
fn an_older_store_gains_the_regions_added_to_the_catalogue() {
    let (_dir, path) = populated_store();
    {
        // As a store made before ap-southeast-7 was in the catalogue.
        let conn = rusqlite::Connection::open(&path).unwrap();
        // …before Red Hat images carried their licence, when Amazon owned
        // Ubuntu, and before Debian was in it.
        conn.execute_batch(
            "DELETE FROM objects WHERE region = 'ap-southeast-7';
             DELETE FROM objects WHERE kind = 'image' AND name LIKE 'debian-12-%';
             UPDATE objects SET body = json_set(body, '$.billing_products', json('[]'))
               WHERE kind = 'image' AND name LIKE 'RHEL%';
             UPDATE objects SET account = '137112412989',
               body = json_set(body, '$.owner_id', '137112412989', '$.owner_alias', 'amazon')
               WHERE kind = 'image' AND name LIKE 'ubuntu/%';
             UPDATE meta SET value = 'old' WHERE key = 'catalogue_regions';",
        )
        .unwrap();
    }
    let ubuntu_before: String = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row(
            "SELECT id FROM objects WHERE kind = 'image' AND region = 'us-east-1' AND name = ?1",
            [UBUNTU],
            |r| r.get(0),
        )
        .unwrap();
    let mut cloud = Cloud::open(&path).unwrap();
    catalogue(&mut cloud, &at(A, "ap-southeast-7"), UBUNTU);
    let ubuntu = catalogue(&mut cloud, &at(A, USE1), UBUNTU);
    assert_eq!(ubuntu.id, ubuntu_before, "a catalogue image keeps its ID");
    assert_eq!(
        ubuntu.owner_id, "099720109477",
        "Ubuntu is Canonical's, as in AWS"
    );
    assert_eq!(ubuntu.owner_alias, None);
    let debian = catalogue(&mut cloud, &at(A, USE1), "debian-12-amd64-20250112-2000");
    assert_eq!(debian.owner_id, "136693071363");
    let rhel = catalogue(
        &mut cloud,
        &at(A, USE1),
        "RHEL-9.5.0_HVM-20241211-x86_64-0-Hourly2-GP3",
    );
    assert_eq!(rhel.billing_products, vec!["bp-6fa54006".to_string()]);
    // The images of the account are as they were.
    let mine = cloud
        .store()
        .read(|tx| {
            tx.count::<Image>(Filter {
                account: Some(A),
                ..Filter::default()
            })
        })
        .unwrap();
    assert_eq!(mine, 20);
}

#[test]
fn a_store_made_before_access_keys_and_faults_were_logged_reads_as_it_was_and_logs_them_once_written(
) {
    let (_dir, path) = populated_store();
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "ALTER TABLE events DROP COLUMN access_key; ALTER TABLE events DROP COLUMN fault",
        )
        .unwrap();
    }
    // Read only, the store is read as it is: no access key, and no column added.
    let bytes = fs::read(&path).unwrap();
    let mut cloud = Cloud::open_read_only(&path).expect("an older store");
    let events = cloud.events(0).expect("its log");
    assert_eq!(events.len(), 20);
    assert!(events
        .iter()
        .all(|e| e.access_key_id.is_none() && e.fault.is_none()));
    drop(cloud);
    assert_eq!(fs::read(&path).unwrap(), bytes);
    // Opened for writing, it gains the column, and a server's calls carry their key.
    let mut cloud = Cloud::open(&path).expect("brought up to date");
    cloud.set_access_key(Some("AKIAEXAMPLEEXAMPLE22".into()));
    register(&mut cloud, &at(A, USE1), "with-a-key");
    let events = cloud.events(0).expect("its log");
    assert_eq!(events.len(), 21);
    let keyed: Vec<_> = events
        .iter()
        .filter_map(|e| e.access_key_id.as_deref())
        .collect();
    assert_eq!(keyed, ["AKIAEXAMPLEEXAMPLE22"]);
    // And a fault a rule injects is marked with its rule.
    cloud
        .call(
            &Caller::administrator(),
            &amisim_simulator::AddFault {
                action: "RegisterImage".into(),
                account_id: None,
                region: None,
                effect: amisim_simulator::FaultEffect::Error {
                    code: "RequestLimitExceeded".into(),
                    every: 1,
                    times: Some(1),
                },
            },
        )
        .unwrap();
    let refused = cloud
        .call(&at(A, USE1), &image("throttled"))
        .expect_err("the rule refuses it");
    assert_eq!(refused.code(), "RequestLimitExceeded");
    let events = cloud.events(0).expect("its log");
    let marked: Vec<_> = events.iter().filter_map(|e| e.fault.as_deref()).collect();
    assert_eq!(marked, ["fault-1"]);
}

/// Lays the tables of the store at `path` out as builds before the current
/// layout made them: objects in their key's own b-tree, the metadata and
/// counters in tables of row numbers beside their key's index, and every
/// object in the name index.
fn lay_out_as_before(path: &Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(
        "BEGIN;
         CREATE TABLE objects_before (kind TEXT NOT NULL, id TEXT NOT NULL, account TEXT NOT NULL,
             region TEXT NOT NULL, name TEXT, body TEXT NOT NULL, PRIMARY KEY (kind, id)) WITHOUT ROWID;
         INSERT INTO objects_before SELECT kind, id, account, region, name, body FROM objects;
         DROP TABLE objects;
         ALTER TABLE objects_before RENAME TO objects;
         CREATE INDEX objects_by_scope ON objects (kind, account, region, name);
         CREATE INDEX objects_by_name ON objects (kind, name);
         CREATE INDEX objects_by_region ON objects (kind, region);
         CREATE TABLE meta_before (key TEXT PRIMARY KEY, value TEXT NOT NULL);
         INSERT INTO meta_before SELECT key, value FROM meta;
         DROP TABLE meta;
         ALTER TABLE meta_before RENAME TO meta;
         CREATE TABLE counters_before (key TEXT PRIMARY KEY, n INTEGER NOT NULL);
         INSERT INTO counters_before SELECT key, n FROM counters;
         DROP TABLE counters;
         ALTER TABLE counters_before RENAME TO counters;
         COMMIT;",
    )
    .unwrap();
    let layout = layout_of(path);
    assert!(layout.contains("WITHOUT ROWID"), "{layout}");
    assert!(!layout.contains("WHERE"), "{layout}");
}

/// How the objects table and its name index are made in the store at `path`.
fn layout_of(path: &Path) -> String {
    rusqlite::Connection::open(path)
        .unwrap()
        .query_row(
            "SELECT group_concat(sql, ';') FROM sqlite_schema WHERE name IN ('objects', 'objects_by_name')",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn a_store_laid_out_by_an_earlier_build_answers_and_keeps_the_same() {
    let (_dir, path) = populated_store();
    let layout = layout_of(&path);
    assert!(!layout.contains("WITHOUT ROWID"), "{layout}");
    assert!(layout.contains("WHERE name IS NOT NULL"), "{layout}");
    let earlier = path.with_file_name("earlier.db");
    fs::copy(&path, &earlier).unwrap();
    lay_out_as_before(&earlier);
    assert_same_dump(&raw_dump(&path), &raw_dump(&earlier));
    let me = at(A, USE1);
    let mut answers = Vec::new();
    for store in [&path, &earlier] {
        let mut cloud = Cloud::open(store).unwrap();
        let made = register(&mut cloud, &me, "after");
        let renamed = register(&mut cloud, &at(B, USE1), "image-3");
        cloud
            .call(&me, &DeregisterImage::new(&made.id, true))
            .unwrap();
        let found = cloud
            .read(|tx| {
                let named = tx.list::<Image>(Filter {
                    name: Some("image-3"),
                    ..Filter::default()
                })?;
                let mine = tx.list::<Image>(Filter {
                    account: Some(A),
                    region: Some(USE1),
                    name: None,
                })?;
                let here = tx.list::<Image>(Filter {
                    region: Some(USE1),
                    ..Filter::default()
                })?;
                Ok((named, mine.len(), here.len()))
            })
            .unwrap();
        answers.push((made.id, renamed.id, found));
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0].2 .0.len(), 2, "image-3 of A and of B");
    assert_same_dump(&raw_dump(&path), &raw_dump(&earlier));
}
