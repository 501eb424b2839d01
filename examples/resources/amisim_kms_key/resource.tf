# A customer managed key: unlike alias/aws/ebs, it can be shared with other accounts.
resource "amisim_kms_key" "images" {
  description = "Encrypts shared golden images"

  tags = {
    Purpose = "ami"
  }
}
