# A new EBS-backed image.
resource "amisim_image" "base" {
  name                = "base-linux-2025.01"
  description         = "Hardened base image"
  architecture        = "x86_64"
  root_volume_size_gb = 8

  tags = {
    Team = "platform"
  }
}

# A golden image created from an instance that installed the web stack.
resource "amisim_instance" "builder" {
  ami           = amisim_image.base.id
  instance_type = "t3.micro"
  user_data     = "yum install -y httpd php"
}

resource "amisim_image" "golden" {
  name               = "golden-web-2025.01"
  source_instance_id = amisim_instance.builder.id
}
