# Where an AMI's files live: store an image in S3, and restore it.
#
# An EBS-backed AMI's files are its snapshots. A store task writes the whole
# image as one object into a bucket of the account's, where it is an archive
# that outlives the image and costs S3 storage until it is deleted. Restoring
# the object makes a new image, with a new ID, in the account. The bucket is
# simulated: `amisim buckets` lists and deletes its objects; no S3 API is
# served. An instance-store-backed image cannot be stored this way
# (`-var try_refused=true`): its files are already a bundle in S3.
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

variable "try_refused" {
  description = "Also store an instance-store-backed image (refused: UnsupportedOperation)."
  type        = bool
  default     = false
}

resource "amisim_image" "golden" {
  name                = "golden-web-v1"
  description         = "Golden web server image"
  root_volume_size_gb = 20
}

# The image as one object in a bucket: IMAGE-ID.bin.
resource "amisim_image_store_task" "archive" {
  image_id    = amisim_image.golden.id
  bucket      = "golden-archive"
  object_tags = { Keep = "1y" }
}

# A new image from the object, under a name of its own.
resource "amisim_image_restore" "restored" {
  bucket     = amisim_image_store_task.archive.bucket
  object_key = amisim_image_store_task.archive.object_key
  name       = "golden-web-v1-restored"
}

resource "amisim_instance" "web" {
  ami           = amisim_image_restore.restored.id
  instance_type = "t3.micro"
  tags          = { Name = "web-from-archive" }
}

resource "amisim_image" "bundled" {
  count            = var.try_refused ? 1 : 0
  name             = "web-instance-store-v1"
  root_device_type = "instance-store"
}

resource "amisim_image_store_task" "bundled" {
  count    = var.try_refused ? 1 : 0
  image_id = amisim_image.bundled[0].id
  bucket   = "golden-archive"
}

output "golden_id" {
  description = "The golden image's ID."
  value       = amisim_image.golden.id
}

output "archive" {
  description = "The object the golden image was stored as, and what it holds."
  value = {
    object  = "s3://${amisim_image_store_task.archive.bucket}/${amisim_image_store_task.archive.object_key}"
    size_gb = amisim_image_store_task.archive.size_gb
    state   = amisim_image_store_task.archive.task_state
  }
}

output "restored" {
  description = "The image restored from the object: a new ID, the account's, stored from the golden image."
  value = {
    name            = amisim_image_restore.restored.name
    new_id          = amisim_image_restore.restored.id != amisim_image.golden.id
    owner_id        = amisim_image_restore.restored.owner_id
    from_golden     = amisim_image_restore.restored.source_image_id == amisim_image.golden.id
    launched_by_web = amisim_instance.web.ami == amisim_image_restore.restored.id
  }
}
