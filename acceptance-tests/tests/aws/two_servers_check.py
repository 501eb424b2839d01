# Given what two_servers_load.py printed (on stdin), counts through the server
# at URL (argv[1]) what every answered call made and is missing, what is
# there twice, and what is there that no answer named (calls in flight at a
# kill). Prints the counts as JSON.
import json, sys
import boto3

URL = sys.argv[1]
CLIENTS = 4


def client(who, region="us-east-1"):
    return boto3.client("ec2", endpoint_url=URL, region_name=region, aws_access_key_id=who,
                        aws_secret_access_key="amisim-unclaimed-account")


def owned(ec2):
    return [i for p in ec2.get_paginator("describe_images").paginate(Owners=["self"]) for i in p["Images"]]


made = json.load(sys.stdin)
out = {key: 0 for key in ["answered", "missing", "doubled", "unanswered", "shares_missing", "grants_answered",
                          "grants_missing", "grants_unanswered", "copies_missing", "instances_missing"]}
accounts = sorted(made["clients"])
for n, who in enumerate(accounts):
    calls = made["clients"][who]
    east, west = client(who), client(who, "us-west-2")
    images = owned(east)
    ids = {i["ImageId"] for i in images}
    names = [i["Name"] for i in images]
    out["answered"] += len(calls["images"])
    out["missing"] += sum(1 for i in calls["images"] if i not in ids)
    out["doubled"] += len(names) - len(set(names))
    out["unanswered"] += len(ids - set(calls["images"]))
    grantee = accounts[(n + 1) % CLIENTS]
    for image in calls["shares"]:
        permissions = east.describe_image_attribute(ImageId=image, Attribute="launchPermission")["LaunchPermissions"]
        out["shares_missing"] += 0 if {"UserId": grantee} in permissions else 1
    copies = {i["ImageId"] for i in owned(west)}
    out["copies_missing"] += sum(1 for i in calls["copies"] if i not in copies)
    instances = {i["InstanceId"] for p in east.get_paginator("describe_instances").paginate()
                 for r in p["Reservations"] for i in r["Instances"]}
    out["instances_missing"] += sum(1 for i in calls["instances"] if i not in instances)

owner = client("555555555500")
granted = {p["UserId"] for p in owner.describe_image_attribute(ImageId=made["common"], Attribute="launchPermission")["LaunchPermissions"]}
answered = {g for calls in made["clients"].values() for g in calls["grants"]}
out["grants_answered"] = len(answered)
out["grants_missing"] = len(answered - granted)
out["grants_unanswered"] = len(granted - answered)
print(json.dumps(out))
