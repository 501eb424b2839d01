//! EC2 instances over the Query protocol: RunInstances, DescribeInstances,
//! Start/Stop/TerminateInstances, their attributes and the images they were
//! launched from, over the simulator's instance calls.

use amisim_simulator::{
    CreateImage, DescribeInstanceImageMetadata, DescribeInstances, Instance, InstanceImageMetadata,
    InstanceState, ModifyInstanceType, RunInstance, SetRootDeleteOnTermination, StartInstance,
    StopInstance, TerminateInstance,
};
use base64::Engine;

use super::filter::Filters;
use super::{Action, Paged};
use crate::fault::Fault;
use crate::xml::Xml;
use amisim_simulator::filters;

/// EC2's code for an instance state.
fn state(x: &mut Xml, element: &str, name: &str) {
    x.open(element)
        .text("code", amisim_simulator::model::instance_state_code(name))
        .text("name", name)
        .close(element);
}

impl Action<'_> {
    pub(super) fn run_instances(&mut self) -> Result<(), Fault> {
        let p = self.p;
        let image_id = p.required("ImageId")?.to_string();
        let instance_type = p.get("InstanceType").unwrap_or("m1.small").to_string();
        let min = p.int("MinCount")?.unwrap_or(1);
        let max = p.int("MaxCount")?.unwrap_or(min);
        if !(1..=20).contains(&min) || max < min || max > 20 {
            return Err(Fault::bad(
                "InvalidParameterValue",
                format!("MinCount {min} and MaxCount {max} must be from 1 to 20, and MinCount at most MaxCount"),
            ));
        }
        let user_data = match p.get("UserData") {
            None => String::new(),
            Some(encoded) => base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| {
                    Fault::bad(
                        "InvalidParameterValue",
                        "Invalid BASE64 encoding of user data: UserData is the base64 of UTF-8 text",
                    )
                })?,
        };
        let mut root_delete_on_termination = None;
        for m in p.members("BlockDeviceMapping")? {
            let _ = p.get(&format!("{m}.DeviceName"));
            root_delete_on_termination = p.bool(&format!("{m}.Ebs.DeleteOnTermination"))?;
        }
        for flag in ["DisableApiTermination", "DisableApiStop", "EbsOptimized"] {
            if p.flag(flag)? {
                return Err(Fault::bad(
                    "InvalidParameter",
                    format!("amisim does not model {flag}; leave it out or false"),
                ));
            }
        }
        let mut tags = p.tag_specifications(&["instance"])?;
        let tags = tags.remove("instance").unwrap_or_default();
        // AWS makes a launch idempotent by ClientToken (the SDKs always send
        // one); amisim answers each request anew.
        let _ = p.get("ClientToken");
        self.ready()?;
        let mut launched = Vec::new();
        for _ in 0..max {
            launched.push(self.call(&RunInstance {
                image_id: image_id.clone(),
                instance_type: instance_type.clone(),
                user_data: user_data.clone(),
                state: None,
                root_delete_on_termination,
                tags: tags.clone(),
            })?);
        }
        let owner = self.caller.account_id.clone();
        let x = &mut self.out.xml;
        x.text("reservationId", &reservation_id(&launched[0]))
            .text("ownerId", &owner)
            .open("groupSet")
            .close("groupSet")
            .open("instancesSet");
        for (n, i) in launched.iter().enumerate() {
            instance_item(x, i, n);
        }
        x.close("instancesSet");
        Ok(())
    }

    pub(super) fn describe_instances(&mut self) -> Result<(), Fault> {
        let p = self.p;
        let ids = p.list("InstanceId")?;
        let filters = Filters::of(p, filters::INSTANCE_FILTERS, self.name)?;
        let page = Paged::of(p, (!ids.is_empty()).then_some("InstanceIds"))?;
        self.ready()?;
        let instances: Vec<Instance> = self
            .listed_instances(&ids)?
            .into_iter()
            .filter(|i| filters.pass(|name| filters::instance_values(i, name)))
            .collect();
        let (shown, next) = Paged::cut(&page, &instances)?;
        let owner = self.caller.account_id.clone();
        let x = &mut self.out.xml;
        x.open("reservationSet");
        for i in shown {
            x.open("item")
                .text("reservationId", &reservation_id(i))
                .text("ownerId", &owner)
                .open("groupSet")
                .close("groupSet")
                .open("instancesSet");
            instance_item(x, i, 0);
            x.close("instancesSet").close("item");
        }
        x.close("reservationSet");
        x.opt("nextToken", next.as_deref());
        Ok(())
    }

    /// DescribeInstanceImageMetadata: each of the caller's instances and the
    /// image it was launched from, even one it can no longer see.
    pub(super) fn describe_instance_image_metadata(&mut self) -> Result<(), Fault> {
        let p = self.p;
        let ids = p.list("InstanceId")?;
        let filters = Filters::of(p, IMAGE_METADATA_FILTERS, self.name)?;
        let page = Paged::within(p, None, 1, 1000)?;
        self.ready()?;
        let found: Vec<InstanceImageMetadata> = self
            .call(&DescribeInstanceImageMetadata { instance_ids: ids })?
            .into_iter()
            .filter(|m| filters.pass(|name| image_metadata_values(m, name)))
            .collect();
        let (shown, next) = Paged::cut(&page, &found)?;
        let x = &mut self.out.xml;
        x.open("instanceImageMetadataSet");
        for m in shown {
            let i = &m.instance;
            let (zone, zone_id) = super::account::instance_zone(&i.region);
            x.open("item")
                .text("instanceId", &i.id)
                .text("instanceType", &i.instance_type)
                .text("launchTime", &i.launch_time)
                .text("availabilityZone", &zone)
                .text("zoneId", &zone_id);
            state(x, "instanceState", i.state.as_str());
            x.text("instanceOwnerId", &i.owner_id);
            super::tag_set(x, &i.tags);
            x.open("imageMetadata").text("imageId", &i.image_id);
            if let Some(image) = &m.image {
                x.text("name", &image.name)
                    .text("imageOwnerId", &image.owner_id)
                    .text("imageState", image.state.as_str())
                    .opt("imageOwnerAlias", image.owner_alias.as_deref())
                    .text("creationDate", &image.creation_date)
                    .opt("deprecationTime", image.deprecation_time.as_deref())
                    .bool("imageAllowed", m.image_allowed)
                    .bool("isPublic", m.image_public);
                super::watermark_set(x, image);
            }
            x.close("imageMetadata").close("item");
        }
        x.close("instanceImageMetadataSet");
        x.opt("nextToken", next.as_deref());
        Ok(())
    }

    /// The instances named, each of which must exist, or all of the caller's.
    fn listed_instances(&mut self, ids: &[String]) -> Result<Vec<Instance>, Fault> {
        if ids.is_empty() {
            return self.call(&DescribeInstances {});
        }
        let mut found = Vec::new();
        for id in ids {
            found.push(self.instance(id)?);
        }
        Ok(found)
    }

    /// DescribeInstanceAttribute: one attribute of one of the caller's instances.
    pub(super) fn describe_instance_attribute(&mut self) -> Result<(), Fault> {
        let p = self.p;
        let id = p.required("InstanceId")?.to_string();
        let attribute = p.required("Attribute")?.to_string();
        if !INSTANCE_ATTRIBUTES.contains(&attribute.as_str()) {
            return Err(Fault::bad(
                "InvalidParameterValue",
                format!(
                    "Value ({}) for parameter attribute is invalid: amisim answers {}",
                    attribute.chars().take(64).collect::<String>(),
                    INSTANCE_ATTRIBUTES.join(", ")
                ),
            ));
        }
        self.ready()?;
        let i = self.instance(&id)?;
        let x = &mut self.out.xml;
        x.text("instanceId", &i.id);
        let value = |x: &mut Xml, element: &str, v: &str| {
            x.open(element).text("value", v).close(element);
        };
        match attribute.as_str() {
            "instanceType" => value(x, "instanceType", &i.instance_type),
            "userData" => {
                x.open("userData");
                if !i.user_data.is_empty() {
                    x.text(
                        "value",
                        &base64::engine::general_purpose::STANDARD.encode(&i.user_data),
                    );
                }
                x.close("userData");
            }
            "rootDeviceName" => value(
                x,
                "rootDeviceName",
                amisim_simulator::model::root_device(&i.platform, i.root_device_type),
            ),
            "instanceInitiatedShutdownBehavior" => {
                value(x, "instanceInitiatedShutdownBehavior", "stop")
            }
            "blockDeviceMapping" => root_volume(x, &i),
            "productCodes" => {
                x.open("productCodes").close("productCodes");
            }
            "groupSet" => {
                x.open("groupSet").close("groupSet");
            }
            "kernel" | "ramdisk" => {
                x.open(&attribute).close(&attribute);
            }
            "sriovNetSupport" => {
                x.open("sriovNetSupport").close("sriovNetSupport");
            }
            // Flags amisim does not model, with the values every instance has.
            flag => {
                let on = matches!(flag, "enaSupport" | "sourceDestCheck");
                x.open(flag).bool("value", on).close(flag);
            }
        }
        Ok(())
    }

    /// ModifyInstanceAttribute: the instance type of a stopped instance, and
    /// DeleteOnTermination of its root volume.
    pub(super) fn modify_instance_attribute(&mut self) -> Result<(), Fault> {
        let p = self.p;
        let id = p.required("InstanceId")?.to_string();
        let mut instance_type = p.get("InstanceType.Value").map(str::to_string);
        match p.get("Attribute") {
            Some("instanceType") => {
                instance_type = Some(p.required("Value")?.to_string());
            }
            Some(other) => {
                return Err(Fault::bad(
                    "InvalidParameterValue",
                    format!("Value ({}) for parameter attribute is invalid: amisim changes instanceType (and the root volume's DeleteOnTermination through BlockDeviceMapping)", other.chars().take(64).collect::<String>()),
                ))
            }
            None => {}
        }
        let mut delete_on_termination = None;
        for m in p.members("BlockDeviceMapping")? {
            let _ = p.get(&format!("{m}.DeviceName"));
            let _ = p.get(&format!("{m}.Ebs.VolumeId"));
            let name = format!("{m}.Ebs.DeleteOnTermination");
            p.required(&name)?;
            delete_on_termination = p.bool(&name)?;
        }
        // Both flags are false on every instance: setting one false is a
        // change to nothing, setting one true is refused naming it.
        let mut flags = 0;
        for flag in ["DisableApiTermination", "DisableApiStop"] {
            match p.bool(&format!("{flag}.Value"))? {
                Some(true) => {
                    return Err(Fault::bad(
                        "InvalidParameter",
                        format!("amisim does not model {flag}; every instance can be stopped and terminated"),
                    ))
                }
                Some(false) => flags += 1,
                None => {}
            }
        }
        if instance_type.is_none() && delete_on_termination.is_none() && flags == 0 {
            return Err(Fault::bad(
                "MissingParameter",
                "The request must change something amisim models: InstanceType or BlockDeviceMapping.N.Ebs.DeleteOnTermination",
            ));
        }
        self.ready()?;
        if let Some(t) = instance_type {
            self.call(&ModifyInstanceType::new(&id, t))?;
        }
        if let Some(d) = delete_on_termination {
            self.call(&SetRootDeleteOnTermination::new(&id, d))?;
        }
        self.out.xml.bool("return", true);
        Ok(())
    }

    /// DescribeInstanceCreditSpecifications: burstable (T) instances run
    /// `standard` (T2) or `unlimited` (T3 and later) credits, as AWS's defaults.
    pub(super) fn describe_instance_credit_specifications(&mut self) -> Result<(), Fault> {
        let p = self.p;
        let ids = p.list("InstanceId")?;
        let filters = Filters::of(p, &["instance-id"], self.name)?;
        let page = Paged::within(p, (!ids.is_empty()).then_some("InstanceIds"), 5, 1000)?;
        self.ready()?;
        let burstable: Vec<Instance> = self
            .listed_instances(&ids)?
            .into_iter()
            .filter(|i| i.instance_type.starts_with('t') && i.state != InstanceState::Terminated)
            .filter(|i| filters.pass(|_| vec![i.id.clone()]))
            .collect();
        let (shown, next) = Paged::cut(&page, &burstable)?;
        let x = &mut self.out.xml;
        x.open("instanceCreditSpecificationSet");
        for i in shown {
            let credits = if i.instance_type.starts_with("t2.") {
                "standard"
            } else {
                "unlimited"
            };
            x.open("item")
                .text("instanceId", &i.id)
                .text("cpuCredits", credits)
                .close("item");
        }
        x.close("instanceCreditSpecificationSet");
        x.opt("nextToken", next.as_deref());
        Ok(())
    }

    /// GetInstanceUefiData: amisim instances boot legacy BIOS and keep no
    /// UEFI variable store, as AWS answers for such instances.
    pub(super) fn get_instance_uefi_data(&mut self) -> Result<(), Fault> {
        let id = self.p.required("InstanceId")?.to_string();
        self.ready()?;
        let i = self.instance(&id)?;
        Err(Fault::bad(
            "UnsupportedOperation",
            format!("The instance {} boots legacy BIOS and has no UEFI data: amisim does not model UEFI boot", i.id),
        ))
    }

    /// CreateImage: an image of one of the caller's instances.
    pub(super) fn create_image(&mut self) -> Result<(), Fault> {
        let p = self.p;
        let mut request = CreateImage {
            instance_id: p.required("InstanceId")?.to_string(),
            name: p.required("Name")?.to_string(),
            description: p.get("Description").unwrap_or_default().to_string(),
            ..CreateImage::default()
        };
        let _ = p.flag("NoReboot")?;
        for m in p.members("BlockDeviceMapping")? {
            let _ = p.get(&format!("{m}.DeviceName"));
            request.encrypted |= p.flag(&format!("{m}.Ebs.Encrypted"))?;
            if let Some(k) = p.get(&format!("{m}.Ebs.KmsKeyId")) {
                request.kms_key_id = Some(k.to_string());
            }
        }
        request.tags = super::image_tags(p)?;
        self.ready()?;
        let image = self.call(&request)?;
        self.out.xml.text("imageId", &image.id);
        Ok(())
    }

    /// StartInstances, StopInstances or TerminateInstances of `InstanceId.N`.
    pub(super) fn change_instances(&mut self, change: Change) -> Result<(), Fault> {
        let p = self.p;
        let ids = p.list("InstanceId")?;
        if ids.is_empty() {
            return Err(Fault::bad(
                "MissingParameter",
                "The request must contain the parameter InstanceId",
            ));
        }
        let _ = p.flag("Force")?;
        self.ready()?;
        let mut changes = Vec::new();
        for id in &ids {
            let before = self.instance(id)?;
            let now = match change {
                Change::Start => self.call(&StartInstance::new(id))?.state,
                Change::Stop => self.call(&StopInstance::new(id))?.state,
                Change::Terminate => {
                    self.call(&TerminateInstance::new(id))?;
                    InstanceState::Terminated
                }
            };
            changes.push((id.clone(), before.state, now));
        }
        let x = &mut self.out.xml;
        x.open("instancesSet");
        for (id, before, now) in changes {
            x.open("item").text("instanceId", &id);
            state(x, "currentState", now.as_str());
            state(x, "previousState", before.as_str());
            x.close("item");
        }
        x.close("instancesSet");
        Ok(())
    }
}

/// What StartInstances, StopInstances and TerminateInstances do.
#[derive(Clone, Copy)]
pub(super) enum Change {
    Start,
    Stop,
    Terminate,
}

/// The filters DescribeInstanceImageMetadata takes.
const IMAGE_METADATA_FILTERS: &[&str] = &[
    "availability-zone",
    "zone-id",
    "instance-id",
    "instance-type",
    "instance-state-name",
    "launch-time",
    "image-allowed",
    "owner-alias",
    "owner-id",
    "tag-key",
    "tag:",
];

/// An instance's values for a filter of DescribeInstanceImageMetadata; the
/// owner filters are its image's.
fn image_metadata_values(m: &InstanceImageMetadata, name: &str) -> Vec<String> {
    let i = &m.instance;
    let (zone, zone_id) = super::account::instance_zone(&i.region);
    match name {
        "availability-zone" => vec![zone],
        "zone-id" => vec![zone_id],
        "launch-time" => vec![i.launch_time.clone()],
        "image-allowed" => vec![m.image_allowed.to_string()],
        "owner-id" => m.image.iter().map(|img| img.owner_id.clone()).collect(),
        "owner-alias" => m
            .image
            .iter()
            .filter_map(|img| img.owner_alias.clone())
            .collect(),
        _ => filters::instance_values(i, name),
    }
}

/// The attributes DescribeInstanceAttribute answers.
const INSTANCE_ATTRIBUTES: &[&str] = &[
    "instanceType",
    "kernel",
    "ramdisk",
    "userData",
    "disableApiTermination",
    "instanceInitiatedShutdownBehavior",
    "rootDeviceName",
    "blockDeviceMapping",
    "productCodes",
    "sourceDestCheck",
    "groupSet",
    "ebsOptimized",
    "sriovNetSupport",
    "enaSupport",
    "enclaveOptions",
    "disableApiStop",
];

/// `blockDeviceMapping` of an instance: its EBS root volume, if it has one.
fn root_volume(x: &mut Xml, i: &Instance) {
    let root = amisim_simulator::model::root_device(&i.platform, i.root_device_type);
    x.open("blockDeviceMapping");
    if let Some(volume) = &i.root_volume_id {
        x.open("item")
            .text("deviceName", root)
            .open("ebs")
            .text("volumeId", volume)
            .text("status", "attached")
            .text("attachTime", &i.launch_time)
            .bool("deleteOnTermination", i.root_delete_on_termination)
            .close("ebs")
            .close("item");
    }
    x.close("blockDeviceMapping");
}

/// A reservation ID for an instance: `r-` and the hex of its ID.
fn reservation_id(i: &Instance) -> String {
    format!("r-{}", i.id.trim_start_matches("i-"))
}

/// One instance of `instancesSet`, with the fields botocore's `Instance`
/// shape names that amisim models.
fn instance_item(x: &mut Xml, i: &Instance, index: usize) {
    let root = amisim_simulator::model::root_device(&i.platform, i.root_device_type);
    x.open("item")
        .text("instanceId", &i.id)
        .text("imageId", &i.image_id);
    state(x, "instanceState", i.state.as_str());
    x.text("privateDnsName", "")
        .text("dnsName", "")
        .text("amiLaunchIndex", &index.to_string())
        .open("productCodes")
        .close("productCodes")
        .text("instanceType", &i.instance_type)
        .text("launchTime", &i.launch_time)
        .open("placement")
        .text("availabilityZone", &format!("{}a", i.region))
        .text("tenancy", "default")
        .close("placement");
    if i.platform == "windows" {
        x.text("platform", "windows");
    }
    x.open("monitoring")
        .text("state", "disabled")
        .close("monitoring")
        .text("architecture", &i.architecture)
        .text("rootDeviceType", i.root_device_type.as_str())
        .text("rootDeviceName", root);
    root_volume(x, i);
    x.text(
        "virtualizationType",
        amisim_simulator::model::VIRTUALIZATION_TYPE,
    )
    .text("hypervisor", amisim_simulator::model::HYPERVISOR);
    super::tag_set(x, &i.tags);
    x.bool("ebsOptimized", false)
        .bool("enaSupport", true)
        .text(
            "platformDetails",
            if i.platform == "windows" {
                "Windows"
            } else {
                "Linux/UNIX"
            },
        )
        .close("item");
}
