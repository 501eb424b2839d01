# Cross-account sharing: a launch permission lends an image, a copy gives one.
#
# The platform account (111111111111) builds an image and shares it with the
# application account (222222222222). The application account can launch it,
# but does not own it: it cannot share it further, and the image disappears
# for it when the owner deregisters it. To own an image of its own, the
# application account copies the shared one, which also needs read
# permission on the snapshot behind it. Two refusals are behind variables.
#
# With -var share_with_organization=true the platform account also shares an
# image with an organizational unit: the organization's management account
# (999999999999) admits the members and places the application account in
# the OU, and the share reaches exactly the OU's members.
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

# The management account of the company's organization: it alone admits
# accounts to the organization and places them in its OUs.
provider "amisim" {
  alias      = "management"
  account_id = "999999999999"
  region     = "us-east-1"
}

# The data team's account: admitted to the organization, but not to the OU.
provider "amisim" {
  alias      = "data"
  account_id = "333333333333"
  region     = "us-east-1"
}

variable "share_with_organization" {
  description = "The management account makes the organization and an OU, and the platform account shares an image with the OU."
  type        = bool
  default     = false
}

variable "try_outside_the_ou" {
  description = "The data account, a member of the organization outside the OU, launches the OU's image (refused: InvalidAMIID.NotFound)."
  type        = bool
  default     = false
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

# The organization, made and run by its management account. Membership is
# the management account's to give: an account cannot declare itself in.
resource "amisim_organization" "company" {
  count              = var.share_with_organization ? 1 : 0
  provider           = amisim.management
  member_account_ids = ["222222222222", "333333333333"]
}

# An OU holding the application account only.
resource "amisim_organizational_unit" "apps" {
  count              = var.share_with_organization ? 1 : 0
  provider           = amisim.management
  organization_id    = amisim_organization.company[0].id
  name               = "apps"
  member_account_ids = ["222222222222"]
}

# An image shared with the OU, not with any account by name.
resource "amisim_image" "web" {
  count       = var.share_with_organization ? 1 : 0
  name        = "platform-web-v1"
  description = "Web server image for the accounts of the apps OU"
}

resource "amisim_launch_permission" "apps" {
  count                   = var.share_with_organization ? 1 : 0
  image_id                = amisim_image.web[0].id
  organizational_unit_arn = amisim_organizational_unit.apps[0].arn
}

# The OU's member launches it.
resource "amisim_instance" "web" {
  count         = var.share_with_organization ? 1 : 0
  provider      = amisim.app
  ami           = amisim_image.web[0].id
  instance_type = "t3.micro"
  depends_on    = [amisim_launch_permission.apps]
}

# Refused: the data account is in the organization but not in the OU.
resource "amisim_instance" "data" {
  count         = var.share_with_organization && var.try_outside_the_ou ? 1 : 0
  provider      = amisim.data
  ami           = amisim_image.web[0].id
  instance_type = "t3.micro"
  depends_on    = [amisim_launch_permission.apps]
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

output "organization_share" {
  description = "With share_with_organization: the organization, the OU and the instance its member launched from the OU's image."
  value = var.share_with_organization ? {
    organization_arn = amisim_organization.company[0].arn
    ou_arn           = amisim_organizational_unit.apps[0].arn
    image_id         = amisim_image.web[0].id
    instance_owner   = amisim_instance.web[0].owner_id
  } : null
}
