terraform {
  required_providers {
    amisim = {
      source = "amisim/amisim"
    }
  }
}

# The default caller: account 111111111111 in us-east-1.
provider "amisim" {
  account_id = "111111111111"
  region     = "us-east-1"
}

# The same account in a second region, for disaster-recovery copies.
provider "amisim" {
  alias      = "dr"
  account_id = "111111111111"
  region     = "eu-west-1"
}

# Another account of the same organization, sharing the same store.
provider "amisim" {
  alias                   = "workloads"
  account_id              = "222222222222"
  region                  = "us-east-1"
  organizational_unit_arn = "arn:aws:organizations::999999999999:ou/o-abc123/ou-ab12-cdef3456"
}
