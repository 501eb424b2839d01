# A copy is imported by its own image ID.
terraform import amisim_image_copy.dr ami-0123456789abcdef0
