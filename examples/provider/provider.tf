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

# Another account, sharing the same store. It belongs to an organization
# only if the organization's management account admits it
# (amisim_organization); organization_arn or organizational_unit_arn here
# would then assert that membership.
provider "amisim" {
  alias      = "workloads"
  account_id = "222222222222"
  region     = "us-east-1"
}
