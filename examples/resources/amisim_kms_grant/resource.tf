resource "amisim_kms_key" "images" {
  description = "Encrypts shared golden images"
}

# Account 222222222222 may use the key, so it can launch and copy images encrypted with it.
resource "amisim_kms_grant" "workloads" {
  key_id            = amisim_kms_key.images.id
  grantee_principal = "arn:aws:iam::222222222222:root"
  # What launching (Decrypt) and copying (all four) an image encrypted with the key need.
  operations = ["Decrypt", "DescribeKey", "CreateGrant", "ReEncryptFrom"]
}
