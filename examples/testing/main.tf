# A module to test: a golden AMI, copied to a disaster-recovery region and
# shared with other accounts. Its tests are in tests/: each test file gives
# the module a simulated cloud of its own (a store named in the test file's
# provider blocks), so that nothing of another configuration's cloud is
# touched. See docs/testing.md.
terraform {
  required_providers {
    amisim = {
      source                = "amisim/amisim"
      version               = "~> 0.1"
      configuration_aliases = [amisim.dr]
    }
  }
}

variable "name" {
  description = "The golden image's name."
  type        = string
  default     = "golden-web-v1"
}

variable "size_gb" {
  description = "The root volume's size in GiB."
  type        = number
  default     = 8
}

variable "share_with" {
  description = "Accounts allowed to launch the disaster-recovery copy."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.share_with : can(regex("^[0-9]{12}$", a))])
    error_message = "Every account in share_with is 12 digits."
  }
}

resource "amisim_image" "golden" {
  name                = var.name
  root_volume_size_gb = var.size_gb

  tags = {
    Pipeline = "golden-ami"
  }
}

resource "amisim_image_copy" "dr" {
  provider          = amisim.dr
  name              = "${var.name}-dr"
  source_ami_id     = amisim_image.golden.id
  source_ami_region = amisim_image.golden.region
}

resource "amisim_launch_permission" "dr" {
  provider   = amisim.dr
  for_each   = toset(var.share_with)
  image_id   = amisim_image_copy.dr.id
  account_id = each.value
}

output "golden_image_id" {
  description = "The golden image."
  value       = amisim_image.golden.id
}

output "dr_image_id" {
  description = "Its copy in the disaster-recovery region."
  value       = amisim_image_copy.dr.id
}

output "monthly_storage_cost_usd" {
  description = "What keeping both images costs per month."
  value       = amisim_image.golden.monthly_storage_cost_usd + amisim_image_copy.dr.monthly_storage_cost_usd
}
