//! The classroom exercise of docs/classroom.md: two students, each in a
//! folder of their own with a claimed account, on one shared cloud (the test
//! PostgreSQL server with `AMISIM_TEST_POSTGRES`, else one store file).

use amisim_acceptance_tests::Workspace;

const ALICE: &str = "111111111111";
const BOB: &str = "222222222222";

/// The secret access key `amisim accounts claim` printed.
fn claim(ws: &Workspace, account: &str) -> String {
    let out = ws.amisim(&["accounts", "claim", account]);
    out.lines()
        .find_map(|l| l.strip_prefix("export AWS_SECRET_ACCESS_KEY="))
        .expect("the secret line")
        .to_string()
}

#[test]
fn two_students_share_copy_and_grant_on_one_cloud_with_claimed_accounts() {
    let teacher = Workspace::empty();
    let alice_secret = claim(&teacher, ALICE);
    let bob_secret = claim(&teacher, BOB);
    let listed = teacher.amisim(&["accounts", "list"]);
    assert!(listed.contains(ALICE) && listed.contains(BOB), "{listed}");

    // Without her secret, Alice's folder is refused at its first call.
    let alice = Workspace::from_example("classroom/alice").on_store_of(&teacher);
    let out = alice.apply_expect_error("AuthFailure");
    assert!(
        out.says("account 111111111111 is claimed"),
        "{}",
        out.stderr
    );
    // With Bob's secret she cannot act as herself either.
    let alice = alice.env("AMISIM_SECRET_KEY", &bob_secret);
    alice.apply_expect_error("AuthFailure");

    let alice = Workspace::from_example("classroom/alice")
        .on_store_of(&teacher)
        .env("AMISIM_SECRET_KEY", &alice_secret);
    alice.apply_and_converge();
    let image = alice.outputs()["image_id"].as_str().unwrap().to_string();
    assert!(
        !alice
            .tf_ok(&["show", "-no-color"])
            .stdout
            .contains(&alice_secret),
        "the secret never shows"
    );

    let bob = Workspace::from_example("classroom/bob")
        .on_store_of(&teacher)
        .env("AMISIM_SECRET_KEY", &bob_secret);
    bob.apply_and_converge();
    let copy = bob.outputs()["copy"].clone();
    assert_eq!(copy["owner_id"], BOB);
    assert_eq!(copy["source_image_id"], image.as_str());

    // Both folders plan at once, each in its own processes: nothing to change.
    let mut plans: Vec<_> = [&alice, &bob]
        .iter()
        .map(|ws| ws.spawn_tf(&["plan", "-no-color", "-detailed-exitcode"]))
        .collect();
    for child in plans.iter_mut() {
        let status = child.wait().expect("a plan");
        assert_eq!(status.code(), Some(0), "an empty plan");
    }

    // The teacher's view holds both students' work.
    let images = teacher.amisim(&["images", "list"]);
    assert!(
        images.contains("alice-tools-v1") && images.contains("bob-tools-v1"),
        "{images}"
    );
    bob.destroy();
    alice.destroy();
}

#[test]
fn eight_students_apply_at_once_on_one_cloud_and_lose_no_update() {
    eight_students_apply_at_once(false);
}

#[test]
fn through_a_server_eight_students_apply_at_once_and_lose_no_update() {
    eight_students_apply_at_once(true);
}

/// Eight claimed students, each sharing an image with the next, apply at
/// once: holding the store and their secret, or (`through_a_server`) only
/// the endpoint of one `amisim serve` and their key pair.
fn eight_students_apply_at_once(through_a_server: bool) {
    const STUDENTS: usize = 8;
    let account = |n: usize| format!("3000000000{:02}", n % STUDENTS);
    let teacher = Workspace::empty();
    let pairs: Vec<(String, String)> = (0..STUDENTS)
        .map(|n| {
            let printed = teacher.amisim(&["accounts", "claim", &account(n)]);
            amisim_acceptance_tests::serve::key_pair(&printed).expect("the key pair lines")
        })
        .collect();
    let served = through_a_server.then(|| {
        amisim_acceptance_tests::serve::Served::start_keyed(
            teacher.store(),
            &teacher.path().join("secret.key"),
        )
    });
    let folders: Vec<Workspace> = (0..STUDENTS)
        .map(|n| {
            let (key, secret) = &pairs[n];
            let body = format!(
                r#"
provider "amisim" {{
  account_id = "{me}"
  region     = "us-east-1"
}}
resource "amisim_image" "mine" {{
  name = "student-{n}-image"
}}
resource "amisim_launch_permission" "neighbour" {{
  image_id   = amisim_image.mine.id
  account_id = "{neighbour}"
}}
"#,
                me = account(n),
                neighbour = account(n + 1),
            );
            let ws = Workspace::new(&body).on_store_of(&teacher);
            match &served {
                Some(served) => ws.through(&served.url, (key, secret)),
                None => ws.env("AMISIM_SECRET_KEY", secret),
            }
        })
        .collect();
    let mut applies: Vec<_> = folders
        .iter()
        .map(|ws| ws.spawn_tf(&["apply", "-auto-approve", "-no-color"]))
        .collect();
    for (n, child) in applies.iter_mut().enumerate() {
        assert!(
            child.wait().expect("an apply").success(),
            "student {n}'s apply"
        );
    }
    for ws in &folders {
        ws.assert_plan_empty();
    }
    let mut cloud = teacher.cloud();
    let images = cloud
        .store()
        .read(|tx| tx.list::<amisim_simulator::Image>(amisim_simulator::store::Filter::default()))
        .expect("the images");
    let mine: Vec<_> = images
        .iter()
        .filter(|i| i.name.starts_with("student-"))
        .collect();
    assert_eq!(mine.len(), STUDENTS, "every student's image, once");
    let permissions = teacher.amisim(&["permissions", "list", "--json"]);
    for n in 0..STUDENTS {
        assert!(permissions.contains(&account(n + 1)), "{permissions}");
    }
    let events = teacher.events();
    assert_eq!(
        events
            .iter()
            .filter(|e| e.action == "RegisterImage")
            .count(),
        STUDENTS,
        "each image registered once"
    );
    assert_eq!(
        events
            .iter()
            .filter(|e| e.action == "AddLaunchPermission" && e.outcome == "ok")
            .count(),
        STUDENTS
    );
}
