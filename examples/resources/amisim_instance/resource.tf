data "amisim_image" "al2023" {
  owners      = ["amazon"]
  most_recent = true

  filter {
    name   = "name"
    values = ["al2023-ami-*-x86_64"]
  }
}

resource "amisim_instance" "web" {
  ami           = data.amisim_image.al2023.id
  instance_type = "t3.micro"
  user_data     = "yum install -y httpd"

  tags = {
    Name = "web"
  }
}
