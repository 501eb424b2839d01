# The quickstart: register an AMI in the simulated cloud and look at it.
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

resource "amisim_image" "golden" {
  name                = "golden-web-v1"
  description         = "Web server image built by the quickstart"
  architecture        = "x86_64"
  root_volume_size_gb = 8

  tags = {
    Team = "platform"
  }
}

output "image_id" {
  description = "The new AMI's ID."
  value       = amisim_image.golden.id
}

output "image_arn" {
  description = "The new AMI's ARN."
  value       = amisim_image.golden.arn
}

output "monthly_storage_cost_usd" {
  description = "What the AMI's snapshot costs per month."
  value       = amisim_image.golden.monthly_storage_cost_usd
}
