# The teacher's part of the classroom exercise (account 999999999999).
#
# The class is an AWS Organization: the teacher's account manages it and
# admits the students' accounts, so one share with the organization reaches
# every student of the class and no one else. The teacher shares a course
# image with it. The teacher applies this with the administrator's key pair
# (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY as the server printed them,
# and AMISIM_ENDPOINT), which acts as the account named here.
terraform {
  required_providers {
    amisim = {
      source = "amisim/amisim"
    }
  }
}

provider "amisim" {
  account_id = "999999999999"
  region     = "us-east-1"
}

variable "students" {
  description = "The students' accounts, admitted to the class's organization."
  type        = list(string)
}

resource "amisim_organization" "class" {
  member_account_ids = var.students
}

resource "amisim_image" "course" {
  name        = "course-lab-v1"
  description = "The course's lab machine, for every student of the class"
}

resource "amisim_launch_permission" "class" {
  image_id         = amisim_image.course.id
  organization_arn = amisim_organization.class.arn
}

output "organization_arn" {
  description = "The class's organization."
  value       = amisim_organization.class.arn
}

output "course_image_id" {
  description = "The image every student of the class may launch."
  value       = amisim_image.course.id
}
