# Cost: what each account pays per month, line by line.
#
# Two accounts, every kind of charge the price book knows:
# - EBS snapshot storage of EBS-backed images ($0.05 per GB-month);
# - S3 Standard storage of instance-store bundles, tiered per account and
#   region: $0.023 per GB-month for the first 50 TB, $0.022 for the next
#   450 TB, $0.021 beyond (the archive below crosses the first boundary);
# - inter-region data transfer of a copy ($0.02 per GB), charged to the
#   owner of the source; copying itself is free;
# - instance hours, and software fees: Windows licences per vCPU-hour and
#   Marketplace products per hour.
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

# The operations team: a Windows server and a Marketplace VPN appliance.
provider "amisim" {
  alias      = "ops"
  account_id = "222222222222"
  region     = "us-east-1"
}

variable "archive_volumes" {
  description = "How many 16 TiB instance-store archive images the media team keeps; 4 (64 TiB) crosses the 50 TB boundary of the S3 price tiers."
  type        = number
  default     = 4
}

# 4 x 16384 GB = 65536 GB of S3 bundles in one account and region:
# 51200 GB at the first-tier price and 14336 GB at the next tier's.
resource "amisim_image" "archive" {
  count               = var.archive_volumes
  name                = "media-archive-${count.index + 1}"
  description         = "Media archive volume ${count.index + 1}, kept as an instance-store bundle"
  root_device_type    = "instance-store"
  root_volume_size_gb = 16384
}

resource "amisim_image" "web" {
  name                = "media-web-v1"
  root_volume_size_gb = 30
}

# Free to copy, but the 30 GB cross the Atlantic: $0.60 of data transfer for
# the source's owner, and the copy's own snapshot in eu-west-1.
resource "amisim_image_copy" "web_eu" {
  provider      = amisim.eu
  source_ami_id = amisim_image.web.id
  source_region = "us-east-1"
  name          = "media-web-v1"
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

resource "amisim_instance" "vpn" {
  provider      = amisim.ops
  ami           = data.amisim_image.openvpn.id
  instance_type = "t4g.micro"
}

# A stopped instance costs no instance hours.
resource "amisim_instance" "spare" {
  provider       = amisim.ops
  ami            = data.amisim_image.openvpn.id
  instance_type  = "t4g.micro"
  instance_state = "stopped"
}

output "image_storage_usd_per_month" {
  description = "Each image's storage at the flat (first-tier) price; the bill applies the S3 tiers to each account's total per region."
  value = merge(
    { for i in amisim_image.archive : i.name => i.monthly_storage_cost_usd },
    {
      (amisim_image.web.name)                 = amisim_image.web.monthly_storage_cost_usd
      "${amisim_image_copy.web_eu.name} (eu)" = amisim_image_copy.web_eu.monthly_storage_cost_usd
    },
  )
}

output "instance_usd_per_hour" {
  description = "Each instance's hourly price: type, plus Windows licence or Marketplace fee."
  value = {
    web_eu  = amisim_instance.web_eu.hourly_cost_usd
    windows = amisim_instance.windows.hourly_cost_usd
    vpn     = amisim_instance.vpn.hourly_cost_usd
    spare   = amisim_instance.spare.hourly_cost_usd
  }
}
