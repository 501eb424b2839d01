# Import ID: STORAGE_ID/ACCOUNT_ID.
terraform import amisim_storage_permission.workloads snap-0123456789abcdef0/222222222222
