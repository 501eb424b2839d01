# A rule is imported by its identifier.
terraform import amisim_recycle_bin_rule.golden_images a1b2c3d4e5f
