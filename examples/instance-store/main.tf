# Instance store versus EBS: where the root device lives decides what you can do.
#
# An EBS-backed image boots from a snapshot: its instances can be stopped
# (and stop costing), started again and imaged, and their root volume
# outlives a stop. On termination AWS deletes the root volume by default; it
# survives only when the instance says so (root_delete_on_termination =
# false), and then goes on costing storage. An instance-store-backed image is
# a bundle in S3 (at most 10 GiB), copied to the host's own disks at boot: it
# boots slower, its instances can only run or be terminated (stopping would
# lose the disks, so it is refused), cannot be imaged with CreateImage, and
# lose their root data when they terminate. The refusals are behind variables.
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

variable "try_stop" {
  description = "Stop the instance-store instance (refused: UnsupportedOperation)."
  type        = bool
  default     = false
}

variable "try_image" {
  description = "Create an image from the instance-store instance (refused: UnsupportedOperation)."
  type        = bool
  default     = false
}

variable "try_modern_type" {
  description = "Launch the instance-store image on an m5d.large, a current type (refused: UnsupportedOperation)."
  type        = bool
  default     = false
}

locals {
  user_data = "#!/bin/bash\nyum install -y httpd\n"
}

resource "amisim_image" "ebs" {
  name                = "web-ebs-v1"
  description         = "EBS-backed: root volume from an EBS snapshot"
  root_device_type    = "ebs"
  root_volume_size_gb = 10
}

resource "amisim_image" "instance_store" {
  name                = "web-instance-store-v1"
  description         = "Instance-store-backed: root volume from a bundle in S3"
  root_device_type    = "instance-store"
  root_volume_size_gb = 10
}

# An instance-store-backed image is copied like an EBS-backed one: its bundle
# is copied into a new bundle in the destination region.
resource "amisim_image_copy" "instance_store_west" {
  provider          = amisim.west
  name              = "web-instance-store-v1"
  source_ami_id     = amisim_image.instance_store.id
  source_ami_region = "us-east-1"
}

# EBS-backed instances can be stopped: a stopped instance costs nothing per
# hour (its snapshot-backed volume still exists).
# Its root volume is kept when the instance terminates: AWS's default
# deletes it.
resource "amisim_instance" "ebs" {
  ami                        = amisim_image.ebs.id
  instance_type              = "t3.micro"
  user_data                  = local.user_data
  instance_state             = "stopped"
  root_delete_on_termination = false

  tags = {
    Name = "web-ebs"
  }
}

# An instance-store root boots only on the older families AWS lists (C1, C3,
# D2, I2, M1, M2, M3, R3, X1); any later type is refused with UnsupportedOperation.
resource "amisim_instance" "instance_store" {
  ami            = amisim_image.instance_store.id
  instance_type  = "m3.medium"
  user_data      = local.user_data
  instance_state = var.try_stop ? "stopped" : "running"

  tags = {
    Name = "web-instance-store"
  }
}

# Refused: an m5d.large has local disks, but no current type boots from an
# instance-store root.
resource "amisim_instance" "modern" {
  count         = var.try_modern_type ? 1 : 0
  ami           = amisim_image.instance_store.id
  instance_type = "m5d.large"
}

# An EBS-backed instance can be imaged: what it installed is kept.
resource "amisim_image" "ebs_baked" {
  name               = "web-ebs-baked-v1"
  source_instance_id = amisim_instance.ebs.id
}

# Refused: CreateImage works only for EBS-backed instances.
resource "amisim_image" "instance_store_baked" {
  count              = var.try_image ? 1 : 0
  name               = "web-instance-store-baked-v1"
  source_instance_id = amisim_instance.instance_store.id
}

output "storage" {
  description = "What backs each image: an EBS snapshot or an S3 bundle, and its monthly cost."
  value = {
    (amisim_image.ebs.name)                                          = { storage_ids = amisim_image.ebs.storage_ids, monthly_usd = amisim_image.ebs.monthly_storage_cost_usd }
    (amisim_image.instance_store.name)                               = { storage_ids = amisim_image.instance_store.storage_ids, monthly_usd = amisim_image.instance_store.monthly_storage_cost_usd }
    "${amisim_image_copy.instance_store_west.name} (us-west-2 copy)" = { storage_ids = amisim_image_copy.instance_store_west.storage_ids, monthly_usd = amisim_image_copy.instance_store_west.monthly_storage_cost_usd }
  }
}

output "instances" {
  description = "Root device, state and boot time of each instance."
  value = {
    ebs            = { root_device_type = amisim_instance.ebs.root_device_type, state = amisim_instance.ebs.instance_state, boot_time_seconds = amisim_instance.ebs.boot_time_seconds }
    instance_store = { root_device_type = amisim_instance.instance_store.root_device_type, state = amisim_instance.instance_store.instance_state, boot_time_seconds = amisim_instance.instance_store.boot_time_seconds }
  }
}

output "instance_store_instance_id" {
  description = "Terminate it with target/debug/amisim terminate ID: its root data is lost."
  value       = amisim_instance.instance_store.id
}

output "ebs_root_volume_id" {
  description = "The EBS instance's root volume: kept after termination, listed by amisim snapshots list, deleted with amisim delete-volume ID."
  value       = amisim_instance.ebs.root_volume_id
}
