//! `amisim serve --tls-cert FILE --tls-key FILE`: keys and calls cross the
//! network encrypted. A self-signed certificate, trusted through
//! `AWS_CA_BUNDLE` as the AWS tools trust one: boto3, the AWS CLI, `amisim`
//! and the provider all work through it, and nothing is answered in clear.

use std::process::Command;

use amisim_acceptance_tests::serve::{key_pair, Served};
use amisim_acceptance_tests::{amisim_binary, Workspace};

const ALICE: &str = "111111111111";

/// A self-signed certificate for 127.0.0.1 and localhost, written to
/// `cert.pem` and `key.pem` in `ws`'s folder.
fn certificate(ws: &Workspace) -> (String, String) {
    let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()])
        .expect("a certificate");
    ws.write("cert.pem", &made.cert.pem());
    ws.write("key.pem", &made.key_pair.serialize_pem());
    let path = |name: &str| ws.path().join(name).to_string_lossy().into_owned();
    (path("cert.pem"), path("key.pem"))
}

fn amisim(
    url: &str,
    (key, secret): (&str, &str),
    bundle: Option<&str>,
    args: &[&str],
) -> std::process::Output {
    let mut cmd = Command::new(amisim_binary());
    cmd.args(["--endpoint", url])
        .args(args)
        .env("AWS_ACCESS_KEY_ID", key)
        .env("AWS_SECRET_ACCESS_KEY", secret)
        .env_remove("AMISIM_STORE")
        .env_remove("AWS_CA_BUNDLE");
    if let Some(b) = bundle {
        cmd.env("AWS_CA_BUNDLE", b);
    }
    cmd.output().expect("amisim runs")
}

#[test]
fn through_a_server_over_tls_every_client_works_and_nothing_is_answered_in_clear() {
    let teacher = Workspace::empty();
    let claimed = key_pair(&teacher.amisim(&["accounts", "claim", ALICE])).expect("a key pair");
    let bobs =
        key_pair(&teacher.amisim(&["accounts", "claim", "222222222222"])).expect("a key pair");
    let (cert, key) = certificate(&teacher);
    let served = Served::start_with(
        teacher.store(),
        &teacher.path().join("secret.key"),
        &["--tls-cert", &cert, "--tls-key", &key],
    );
    assert!(
        served.url.starts_with("https://127.0.0.1:"),
        "{}",
        served.url
    );
    let alice = (claimed.0.as_str(), claimed.1.as_str());

    // The classroom exercise through it, each student trusting the
    // certificate: Alice shares with Bob, Bob copies and launches, and both
    // plan empty.
    let ws = Workspace::from_example("classroom/alice")
        .on_store_of(&teacher)
        .through(&served.url, alice)
        .env("AWS_CA_BUNDLE", &cert);
    ws.apply_and_converge();
    let image = ws.outputs()["image_id"].as_str().unwrap().to_string();
    let bob = Workspace::from_example("classroom/bob")
        .on_store_of(&teacher)
        .through(&served.url, (bobs.0.as_str(), bobs.1.as_str()))
        .env("AWS_CA_BUNDLE", &cert);
    bob.apply_and_converge();
    assert_eq!(bob.outputs()["copy"]["source_image_id"], image.as_str());

    // amisim sees it; without the certificate trusted, it is refused, naming why.
    let out = amisim(&served.url, alice, Some(&cert), &["images", "list"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("alice-tools-v1"));
    let out = amisim(&served.url, alice, None, &["images", "list"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("certificate") && err.contains("AWS_CA_BUNDLE"),
        "{err}"
    );

    // `amisim env` hands the certificate out with the rest.
    let env = Command::new(amisim_binary())
        .args([
            "env",
            "--endpoint",
            &served.url,
            "--account",
            ALICE,
            "--ca-bundle",
            &cert,
        ])
        .output()
        .unwrap();
    let env = String::from_utf8_lossy(&env.stdout);
    assert!(
        env.contains(&format!("export AWS_ENDPOINT_URL={}\n", served.url)),
        "{env}"
    );
    assert!(
        env.contains(&format!("export AWS_CA_BUNDLE='{cert}'\n")),
        "{env}"
    );

    // boto3 and the AWS CLI, with AWS_CA_BUNDLE as they read it.
    let script = format!(
        "import boto3\nec2 = boto3.client('ec2')\nprint(ec2.describe_images(ImageIds=['{image}'])['Images'][0]['Name'])\n"
    );
    let out = served
        .python_as(alice.0, alice.1, "us-east-1")
        .env("AWS_CA_BUNDLE", &cert)
        .args(["-c", &script])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "alice-tools-v1",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = served
        .python_as(alice.0, alice.1, "us-east-1")
        .env("AWS_CA_BUNDLE", &cert)
        .args([
            "-m",
            "awscli",
            "ec2",
            "describe-images",
            "--owners",
            "self",
            "--query",
            "Images[].Name",
            "--output",
            "text",
        ])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "alice-tools-v1",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Nothing is answered in clear: plain HTTP to the TLS port gets no HTTP answer.
    let plain = served.url.replace("https://", "http://");
    let out = amisim(&plain, alice, None, &["images", "list"]);
    assert!(!out.status.success());
}

#[test]
fn through_a_server_over_tls_a_bad_certificate_is_a_clear_error_before_serving() {
    let ws = Workspace::empty();
    let (cert, key) = certificate(&ws);
    let serve = |args: &[&str]| {
        Command::new(amisim_binary())
            .arg("--store")
            .arg(ws.store())
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .env("AMISIM_KEY_FILE", ws.path().join("secret.key"))
            .output()
            .expect("amisim runs")
    };
    // A certificate without its key.
    let out = serve(&["--tls-cert", &cert]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("--tls-key"));
    // The key given as the certificate, and a file that is not there.
    let out = serve(&["--tls-cert", &key, "--tls-key", &key]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("holds no certificate"), "{err}");
    let out = serve(&["--tls-cert", &cert, "--tls-key", "missing.pem"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot read the private key missing.pem"),
        "{err}"
    );
}
