# Cost: what each account pays per month, line by line.
#
# Two accounts, every kind of charge the price book knows:
# - EBS snapshot storage of EBS-backed images ($0.05 per GB-month): creating
#   an image costs nothing, its stored bits do, so a large image costs more;
# - S3 Standard storage of instance-store bundles, tiered per account and
#   region: $0.023 per GB-month for the first 50 TB, $0.022 for the next
#   450 TB, $0.021 beyond. An instance-store root device holds at most
#   10 GiB today, so the next tier starts past 5,120 of the largest bundles;
# - inter-region data transfer of a copy ($0.02 per GB), charged to the
#   owner of the source; copying itself is free;
# - instance hours, and software fees: Windows and Red Hat licences per
#   vCPU-hour and Marketplace products per hour.
# Read the bill with `amisim bill` (see README.md).
terraform {
  required_providers {
    amisim = {
      source = "amisim/amisim"
    }
  }
}

# The media team: a large archive and a web image with a copy in Europe.
provider "amisim" {
  account_id = "111111111111"
  region     = "us-east-1"
}

provider "amisim" {
  alias      = "eu"
  account_id = "111111111111"
  region     = "eu-west-1"
}

# The operations team: a Windows server, a Red Hat server and a Marketplace VPN appliance.
provider "amisim" {
  alias      = "ops"
  account_id = "222222222222"
  region     = "us-east-1"
}

variable "legacy_bundles" {
  description = "How many 10 GiB instance-store images the media team still keeps."
  type        = number
  default     = 3
}

# A large EBS-backed image: 2048 GB of snapshot, $102.40 a month. Registering
# it was free; keeping its bits is what costs.
resource "amisim_image" "archive" {
  name                = "media-archive"
  description         = "Media archive, kept as a 2 TiB EBS-backed image"
  root_volume_size_gb = 2048
}

# 3 x 10 GB = 30 GB of S3 bundles in one account and region, at the first tier.
resource "amisim_image" "legacy" {
  count               = var.legacy_bundles
  name                = "media-legacy-${count.index + 1}"
  description         = "Legacy media server ${count.index + 1}, an instance-store-backed image"
  root_device_type    = "instance-store"
  root_volume_size_gb = 10
}

resource "amisim_image" "web" {
  name                = "media-web-v1"
  root_volume_size_gb = 30
}

# Free to copy, but the 30 GB cross the Atlantic: $0.60 of data transfer for
# the source's owner, and the copy's own snapshot in eu-west-1.
resource "amisim_image_copy" "web_eu" {
  provider          = amisim.eu
  source_ami_id     = amisim_image.web.id
  source_ami_region = "us-east-1"
  name              = "media-web-v1"
}

resource "amisim_instance" "web_eu" {
  provider      = amisim.eu
  ami           = amisim_image_copy.web_eu.id
  instance_type = "t3.small"
}

data "amisim_image" "windows" {
  provider    = amisim.ops
  owners      = ["amazon"]
  most_recent = true

  filter {
    name   = "platform"
    values = ["windows"]
  }
}

data "amisim_image" "rhel" {
  provider    = amisim.ops
  owners      = ["309956199498"] # Red Hat
  most_recent = true
  name_regex  = "^RHEL-9"

  filter {
    name   = "architecture"
    values = ["x86_64"]
  }
}

data "amisim_image" "openvpn" {
  provider   = amisim.ops
  owners     = ["aws-marketplace"]
  name_regex = "^openvpn-access-server-"
}

resource "amisim_instance" "windows" {
  provider      = amisim.ops
  ami           = data.amisim_image.windows.id
  instance_type = "t3.large"
}

# Red Hat Enterprise Linux is licensed by the hour, per vCPU, as Windows is.
resource "amisim_instance" "rhel" {
  provider      = amisim.ops
  ami           = data.amisim_image.rhel.id
  instance_type = "t3.medium"
}

resource "amisim_instance" "vpn" {
  provider      = amisim.ops
  ami           = data.amisim_image.openvpn.id
  instance_type = "t4g.micro"

  tags = {
    Name = "vpn"
  }
}

# A stopped instance costs no instance hours.
resource "amisim_instance" "spare" {
  provider       = amisim.ops
  ami            = data.amisim_image.openvpn.id
  instance_type  = "t4g.micro"
  instance_state = "stopped"

  tags = {
    Name = "vpn-spare"
  }
}

output "image_storage_usd_per_month" {
  description = "Each image's storage at the flat (first-tier) price; the bill applies the S3 tiers to each account's total per region."
  value = merge(
    { for i in amisim_image.legacy : i.name => i.monthly_storage_cost_usd },
    {
      (amisim_image.archive.name)             = amisim_image.archive.monthly_storage_cost_usd
      (amisim_image.web.name)                 = amisim_image.web.monthly_storage_cost_usd
      "${amisim_image_copy.web_eu.name} (eu)" = amisim_image_copy.web_eu.monthly_storage_cost_usd
    },
  )
}

output "instance_usd_per_hour" {
  description = "Each instance's hourly price: type, plus Windows or Red Hat licence or Marketplace fee."
  value = {
    web_eu  = amisim_instance.web_eu.hourly_cost_usd
    windows = amisim_instance.windows.hourly_cost_usd
    rhel    = amisim_instance.rhel.hourly_cost_usd
    vpn     = amisim_instance.vpn.hourly_cost_usd
    spare   = amisim_instance.spare.hourly_cost_usd
  }
}
