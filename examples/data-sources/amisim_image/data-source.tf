# The newest Ubuntu 24.04 image for arm64, published by Canonical (099720109477), as in AWS.
data "amisim_image" "ubuntu" {
  owners      = ["099720109477"] # Canonical
  most_recent = true

  filter {
    name   = "name"
    values = ["ubuntu/images/*ubuntu-noble-24.04-arm64-server-*"]
  }

  filter {
    name   = "architecture"
    values = ["arm64"]
  }

  filter {
    name   = "virtualization-type"
    values = ["hvm"]
  }
}

output "ubuntu_ami" {
  value = data.amisim_image.ubuntu.id
}
