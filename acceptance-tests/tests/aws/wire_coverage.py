# The actions and rules of the AWS API that no other suite drives through
# botocore: dry runs (answered for who may act, and making nothing), product
# codes, the image life cycle's undo actions, tags removed, the snapshot
# Recycle Bin, image block public access. Account 111111111111 owns, and
# 222222222222 is shared with. Prints what it saw, as JSON.
import json, boto3, botocore

owner = boto3.client("ec2", aws_access_key_id="111111111111", aws_secret_access_key="any")
other = boto3.client("ec2", aws_access_key_id="222222222222", aws_secret_access_key="any")
rbin = boto3.client("rbin", aws_access_key_id="111111111111", aws_secret_access_key="any")
out = {}


def code(f):
    try:
        f()
        return "ok"
    except botocore.exceptions.ClientError as e:
        return f'{e.response["ResponseMetadata"]["HTTPStatusCode"]} {e.response["Error"]["Code"]}'


image = owner.register_image(Name="coverage-web", RootDeviceName="/dev/xvda",
                             BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8}}])["ImageId"]
owner.modify_image_attribute(ImageId=image, LaunchPermission={"Add": [{"UserId": "222222222222"}]})

# Dry runs: DryRunOperation for who may act, UnauthorizedOperation for who may not; nothing is made.
out["dry_run"] = {
    "owner_modifies": code(lambda: owner.modify_image_attribute(ImageId=image, Description={"Value": "dry"}, DryRun=True)),
    "other_modifies": code(lambda: other.modify_image_attribute(ImageId=image, Description={"Value": "dry"}, DryRun=True)),
    "other_deregisters": code(lambda: other.deregister_image(ImageId=image, DryRun=True)),
    "other_launches": code(lambda: other.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro", DryRun=True)),
    "owner_registers": code(lambda: owner.register_image(Name="dry-image", DryRun=True)),
    "owner_deregisters_missing": code(lambda: owner.deregister_image(ImageId="ami-0123456789abcdef0", DryRun=True)),
}
out["dry_run_made_nothing"] = {
    "description": owner.describe_images(ImageIds=[image])["Images"][0]["Description"],
    "instances": len(other.describe_instances()["Reservations"]),
    "named_dry": len(owner.describe_images(Owners=["self"], Filters=[{"Name": "name", "Values": ["dry-image"]}])["Images"]),
}

# Product codes are AWS Marketplace's to set.
out["product_codes"] = {
    "modify": code(lambda: owner.modify_image_attribute(ImageId=image, Attribute="productCodes", ProductCodes=["abcdefghij0123456789abcde"])),
    "describe": owner.describe_image_attribute(ImageId=image, Attribute="productCodes")["ProductCodes"],
}

# Disable and enable again; deprecate and cancel it.
owner.disable_image(ImageId=image)
disabled = owner.describe_images(ImageIds=[image], IncludeDisabled=True)["Images"][0]["State"]
owner.enable_image(ImageId=image)
out["enable_image"] = [disabled, owner.describe_images(ImageIds=[image])["Images"][0]["State"]]
owner.enable_image_deprecation(ImageId=image, DeprecateAt="2030-01-01T00:00:00Z")
deprecated = owner.describe_images(ImageIds=[image])["Images"][0].get("DeprecationTime")
owner.disable_image_deprecation(ImageId=image)
out["disable_image_deprecation"] = [deprecated, owner.describe_images(ImageIds=[image])["Images"][0].get("DeprecationTime")]

# Tags removed by key, by key and value, and not when the value differs.
owner.create_tags(Resources=[image], Tags=[{"Key": "Stage", "Value": "prod"}, {"Key": "Team", "Value": "web"}, {"Key": "Keep", "Value": "yes"}])
owner.delete_tags(Resources=[image], Tags=[{"Key": "Stage"}, {"Key": "Team", "Value": "web"}, {"Key": "Keep", "Value": "no"}])
out["delete_tags"] = sorted((t["Key"], t["Value"]) for t in owner.describe_images(ImageIds=[image])["Images"][0].get("Tags", []))

# Image block public access: on, a public share is refused; off, it is made.
out["block_public_access"] = {
    "enabled": owner.enable_image_block_public_access(ImageBlockPublicAccessState="block-new-sharing")["ImageBlockPublicAccessState"],
    "state": owner.get_image_block_public_access_state()["ImageBlockPublicAccessState"],
    "public_share": code(lambda: owner.modify_image_attribute(ImageId=image, LaunchPermission={"Add": [{"Group": "all"}]})),
    "disabled": owner.disable_image_block_public_access()["ImageBlockPublicAccessState"],
    "public_share_after": code(lambda: owner.modify_image_attribute(ImageId=image, LaunchPermission={"Add": [{"Group": "all"}]})),
}

# A deleted snapshot waits in the Recycle Bin under a retention rule, and is restored.
rbin.create_rule(ResourceType="EBS_SNAPSHOT", RetentionPeriod={"RetentionPeriodValue": 7, "RetentionPeriodUnit": "DAYS"}, Description="keep snapshots a week")
snapshot = owner.describe_images(ImageIds=[image])["Images"][0]["BlockDeviceMappings"][0]["Ebs"]["SnapshotId"]
owner.deregister_image(ImageId=image)
owner.delete_snapshot(SnapshotId=snapshot)
binned = owner.list_snapshots_in_recycle_bin()["Snapshots"]
out["snapshot_recycle_bin"] = {
    "binned": [s["SnapshotId"] == snapshot for s in binned],
    "described_while_binned": code(lambda: owner.describe_snapshots(SnapshotIds=[snapshot])),
    "restored": owner.restore_snapshot_from_recycle_bin(SnapshotId=snapshot)["SnapshotId"] == snapshot,
    "described_after": [s["SnapshotId"] == snapshot for s in owner.describe_snapshots(SnapshotIds=[snapshot])["Snapshots"]],
    "bin_after": len(owner.list_snapshots_in_recycle_bin()["Snapshots"]),
}
# What moto lets a test do that AWS refuses (docs/aws-api.md, "Coming from moto or LocalStack").
encrypted = owner.register_image(Name="coverage-encrypted", RootDeviceName="/dev/xvda",
                                 BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8, "Encrypted": True}}])["ImageId"]
out["refused_as_aws_does"] = {
    "unencrypted_copy": code(lambda: owner.copy_image(SourceImageId=encrypted, SourceRegion="us-east-1", Name="coverage-plain", Encrypted=False)),
    "public_encrypted": code(lambda: owner.modify_image_attribute(ImageId=encrypted, LaunchPermission={"Add": [{"Group": "all"}]})),
    "duplicate_name": code(lambda: owner.register_image(Name="coverage-encrypted")),
    "bad_principal": code(lambda: owner.modify_image_attribute(ImageId=encrypted, LaunchPermission={"Add": [{"UserId": "12345"}]})),
    "state_at_once": owner.describe_images(ImageIds=[encrypted])["Images"][0]["State"],
}
print(json.dumps(out))
