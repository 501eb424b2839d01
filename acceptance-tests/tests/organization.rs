//! `amisim_organization` and `amisim_organizational_unit` under the real
//! Terraform CLI: the management account admits members and places them in
//! an OU, a share with either reaches exactly those accounts, an account
//! that was not admitted cannot declare itself in, and both import.

use amisim_acceptance_tests::Workspace;

const PROVIDERS: &str = r#"
provider "amisim" {
  alias      = "management"
  account_id = "999999999999"
}
provider "amisim" {
  account_id = "111111111111"
}
provider "amisim" {
  alias      = "member"
  account_id = "333333333333"
}
"#;

const CLOUD: &str = r#"
resource "amisim_organization" "company" {
  provider           = amisim.management
  member_account_ids = ["333333333333", "444444444444"]
}
resource "amisim_organizational_unit" "web" {
  provider           = amisim.management
  organization_id    = amisim_organization.company.id
  name               = "web"
  member_account_ids = ["333333333333"]
}
resource "amisim_image" "app" {
  name = "app"
}
resource "amisim_launch_permission" "web" {
  image_id                = amisim_image.app.id
  organizational_unit_arn = amisim_organizational_unit.web.arn
}
resource "amisim_instance" "member" {
  provider      = amisim.member
  ami           = amisim_image.app.id
  instance_type = "t3.micro"
  depends_on    = [amisim_launch_permission.web]
}
"#;

#[test]
fn the_management_account_admits_members_and_an_ou_share_reaches_exactly_them() {
    let ws = Workspace::new(&format!("{PROVIDERS}\n{CLOUD}"));
    ws.apply_and_converge();
    let r = ws.resources();
    let org = &r["amisim_organization.company"];
    let id = org["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("o-"), "{org}");
    assert_eq!(org["master_account_id"], "999999999999");
    assert_eq!(
        org["arn"],
        format!("arn:aws:organizations::999999999999:organization/{id}")
    );
    let unit = &r["amisim_organizational_unit.web"];
    let unit_id = unit["id"].as_str().unwrap().to_string();
    assert_eq!(unit["organization_id"], id.as_str());
    assert_eq!(
        unit["arn"],
        format!("arn:aws:organizations::999999999999:ou/{id}/{unit_id}")
    );
    assert_eq!(
        r["amisim_instance.member"]["ami"],
        r["amisim_image.app"]["id"]
    );
    let listed = ws.amisim(&["organizations", "list"]);
    assert!(
        listed.contains(&id)
            && listed.contains(&format!("{unit_id} (web)"))
            && listed.contains("333333333333 444444444444"),
        "{listed}"
    );
    let snapshot = ws.amisim(&["snapshot", "--events", "none"]);
    assert!(
        snapshot.contains("\n## organizations (1)\n")
            && snapshot.contains("\n## organizational units (1)\n"),
        "{snapshot}"
    );
    ws.import_verify("amisim_organization.company", &id, &[]);
    ws.import_verify("amisim_organizational_unit.web", &unit_id, &[]);

    // Another member of the organization, outside the OU, cannot launch it;
    // an account that declares itself in the organization is refused.
    let outsider = format!(
        r#"
provider "amisim" {{
  alias            = "intruder"
  account_id       = "555555555555"
  organization_arn = "arn:aws:organizations::999999999999:organization/{id}"
}}
resource "amisim_image" "probe" {{
  provider = amisim.intruder
  name     = "probe"
}}
"#
    );
    ws.set_config(&format!("{PROVIDERS}\n{CLOUD}\n{outsider}"));
    ws.plan_refused("is not a member of the organization");
    let other_member = r#"
provider "amisim" {
  alias      = "data"
  account_id = "444444444444"
}
resource "amisim_instance" "data" {
  provider      = amisim.data
  ami           = amisim_image.app.id
  instance_type = "t3.micro"
}
"#;
    ws.set_config(&format!("{PROVIDERS}\n{CLOUD}\n{other_member}"));
    ws.apply_expect_error("InvalidAMIID.NotFound");
    ws.set_config(&format!("{PROVIDERS}\n{CLOUD}"));
    ws.apply_and_converge();
    ws.destroy();
}
