# Import ID: KEY_ID/GRANTEE_ACCOUNT_ID.
terraform import amisim_kms_grant.workloads 1234abcd-12ab-44cd-96ef-1234567890ab/222222222222
