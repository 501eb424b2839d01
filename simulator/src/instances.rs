//! Instances: launching from images, stopping, starting and terminating.

use serde::{Deserialize, Serialize};

use crate::access;
use crate::call::{calls, Ctx};
use crate::catalogue;
use crate::error::{refuse, ErrorKind, Result};
use crate::model::RootDevice;
use crate::model::{Image, Instance, InstanceState, Storage, StorageKind, Tags};
use crate::store::Tx;
use crate::{attributes, billing, ids, kms, settings, validate};

/// RunInstances for one instance.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RunInstance {
    /// The image to launch; it must be in the caller's region.
    pub image_id: String,
    /// A type from the instance type catalogue, of the image's architecture.
    pub instance_type: String,
    /// A script run at first boot; package installs in it take time.
    pub user_data: String,
    /// `running` (default) or `stopped`.
    pub state: Option<String>,
    /// Whether the EBS root volume is deleted on termination (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_delete_on_termination: Option<bool>,
    /// Tags.
    pub tags: Tags,
}

/// DescribeInstances for one ID (terminated instances included, with their state).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DescribeInstance {
    /// The instance.
    pub instance_id: String,
}

impl DescribeInstance {
    /// DescribeInstances for `instance_id`.
    pub fn new(instance_id: impl Into<String>) -> DescribeInstance {
        DescribeInstance {
            instance_id: instance_id.into(),
        }
    }
}

/// DescribeInstances of every instance the caller has in its region
/// (terminated ones included, as AWS keeps them describable for a while),
/// oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DescribeInstances {}

/// DescribeInstanceImageMetadata: the caller's instances in its region (the
/// ones named, each of which must be the caller's, or all of them) and the
/// image each was launched from, whatever became of that image since:
/// deprecated, disabled, deregistered, no longer shared, or not allowed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DescribeInstanceImageMetadata {
    /// The instances; none for all of the caller's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub instance_ids: Vec<String>,
}

/// An instance and the image it was launched from.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct InstanceImageMetadata {
    /// The instance.
    pub instance: Instance,
    /// Its image, as it is now; none if the cloud no longer holds it.
    pub image: Option<Image>,
    /// Whether the image is public.
    pub image_public: bool,
    /// Whether the caller's Allowed AMIs settings allow the image.
    pub image_allowed: bool,
}

/// StopInstances for one instance.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StopInstance {
    /// The instance.
    pub instance_id: String,
}

impl StopInstance {
    /// StopInstances of `instance_id`.
    pub fn new(instance_id: impl Into<String>) -> StopInstance {
        StopInstance {
            instance_id: instance_id.into(),
        }
    }
}

/// StartInstances for one instance.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartInstance {
    /// The instance.
    pub instance_id: String,
}

impl StartInstance {
    /// StartInstances of `instance_id`.
    pub fn new(instance_id: impl Into<String>) -> StartInstance {
        StartInstance {
            instance_id: instance_id.into(),
        }
    }
}

/// TerminateInstances for one instance; answers false if it was already terminated or unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TerminateInstance {
    /// The instance.
    pub instance_id: String,
}

impl TerminateInstance {
    /// TerminateInstances of `instance_id`.
    pub fn new(instance_id: impl Into<String>) -> TerminateInstance {
        TerminateInstance {
            instance_id: instance_id.into(),
        }
    }
}

/// CreateTags on an instance: its tags change in place.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagInstance {
    /// The instance.
    pub instance_id: String,
    /// The instance's tags: all of them, replacing those it had.
    pub tags: Tags,
}

impl TagInstance {
    /// The tags `tags` for `instance_id`.
    pub fn new(instance_id: impl Into<String>, tags: &Tags) -> TagInstance {
        TagInstance {
            instance_id: instance_id.into(),
            tags: tags.clone(),
        }
    }
}

/// ModifyInstanceAttribute (instance type) of a stopped instance.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModifyInstanceType {
    /// The instance.
    pub instance_id: String,
    /// A type from the instance type catalogue, of the image's architecture.
    pub instance_type: String,
}

impl ModifyInstanceType {
    /// Type `instance_type` for `instance_id`.
    pub fn new(
        instance_id: impl Into<String>,
        instance_type: impl Into<String>,
    ) -> ModifyInstanceType {
        ModifyInstanceType {
            instance_id: instance_id.into(),
            instance_type: instance_type.into(),
        }
    }
}

/// ModifyInstanceAttribute (the root volume's DeleteOnTermination).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetRootDeleteOnTermination {
    /// The instance.
    pub instance_id: String,
    /// Whether the EBS root volume is deleted with the instance.
    pub delete_on_termination: bool,
}

impl SetRootDeleteOnTermination {
    /// DeleteOnTermination `delete_on_termination` for `instance_id`.
    pub fn new(
        instance_id: impl Into<String>,
        delete_on_termination: bool,
    ) -> SetRootDeleteOnTermination {
        SetRootDeleteOnTermination {
            instance_id: instance_id.into(),
            delete_on_termination,
        }
    }
}

calls! {
    RunInstance => Instance, "RunInstances", changes, Image(image_id),
        |r, tx, ctx| run(tx, ctx, r);
    DescribeInstance => Option<Instance>, "DescribeInstances", reads, Instance(instance_id),
        |r, tx, ctx| describe(tx, ctx, &r.instance_id);
    DescribeInstances => Vec<Instance>, "DescribeInstances", reads, Nothing,
        |_, tx, ctx| crate::inventory::instances(tx, crate::store::Filter {
            account: Some(&ctx.caller.account_id),
            region: Some(&ctx.caller.region),
            name: None,
        });
    DescribeInstanceImageMetadata => Vec<InstanceImageMetadata>, "DescribeInstanceImageMetadata", reads, Nothing,
        |r, tx, ctx| image_metadata(tx, ctx, &r.instance_ids);
    StopInstance => Instance, "StopInstances", changes, Instance(instance_id),
        |r, tx, ctx| stop(tx, ctx, &r.instance_id);
    StartInstance => Instance, "StartInstances", changes, Instance(instance_id),
        |r, tx, ctx| start(tx, ctx, &r.instance_id);
    TerminateInstance => bool, "TerminateInstances", changes, Instance(instance_id),
        |r, tx, ctx| terminate(tx, ctx, &r.instance_id);
    TagInstance => Instance, "CreateTags", changes, Instance(instance_id),
        |r, tx, ctx| tag(tx, ctx, &r.instance_id, &r.tags);
    ModifyInstanceType => Instance, "ModifyInstanceAttribute", changes, Instance(instance_id),
        |r, tx, ctx| modify_type(tx, ctx, &r.instance_id, &r.instance_type);
    SetRootDeleteOnTermination => Instance, "ModifyInstanceAttribute", changes, Instance(instance_id),
        |r, tx, ctx| set_root_delete_on_termination(tx, ctx, &r.instance_id, r.delete_on_termination);
}

/// Seconds an EBS-backed Linux instance takes to boot.
pub const BOOT_EBS_SECONDS: i64 = 30;
/// Extra seconds a Windows instance takes to boot.
pub const BOOT_WINDOWS_EXTRA_SECONDS: i64 = 90;
/// Extra seconds an instance-store instance takes (its bundle is copied from S3).
pub const BOOT_INSTANCE_STORE_EXTRA_SECONDS: i64 = 60;
/// Seconds to install one package that the image does not already have.
pub const INSTALL_PACKAGE_SECONDS: i64 = 45;
/// Seconds for a user data step that installs nothing new.
pub const SCRIPT_STEP_SECONDS: i64 = 1;

/// How long an instance of `image` with `user_data` takes to be ready, and its software then.
///
/// Boot time depends on the root device and platform; every package the user
/// data installs that the image does not already carry adds
/// [`INSTALL_PACKAGE_SECONDS`]. This is why a golden image boots faster than a
/// base image plus user data that installs the same software.
pub fn boot_profile(image: &Image, user_data: &str) -> (i64, Vec<String>) {
    let mut seconds = BOOT_EBS_SECONDS;
    if image.platform == "windows" {
        seconds += BOOT_WINDOWS_EXTRA_SECONDS;
    }
    if image.root_device_type == RootDevice::InstanceStore {
        seconds += BOOT_INSTANCE_STORE_EXTRA_SECONDS;
    }
    let mut software = image.baked_software.clone();
    for line in user_data.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        let install_at = words.iter().position(|w| *w == "install");
        let is_installer = words.iter().any(|w| {
            matches!(
                w.rsplit('/').next().unwrap_or(w),
                "yum" | "dnf" | "apt-get" | "apt" | "zypper" | "apk" | "pip" | "pip3" | "choco"
            )
        });
        match install_at {
            Some(at) if is_installer => {
                let mut new = 0;
                for pkg in words[at + 1..].iter().filter(|w| !w.starts_with('-')) {
                    if !software.iter().any(|s| s == pkg) {
                        software.push(pkg.to_string());
                        new += 1;
                    }
                }
                seconds += if new == 0 {
                    SCRIPT_STEP_SECONDS
                } else {
                    new * INSTALL_PACKAGE_SECONDS
                };
            }
            _ => seconds += SCRIPT_STEP_SECONDS,
        }
    }
    software.sort();
    software.dedup();
    (seconds, software)
}

pub(crate) fn run(tx: &mut Tx<'_>, ctx: &Ctx<'_>, req: &RunInstance) -> Result<Instance> {
    let (itype, state) = check_request(req)?;
    let image = launchable_image(tx, ctx, &req.image_id)?;
    check_fit(itype, &image, req, state)?;
    attributes::check_instance_type(&image, itype.name)?;
    let launch_time = ctx.time_after(&[&image.creation_date]);
    let (boot_time_seconds, software) = boot_profile(&image, &req.user_data);
    let prices = billing::price_book(tx)?;
    let hourly_cost_micros =
        billing::instance_hourly_micros(&prices, itype, &image.billing_products);
    // Everything the request says tells instances apart; identical requests are
    // interchangeable, and the n-th of them gets the n-th ID.
    let tags = serde_json::to_string(&req.tags).unwrap_or_default();
    let id = ids::derive::<Instance>(
        tx,
        "i",
        &[
            &ctx.caller.account_id,
            &ctx.caller.region,
            "instance",
            &image.id,
            &req.instance_type,
            &tags,
            &req.user_data,
        ],
    )?;
    let root_volume_id =
        (image.root_device_type == RootDevice::Ebs).then(|| ids::fixed("vol", &[&id]));
    let instance = Instance {
        root_volume_id,
        root_delete_on_termination: req.root_delete_on_termination.unwrap_or(true),
        id,
        region: ctx.caller.region.clone(),
        owner_id: ctx.caller.account_id.clone(),
        image_id: image.id.clone(),
        instance_type: itype.name.to_string(),
        architecture: image.architecture.clone(),
        platform: image.platform.clone(),
        root_device_type: image.root_device_type,
        root_volume_size_gb: image.size_gb,
        billing_products: image.billing_products.clone(),
        software,
        state: if state == "stopped" {
            InstanceState::Stopped
        } else {
            InstanceState::Running
        },
        user_data: req.user_data.clone(),
        boot_time_seconds,
        hourly_cost_micros,
        launch_time,
        root_data_lost: false,
        tags: req.tags.clone(),
    };
    tx.put(&instance)?;
    crate::lifecycle::record_launch(tx, &image, &instance.launch_time)?;
    Ok(instance)
}

/// What a launch request says on its own: its tags, initial state, user
/// data and instance type.
fn check_request(req: &RunInstance) -> Result<(&'static catalogue::InstanceType, &str)> {
    validate::tags(&req.tags)?;
    let state = req.state.as_deref().unwrap_or("running");
    validate::one_of("instance state", state, &["running", "stopped"])?;
    if req.user_data.len() > 16 * 1024 {
        return refuse(
            ErrorKind::InvalidParameterValue,
            format!(
                "user data of {} bytes is larger than 16 KB",
                req.user_data.len()
            ),
            "Keep user data under 16 KB; bake larger set-ups into a golden image instead",
        );
    }
    let Some(itype) = catalogue::instance_type(&req.instance_type) else {
        return refuse(
            ErrorKind::InvalidParameterValue,
            format!(
                "Invalid value '{}' for InstanceType",
                validate::shorten(&req.instance_type)
            ),
            format!("Use one of: {}", catalogue::instance_type_names()),
        );
    };
    Ok((itype, state))
}

/// The image a launch uses: visible to the caller, available, allowed, and
/// readable with the caller's key grants when it is encrypted.
fn launchable_image(tx: &Tx<'_>, ctx: &Ctx<'_>, image_id: &str) -> Result<Image> {
    let image = access::visible(tx, ctx, image_id, &ctx.caller.region)?;
    access::require_available(&image)?;
    crate::settings::check_allowed(tx, ctx, &image, "launched")?;
    if let Some(arn) = &image.kms_key_arn {
        kms::require_decrypt(tx, ctx, arn, &format!("the image {}", image.id), &[])?;
    }
    Ok(image)
}

/// The names of the catalogue's instance types that `keep` keeps, for hints.
fn type_names(keep: impl Fn(&catalogue::InstanceType) -> bool) -> Vec<&'static str> {
    catalogue::INSTANCE_TYPES
        .iter()
        .filter(|t| keep(t))
        .map(|t| t.name)
        .collect()
}

/// Whether the instance type and the request fit the image: its
/// architecture, an instance-store root's families, and what an
/// instance-store root cannot do (be kept, start stopped).
fn check_fit(
    itype: &catalogue::InstanceType,
    image: &Image,
    req: &RunInstance,
    state: &str,
) -> Result<()> {
    if !itype.architectures.contains(&image.architecture.as_str()) {
        return refuse(
            ErrorKind::InvalidParameterValue,
            format!(
                "The architecture '{}' of the specified instance type does not match the architecture '{}' of the specified AMI",
                itype.architectures.join(", "),
                image.architecture
            ),
            format!(
                "Choose an instance type for {}: {}",
                image.architecture,
                type_names(|t| t.architectures.contains(&image.architecture.as_str())).join(", ")
            ),
        );
    }
    if image.root_device_type == RootDevice::InstanceStore && !itype.boots_instance_store() {
        return refuse(
            ErrorKind::UnsupportedOperation,
            format!(
                "The instance type '{}' does not support instance-store-backed AMIs such as {}: only the {} families boot from an instance-store root device",
                itype.name,
                image.id,
                catalogue::INSTANCE_STORE_ROOT_FAMILIES.join(", ").to_uppercase()
            ),
            match type_names(|t| {
                t.boots_instance_store() && t.architectures.contains(&image.architecture.as_str())
            })
            {
                types if types.is_empty() => format!(
                    "No instance type boots an {} instance-store image: register an EBS-backed image instead",
                    image.architecture
                ),
                types => format!(
                    "Launch it on one of {}, or register an EBS-backed image instead",
                    types.join(", ")
                ),
            },
        );
    }
    if req.root_delete_on_termination == Some(false)
        && image.root_device_type == RootDevice::InstanceStore
    {
        return refuse(
            ErrorKind::InvalidParameterCombination,
            format!(
                "the instance-store root device of image {} is always lost when the instance terminates",
                image.id
            ),
            "Leave root_delete_on_termination unset for instance-store images, or launch an EBS-backed image to keep its root volume",
        );
    }
    if state == "stopped" && image.root_device_type == RootDevice::InstanceStore {
        return refuse(
            ErrorKind::UnsupportedOperation,
            format!(
                "an instance of the instance-store-backed image {} cannot be stopped",
                image.id
            ),
            "Launch it with instance_state = \"running\", or use an EBS-backed image",
        );
    }
    Ok(())
}

/// One of the caller's instances in its region (terminated ones included).
pub(crate) fn own_instance(tx: &Tx<'_>, ctx: &Ctx<'_>, instance_id: &str) -> Result<Instance> {
    match tx.get::<Instance>(instance_id)? {
        Some(i) if i.region == ctx.caller.region && i.owner_id == ctx.caller.account_id => Ok(i),
        _ => refuse(
            ErrorKind::InstanceNotFound,
            format!(
                "The instance ID '{}' does not exist in {} for account {}",
                validate::shorten(instance_id),
                ctx.caller.region,
                ctx.caller.account_id
            ),
            "Instances are regional and belong to the account that launched them: check the provider's account and region",
        ),
    }
}

pub(crate) fn image_metadata(
    tx: &mut Tx<'_>,
    ctx: &Ctx<'_>,
    instance_ids: &[String],
) -> Result<Vec<InstanceImageMetadata>> {
    let instances = if instance_ids.is_empty() {
        crate::inventory::instances(
            tx,
            crate::store::Filter {
                account: Some(&ctx.caller.account_id),
                region: Some(&ctx.caller.region),
                name: None,
            },
        )?
    } else {
        instance_ids
            .iter()
            .map(|id| own_instance(tx, ctx, id))
            .collect::<Result<Vec<_>>>()?
    };
    let allowed = settings::settings(tx, &ctx.caller.account_id, &ctx.caller.region)?;
    let mut out = Vec::new();
    for instance in instances {
        // Read past visibility: what the instance came from is its owner's to know.
        let image = access::image_in(tx, &instance.image_id, &instance.region)?;
        let (image_public, image_allowed) = match &image {
            Some(i) => (
                access::is_public(tx, i)?,
                settings::image_allowed(&allowed, &ctx.caller.account_id, i, ctx.epoch),
            ),
            None => (false, false),
        };
        out.push(InstanceImageMetadata {
            instance,
            image,
            image_public,
            image_allowed,
        });
    }
    Ok(out)
}

pub(crate) fn describe(
    tx: &mut Tx<'_>,
    ctx: &Ctx<'_>,
    instance_id: &str,
) -> Result<Option<Instance>> {
    match own_instance(tx, ctx, instance_id) {
        Ok(i) => Ok(Some(i)),
        Err(e) if e.kind == ErrorKind::InstanceNotFound => Ok(None),
        Err(e) => Err(e),
    }
}

fn live_instance(tx: &Tx<'_>, ctx: &Ctx<'_>, instance_id: &str) -> Result<Instance> {
    let instance = own_instance(tx, ctx, instance_id)?;
    if instance.state == InstanceState::Terminated {
        return refuse(
            ErrorKind::IncorrectInstanceState,
            format!("The instance '{instance_id}' is terminated"),
            "Launch a new instance",
        );
    }
    Ok(instance)
}

pub(crate) fn stop(tx: &mut Tx<'_>, ctx: &Ctx<'_>, instance_id: &str) -> Result<Instance> {
    let mut instance = live_instance(tx, ctx, instance_id)?;
    if instance.root_device_type == RootDevice::InstanceStore {
        return refuse(
            ErrorKind::UnsupportedOperation,
            format!(
                "The instance '{instance_id}' does not have an 'ebs' root device type and cannot be stopped"
            ),
            "Instance-store-backed instances can only run or be terminated; use an EBS-backed image to stop and start",
        );
    }
    instance.state = InstanceState::Stopped;
    tx.put(&instance)?;
    Ok(instance)
}

pub(crate) fn start(tx: &mut Tx<'_>, ctx: &Ctx<'_>, instance_id: &str) -> Result<Instance> {
    let mut instance = live_instance(tx, ctx, instance_id)?;
    instance.state = InstanceState::Running;
    tx.put(&instance)?;
    Ok(instance)
}

pub(crate) fn tag(
    tx: &mut Tx<'_>,
    ctx: &Ctx<'_>,
    instance_id: &str,
    tags: &Tags,
) -> Result<Instance> {
    validate::tags(tags)?;
    let mut instance = live_instance(tx, ctx, instance_id)?;
    instance.tags = tags.clone();
    tx.put(&instance)?;
    Ok(instance)
}

pub(crate) fn terminate(tx: &mut Tx<'_>, ctx: &Ctx<'_>, instance_id: &str) -> Result<bool> {
    let mut instance = match own_instance(tx, ctx, instance_id) {
        Ok(i) if i.state != InstanceState::Terminated => i,
        Ok(_) => return Ok(false),
        Err(e) if e.kind == ErrorKind::InstanceNotFound => return Ok(false),
        Err(e) => return Err(e),
    };
    instance.state = InstanceState::Terminated;
    let kept_volume = instance
        .root_volume_id
        .clone()
        .filter(|_| !instance.root_delete_on_termination);
    instance.root_data_lost = kept_volume.is_none();
    if let Some(volume_id) = kept_volume {
        // The root volume outlives the instance, and goes on costing storage.
        let key =
            access::image_in(tx, &instance.image_id, &instance.region)?.and_then(|i| i.kms_key_arn);
        tx.put(&Storage {
            id: volume_id,
            kind: StorageKind::Volume,
            region: instance.region.clone(),
            owner_id: instance.owner_id.clone(),
            size_gb: instance.root_volume_size_gb,
            encrypted: key.is_some(),
            kms_key_arn: key,
            created_for_image: instance.id.clone(),
            public_read: false,
            start_time: instance.launch_time.clone(),
        })?;
    }
    tx.put(&instance)?;
    Ok(true)
}

/// ModifyInstanceAttribute (DeleteOnTermination of the root volume).
pub(crate) fn set_root_delete_on_termination(
    tx: &mut Tx<'_>,
    ctx: &Ctx<'_>,
    instance_id: &str,
    delete: bool,
) -> Result<Instance> {
    let mut instance = live_instance(tx, ctx, instance_id)?;
    if instance.root_volume_id.is_none() && !delete {
        return refuse(
            ErrorKind::InvalidParameterCombination,
            format!(
                "the instance {} has an instance-store root device, which is always lost when it terminates",
                instance.id
            ),
            "Only EBS root volumes can be kept after termination",
        );
    }
    instance.root_delete_on_termination = delete;
    tx.put(&instance)?;
    Ok(instance)
}

pub(crate) fn modify_type(
    tx: &mut Tx<'_>,
    ctx: &Ctx<'_>,
    instance_id: &str,
    instance_type: &str,
) -> Result<Instance> {
    let mut instance = live_instance(tx, ctx, instance_id)?;
    let Some(itype) = catalogue::instance_type(instance_type) else {
        return refuse(
            ErrorKind::InvalidParameterValue,
            format!(
                "Invalid value '{}' for InstanceType",
                validate::shorten(instance_type)
            ),
            format!("Use one of: {}", catalogue::instance_type_names()),
        );
    };
    if !itype
        .architectures
        .contains(&instance.architecture.as_str())
    {
        return refuse(
            ErrorKind::InvalidParameterValue,
            format!(
                "The instance type '{}' does not support the instance's architecture '{}'",
                itype.name, instance.architecture
            ),
            "Choose an instance type of the same architecture",
        );
    }
    if instance.state == InstanceState::Running {
        return refuse(
            ErrorKind::IncorrectInstanceState,
            format!("The instance '{instance_id}' is running; its type can only change while it is stopped"),
            "Stop the instance first (instance_state = \"stopped\"), or let Terraform stop and start it",
        );
    }
    let prices = billing::price_book(tx)?;
    instance.instance_type = itype.name.to_string();
    instance.hourly_cost_micros =
        billing::instance_hourly_micros(&prices, itype, &instance.billing_products);
    tx.put(&instance)?;
    Ok(instance)
}
