# A new account blocks public sharing of AMIs; this one may publish in us-east-1.
resource "amisim_image_block_public_access" "this" {
  state = "unblocked"
}

resource "amisim_image" "community" {
  name = "community-tools"
}

resource "amisim_launch_permission" "public" {
  image_id   = amisim_image.community.id
  group      = "all"
  depends_on = [amisim_image_block_public_access.this]
}
