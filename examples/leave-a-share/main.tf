# Leaving a share you did not ask for: CancelImageLaunchPermission.
#
# The platform account (111111111111) shares its build-tools image with the
# application account (222222222222), which never asked for it. The
# application account can leave the share itself: `amisim leave IMAGE
# ACCOUNT` makes the call as that account. The owner then sees its launch
# permission gone, as drift that its next `terraform apply` puts back: the
# share belongs to the owner's configuration. Only a share made to the
# account itself can be left; a public image, such as Amazon Linux, stays
# public for everyone (InvalidPermission.NotFound).
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

variable "share_with_app" {
  description = "Share the build-tools image with the application account."
  type        = bool
  default     = true
}

resource "amisim_image" "tools" {
  name        = "build-tools-v1"
  description = "Compilers and build tools"
}

resource "amisim_launch_permission" "app" {
  count      = var.share_with_app ? 1 : 0
  image_id   = amisim_image.tools.id
  account_id = "222222222222"
}

# What the application account may launch of the platform account's images.
data "amisim_images" "from_platform" {
  provider         = amisim.app
  owners           = ["111111111111"]
  executable_users = ["self"]
  depends_on       = [amisim_launch_permission.app]
}

# A public image: it reaches every account, and no account can leave it.
data "amisim_image" "al2023" {
  provider    = amisim.app
  most_recent = true
  owners      = ["amazon"]
  name_regex  = "^al2023-ami-2023"
}

output "tools_id" {
  description = "The build-tools image's ID."
  value       = amisim_image.tools.id
}

output "al2023_id" {
  description = "The public Amazon Linux 2023 image's ID."
  value       = data.amisim_image.al2023.id
}

output "app_can_launch" {
  description = "How many of the platform account's images the application account may launch."
  value       = length(data.amisim_images.from_platform.ids)
}
