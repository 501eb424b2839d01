# A golden image kept as production keeps it: deregistration protection on,
# and Recycle Bin rules that must outlive it. tests/protected.tftest.hcl
# applies it. See docs/testing.md.
terraform {
  required_providers {
    amisim = {
      source = "amisim/amisim"
    }
  }
}

variable "protected" {
  description = "Whether the golden image is protected from deregistration."
  type        = bool
  default     = true
}

resource "amisim_recycle_bin_rule" "images" {
  resource_type         = "EC2_IMAGE"
  retention_period_days = 7
  resource_tags         = { Role = "golden" }
}

resource "amisim_recycle_bin_rule" "snapshots" {
  resource_type         = "EBS_SNAPSHOT"
  retention_period_days = 7
}

resource "amisim_image" "golden" {
  name                      = "golden-protected"
  deregistration_protection = var.protected ? "enabled" : "disabled"
  tags                      = { Role = "golden" }

  # The rules outlive the image: Terraform destroys the image first, so its
  # deregistration meets the rules and it goes to the Recycle Bin, on every run.
  depends_on = [amisim_recycle_bin_rule.images, amisim_recycle_bin_rule.snapshots]
}

output "image_id" {
  description = "The golden image's ID."
  value       = amisim_image.golden.id
}
