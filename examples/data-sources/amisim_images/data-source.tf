# Every image of this account whose name starts with golden-, newest first.
data "amisim_images" "golden" {
  owners     = ["self"]
  name_regex = "^golden-"
}

output "golden_amis" {
  value = data.amisim_images.golden.ids
}
