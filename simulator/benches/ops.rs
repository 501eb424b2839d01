//! Operations per second of the simulated cloud, without Terraform, as the store grows.
//!
//! Uses a store file with the same durability as the provider (SQLite WAL,
//! one transaction per call, synchronous = NORMAL). Run with
//! `cargo bench -p amisim-simulator --bench ops`; `AMISIM_BENCH_SIZES=1000,10000`
//! and `AMISIM_BENCH_OPS=2000` change the sizes and the calls measured per operation.

use std::time::Instant;

use amisim_simulator::{AddLaunchPermission, DeregisterImage};
use amisim_simulator::{Caller, Cloud, CopyImage, Principal, RegisterImage, RunInstance};

fn env_list(name: &str, default: &[usize]) -> Vec<usize> {
    std::env::var(name)
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .filter(|v: &Vec<usize>| !v.is_empty())
        .unwrap_or_else(|| default.to_vec())
}

fn accounts() -> Vec<Caller> {
    let mut v = Vec::new();
    for a in 0..10 {
        for r in ["us-east-1", "eu-west-1"] {
            v.push(Caller::new(format!("1000000000{a:02}"), r));
        }
    }
    v
}

fn register(cloud: &mut Cloud, who: &Caller, name: String) -> String {
    cloud
        .call(
            who,
            &RegisterImage {
                name,
                ..Default::default()
            },
        )
        .expect("register")
        .id
}

fn main() {
    let sizes = env_list("AMISIM_BENCH_SIZES", &[1_000, 10_000, 100_000]);
    let ops = env_list("AMISIM_BENCH_OPS", &[2_000])[0];
    let callers = accounts();
    let other = Caller::new("999999999999", "us-east-1");
    println!("| images in store | register/s | copy/s | share/s | launch/s | deregister/s | store bytes per image |");
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    for size in sizes {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("cloud.db");
        let mut cloud = Cloud::open(&path).expect("store");
        let mut ids = Vec::with_capacity(size);
        for i in 0..size {
            let who = &callers[i % callers.len()];
            ids.push((
                i % callers.len(),
                register(&mut cloud, who, format!("seed-{i}")),
            ));
        }
        let rate = |n: usize, start: Instant| n as f64 / start.elapsed().as_secs_f64();

        let start = Instant::now();
        for i in 0..ops {
            register(
                &mut cloud,
                &callers[i % callers.len()],
                format!("bench-{i}"),
            );
        }
        let register_rate = rate(ops, start);

        let start = Instant::now();
        for (i, (c, id)) in ids.iter().take(ops).enumerate() {
            let source = &callers[*c];
            let dest = Caller::new(
                source.account_id.clone(),
                if source.region == "us-east-1" {
                    "eu-west-1"
                } else {
                    "us-east-1"
                },
            );
            cloud
                .call(
                    &dest,
                    &CopyImage {
                        source_image_id: id.clone(),
                        source_region: source.region.clone(),
                        name: format!("copy-{i}"),
                        ..Default::default()
                    },
                )
                .expect("copy");
        }
        let copy_rate = rate(ops.min(ids.len()), start);

        let start = Instant::now();
        for (c, id) in ids.iter().take(ops) {
            cloud
                .call(
                    &callers[*c],
                    &AddLaunchPermission::new(id, &Principal::Account(other.account_id.clone())),
                )
                .expect("share");
        }
        let share_rate = rate(ops.min(ids.len()), start);

        let start = Instant::now();
        for (c, id) in ids.iter().take(ops) {
            cloud
                .call(
                    &callers[*c],
                    &RunInstance {
                        image_id: id.clone(),
                        instance_type: "t3.micro".into(),
                        ..Default::default()
                    },
                )
                .expect("launch");
        }
        let launch_rate = rate(ops.min(ids.len()), start);

        let start = Instant::now();
        for (c, id) in ids.iter().take(ops) {
            cloud
                .call(&callers[*c], &DeregisterImage::new(id, true))
                .expect("deregister");
        }
        let deregister_rate = rate(ops.min(ids.len()), start);

        drop(cloud);
        let bytes: u64 = ["", "-wal"]
            .iter()
            .filter_map(|s| std::fs::metadata(format!("{}{s}", path.display())).ok())
            .map(|m| m.len())
            .sum();
        let images = size + 2 * ops;
        println!(
            "| {size} | {register_rate:.0} | {copy_rate:.0} | {share_rate:.0} | {launch_rate:.0} | {deregister_rate:.0} | {} |",
            bytes / images as u64
        );
    }
}
