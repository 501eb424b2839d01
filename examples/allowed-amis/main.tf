# Which AMIs may this account use? Allowed AMIs.
#
# The account allows only Amazon Linux 2023 and Ubuntu images published by
# Amazon. Its own images are always allowed. The data sources tell, per
# image, whether the setting allows it (`image_allowed`, `allowed_ids`).
# `-var try_refused=true` launches a Marketplace WordPress image and is
# refused with InvalidAMIID.NotAllowed; in `audit-mode` the same launch is
# let through, and only the data sources report it.
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

data "amisim_image" "wordpress" {
  owners      = ["aws-marketplace"]
  most_recent = true
  filter {
    name   = "name"
    values = ["bitnami-wordpress-*"]
  }
  depends_on = [amisim_allowed_images_settings.this]
}

data "amisim_images" "amazon" {
  owners     = ["amazon"]
  depends_on = [amisim_allowed_images_settings.this]
}

resource "amisim_instance" "app" {
  ami           = data.amisim_image.al2023.id
  instance_type = "t3.micro"
  tags          = { Name = "app" }
}

resource "amisim_instance" "blog" {
  count         = var.try_refused ? 1 : 0
  ami           = data.amisim_image.wordpress.id
  instance_type = "t3.micro"
  tags          = { Name = "blog" }
}

output "allowed" {
  description = "Whether Allowed AMIs allows each image, and how many of Amazon's images it allows."
  value = {
    al2023         = data.amisim_image.al2023.image_allowed
    wordpress      = data.amisim_image.wordpress.image_allowed
    amazon_images  = length(data.amisim_images.amazon.ids)
    amazon_allowed = length(data.amisim_images.amazon.allowed_ids)
  }
}
