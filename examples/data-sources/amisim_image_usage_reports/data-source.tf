# Which accounts did the reports of the golden image find?
resource "amisim_image" "golden" {
  name = "golden-web"
}

resource "amisim_image_usage_report" "now" {
  image_id = amisim_image.golden.id
}

data "amisim_image_usage_reports" "golden" {
  image_id   = amisim_image.golden.id
  depends_on = [amisim_image_usage_report.now]
}

output "users" {
  value = flatten([for r in data.amisim_image_usage_reports.golden.reports : [for e in r.entries : e.account_id]])
}
