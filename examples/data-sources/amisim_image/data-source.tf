# The newest Ubuntu 24.04 image for arm64 published by Amazon's catalogue.
data "amisim_image" "ubuntu" {
  owners      = ["amazon"]
  most_recent = true

  filter {
    name   = "name"
    values = ["ubuntu/images/*ubuntu-noble-24.04-arm64-server-*"]
  }

  filter {
    name   = "architecture"
    values = ["arm64"]
  }
}

output "ubuntu_ami" {
  value = data.amisim_image.ubuntu.id
}
