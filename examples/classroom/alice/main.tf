# Alice's half of the classroom exercise (account 111111111111).
#
# She publishes an encrypted tools image to Bob (222222222222): a launch
# permission, read permission on its snapshot, and a grant on her key. The
# shared cloud and her key pair come from the file the teacher hands out:
# AMISIM_ENDPOINT (the class's amisim serve), AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY; or, holding the store itself, AMISIM_STORE and
# AMISIM_SECRET_KEY.
terraform {
  required_providers {
    amisim = {
      source = "amisim/amisim"
    }
  }
}

provider "amisim" {
  account_id = "111111111111"
  region     = "us-east-1"
}

resource "amisim_kms_key" "shared" {
  description = "Alice's key for images she shares"
}

resource "amisim_image" "tools" {
  name        = "alice-tools-v1"
  description = "Alice's tool box"
  encrypted   = true
  kms_key_id  = amisim_kms_key.shared.arn
}

resource "amisim_launch_permission" "bob" {
  image_id   = amisim_image.tools.id
  account_id = "222222222222"
}

resource "amisim_storage_permission" "bob" {
  storage_id = amisim_image.tools.storage_ids[0]
  account_id = "222222222222"
}

resource "amisim_kms_grant" "bob" {
  key_id            = amisim_kms_key.shared.id
  grantee_principal = "222222222222"
}

output "image_id" {
  description = "The image Alice shared."
  value       = amisim_image.tools.id
}
