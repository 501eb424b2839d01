# A test suite written the way suites for moto's server are: boto3 clients
# against an endpoint, launching the image IDs moto seeds (its amis.json),
# with no set-up of their own. Run against `amisim serve --fixtures` with
# moto's own file, it passes unchanged. Prints one line per test passed.
import contextlib

import boto3
import botocore

# The IDs suites written for moto name (moto's own tests call them
# EXAMPLE_AMI_ID, EXAMPLE_AMI_ID2, EXAMPLE_AMI_PARAVIRTUAL and so on).
WINDOWS_2008 = "ami-12c6146b"
WINDOWS_NANO = "ami-03cf127a"
PARAVIRTUAL = "ami-fa7cdd89"
AMAZON_LINUX_2 = "ami-04681a1dbd79675a5"
EKS_LINUX = "ami-ekslinux"


def ec2(region="us-east-1"):
    return boto3.client("ec2", region_name=region)


@contextlib.contextmanager
def raises(code):
    try:
        yield
    except botocore.exceptions.ClientError as e:
        assert e.response["Error"]["Code"] == code, e.response["Error"]
        raises.last = e.response["Error"]
        return
    raise AssertionError(f"expected {code}")


def test_describe_a_seeded_image_in_any_region():
    for region in ["us-east-1", "us-west-1", "eu-west-1", "ap-southeast-2"]:
        [image] = ec2(region).describe_images(ImageIds=[WINDOWS_2008])["Images"]
        assert image["ImageId"] == WINDOWS_2008
        assert image["Platform"] == "windows"
        assert image["State"] == "available"
        assert image["Public"] is True
        assert image["OwnerId"] == "801119661308"
        assert image["ImageOwnerAlias"] == "amazon"
        assert image["Name"] == "Windows_Server-2008-R2_SP1-English-64Bit-Base-2017.10.13"
        assert image["RootDeviceName"] == "/dev/sda1"
        [device] = image["BlockDeviceMappings"]
        assert device["DeviceName"] == "/dev/sda1"
        assert device["Ebs"]["SnapshotId"].startswith("snap-")


def test_run_instances_from_seeded_images():
    client = ec2()
    for ami in [WINDOWS_2008, AMAZON_LINUX_2, PARAVIRTUAL, EKS_LINUX]:
        [instance] = client.run_instances(ImageId=ami, MinCount=1, MaxCount=1, InstanceType="m3.medium")["Instances"]
        assert instance["ImageId"] == ami
        assert instance["State"]["Name"] in ("pending", "running")
    [instance] = ec2("us-west-2").run_instances(ImageId=WINDOWS_2008, MinCount=1, MaxCount=1, InstanceType="t3.micro")["Instances"]
    assert instance["Platform"] == "windows"


def test_describe_by_owner_alias_and_filters():
    client = ec2()
    amazon = client.describe_images(Owners=["amazon"])["Images"]
    ids = {i["ImageId"] for i in amazon}
    assert {WINDOWS_2008, WINDOWS_NANO, AMAZON_LINUX_2} <= ids, ids
    paravirtual = client.describe_images(ImageIds=[PARAVIRTUAL])["Images"][0]
    assert paravirtual["VirtualizationType"] == "paravirtual"
    named = client.describe_images(Filters=[{"Name": "name", "Values": ["amzn2-ami-hvm-2.0.20180810-x86_64-gp2"]}])["Images"]
    assert [i["ImageId"] for i in named] == [AMAZON_LINUX_2]
    windows = client.describe_images(Owners=["amazon"], Filters=[{"Name": "platform", "Values": ["windows"]}])["Images"]
    assert WINDOWS_2008 in {i["ImageId"] for i in windows}
    assert all(i["Platform"] == "windows" for i in windows)


def test_create_image_from_an_instance_of_a_seeded_image():
    client = ec2()
    [instance] = client.run_instances(ImageId=AMAZON_LINUX_2, MinCount=1, MaxCount=1, InstanceType="t3.micro")["Instances"]
    image_id = client.create_image(InstanceId=instance["InstanceId"], Name="test-ami", Description="this is a test ami")["ImageId"]
    [image] = client.describe_images(ImageIds=[image_id])["Images"]
    assert image["Name"] == "test-ami"
    assert image["SourceInstanceId"] == instance["InstanceId"]
    assert image["OwnerId"] == "123456789012"
    client.deregister_image(ImageId=image_id)
    # As AWS does for a while, its owner still finds it, deregistered.
    [image] = client.describe_images(ImageIds=[image_id])["Images"]
    assert image["State"] == "deregistered"
    assert image_id not in {i["ImageId"] for i in client.describe_images(Owners=["self"])["Images"]}


def test_copy_a_seeded_image_to_another_region():
    west = ec2("us-west-2")
    copy_id = west.copy_image(SourceImageId=AMAZON_LINUX_2, SourceRegion="us-east-1", Name="my-amzn2")["ImageId"]
    [copy] = west.describe_images(ImageIds=[copy_id])["Images"]
    assert copy["Name"] == "my-amzn2"
    assert copy["OwnerId"] == "123456789012"


def test_a_seeded_image_is_not_anyones_to_change():
    client = ec2()
    with raises("AuthFailure"):
        client.deregister_image(ImageId=WINDOWS_2008)
    with raises("AuthFailure"):
        client.modify_image_attribute(ImageId=WINDOWS_2008, LaunchPermission={"Remove": [{"Group": "all"}]})


def test_missing_and_malformed_ids():
    client = ec2()
    with raises("InvalidAMIID.NotFound"):
        client.describe_images(ImageIds=["ami-0123456789abcdef0", "ami-12345678"])
    assert raises.last["Message"] == "The image ids '[ami-0123456789abcdef0, ami-12345678]' do not exist", raises.last
    with raises("InvalidAMIID.Malformed"):
        client.describe_images(ImageIds=["ami-nothere"])
    with raises("InvalidAMIID.Malformed"):
        client.run_instances(ImageId="not-an-ami", MinCount=1, MaxCount=1)


for name, test in sorted(globals().copy().items()):
    if name.startswith("test_"):
        test()
        print("passed", name)
