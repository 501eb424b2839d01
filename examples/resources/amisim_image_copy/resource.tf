resource "amisim_image" "app" {
  name = "app-v1"
}

# A disaster-recovery copy in another region, encrypted with the account's AWS managed key.
resource "amisim_image_copy" "dr" {
  provider      = amisim.dr
  source_ami_id = amisim_image.app.id
  source_region = "us-east-1"
  name          = "app-v1-dr"
  description   = "Disaster-recovery copy of app-v1"
  encrypted     = true
}
