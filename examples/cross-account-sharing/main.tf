# Cross-account sharing: a launch permission lends an image, a copy gives one.
#
# The platform account (111111111111) builds an image and shares it with the
# application account (222222222222). The application account can launch it,
# but does not own it: it cannot share it further, and the image disappears
# for it when the owner deregisters it. To own an image of its own, the
# application account copies the shared one, which also needs read
# permission on the snapshot behind it. Two refusals are behind variables.
terraform {
  required_providers {
    amisim = {
      source = "amisim/amisim"
    }
  }
}

# The platform team's account: it builds and owns the image.
provider "amisim" {
  account_id = "111111111111"
  region     = "us-east-1"
}

# The application team's account, in the same region.
provider "amisim" {
  alias      = "app"
  account_id = "222222222222"
  region     = "us-east-1"
}

variable "try_refused" {
  description = "The application account tries to share the platform image onward (refused: AuthFailure, it is not the owner)."
  type        = bool
  default     = false
}

variable "try_copy_without_storage_permission" {
  description = "The application account copies a second shared image whose snapshot it may not read (refused: InvalidRequest)."
  type        = bool
  default     = false
}

resource "amisim_image" "platform" {
  name        = "platform-base-v3"
  description = "Hardened base image of the platform team"
}

# Launch rights for the application account. Ownership does not move.
resource "amisim_launch_permission" "app" {
  image_id   = amisim_image.platform.id
  account_id = "222222222222"
}

# Read rights on the snapshot behind the image: what a copy by another account needs.
resource "amisim_storage_permission" "app" {
  storage_id = amisim_image.platform.storage_ids[0]
  account_id = "222222222222"
}

# The application account launches the shared image: it pays for the instance,
# the platform account keeps paying for the image's snapshot.
resource "amisim_instance" "app" {
  provider      = amisim.app
  ami           = amisim_image.platform.id
  instance_type = "t3.micro"
  depends_on    = [amisim_launch_permission.app]

  tags = {
    Name = "app-on-shared-image"
  }
}

# The application account copies the shared image: the copy is its own.
resource "amisim_image_copy" "owned" {
  provider          = amisim.app
  source_ami_id     = amisim_image.platform.id
  source_ami_region = "us-east-1"
  name              = "platform-base-v3-app"
  description       = "The application team's own copy of platform-base-v3"
  depends_on        = [amisim_launch_permission.app, amisim_storage_permission.app]
}

# Refused: only the owner of an AMI can share it.
resource "amisim_launch_permission" "reshare" {
  count      = var.try_refused ? 1 : 0
  provider   = amisim.app
  image_id   = amisim_image.platform.id
  account_id = "333333333333"
  depends_on = [amisim_launch_permission.app]
}

# Refused: launch rights alone are not enough to copy another account's image.
resource "amisim_image" "launch_only" {
  count       = var.try_copy_without_storage_permission ? 1 : 0
  name        = "platform-tools-v1"
  description = "Shared for launching only: its snapshot is not readable by others"
}

resource "amisim_launch_permission" "launch_only" {
  count      = var.try_copy_without_storage_permission ? 1 : 0
  image_id   = amisim_image.launch_only[0].id
  account_id = "222222222222"
}

resource "amisim_image_copy" "launch_only" {
  count             = var.try_copy_without_storage_permission ? 1 : 0
  provider          = amisim.app
  source_ami_id     = amisim_image.launch_only[0].id
  source_ami_region = "us-east-1"
  name              = "platform-tools-v1-app"
  depends_on        = [amisim_launch_permission.launch_only]
}

output "shared_image_id" {
  description = "The shared image."
  value       = amisim_image.platform.id
}

output "shared_image_owner" {
  description = "Its owner: still the platform account."
  value       = amisim_image.platform.owner_id
}

output "app_instance" {
  description = "The instance the application account launched from the shared image: it owns and pays for the instance."
  value       = { id = amisim_instance.app.id, owner_id = amisim_instance.app.owner_id, ami = amisim_instance.app.ami }
}

output "app_copy" {
  description = "The application account's copy: a new image it owns, with its own snapshot."
  value = {
    id              = amisim_image_copy.owned.id
    owner_id        = amisim_image_copy.owned.owner_id
    source_image_id = amisim_image_copy.owned.source_image_id
    storage_ids     = amisim_image_copy.owned.storage_ids
  }
}
