//! The files SQLite keeps beside a store (`-wal`, `-shm`, `-journal`): whatever
//! is found there, opening the store ends in one of two ways. The store is used
//! correctly, or it is refused with a true message naming the file in the way,
//! and every byte of the store is as it was.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use amisim_simulator::store::Filter;
use amisim_simulator::{Cloud, ErrorKind, Image};
use proptest::prelude::*;

use common::*;

fn companion(path: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", path.display()))
}

/// A closed store with `n` images of account A, and its folder.
fn store_with(n: usize) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a folder");
    let path = dir.path().join("cloud.db");
    let mut cloud = Cloud::open(&path).expect("a new store");
    for k in 0..n {
        register(&mut cloud, &at(A, USE1), &format!("base-{k}"));
    }
    drop(cloud);
    (dir, path)
}

/// The store file and the WAL of a process that registered `more` images on
/// top of `base` and was killed before it closed the store: the files as they
/// were at that moment.
fn crashed_store(base: usize, more: usize) -> (tempfile::TempDir, PathBuf) {
    let (live_dir, live) = store_with(base);
    let mut cloud = Cloud::open(&live).expect("the store");
    for k in 0..more {
        register(&mut cloud, &at(A, USE1), &format!("late-{k}"));
    }
    let dir = tempfile::tempdir().expect("a folder");
    let path = dir.path().join("cloud.db");
    fs::copy(&live, &path).expect("copy the store");
    fs::copy(companion(&live, "-wal"), companion(&path, "-wal")).expect("copy the WAL");
    drop(cloud);
    drop(live_dir);
    (dir, path)
}

/// A WAL written by another SQLite database (a table of its own, one row),
/// never checkpointed: the reproduction of a store destroyed by a foreign WAL.
fn foreign_wal() -> Vec<u8> {
    let dir = tempfile::tempdir().expect("a folder");
    let other = dir.path().join("other.db");
    let conn = rusqlite::Connection::open(&other).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;
         CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('not amisim');",
    )
    .unwrap();
    let wal = fs::read(companion(&other, "-wal")).unwrap();
    // The connection stays open until the copy is taken, so its WAL is still there.
    drop(conn);
    wal
}

/// The WAL of a crashed process of another amisim store.
fn other_amisim_wal() -> Vec<u8> {
    let (_dir, path) = crashed_store(3, 4);
    fs::read(companion(&path, "-wal")).unwrap()
}

fn own_images(cloud: &mut Cloud) -> usize {
    cloud
        .store()
        .read(|tx| {
            tx.list::<Image>(Filter {
                account: Some(A),
                ..Filter::default()
            })
        })
        .expect("a readable store")
        .len()
}

/// Opens the store both ways and requires a refusal of `kind` naming `culprit`,
/// with the store's bytes and the folder's files as they were.
fn assert_refused(path: &Path, kind: ErrorKind, culprit: &Path) {
    let dir = path.parent().unwrap();
    let bytes = fs::read(path).unwrap();
    let files = files_in(dir);
    for read_only in [true, false] {
        let err = if read_only {
            Cloud::open_read_only(path).err()
        } else {
            Cloud::open(path).err()
        }
        .unwrap_or_else(|| panic!("read_only={read_only}: the store was opened"));
        assert_eq!(err.kind, kind, "{err}");
        assert!(
            err.message.contains(&culprit.display().to_string()),
            "the message names {}: {err}",
            culprit.display()
        );
        assert!(err.hint.contains("untouched"), "{err}");
        assert_eq!(
            fs::read(path).unwrap(),
            bytes,
            "read_only={read_only}: the store changed"
        );
        assert_eq!(files_in(dir), files, "read_only={read_only}: files changed");
    }
}

#[test]
fn the_wal_of_another_database_is_refused_and_the_store_is_untouched() {
    let (_dir, path) = store_with(5);
    let wal = companion(&path, "-wal");
    fs::write(&wal, foreign_wal()).unwrap();
    assert_refused(&path, ErrorKind::StoreDamaged, &wal);
    let err = Cloud::open(&path).err().unwrap();
    assert!(err.message.contains("does not belong"), "{err}");
    // Once the foreign file is moved away, the store is whole.
    fs::remove_file(&wal).unwrap();
    let mut cloud = Cloud::open(&path).unwrap();
    assert_eq!(own_images(&mut cloud), 5);
}

#[test]
fn the_wal_of_another_amisim_store_is_refused() {
    let (_dir, path) = store_with(5);
    let wal = companion(&path, "-wal");
    fs::write(&wal, other_amisim_wal()).unwrap();
    assert_refused(&path, ErrorKind::StoreDamaged, &wal);
}

#[test]
fn a_wal_left_by_a_killed_process_is_applied() {
    let (dir, path) = crashed_store(5, 3);
    let bytes = fs::read(&path).unwrap();
    let files = files_in(dir.path());
    // Reading applies it to a private copy: nothing beside the store changes.
    let mut cloud = Cloud::open_read_only(&path).expect("a sound WAL");
    assert_eq!(own_images(&mut cloud), 8);
    drop(cloud);
    assert_eq!(fs::read(&path).unwrap(), bytes);
    assert_eq!(files_in(dir.path()), files);
    // Writing applies it to the store itself, and goes on from there.
    let mut cloud = Cloud::open(&path).expect("a sound WAL");
    assert_eq!(own_images(&mut cloud), 8);
    register(&mut cloud, &at(A, USE1), "after-the-crash");
    drop(cloud);
    let mut cloud = Cloud::open_read_only(&path).unwrap();
    assert_eq!(own_images(&mut cloud), 9);
}

#[test]
fn a_journal_beside_a_store_is_refused() {
    let (_dir, path) = store_with(2);
    let journal = companion(&path, "-journal");
    fs::write(&journal, vec![0xd9u8; 4096]).unwrap();
    assert_refused(&path, ErrorKind::StoreDamaged, &journal);
    // An empty one is no journal at all.
    fs::write(&journal, b"").unwrap();
    assert!(Cloud::open(&path).is_ok());
}

#[test]
fn a_fifo_socket_or_folder_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("cloud.db");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let start = Instant::now();
    for read_only in [false, true] {
        let err = if read_only {
            Cloud::open_read_only(&fifo).err()
        } else {
            Cloud::open(&fifo).err()
        }
        .expect("refused");
        assert!(err.message.contains("FIFO"), "{err}");
    }
    assert!(start.elapsed() < Duration::from_secs(5), "it did not block");

    let folder = dir.path().join("folder.db");
    fs::create_dir(&folder).unwrap();
    let err = Cloud::open(&folder).err().expect("refused");
    assert!(err.message.contains("a folder"), "{err}");

    // A companion that is not a file.
    let (_d, path) = store_with(1);
    let wal = companion(&path, "-wal");
    assert!(std::process::Command::new("mkfifo")
        .arg(&wal)
        .status()
        .unwrap()
        .success());
    let start = Instant::now();
    assert_refused(&path, ErrorKind::StoreDamaged, &wal);
    assert!(start.elapsed() < Duration::from_secs(5), "it did not block");
}

#[test]
fn reading_a_store_creates_no_file_beside_it() {
    let (dir, path) = store_with(3);
    let files = files_in(dir.path());
    let mut cloud = Cloud::open_read_only(&path).unwrap();
    assert_eq!(own_images(&mut cloud), 3);
    drop(cloud);
    assert_eq!(files_in(dir.path()), files);
}

/// What may be found beside a store.
#[derive(Debug, Clone)]
enum Beside {
    Nothing,
    ForeignWal,
    OtherAmisimWal,
    OwnCrashWal,
    /// The crashed process's WAL, cut at a byte.
    OwnCrashWalCut(usize),
    /// The crashed process's WAL with one byte changed.
    OwnCrashWalFlipped(usize),
    GarbageWal(Vec<u8>),
    EmptyWal,
    GarbageShm(Vec<u8>),
    GarbageJournal(Vec<u8>),
    EmptyJournal,
}

fn beside() -> impl Strategy<Value = Beside> {
    prop_oneof![
        Just(Beside::Nothing),
        Just(Beside::ForeignWal),
        Just(Beside::OtherAmisimWal),
        Just(Beside::OwnCrashWal),
        any::<usize>().prop_map(Beside::OwnCrashWalCut),
        any::<usize>().prop_map(Beside::OwnCrashWalFlipped),
        proptest::collection::vec(any::<u8>(), 0..9000).prop_map(Beside::GarbageWal),
        Just(Beside::EmptyWal),
        proptest::collection::vec(any::<u8>(), 0..40000).prop_map(Beside::GarbageShm),
        proptest::collection::vec(any::<u8>(), 1..9000).prop_map(Beside::GarbageJournal),
        Just(Beside::EmptyJournal),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Any combination of companions: used correctly (the images of the store,
    /// or of the store and a prefix of its own WAL's transactions), or refused
    /// with the store byte-identical.
    #[test]
    fn any_companions_are_used_correctly_or_refused_untouched(
        found in proptest::collection::vec(beside(), 1..3),
        read_only in any::<bool>(),
    ) {
        let (dir, path) = crashed_store(4, 3);
        let own_wal = fs::read(companion(&path, "-wal")).unwrap();
        fs::remove_file(companion(&path, "-wal")).unwrap();
        for b in &found {
            let (suffix, bytes): (&str, Vec<u8>) = match b {
                Beside::Nothing => continue,
                Beside::ForeignWal => ("-wal", foreign_wal()),
                Beside::OtherAmisimWal => ("-wal", other_amisim_wal()),
                Beside::OwnCrashWal => ("-wal", own_wal.clone()),
                Beside::OwnCrashWalCut(at) => ("-wal", own_wal[..at % own_wal.len()].to_vec()),
                Beside::OwnCrashWalFlipped(at) => {
                    let mut w = own_wal.clone();
                    let i = at % w.len();
                    w[i] ^= 0x5a;
                    ("-wal", w)
                }
                Beside::GarbageWal(g) => ("-wal", g.clone()),
                Beside::EmptyWal => ("-wal", Vec::new()),
                Beside::GarbageShm(g) => ("-shm", g.clone()),
                Beside::GarbageJournal(g) => ("-journal", g.clone()),
                Beside::EmptyJournal => ("-journal", Vec::new()),
            };
            fs::write(companion(&path, suffix), bytes).unwrap();
        }
        let before = fs::read(&path).unwrap();
        let opened = if read_only { Cloud::open_read_only(&path) } else { Cloud::open(&path) };
        match opened {
            Ok(mut cloud) => {
                let n = own_images(&mut cloud);
                prop_assert!((4..=7).contains(&n), "{n} images after {found:?}");
                let check: String = {
                    drop(cloud);
                    let conn = rusqlite::Connection::open_with_flags(
                        &path,
                        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
                    ).unwrap();
                    conn.query_row("PRAGMA quick_check", [], |r| r.get(0)).unwrap()
                };
                prop_assert_eq!(check, "ok");
                if read_only {
                    prop_assert_eq!(fs::read(&path).unwrap(), before);
                }
            }
            Err(e) => {
                prop_assert!(
                    matches!(e.kind, ErrorKind::StoreDamaged | ErrorKind::StoreIo),
                    "{e}"
                );
                prop_assert!(e.hint.contains("untouched") || e.hint.contains("did not write"), "{e}");
                prop_assert_eq!(fs::read(&path).unwrap(), before, "{}", e);
            }
        }
        drop(dir);
    }
}
