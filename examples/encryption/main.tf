# Encryption: encrypted AMIs, the keys behind them, and sharing both.
#
# The platform account (111111111111) encrypts a copy of its image with a
# customer managed KMS key, shares the image and grants the key to the
# application account (222222222222), which launches it and re-encrypts its
# own copy with its own key. An image encrypted with the AWS managed key
# (alias/aws/ebs) stays private to its account. The refusals are behind
# variables, one per lesson.
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

provider "amisim" {
  alias      = "app"
  account_id = "222222222222"
  region     = "us-east-1"
}

variable "try_unencrypted_copy" {
  description = "Copy the encrypted image to an unencrypted one (refused: InvalidParameterCombination)."
  type        = bool
  default     = false
}

variable "try_share_managed_key" {
  description = "Share the image encrypted with the AWS managed key (refused: InvalidParameter)."
  type        = bool
  default     = false
}

variable "try_without_grant" {
  description = "Share an image whose key is not granted, and launch it from the other account (refused: AccessDeniedException)."
  type        = bool
  default     = false
}

# A customer managed key: unlike alias/aws/ebs, it can be granted to other accounts.
resource "amisim_kms_key" "images" {
  description = "Encrypts the platform team's shared images"
}

resource "amisim_image" "plain" {
  name        = "platform-base-v3"
  description = "Unencrypted base image"
}

# Unencrypted to encrypted: a copy can add encryption (here in the same region).
resource "amisim_image_copy" "encrypted" {
  source_ami_id     = amisim_image.plain.id
  source_ami_region = "us-east-1"
  name              = "platform-base-v3-encrypted"
  encrypted         = true
  kms_key_id        = amisim_kms_key.images.arn
}

# Sharing an encrypted image takes three grants: launch rights, the key, and
# (for copies) read rights on the snapshot.
resource "amisim_launch_permission" "app" {
  image_id   = amisim_image_copy.encrypted.id
  account_id = "222222222222"
}

resource "amisim_kms_grant" "app" {
  key_id            = amisim_kms_key.images.id
  grantee_principal = "arn:aws:iam::222222222222:root"
  # What launching (Decrypt) and copying (all four) an image encrypted with the key need.
  operations = ["Decrypt", "DescribeKey", "CreateGrant", "ReEncryptFrom"]
}

resource "amisim_storage_permission" "app" {
  storage_id = amisim_image_copy.encrypted.storage_ids[0]
  account_id = "222222222222"
}

# The application account launches the shared encrypted image.
resource "amisim_instance" "app" {
  provider      = amisim.app
  ami           = amisim_image_copy.encrypted.id
  instance_type = "t3.micro"
  depends_on    = [amisim_launch_permission.app, amisim_kms_grant.app]
}

# ... and re-encrypts its own copy with its own key, so that it no longer
# depends on the platform's key or grant.
resource "amisim_kms_key" "app" {
  provider    = amisim.app
  description = "Encrypts the application team's images"
}

resource "amisim_image_copy" "app" {
  provider          = amisim.app
  source_ami_id     = amisim_image_copy.encrypted.id
  source_ami_region = "us-east-1"
  name              = "platform-base-v3-app"
  encrypted         = true
  kms_key_id        = amisim_kms_key.app.arn
  depends_on        = [amisim_launch_permission.app, amisim_kms_grant.app, amisim_storage_permission.app]
}

# Encrypted without a key: the account's AWS managed key alias/aws/ebs, which
# can never be shared, so neither can this image.
resource "amisim_image" "managed" {
  name        = "internal-tools-v1"
  description = "Encrypted with the AWS managed key"
  encrypted   = true
}

# Refused: a copy of an encrypted image is always encrypted.
resource "amisim_image_copy" "decrypted" {
  count             = var.try_unencrypted_copy ? 1 : 0
  source_ami_id     = amisim_image_copy.encrypted.id
  source_ami_region = "us-east-1"
  name              = "platform-base-v3-decrypted"
  encrypted         = false
}

# Refused: images encrypted with the AWS managed key cannot be shared.
resource "amisim_launch_permission" "managed" {
  count      = var.try_share_managed_key ? 1 : 0
  image_id   = amisim_image.managed.id
  account_id = "222222222222"
}

# Refused: shared, but the key is not granted, so the other account cannot read the image.
resource "amisim_kms_key" "private" {
  count       = var.try_without_grant ? 1 : 0
  description = "Never granted to anyone"
}

resource "amisim_image_copy" "private" {
  count             = var.try_without_grant ? 1 : 0
  source_ami_id     = amisim_image.plain.id
  source_ami_region = "us-east-1"
  name              = "platform-base-v3-private-key"
  encrypted         = true
  kms_key_id        = amisim_kms_key.private[0].arn
}

resource "amisim_launch_permission" "private" {
  count      = var.try_without_grant ? 1 : 0
  image_id   = amisim_image_copy.private[0].id
  account_id = "222222222222"
}

resource "amisim_instance" "private" {
  count         = var.try_without_grant ? 1 : 0
  provider      = amisim.app
  ami           = amisim_image_copy.private[0].id
  instance_type = "t3.micro"
  depends_on    = [amisim_launch_permission.private]
}

output "keys" {
  description = "Which key encrypts which image."
  value = {
    (amisim_image_copy.encrypted.name) = amisim_image_copy.encrypted.kms_key_id
    (amisim_image_copy.app.name)       = amisim_image_copy.app.kms_key_id
    (amisim_image.managed.name)        = amisim_image.managed.kms_key_id
  }
}

output "app_instance" {
  description = "The application account's instance of the shared encrypted image."
  value       = { id = amisim_instance.app.id, owner_id = amisim_instance.app.owner_id, ami = amisim_instance.app.ami }
}

output "app_copy_owner" {
  description = "The application account owns its re-encrypted copy."
  value       = amisim_image_copy.app.owner_id
}
