# An organization is imported by its ID, in its management account's provider block.
terraform import amisim_organization.company o-3f2a9c1e5b7d0a4c8
