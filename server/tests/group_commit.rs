//! Requests that arrive together are answered in one transaction of the
//! store, each as it would be alone, and none before the transaction is
//! committed.

mod common;

use std::sync::Arc;
use std::time::Duration;

use amisim_server::{Request, Server};
use amisim_simulator::Cloud;

/// A RegisterImage request by account `account` in us-east-1.
fn register(account: &str, name: &str) -> Request {
    Request {
        method: "POST".into(),
        path: "/".into(),
        query: String::new(),
        headers: common::signed_headers(account, "us-east-1/ec2"),
        body: format!("Action=RegisterImage&Version=2016-11-15&Name={name}").into_bytes(),
    }
}

/// Another handle's write holding `store` for `millis` from when this
/// returns, as another process's would; join it to wait for its end.
fn hold(store: &std::path::Path, millis: u64) -> std::thread::JoinHandle<()> {
    let mut holder = Cloud::open(store).unwrap();
    let (held, release) = std::sync::mpsc::channel();
    let holding = std::thread::spawn(move || {
        holder
            .together(|_| {
                held.send(()).unwrap();
                std::thread::sleep(Duration::from_millis(millis));
            })
            .unwrap();
    });
    release.recv().unwrap();
    holding
}

/// How many RegisterImage calls the store's log holds as answered.
fn registered(store: &std::path::Path) -> usize {
    let mut cloud = Cloud::open(store).unwrap();
    let events = cloud.events(0).unwrap();
    events
        .iter()
        .filter(|e| e.action == "RegisterImage" && e.outcome == "ok")
        .count()
}

#[test]
fn requests_arriving_while_the_store_is_held_are_answered_in_one_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("cloud.db");
    let server = Arc::new(Server::open(store.to_str().unwrap()).unwrap());
    // Another process's write holds the store while the requests arrive.
    let holding = hold(&store, 800);
    let clients: Vec<_> = (0..16)
        .map(|n| {
            let server = server.clone();
            std::thread::spawn(move || {
                // Account A's requests, and a second client's name taken twice.
                let (account, name) = match n {
                    15 => ("222222222222", "taken".to_string()),
                    14 => ("222222222222", "taken".to_string()),
                    n => ("111111111111", format!("image-{n}")),
                };
                let answer = server.answer(&register(account, &name));
                (answer.status, String::from_utf8(answer.body).unwrap())
            })
        })
        .collect();
    let answers: Vec<(u16, String)> = clients.into_iter().map(|c| c.join().unwrap()).collect();
    holding.join().unwrap();
    let ok = answers.iter().filter(|(status, _)| *status == 200).count();
    assert_eq!(ok, 15, "{answers:#?}");
    let refused: Vec<&String> = answers
        .iter()
        .filter(|(status, _)| *status != 200)
        .map(|(_, body)| body)
        .collect();
    assert!(
        refused[0].contains("InvalidAMIName.Duplicate"),
        "{refused:?}"
    );
    // The requests that waited shared few transactions (the first may have
    // begun before the others arrived).
    assert!(
        server.groups() <= 3,
        "{} groups for 16 requests",
        server.groups()
    );
    // Every answered registration is in the store, the refused one only in the log.
    assert_eq!(registered(&store), 15);
}

#[test]
fn with_a_group_of_one_every_request_is_a_transaction_of_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("cloud.db");
    let server = Arc::new(
        Server::open(store.to_str().unwrap())
            .unwrap()
            .with_max_group(1),
    );
    let clients: Vec<_> = (0..8)
        .map(|n| {
            let server = server.clone();
            std::thread::spawn(move || {
                server
                    .answer(&register("111111111111", &format!("image-{n}")))
                    .status
            })
        })
        .collect();
    for c in clients {
        assert_eq!(c.join().unwrap(), 200);
    }
    assert_eq!(server.groups(), 8);
}

#[test]
fn tasks_waiting_for_the_store_are_answered_together_by_one_thread() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("cloud.db");
    let server = Arc::new(Server::open(store.to_str().unwrap()).unwrap());
    // Another process's write holds the store while the tasks' requests arrive.
    let holding = hold(&store, 500);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let statuses: Vec<u16> = runtime.block_on(async {
        let tasks: Vec<_> = (0..32)
            .map(|n| {
                let server = server.clone();
                tokio::spawn(async move {
                    server
                        .answer_async(register("111111111111", &format!("image-{n}")))
                        .await
                        .status
                })
            })
            .collect();
        let mut statuses = Vec::new();
        for task in tasks {
            statuses.push(task.await.unwrap());
        }
        statuses
    });
    holding.join().unwrap();
    assert_eq!(statuses, vec![200; 32]);
    // 32 requests waited on two threads, and shared few transactions.
    assert!(
        server.groups() <= 3,
        "{} groups for 32 requests",
        server.groups()
    );
    assert_eq!(registered(&store), 32);
}

#[test]
fn each_request_is_dated_after_the_last_and_the_store_keeps_no_row_for_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("cloud.db");
    let server = Server::open(store.to_str().unwrap()).unwrap();
    for n in 0..10 {
        let answer = server.answer(&register("111111111111", &format!("image-{n}")));
        assert_eq!(answer.status, 200);
    }
    let mut cloud = Cloud::open(&store).unwrap();
    let times: Vec<String> = cloud
        .events(0)
        .unwrap()
        .iter()
        .map(|e| e.time.clone())
        .collect();
    assert_eq!(times.len(), 10);
    assert!(times.windows(2).all(|w| w[0] < w[1]), "{times:?}");
    // A request is a command no later call belongs to: its start is kept by
    // the server while it is answered, and not recorded in the store.
    let recorded = cloud.read(|tx| tx.meta_with_prefix("epoch:")).unwrap();
    assert_eq!(recorded, Vec::new());
}
