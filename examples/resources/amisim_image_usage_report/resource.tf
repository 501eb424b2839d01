resource "amisim_image" "golden" {
  name = "golden-web"
}

# Share the image with another account, which may then run it.
resource "amisim_launch_permission" "team" {
  image_id   = amisim_image.golden.id
  account_id = "222222222222"
}

# Before deregistering an image: which other accounts still run it?
resource "amisim_image_usage_report" "before_retirement" {
  image_id       = amisim_image.golden.id
  resource_types = ["ec2:Instance"]
  depends_on     = [amisim_launch_permission.team]
}

output "users" {
  value = amisim_image_usage_report.before_retirement.entries
}
