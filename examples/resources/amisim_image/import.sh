# An image is imported by its ID.
terraform import amisim_image.base ami-0123456789abcdef0
