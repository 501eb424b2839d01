# A copy a `pending` fault rule keeps pending, through the AWS API: boto3
# sees it pending, a launch is refused as AWS refuses it, and the SDK's own
# image_available waiter polls until it is available (each request through
# the server is dated a minute on, so the simulated clock moves as the
# waiter polls). Then an image an `unseen_for` rule hides from account
# 222222222222 for three describes: not found at once, and found by the
# SDK's image_exists waiter, which describes again on InvalidAMIID.NotFound.
# Prints what it saw, as JSON.
import json
import boto3, botocore

east = boto3.client("ec2", region_name="us-east-1", aws_access_key_id="111111111111", aws_secret_access_key="any")
west = boto3.client("ec2", region_name="us-west-2", aws_access_key_id="111111111111", aws_secret_access_key="any")
image = east.register_image(Name="golden", RootDeviceName="/dev/xvda",
                            BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8}}])["ImageId"]
copy = west.copy_image(SourceImageId=image, SourceRegion="us-east-1", Name="golden-west")["ImageId"]
out = {"state": west.describe_images(ImageIds=[copy])["Images"][0]["State"]}
try:
    west.run_instances(ImageId=copy, MinCount=1, MaxCount=1, InstanceType="t3.micro")
    out["launch"] = "ok"
except botocore.exceptions.ClientError as e:
    out["launch"] = e.response["Error"]["Code"]
polls = []
west.meta.events.register("after-call.ec2.DescribeImages", lambda **kw: polls.append(1))
west.get_waiter("image_available").wait(ImageIds=[copy], WaiterConfig={"Delay": 1, "MaxAttempts": 40})
out["waited"] = 0 < len(polls) <= 10
out["state_after"] = west.describe_images(ImageIds=[copy])["Images"][0]["State"]
out["launch_after"] = west.run_instances(ImageId=copy, MinCount=1, MaxCount=1, InstanceType="t3.micro")["Instances"][0]["ImageId"] == copy

other = boto3.client("ec2", region_name="us-east-1", aws_access_key_id="222222222222", aws_secret_access_key="any")
unseen = other.register_image(Name="fresh", RootDeviceName="/dev/xvda",
                              BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8}}])["ImageId"]
try:
    other.describe_images(ImageIds=[unseen])
    out["unseen"] = "found"
except botocore.exceptions.ClientError as e:
    out["unseen"] = e.response["Error"]["Code"]
found = []
other.meta.events.register("after-call.ec2.DescribeImages", lambda **kw: found.append(1))
other.get_waiter("image_exists").wait(ImageIds=[unseen], WaiterConfig={"Delay": 1, "MaxAttempts": 10})
out["exists_after_describes"] = len(found)
print(json.dumps(out))
