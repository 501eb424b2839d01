resource "amisim_image" "app" {
  name = "app-v1"
}

# Let account 222222222222 read the image's snapshot, so that it can copy the image.
resource "amisim_storage_permission" "workloads" {
  storage_id = amisim_image.app.storage_ids[0]
  account_id = "222222222222"
}
