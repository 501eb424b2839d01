//! `amisim console` in a real browser (headless Chromium over WebDriver), on
//! stores built by real `terraform apply` runs of the tutorial's lessons.
//!
//! Screenshots of every page visited are saved under
//! `target/console-screenshots/` (CI keeps them as artifacts). With
//! `AMISIM_UPDATE_DOCS=1`, each lesson's screenshot is also written to
//! `docs/console/`, where the tutorial shows it (`make docs`).

use std::path::PathBuf;

use amisim_acceptance_tests::browser::Browser;
use amisim_acceptance_tests::console::Console;
use amisim_acceptance_tests::{repo_root, Workspace};

/// One browser at a time: each test drives Chromium, Terraform and the
/// console at once, which is enough for a 2-core machine.
static ONE_BROWSER: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_browser() -> Option<(std::sync::MutexGuard<'static, ()>, Browser)> {
    let guard = ONE_BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    Browser::start().map(|b| (guard, b))
}

fn shots() -> PathBuf {
    repo_root().join("target/console-screenshots")
}

fn texts(b: &Browser, css: &str) -> Vec<String> {
    b.all(css).iter().map(|e| b.text(e)).collect()
}

fn attributes(b: &Browser, css: &str, name: &str) -> Vec<String> {
    b.all(css)
        .iter()
        .filter_map(|e| b.attribute(e, name))
        .collect()
}

#[test]
fn a_lesson_seen_page_by_page_in_a_real_browser() {
    let Some((_one, b)) = one_browser() else {
        return;
    };
    let ws = Workspace::from_example("cross-account-sharing");
    ws.apply();
    ws.apply_with_expect_error(&["-var", "try_refused=true"], "AuthFailure");
    let outputs = ws.outputs();
    let shared = outputs["shared_image_id"].as_str().unwrap().to_string();
    let copy = outputs["app_copy"]["id"].as_str().unwrap().to_string();
    let instance = outputs["app_instance"]["id"].as_str().unwrap().to_string();
    let console = Console::start(ws.store());

    // The overview: both accounts, with their costs.
    b.goto(&format!("{}/", console.url));
    let accounts = texts(&b, "#scopes tbody th");
    assert_eq!(accounts, ["111111111111", "222222222222"]);
    b.screenshot(&shots().join("overview.png"));

    // Images, with the EC2 console's columns; the shared image says so.
    b.click(&b.one("nav a[href='/images']"));
    let ids = attributes(&b, "#images tbody tr", "data-image-id");
    assert!(ids.contains(&shared) && ids.contains(&copy), "{ids:?}");
    let header = texts(&b, "#images thead th");
    for column in [
        "Name",
        "AMI ID",
        "State",
        "Visibility",
        "Protection",
        "Deprecation",
        "Created",
        "Source",
    ] {
        assert!(header.iter().any(|h| h == column), "{column} in {header:?}");
    }
    let row = b.one(&format!("#images tr[data-image-id='{shared}']"));
    let row_text = b.text(&row);
    assert!(row_text.contains("Shared with 222222222222"), "{row_text}");
    b.screenshot(&shots().join("images.png"));

    // One image: its lineage is drawn across accounts, every ID is a link.
    b.click(&b.one(&format!("#images a[href='/images/{shared}']")));
    assert!(b.url().ends_with(&format!("/images/{shared}")));
    let nodes = attributes(&b, "svg.lineage a.node", "data-image-id");
    assert_eq!(nodes, [shared.clone(), copy.clone()]);
    assert_eq!(b.all("svg.lineage a.node.selected").len(), 1);
    assert_eq!(b.all("svg.lineage g.edge").len(), 1);
    let permissions = texts(&b, "#permissions-table tbody tr");
    assert!(
        permissions.iter().any(|p| p.starts_with("launch")),
        "{permissions:?}"
    );
    assert!(
        permissions.iter().any(|p| p.starts_with("storage read")),
        "{permissions:?}"
    );
    assert_eq!(
        b.all(&format!("#instances-table a[href='/instances/{instance}']"))
            .len(),
        1
    );
    b.screenshot(&shots().join("image.png"));

    // Following the copy's node leads to the copy, owned by the other account.
    b.click(&b.one(&format!("svg.lineage a.node[data-image-id='{copy}']")));
    assert!(b.url().ends_with(&format!("/images/{copy}")));
    assert!(b.text(&b.one("dl.facts")).contains("222222222222"));

    // The event log, filtered from the keyboard, shows the refusal with its code.
    b.goto(&format!("{}/events", console.url));
    let outcome = b.one("input[name=outcome]");
    b.type_into(&outcome, "error\u{E007}");
    assert!(b.wait_for(10, |b| b.url().contains("outcome=error")));
    let refused = texts(&b, "tr.refused");
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(refused[0].contains("AuthFailure"), "{refused:?}");
    assert!(refused[0].contains("AddLaunchPermission"), "{refused:?}");
    assert_eq!(b.text(&b.one("tr.refused strong.code")), "AuthFailure");
    b.screenshot(&shots().join("events-refused.png"));

    // The other pages answer and link back.
    for (path, css) in [
        ("/instances", "#instances tbody tr"),
        ("/storage", "#storage tbody tr"),
        ("/bill", "section.bill svg.chart g.bar"),
        ("/organizations", "main p.empty"),
    ] {
        b.goto(&format!("{}{path}", console.url));
        assert!(!b.all(css).is_empty(), "{path}: no {css}");
        b.screenshot(&shots().join(format!("{}.png", path.trim_start_matches('/'))));
    }

    // Keyboard: the skip link is the first stop and leads to the content.
    // (Where the first Tab goes is read from the page's focus order, as a
    // headless window may not hold the keyboard focus when a key is sent.)
    b.goto(&format!("{}/", console.url));
    let first = b.script(
        "return document.querySelector('a[href], button, input, select, [tabindex]:not([tabindex=\"-1\"])').textContent",
    );
    assert_eq!(first, "Skip to the content");
    b.script("document.querySelector('a.skip').focus(); return null");
    b.keys("\u{E007}");
    assert!(
        b.wait_for(5, |b| b.script("return document.activeElement.id")
            == "content")
    );
    // A narrow window: nothing is wider than the page but the tables' own scrollers.
    b.resize(400, 800);
    b.goto(&format!("{}/images/{shared}", console.url));
    let fits = |b: &Browser| {
        b.script(
            "return document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1",
        ) == true
    };
    let wide = "return [...document.querySelectorAll('body *')]\
        .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && !e.closest('.scroll'))\
        .map(e => e.tagName + '.' + e.className).slice(0, 8).join(', ')";
    assert!(
        b.wait_for(5, fits),
        "the page scrolls sideways in a narrow window: {}",
        b.script(wide)
    );
    b.screenshot(&shots().join("image-narrow.png"));
}

#[test]
fn a_page_redraws_itself_while_an_apply_lands() {
    let Some((_one, b)) = one_browser() else {
        return;
    };
    let ws = Workspace::new(r#"resource "amisim_image" "first" { name = "first-image" }"#);
    ws.apply();
    let console = Console::start(ws.store());
    b.goto(&format!("{}/images", console.url));
    assert_eq!(b.all("#images tbody tr").len(), 1);
    b.script("window.drawnOnce = true; return null");
    let late = Workspace::new(
        r#"resource "amisim_image" "late" {
  count = 3
  name  = "landed-${count.index}"
}"#,
    )
    .on_store_of(&ws);
    let mut apply = late.spawn_tf(&["apply", "-auto-approve", "-no-color"]);
    let landed = b.wait_for(60, |b| b.all("#images tbody tr").len() == 4);
    assert!(apply.wait().expect("the apply").success());
    assert!(landed, "the page did not show the new images");
    assert_eq!(
        b.script("return window.drawnOnce === true"),
        true,
        "the page was reloaded rather than redrawn"
    );
    assert!(b.text(&b.one("#live")).contains("changed"));
    b.screenshot(&shots().join("live.png"));
    // One more call, out of band: the open page shows it within a second
    // (it asks twice a second; the bound here leaves room for a busy machine,
    // and the time taken is printed).
    ws.cloud()
        .call(
            &amisim_simulator::Caller::new("123456789012", "us-east-1"),
            &amisim_simulator::RegisterImage {
                name: "out-of-band".into(),
                ..Default::default()
            },
        )
        .expect("a registration");
    let start = std::time::Instant::now();
    assert!(b.wait_for(5, |b| b.all("#images tbody tr").len() == 5));
    eprintln!("the page showed the change after {:?}", start.elapsed());
}

#[test]
fn hostile_text_renders_as_text() {
    let Some((_one, b)) = one_browser() else {
        return;
    };
    let hostile = "<script>window.pwned=1</script><img src=x onerror=\"window.pwned=2\">";
    let ws = Workspace::new(&format!(
        r#"resource "amisim_image" "x" {{
  name        = "plain-name"
  description = {hostile:?}
  tags        = {{ note = {hostile:?} }}
}}"#
    ));
    ws.apply();
    // AMI names cannot hold markup: the provider refuses such a name when it
    // plans, before any call, so it never reaches the cloud.
    let refused = Workspace::new(&format!(
        r#"resource "amisim_image" "y" {{ name = {hostile:?} }}"#
    ))
    .on_store_of(&ws);
    let out = refused.tf(&["apply", "-auto-approve", "-no-color"]);
    assert!(out.says("InvalidAMIName.Malformed"), "{}", out.all());
    let console = Console::start(ws.store());
    let id = ws.resources()["amisim_image.x"]["id"]
        .as_str()
        .expect("the image's ID")
        .to_string();
    for path in [format!("/images/{id}"), "/events".to_string()] {
        b.goto(&format!("{}{path}", console.url));
        assert_eq!(
            b.script("return window.pwned === undefined"),
            true,
            "{path} ran the script"
        );
        assert!(b.all("main img").is_empty(), "{path} drew the image tag");
        let text = b.text(&b.one("main"));
        assert!(
            text.contains("<script>window.pwned=1</script>"),
            "{path}: {text}"
        );
    }
    // On the event log, the description shows inside the RegisterImage request.
    let request = texts(&b, "table.events code.params");
    assert!(
        request
            .iter()
            .any(|r| r.contains("\"description\":\"<script>window.pwned=1</script>")),
        "{request:?}"
    );
    assert!(
        b.all("tr.refused").is_empty(),
        "the refused name made a call"
    );
    b.screenshot(&shots().join("hostile.png"));
}

/// The tutorial shows the console beside each lesson: each lesson applied,
/// its main image's page (or the overview) photographed.
#[test]
fn every_lesson_is_photographed_for_the_tutorial() {
    let Some((_one, b)) = one_browser() else {
        return;
    };
    let update = std::env::var_os("AMISIM_UPDATE_DOCS").is_some();
    for lesson in LESSONS {
        let ws = Workspace::from_example(lesson);
        ws.apply();
        let console = Console::start(ws.store());
        b.goto(&format!("{}/images", console.url));
        let first = b
            .all("#images tbody tr")
            .first()
            .and_then(|r| b.attribute(r, "data-image-id"));
        match first {
            Some(id) => b.goto(&format!("{}/images/{id}", console.url)),
            None => b.goto(&format!("{}/", console.url)),
        }
        assert!(b.all("main h1").len() == 1, "{lesson}");
        let name = format!("{lesson}.png");
        b.screenshot(&shots().join("lessons").join(&name));
        if update {
            b.screenshot(&repo_root().join("docs/console").join(&name));
        } else {
            assert!(
                repo_root().join("docs/console").join(&name).exists(),
                "docs/console/{name} is missing: run make docs"
            );
        }
    }
}

#[test]
fn the_tutorial_shows_the_console_beside_each_lesson() {
    let tutorial = std::fs::read_to_string(repo_root().join("docs/tutorial.md")).unwrap();
    for lesson in LESSONS {
        let image = format!("](console/{lesson}.png)");
        assert!(
            tutorial.contains(&image),
            "the tutorial does not show {image}"
        );
    }
}

/// The tutorial's lessons, in order.
const LESSONS: &[&str] = &[
    "golden-ami",
    "disaster-recovery",
    "cross-account-sharing",
    "encryption",
    "billing-products",
    "deregistration",
    "instance-store",
    "public-ami",
    "cost",
    "protection",
    "retirement",
    "allowed-amis",
    "ami-in-s3",
    "leave-a-share",
    "image-usage",
];
