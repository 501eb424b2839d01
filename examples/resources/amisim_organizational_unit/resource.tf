# In the management account's provider block: an OU of its organization,
# holding members the organization admitted.
resource "amisim_organization" "company" {
  member_account_ids = ["333333333333", "444444444444"]
}

resource "amisim_organizational_unit" "web" {
  organization_id    = amisim_organization.company.id
  name               = "web"
  member_account_ids = ["333333333333"]
}
