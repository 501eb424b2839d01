# Who uses my image: watermarks, ancestry and usage reports.
#
# The platform account (111111111111) marks its golden image with the
# watermark `approved`, limits it to the t3 family, shares it with the
# application account (222222222222), which runs two instances of it, and
# copies it to eu-west-1 for disaster recovery. The copy carries the
# watermark and the instance types; its ancestry leads back to the golden
# image; and a usage report tells the owner which accounts run the image.
# Launching it on a type it does not allow is refused
# (`-var try_refused=true`: InvalidParameterCombination).
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
  alias      = "dr"
  account_id = "111111111111"
  region     = "eu-west-1"
}

provider "amisim" {
  alias      = "app"
  account_id = "222222222222"
  region     = "us-east-1"
}

variable "try_refused" {
  description = "Also launch the golden image on an m5.large, which it does not allow (refused: InvalidParameterCombination)."
  type        = bool
  default     = false
}

resource "amisim_image" "golden" {
  name                     = "golden-web-v1"
  description              = "Golden web server image"
  watermarks               = ["approved"]
  supported_instance_types = ["t3.*"]
}

resource "amisim_launch_permission" "app" {
  image_id   = amisim_image.golden.id
  account_id = "222222222222"
}

resource "amisim_instance" "app" {
  count         = 2
  provider      = amisim.app
  ami           = amisim_launch_permission.app.image_id
  instance_type = "t3.small"
  tags          = { Name = "app-${count.index + 1}" }
}

resource "amisim_instance" "too_big" {
  count         = var.try_refused ? 1 : 0
  provider      = amisim.app
  ami           = amisim_launch_permission.app.image_id
  instance_type = "m5.large"
}

resource "amisim_image_copy" "dr" {
  provider          = amisim.dr
  source_ami_id     = amisim_image.golden.id
  source_ami_region = "us-east-1"
  name              = "golden-web-v1-dr"
}

data "amisim_image_ancestry" "dr" {
  provider = amisim.dr
  image_id = amisim_image_copy.dr.id
}

# Before retiring the golden image: who runs it?
resource "amisim_image_usage_report" "golden" {
  image_id       = amisim_image.golden.id
  resource_types = ["ec2:Instance"]
  depends_on     = [amisim_instance.app]
}

output "dr_copy_id" {
  description = "The disaster-recovery copy's ID."
  value       = amisim_image_copy.dr.id
}

output "lineage" {
  description = "The copy's ancestry, from the copy back to its origin, and where each image was copied from."
  value = [
    for e in data.amisim_image_ancestry.dr.entries :
    "${e.image_id == amisim_image.golden.id ? "golden" : "dr copy"} (from ${coalesce(e.source_image_region, "nowhere: the origin")})"
  ]
}

output "users" {
  description = "Which accounts run the golden image, and how many instances each."
  value       = { for e in amisim_image_usage_report.golden.entries : e.account_id => e.usage_count }
}
