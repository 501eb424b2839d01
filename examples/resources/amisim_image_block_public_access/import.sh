# The setting is imported by the provider's region.
terraform import amisim_image_block_public_access.this us-east-1
