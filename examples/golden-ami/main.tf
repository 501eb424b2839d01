# Golden AMI: bake software into an image once, so every instance boots ready.
#
# A builder instance starts from a public Amazon Linux base image and installs
# its software with user data; an image of the builder becomes the golden
# image; instances launched from the golden image need no installs and boot
# faster. Compare the boot times in the outputs.
terraform {
  required_providers {
    amisim = {
      source = "amisim/amisim"
    }
  }
}

provider "amisim" {
  account_id = "111111111111"
  region     = "us-east-1"
}

locals {
  # What every web server needs. Each package the image lacks adds 45 s to boot.
  user_data = <<-EOT
    #!/bin/bash
    dnf install -y nginx php-fpm
    systemctl enable --now nginx
  EOT
}

# The newest Amazon Linux 2023 image for x86_64, from the public catalogue.
data "amisim_image" "base" {
  owners      = ["amazon"]
  most_recent = true

  filter {
    name   = "name"
    values = ["al2023-ami-*-x86_64"]
  }
}

# Step 1: a builder instance installs the software at first boot.
resource "amisim_instance" "builder" {
  ami           = data.amisim_image.base.id
  instance_type = "t3.micro"
  user_data     = local.user_data

  tags = {
    Name = "golden-builder"
  }
}

# Step 2: the golden image, created from the builder. It keeps what was installed.
resource "amisim_image" "golden" {
  name               = "golden-web-v1"
  description        = "Amazon Linux 2023 with nginx and php-fpm baked in"
  source_instance_id = amisim_instance.builder.id

  tags = {
    Pipeline = "golden-ami"
  }
}

# Step 3: a web server from the golden image, with the same user data. The
# packages are already there, so the install step takes a second, not minutes.
resource "amisim_instance" "web" {
  ami           = amisim_image.golden.id
  instance_type = "t3.micro"
  user_data     = local.user_data

  tags = {
    Name = "web-1"
  }
}

output "base_image" {
  description = "The public base image the pipeline started from."
  value       = "${data.amisim_image.base.name} (${data.amisim_image.base.id}, owner ${data.amisim_image.base.owner_alias})"
}

output "golden_image_id" {
  description = "The golden image, owned by this account."
  value       = amisim_image.golden.id
}

output "boot_time_from_base_seconds" {
  description = "Boot time of the builder: base image plus user data that installs the software."
  value       = amisim_instance.builder.boot_time_seconds
}

output "boot_time_from_golden_seconds" {
  description = "Boot time of the web server launched from the golden image."
  value       = amisim_instance.web.boot_time_seconds
}

output "golden_image_monthly_storage_cost_usd" {
  description = "What keeping the golden image's snapshot costs per month."
  value       = amisim_image.golden.monthly_storage_cost_usd
}
