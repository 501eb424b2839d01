//! Several OS processes writing one store file at once, as Terraform's
//! provider processes (one per aliased provider block) do: nothing is lost.
//!
//! The test binary re-runs itself as the worker processes: with
//! `AMISIM_TEST_WORKER` set, the test below is a worker instead.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use amisim_simulator::dates::{format_time, EPOCH_SECONDS};
use amisim_simulator::store::Filter;
use amisim_simulator::{Cloud, Image, ImageState};

use amisim_simulator::DescribeImage;
use common::*;

const WORKER_ENV: &str = "AMISIM_TEST_WORKER";
const TEST_NAME: &str = "concurrent_processes_writing_one_store_lose_no_update";
const PROCESSES: usize = 4;
const CALLS: usize = 50;
const ACCOUNTS: [&str; PROCESSES] = [A, B, C, D];
const REGIONS: [&str; PROCESSES] = [USE1, USW2, EUW1, USE1];
const DEADLINE: Duration = Duration::from_secs(120);

/// One worker: waits for the start signal in `dir`, then registers its images
/// in the store `store` names and reads them back.
fn worker(n: usize, dir: &Path, store: &str) {
    let go = dir.join("go");
    let start = Instant::now();
    while !go.exists() {
        assert!(start.elapsed() < DEADLINE, "no start signal");
        std::thread::sleep(Duration::from_millis(2));
    }
    // Every worker may be the one that creates the store.
    let mut cloud = Cloud::open_store(store).expect("the shared store");
    let me = at(ACCOUNTS[n], REGIONS[n]);
    for k in 0..CALLS {
        let img = register(&mut cloud, &me, &format!("worker-{n}-image-{k}"));
        assert_eq!(img.owner_id, ACCOUNTS[n]);
        if k % 10 == 9 {
            let seen = cloud
                .call(&me, &DescribeImage::new(&img.id))
                .expect("a read");
            assert_eq!(seen, Some(img));
        }
    }
}

fn spawn(n: usize, dir: &Path, store: &str) -> Child {
    Command::new(std::env::current_exe().expect("the test binary"))
        .args(["--exact", TEST_NAME, "--nocapture", "--test-threads=1"])
        .env(WORKER_ENV, format!("{n}\n{}\n{store}", dir.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("a worker process")
}

#[test]
fn concurrent_processes_writing_one_store_lose_no_update() {
    if let Ok(spec) = std::env::var(WORKER_ENV) {
        let parts: Vec<&str> = spec.splitn(3, '\n').collect();
        let [n, dir, store] = parts[..] else {
            panic!("N, folder and store on three lines");
        };
        worker(n.parse().expect("a worker number"), Path::new(dir), store);
        return;
    }
    let dir = tempfile::tempdir().expect("a folder");
    // On PostgreSQL (AMISIM_TEST_POSTGRES), the workers share a new database
    // and create its tables themselves, as on a new file.
    let (store, _database) = match postgres_admin() {
        Some(admin) => {
            let url = empty_database(&admin);
            (url.clone(), DropDatabase::of(&url))
        }
        None => (
            dir.path().join("cloud.db").display().to_string(),
            DropDatabase::of(""),
        ),
    };
    let mut children: Vec<Child> = (0..PROCESSES)
        .map(|n| spawn(n, dir.path(), &store))
        .collect();
    std::fs::write(dir.path().join("go"), b"").expect("the start signal");
    let start = Instant::now();
    let mut failures = Vec::new();
    for (n, child) in children.iter_mut().enumerate() {
        loop {
            if let Some(status) = child.try_wait().expect("a worker status") {
                if !status.success() {
                    failures.push(n);
                }
                break;
            }
            if start.elapsed() > DEADLINE {
                let _ = child.kill();
                failures.push(n);
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    for (n, child) in children.into_iter().enumerate() {
        let out = child.wait_with_output().expect("a worker's output");
        if failures.contains(&n) {
            eprintln!(
                "worker {n} failed:\n{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    assert!(failures.is_empty(), "workers {failures:?} failed");

    let mut cloud = Cloud::open_store(&store).expect("the shared store");
    let mut ids = BTreeSet::new();
    for n in 0..PROCESSES {
        let images = cloud
            .store()
            .read(|tx| {
                tx.list::<Image>(Filter {
                    account: Some(ACCOUNTS[n]),
                    ..Filter::default()
                })
            })
            .expect("a listing");
        assert_eq!(images.len(), CALLS, "worker {n} lost images");
        let names: BTreeSet<String> = images.iter().map(|i| i.name.clone()).collect();
        let expected: BTreeSet<String> = (0..CALLS)
            .map(|k| format!("worker-{n}-image-{k}"))
            .collect();
        assert_eq!(names, expected);
        for img in images {
            assert_eq!(
                (img.region.as_str(), img.state),
                (REGIONS[n], ImageState::Available)
            );
            assert!(well_formed(&img.id, "ami"));
            for sid in &img.storage_ids {
                assert!(
                    storage(&mut cloud, sid).is_some(),
                    "{sid} of {} is missing",
                    img.id
                );
            }
            assert!(ids.insert(img.id));
        }
    }
    // Every call is in the log, once.
    let events = cloud.events(0).expect("the log");
    let reads = PROCESSES * (CALLS / 10);
    assert_eq!(events.len(), PROCESSES * CALLS + reads);
    assert!(events.iter().all(|e| e.outcome == "ok"));
    let seqs: BTreeSet<i64> = events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs.len(), events.len());
    // Each worker's handle is a command of its own: its independent changes are
    // dated "at once", one step after its command's start, and every command
    // started after everything recorded before it, so no two workers share a date.
    let mut all_dates = BTreeSet::new();
    for (n, account) in ACCOUNTS.iter().enumerate() {
        let dates: BTreeSet<String> = cloud
            .store()
            .read(|tx| {
                tx.list::<Image>(Filter {
                    account: Some(account),
                    ..Filter::default()
                })
            })
            .expect("a listing")
            .into_iter()
            .map(|i| i.creation_date)
            .collect();
        assert_eq!(dates.len(), 1, "worker {n}: {dates:?}");
        let date = dates.into_iter().next().expect("a date");
        assert!(date > format_time(EPOCH_SECONDS), "worker {n}: {date}");
        assert!(
            all_dates.insert(date),
            "worker {n} shares its command's start"
        );
    }
    // No temporary creation file was left behind.
    let leftovers: Vec<String> = std::fs::read_dir(dir.path())
        .expect("the folder")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|n| n.contains(".new-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
