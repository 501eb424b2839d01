# Public AMIs: `group = "all"` lets every account launch an image.
#
# A new account cannot make an AMI public: image block public access starts
# as `block-new-sharing`, as in AWS today. The publisher account
# (111111111111) turns it off for its region first (amisim_image_block_public_access),
# then makes a community image public; any other account, here 222222222222,
# finds it with a data source and launches it without being named anywhere.
# With `-var newcomer_publishes=true` an account that never turned the
# setting off tries to publish and is refused (OperationNotPermitted).
# Public images must be unencrypted and free of billing products, and an
# account may have at most 5 of them per region. With `-var try_refused=true`
# the publisher tries to make an encrypted image public and is refused.
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

# A new account that never changed its block public access setting.
provider "amisim" {
  alias      = "newcomer"
  account_id = "333333333333"
  region     = "us-east-1"
}

# Any other account: nothing was shared with it by name.
provider "amisim" {
  alias      = "anyone"
  account_id = "222222222222"
  region     = "us-east-1"
}

variable "try_refused" {
  description = "Make an encrypted image public (refused: InvalidParameter)."
  type        = bool
  default     = false
}

variable "newcomer_publishes" {
  description = "Let an account that still blocks public sharing make an image public (refused: OperationNotPermitted)."
  type        = bool
  default     = false
}

variable "extra_public_images" {
  description = "How many more public images to publish; at 5 the account is over its limit of 5 per region (refused: ResourceLimitExceeded)."
  type        = number
  default     = 0
}

# The publisher decides, for its account in this region, that it may publish AMIs.
resource "amisim_image_block_public_access" "publisher" {
  state = "unblocked"
}

resource "amisim_image" "community" {
  name        = "community-tools-v1"
  description = "Open-source tool box, free for everyone to launch"
}

resource "amisim_launch_permission" "public" {
  image_id   = amisim_image.community.id
  group      = "all"
  depends_on = [amisim_image_block_public_access.publisher]
}

# Refused: the newcomer's account still blocks new public sharing.
resource "amisim_image" "newcomer" {
  count    = var.newcomer_publishes ? 1 : 0
  provider = amisim.newcomer
  name     = "my-first-public-ami"
}

resource "amisim_launch_permission" "newcomer_public" {
  count    = var.newcomer_publishes ? 1 : 0
  provider = amisim.newcomer
  image_id = amisim_image.newcomer[0].id
  group    = "all"
}

# Another account looks the image up among the public images of the publisher.
data "amisim_image" "community" {
  provider         = amisim.anyone
  owners           = ["111111111111"]
  executable_users = ["all"]
  name_regex       = "^community-tools-"
  depends_on       = [amisim_launch_permission.public]
}

resource "amisim_instance" "anyone" {
  provider      = amisim.anyone
  ami           = data.amisim_image.community.id
  instance_type = "t3.micro"
}

# Refused: encrypted images cannot be made public (share them with accounts
# instead, and grant them the key).
resource "amisim_kms_key" "secret" {
  count       = var.try_refused ? 1 : 0
  description = "Encrypts the secret tools"
}

resource "amisim_image" "secret" {
  count      = var.try_refused ? 1 : 0
  name       = "secret-tools-v1"
  encrypted  = true
  kms_key_id = amisim_kms_key.secret[0].arn
}

resource "amisim_launch_permission" "secret_public" {
  count      = var.try_refused ? 1 : 0
  image_id   = amisim_image.secret[0].id
  group      = "all"
  depends_on = [amisim_image_block_public_access.publisher]
}

# More public images, to meet the limit of 5 public images per account and region.
resource "amisim_image" "extra" {
  count = var.extra_public_images
  name  = "community-extra-${count.index + 1}"
}

resource "amisim_launch_permission" "extra" {
  count      = var.extra_public_images
  image_id   = amisim_image.extra[count.index].id
  group      = "all"
  depends_on = [amisim_image_block_public_access.publisher]
}

output "public_image" {
  description = "The public image as another account sees it: public, and owned by the publisher."
  value = {
    id       = data.amisim_image.community.id
    owner_id = data.amisim_image.community.owner_id
    public   = data.amisim_image.community.public
  }
}

output "anyone_instance" {
  description = "The other account's instance: it pays for it; the publisher pays only for the snapshot."
  value       = { id = amisim_instance.anyone.id, owner_id = amisim_instance.anyone.owner_id }
}
