# Where did the disaster-recovery copy come from?
resource "amisim_image" "golden" {
  name = "golden-web"
}

resource "amisim_image_copy" "dr" {
  provider          = amisim.dr
  source_ami_id     = amisim_image.golden.id
  source_ami_region = "us-east-1"
  name              = "golden-web-dr"
}

data "amisim_image_ancestry" "dr" {
  provider = amisim.dr
  image_id = amisim_image_copy.dr.id
}

output "lineage" {
  value = [for e in data.amisim_image_ancestry.dr.entries : "${e.image_id} (${e.owner_id})"]
}
