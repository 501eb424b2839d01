resource "amisim_image" "app" {
  name = "app-v1"
  tags = { Team = "platform", CostCenter = "42" }
}

# A disaster-recovery copy in another region, encrypted with the account's AWS managed key.
resource "amisim_image_copy" "dr" {
  provider          = amisim.dr
  source_ami_id     = amisim_image.app.id
  source_ami_region = "us-east-1"
  name              = "app-v1-dr"
  description       = "Disaster-recovery copy of app-v1"
  encrypted         = true

  # Start with the source's tags (they show in tags_all); tags win on a shared key.
  copy_image_tags = true
  tags            = { Purpose = "dr" }
}
