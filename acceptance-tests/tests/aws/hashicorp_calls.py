# The calls hashicorp/aws makes for aws_instance (ami and instance_type only),
# aws_ami_from_instance, snapshots, volumes, tags, Allowed AMIs, the Recycle Bin
# and KMS grants, made by boto3; each answer or refusal code goes into one
# JSON object the test snapshots.
import json, boto3, botocore
ec2 = boto3.client("ec2")
kms = boto3.client("kms")
rbin = boto3.client("rbin")
b_ec2 = boto3.client("ec2", aws_access_key_id="222222222222", aws_secret_access_key="any")
b_kms = boto3.client("kms", aws_access_key_id="222222222222", aws_secret_access_key="any")
out = {}
def code(f):
    try:
        f()
        return "ok"
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"]
# What hashicorp/aws's aws_instance does, with only ami and instance_type.
base = ec2.describe_images(Owners=["amazon"], Filters=[{"Name": "name", "Values": ["al2023-ami-*-x86_64"]}])["Images"][0]
# data "aws_ami" as AWS's examples write it: every filter answered from the image.
ubuntu = ec2.describe_images(Owners=["099720109477"], Filters=[
    {"Name": "name", "Values": ["ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-*-server-*"]},
    {"Name": "virtualization-type", "Values": ["hvm"]},
    {"Name": "root-device-type", "Values": ["ebs"]},
    {"Name": "block-device-mapping.volume-type", "Values": ["gp3"]},
])["Images"]
out["ubuntu_lookup"] = sorted((i["Name"], i["VirtualizationType"], i["BootMode"], i["PlatformDetails"]) for i in ubuntu)
market = ec2.describe_images(Owners=["aws-marketplace"], Filters=[{"Name": "product-code.type", "Values": ["marketplace"]}])["Images"]
out["product_codes"] = sorted((i["Name"], i["ProductCodes"]) for i in market)
out["bad_filter"] = code(lambda: ec2.describe_images(Filters=[{"Name": "virtualisation-type", "Values": ["hvm"]}]))
types = ec2.describe_instance_types(InstanceTypes=["t3.micro"])["InstanceTypes"]
out["types"] = len(types)
run = ec2.run_instances(ImageId=base["ImageId"], InstanceType="t3.micro", MinCount=1, MaxCount=1)
iid = run["Instances"][0]["InstanceId"]
ec2.get_waiter("instance_running").wait(InstanceIds=[iid])
inst = ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]
out["root_device"] = inst["RootDeviceName"]
vol_id = inst["BlockDeviceMappings"][0]["Ebs"]["VolumeId"]
out["stop"] = ec2.describe_instance_attribute(InstanceId=iid, Attribute="disableApiStop")["DisableApiStop"]
out["term"] = ec2.describe_instance_attribute(InstanceId=iid, Attribute="disableApiTermination")["DisableApiTermination"]
out["shutdown"] = ec2.describe_instance_attribute(InstanceId=iid, Attribute="instanceInitiatedShutdownBehavior")["InstanceInitiatedShutdownBehavior"]
out["credits"] = ec2.describe_instance_credit_specifications(InstanceIds=[iid])["InstanceCreditSpecifications"]
vols = ec2.describe_volumes(VolumeIds=[vol_id])["Volumes"]
out["volume"] = {k: vols[0][k] for k in ["Size", "State", "Encrypted", "VolumeType"]}
out["attachment"] = {k: vols[0]["Attachments"][0][k] for k in ["InstanceId", "State", "Device", "DeleteOnTermination"]}
out["volume_filter"] = len(ec2.describe_volumes(Filters=[{"Name": "attachment.instance-id", "Values": [iid]}])["Volumes"])
ec2.create_tags(Resources=[iid], Tags=[{"Key": "Name", "Value": "web"}])
out["describe_tags"] = [(t["Key"], t["Value"], t["ResourceType"]) for t in ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [iid]}])["Tags"]]
out["in_use"] = code(lambda: ec2.delete_volume(VolumeId=vol_id))
out["protect"] = code(lambda: ec2.modify_instance_attribute(InstanceId=iid, DisableApiTermination={"Value": True}))
out["unprotect"] = code(lambda: ec2.modify_instance_attribute(InstanceId=iid, DisableApiTermination={"Value": False}))
# aws_ami_from_instance
made = ec2.create_image(InstanceId=iid, Name="from-web")["ImageId"]
ec2.get_waiter("image_available").wait(ImageIds=[made])
out["uefi"] = code(lambda: ec2.get_instance_uefi_data(InstanceId=iid))
second = ec2.run_instances(ImageId=made, InstanceType="t3.micro", MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
out["references"] = [(r["ResourceType"], r["Arn"].endswith(second)) for r in ec2.describe_image_references(ImageIds=[made])["ImageReferences"]]
ec2.terminate_instances(InstanceIds=[second])
ec2.terminate_instances(InstanceIds=[iid])
ec2.get_waiter("instance_terminated").wait(InstanceIds=[iid])
# Snapshots
snap = ec2.describe_images(ImageIds=[made])["Images"][0]["BlockDeviceMappings"][0]["Ebs"]["SnapshotId"]
ec2.get_waiter("snapshot_completed").wait(SnapshotIds=[snap])
s = ec2.describe_snapshots(SnapshotIds=[snap])["Snapshots"][0]
out["snapshot"] = {k: s[k] for k in ["State", "OwnerId", "Encrypted", "VolumeSize"]}
out["own_snapshots"] = len(ec2.describe_snapshots(OwnerIds=["self"])["Snapshots"])
ec2.modify_snapshot_attribute(SnapshotId=snap, Attribute="createVolumePermission", OperationType="add", UserIds=["222222222222"])
out["snap_perm"] = ec2.describe_snapshot_attribute(SnapshotId=snap, Attribute="createVolumePermission")["CreateVolumePermissions"]
out["b_sees_snapshot"] = len(b_ec2.describe_snapshots(SnapshotIds=[snap])["Snapshots"])
out["b_attribute"] = code(lambda: b_ec2.describe_snapshot_attribute(SnapshotId=snap, Attribute="createVolumePermission"))
out["snap_in_use"] = code(lambda: ec2.delete_snapshot(SnapshotId=snap))
# Reset and attributes
ec2.modify_image_attribute(ImageId=made, LaunchPermission={"Add": [{"UserId": "222222222222"}]})
ec2.reset_image_attribute(ImageId=made, Attribute="launchPermission")
out["after_reset"] = ec2.describe_image_attribute(ImageId=made, Attribute="launchPermission")["LaunchPermissions"]
# Allowed AMIs
out["allowed_before"] = ec2.get_allowed_images_settings()["State"]
ec2.replace_image_criteria_in_allowed_images_settings(ImageCriteria=[{"ImageProviders": ["amazon"]}])
ec2.enable_allowed_images_settings(AllowedImagesSettingsState="audit-mode")
settings = ec2.get_allowed_images_settings()
out["allowed"] = {"State": settings["State"], "Criteria": settings["ImageCriteria"]}
ec2.disable_allowed_images_settings()
# Zones
out["zones"] = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]]
# Recycle bin rules and the bin
rule = rbin.create_rule(ResourceType="EC2_IMAGE", RetentionPeriod={"RetentionPeriodValue": 7, "RetentionPeriodUnit": "DAYS"}, Description="keep a week")
rid = rule["Identifier"]
out["rule_status"] = rule["Status"]
out["rules"] = [r["Identifier"] == rid for r in rbin.list_rules(ResourceType="EC2_IMAGE")["Rules"]]
rbin.update_rule(Identifier=rid, RetentionPeriod={"RetentionPeriodValue": 9, "RetentionPeriodUnit": "DAYS"})
out["rule"] = rbin.get_rule(Identifier=rid)["RetentionPeriod"]
ec2.deregister_image(ImageId=made)
out["bin"] = [i["ImageId"] == made for i in ec2.list_images_in_recycle_bin()["Images"]]
out["restored"] = ec2.restore_image_from_recycle_bin(ImageId=made)["Return"]
out["restored_state"] = ec2.describe_images(ImageIds=[made])["Images"][0]["State"]
rbin.delete_rule(Identifier=rid)
out["rule_gone"] = code(lambda: rbin.get_rule(Identifier=rid))
# KMS: a key, a grant with operations, and a cross-account encrypted copy
key = kms.create_key(Description="images")["KeyMetadata"]
out["key"] = {k: key[k] for k in ["KeyState", "KeyUsage", "KeyManager", "Enabled"]}
out["listed_keys"] = [k["KeyId"] == key["KeyId"] for k in kms.list_keys()["Keys"]]
out["aliases"] = len(kms.list_aliases()["Aliases"]) > 0
enc = ec2.copy_image(SourceImageId=made, SourceRegion="us-east-1", Name="from-web-enc", Encrypted=True, KmsKeyId=key["Arn"])["ImageId"]
ec2.get_waiter("image_available").wait(ImageIds=[enc])
ec2.modify_image_attribute(ImageId=enc, LaunchPermission={"Add": [{"UserId": "222222222222"}]})
esnap = ec2.describe_images(ImageIds=[enc])["Images"][0]["BlockDeviceMappings"][0]["Ebs"]["SnapshotId"]
ec2.modify_snapshot_attribute(SnapshotId=esnap, Attribute="createVolumePermission", OperationType="add", UserIds=["222222222222"])
def b_copy():
    return b_ec2.copy_image(SourceImageId=enc, SourceRegion="us-east-1", Name="b-enc", Encrypted=True)["ImageId"].split("-")[0]
out["b_copy_no_grant"] = code(b_copy)
g1 = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal="arn:aws:iam::222222222222:root", Operations=["DescribeKey"])
out["b_copy_describe_only"] = code(b_copy)
g2 = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal="arn:aws:iam::222222222222:root", Operations=["Decrypt", "CreateGrant", "GenerateDataKeyWithoutPlaintext", "ReEncryptFrom", "ReEncryptTo", "DescribeKey"])
out["b_copy_granted"] = code(b_copy)
out["grants"] = sorted(g["Operations"] == ["DescribeKey"] for g in kms.list_grants(KeyId=key["KeyId"])["Grants"])
b_kms.retire_grant(KeyId=key["Arn"], GrantId=g1["GrantId"])
kms.revoke_grant(KeyId=key["KeyId"], GrantId=g2["GrantId"])
out["grants_left"] = len(kms.list_grants(KeyId=key["KeyId"])["Grants"])
out["b_describe_key"] = code(lambda: b_kms.list_grants(KeyId=key["Arn"]))
d = kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
out["deletion"] = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"]
out["bad_window"] = code(lambda: kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=3))
out["unknown_key"] = code(lambda: kms.describe_key(KeyId="1234abcd-12ab-34cd-56ef-1234567890ab"))
out["kms_unknown_action"] = code(lambda: kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x"))
print(json.dumps(out, indent=1, default=str))
