# Protect your golden AMI: deregistration protection.
#
# The golden image every server launches from is protected from
# deregistration, with a 24-hour cooldown: a `terraform destroy`, a clean-up
# script or a console click is refused with OperationNotPermitted. Turning
# protection off (`-var protection=disabled`) does not lift it at once: it
# stays in force for 24 simulated hours, so that a mistaken change can still
# be undone. `amisim clock advance 24h` lets the cooldown pass.
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

variable "protection" {
  description = "Deregistration protection of the golden image: enabled-with-cooldown, enabled or disabled."
  type        = string
  default     = "enabled-with-cooldown"
}

resource "amisim_image" "golden" {
  name                      = "golden-web-v1"
  description               = "Golden web server image"
  deregistration_protection = var.protection
  tags                      = { Role = "golden" }
}

resource "amisim_instance" "web" {
  ami           = amisim_image.golden.id
  instance_type = "t3.micro"
  tags          = { Name = "web-1" }
}

output "golden_id" {
  description = "The golden image's ID."
  value       = amisim_image.golden.id
}

output "protection" {
  description = "Its protection, and until when a lifted cooldown protection stays in force."
  value = {
    deregistration_protection      = amisim_image.golden.deregistration_protection
    deregistration_protected_until = amisim_image.golden.deregistration_protected_until
  }
}
