# In the management account's provider block (here the default one, account
# 111111111111): the organization and the accounts it admits. A share with
# its ARN reaches exactly these accounts and the management account.
resource "amisim_organization" "company" {
  member_account_ids = ["333333333333", "444444444444"]
}
