resource "amisim_image" "app" {
  name = "app-v1"
}

# Share with one account.
resource "amisim_launch_permission" "workloads" {
  image_id   = amisim_image.app.id
  account_id = "222222222222"
}

# Share with every account an organizational unit holds (its organization's
# management account places them there with amisim_organizational_unit).
resource "amisim_launch_permission" "ou" {
  image_id                = amisim_image.app.id
  organizational_unit_arn = "arn:aws:organizations::999999999999:ou/o-abc123/ou-ab12-cdef3456"
}
