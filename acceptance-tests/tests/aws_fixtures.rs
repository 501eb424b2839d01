//! `amisim serve --fixtures`: a suite written for moto's server, launching
//! the image IDs moto seeds, passes against amisim with moto's own
//! `amis.json` (fetched by `scripts/setup`), and a server started again on
//! its store loads nothing twice.

use amisim_acceptance_tests::serve::Served;
use amisim_acceptance_tests::{amisim_binary, repo_root, Workspace};

/// moto's seeded images, as `scripts/setup` fetches them.
fn motos_images() -> std::path::PathBuf {
    let file = repo_root().join(".tools/fixtures/moto-amis.json.gz");
    assert!(
        file.exists(),
        "run scripts/setup: it fetches moto's amis.json.gz into .tools/fixtures"
    );
    file
}

#[test]
fn a_suite_written_for_moto_passes_against_serve_with_motos_own_images() {
    let ws = Workspace::empty();
    let key = ws.path().join("secret.key");
    let fixtures = motos_images();
    let args = ["--fixtures", fixtures.to_str().unwrap()];
    let served = Served::start_with(ws.store(), &key, &args);
    assert!(
        served
            .stderr()
            .contains("Loaded 1496 fixture images of moto-amis.json.gz (44 entries)"),
        "{}",
        served.stderr()
    );
    let out = served.script("123456789012", include_str!("aws/moto_style_suite.py"), &[]);
    let passed = String::from_utf8(out).unwrap();
    assert_eq!(passed.lines().count(), 7, "{passed}");
    drop(served);
    // Started again on its store, it finds them all there and loads nothing.
    let again = Served::start_with(ws.store(), &key, &args);
    let out = again.boto3(
        "123456789012",
        "eu-west-1",
        "import boto3; print(boto3.client('ec2').describe_images(ImageIds=['ami-12c6146b'])['Images'][0]['Name'])",
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "Windows_Server-2008-R2_SP1-English-64Bit-Base-2017.10.13",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!again.stderr().contains("Loaded"), "{}", again.stderr());
}

#[test]
fn a_fixture_file_with_a_fault_stops_the_server_before_it_opens_the_store() {
    let ws = Workspace::empty();
    let bad = ws.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"[{"ami_id": "ami-12345678", "name": "web-1", "owner_id": "333333333333", "region_name": "moon-1"}]"#,
    )
    .unwrap();
    let out = std::process::Command::new(amisim_binary())
        .arg("--store")
        .arg(ws.store())
        .args(["serve", "--listen", "127.0.0.1:0", "--fixtures"])
        .arg(&bad)
        .env("AMISIM_KEY_FILE", ws.path().join("secret.key"))
        .env_remove("AMISIM_STORE")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("entry 1 (ami-12345678), field region_name: \"moon-1\" is not a region"),
        "{stderr}"
    );
    if !ws.store().to_string_lossy().starts_with("postgres") {
        assert!(!ws.store().exists(), "no store was made");
    }
}

/// The provider finds loaded images with its data source and launches and
/// copies them like any other, IDs of moto's form (`ami-ekslinux`) too.
#[test]
fn terraform_finds_launches_and_copies_loaded_images_like_any_other() {
    let ws = Workspace::new(
        r#"
provider "amisim" {
  account_id = "111111111111"
  region     = "eu-west-1"
}
data "amisim_image" "golden" {
  owners      = ["333333333333"]
  most_recent = true
  filter {
    name   = "name"
    values = ["golden-*"]
  }
}
resource "amisim_instance" "web" {
  ami           = data.amisim_image.golden.id
  instance_type = "t3.micro"
}
resource "amisim_instance" "eks" {
  ami           = "ami-ekslinux"
  instance_type = "t3.micro"
}
resource "amisim_image_copy" "mine" {
  source_ami_id     = "ami-ekslinux"
  source_ami_region = "eu-west-1"
  name              = "my-eks-node"
}
"#,
    );
    ws.write(
        "team.json",
        r#"[{"ami_id": "ami-0abc1234def567890", "name": "golden-2024-05", "owner_id": "333333333333",
             "region_name": "eu-west-1", "public": true, "creation_date": "2024-05-01T12:00:00Z"},
            {"ami_id": "ami-ekslinux", "name": "eks-node", "owner_id": "333333333333", "public": true}]"#,
    );
    ws.amisim(&["images", "load", "team.json"]);
    ws.apply_and_converge();
    let r = ws.resources();
    assert_eq!(r["data.amisim_image.golden"]["id"], "ami-0abc1234def567890");
    assert_eq!(r["amisim_instance.web"]["ami"], "ami-0abc1234def567890");
    assert_eq!(r["amisim_instance.eks"]["ami"], "ami-ekslinux");
    assert_eq!(r["amisim_image_copy.mine"]["source_ami_id"], "ami-ekslinux");
    let copy = r["amisim_image_copy.mine"]["id"].as_str().unwrap();
    assert!(copy.starts_with("ami-") && copy.len() == 21, "{copy}");
}
