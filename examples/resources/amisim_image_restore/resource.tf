resource "amisim_image" "golden" {
  name = "golden-web"
}

resource "amisim_image_store_task" "archive" {
  image_id = amisim_image.golden.id
  bucket   = "golden-archive"
}

# A new image from the archived object, under a name of its own.
resource "amisim_image_restore" "from_archive" {
  bucket     = amisim_image_store_task.archive.bucket
  object_key = amisim_image_store_task.archive.object_key
  name       = "golden-web-restored"
  tags       = { Restored = "from golden-archive" }
}
