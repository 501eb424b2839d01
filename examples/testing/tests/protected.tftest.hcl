# A protected image and the Recycle Bin rules that must outlive it, in a
# cloud of this test file's own.
provider "amisim" {
  account_id = "111111111111"
  region     = "us-east-1"
  store      = ".amisim/test-protected.db"
}

run "keeps_the_golden_image_protected" {
  module {
    source = "./protected"
  }

  assert {
    condition     = amisim_image.golden.deregistration_protection == "enabled"
    error_message = "The golden image is protected from deregistration."
  }
}

# Last: lift the protection, so that terraform test can destroy what it made
# (deregistering a protected image is refused with OperationNotPermitted).
run "lifts_protection_so_the_test_can_clean_up" {
  module {
    source = "./protected"
  }

  variables {
    protected = false
  }

  assert {
    condition     = amisim_image.golden.deregistration_protection == "disabled"
    error_message = "Protection is lifted before the test cleans up."
  }
}
