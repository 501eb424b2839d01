# Deregistered golden images can be restored for 30 days, with their snapshots.
resource "amisim_recycle_bin_rule" "golden_images" {
  resource_type         = "EC2_IMAGE"
  retention_period_days = 30
  resource_tags         = { Role = "golden" }
  description           = "Golden images"
}

resource "amisim_recycle_bin_rule" "snapshots" {
  resource_type         = "EBS_SNAPSHOT"
  retention_period_days = 30
  exclude_resource_tags = { Scratch = "true" }
  description           = "Every snapshot but scratch ones"
}
