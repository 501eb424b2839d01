# Which AMIs may this account use? Allowed AMIs.
#
# The account allows only Amazon Linux 2023 and Ubuntu images from the
# `amazon` provider: Amazon's own and verified providers' such as Canonical,
# as in AWS. Its own images are always allowed. In `enabled` state the images
# the setting does not allow are not discoverable, as in AWS: the lookups
# below find no Marketplace image. `-var try_refused=true` launches the
# Marketplace WordPress image by an AMI ID copied from elsewhere and is
# refused with InvalidAMIID.NotAllowed; in `audit-mode` the same launch is
# let through, the lookups find every image, and the data sources report,
# per image, whether the setting would allow it (`image_allowed`,
# `allowed_ids`).
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

variable "allowed_state" {
  description = "Allowed AMIs: enabled (refuses) or audit-mode (only reports)."
  type        = string
  default     = "enabled"
}

variable "try_refused" {
  description = "Launch a Marketplace image that no criterion allows."
  type        = bool
  default     = false
}

variable "refused_ami" {
  description = "The AMI ID to try: Bitnami's WordPress in the AWS Marketplace, us-east-1."
  type        = string
  default     = "ami-e9e5c26b4ed360d16"
}

resource "amisim_allowed_images_settings" "this" {
  state = var.allowed_state

  image_criterion {
    image_providers = ["amazon"]
    image_names     = ["al2023-ami-*", "ubuntu/images/*"]
  }
}

data "amisim_image" "al2023" {
  owners      = ["amazon"]
  most_recent = true
  filter {
    name   = "name"
    values = ["al2023-ami-*-x86_64"]
  }
  depends_on = [amisim_allowed_images_settings.this]
}

data "amisim_images" "marketplace" {
  owners     = ["aws-marketplace"]
  depends_on = [amisim_allowed_images_settings.this]
}

data "amisim_images" "amazon" {
  owners     = ["amazon"]
  depends_on = [amisim_allowed_images_settings.this]
}

# Ubuntu is published by Canonical's account, which has no owner alias.
data "amisim_images" "ubuntu" {
  owners = ["099720109477"]
  filter {
    name   = "virtualization-type"
    values = ["hvm"]
  }
  depends_on = [amisim_allowed_images_settings.this]
}

resource "amisim_instance" "app" {
  ami           = data.amisim_image.al2023.id
  instance_type = "t3.micro"
  tags          = { Name = "app" }
}

resource "amisim_instance" "blog" {
  count         = var.try_refused ? 1 : 0
  ami           = var.refused_ami
  instance_type = "t3.micro"
  tags          = { Name = "blog" }
  # Launched after the setting changes, so that audit-mode lets it through.
  depends_on = [amisim_allowed_images_settings.this]
}

output "allowed" {
  description = "What the lookups find, and how much of it Allowed AMIs allows."
  value = {
    al2023              = data.amisim_image.al2023.image_allowed
    amazon_images       = length(data.amisim_images.amazon.ids)
    amazon_allowed      = length(data.amisim_images.amazon.allowed_ids)
    ubuntu_images       = length(data.amisim_images.ubuntu.ids)
    ubuntu_allowed      = length(data.amisim_images.ubuntu.allowed_ids)
    marketplace_images  = length(data.amisim_images.marketplace.ids)
    marketplace_allowed = length(data.amisim_images.marketplace.allowed_ids)
  }
}
