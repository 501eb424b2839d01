# Given the image IDs answered 200 before the kill (JSON on stdin), counts,
# from a new server on the same store, those missing and the images whose
# snapshot is missing (half applied).
import json, sys
import boto3

answered = json.load(sys.stdin)
out = {"answered": 0, "missing": 0, "half_applied": 0, "stored": 0}
for account, ids in answered.items():
    ec2 = boto3.client("ec2", aws_access_key_id=account, aws_secret_access_key="any")
    images = {i["ImageId"]: i for p in ec2.get_paginator("describe_images").paginate(Owners=["self"]) for i in p["Images"]}
    snapshots = {s["SnapshotId"] for p in ec2.get_paginator("describe_snapshots").paginate(OwnerIds=["self"]) for s in p["Snapshots"]}
    out["answered"] += len(ids)
    out["stored"] += len(images)
    out["missing"] += sum(1 for i in ids if i not in images)
    out["half_applied"] += sum(1 for i in images.values()
                               if i["State"] != "available" or i["BlockDeviceMappings"][0]["Ebs"]["SnapshotId"] not in snapshots)
print(json.dumps(out))
