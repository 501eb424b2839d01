//! The quickstart example under the real Terraform CLI: plan, apply, converge, import, destroy.

use amisim_acceptance_tests::Workspace;
use amisim_simulator::DescribeImage;

#[test]
fn quickstart_applies_converges_imports_and_destroys() {
    let ws = Workspace::from_example("quickstart");
    insta::assert_snapshot!("quickstart_plan", ws.plan());

    ws.apply_and_converge();
    let outputs = ws.outputs();
    let id = outputs["image_id"]
        .as_str()
        .expect("image_id output")
        .to_string();
    assert!(id.starts_with("ami-") && id.len() == 21, "{id}");
    insta::assert_json_snapshot!("quickstart_outputs", outputs);
    insta::assert_json_snapshot!("quickstart_state", ws.resources());

    ws.import_verify("amisim_image.golden", &id, &[])
        .assert_plan_empty();

    ws.destroy();
    insta::assert_snapshot!("quickstart_events", ws.event_log());
    let mut cloud = ws.cloud();
    let caller = amisim_simulator::Caller::new("111111111111", "us-east-1");
    let image = cloud
        .call(&caller, &DescribeImage::new(&id))
        .expect("describe");
    assert!(
        image.is_none_or(|i| !i.is_available()),
        "the image is deregistered"
    );
}
