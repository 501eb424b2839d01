# A cloud of this test file's own: both provider blocks name one store, so
# the copy between their regions works, and nothing else shares it.
provider "amisim" {
  account_id = "111111111111"
  region     = "us-east-1"
  store      = ".amisim/test-golden.db"
}

provider "amisim" {
  alias      = "dr"
  account_id = "111111111111"
  region     = "us-west-2"
  store      = ".amisim/test-golden.db"
}

variables {
  share_with = ["222222222222", "333333333333"]
}

run "copies_to_the_dr_region_and_shares_the_copy" {
  command = apply

  assert {
    condition     = amisim_image_copy.dr.region == "us-west-2" && amisim_image_copy.dr.source_image_id == amisim_image.golden.id
    error_message = "The copy is in us-west-2 and made from the golden image."
  }

  assert {
    condition     = length(amisim_launch_permission.dr) == 2
    error_message = "The copy is shared with both accounts."
  }

  assert {
    condition     = output.monthly_storage_cost_usd == 0.8
    error_message = "Two 8 GB snapshots cost $0.80 a month."
  }
}

run "a_bad_account_is_refused_before_anything_is_made" {
  command = plan

  variables {
    share_with = ["12345"]
  }

  expect_failures = [var.share_with]
}
