# Import ID: BUCKET/KEY/IMAGE_ID, the object restored and the image it made.
terraform import amisim_image_restore.from_archive golden-archive/ami-0123456789abcdef0.bin/ami-0fedcba9876543210
