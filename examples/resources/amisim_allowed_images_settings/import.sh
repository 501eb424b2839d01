# The setting is imported by the provider's region.
terraform import amisim_allowed_images_settings.this us-east-1
