# Import ID: the report ID, which AWS keeps 30 days.
terraform import amisim_image_usage_report.before_retirement amiur-0123456789abcdef0
