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

# A release that older pipelines should stop picking after a year: deprecated
# images still launch by ID, but other accounts' lookups skip them.
resource "amisim_image" "release" {
  name             = "app-2025.01"
  deprecation_time = "2026-01-01T00:00:00Z"
}
