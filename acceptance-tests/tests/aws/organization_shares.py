# Organization and OU shares through the AWS API. The management account
# 999999999999 makes its organization (admitting 222222222222 and
# 333333333333) and an OU holding 222222222222, with amisim's own calls;
# 111111111111 shares one image with the OU and one with the organization.
# Each account then looks, launches and copies through EC2. Prints what it
# saw, as JSON.
import json, os, urllib.request
import boto3, botocore
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

URL = os.environ["AWS_ENDPOINT_URL"]


def amisim(account, action, request):
    """One of amisim's own calls, signed by `account` (unclaimed: any secret signs)."""
    signed = AWSRequest(method="POST", url=URL + "/", data=json.dumps(request),
                        headers={"Content-Type": "application/x-amz-json-1.1",
                                 "X-Amz-Target": "AmisimService." + action})
    SigV4Auth(Credentials(account, "any"), "amisim", "us-east-1").add_auth(signed)
    sent = urllib.request.Request(URL + "/", data=signed.body, headers=dict(signed.headers), method="POST")
    with urllib.request.urlopen(sent) as answer:
        return json.loads(answer.read())


def ec2(account):
    return boto3.client("ec2", aws_access_key_id=account, aws_secret_access_key="any")


def code(f):
    try:
        f()
        return "ok"
    except botocore.exceptions.ClientError as e:
        return f'{e.response["ResponseMetadata"]["HTTPStatusCode"]} {e.response["Error"]["Code"]}'


organization = amisim("999999999999", "CreateOrganization", {"member_account_ids": ["222222222222", "333333333333"]})
unit = amisim("999999999999", "CreateOrganizationalUnit", {"name": "web", "member_account_ids": ["222222222222"]})

owner = ec2("111111111111")
images = {}
for name, principal in [("ou", {"OrganizationalUnitArn": unit["arn"]}),
                        ("organization", {"OrganizationArn": organization["arn"]})]:
    image = owner.register_image(Name=f"shared-with-{name}", RootDeviceName="/dev/xvda",
                                 BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8}}])["ImageId"]
    owner.modify_image_attribute(ImageId=image, LaunchPermission={"Add": [principal]})
    images[name] = image
name_of = {v: k for k, v in images.items()}

out = {
    "launch_permissions": {
        name: owner.describe_image_attribute(ImageId=image, Attribute="launchPermission")["LaunchPermissions"]
        == [{"OrganizationalUnitArn": unit["arn"]} if name == "ou" else {"OrganizationArn": organization["arn"]}]
        for name, image in images.items()
    }
}
for account, role in [("222222222222", "in_the_ou"), ("333333333333", "in_the_organization"),
                      ("444444444444", "not_admitted"), ("999999999999", "management")]:
    client = ec2(account)
    seen = client.describe_images(ExecutableUsers=["self"])["Images"]
    out[role] = {
        "executable": sorted(name_of[i["ImageId"]] for i in seen if i["ImageId"] in name_of),
        "launch": {name: code(lambda image=image: client.run_instances(
            ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro")) for name, image in images.items()},
        "copy": {name: code(lambda image=image: client.copy_image(
            SourceImageId=image, SourceRegion="us-east-1", Name=f"copy-{name}-{account}")) for name, image in images.items()},
    }
print(json.dumps(out))
