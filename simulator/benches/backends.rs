//! Calls per second of the simulated cloud on its two backends, as a shared
//! cloud sees them: with 10,000 images in the store, one client, then 8
//! clients at once (each a process of its own, as on a classroom's laptops).
//!
//! `cargo bench -p amisim-simulator --bench backends`; with
//! `AMISIM_BENCH_POSTGRES` set to the URL of a PostgreSQL server's
//! administrative database (`scripts/postgres start` prints one), a new
//! database there is measured beside an SQLite file. `AMISIM_BENCH_IMAGES`
//! and `AMISIM_BENCH_CALLS` change the store size and the calls per client.

use std::time::Instant;

use amisim_simulator::{Caller, Cloud, RegisterImage};

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn register(cloud: &mut Cloud, who: &Caller, name: String) {
    cloud
        .call(
            who,
            &RegisterImage {
                name,
                ..Default::default()
            },
        )
        .expect("register");
}

fn caller(n: usize) -> Caller {
    Caller::new(format!("1000000000{:02}", n % 100), "us-east-1")
}

/// Register calls per second of `clients` processes at once, `calls` each:
/// this benchmark's own binary, started again as a client.
fn measure(store: &str, clients: usize, calls: usize, round: &str) -> f64 {
    let me = std::env::current_exe().expect("the benchmark's binary");
    let start = Instant::now();
    let children: Vec<_> = (0..clients)
        .map(|c| {
            std::process::Command::new(&me)
                .env(CLIENT, format!("{c} {calls} {round} {store}"))
                .spawn()
                .expect("a client process")
        })
        .collect();
    for mut child in children {
        assert!(child.wait().expect("a client").success(), "a client failed");
    }
    (clients * calls) as f64 / start.elapsed().as_secs_f64()
}

/// The variable that makes this binary one client: `INDEX CALLS ROUND STORE`.
const CLIENT: &str = "AMISIM_BENCH_CLIENT";

/// One client process: its own handle on the store, `calls` registrations.
fn client(spec: &str) {
    let mut parts = spec.splitn(4, ' ');
    let mut next = || parts.next().expect("a client spec").to_string();
    let (c, calls, round, store) = (next(), next(), next(), next());
    let c: usize = c.parse().expect("a client index");
    let mut cloud = Cloud::open_store(&store).expect("the store");
    let who = caller(c);
    for k in 0..calls.parse().expect("a call count") {
        register(&mut cloud, &who, format!("{round}-{c}-{k}"));
    }
}

fn main() {
    if let Ok(spec) = std::env::var(CLIENT) {
        return client(&spec);
    }
    let images = env_number("AMISIM_BENCH_IMAGES", 10_000);
    let calls = env_number("AMISIM_BENCH_CALLS", 200);
    let dir = tempfile::tempdir().expect("a folder");
    let mut stores = vec![(
        "SQLite file".to_string(),
        dir.path().join("cloud.db").display().to_string(),
    )];
    if let Ok(admin) = std::env::var("AMISIM_BENCH_POSTGRES") {
        let mut client = postgres::Client::connect(&admin, postgres::NoTls).expect("the server");
        let name = format!("amisim_bench_{}", std::process::id());
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("a database");
        let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
        stores.push((
            "PostgreSQL (local server)".to_string(),
            format!("{base}/{name}"),
        ));
    }
    println!("| store | images | 1 client, calls/s | 8 clients, calls/s |");
    println!("|---|---:|---:|---:|");
    for (label, store) in &stores {
        let mut cloud = Cloud::open_store(store).expect("a new store");
        for i in 0..images {
            register(&mut cloud, &caller(i), format!("seed-{i}"));
        }
        drop(cloud);
        let one = measure(store, 1, calls, "one");
        let eight = measure(store, 8, calls / 4, "eight");
        println!("| {label} | {images} | {one:.0} | {eight:.0} |");
    }
    if let (Ok(admin), Some((_, store))) = (std::env::var("AMISIM_BENCH_POSTGRES"), stores.get(1)) {
        let name = store.rsplit('/').next().unwrap_or_default();
        if let Ok(mut client) = postgres::Client::connect(&admin, postgres::NoTls) {
            let _ = client.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}
