# Plans only, in a store of its own: what the module would make.
provider "amisim" {
  account_id = "111111111111"
  store      = ".amisim/test-plan.db"
}

provider "amisim" {
  alias      = "dr"
  account_id = "111111111111"
  region     = "eu-west-1"
  store      = ".amisim/test-plan.db"
}

run "plans_a_copy_in_the_dr_region" {
  command = plan

  variables {
    name    = "golden-api-v3"
    size_gb = 30
  }

  assert {
    condition     = amisim_image.golden.name == "golden-api-v3" && amisim_image.golden.size_gb == 30
    error_message = "The golden image is named and sized from the variables."
  }

  assert {
    condition     = amisim_image_copy.dr.name == "golden-api-v3-dr" && amisim_image_copy.dr.region == "eu-west-1"
    error_message = "The copy is planned in the DR provider's region."
  }
}
