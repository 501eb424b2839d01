//! `amisim console`: the real binary serving a store built through the
//! simulator's API, read over HTTP. (`console.rs` clicks through the pages
//! of stores built by Terraform in a real browser.)

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use amisim_acceptance_tests::amisim_binary;
use amisim_acceptance_tests::console::Console;

use amisim_simulator::AddLaunchPermission;
use amisim_simulator::{
    Caller, Cloud, CopyImage, CreateKey, Principal, RegisterImage, RunInstance, Tags,
};

const A: &str = "111111111111";
const B: &str = "222222222222";
const EAST: &str = "us-east-1";
const WEST: &str = "us-west-2";

/// A name no page may run as markup.
const HOSTILE: &str = "<script>window.pwned=1</script><img src=x onerror=alert(1)>&\"'";

struct World {
    _dir: tempfile::TempDir,
    store: PathBuf,
    golden: String,
    copy: String,
    hostile: String,
    instance: String,
    key: String,
}

/// A golden image shared with B and copied by it across regions, an image
/// with a hostile name and tags, a key, an instance, and one refused call.
fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("cloud.db");
    let mut cloud = Cloud::open(&store).unwrap();
    let a = Caller::new(A, EAST);
    let register = |cloud: &mut Cloud, name: &str, description: &str, tags: Tags| {
        cloud.call(
            &a,
            &RegisterImage {
                name: name.into(),
                description: description.into(),
                tags,
                ..Default::default()
            },
        )
    };
    let golden = register(&mut cloud, "golden-web", "", Tags::new())
        .unwrap()
        .id;
    // AMI names cannot hold markup, so the hostile strings go where AWS allows
    // any text (description, tags), and into a refused call's request.
    let mut tags = Tags::new();
    tags.insert(HOSTILE.into(), HOSTILE.into());
    let hostile = register(&mut cloud, "hostile 'quoted' (web)", HOSTILE, tags)
        .unwrap()
        .id;
    register(&mut cloud, HOSTILE, "", Tags::new()).expect_err("not an AMI name");
    cloud
        .call(
            &a,
            &AddLaunchPermission::new(&golden, &Principal::Account(B.into())),
        )
        .unwrap();
    let copy = cloud
        .call(
            &Caller::new(A, WEST),
            &CopyImage {
                source_image_id: golden.clone(),
                source_region: EAST.into(),
                name: "golden-web-dr".into(),
                ..Default::default()
            },
        )
        .unwrap()
        .id;
    let key = cloud
        .call(
            &a,
            &CreateKey {
                description: "images".into(),
                ..Default::default()
            },
        )
        .unwrap()
        .id;
    let instance = cloud
        .call(
            &Caller::new(B, EAST),
            &RunInstance {
                image_id: golden.clone(),
                instance_type: "t3.micro".into(),
                ..Default::default()
            },
        )
        .unwrap()
        .id;
    // A refused call: B cannot copy an image that was never shared in us-west-2.
    cloud
        .call(
            &Caller::new(B, WEST),
            &CopyImage {
                source_image_id: copy.clone(),
                source_region: WEST.into(),
                name: "not-mine".into(),
                ..Default::default()
            },
        )
        .expect_err("not shared");
    World {
        _dir: dir,
        store,
        golden,
        copy,
        hostile,
        instance,
        key,
    }
}

/// Registers one image named `name` in account A, on the store file `store`.
fn register_one(store: &Path, name: &str) {
    Cloud::open(store)
        .unwrap()
        .call(
            &Caller::new(A, EAST),
            &RegisterImage {
                name: name.into(),
                ..Default::default()
            },
        )
        .unwrap();
}

#[test]
fn every_page_is_served_with_links_between_ids() {
    let w = world();
    let c = Console::start(&w.store);
    let overview = c.page("/");
    assert!(overview.contains("<table id=\"scopes\">"), "{overview}");
    assert!(overview.contains(&format!("href=\"/images?account={A}&#38;region={EAST}\"")));
    assert!(overview.contains("2 of them refused"), "{overview}");
    let images = c.page("/images");
    for id in [&w.golden, &w.copy, &w.hostile] {
        assert!(
            images.contains(&format!("<a href=\"/images/{id}\">{id}</a>")),
            "{id}"
        );
    }
    assert!(images.contains(&format!("Shared with {B}")), "{images}");
    let image = c.page(&format!("/images/{}", w.golden));
    assert!(image.contains("<svg class=\"lineage\""), "{image}");
    assert!(
        image.contains(&format!("data-image-id=\"{}\"", w.copy)),
        "lineage holds the copy"
    );
    assert!(image.contains(&format!("<a href=\"/instances/{}\">", w.instance)));
    assert!(image.contains("AddLaunchPermission"), "the image's events");
    assert!(c
        .page(&format!("/instances/{}", w.instance))
        .contains(&format!("/images/{}", w.golden)));
    assert!(c.page("/instances").contains(&w.instance));
    let storage = c.page("/storage");
    let snap = storage
        .split("href=\"/storage/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a snapshot link")
        .to_string();
    assert!(c.page(&format!("/storage/{snap}")).contains("EBS snapshot"));
    assert!(c.page("/keys").contains(&w.key));
    assert!(c.page(&format!("/keys/{}", w.key)).contains("CreateKey"));
    let bill = c.page("/bill");
    assert!(bill.contains("<svg class=\"chart\""), "{bill}");
    assert!(
        bill.contains(&format!("Account <a href=\"/images?account={A}\">{A}</a>")),
        "{bill}"
    );
}

#[test]
fn the_event_log_filters_and_marks_refusals_with_their_code() {
    let w = world();
    let c = Console::start(&w.store);
    let refused = c.page("/events?outcome=error");
    assert!(refused.contains("<tr class=\"refused\">"), "{refused}");
    assert!(
        refused.contains("<strong class=\"code\">InvalidAMIID."),
        "{refused}"
    );
    assert!(refused.contains("2 of "), "{refused}");
    assert!(
        refused.contains("<strong class=\"code\">InvalidAMIName.Malformed"),
        "{refused}"
    );
    let copies = c.page(&format!(
        "/events?account={A}&action=CopyImage&region={WEST}"
    ));
    assert!(copies.contains("1 of "), "{copies}");
    assert!(!copies.contains("class=\"refused\""), "{copies}");
    let all = c.page("/events");
    assert!(
        all.contains("<option>CopyImage</option>"),
        "the action choices"
    );
    assert!(
        all.contains(&format!("<a href=\"/keys/{}\">", w.key)),
        "a key ID links to its key"
    );
}

#[test]
fn user_written_strings_are_escaped_everywhere() {
    let w = world();
    let c = Console::start(&w.store);
    for path in [format!("/images/{}", w.hostile), "/events".into()] {
        let page = c.page(&path);
        assert!(
            !page.contains("<script>window"),
            "{path} runs the name: {page}"
        );
        assert!(!page.contains("<img src=x"), "{path}");
        assert!(
            page.contains("&#60;script&#62;window.pwned=1&#60;/script&#62;"),
            "{path}: {page}"
        );
    }
    assert!(c.page("/images").contains("hostile &#39;quoted&#39; (web)"));
    // Hostile text in the URL is escaped too.
    let (status, page) = c.get("/images/%3Cscript%3Ealert(1)%3C%2Fscript%3E");
    assert_eq!(status, 404);
    assert!(!page.contains("<script>alert"), "{page}");
    let (_, page) = c.get("/events?action=%22%3E%3Cscript%3Ealert(1)%3C/script%3E");
    assert!(!page.contains("<script>alert"), "{page}");
    // A scope carried into a link is encoded: it cannot add to the query.
    let page = c.page("/images?region=x%26all%3D1%22");
    assert!(page.contains("all=1&#38;region=x%26all%3D1%22\""), "{page}");
}

#[test]
fn the_organizations_page_shows_who_each_admits_and_what_is_shared_with_it() {
    use amisim_simulator::organizations::{CreateOrganization, CreateOrganizationalUnit};
    const MANAGEMENT: &str = "999999999999";
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("cloud.db");
    let mut cloud = Cloud::open(&store).unwrap();
    let management = Caller::new(MANAGEMENT, EAST);
    let organization = cloud
        .call(
            &management,
            &CreateOrganization {
                member_account_ids: vec![A.into(), B.into()],
            },
        )
        .unwrap();
    let unit = cloud
        .call(
            &management,
            &CreateOrganizationalUnit {
                name: "web".into(),
                member_account_ids: vec![B.into()],
            },
        )
        .unwrap();
    let image = cloud
        .call(
            &Caller::new(A, EAST),
            &RegisterImage {
                name: "web-base".into(),
                ..Default::default()
            },
        )
        .unwrap()
        .id;
    cloud
        .call(
            &Caller::new(A, EAST),
            &AddLaunchPermission::new(&image, &Principal::OrganizationalUnit(unit.arn.clone())),
        )
        .unwrap();
    drop(cloud);

    let c = Console::start(&store);
    let page = c.page("/organizations");
    assert!(
        page.contains("aria-current=\"page\">Organizations</a>"),
        "{page}"
    );
    assert!(
        page.contains(&format!(
            "Managed by <a href=\"/images?account={MANAGEMENT}\">"
        )),
        "{page}"
    );
    let row = |id: &str| {
        page.split(&format!("<tr id=\"{id}\">"))
            .nth(1)
            .and_then(|r| r.split("</tr>").next())
            .unwrap_or_else(|| panic!("no row {id}: {page}"))
            .to_string()
    };
    let whole = row(&organization.id);
    assert!(whole.contains(&organization.arn), "{whole}");
    assert!(
        whole.contains(&format!(">{A}</a>")) && whole.contains(&format!(">{B}</a>")),
        "{whole}"
    );
    let web = row(&unit.id);
    assert!(web.contains(&format!("{} (web)", unit.id)), "{web}");
    assert!(
        !web.contains(&format!(">{A}</a>")),
        "A is not in the OU: {web}"
    );
    assert!(
        web.contains(&format!("<a href=\"/images/{image}\">{image}</a>")),
        "the image shared with the OU: {web}"
    );
    // The image's page links the OU it is shared with to its row.
    assert!(
        c.page(&format!("/images/{image}"))
            .contains(&format!("<a href=\"/organizations#{}\">", unit.id)),
        "the image's page links its OU"
    );
    // An account's organizations are those that admit it.
    assert!(c
        .page(&format!("/organizations?account={B}"))
        .contains(&organization.id));
    let outside = c.page("/organizations?account=333333333333");
    assert!(
        outside.contains("No organization admits account 333333333333")
            && !outside.contains(&organization.id),
        "{outside}"
    );
}

#[test]
fn an_injected_fault_is_marked_with_its_rule_in_the_event_log() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("cloud.db");
    let mut cloud = Cloud::open(&store).unwrap();
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
    let register = RegisterImage {
        name: "throttled".into(),
        ..Default::default()
    };
    cloud
        .call(&Caller::new(A, EAST), &register)
        .expect_err("throttled once");
    cloud.call(&Caller::new(A, EAST), &register).unwrap();
    drop(cloud);
    let c = Console::start(&store);
    let page = c.page("/events?outcome=RequestLimitExceeded");
    assert!(
        page.contains(
            "<strong class=\"code\">RequestLimitExceeded</strong> <span class=\"fault\" title=\"Injected on purpose by this fault rule\">fault-1</span>"
        ),
        "{page}"
    );
}

#[test]
fn the_console_only_reads() {
    let w = world();
    let before = std::fs::read(&w.store).unwrap();
    let beside = || {
        let mut names: Vec<_> = std::fs::read_dir(w.store.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        names
    };
    let files = beside();
    let events = Cloud::open_read_only(&w.store)
        .unwrap()
        .events(0)
        .unwrap()
        .len();
    let c = Console::start(&w.store);
    for path in [
        "/",
        "/images",
        "/events",
        "/bill",
        "/keys",
        "/organizations",
        "/storage",
        "/instances",
    ] {
        c.page(path);
    }
    c.page(&format!("/images/{}", w.golden));
    for verb in ["POST", "PUT", "DELETE"] {
        let r = ureq::request(verb, &format!("{}/images/{}", c.url, w.golden)).call();
        match r {
            Err(ureq::Error::Status(405, _)) => {}
            other => panic!("{verb} answered {other:?}"),
        }
    }
    drop(c);
    assert_eq!(
        std::fs::read(&w.store).unwrap(),
        before,
        "the store changed"
    );
    assert_eq!(beside(), files, "a file appeared beside the store");
    let after = Cloud::open_read_only(&w.store)
        .unwrap()
        .events(0)
        .unwrap()
        .len();
    assert_eq!(after, events, "the console logged calls");
}

#[test]
fn version_changes_when_the_cloud_does() {
    let w = world();
    let c = Console::start(&w.store);
    let (_, v1) = c.get("/version");
    assert_eq!(c.get("/version").1, v1, "stable while nothing happens");
    let page = c.page("/images");
    assert!(page.contains(&format!("data-version=\"{v1}\"")), "{page}");
    register_one(&w.store, "landed");
    let (_, v2) = c.get("/version");
    assert_ne!(v1, v2);
    assert!(c.page("/images").contains("landed"));
}

#[test]
fn a_missing_or_damaged_store_is_a_clear_page_and_the_console_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("cloud.db");
    let c = Console::start(&store);
    let (status, page) = c.get("/");
    assert_eq!(status, 503);
    assert!(page.contains("no store at"), "{page}");
    assert!(page.contains("Run terraform apply first"), "{page}");
    std::fs::write(&store, b"this is not a database, only a file someone wrote").unwrap();
    let (status, page) = c.get("/images");
    assert_eq!(status, 503);
    assert!(page.contains("role=\"alert\""), "{page}");
    std::fs::remove_file(&store).unwrap();
    register_one(&store, "first");
    assert!(
        c.page("/images").contains("first"),
        "served once the store is there"
    );
    assert_eq!(c.get("/no/such/page").0, 404);
}

#[test]
fn a_shared_cloud_is_named_without_its_password() {
    let c = Console::start(Path::new("postgres://ada:s3cret-pw@127.0.0.1:1/classroom"));
    let (status, page) = c.get("/");
    assert_eq!(status, 503);
    assert!(
        page.contains("postgres://ada@127.0.0.1:1/classroom"),
        "{page}"
    );
    assert!(!page.contains("s3cret-pw"), "{page}");
}

#[test]
fn it_serves_loopback_by_default_and_warns_when_told_to_listen_wider() {
    let w = world();
    let out = Command::new(amisim_binary())
        .args(["console", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(help.contains("[default: 127.0.0.1:8080]"), "{help}");
    let mut child = Command::new(amisim_binary())
        .arg("--store")
        .arg(&w.store)
        .args(["console", "--listen", "0.0.0.0:0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let second = lines.next().unwrap().unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        first.starts_with("amisim console at http://0.0.0.0:"),
        "{first}"
    );
    assert!(second.contains("reachable from other machines"), "{second}");
    let bad = Command::new(amisim_binary())
        .args(["console", "--listen", "localhost"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("127.0.0.1:8080"));
}

#[test]
fn a_long_event_log_shows_its_latest_calls_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("cloud.db");
    let mut cloud = Cloud::open(&store).unwrap();
    let a = Caller::new(A, EAST);
    for n in 0..520 {
        cloud
            .call(
                &a,
                &RegisterImage {
                    name: format!("image-{n:03}"),
                    ..Default::default()
                },
            )
            .unwrap();
    }
    drop(cloud);
    let c = Console::start(&store);
    let page = c.page("/events");
    assert!(
        page.contains("520 of 520 calls; the latest 500 are shown"),
        "{page}"
    );
    assert_eq!(page.matches("<tr><td class=\"n\">").count(), 500);
    // The latest are the end of the log: calls 21 to 520.
    assert!(page.contains("<td class=\"n\">520</td>") && page.contains("<td class=\"n\">21</td>"));
    assert!(!page.contains("<td class=\"n\">20</td>"));
    let one = c.page("/events?action=RegisterImage&outcome=ok&account=111111111111");
    assert!(one.contains("520 of 520 calls; the latest 500"), "{one}");
}

/// GET `path` of `c` naming `host` in the request: its status and headers.
fn get_as(c: &Console, host: &str, path: &str) -> (u16, ureq::Response) {
    match ureq::get(&format!("{}{path}", c.url))
        .set("Host", host)
        .call()
    {
        Ok(r) => (r.status(), r),
        Err(ureq::Error::Status(code, r)) => (code, r),
        Err(e) => panic!("GET {path} as {host}: {e}"),
    }
}

#[test]
fn requests_for_another_host_are_refused_so_a_rebound_name_reads_nothing() {
    let w = world();
    let c = Console::start_with(&w.store, &["--host", "console.lab.example"]);
    let port = c.url.rsplit(':').next().unwrap().to_string();
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("LOCALHOST:{port}"),
        format!("console.lab.example:{port}"),
    ] {
        let (status, r) = get_as(&c, &host, "/images");
        assert_eq!(status, 200, "{host}");
        assert!(r.into_string().unwrap().contains(&w.golden), "{host}");
    }
    for host in [
        format!("attacker.example:{port}"),
        format!("console.lab.example.attacker.example:{port}"),
        "localhost".to_string(),
        format!("localhost:{}", port.parse::<u16>().unwrap() ^ 1),
        format!("10.0.0.1:{port}"),
        format!("[::1]:{port}"),
        "".to_string(),
        format!("localhost:{port}:1"),
    ] {
        let (status, r) = get_as(&c, &host, "/images");
        assert_eq!(status, 421, "{host:?}");
        let body = r.into_string().unwrap();
        assert!(!body.contains(&w.golden), "{host:?}: {body}");
        assert!(body.contains("--host"), "{body}");
    }
}

#[test]
fn every_answer_forbids_framing_sniffing_and_foreign_scripts() {
    let w = world();
    let c = Console::start(&w.store);
    let port = c.url.rsplit(':').next().unwrap().to_string();
    for (host, path) in [
        (format!("127.0.0.1:{port}"), "/".to_string()),
        (
            format!("127.0.0.1:{port}"),
            format!("/images/{}", w.hostile),
        ),
        (
            format!("127.0.0.1:{port}"),
            "/static/console.js".to_string(),
        ),
        (format!("127.0.0.1:{port}"), "/no/such/page".to_string()),
        (format!("attacker.example:{port}"), "/".to_string()),
    ] {
        let (_, r) = get_as(&c, &host, &path);
        let csp = r.header("content-security-policy").unwrap_or_default();
        assert!(csp.contains("default-src 'none'"), "{path}: {csp}");
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe"), "{path}: {csp}");
        assert_eq!(r.header("x-frame-options"), Some("DENY"), "{path}");
        assert_eq!(
            r.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(r.header("referrer-policy"), Some("no-referrer"), "{path}");
    }
}

#[test]
fn a_client_that_stalls_is_disconnected_and_others_are_still_served() {
    use std::io::{Read, Write};
    use std::time::{Duration, Instant};
    let w = world();
    let c = Console::start(&w.store);
    let address = c.url.trim_start_matches("http://").to_string();
    // Twenty clients each send half a request and then nothing.
    let mut stalled: Vec<std::net::TcpStream> = (0..20)
        .map(|_| {
            let mut s = std::net::TcpStream::connect(&address).unwrap();
            s.write_all(b"GET / HTTP/1.1\r\nHost: ").unwrap();
            s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
            s
        })
        .collect();
    // They hold nothing the console needs meanwhile.
    assert!(c.page("/images").contains(&w.golden));
    let started = Instant::now();
    for s in &mut stalled {
        let mut rest = Vec::new();
        // The console closes the connection (answering 408 first, or not).
        let _ = s.read_to_end(&mut rest);
        let answer = String::from_utf8_lossy(&rest);
        assert!(
            answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
            "{answer}"
        );
    }
    let waited = started.elapsed();
    assert!(
        waited < Duration::from_secs(25),
        "stalled clients were held {waited:?}"
    );
    assert!(c.page("/images").contains(&w.golden));
}

/// Where the store lies on the machine is nobody's business who reaches the
/// console: pages, and the page saying the store cannot be read, name it by
/// its file name alone.
#[test]
fn pages_name_the_store_by_its_file_name_never_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("cloud.db");
    Cloud::open(&store).unwrap();
    let console = Console::start(&store);
    let folder = dir.path().display().to_string();
    let page = console.page("/");
    assert!(page.contains("<code>cloud.db</code>"), "{page}");
    assert!(!page.contains(&folder), "{page}");
    std::fs::remove_file(&store).unwrap();
    let (status, page) = console.get("/images");
    assert_eq!(status, 503, "{page}");
    assert!(page.contains("cloud.db"), "{page}");
    assert!(!page.contains(&folder), "{page}");
}

#[test]
fn an_image_page_shows_its_instance_types_and_watermarks_when_set() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("cloud.db");
    let a = Caller::new(A, EAST);
    let mut cloud = Cloud::open(&store).unwrap();
    let plain = cloud
        .call(
            &a,
            &RegisterImage {
                name: "plain".into(),
                ..Default::default()
            },
        )
        .unwrap()
        .id;
    let marked = cloud
        .call(
            &a,
            &RegisterImage {
                name: "marked".into(),
                ..Default::default()
            },
        )
        .unwrap()
        .id;
    cloud
        .call(
            &a,
            &amisim_simulator::ReplaceImageInstanceTypes {
                image_id: marked.clone(),
                specification: Some(amisim_simulator::InstanceTypeSpecification {
                    supported: vec!["t3.*".into()],
                    unsupported: Vec::new(),
                }),
            },
        )
        .unwrap();
    cloud
        .call(
            &a,
            &amisim_simulator::AttachWatermark {
                image_id: marked.clone(),
                name: "approved".into(),
            },
        )
        .unwrap();
    drop(cloud);
    let c = Console::start(&store);
    let page = c.page(&format!("/images/{marked}"));
    assert!(page.contains("Supported instance types"), "{page}");
    assert!(page.contains("t3.*"), "{page}");
    assert!(
        page.contains(&format!("{A}:approved (attached to this image)")),
        "{page}"
    );
    let page = c.page(&format!("/images/{plain}"));
    assert!(!page.contains("Watermarks") && !page.contains("instance types"));
}
