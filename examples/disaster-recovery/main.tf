# Disaster recovery: AMIs are regional, so a second region needs its own copy.
#
# The application image lives in us-east-1. A copy in us-west-2 (a new image
# with its own ID and its own snapshot) lets the standby region launch the
# same software. With `-var try_refused=true`, the standby region also tries
# to launch the us-east-1 image directly, and AWS says it does not exist there.
terraform {
  required_providers {
    amisim = {
      source = "amisim/amisim"
    }
  }
}

# The primary region.
provider "amisim" {
  account_id = "111111111111"
  region     = "us-east-1"
}

# The recovery region: same account, another region.
provider "amisim" {
  alias      = "dr"
  account_id = "111111111111"
  region     = "us-west-2"
}

variable "try_refused" {
  description = "Also launch the us-east-1 image in us-west-2 without a copy (refused: InvalidAMIID.NotFound)."
  type        = bool
  default     = false
}

resource "amisim_image" "app" {
  name                = "app-v1"
  description         = "Application server, release 1"
  root_volume_size_gb = 20

  tags = {
    Release = "1"
  }
}

resource "amisim_instance" "primary" {
  ami           = amisim_image.app.id
  instance_type = "t3.small"

  tags = {
    Name = "app-primary"
  }
}

# The copy: a new image in us-west-2 with its own ID and snapshot. Tags and
# launch permissions are not copied; the data transfer is billed to the owner
# of the source, the copy's storage to the owner of the copy.
resource "amisim_image_copy" "dr" {
  provider          = amisim.dr
  source_ami_id     = amisim_image.app.id
  source_ami_region = "us-east-1"
  name              = "app-v1-dr"
  description       = "Disaster recovery copy of app-v1"

  tags = {
    Release = "1"
    Role    = "disaster-recovery"
  }
}

# The standby instance, launched from the copy in the recovery region.
resource "amisim_instance" "standby" {
  provider      = amisim.dr
  ami           = amisim_image_copy.dr.id
  instance_type = "t3.small"

  tags = {
    Name = "app-standby"
  }
}

# The mistake this scenario teaches: the original's ID means nothing in us-west-2.
resource "amisim_instance" "without_copy" {
  count         = var.try_refused ? 1 : 0
  provider      = amisim.dr
  ami           = amisim_image.app.id
  instance_type = "t3.small"
}

output "primary_image_id" {
  description = "The original image, in us-east-1."
  value       = amisim_image.app.id
}

output "dr_image_id" {
  description = "The copy in us-west-2: a new image with its own ID."
  value       = amisim_image_copy.dr.id
}

output "dr_image" {
  description = "The copy's region, ARN, storage and lineage back to the original."
  value = {
    region              = amisim_image_copy.dr.region
    arn                 = amisim_image_copy.dr.arn
    storage_ids         = amisim_image_copy.dr.storage_ids
    source_image_id     = amisim_image_copy.dr.source_image_id
    source_image_region = amisim_image_copy.dr.source_image_region
  }
}

output "instances" {
  description = "Where each instance runs and which image it was launched from."
  value = {
    primary = "${amisim_instance.primary.id} in ${amisim_instance.primary.region} from ${amisim_instance.primary.ami}"
    standby = "${amisim_instance.standby.id} in ${amisim_instance.standby.region} from ${amisim_instance.standby.ami}"
  }
}
