# Import ID: BUCKET/KEY.
terraform import amisim_image_store_task.archive golden-archive/ami-0123456789abcdef0.bin
