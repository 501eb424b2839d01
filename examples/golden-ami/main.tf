# Golden AMI: bake software into an image once, so every instance boots ready.
#
# A builder instance starts from a public Amazon Linux base image and installs
# its software with user data; an image of the builder becomes the golden
# image; instances launched from the golden image need no installs and boot
# faster. Compare the boot times in the outputs. An instance cannot be
# launched without an AMI, and one AMI launches as many instances as you ask
# for.
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

variable "web_servers" {
  description = "How many web servers to launch from the one golden image."
  type        = number
  default     = 2
}

variable "try_no_owners" {
  description = "Look up an image with most_recent but no owners (refused: InvalidParameterCombination)."
  type        = bool
  default     = false
}

locals {
  # The base image families of the public catalogue: each from the account
  # that publishes it, as in AWS (Amazon's alias, or the publisher's account
  # ID), and a name pattern.
  families = {
    "Amazon Linux" = { owner = "amazon", name = "al2023-ami-*-x86_64" }
    "Ubuntu"       = { owner = "099720109477", name = "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*" }
    "Debian"       = { owner = "136693071363", name = "debian-12-amd64-*" }
    "Fedora"       = { owner = "125523088429", name = "Fedora-Cloud-Base-AmazonEC2.x86_64-*" }
    "Red Hat"      = { owner = "309956199498", name = "RHEL-9*-x86_64-*" }
    "Windows"      = { owner = "amazon", name = "Windows_Server-2022-English-Full-Base-*" }
  }

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

# Every base family, each from its publisher alone. Red Hat and Windows
# images carry a licence (a billing product) charged by the hour.
data "amisim_image" "family" {
  for_each    = local.families
  owners      = [each.value.owner]
  most_recent = true

  filter {
    name   = "name"
    values = [each.value.name]
  }
  filter {
    name   = "virtualization-type"
    values = ["hvm"]
  }
}

# Anyone can publish an image named like Ubuntu, with anything inside, so
# most_recent needs owners (Canonical's account here): without them (refused
# with -var try_no_owners=true) it would pick the newest image of anyone.
data "amisim_image" "ubuntu" {
  owners      = var.try_no_owners ? null : ["099720109477"]
  most_recent = true

  filter {
    name   = "name"
    values = [local.families["Ubuntu"].name]
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

# Step 3: web servers from the golden image, with the same user data. The
# packages are already there, so the install step takes a second, not minutes.
# One image, as many instances as count says.
resource "amisim_instance" "web" {
  count         = var.web_servers
  ami           = amisim_image.golden.id
  instance_type = "t3.micro"
  user_data     = local.user_data

  tags = {
    Name = "web-${count.index + 1}"
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
  description = "Boot time of the web servers launched from the golden image."
  value       = amisim_instance.web[0].boot_time_seconds
}

output "web_servers" {
  description = "The instances launched from the one golden image."
  value       = [for w in amisim_instance.web : "${w.id} from ${w.ami}"]
}

output "base_image_families" {
  description = "The newest image of each base family, its publisher's account, and the licence it carries."
  value = {
    for family, image in data.amisim_image.family :
    family => "${image.name} (owner ${image.owner_id}; billing products: ${length(image.billing_products) > 0 ? join(", ", image.billing_products) : "none"})"
  }
}

output "golden_image_monthly_storage_cost_usd" {
  description = "What keeping the golden image's snapshot costs per month."
  value       = amisim_image.golden.monthly_storage_cost_usd
}
