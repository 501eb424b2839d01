//! The configurations people copy from AWS's and terraform-provider-aws's
//! documentation, written as those pages write them with only `aws_` turned
//! into `amisim_`: the Ubuntu lookup by Canonical's account, a copy with
//! `source_ami_region`, a KMS grant with `grantee_principal` and
//! `operations`, and Allowed AMIs with `image_providers = ["none"]`. Each
//! applies, converges and does what it does in AWS, under every Terraform
//! version the suite runs.

use amisim_acceptance_tests::Workspace;

const PROVIDERS: &str = r#"
provider "amisim" {
  account_id = "111111111111"
  region     = "us-east-1"
}
provider "amisim" {
  alias      = "west"
  account_id = "111111111111"
  region     = "us-west-2"
}
provider "amisim" {
  alias      = "workloads"
  account_id = "222222222222"
  region     = "us-west-2"
}
provider "amisim" {
  alias      = "locked"
  account_id = "333333333333"
  region     = "us-east-1"
}
"#;

/// terraform-provider-aws's `aws_instance` example, and its older Ubuntu 22.04 form.
const UBUNTU: &str = r#"
data "amisim_image" "ubuntu" {
  most_recent = true

  filter {
    name   = "name"
    values = ["ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*"]
  }

  filter {
    name   = "virtualization-type"
    values = ["hvm"]
  }

  owners = ["099720109477"] # Canonical
}

data "amisim_image" "jammy" {
  most_recent = true

  filter {
    name   = "name"
    values = ["ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*"]
  }

  filter {
    name   = "virtualization-type"
    values = ["hvm"]
  }

  owners = ["099720109477"] # Canonical
}

resource "amisim_instance" "web" {
  ami           = data.amisim_image.ubuntu.id
  instance_type = "t3.micro"

  tags = {
    Name = "HelloWorld"
  }
}
"#;

/// `aws_ami_copy`'s example, copying the Ubuntu image into us-west-2.
const COPY: &str = r#"
resource "amisim_image_copy" "example" {
  provider          = amisim.west
  name              = "terraform-example"
  description       = "A copy of ${data.amisim_image.ubuntu.id}"
  source_ami_id     = data.amisim_image.ubuntu.id
  source_ami_region = "us-east-1"

  tags = {
    Name = "HelloWorld"
  }
}
"#;

/// `aws_kms_key` and `aws_kms_grant` as their examples write them, granting
/// what copying a shared encrypted image needs, and the other account's copy.
const GRANT: &str = r#"
resource "amisim_kms_key" "a" {}

resource "amisim_kms_grant" "a" {
  key_id            = amisim_kms_key.a.key_id
  grantee_principal = "arn:aws:iam::222222222222:root"
  operations        = ["Decrypt", "ReEncryptFrom", "CreateGrant", "DescribeKey"]
}

resource "amisim_image_copy" "encrypted" {
  name              = "golden-encrypted"
  source_ami_id     = data.amisim_image.ubuntu.id
  source_ami_region = "us-east-1"
  encrypted         = true
  kms_key_id        = amisim_kms_key.a.arn
}

resource "amisim_launch_permission" "workloads" {
  image_id   = amisim_image_copy.encrypted.id
  account_id = "222222222222"
}

resource "amisim_storage_permission" "workloads" {
  storage_id = amisim_image_copy.encrypted.storage_ids[0]
  account_id = "222222222222"
}

resource "amisim_kms_key" "workloads" {
  provider = amisim.workloads
}

resource "amisim_image_copy" "workloads" {
  provider          = amisim.workloads
  name              = "golden-workloads"
  source_ami_id     = amisim_image_copy.encrypted.id
  source_ami_region = "us-east-1"
  encrypted         = true
  kms_key_id        = amisim_kms_key.workloads.arn
  depends_on        = [amisim_kms_grant.a, amisim_launch_permission.workloads, amisim_storage_permission.workloads]
}
"#;

/// `aws_ec2_allowed_images_settings` allowing only the account's own images.
const ALLOWED: &str = r#"
resource "amisim_allowed_images_settings" "example" {
  provider = amisim.locked
  state    = "enabled"

  image_criterion {
    image_providers = ["none"]
  }
}

data "amisim_images" "locked_ubuntu" {
  provider = amisim.locked
  owners   = ["099720109477"]

  filter {
    name   = "virtualization-type"
    values = ["hvm"]
  }

  depends_on = [amisim_allowed_images_settings.example]
}

output "locked_ubuntu" {
  value = data.amisim_images.locked_ubuntu.ids
}
"#;

#[test]
fn what_aws_and_terraform_provider_aws_document_applies_as_written() {
    let ws = Workspace::new(&format!("{PROVIDERS}{UBUNTU}{COPY}{GRANT}{ALLOWED}"));
    let out = ws.apply_and_converge().all();
    assert!(
        !out.contains("Warning"),
        "no deprecation, nothing else: {out}"
    );
    let r = ws.resources();

    let ubuntu = &r["data.amisim_image.ubuntu"];
    assert_eq!(
        ubuntu["name"],
        "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20250115"
    );
    assert_eq!(ubuntu["owner_id"], "099720109477");
    assert_eq!(
        r["data.amisim_image.jammy"]["name"],
        "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20250112"
    );
    assert_eq!(r["amisim_instance.web"]["ami"], ubuntu["id"]);

    let copy = &r["amisim_image_copy.example"];
    assert_eq!(copy["region"], "us-west-2");
    assert_eq!(copy["owner_id"], "111111111111");
    assert_eq!(copy["source_image_id"], ubuntu["id"]);
    assert_eq!(copy["source_ami_region"], "us-east-1");
    assert_eq!(copy["source_region"], "us-east-1");

    let grant = &r["amisim_kms_grant.a"];
    assert_eq!(grant["grantee_account_id"], "222222222222");
    assert_eq!(grant["key_id"], r["amisim_kms_key.a"]["id"]);
    let theirs = &r["amisim_image_copy.workloads"];
    assert_eq!(theirs["owner_id"], "222222222222");
    assert_eq!(theirs["encrypted"], true);

    // With only its own images allowed, the locked account finds no Ubuntu.
    assert_eq!(ws.outputs()["locked_ubuntu"], serde_json::json!([]));

    ws.destroy();
}
