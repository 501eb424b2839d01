# Deregistration: what an AMI's end does and does not stop.
#
# Release 1 of the application image runs an instance and has been copied to
# a second region. Deregister the original out of band (with the amisim
# command-line tool, as a clean-up job or the console would) and look: the
# running instance keeps running and the copy stays available, but nobody can
# launch the original again, and its snapshot is kept and billed until it is
# deleted. With `-var try_refused=true` a new instance tries to launch the
# deregistered image and is refused with InvalidAMIID.Unavailable.
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
  region     = "us-west-2"
}

variable "try_refused" {
  description = "Launch a new instance from the deregistered app-v1 image (refused: InvalidAMIID.Unavailable). Deregister it first."
  type        = bool
  default     = false
}

resource "amisim_image" "v1" {
  name        = "app-v1"
  description = "Application server, release 1"

  # Keep the snapshot when the image is deregistered by terraform destroy:
  # kept snapshots go on costing until they are deleted.
  delete_snapshots_on_destroy = false
}

resource "amisim_instance" "web" {
  ami           = amisim_image.v1.id
  instance_type = "t3.micro"

  tags = {
    Name = "web-v1"
  }
}

resource "amisim_image_copy" "v1_dr" {
  provider          = amisim.dr
  source_ami_id     = amisim_image.v1.id
  source_ami_region = "us-east-1"
  name              = "app-v1"
  description       = "Copy of release 1 in the recovery region"
}

# Finds app-v1 once it is deregistered: deregistered images are found only
# with a state filter.
data "amisim_image" "deregistered" {
  count  = var.try_refused ? 1 : 0
  owners = ["self"]

  filter {
    name   = "name"
    values = ["app-v1"]
  }

  filter {
    name   = "state"
    values = ["deregistered"]
  }
}

# Refused: a deregistered image cannot launch new instances.
resource "amisim_instance" "late" {
  count         = var.try_refused ? 1 : 0
  ami           = data.amisim_image.deregistered[0].id
  instance_type = "t3.micro"
}

output "original_image_id" {
  description = "The original image: deregister it with the amisim command-line tool."
  value       = amisim_image.v1.id
}

output "copy_id" {
  description = "The copy in us-west-2, which no longer needs the original once made."
  value       = amisim_image_copy.v1_dr.id
}

output "instance_id" {
  description = "The instance launched from the original."
  value       = amisim_instance.web.id
}
