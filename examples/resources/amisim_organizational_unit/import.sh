# An OU is imported by its ID, in its organization's management account's provider block.
terraform import amisim_organizational_unit.web ou-3f2a-1b2c3d4e
