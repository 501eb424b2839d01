# Billing products: Windows licences and AWS Marketplace fees travel with the image.
#
# Images that carry a billing product (the Windows licence bp-6ba54002, or a
# Marketplace product code) charge every instance launched from them, and
# another account cannot copy them: that would strip the product. The way to
# get an image of your own is to launch an instance and create an image from
# it, which keeps the billing product (and its fee). With
# `-var try_refused=true` this account tries to copy the Marketplace image.
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

provider "amisim" {
  alias      = "dr"
  account_id = "111111111111"
  region     = "us-west-2"
}

variable "try_refused" {
  description = "Copy the Marketplace image directly (refused: InvalidRequest, it carries a billing product of another account)."
  type        = bool
  default     = false
}

# Windows Server, owned by Amazon: it carries the Windows licence billing product.
data "amisim_image" "windows" {
  owners      = ["amazon"]
  most_recent = true

  filter {
    name   = "platform"
    values = ["windows"]
  }
}

# WordPress by Bitnami, from the AWS Marketplace: it carries a software fee per hour.
data "amisim_image" "wordpress" {
  owners     = ["aws-marketplace"]
  name_regex = "^bitnami-wordpress-"
}

# The licence is charged per vCPU-hour on top of the instance type's price.
resource "amisim_instance" "windows" {
  ami           = data.amisim_image.windows.id
  instance_type = "t3.medium"

  tags = {
    Name = "windows-build-agent"
  }
}

# The way around the copy refusal, step 1: launch the Marketplace image...
resource "amisim_instance" "wordpress_builder" {
  ami           = data.amisim_image.wordpress.id
  instance_type = "t3.micro"
  user_data     = "#!/bin/bash\napt-get install -y php-redis\n"

  tags = {
    Name = "wordpress-builder"
  }
}

# ... step 2: create an image from the instance. It is this account's own
# image, and it keeps the billing product.
resource "amisim_image" "wordpress" {
  name               = "wordpress-custom-v1"
  description        = "Bitnami WordPress with the Redis extension"
  source_instance_id = amisim_instance.wordpress_builder.id
}

# An image this account owns can be copied, to another region for instance;
# the billing product goes with it.
resource "amisim_image_copy" "wordpress_dr" {
  provider          = amisim.dr
  source_ami_id     = amisim_image.wordpress.id
  source_ami_region = "us-east-1"
  name              = "wordpress-custom-v1"
}

# Instances of the custom image pay the Marketplace fee too.
resource "amisim_instance" "wordpress" {
  ami           = amisim_image.wordpress.id
  instance_type = "t3.micro"

  tags = {
    Name = "wordpress-1"
  }
}

# Refused: Marketplace (and Windows) images cannot be copied by another account.
resource "amisim_image_copy" "wordpress_direct" {
  count             = var.try_refused ? 1 : 0
  source_ami_id     = data.amisim_image.wordpress.id
  source_ami_region = "us-east-1"
  name              = "wordpress-direct-copy"
}

output "billing_products" {
  description = "The billing products of each image: the custom image and its copy keep the Marketplace product."
  value = {
    (data.amisim_image.windows.name)                     = data.amisim_image.windows.billing_products
    (data.amisim_image.wordpress.name)                   = data.amisim_image.wordpress.billing_products
    (amisim_image.wordpress.name)                        = amisim_image.wordpress.billing_products
    "${amisim_image_copy.wordpress_dr.name} (us-west-2)" = amisim_image_copy.wordpress_dr.billing_products
  }
}

output "hourly_cost_usd" {
  description = "What each instance costs per hour: type price plus licence or software fee."
  value = {
    windows           = amisim_instance.windows.hourly_cost_usd
    wordpress_builder = amisim_instance.wordpress_builder.hourly_cost_usd
    wordpress         = amisim_instance.wordpress.hourly_cost_usd
  }
}
