# When AWS says no: a pipeline that copies its golden image to three
# regions and starts a canary, run while AWS throttles copies and runs
# short of capacity.
#
# Nothing here asks for the faults: they are rules of the cloud, added with
# `amisim faults add` before the apply. The provider retries what
# hashicorp/aws retries (RequestLimitExceeded, InternalError,
# ServiceUnavailable, and InsufficientInstanceCapacity for a launch), and
# warns what it retried; the cloud it leaves is the one an apply without
# the faults leaves.
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
  alias      = "west"
  account_id = "111111111111"
  region     = "us-west-2"
}

provider "amisim" {
  alias      = "europe"
  account_id = "111111111111"
  region     = "eu-west-1"
}

provider "amisim" {
  alias      = "asia"
  account_id = "111111111111"
  region     = "ap-southeast-2"
}

resource "amisim_image" "golden" {
  name        = "golden-web-v7"
  description = "Golden web server image, release 7"
}

resource "amisim_image_copy" "west" {
  provider          = amisim.west
  source_ami_id     = amisim_image.golden.id
  source_ami_region = "us-east-1"
  name              = "golden-web-v7"
}

resource "amisim_image_copy" "europe" {
  provider          = amisim.europe
  source_ami_id     = amisim_image.golden.id
  source_ami_region = "us-east-1"
  name              = "golden-web-v7"
}

resource "amisim_image_copy" "asia" {
  provider          = amisim.asia
  source_ami_id     = amisim_image.golden.id
  source_ami_region = "us-east-1"
  name              = "golden-web-v7"
}

# A canary instance of the golden image.
resource "amisim_instance" "canary" {
  ami           = amisim_image.golden.id
  instance_type = "t3.micro"

  tags = {
    Name = "golden-web-v7-canary"
  }
}

output "copies" {
  description = "The golden image's copies, by region."
  value = {
    (amisim_image_copy.west.region)   = amisim_image_copy.west.id
    (amisim_image_copy.europe.region) = amisim_image_copy.europe.id
    (amisim_image_copy.asia.region)   = amisim_image_copy.asia.id
  }
}

output "canary" {
  description = "The canary instance."
  value       = amisim_instance.canary.id
}
