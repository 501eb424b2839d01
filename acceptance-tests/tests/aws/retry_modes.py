# A pipeline under fault rules, run by botocore in each retry mode, and once
# with no retries. Each run acts as its own account (its rules match only
# that account). The pipeline registers three images, copies each to
# us-west-2, describes them and launches one. Prints, per run, what it
# finished and how often botocore retried, or where it stopped, as JSON.
import json, sys
import boto3, botocore
from botocore.config import Config

RUNS = json.loads(sys.argv[1])  # [[account, mode, max_attempts], ...]


def pipeline(account, config):
    def client(region):
        return boto3.client("ec2", region_name=region, config=config,
                            aws_access_key_id=account, aws_secret_access_key="any")
    east, west = client("us-east-1"), client("us-west-2")
    retries = 0
    done = []

    def step(name, call):
        nonlocal retries
        answer = call()
        retries += answer["ResponseMetadata"].get("RetryAttempts", 0)
        done.append(name)
        return answer

    try:
        images = [step(f"register {n}", lambda n=n: east.register_image(
            Name=f"pipeline-{n}", RootDeviceName="/dev/xvda",
            BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8}}]))["ImageId"]
            for n in range(1, 4)]
        copies = [step(f"copy {n}", lambda n=n, image=image: west.copy_image(
            SourceImageId=image, SourceRegion="us-east-1", Name=f"pipeline-{n}-west"))["ImageId"]
            for n, image in enumerate(images, 1)]
        step("describe", lambda: west.describe_images(ImageIds=copies))
        step("launch", lambda: west.run_instances(ImageId=copies[0], MinCount=1, MaxCount=1, InstanceType="t3.micro"))
        return {"finished": done, "retries": retries}
    except botocore.exceptions.ClientError as e:
        meta = e.response["ResponseMetadata"]
        return {"finished": done, "stopped": f'{meta["HTTPStatusCode"]} {e.response["Error"]["Code"]}',
                "retries": retries + meta.get("RetryAttempts", 0)}


out = {}
for account, mode, attempts in RUNS:
    config = Config(retries={"mode": mode, **({"total_max_attempts": attempts} if attempts else {})})
    out[f"{mode} {attempts or 'default'}"] = pipeline(account, config)
print(json.dumps(out))
