# Import ID: PRINCIPAL/IMAGE_ID, where PRINCIPAL is an account ID, all, an organization ARN or an OU ARN.
terraform import amisim_launch_permission.workloads 222222222222/ami-0123456789abcdef0
terraform import amisim_launch_permission.ou arn:aws:organizations::999999999999:ou/o-abc123/ou-ab12-cdef3456/ami-0123456789abcdef0
