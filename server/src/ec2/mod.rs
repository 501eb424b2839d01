//! EC2 over the Query protocol (API version 2016-11-15): each action an
//! adapter from `Action=…` parameters to the simulator's request types, and
//! from their results to EC2's XML, with botocore's element names.

use amisim_simulator::catalogue;
use amisim_simulator::model::ROOT_VOLUME_TYPE;
use amisim_simulator::model::WINDOWS_BILLING_PRODUCT;
use amisim_simulator::{
    AddStoragePermission, AttachWatermark, Caller, CancelLaunchPermission, Cloud, CopyImage,
    DeleteSnapshot, DeregisterImage, DescribeImage, DescribeImages, DescribeInstance,
    DescribeLaunchPermissions, DetachWatermark, DisableImage, EnableImage, ErrorKind,
    GetImageSettings, Image, InstanceTypeSpecification, ModifyImage, Principal, RegisterImage,
    RemoveStoragePermission, ReplaceImageInstanceTypes, RootDevice, SetBlockPublicAccess,
    SetDeregistrationProtection, SetImageDeprecation, TagInstance, Tags,
};

use crate::fault::Fault;
use crate::operations::{changes, reads, refused, Effect, Row, Table};
use crate::page::Page;
use crate::query::Params;
use crate::xml::{Xml, EC2_NS};

mod account;
mod filter;
mod instances;

use instances::Change;
mod s3;
mod storage;
mod usage;

/// The actions answered: what each reads (as docs/aws-api.md shows it),
/// whether it changes the cloud, and its adapter.
static OPERATIONS: Table<Handler> = Table(&[
    reads(
        "DescribeImages",
        "`Owner.N`, `ExecutableBy.N`, `ImageId.N`, `Filter.N.Name`/`Value.M` (the filters of [the data sources](data-sources/images.md)), `IncludeDeprecated`, `IncludeDisabled`, `MaxResults` (5 to 1000) and `NextToken`",
        |a| a.describe_images(),
    ),
    changes(
        "RegisterImage",
        "`Name`, `Description`, `Architecture`, `RootDeviceName`, one `BlockDeviceMapping` (`DeviceName`, `Ebs.VolumeSize`, `Ebs.VolumeType` gp2/gp3, `Ebs.Encrypted`, `Ebs.KmsKeyId`; or `VirtualName` for instance store), `BillingProduct.N`, `VirtualizationType` hvm, `EnaSupport` true, `TagSpecification.N` for the image",
        |a| a.register_image(),
    ),
    changes(
        "CreateImage",
        "`InstanceId`, `Name`, `Description`, `NoReboot`, `BlockDeviceMapping.N.Ebs.Encrypted`/`KmsKeyId`, `TagSpecification.N` for the image",
        |a| a.create_image(),
    ),
    changes(
        "CopyImage",
        "`SourceImageId`, `SourceRegion`, `Name`, `Description`, `Encrypted`, `KmsKeyId`, `CopyImageTags`, `TagSpecification.N`, `ClientToken`",
        |a| a.copy_image(),
    ),
    changes(
        "DeregisterImage",
        "`ImageId`, `DeleteAssociatedSnapshots`",
        |a| a.deregister_image(),
    ),
    reads(
        "DescribeImageAttribute",
        "`ImageId`, `Attribute`: `launchPermission`, `description`, `lastLaunchedTime`, `deregistrationProtection`, `productCodes`; `blockDeviceMapping` is `AuthFailure`, as AWS documents (DescribeImages reads it)",
        |a| a.describe_image_attribute(),
    ),
    changes(
        "ModifyImageAttribute",
        "`ImageId`, `LaunchPermission.Add.N`/`Remove.N` (`UserId`, `Group`, `OrganizationArn`, `OrganizationalUnitArn`), the older `Attribute`/`OperationType`/`UserId.N`/`UserGroup.N`, `Description.Value`; one change, made whole or not at all (a permission already there is kept); `ProductCode.N` (`Attribute` `productCodes`) is `UnsupportedOperation`, as AWS documents",
        |a| a.modify_image_attribute(),
    ),
    changes(
        "CancelImageLaunchPermission",
        "`ImageId` (an image shared with the caller's own account; a public image or an organization's or OU's share stays as its owner set it)",
        |a| a.cancel_image_launch_permission(),
    ),
    changes(
        "ReplaceImageInstanceTypeSpecification",
        "`ImageId`, `InstanceTypeSpecification.SupportedInstanceType.N` and `.UnsupportedInstanceType.N` (type names or `*` patterns such as `t3.*`, at most 100 each, each once; neither removes the specification). RunInstances then refuses another type (`InvalidParameterCombination`); copies carry it",
        |a| a.replace_image_instance_types(),
    ),
    changes(
        "AttachImageWatermark",
        "`ImageId` (the caller's, not public), `WatermarkName` (3 to 128 letters, digits, spaces and `()[]./-'@_`): answers `ACCOUNT:NAME`. Copies, and images created from instances of it, carry it; a watermarked image cannot be made public",
        |a| a.attach_image_watermark(),
    ),
    changes(
        "DetachImageWatermark",
        "`ImageId`, `WatermarkKey` (from this image only; images made from it keep theirs)",
        |a| a.detach_image_watermark(),
    ),
    changes(
        "ResetImageAttribute",
        "`ImageId`, `Attribute` launchPermission",
        |a| a.reset_image_attribute(),
    ),
    changes(
        "EnableImage",
        "`ImageId`",
        |a| a.image_life(Life::Enable(true)),
    ),
    changes(
        "DisableImage",
        "`ImageId`",
        |a| a.image_life(Life::Enable(false)),
    ),
    changes(
        "EnableImageDeprecation",
        "`ImageId`, `DeprecateAt`",
        |a| a.image_life(Life::Deprecate(true)),
    ),
    changes(
        "DisableImageDeprecation",
        "`ImageId`",
        |a| a.image_life(Life::Deprecate(false)),
    ),
    changes(
        "EnableImageDeregistrationProtection",
        "`ImageId`, `WithCooldown`",
        |a| a.image_life(Life::Protect(true)),
    ),
    changes(
        "DisableImageDeregistrationProtection",
        "`ImageId`",
        |a| a.image_life(Life::Protect(false)),
    ),
    reads(
        "DescribeImageReferences",
        "`ImageId.N`, `IncludeAllResourceTypes`, `ResourceType.N.ResourceType` (instances are what references an amisim image), `MaxResults`, `NextToken`",
        |a| a.describe_image_references(),
    ),
    reads(
        "GetImageAncestry",
        "`ImageId`: the image, then the image each was copied from or whose instance made it, up to 50, ending at an image with no source or one the caller cannot see (its ID alone)",
        |a| a.get_image_ancestry(),
    ),
    changes(
        "CreateImageUsageReport",
        "`ImageId` (the caller's), `ResourceType.N.ResourceType` (`ec2:Instance`, counted; `ec2:LaunchTemplate` with `ResourceTypeOption.M` `version-depth` 1 to 10000, `imagebuilder:ImageRecipe`, `imagebuilder:ContainerRecipe`, of which amisim has none), `AccountId.N` (at most 200), `TagSpecification.N` for `image-usage-report`, `ClientToken`: other accounts' instances of the image, as they are now, kept 30 days",
        |a| a.create_image_usage_report(),
    ),
    reads(
        "DescribeImageUsageReports",
        "`ReportId.N`, `ImageId.N`, `Filter.N` (`creation-time`, `state`), `MaxResults` (1 to 1000), `NextToken`",
        |a| a.describe_image_usage_reports(),
    ),
    reads(
        "DescribeImageUsageReportEntries",
        "`ReportId.N`, `ImageId.N`, `Filter.N` (`account-id`, `creation-time`, `resource-type`), `MaxResults` (1 to 1000), `NextToken`",
        |a| a.describe_image_usage_report_entries(),
    ),
    changes(
        "DeleteImageUsageReport",
        "`ReportId`",
        |a| a.delete_image_usage_report(),
    ),
    changes(
        "CreateStoreImageTask",
        "`ImageId` (the caller's, or shared with its account together with its snapshots; EBS-backed, at most 5,000 GB, no Marketplace product codes), `Bucket` (a simulated bucket: the first object makes it the caller's in its region), `S3ObjectTag.N`: answers the object's key, `IMAGE-ID.bin`; the task completes at once and the object is billed as S3 Standard storage",
        |a| a.create_store_image_task(),
    ),
    reads(
        "DescribeStoreImageTasks",
        "`ImageId.N` (at most 20), `Filter.N` (`task-state`, `bucket`), `MaxResults` (1 to 200), `NextToken`: the last 31 days' tasks, newest first",
        |a| a.describe_store_image_tasks(),
    ),
    changes(
        "CreateRestoreImageTask",
        "`Bucket`, `ObjectKey` (an object in a bucket of the caller's), `Name` (the stored image's when left out; unique in the account and region), `TagSpecification.N` for the image: a new image whose source is the image stored",
        |a| a.create_restore_image_task(),
    ),
    reads(
        "GetImageBlockPublicAccessState",
        "",
        |a| a.block_public_access(None),
    ),
    changes(
        "EnableImageBlockPublicAccess",
        "`ImageBlockPublicAccessState` block-new-sharing",
        |a| a.block_public_access(Some(true)),
    ),
    changes(
        "DisableImageBlockPublicAccess",
        "",
        |a| a.block_public_access(Some(false)),
    ),
    reads(
        "GetAllowedImagesSettings",
        "",
        |a| a.get_allowed_images(),
    ),
    changes(
        "EnableAllowedImagesSettings",
        "`AllowedImagesSettingsState` enabled or audit-mode",
        |a| a.set_allowed_images(true),
    ),
    changes(
        "DisableAllowedImagesSettings",
        "",
        |a| a.set_allowed_images(false),
    ),
    changes(
        "ReplaceImageCriteriaInAllowedImagesSettings",
        "`ImageCriterion.N` (`ImageProvider.M`, `ImageName.M`, `MarketplaceProductCode.M`, `CreationDateCondition.MaximumDaysSinceCreated`, `DeprecationTimeCondition.MaximumDaysSinceDeprecated`, `ImageWatermark.M` (`WatermarkKey`, `SourceImageRegion`, `MaximumDaysSinceSourceImageCreated`, `MaximumDaysSinceWatermarkCreated`))",
        |a| a.replace_image_criteria(),
    ),
    reads(
        "ListImagesInRecycleBin",
        "`ImageId.N`, `MaxResults` (1 to 1000), `NextToken`",
        |a| a.list_recycle_bin(true),
    ),
    changes(
        "RestoreImageFromRecycleBin",
        "`ImageId`",
        |a| a.restore_from_recycle_bin(true),
    ),
    reads(
        "GetInstanceUefiData",
        "`InstanceId` (amisim instances have no UEFI data: `UnsupportedOperation`)",
        |a| a.get_instance_uefi_data(),
    ),
    reads(
        "DescribeSnapshots",
        "`SnapshotId.N`, `Owner.N` (`self` or account IDs), `RestorableBy.N` self, `Filter.N` (`snapshot-id`, `owner-id`, `status`, `encrypted`, `volume-size`, `kms-key-id`), `MaxResults`, `NextToken`",
        |a| a.describe_snapshots(),
    ),
    reads(
        "DescribeSnapshotAttribute",
        "`SnapshotId`, `Attribute` createVolumePermission or productCodes",
        |a| a.describe_snapshot_attribute(),
    ),
    changes(
        "ModifySnapshotAttribute",
        "`SnapshotId`, `CreateVolumePermission.Add.N`/`Remove.N` `.UserId`, or `Attribute=createVolumePermission`, `OperationType`, `UserId.N`",
        |a| a.modify_snapshot_attribute(),
    ),
    changes(
        "DeleteSnapshot",
        "`SnapshotId`",
        |a| a.delete_snapshot(),
    ),
    reads(
        "ListSnapshotsInRecycleBin",
        "`SnapshotId.N`, `MaxResults` (1 to 1000), `NextToken`",
        |a| a.list_recycle_bin(false),
    ),
    changes(
        "RestoreSnapshotFromRecycleBin",
        "`SnapshotId`",
        |a| a.restore_from_recycle_bin(false),
    ),
    changes(
        "CreateTags",
        "`ResourceId.N` (images and instances), `Tag.N.Key`/`Value`",
        |a| a.tags(true),
    ),
    changes(
        "DeleteTags",
        "`ResourceId.N` (images and instances), `Tag.N.Key`/`Value`",
        |a| a.tags(false),
    ),
    reads(
        "DescribeTags",
        "`Filter.N` (`key`, `value`, `resource-id`, `resource-type` image or instance, `tag:KEY`), `MaxResults`, `NextToken`",
        |a| a.describe_tags(),
    ),
    changes(
        "RunInstances",
        "`ImageId`, `InstanceType`, `MinCount`/`MaxCount` (1 to 20), `UserData` (base64), `BlockDeviceMapping.N.Ebs.DeleteOnTermination`, `TagSpecification.N` for the instance, `ClientToken`",
        |a| a.run_instances(),
    ),
    reads(
        "DescribeInstances",
        "`InstanceId.N` (terminated instances stay described), `Filter.N` (`instance-id`, `image-id`, `instance-type`, `instance-state-name`, `instance-state-code`, `architecture`, `platform`, `root-device-type`, `tag-key`, `tag:KEY`), `MaxResults`, `NextToken`",
        |a| a.describe_instances(),
    ),
    changes(
        "StartInstances",
        "`InstanceId.N`",
        |a| a.change_instances(Change::Start),
    ),
    changes(
        "StopInstances",
        "`InstanceId.N`, `Force`",
        |a| a.change_instances(Change::Stop),
    ),
    changes(
        "TerminateInstances",
        "`InstanceId.N`",
        |a| a.change_instances(Change::Terminate),
    ),
    reads(
        "DescribeInstanceAttribute",
        "`InstanceId`, `Attribute` (`instanceType`, `userData`, `disableApiTermination`, `disableApiStop`, `instanceInitiatedShutdownBehavior`, `rootDeviceName`, `blockDeviceMapping`, and the flags amisim does not model, with their defaults)",
        |a| a.describe_instance_attribute(),
    ),
    changes(
        "ModifyInstanceAttribute",
        "`InstanceId`, `InstanceType.Value` or `Attribute=instanceType` with `Value` (a stopped instance), `BlockDeviceMapping.N.Ebs.DeleteOnTermination`",
        |a| a.modify_instance_attribute(),
    ),
    reads(
        "DescribeInstanceImageMetadata",
        "`InstanceId.N` (the caller's), `Filter.N` (`availability-zone`, `zone-id`, `instance-id`, `instance-type`, `instance-state-name`, `launch-time`, `image-allowed`, `owner-alias`, `owner-id`, `tag-key`, `tag:KEY`), `MaxResults` (1 to 1000), `NextToken`: the image each instance was launched from, also once deprecated, deregistered, no longer shared or not allowed",
        |a| a.describe_instance_image_metadata(),
    ),
    reads(
        "DescribeInstanceCreditSpecifications",
        "`InstanceId.N`, `Filter.N` instance-id, `MaxResults`, `NextToken`",
        |a| a.describe_instance_credit_specifications(),
    ),
    reads(
        "DescribeInstanceTypes",
        "`InstanceType.N` (the types amisim models, with their architectures and vCPUs)",
        |a| a.describe_instance_types(),
    ),
    reads(
        "DescribeVolumes",
        "`VolumeId.N`, `Filter.N` (`volume-id`, `status`, `size`, `encrypted`, `snapshot-id`, `attachment.instance-id`, `attachment.delete-on-termination`), `MaxResults` (5 to 500), `NextToken`",
        |a| a.describe_volumes(),
    ),
    changes(
        "DeleteVolume",
        "`VolumeId` (a root volume kept after its instance terminated)",
        |a| a.delete_volume(),
    ),
    reads(
        "DescribeRegions",
        "`RegionName.N`, `AllRegions`",
        |a| a.describe_regions(),
    ),
    reads(
        "DescribeAvailabilityZones",
        "`ZoneName.N`, `ZoneId.N`, `AllAvailabilityZones`, `Filter.N` (`zone-name`, `zone-id`, `region-name`, `state`, `zone-type`)",
        |a| a.describe_availability_zones(),
    ),
    refused(
        "ImportImage",
        "VM Import/Export turns virtual machine disks into AMIs and back; amisim simulates no disks to import or export",
        Effect::Changes,
    ),
    refused(
        "ExportImage",
        "VM Import/Export turns virtual machine disks into AMIs and back; amisim simulates no disks to import or export",
        Effect::Changes,
    ),
    refused(
        "DescribeImportImageTasks",
        "VM Import/Export turns virtual machine disks into AMIs and back; amisim simulates no disks to import or export",
        Effect::Reads,
    ),
    refused(
        "DescribeExportImageTasks",
        "VM Import/Export turns virtual machine disks into AMIs and back; amisim simulates no disks to import or export",
        Effect::Reads,
    ),
    refused(
        "DescribeFastLaunchImages",
        "Windows fast launch keeps pre-provisioned snapshots to launch Windows faster; launches in amisim take no time to shorten",
        Effect::Reads,
    ),
    refused(
        "EnableFastLaunch",
        "Windows fast launch keeps pre-provisioned snapshots to launch Windows faster; launches in amisim take no time to shorten",
        Effect::Changes,
    ),
    refused(
        "DisableFastLaunch",
        "Windows fast launch keeps pre-provisioned snapshots to launch Windows faster; launches in amisim take no time to shorten",
        Effect::Changes,
    ),
    refused(
        "GetImageFindings",
        "its findings come from the scans of Amazon Inspector, which amisim does not simulate",
        Effect::Reads,
    ),
    refused(
        "CreateFpgaImage",
        "Amazon FPGA Images (AFIs) are FPGA designs, not AMIs",
        Effect::Changes,
    ),
    refused(
        "CopyFpgaImage",
        "Amazon FPGA Images (AFIs) are FPGA designs, not AMIs",
        Effect::Changes,
    ),
    refused(
        "DeleteFpgaImage",
        "Amazon FPGA Images (AFIs) are FPGA designs, not AMIs",
        Effect::Changes,
    ),
    refused(
        "DescribeFpgaImages",
        "Amazon FPGA Images (AFIs) are FPGA designs, not AMIs",
        Effect::Reads,
    ),
    refused(
        "DescribeFpgaImageAttribute",
        "Amazon FPGA Images (AFIs) are FPGA designs, not AMIs",
        Effect::Reads,
    ),
    refused(
        "ModifyFpgaImageAttribute",
        "Amazon FPGA Images (AFIs) are FPGA designs, not AMIs",
        Effect::Changes,
    ),
    refused(
        "ResetFpgaImageAttribute",
        "Amazon FPGA Images (AFIs) are FPGA designs, not AMIs",
        Effect::Changes,
    ),
]);

/// A change in an image's life: on (`true`) or off.
#[derive(Clone, Copy)]
enum Life {
    /// EnableImage or DisableImage.
    Enable(bool),
    /// EnableImageDeprecation or DisableImageDeprecation.
    Deprecate(bool),
    /// EnableImageDeregistrationProtection or its Disable.
    Protect(bool),
}

/// An EC2 adapter: reads the request, makes its calls, writes the answer.
type Handler = fn(&mut Action<'_>) -> Result<(), Fault>;

/// The rows of docs/aws-api.md.
pub fn rows() -> Vec<Row> {
    OPERATIONS.rows()
}

/// Answers an EC2 request as `caller`.
pub fn answer(
    cloud: &mut Cloud,
    caller: &Caller,
    p: &Params,
    request_id: &str,
) -> Result<Vec<u8>, Fault> {
    let action = p.required("Action")?;
    let op = OPERATIONS
        .find(action)
        .ok_or_else(|| invalid_action(action))?;
    let handler = op.handler.ok_or_else(|| not_modelled(op.name, op.params))?;
    let mut out = Out::new(op.name, request_id);
    if p.flag("DryRun")? {
        // The request is made whole, and all of it discarded: it would have
        // succeeded, or it names why not.
        let made = cloud
            .discarded(|cloud| {
                handler(&mut Action {
                    name: op.name,
                    cloud,
                    caller,
                    p,
                    out: &mut out,
                })
            })
            .map_err(Fault::from)?;
        return Err(dry_run(made));
    }
    handler(&mut Action {
        name: op.name,
        cloud,
        caller,
        p,
        out: &mut out,
    })?;
    Ok(out.finish())
}

/// The answer to a dry run, from what the request made (and discarded):
/// `DryRunOperation` when it would have succeeded, `UnauthorizedOperation`
/// when the caller may not act so on the object, and any other refusal as
/// it is.
fn dry_run(made: Result<(), Fault>) -> Fault {
    match made {
        Ok(()) => Fault::with_status(
            412,
            "DryRunOperation",
            "Request would have succeeded, but DryRun flag is set.",
        ),
        Err(f) if f.code == "AuthFailure" || f.code == "UnauthorizedOperation" => {
            Fault::with_status(
                403,
                "UnauthorizedOperation",
                format!(
                    "You are not authorized to perform this operation. {}",
                    f.message
                ),
            )
        }
        Err(f) => f,
    }
}

/// The refusal of an action amisim does not answer, naming those it does.
fn invalid_action(action: &str) -> Fault {
    Fault::bad(
        "InvalidAction",
        format!(
            "The action {} is not valid for this web service, or amisim does not model it; it answers {}",
            action.chars().take(64).collect::<String>(),
            OPERATIONS.names("")
        ),
    )
}

/// The refusal of an action AWS has and amisim refuses by name, saying why.
fn not_modelled(action: &str, why: &str) -> Fault {
    Fault::bad(
        "InvalidAction",
        format!("amisim does not model {action}: {why}"),
    )
}

/// An answer being written: `<{Action}Response>` with its request ID first.
struct Out {
    root: String,
    xml: Xml,
}

impl Out {
    fn new(action: &str, request_id: &str) -> Out {
        let root = format!("{action}Response");
        let mut xml = Xml::new(&root, Some(EC2_NS));
        xml.text("requestId", request_id);
        Out { root, xml }
    }

    fn finish(self) -> Vec<u8> {
        self.xml.finish(&self.root)
    }
}

/// One action being answered.
struct Action<'a> {
    /// The action, as its row names it.
    name: &'static str,
    cloud: &'a mut Cloud,
    caller: &'a Caller,
    p: &'a Params,
    out: &'a mut Out,
}

impl Action<'_> {
    /// Refuses unread parameters: the request is parsed whole before any
    /// call is made.
    fn ready(&self) -> Result<(), Fault> {
        self.p.check_all_read(self.name)
    }

    fn call<R: amisim_simulator::Call>(&mut self, request: &R) -> Result<R::Output, Fault> {
        self.cloud.call(self.caller, request).map_err(Fault::from)
    }

    /// The image `id` as the caller sees it, or `InvalidAMIID.NotFound`.
    fn image(&mut self, id: &str) -> Result<Image, Fault> {
        self.call(&DescribeImage::new(id))?.ok_or_else(|| {
            Fault::bad(
                "InvalidAMIID.NotFound",
                format!("The image id '[{id}]' does not exist"),
            )
        })
    }

    /// The caller's instance `id`, or `InvalidInstanceID.NotFound`.
    fn instance(&mut self, id: &str) -> Result<amisim_simulator::Instance, Fault> {
        self.call(&DescribeInstance::new(id))?.ok_or_else(|| {
            Fault::bad(
                "InvalidInstanceID.NotFound",
                format!("The instance ID '{id}' does not exist"),
            )
        })
    }

    fn describe_images(&mut self) -> Result<(), Fault> {
        let p = self.p;
        let ids = p.list("ImageId")?;
        let mut filters = Vec::new();
        for m in p.members("Filter")? {
            let name = p.required(&format!("{m}.Name"))?.to_string();
            filters.push((name, p.list(&format!("{m}.Value"))?));
        }
        if !ids.is_empty() {
            filters.push(("image-id".to_string(), ids.clone()));
        }
        let request = DescribeImages {
            owners: p.list("Owner")?,
            executable_users: p.list("ExecutableBy")?,
            name_regex: None,
            filters,
            include_disabled: p.flag("IncludeDisabled")?,
            include_deprecated: p.flag("IncludeDeprecated")?,
        };
        let page = Paged::of(p, (!ids.is_empty()).then_some("ImageIds"))?;
        self.ready()?;
        let mut images = self.call(&request)?;
        // Named images must exist for the caller, as in AWS; a deregistered
        // image of its own is still described, with its state. Every missing
        // one is named, as AWS names them.
        let mut missing: Vec<(&str, Fault)> = Vec::new();
        for id in &ids {
            if images.iter().any(|i| &i.id == id) || missing.iter().any(|(m, _)| m == id) {
                continue;
            }
            match self.image(id) {
                Ok(image) => images.push(image),
                Err(f) if f.code == "InvalidAMIID.NotFound" => missing.push((id, f)),
                Err(f) => return Err(f),
            }
        }
        if missing.len() == 1 {
            return Err(missing.remove(0).1);
        }
        if !missing.is_empty() {
            let named: Vec<&str> = missing.iter().map(|(id, _)| *id).collect();
            return Err(Fault::bad(
                "InvalidAMIID.NotFound",
                format!("The image ids '[{}]' do not exist", named.join(", ")),
            ));
        }
        let (shown, next) = Paged::cut(&page, &images)?;
        self.out.xml.open("imagesSet");
        for image in shown {
            let public = self.cloud.image_details(image).map_err(Fault::from)?.public;
            image_item(&mut self.out.xml, image, public);
        }
        self.out.xml.close("imagesSet");
        self.out.xml.opt("nextToken", next.as_deref());
        Ok(())
    }

    fn register_image(&mut self) -> Result<(), Fault> {
        let p = self.p;
        let name = p.required("Name")?.to_string();
        let mut request = RegisterImage {
            name,
            description: p.get("Description").unwrap_or_default().to_string(),
            architecture: p.get("Architecture").map(str::to_string),
            billing_products: p.list("BillingProduct")?,
            ..RegisterImage::default()
        };
        if let Some(v) = p.get("VirtualizationType") {
            if v != "hvm" {
                return Err(Fault::bad(
                    "InvalidParameterValue",
                    format!("amisim images are hvm; VirtualizationType {v:?} is not modelled"),
                ));
            }
        }
        // The image's platform follows its billing product, as in AWS.
        if request
            .billing_products
            .iter()
            .any(|b| b == WINDOWS_BILLING_PRODUCT)
        {
            request.platform = Some("windows".to_string());
        }
        let root = p.get("RootDeviceName").map(str::to_string);
        let devices = p.members("BlockDeviceMapping")?;
        if devices.len() > 1 {
            return Err(Fault::bad(
                "InvalidParameterValue",
                "amisim images have one root device: give one BlockDeviceMapping",
            ));
        }
        match devices.first() {
            Some(m) => {
                let device = p.get(&format!("{m}.DeviceName")).map(str::to_string);
                if let (Some(d), Some(r)) = (&device, &root) {
                    if d != r {
                        return Err(Fault::bad(
                            "InvalidParameterValue",
                            format!("the block device {d} is not the root device {r}: amisim images have one root device"),
                        ));
                    }
                }
                if p.get(&format!("{m}.VirtualName")).is_some() {
                    request.root_device_type = Some(RootDevice::InstanceStore.to_string());
                } else {
                    request.root_device_type = Some(RootDevice::Ebs.to_string());
                    if let Some(snapshot) = p.get(&format!("{m}.Ebs.SnapshotId")) {
                        return Err(Fault::bad(
                            "InvalidParameter",
                            format!("amisim registers an image with storage of its own; registering from the snapshot {snapshot} is not modelled. Leave out Ebs.SnapshotId, or copy the image that owns that snapshot"),
                        ));
                    }
                    request.root_volume_size_gb = p.int(&format!("{m}.Ebs.VolumeSize"))?;
                    request.encrypted = p.flag(&format!("{m}.Ebs.Encrypted"))?;
                    request.kms_key_id = p.get(&format!("{m}.Ebs.KmsKeyId")).map(str::to_string);
                    if let Some(t) = p.get(&format!("{m}.Ebs.VolumeType")) {
                        if t != "gp2" && t != "gp3" {
                            return Err(Fault::bad(
                                "InvalidParameterValue",
                                format!("amisim root volumes are gp2 or gp3, not {t:?}"),
                            ));
                        }
                    }
                    if p.bool(&format!("{m}.Ebs.DeleteOnTermination"))? == Some(false) {
                        return Err(Fault::bad(
                            "InvalidParameter",
                            "an image's root volume is deleted when its instance terminates; keep it with the instance's own setting instead",
                        ));
                    }
                }
            }
            None => {
                request.root_device_type = Some(RootDevice::Ebs.to_string());
            }
        }
        if let Some(v) = p.bool("EnaSupport")? {
            if !v {
                return Err(Fault::bad(
                    "InvalidParameterValue",
                    "amisim images support ENA; EnaSupport false is not modelled",
                ));
            }
        }
        request.tags = image_tags(p)?;
        self.ready()?;
        let image = self.call(&request)?;
        self.out.xml.text("imageId", &image.id);
        Ok(())
    }

    fn copy_image(&mut self) -> Result<(), Fault> {
        let p = self.p;
        let mut tags = p.tag_specifications(&["image"])?;
        let request = CopyImage {
            source_image_id: p.required("SourceImageId")?.to_string(),
            source_region: p.required("SourceRegion")?.to_string(),
            name: p.required("Name")?.to_string(),
            description: p.get("Description").unwrap_or_default().to_string(),
            encrypted: p.bool("Encrypted")?,
            kms_key_id: p.get("KmsKeyId").map(str::to_string),
            tags: tags.remove("image").unwrap_or_default(),
            copy_image_tags: p.flag("CopyImageTags")?,
        };
        // AWS makes a copy idempotent by ClientToken; amisim's copies are
        // already unique by name, so a repeated request is refused as a
        // duplicate name instead of answered twice.
        let _ = p.get("ClientToken");
        self.ready()?;
        let image = self.call(&request)?;
        self.out.xml.text("imageId", &image.id);
        Ok(())
    }

    fn deregister_image(&mut self) -> Result<(), Fault> {
        let p = self.p;
        let id = p.required("ImageId")?.to_string();
        let request =
            DeregisterImage::new(&id, p.flag("DeleteAssociatedSnapshots")?).refusing_absent();
        self.ready()?;
        // The call refuses an image that is not there, so that the event log
        // holds the refusal the client gets.
        self.call(&request)?;
        self.out.xml.bool("return", true);
        Ok(())
    }

    fn describe_image_attribute(&mut self) -> Result<(), Fault> {
        let p = self.p;
        let id = p.required("ImageId")?.to_string();
        let attribute = p.required("Attribute")?.to_string();
        self.ready()?;
        match attribute.as_str() {
            "launchPermission" => {
                let permissions = self.call(&DescribeLaunchPermissions { image_id: id.clone() })?;
                self.out.xml.text("imageId", &id).open("launchPermission");
                for perm in permissions {
                    self.out.xml.open("item");
                    principal_item(&mut self.out.xml, &perm.principal);
                    self.out.xml.close("item");
                }
                self.out.xml.close("launchPermission");
            }
            "description" => {
                let image = self.image(&id)?;
                self.out
                    .xml
                    .text("imageId", &id)
                    .open("description")
                    .text("value", &image.description)
                    .close("description");
            }
            "lastLaunchedTime" => {
                let image = self.image(&id)?;
                self.out.xml.text("imageId", &id).open("lastLaunchedTime");
                self.out.xml.opt("value", image.last_launched_time.as_deref());
                self.out.xml.close("lastLaunchedTime");
            }
            "deregistrationProtection" => {
                let image = self.image(&id)?;
                self.out
                    .xml
                    .text("imageId", &id)
                    .open("deregistrationProtection")
                    .text("value", image.deregistration_protection.as_str())
                    .close("deregistrationProtection");
            }
            // As AWS documents: the mapping is read with DescribeImages.
            "blockDeviceMapping" => {
                return Err(Fault::with_status(
                    401,
                    "AuthFailure",
                    "Unauthorized attempt to access restricted resource: the blockDeviceMapping attribute is not read with DescribeImageAttribute; read the image's BlockDeviceMappings with DescribeImages",
                ))
            }
            "productCodes" => {
                let image = self.image(&id)?;
                self.out.xml.text("imageId", &id);
                product_codes(&mut self.out.xml, &image);
            }
            other => {
                return Err(Fault::bad(
                    "InvalidParameterValue",
                    format!("Value ({other}) for parameter attribute is invalid: amisim answers launchPermission, description, lastLaunchedTime, deregistrationProtection and productCodes"),
                ))
            }
        }
        Ok(())
    }

    fn modify_image_attribute(&mut self) -> Result<(), Fault> {
        let p = self.p;
        let id = p.required("ImageId")?.to_string();
        let mut add = principals(p, "LaunchPermission.Add")?;
        let mut remove = principals(p, "LaunchPermission.Remove")?;
        // The older form: Attribute=launchPermission, OperationType, UserId.N, UserGroup.N.
        let attribute = p.get("Attribute").map(str::to_string);
        let mut older: Vec<Principal> = p
            .list("UserId")?
            .into_iter()
            .map(Principal::Account)
            .collect();
        older.extend(p.list("UserGroup")?.into_iter().map(Principal::Group));
        older.extend(
            p.list("OrganizationArn")?
                .into_iter()
                .map(Principal::Organization),
        );
        older.extend(
            p.list("OrganizationalUnitArn")?
                .into_iter()
                .map(Principal::OrganizationalUnit),
        );
        older_form(
            p.get("OperationType"),
            older,
            (&mut add, &mut remove),
            "UserId or UserGroup",
        )?;
        // As AWS documents: product codes are not added to an image; AWS
        // Marketplace sets them on the images of a product it publishes.
        if !p.list("ProductCode")?.is_empty() || attribute.as_deref() == Some("productCodes") {
            return Err(Fault::bad(
                "UnsupportedOperation",
                format!("Product codes cannot be added to the image {id}: AWS Marketplace sets them on the images of the products it publishes; read them with DescribeImageAttribute productCodes"),
            ));
        }
        if let Some(a) = &attribute {
            if a != "launchPermission" && a != "description" {
                return Err(Fault::bad(
                    "InvalidParameterValue",
                    format!("Value ({a}) for parameter attribute is invalid: amisim changes launchPermission and description"),
                ));
            }
        }
        let description = p
            .get("Description.Value")
            .or_else(|| match attribute.as_deref() {
                Some("description") => p.get("Value"),
                _ => None,
            })
            .map(str::to_string);
        if add.is_empty() && remove.is_empty() && description.is_none() {
            return Err(Fault::bad(
                "MissingParameter",
                "The request must change something: LaunchPermission.Add, LaunchPermission.Remove or Description",
            ));
        }
        self.ready()?;
        self.call(&ModifyImage {
            image_id: id,
            description,
            tags: None,
            launch_permission_add: add,
            launch_permission_remove: remove,
        })?;
        self.out.xml.bool("return", true);
        Ok(())
    }

    /// CancelImageLaunchPermission: the caller leaves a share made to its account.
    fn cancel_image_launch_permission(&mut self) -> Result<(), Fault> {
        let id = self.p.required("ImageId")?.to_string();
        self.ready()?;
        self.call(&CancelLaunchPermission::new(id))?;
        self.out.xml.bool("return", true);
        Ok(())
    }

    /// ReplaceImageInstanceTypeSpecification: the instance types the image
    /// runs on; no specification removes it.
    fn replace_image_instance_types(&mut self) -> Result<(), Fault> {
        let p = self.p;
        let id = p.required("ImageId")?.to_string();
        let supported = p.list("InstanceTypeSpecification.SupportedInstanceType")?;
        let unsupported = p.list("InstanceTypeSpecification.UnsupportedInstanceType")?;
        let specification = (!supported.is_empty() || !unsupported.is_empty()).then_some(
            InstanceTypeSpecification {
                supported,
                unsupported,
            },
        );
        self.ready()?;
        self.call(&ReplaceImageInstanceTypes {
            image_id: id,
            specification,
        })?;
        self.out.xml.bool("returnValue", true);
        Ok(())
    }

    /// AttachImageWatermark: answers the watermark's key.
    fn attach_image_watermark(&mut self) -> Result<(), Fault> {
        let p = self.p;
        let request = AttachWatermark {
            image_id: p.required("ImageId")?.to_string(),
            name: p.required("WatermarkName")?.to_string(),
        };
        self.ready()?;
        let key = self.call(&request)?;
        self.out.xml.text("watermarkKey", &key);
        Ok(())
    }

    /// DetachImageWatermark: succeeds also when the watermark is not there.
    fn detach_image_watermark(&mut self) -> Result<(), Fault> {
        let p = self.p;
        let request = DetachWatermark {
            image_id: p.required("ImageId")?.to_string(),
            key: p.required("WatermarkKey")?.to_string(),
        };
        self.ready()?;
        self.call(&request)?;
        self.out.xml.bool("return", true);
        Ok(())
    }

    /// CreateTags (`add`) or DeleteTags on images.
    fn tags(&mut self, add: bool) -> Result<(), Fault> {
        let p = self.p;
        let ids = p.list("ResourceId")?;
        if ids.is_empty() {
            return Err(Fault::bad(
                "MissingParameter",
                "The request must contain the parameter ResourceId",
            ));
        }
        let mut given = Vec::new();
        for m in p.members("Tag")? {
            let key = p.required(&format!("{m}.Key"))?.to_string();
            given.push((key, p.get(&format!("{m}.Value")).map(str::to_string)));
        }
        if add && given.is_empty() {
            return Err(Fault::bad(
                "MissingParameter",
                "The request must contain the parameter Tag",
            ));
        }
        if let Some(other) = ids
            .iter()
            .find(|id| !id.starts_with("ami-") && !id.starts_with("i-"))
        {
            return Err(Fault::bad(
                "InvalidParameterValue",
                format!("amisim tags images (ami-…) and instances (i-…) through CreateTags and DeleteTags; {other} is neither"),
            ));
        }
        self.ready()?;
        for id in &ids {
            let mut tags: Tags = if id.starts_with("i-") {
                self.instance(id)?.tags
            } else {
                self.image(id)?.tags
            };
            for (key, value) in &given {
                if add {
                    tags.insert(key.clone(), value.clone().unwrap_or_default());
                } else if value.as_ref().is_none_or(|v| tags.get(key) == Some(v)) {
                    tags.remove(key);
                }
            }
            // DeleteTags with no Tag removes every tag, as in AWS.
            if !add && given.is_empty() {
                tags.clear();
            }
            if id.starts_with("i-") {
                self.call(&TagInstance::new(id, &tags))?;
            } else {
                self.call(&ModifyImage {
                    image_id: id.clone(),
                    tags: Some(tags),
                    ..ModifyImage::default()
                })?;
            }
        }
        self.out.xml.bool("return", true);
        Ok(())
    }

    /// ModifySnapshotAttribute (createVolumePermission): which accounts may
    /// read a snapshot, which a copy by another account needs.
    fn modify_snapshot_attribute(&mut self) -> Result<(), Fault> {
        let p = self.p;
        let id = p.required("SnapshotId")?.to_string();
        let mut add = Vec::new();
        let mut remove = Vec::new();
        for (prefix, into) in [
            ("CreateVolumePermission.Add", &mut add),
            ("CreateVolumePermission.Remove", &mut remove),
        ] {
            for m in p.members(prefix)? {
                if p.get(&format!("{m}.Group")).is_some() {
                    return Err(Fault::bad(
                        "InvalidParameter",
                        "amisim shares snapshots with accounts (UserId), not with groups",
                    ));
                }
                into.push(p.required(&format!("{m}.UserId"))?.to_string());
            }
        }
        if let Some(a) = p.get("Attribute") {
            if a != "createVolumePermission" {
                return Err(Fault::bad(
                    "InvalidParameterValue",
                    format!("Value ({a}) for parameter attribute is invalid: amisim changes createVolumePermission"),
                ));
            }
        }
        older_form(
            p.get("OperationType"),
            p.list("UserId")?,
            (&mut add, &mut remove),
            "UserId",
        )?;
        if !p.list("UserGroup")?.is_empty() {
            return Err(Fault::bad(
                "InvalidParameter",
                "amisim shares snapshots with accounts (UserId), not with groups",
            ));
        }
        if add.is_empty() && remove.is_empty() {
            return Err(Fault::bad(
                "MissingParameter",
                "The request must add or remove a createVolumePermission",
            ));
        }
        self.ready()?;
        for account in &add {
            unless_granted(
                self.cloud
                    .call(self.caller, &AddStoragePermission::new(&id, account)),
            )?;
        }
        for account in &remove {
            self.call(&RemoveStoragePermission::new(&id, account))?;
        }
        self.out.xml.bool("return", true);
        Ok(())
    }

    fn delete_snapshot(&mut self) -> Result<(), Fault> {
        let id = self.p.required("SnapshotId")?.to_string();
        self.ready()?;
        self.call(&DeleteSnapshot::new(&id).refusing_absent())?;
        self.out.xml.bool("return", true);
        Ok(())
    }

    /// Enable/DisableImage, Enable/DisableImageDeprecation,
    /// Enable/DisableImageDeregistrationProtection.
    fn image_life(&mut self, change: Life) -> Result<(), Fault> {
        let p = self.p;
        let id = p.required("ImageId")?.to_string();
        let deprecate_at = match change {
            Life::Deprecate(true) => Some(p.required("DeprecateAt")?.to_string()),
            _ => None,
        };
        let cooldown = match change {
            Life::Protect(true) => p.flag("WithCooldown")?,
            _ => false,
        };
        self.ready()?;
        let image = match change {
            Life::Enable(true) => self.call(&EnableImage::new(&id))?,
            Life::Enable(false) => self.call(&DisableImage::new(&id))?,
            Life::Deprecate(_) => {
                self.call(&SetImageDeprecation::new(&id, deprecate_at.as_deref()))?
            }
            Life::Protect(on) => {
                let mode = match (on, cooldown) {
                    (false, _) => "disabled",
                    (true, true) => "enabled-with-cooldown",
                    (true, false) => "enabled",
                };
                self.call(&SetDeregistrationProtection::new(&id, mode))?
            }
        };
        if let Life::Protect(_) = change {
            // AWS answers these two with the protection's state, as text.
            self.out
                .xml
                .text("return", image.deregistration_protection.as_str());
        } else {
            self.out.xml.bool("return", true);
        }
        Ok(())
    }

    /// Get (`None`), Enable or Disable ImageBlockPublicAccess in the caller's region.
    fn block_public_access(&mut self, block: Option<bool>) -> Result<(), Fault> {
        let p = self.p;
        let state = match block {
            Some(true) => {
                let state = p.required("ImageBlockPublicAccessState")?.to_string();
                Some(state)
            }
            Some(false) => Some("unblocked".to_string()),
            None => None,
        };
        self.ready()?;
        let state = match state {
            Some(state) => {
                self.call(&SetBlockPublicAccess::new(state))?
                    .block_public_access
            }
            None => self.call(&GetImageSettings {})?.block_public_access,
        };
        self.out.xml.text("imageBlockPublicAccessState", &state);
        Ok(())
    }

    /// DescribeInstanceTypes: the types amisim models, from its catalogue.
    fn describe_instance_types(&mut self) -> Result<(), Fault> {
        let p = self.p;
        let named = p.list("InstanceType")?;
        if !p.members("Filter")?.is_empty() {
            return Err(Fault::bad(
                "InvalidParameter",
                "amisim's DescribeInstanceTypes takes InstanceType.N, not filters",
            ));
        }
        let _ = p.int("MaxResults")?;
        let _ = p.get("NextToken");
        self.ready()?;
        if let Some(bad) = named.iter().find(|n| catalogue::instance_type(n).is_none()) {
            return Err(Fault::bad(
                "InvalidInstanceType",
                format!(
                    "The following supplied instance types do not exist: [{bad}]. amisim models {}",
                    catalogue::instance_type_names()
                ),
            ));
        }
        let x = &mut self.out.xml;
        x.open("instanceTypeSet");
        for t in catalogue::INSTANCE_TYPES
            .iter()
            .filter(|t| named.is_empty() || named.iter().any(|n| n == t.name))
        {
            x.open("item")
                .text("instanceType", t.name)
                .bool(
                    "currentGeneration",
                    !t.name.starts_with("t1.") && !t.name.starts_with("m1."),
                )
                .open("processorInfo")
                .open("supportedArchitectures");
            for a in t.architectures {
                x.text("item", a);
            }
            x.close("supportedArchitectures")
                .close("processorInfo")
                .open("vCpuInfo")
                .text("defaultVCpus", &t.vcpus.to_string())
                .close("vCpuInfo")
                .close("item");
        }
        x.close("instanceTypeSet");
        Ok(())
    }

    fn describe_regions(&mut self) -> Result<(), Fault> {
        let p = self.p;
        let named = p.list("RegionName")?;
        let _ = p.flag("AllRegions")?;
        self.ready()?;
        if let Some(bad) = named.iter().find(|r| !catalogue::is_region(r)) {
            return Err(Fault::bad(
                "InvalidParameterValue",
                format!("Invalid region: {bad}"),
            ));
        }
        self.out.xml.open("regionInfo");
        for region in catalogue::REGIONS
            .iter()
            .filter(|r| named.is_empty() || named.iter().any(|n| n == *r))
        {
            self.out
                .xml
                .open("item")
                .text("regionName", region)
                .text("regionEndpoint", &format!("ec2.{region}.amazonaws.com"))
                .text("optInStatus", "opt-in-not-required")
                .close("item");
        }
        self.out.xml.close("regionInfo");
        Ok(())
    }
}

/// The older form of ModifyImageAttribute and ModifySnapshotAttribute:
/// `OperationType` (`add` or `remove`) says which of `into` the listed
/// `targets` (`UserId.N`, …, named by `listed` in the refusal) go to.
fn older_form<T>(
    operation: Option<&str>,
    targets: Vec<T>,
    into: (&mut Vec<T>, &mut Vec<T>),
    listed: &str,
) -> Result<(), Fault> {
    match operation {
        Some("add") => into.0.extend(targets),
        Some("remove") => into.1.extend(targets),
        Some(other) => {
            return Err(Fault::bad(
                "InvalidParameterValue",
                format!("Value ({other}) for parameter operationType is invalid: add or remove"),
            ))
        }
        None if !targets.is_empty() => {
            return Err(Fault::bad(
                "MissingParameter",
                format!("The request must contain the parameter OperationType (add or remove) with {listed}"),
            ))
        }
        None => {}
    }
    Ok(())
}

/// Ok for a permission granted, or one that was already there (AWS keeps
/// it and answers true).
fn unless_granted<T>(result: amisim_simulator::Result<T>) -> Result<(), Fault> {
    match result {
        Ok(_) => Ok(()),
        Err(e) if e.kind == ErrorKind::PermissionDuplicate => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// The principals of `LaunchPermission.Add.N` or `.Remove.N`.
fn principals(p: &Params, prefix: &str) -> Result<Vec<Principal>, Fault> {
    let mut out = Vec::new();
    for m in p.members(prefix)? {
        let given = [
            (
                "UserId",
                p.get(&format!("{m}.UserId"))
                    .map(|v| Principal::Account(v.to_string())),
            ),
            (
                "Group",
                p.get(&format!("{m}.Group"))
                    .map(|v| Principal::Group(v.to_string())),
            ),
            (
                "OrganizationArn",
                p.get(&format!("{m}.OrganizationArn"))
                    .map(|v| Principal::Organization(v.to_string())),
            ),
            (
                "OrganizationalUnitArn",
                p.get(&format!("{m}.OrganizationalUnitArn"))
                    .map(|v| Principal::OrganizationalUnit(v.to_string())),
            ),
        ];
        let mut found: Vec<Principal> = given.into_iter().filter_map(|(_, v)| v).collect();
        if found.len() != 1 {
            return Err(Fault::bad(
                "InvalidParameterCombination",
                format!("{m} must name exactly one of UserId, Group, OrganizationArn or OrganizationalUnitArn"),
            ));
        }
        out.append(&mut found);
    }
    Ok(out)
}

/// A launch permission's principal as EC2 writes it.
fn principal_item(x: &mut Xml, principal: &Principal) {
    match principal {
        Principal::Account(a) => x.text("userId", a),
        Principal::Group(g) => x.text("group", g),
        Principal::Organization(o) => x.text("organizationArn", o),
        Principal::OrganizationalUnit(u) => x.text("organizationalUnitArn", u),
    };
}

/// `tagSet`, when there are tags.
fn tag_set(x: &mut Xml, tags: &Tags) {
    if tags.is_empty() {
        return;
    }
    x.open("tagSet");
    for (k, v) in tags {
        x.open("item").text("key", k).text("value", v).close("item");
    }
    x.close("tagSet");
}

/// The tags of a new image from its `TagSpecification.N`: amisim tags the
/// image, and refuses tags meant for its snapshots.
pub(super) fn image_tags(p: &Params) -> Result<Tags, Fault> {
    let mut tags = p.tag_specifications(&["image", "snapshot"])?;
    let image = tags.remove("image").unwrap_or_default();
    if !tags.is_empty() {
        return Err(Fault::bad(
            "InvalidParameter",
            "amisim tags the image, not its snapshots: use a TagSpecification for the image",
        ));
    }
    Ok(image)
}

/// `productCodes`: the image's AWS Marketplace product codes.
fn product_codes(x: &mut Xml, image: &Image) {
    x.open("productCodes");
    for code in image.product_codes() {
        x.open("item")
            .text("productCode", code)
            .text("type", "marketplace")
            .close("item");
    }
    x.close("productCodes");
}

/// `blockDeviceMapping`: the image's root device and its storage, or a
/// loaded image's devices as its file gave them.
fn block_devices(x: &mut Xml, image: &Image) {
    if let Some(devices) = image
        .fixture
        .as_ref()
        .map(|f| &f.devices)
        .filter(|d| !d.is_empty())
    {
        // An instance-store image's bundle is its root, mapped by name.
        let mut snapshots = image.storage_ids.iter().filter(|s| s.starts_with("snap-"));
        x.open("blockDeviceMapping");
        for d in devices {
            x.open("item").text("deviceName", &d.device_name);
            x.opt("virtualName", d.virtual_name.as_deref());
            if let Some(ebs) = &d.ebs {
                x.open("ebs");
                x.opt("snapshotId", snapshots.next().map(String::as_str));
                x.text(
                    "volumeSize",
                    &ebs.volume_size.unwrap_or(image.size_gb).to_string(),
                )
                .bool(
                    "deleteOnTermination",
                    ebs.delete_on_termination.unwrap_or(true),
                )
                .text(
                    "volumeType",
                    ebs.volume_type.as_deref().unwrap_or(ROOT_VOLUME_TYPE),
                )
                .bool("encrypted", false)
                .close("ebs");
            }
            x.close("item");
        }
        x.close("blockDeviceMapping");
        return;
    }
    x.open("blockDeviceMapping")
        .open("item")
        .text("deviceName", image.root_device_name());
    if image.root_device_type == RootDevice::Ebs {
        x.open("ebs");
        x.opt("snapshotId", image.storage_ids.first().map(String::as_str));
        x.text("volumeSize", &image.size_gb.to_string())
            .bool("deleteOnTermination", true)
            .text("volumeType", ROOT_VOLUME_TYPE)
            .bool("encrypted", image.encrypted);
        x.opt("kmsKeyId", image.kms_key_arn.as_deref());
        x.close("ebs");
    } else {
        x.text("virtualName", "ephemeral0");
    }
    x.close("item").close("blockDeviceMapping");
}

/// One image of `imagesSet`, with every field botocore's `Image` shape
/// names that amisim models.
/// `instanceTypeSpecification`, when the image's owner set one.
fn instance_type_specification(x: &mut Xml, image: &Image) {
    if image.supported_instance_types.is_empty() && image.unsupported_instance_types.is_empty() {
        return;
    }
    x.open("instanceTypeSpecification");
    for (set, types) in [
        ("supportedInstanceTypeSet", &image.supported_instance_types),
        (
            "unsupportedInstanceTypeSet",
            &image.unsupported_instance_types,
        ),
    ] {
        x.open(set);
        for t in types {
            x.open("item").text("instanceType", t).close("item");
        }
        x.close(set);
    }
    x.close("instanceTypeSpecification");
}

/// `imageWatermarkSet`: the image's watermarks, when it has any.
pub(super) fn watermark_set(x: &mut Xml, image: &Image) {
    if image.watermarks.is_empty() {
        return;
    }
    x.open("imageWatermarkSet");
    for w in &image.watermarks {
        x.open("item")
            .text("watermarkKey", &w.key)
            .text("sourceImageRegion", &w.source_image_region)
            .text("sourceImageId", &w.source_image_id)
            .text("sourceImageCreationTime", &w.source_image_creation_time)
            .text("watermarkCreationTime", &w.creation_time)
            .close("item");
    }
    x.close("imageWatermarkSet");
}

fn image_item(x: &mut Xml, image: &Image, public: bool) {
    let (platform_details, usage_operation) = image.platform_details();
    x.open("item")
        .text("imageId", &image.id)
        .text("imageLocation", &image.location())
        .text("imageState", image.state.as_str())
        .text("imageOwnerId", &image.owner_id)
        .text("creationDate", &image.creation_date)
        .bool("isPublic", public)
        .text("architecture", &image.architecture)
        .text("imageType", image.image_type());
    if image.platform == "windows" {
        x.text("platform", "windows");
    }
    x.text("platformDetails", platform_details)
        .text("usageOperation", usage_operation);
    x.opt("imageOwnerAlias", image.owner_alias.as_deref());
    x.text("name", &image.name)
        .text("description", &image.description)
        .text("rootDeviceType", image.root_device_type.as_str())
        .text("rootDeviceName", image.root_device_name());
    block_devices(x, image);
    product_codes(x, image);
    x.text("virtualizationType", image.virtualization_type())
        .text("hypervisor", image.hypervisor());
    x.opt(
        "sriovNetSupport",
        image.fixture.as_ref().and_then(|f| f.sriov.as_deref()),
    );
    x.bool("enaSupport", true)
        .text("bootMode", image.boot_mode());
    tag_set(x, &image.tags);
    if !image.billing_products.is_empty() {
        x.open("billingProducts");
        for b in &image.billing_products {
            x.open("item").text("billingProduct", b).close("item");
        }
        x.close("billingProducts");
    }
    x.opt("deprecationTime", image.deprecation_time.as_deref());
    x.opt("sourceInstanceId", image.source_instance_id.as_deref());
    x.text(
        "deregistrationProtection",
        image.deregistration_protection.as_str(),
    );
    x.opt("lastLaunchedTime", image.last_launched_time.as_deref());
    x.opt("sourceImageId", image.source_image_id.as_deref());
    x.opt("sourceImageRegion", image.source_image_region.as_deref());
    instance_type_specification(x, image);
    watermark_set(x, image);
    x.close("item");
}

/// EC2's `MaxResults` and `NextToken`: which part of a listing to answer.
struct Paged;

impl Paged {
    /// The page asked for; `named` is the list parameter (`ImageIds`, …)
    /// when the request names its items, which leaves no pages to ask for.
    fn of(p: &Params, named: Option<&str>) -> Result<Page, Fault> {
        Paged::within(p, named, 5, 1000)
    }

    /// [`Paged::of`] for an action whose `MaxResults` is from `least` to `most`.
    fn within(p: &Params, named: Option<&str>, least: i64, most: i64) -> Result<Page, Fault> {
        let max = p.int("MaxResults")?;
        let token = p.get("NextToken");
        if let Some(list) = named.filter(|_| max.is_some() || token.is_some()) {
            return Err(Fault::bad(
                "InvalidParameterCombination",
                format!("The parameter {list} cannot be used with the parameter maxResults"),
            ));
        }
        let max = match max {
            None => None,
            Some(n) if (least..=most).contains(&n) => Some(n as usize),
            Some(n) => {
                return Err(Fault::bad(
                    "InvalidParameterValue",
                    format!("Value ({n}) for parameter maxResults is invalid. Expecting a value between {least} and {most}."),
                ))
            }
        };
        Page::asked(token, max).ok_or_else(|| {
            Fault::bad(
                "InvalidParameterValue",
                format!(
                    "The NextToken {:?} is not one this server gave",
                    token
                        .unwrap_or_default()
                        .chars()
                        .take(40)
                        .collect::<String>()
                ),
            )
        })
    }

    /// The items of `page`, and the token of the next if there is one.
    fn cut<'a, T>(page: &Page, items: &'a [T]) -> Result<(&'a [T], Option<String>), Fault> {
        if page.start > items.len() {
            return Err(Fault::bad(
                "InvalidParameterValue",
                "The NextToken is past the end of the listing; list again from the start",
            ));
        }
        Ok(page.cut(items))
    }
}
