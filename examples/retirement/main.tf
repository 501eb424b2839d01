# Retire an AMI: deprecate, disable, deregister, restore from the Recycle Bin.
#
# The platform account (111111111111) publishes app-v1 and app-v2 to an
# application account (222222222222). Retiring v1 takes steps, each a
# variable: deprecate it (new lookups of other accounts skip it once the
# date passes; it still launches by ID), disable it (its launch permissions
# go, nobody launches or copies it), deregister it (`keep_v1 = false`). Two
# Recycle Bin rules keep a deregistered image and its deleted snapshots for 7
# days, so `amisim recycle-bin restore` can bring v1 back with its ID.
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

variable "deprecate_v1" {
  description = "Deprecate app-v1 on 2025-01-08."
  type        = bool
  default     = false
}

variable "disable_v1" {
  description = "Disable app-v1: its launch permission goes and nobody can launch it."
  type        = bool
  default     = false
}

variable "keep_v1" {
  description = "Keep app-v1 registered; false deregisters it (into the Recycle Bin)."
  type        = bool
  default     = true
}

resource "amisim_recycle_bin_rule" "images" {
  resource_type         = "EC2_IMAGE"
  retention_period_days = 7
  description           = "Deregistered AMIs can be restored for a week"
}

resource "amisim_recycle_bin_rule" "snapshots" {
  resource_type         = "EBS_SNAPSHOT"
  retention_period_days = 7
  description           = "As long as the images: a restored AMI needs its snapshots"
}

resource "amisim_image" "v1" {
  count            = var.keep_v1 ? 1 : 0
  name             = "app-v1"
  deprecation_time = var.deprecate_v1 ? "2025-01-08T00:00:00Z" : null
  enabled          = !var.disable_v1
  tags             = { Release = "1" }
  depends_on       = [amisim_recycle_bin_rule.images, amisim_recycle_bin_rule.snapshots]
}

resource "amisim_image" "v2" {
  name = "app-v2"
  tags = { Release = "2" }
}

resource "amisim_launch_permission" "v1" {
  count      = var.keep_v1 && !var.disable_v1 ? 1 : 0
  image_id   = amisim_image.v1[0].id
  account_id = "222222222222"
}

resource "amisim_launch_permission" "v2" {
  image_id   = amisim_image.v2.id
  account_id = "222222222222"
}

# What the application account finds when it looks for the platform's images.
data "amisim_images" "offered" {
  provider   = amisim.app
  owners     = ["111111111111"]
  depends_on = [amisim_launch_permission.v1, amisim_launch_permission.v2, amisim_image.v1]
}

output "v1_id" {
  description = "app-v1's ID (null once deregistered)."
  value       = one(amisim_image.v1[*].id)
}

output "v1_state" {
  description = "app-v1's state and deprecation time."
  value = {
    state            = one(amisim_image.v1[*].state)
    deprecation_time = one(amisim_image.v1[*].deprecation_time)
  }
}

output "offered_to_app" {
  description = "How many of the platform's images the application account finds."
  value       = length(data.amisim_images.offered.ids)
}
