resource "amisim_image" "golden" {
  name = "golden-web"
}

# Keep the image as one object in a bucket: an archive that outlives it.
resource "amisim_image_store_task" "archive" {
  image_id    = amisim_image.golden.id
  bucket      = "golden-archive"
  object_tags = { Keep = "1y" }
}

output "object" {
  value = "s3://${amisim_image_store_task.archive.bucket}/${amisim_image_store_task.archive.object_key}"
}
