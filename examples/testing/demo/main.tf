# The module of examples/testing, applied as a user would: its whole effect on
# the cloud is compared with expected.snapshot by `amisim snapshot --check`.
terraform {
  required_providers {
    amisim = {
      source  = "amisim/amisim"
      version = "~> 0.1"
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

module "golden" {
  source     = "../"
  share_with = ["222222222222"]

  providers = {
    amisim    = amisim
    amisim.dr = amisim.dr
  }
}

output "dr_image_id" {
  value = module.golden.dr_image_id
}
