# Bob's half of the classroom exercise (account 222222222222).
#
# He finds the image Alice shared with him, copies it into his own account
# (re-encrypted with his AWS managed key, which her grant lets him do), and
# launches a server from his copy. The shared cloud and his key pair come
# from AMISIM_ENDPOINT, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or
# AMISIM_STORE and AMISIM_SECRET_KEY, holding the store itself).
terraform {
  required_providers {
    amisim = {
      source = "amisim/amisim"
    }
  }
}

provider "amisim" {
  account_id = "222222222222"
  region     = "us-east-1"
}

data "amisim_image" "alices" {
  owners = ["111111111111"]
  filter {
    name   = "name"
    values = ["alice-tools-*"]
  }
}

resource "amisim_image_copy" "mine" {
  source_ami_id     = data.amisim_image.alices.id
  source_ami_region = "us-east-1"
  name              = "bob-tools-v1"
  encrypted         = true
}

resource "amisim_instance" "server" {
  ami           = amisim_image_copy.mine.id
  instance_type = "t3.micro"
  tags          = { Name = "bob-server" }
}

output "copy" {
  description = "Bob's copy: his own image, made from Alice's."
  value = {
    id              = amisim_image_copy.mine.id
    owner_id        = amisim_image_copy.mine.owner_id
    source_image_id = amisim_image_copy.mine.source_image_id
  }
}
