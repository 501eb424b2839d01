//! The load `make bench-serve` sends an AWS Query server (`amisim serve`, or
//! moto's for comparison): C clients, each a thread on one keep-alive HTTP
//! connection to 127.0.0.1, each registering N/C images, describing each,
//! sharing half with another account and copying a quarter to another
//! region, as boto3 would send them. Each client acts as an account of its
//! own (an unclaimed account: any well-formed signature of the time signs
//! for it). A raw client costs the two cores little, so the figures are the
//! server's, not a client library's.
//!
//! `cargo bench -p amisim-server --bench load -- URL[,URL…] CLIENTS IMAGES TAG`
//! (with several servers, client n talks to the n-th, round the list)
//! prints one JSON line: calls, seconds, calls per second, and each call's
//! latency in milliseconds by action.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Instant;

/// One client's connection to the server.
struct Client {
    host: String,
    account: String,
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    times: BTreeMap<&'static str, Vec<f64>>,
}

impl Client {
    fn connect(host: &str, account: String) -> Client {
        let (reader, writer) = Client::open(host);
        Client {
            host: host.to_string(),
            account,
            reader,
            writer,
            times: BTreeMap::new(),
        }
    }

    fn open(host: &str) -> (BufReader<TcpStream>, TcpStream) {
        let stream = TcpStream::connect(host).expect("the server listens");
        stream.set_nodelay(true).expect("TCP_NODELAY");
        (
            BufReader::new(stream.try_clone().expect("a second handle")),
            stream,
        )
    }

    /// Sends one Query request in `region` and reads its answer; panics
    /// unless it is answered 200.
    fn call(&mut self, action: &'static str, region: &str, params: &str) -> String {
        let body = format!("Action={action}&Version=2016-11-15{params}");
        let stamp = time::OffsetDateTime::now_utc()
            .format(time::macros::format_description!(
                "[year][month][day]T[hour][minute][second]Z"
            ))
            .expect("a date");
        let request = format!(
            "POST / HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-www-form-urlencoded; charset=utf-8\r\nX-Amz-Date: {stamp}\r\nAuthorization: AWS4-HMAC-SHA256 Credential={}/{}/{region}/ec2/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature={}\r\nContent-Length: {}\r\n\r\n{body}",
            self.host,
            self.account,
            &stamp[..8],
            "0".repeat(64),
            body.len()
        );
        let started = Instant::now();
        self.writer
            .write_all(request.as_bytes())
            .expect("the request is sent");
        let (status, answer) = self.read_answer();
        self.times
            .entry(action)
            .or_default()
            .push(started.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(status, 200, "{action}: {answer}");
        answer
    }

    fn read_answer(&mut self) -> (u16, String) {
        let mut line = String::new();
        self.reader.read_line(&mut line).expect("a status line");
        let status = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        // A server that does not keep the connection (moto's, HTTP/1.0)
        // ends its answer by closing it.
        let mut close = line.starts_with("HTTP/1.0");
        let mut length = None;
        loop {
            line.clear();
            self.reader.read_line(&mut line).expect("a header");
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().ok();
                }
                if name.eq_ignore_ascii_case("connection") {
                    close = value.trim().eq_ignore_ascii_case("close");
                }
            }
        }
        let mut body = Vec::new();
        match length {
            Some(n) if !close || n > 0 => {
                body.resize(n, 0);
                self.reader.read_exact(&mut body).expect("a body");
            }
            _ => {
                self.reader.read_to_end(&mut body).expect("a body");
                close = true;
            }
        }
        if close {
            (self.reader, self.writer) = Client::open(&self.host);
        }
        (status, String::from_utf8_lossy(&body).into_owned())
    }
}

/// The text between the first `<tag>` and `</tag>`.
fn between(text: &str, tag: &str) -> String {
    let open = format!("<{tag}>");
    let start = text.find(&open).map(|i| i + open.len()).unwrap_or(0);
    let end = text[start..].find("</").map_or(text.len(), |i| start + i);
    text[start..end].to_string()
}

fn workload(host: &str, account: String, prefix: &str, images: usize) -> Client {
    let mut client = Client::connect(host, account);
    let mut ids = Vec::new();
    for i in 0..images {
        let answer = client.call(
            "RegisterImage",
            "us-east-1",
            &format!("&Name={prefix}-{i}&RootDeviceName=%2Fdev%2Fxvda&BlockDeviceMapping.1.DeviceName=%2Fdev%2Fxvda&BlockDeviceMapping.1.Ebs.VolumeSize=8"),
        );
        ids.push(between(&answer, "imageId"));
    }
    for id in &ids {
        client.call("DescribeImages", "us-east-1", &format!("&ImageId.1={id}"));
    }
    for id in &ids[..images / 2] {
        client.call(
            "ModifyImageAttribute",
            "us-east-1",
            &format!("&ImageId={id}&LaunchPermission.Add.1.UserId=222222222222"),
        );
    }
    for (n, id) in ids[..images / 4].iter().enumerate() {
        client.call(
            "CopyImage",
            "us-west-2",
            &format!("&SourceImageId={id}&SourceRegion=us-east-1&Name={prefix}-copy-{n}"),
        );
    }
    client
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let [url, clients, images, tag] = &args[..] else {
        eprintln!("usage: load URL CLIENTS IMAGES TAG");
        std::process::exit(2);
    };
    let hosts: Vec<String> = url
        .split(',')
        .map(|u| {
            u.trim_start_matches("http://")
                .trim_end_matches('/')
                .to_string()
        })
        .collect();
    let clients: usize = clients.parse().expect("CLIENTS is a number");
    let images: usize = images.parse().expect("IMAGES is a number");
    let per_client = (images / clients).max(1);
    let started = Instant::now();
    let done: Vec<Client> = std::thread::scope(|scope| {
        let running: Vec<_> = (0..clients)
            .map(|n| {
                let host = hosts[n % hosts.len()].clone();
                let account = format!("4{tag:0>1.1}{clients:04}{n:06}");
                let prefix = format!("load-{tag}-{clients}-{n}");
                scope.spawn(move || workload(&host, account, &prefix, per_client))
            })
            .collect();
        running
            .into_iter()
            .map(|t| t.join().expect("a client"))
            .collect()
    });
    let seconds = started.elapsed().as_secs_f64();
    let mut times: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for client in done {
        for (action, t) in client.times {
            times.entry(action).or_default().extend(t);
        }
    }
    let calls: usize = times.values().map(Vec::len).sum();
    let out = serde_json::json!({
        "calls": calls,
        "seconds": seconds,
        "rate": calls as f64 / seconds,
        "times": times,
    });
    println!("{out}");
}
