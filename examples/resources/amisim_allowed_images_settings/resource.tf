# Launch and copy only Amazon Linux and Ubuntu images from Amazon, and images
# of the platform account younger than 90 days.
resource "amisim_allowed_images_settings" "this" {
  state = "enabled"

  image_criterion {
    image_providers = ["amazon"]
    image_names     = ["al2023-ami-*", "ubuntu/images/*"]
  }

  image_criterion {
    image_providers = ["999999999999"]
    creation_date_condition {
      maximum_days_since_created = 90
    }
  }
}
