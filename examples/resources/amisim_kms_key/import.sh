# A key is imported by its ID.
terraform import amisim_kms_key.images 1234abcd-12ab-44cd-96ef-1234567890ab
