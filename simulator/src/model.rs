//! The entities of the simulated cloud, as stored and as returned to callers.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The billing product of Windows Server licences.
pub const WINDOWS_BILLING_PRODUCT: &str = "bp-6ba54002";
/// The billing product of Red Hat Enterprise Linux licences.
pub const RHEL_BILLING_PRODUCT: &str = "bp-6fa54006";

/// Whether an action only reads: AWS names those `Describe…`, `Get…` and
/// `List…`, and every call of the simulator that changes nothing is named so
/// (checked on every call [`crate::call::run`] makes in a debug build).
pub fn is_read_action(action: &str) -> bool {
    ["Describe", "Get", "List"]
        .iter()
        .any(|prefix| action.starts_with(prefix))
}

/// An enum whose values AWS words with fixed strings: the words it is
/// stored, logged and sent as, `NAMES`, `as_str`, `parse` and `Display`, all
/// from one list.
macro_rules! words {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident => $word:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        $vis enum $name {
            $($(#[$vmeta])* #[serde(rename = $word)] $variant,)+
        }

        impl $name {
            /// Every value, as AWS words them.
            pub const NAMES: &'static [&'static str] = &[$($word),+];

            /// AWS's word for it.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word,)+
                }
            }

            /// The value AWS's word names, if any.
            pub fn parse(word: &str) -> Option<$name> {
                match word {
                    $($word => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// Tags: keys and values, sorted by key.
pub type Tags = BTreeMap<String, String>;

/// The owner alias of AWS-provided public images.
pub const AMAZON: &str = "amazon";
/// The owner alias of AWS Marketplace images.
pub const MARKETPLACE: &str = "aws-marketplace";
/// The owner alias of images restored from AWS Backup vaults (amisim holds none).
pub const BACKUP_VAULT: &str = "aws-backup-vault";
/// The Allowed AMIs image provider that allows no provider: only the account's own images.
pub const NO_PROVIDER: &str = "none";
/// The account that owns the AWS-provided catalogue images.
pub const AMAZON_ACCOUNT: &str = "137112412989";
/// The account that owns the AWS Marketplace catalogue images.
pub const MARKETPLACE_ACCOUNT: &str = "679593333241";

/// EC2's numeric code of an instance state name (`running` is 16).
pub fn instance_state_code(state: &str) -> &'static str {
    match state {
        "pending" => "0",
        "running" => "16",
        "shutting-down" => "32",
        "terminated" => "48",
        "stopping" => "64",
        _ => "80",
    }
}

/// The state of an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageState {
    /// Registered and usable.
    Available,
    /// Deregistered: no new launches, copies or shares.
    Deregistered,
    /// Disabled by its owner: kept, but not launched, copied or shared.
    Disabled,
    /// Still being made (a `pending` fault rule): listed and described, but
    /// not launched, copied or shared until it is available.
    Pending,
}

impl ImageState {
    /// The state as AWS spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            ImageState::Available => "available",
            ImageState::Deregistered => "deregistered",
            ImageState::Disabled => "disabled",
            ImageState::Pending => "pending",
        }
    }
}

/// An Amazon Machine Image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Image {
    /// `ami-` and 17 hex digits.
    pub id: String,
    /// The region the image lives in; images are regional.
    pub region: String,
    /// The owning account ID.
    pub owner_id: String,
    /// `amazon` or `aws-marketplace` for catalogue images.
    pub owner_alias: Option<String>,
    /// Unique among the owner's available images in the region.
    pub name: String,
    /// Free text; changeable in place.
    pub description: String,
    /// `x86_64`, `arm64` or `i386`.
    pub architecture: String,
    /// `linux` or `windows`.
    pub platform: String,
    /// `ebs` or `instance-store`.
    pub root_device_type: RootDevice,
    /// Size of the root volume or bundle in GiB.
    pub size_gb: i64,
    /// Whether the backing storage is encrypted.
    pub encrypted: bool,
    /// The ARN of the KMS key that encrypts the storage.
    pub kms_key_arn: Option<String>,
    /// Snapshot IDs, or the bundle for instance-store images.
    pub storage_ids: Vec<String>,
    /// Billing product codes (Windows licences, Marketplace products).
    pub billing_products: Vec<String>,
    /// Software baked into the image (package names), which instances need not install.
    pub baked_software: Vec<String>,
    /// Available or deregistered.
    pub state: ImageState,
    /// Creation time, ISO 8601 with milliseconds as AWS prints it.
    pub creation_date: String,
    /// When the image was deregistered.
    pub deregistration_time: Option<String>,
    /// The image this one was copied from.
    pub source_image_id: Option<String>,
    /// The region of the image this one was copied from.
    pub source_image_region: Option<String>,
    /// The instance this image was created from.
    pub source_instance_id: Option<String>,
    /// Tags; changeable in place.
    pub tags: Tags,
    /// `disabled` (default), `enabled` or `enabled-with-cooldown`.
    #[serde(default)]
    pub deregistration_protection: Protection,
    /// When protection lifted from `enabled-with-cooldown` ends: until then
    /// the image still cannot be deregistered.
    #[serde(default)]
    pub protected_until: Option<String>,
    /// When the image is (or was) deprecated, rounded down to the minute.
    #[serde(default)]
    pub deprecation_time: Option<String>,
    /// The time of the latest launch from the image.
    #[serde(default)]
    pub last_launched_time: Option<String>,
    /// The tags a copy took from its source (`copy_image_tags`).
    #[serde(default)]
    pub copied_tags: Tags,
    /// Until when a deregistered image waits in the Recycle Bin to be restored.
    #[serde(default)]
    pub recycle_bin_until: Option<String>,
    /// The instance types the image supports (`*` wildcards); none for every
    /// type the unsupported ones leave.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub supported_instance_types: Vec<String>,
    /// The instance types the image does not support (`*` wildcards).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unsupported_instance_types: Vec<String>,
    /// Its watermarks: its owner's, and those of the images it was copied or
    /// created from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub watermarks: Vec<Watermark>,
    /// The object it was restored from (`BUCKET/KEY`), for an image made by
    /// CreateRestoreImageTask; its source image is then the image stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restored_from: Option<String>,
    /// What a fixture file said of an image it loaded (`amisim images
    /// load`); none for an image made in the cloud.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixture: Option<Fixture>,
}

/// The facts of a loaded image that the cloud's own images do not vary:
/// they read back as the fixture file gave them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fixture {
    /// The file it was loaded from (its name, without folders).
    pub file: String,
    /// The image's key in the store when its ID is held in another region
    /// too (`ID@REGION`): one ID may be loaded into every region, as moto
    /// and LocalStack seed theirs. None for the copy keyed by the ID alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// `imageLocation`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_location: Option<String>,
    /// `rootDeviceName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_device_name: Option<String>,
    /// `virtualizationType`: `hvm` or `paravirtual`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub virtualization_type: Option<String>,
    /// `hypervisor`: `xen` or `nitro`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hypervisor: Option<String>,
    /// `sriovNetSupport`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sriov: Option<String>,
    /// `imageType`: `machine`, `kernel` or `ramdisk`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_type: Option<String>,
    /// Its block devices, root first; the EBS ones in the order of the
    /// image's snapshots.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub devices: Vec<FixtureDevice>,
}

/// A block device of a loaded image.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixtureDevice {
    /// `/dev/xvda`, `/dev/sdb`, ….
    pub device_name: String,
    /// `ephemeral0`, … for an instance store volume.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub virtual_name: Option<String>,
    /// The EBS volume, for an EBS mapping.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ebs: Option<FixtureEbs>,
}

/// The EBS volume of a loaded image's block device.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixtureEbs {
    /// Its size in GiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_size: Option<i64>,
    /// `gp2`, `gp3`, ….
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_type: Option<String>,
    /// Whether the volume goes with the instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete_on_termination: Option<bool>,
}

/// A named mark an owner attaches to an image, which every image copied or
/// created from it carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Watermark {
    /// `ACCOUNT:NAME`: the account that attached it and its name.
    pub key: String,
    /// The image it was attached to.
    pub source_image_id: String,
    /// That image's region.
    pub source_image_region: String,
    /// That image's creation date.
    pub source_image_creation_time: String,
    /// When it was attached.
    pub creation_time: String,
}

words! {
    /// What a bill line charges for, as the bill, its JSON and snapshots word it.
    pub enum BillCategory {
        /// EBS snapshots of images.
        EbsSnapshotStorage => "ebs-snapshot-storage",
        /// EBS root volumes kept after their instance terminated.
        EbsVolumeStorage => "ebs-volume-storage",
        /// Snapshots waiting in the Recycle Bin.
        RecycleBinStorage => "recycle-bin-storage",
        /// Instance-store bundles in S3, tiered.
        S3BundleStorage => "s3-bundle-storage",
        /// Running instances' hours.
        InstanceHours => "instance-hours",
        /// Licences and Marketplace software fees.
        SoftwareFees => "software-fees",
        /// Data transfer of copies across regions (a one-off charge).
        DataTransfer => "data-transfer",
        /// Images stored as objects in S3 buckets (CreateStoreImageTask), tiered.
        S3StoredImages => "s3-stored-images",
    }
}

words! {
    /// An image's deregistration protection, as AWS words it in requests,
    /// answers and the event log.
    #[derive(Default)]
    pub enum Protection {
        /// Off: the image may be deregistered.
        #[default]
        Disabled => "disabled",
        /// On: deregistering is refused until it is turned off.
        Enabled => "enabled",
        /// On, and when turned off it stays in force for 24 hours more.
        EnabledWithCooldown => "enabled-with-cooldown",
    }
}

/// Deregistration protection turned off, as requests word it.
pub const PROTECTION_OFF: &str = Protection::Disabled.as_str();

impl Image {
    /// An available image of `owner_id` in `region`, made at `created` from
    /// nothing (no source image or instance), unencrypted, with no tags,
    /// protection, deprecation or launches yet: what the catalogue and
    /// fixture files hold, before their own facts are set.
    pub fn made_whole(id: &str, region: &str, owner_id: &str, name: &str, created: &str) -> Image {
        Image {
            id: id.to_string(),
            region: region.to_string(),
            owner_id: owner_id.to_string(),
            owner_alias: None,
            name: name.to_string(),
            description: String::new(),
            architecture: "x86_64".to_string(),
            platform: "linux".to_string(),
            root_device_type: RootDevice::Ebs,
            size_gb: 8,
            encrypted: false,
            kms_key_arn: None,
            storage_ids: Vec::new(),
            billing_products: Vec::new(),
            baked_software: Vec::new(),
            state: ImageState::Available,
            creation_date: created.to_string(),
            deregistration_time: None,
            source_image_id: None,
            source_image_region: None,
            source_instance_id: None,
            tags: Tags::new(),
            deregistration_protection: Protection::Disabled,
            protected_until: None,
            deprecation_time: None,
            last_launched_time: None,
            copied_tags: Tags::new(),
            recycle_bin_until: None,
            restored_from: None,
            supported_instance_types: Vec::new(),
            unsupported_instance_types: Vec::new(),
            watermarks: Vec::new(),
            fixture: None,
        }
    }

    /// Its key in the store: its ID, or for a loaded image whose ID is held
    /// in several regions, `ID@REGION` (see [`Fixture::key`]). Launch
    /// permissions are kept per key, so that each region's copy has its own.
    pub fn key(&self) -> &str {
        self.fixture
            .as_ref()
            .and_then(|f| f.key.as_deref())
            .unwrap_or(&self.id)
    }

    /// `imageLocation`: `OWNER/NAME` (the alias for catalogue owners), or
    /// what a fixture file gave.
    pub fn location(&self) -> String {
        if let Some(location) = self.fixture.as_ref().and_then(|f| f.image_location.clone()) {
            return location;
        }
        match &self.owner_alias {
            Some(alias) => format!("{alias}/{}", self.name),
            None => format!("{}/{}", self.owner_id, self.name),
        }
    }

    /// `virtualizationType`.
    pub fn virtualization_type(&self) -> &str {
        self.fixture
            .as_ref()
            .and_then(|f| f.virtualization_type.as_deref())
            .unwrap_or(VIRTUALIZATION_TYPE)
    }

    /// `hypervisor`.
    pub fn hypervisor(&self) -> &str {
        self.fixture
            .as_ref()
            .and_then(|f| f.hypervisor.as_deref())
            .unwrap_or(HYPERVISOR)
    }

    /// `imageType`.
    pub fn image_type(&self) -> &str {
        self.fixture
            .as_ref()
            .and_then(|f| f.image_type.as_deref())
            .unwrap_or("machine")
    }

    /// Whether the image is still registered: available or disabled.
    pub fn is_registered(&self) -> bool {
        self.state != ImageState::Deregistered
    }

    /// Whether the image is deprecated at `now` (seconds of the simulated clock).
    pub fn is_deprecated_at(&self, now: i64) -> bool {
        self.deprecation_time
            .as_deref()
            .and_then(crate::dates::parse_time)
            .is_some_and(|t| t <= now)
    }

    /// The image's ARN; images carry no account in their ARN.
    pub fn arn(&self) -> String {
        format!("arn:aws:ec2:{}::image/{}", self.region, self.id)
    }

    /// Whether the image can be used for new launches, copies and shares.
    pub fn is_available(&self) -> bool {
        self.state == ImageState::Available
    }

    /// The device its root is on, as AWS names it (`rootDeviceName`).
    pub fn root_device_name(&self) -> &str {
        self.fixture
            .as_ref()
            .and_then(|f| f.root_device_name.as_deref())
            .unwrap_or_else(|| root_device(&self.platform, self.root_device_type))
    }

    /// `platformDetails` and `usageOperation`: what the image's licence bills as.
    pub fn platform_details(&self) -> (&'static str, &'static str) {
        if self.platform == "windows" {
            ("Windows", "RunInstances:0002")
        } else if self
            .billing_products
            .iter()
            .any(|b| b == RHEL_BILLING_PRODUCT)
        {
            ("Red Hat Enterprise Linux", "RunInstances:0010")
        } else {
            ("Linux/UNIX", "RunInstances")
        }
    }

    /// `bootMode`: Arm images boot UEFI only; amisim's x86 images boot legacy BIOS.
    pub fn boot_mode(&self) -> &'static str {
        if self.architecture == "arm64" {
            "uefi"
        } else {
            "legacy-bios"
        }
    }

    /// The AWS Marketplace product codes among its billing products
    /// (`productCodes`, of type `marketplace`); licences (`bp-…`) are not among them.
    pub fn product_codes(&self) -> impl Iterator<Item = &str> {
        self.billing_products
            .iter()
            .map(String::as_str)
            .filter(|b| !b.starts_with("bp-"))
    }
}

/// Every simulated image and instance is HVM on the Xen hypervisor with ENA,
/// as AWS's current images are.
pub const VIRTUALIZATION_TYPE: &str = "hvm";
/// See [`VIRTUALIZATION_TYPE`].
pub const HYPERVISOR: &str = "xen";
/// The volume type of every simulated EBS root volume and image mapping.
pub const ROOT_VOLUME_TYPE: &str = "gp3";

words! {
    /// What an image's root device, and so its instances' root, is backed by.
    /// Stored, logged and sent on the wire as AWS words it.
    pub enum RootDevice {
        /// An EBS volume made from the image's snapshot; kept on stop.
        Ebs => "ebs",
        /// The host's own disk, filled from the image's bundle in S3 at boot.
        InstanceStore => "instance-store",
    }
}

impl RootDevice {
    /// The kind of storage an image with this root device is kept as.
    pub fn storage_kind(self) -> StorageKind {
        match self {
            RootDevice::Ebs => StorageKind::Snapshot,
            RootDevice::InstanceStore => StorageKind::Bundle,
        }
    }
}

/// The root device of an image or instance of `platform` and `root_device_type`.
pub fn root_device(platform: &str, root_device_type: RootDevice) -> &'static str {
    if platform == "windows" || root_device_type == RootDevice::InstanceStore {
        "/dev/sda1"
    } else {
        "/dev/xvda"
    }
}

/// What kind of storage backs an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StorageKind {
    /// An EBS snapshot (`snap-…`).
    Snapshot,
    /// An instance-store bundle in S3 (`bundle-…`).
    Bundle,
    /// An EBS root volume kept after its instance terminated (`vol-…`),
    /// because the instance was launched with `DeleteOnTermination = false`.
    Volume,
}

impl StorageKind {
    /// What messages call it: `snapshot`, `bundle` or `volume`.
    pub fn noun(&self) -> &'static str {
        match self {
            StorageKind::Snapshot => "snapshot",
            StorageKind::Bundle => "bundle",
            StorageKind::Volume => "volume",
        }
    }
}

/// A snapshot or instance-store bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Storage {
    /// `snap-` and 17 hex digits, or `bundle-` and 17 hex digits.
    pub id: String,
    /// Snapshot or bundle.
    pub kind: StorageKind,
    /// Where the storage lives (and is charged).
    pub region: String,
    /// The account that owns and pays for it.
    pub owner_id: String,
    /// Size in GiB.
    pub size_gb: i64,
    /// Whether the data is encrypted.
    pub encrypted: bool,
    /// The key that encrypts it.
    pub kms_key_arn: Option<String>,
    /// The image the storage was created for; for a volume, the instance
    /// whose root device it was.
    pub created_for_image: String,
    /// Whether any account may read it (the public catalogue's storage).
    pub public_read: bool,
    /// Creation time.
    pub start_time: String,
}

/// Deleted storage waiting in the Recycle Bin: gone for every other call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecycledStorage {
    /// The storage as it was.
    pub storage: Storage,
    /// When it was deleted.
    pub deleted: String,
    /// Until when it can be restored.
    pub until: String,
}

/// A KMS key: customer managed, or the account's AWS managed `alias/aws/ebs`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Key {
    /// A UUID.
    pub id: String,
    /// `arn:aws:kms:REGION:ACCOUNT:key/UUID`.
    pub arn: String,
    /// KMS keys are regional.
    pub region: String,
    /// The owning account.
    pub owner_id: String,
    /// Free text.
    pub description: String,
    /// True for the AWS managed key `alias/aws/ebs`, which can never be shared.
    pub aws_managed: bool,
    /// `Enabled` or `PendingDeletion`.
    pub state: String,
    /// Creation time.
    pub creation_date: String,
    /// Tags.
    pub tags: Tags,
}

/// Permission for another account to use a KMS key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grant {
    /// A deterministic grant ID (64 hex digits, as KMS prints them).
    pub id: String,
    /// The key's ARN.
    pub key_arn: String,
    /// The key's region.
    pub region: String,
    /// The key's owner, who made the grant.
    pub owner_id: String,
    /// The account the key is shared with.
    pub grantee_account_id: String,
    /// The operations granted; none listed means every operation amisim models.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub operations: Vec<String>,
}

/// Who a launch permission is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Principal {
    /// One account.
    Account(String),
    /// A group; `all` makes the image public.
    Group(String),
    /// Every account declared in the organization.
    Organization(String),
    /// Every account declared in the organizational unit.
    OrganizationalUnit(String),
}

impl Principal {
    /// The principal as written in an import ID: the account, `all`, or the ARN.
    pub fn as_str(&self) -> &str {
        match self {
            Principal::Account(v)
            | Principal::Group(v)
            | Principal::Organization(v)
            | Principal::OrganizationalUnit(v) => v,
        }
    }

    /// Reads an import-style principal: a 12-digit account, `all`, or an organization or OU ARN.
    pub fn parse(text: &str) -> Principal {
        if text.starts_with("arn:aws:organizations::") && text.contains(":ou/") {
            Principal::OrganizationalUnit(text.to_string())
        } else if text.starts_with("arn:aws:organizations::") {
            Principal::Organization(text.to_string())
        } else if text == "all" {
            Principal::Group(text.to_string())
        } else {
            Principal::Account(text.to_string())
        }
    }
}

/// The right to launch an image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LaunchPermission {
    /// `IMAGE_ID/PRINCIPAL`.
    pub id: String,
    /// The image.
    pub image_id: String,
    /// The image's region.
    pub region: String,
    /// The image's owner.
    pub owner_id: String,
    /// Who may launch it.
    pub principal: Principal,
}

/// The right to read an image's backing storage (create volumes, copy).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoragePermission {
    /// `STORAGE_ID/ACCOUNT_ID`.
    pub id: String,
    /// The snapshot or bundle.
    pub storage_id: String,
    /// The storage's region.
    pub region: String,
    /// The storage's owner.
    pub owner_id: String,
    /// The account allowed to read it.
    pub account_id: String,
}

/// The state of an instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InstanceState {
    /// Running and charged by the hour.
    Running,
    /// Stopped: no instance hours.
    Stopped,
    /// Terminated: gone; instance-store root data is lost.
    Terminated,
}

impl InstanceState {
    /// The state as AWS spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            InstanceState::Running => "running",
            InstanceState::Stopped => "stopped",
            InstanceState::Terminated => "terminated",
        }
    }
}

/// An EC2 instance launched from an image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Instance {
    /// `i-` and 17 hex digits.
    pub id: String,
    /// The instance's region.
    pub region: String,
    /// The account that launched it and pays for it.
    pub owner_id: String,
    /// The image it was launched from.
    pub image_id: String,
    /// From the instance type catalogue.
    pub instance_type: String,
    /// Taken from the image.
    pub architecture: String,
    /// Taken from the image.
    pub platform: String,
    /// `ebs` or `instance-store`, from the image.
    pub root_device_type: RootDevice,
    /// Root volume size in GiB, from the image.
    pub root_volume_size_gb: i64,
    /// From the image; charged with the instance.
    pub billing_products: Vec<String>,
    /// Software on the instance: the image's, plus what user data installed.
    pub software: Vec<String>,
    /// Running, stopped or terminated.
    pub state: InstanceState,
    /// The user data script given at launch.
    pub user_data: String,
    /// Seconds from launch to ready: boot plus user data work.
    pub boot_time_seconds: i64,
    /// Instance price plus software fees, in micro-dollars per hour.
    pub hourly_cost_micros: i64,
    /// Launch time.
    pub launch_time: String,
    /// Whether the root data was lost on termination (instance store).
    pub root_data_lost: bool,
    /// Whether the EBS root volume is deleted when the instance terminates
    /// (AWS's default); a kept volume goes on costing storage.
    #[serde(default = "yes")]
    pub root_delete_on_termination: bool,
    /// The EBS root volume's ID (`vol-…`); none for an instance-store root.
    #[serde(default)]
    pub root_volume_id: Option<String>,
    /// Tags.
    pub tags: Tags,
}

impl Instance {
    /// `arn:aws:ec2:REGION:ACCOUNT:instance/i-…`.
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:ec2:{}:{}:instance/{}",
            self.region, self.owner_id, self.id
        )
    }
}

/// An account's declared place in an AWS Organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// The 12-digit account ID.
    pub id: String,
    /// The organization's ARN, once declared.
    pub organization_arn: Option<String>,
    /// The organizational unit's ARN, once declared.
    pub organizational_unit_arn: Option<String>,
}

/// An AWS Organization: its management account, which made it, and the
/// accounts it admitted. An account belongs to one organization at most.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organization {
    /// `o-` and 17 lowercase hex digits, fixed by the management account.
    pub id: String,
    /// `arn:aws:organizations::MANAGEMENT:organization/o-…`.
    pub arn: String,
    /// The management account (AWS's `MasterAccountId`).
    pub management_account_id: String,
    /// The member accounts it admitted, in order; the management account
    /// belongs to it without being listed.
    pub member_account_ids: Vec<String>,
}

impl Organization {
    /// Whether `account` belongs to the organization: its management
    /// account, or one it admitted.
    pub fn admits(&self, account: &str) -> bool {
        self.management_account_id == account
            || self.member_account_ids.iter().any(|m| m == account)
    }
}

/// An organizational unit of an organization, and the accounts of the
/// organization placed in it (an account is in one OU at most).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationalUnit {
    /// `ou-` and 4 characters of the organization, `-` and 8 of its own.
    pub id: String,
    /// `arn:aws:organizations::MANAGEMENT:ou/o-…/ou-…`.
    pub arn: String,
    /// The organization it is in.
    pub organization_id: String,
    /// The organization's management account.
    pub management_account_id: String,
    /// Its name, unique in the organization.
    pub name: String,
    /// The accounts placed in it, in order.
    pub member_account_ids: Vec<String>,
}

/// A one-off charge on the ledger (data transfer).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Charge {
    /// Sequence-derived ID.
    pub id: String,
    /// The account billed.
    pub account_id: String,
    /// The region the charge arose in.
    pub region: String,
    /// The bill line it belongs to, for example `data-transfer`.
    pub category: BillCategory,
    /// What it was for.
    pub description: String,
    /// Quantity in the unit of the price (GB for transfer).
    pub quantity: i64,
    /// Amount in micro-dollars.
    pub amount_micros: i64,
    /// When it was charged.
    pub time: String,
}

/// One call recorded in the event log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Position in the log's canonical order, from 1: the same for the same
    /// calls however they interleaved, but a later call may sort before it.
    pub seq: i64,
    /// The number the event was given when its call committed, which never
    /// changes: what `amisim events --after` follows. Only listings in
    /// commit order carry it (the canonical listings and snapshots leave it
    /// out, since it depends on how calls interleaved).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<i64>,
    /// Simulated time of the call.
    pub time: String,
    /// The caller's account.
    pub account_id: String,
    /// The caller's region.
    pub region: String,
    /// The API action, for example `CopyImage`.
    pub action: String,
    /// The request's parameters as JSON.
    pub parameters: serde_json::Value,
    /// `ok`, or the AWS error code of the refusal.
    pub outcome: String,
    /// The ID of the object the call created or changed, if any.
    pub resource_id: Option<String>,
    /// The access key ID the call was made with, through a server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_key_id: Option<String>,
    /// The fault rule that refused the call on purpose (`amisim faults`),
    /// if one did: the event of an injected fault says so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault: Option<String>,
}

impl Event {
    /// Whether the event is a call that only read, and was answered: what a
    /// plan or a refresh adds to the log (see [`is_read_action`]).
    pub fn is_successful_read(&self) -> bool {
        self.outcome == "ok" && is_read_action(&self.action)
    }
}

/// A fault the administrator injects on purpose (`amisim faults add`): which
/// calls it matches, what it does to them, and how many it has met. Faults
/// act on the calls accounts make, never on the administrator's own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultRule {
    /// `fault-1`, `fault-2`, … in the order the rules were added.
    pub id: String,
    /// The action it matches (`CopyImage`), or `*` for every action.
    pub action: String,
    /// The only account whose calls it matches, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// The only region whose calls it matches, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// What it does to the calls it matches.
    pub effect: FaultEffect,
    /// How many calls it has matched so far.
    pub matched: u64,
    /// How many of them it refused, or made unseen.
    pub injected: u64,
    /// When it was added (simulated time).
    pub created: String,
    /// What the calls it matched created and their owners do not see yet
    /// (an `unseen_for` rule).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unseen: Vec<Unseen>,
    /// The images the calls it matched made that are still pending (a
    /// `pending` rule), each with when it becomes available.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pending: Vec<PendingImage>,
}

/// An image a `pending` rule keeps pending, and until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingImage {
    /// The image's key in the store ([`Image::key`]).
    pub image: String,
    /// When it becomes available (simulated time).
    pub until: String,
}

/// The actions that make an image: what a `pending` rule acts on.
pub const IMAGE_MAKING_ACTIONS: &[&str] = &[
    "RegisterImage",
    "CopyImage",
    "CreateImage",
    "CreateRestoreImageTask",
];

/// An object a call created that its owner's describe calls do not see yet,
/// as AWS's eventual consistency has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unseen {
    /// The image, snapshot or instance.
    pub id: String,
    /// Its owner, whose describe calls do not see it.
    pub account_id: String,
    /// Its region.
    pub region: String,
    /// How many more describe calls do not see it.
    pub remaining: u64,
    /// The server request that last counted it down: every describe call of
    /// one request through a server counts as one, as the request is one
    /// call of AWS's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counted_in: Option<String>,
}

/// The actions that create an image, snapshot or instance: what an
/// `unseen_for` rule acts on.
pub const CREATING_ACTIONS: &[&str] = &[
    "RegisterImage",
    "CopyImage",
    "CreateImage",
    "RunInstances",
    "CreateRestoreImageTask",
];

/// What a fault rule does to the calls it matches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum FaultEffect {
    /// Refuses every `every`th matching call with the AWS error `code`
    /// (`RequestLimitExceeded`, `InternalError`,
    /// `InsufficientInstanceCapacity`, `ServiceUnavailable`), `times` times
    /// at most (no limit when absent). The rule's other calls go through.
    Error {
        code: String,
        every: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        times: Option<u64>,
    },
    /// What each matching call creates (an image with its snapshots, an
    /// instance) stays invisible to the next `describes` describe calls of
    /// its owner in its region, then appears: AWS's eventual consistency.
    /// A describe that names it is `…NotFound`; a listing leaves it out.
    UnseenFor { describes: u64 },
    /// Each image a matching call makes stays `pending` for `seconds` of
    /// simulated time, then becomes available: the clock moves on with
    /// `amisim clock advance`, later commands, each request through a
    /// server, or a waiter (`WaitImageAvailable`).
    Pending { seconds: i64 },
}

impl FaultRule {
    /// The rule's place in the order rules were added.
    pub fn number(&self) -> u64 {
        self.id
            .strip_prefix("fault-")
            .and_then(|n| n.parse().ok())
            .unwrap_or(u64::MAX)
    }

    /// Whether the rule matches a call of `action` by `account` in `region`.
    pub fn matches(&self, action: &str, account: &str, region: &str) -> bool {
        (self.action == "*" || self.action == action)
            && self.account_id.as_deref().is_none_or(|a| a == account)
            && self.region.as_deref().is_none_or(|r| r == region)
    }

    /// The rule in words: `RequestLimitExceeded on every 3rd CopyImage of
    /// account 111111111111 in us-east-1, 2 times at most`.
    pub fn describe(&self) -> String {
        let calls = if self.action == "*" {
            "call".to_string()
        } else {
            format!("{} call", self.action)
        };
        let mut scope = String::new();
        if let Some(a) = &self.account_id {
            scope.push_str(&format!(" of account {a}"));
        }
        if let Some(r) = &self.region {
            scope.push_str(&format!(" in {r}"));
        }
        match &self.effect {
            FaultEffect::Error { code, every, times } => {
                let nth = match every {
                    1 => "every".to_string(),
                    n => format!("every {}", ordinal(*n)),
                };
                let limit = times
                    .map(|t| format!(", {t} time{} at most", if t == 1 { "" } else { "s" }))
                    .unwrap_or_default();
                format!("{code} on {nth} {calls}{scope}{limit}")
            }
            FaultEffect::UnseenFor { describes } => {
                let what = if self.action == "*" {
                    "what every call creates".to_string()
                } else {
                    format!("what every {} call creates", self.action)
                };
                format!(
                    "{what}{scope} unseen by its owner's next {describes} describe call{}",
                    if *describes == 1 { "" } else { "s" }
                )
            }
            FaultEffect::Pending { seconds } => {
                let what = if self.action == "*" {
                    "every image a call makes".to_string()
                } else {
                    format!("every image a {} call makes", self.action)
                };
                format!(
                    "{what}{scope} pending for {}",
                    crate::dates::format_duration(*seconds)
                )
            }
        }
    }
}

/// `2nd`, `3rd`, `11th`, `21st`.
fn ordinal(n: u64) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// A Recycle Bin retention rule of one account and region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecycleBinRule {
    /// 11 letters and digits, as Recycle Bin prints rule identifiers.
    pub id: String,
    /// The account the rule belongs to.
    pub account_id: String,
    /// The region the rule covers.
    pub region: String,
    /// `EC2_IMAGE` or `EBS_SNAPSHOT`.
    pub resource_type: String,
    /// How long matching resources wait in the bin: 1 to 365 days.
    pub retention_period_days: i64,
    /// A resource matches when it carries one of these tags; none means every resource.
    pub resource_tags: Tags,
    /// A resource carrying one of these tags is not retained (rules without `resource_tags` only).
    pub exclude_resource_tags: Tags,
    /// Free text.
    pub description: String,
}

/// An image stored as one object in a (simulated) S3 bucket of its
/// account's, by CreateStoreImageTask: what a restore needs to make the
/// image again, without its sharing. Billed as S3 Standard storage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredImage {
    /// `BUCKET/KEY`.
    pub id: String,
    /// The account whose bucket holds it: the one that stored it.
    pub account_id: String,
    /// The bucket's region: the region the image was stored from.
    pub region: String,
    /// The bucket.
    pub bucket: String,
    /// The object's key: the image's ID and `.bin`.
    pub object_key: String,
    /// The object's tags.
    pub object_tags: Tags,
    /// When the store task started (it completes at once).
    pub task_start_time: String,
    /// The image stored.
    pub image_id: String,
    /// Its owner.
    pub image_owner_id: String,
    /// Its name.
    pub name: String,
    /// Its description.
    pub description: String,
    /// Its architecture.
    pub architecture: String,
    /// Its platform.
    pub platform: String,
    /// Its root volume's size, which the object holds whole.
    pub size_gb: i64,
    /// Its billing products (licences).
    pub billing_products: Vec<String>,
    /// Its creation date.
    pub creation_date: String,
    /// Its tags.
    pub tags: Tags,
}

/// An image usage report: which other accounts' resources used one of the
/// owner's images when it was made (CreateImageUsageReport). Kept 30 days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageReport {
    /// `amiur-` and 17 hexadecimal digits.
    pub id: String,
    /// The image's owner, who made the report.
    pub account_id: String,
    /// The image's region.
    pub region: String,
    /// The image reported on.
    pub image_id: String,
    /// The resource types the report counts.
    pub resource_types: Vec<UsageResourceType>,
    /// The accounts it was limited to; none for every account.
    pub account_ids: Vec<String>,
    /// When it was made.
    pub creation_time: String,
    /// When it is deleted: 30 days after it was made.
    pub expiration_time: String,
    /// Its tags.
    pub tags: Tags,
    /// What it found: one entry per account and resource type that uses the image.
    pub entries: Vec<UsageEntry>,
}

/// A resource type a usage report counts, with its option.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageResourceType {
    /// `ec2:Instance`, `ec2:LaunchTemplate`, `imagebuilder:ImageRecipe` or
    /// `imagebuilder:ContainerRecipe`.
    pub resource_type: String,
    /// For launch templates: how many versions of each to check (1 to 10000).
    pub version_depth: Option<i64>,
}

/// One account's use of an image by one resource type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageEntry {
    /// The account that uses the image.
    pub account_id: String,
    /// The resource type.
    pub resource_type: String,
    /// How many of its resources reference the image.
    pub usage_count: i64,
}

/// An account's image settings in one region: block public access and Allowed AMIs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageSettings {
    /// `ACCOUNT/REGION`.
    pub id: String,
    /// The account.
    pub account_id: String,
    /// The region.
    pub region: String,
    /// `block-new-sharing` (a new account's setting) or `unblocked`.
    pub block_public_access: String,
    /// Allowed AMIs: `disabled` (default), `enabled` or `audit-mode`.
    pub allowed_images_state: AllowedImagesState,
    /// Allowed AMIs criteria; an image is allowed when one of them matches.
    pub allowed_images_criteria: Vec<ImageCriterion>,
}

words! {
    /// Whether Allowed AMIs is in force, as AWS words it.
    #[derive(Default)]
    pub enum AllowedImagesState {
        /// Off (a new account's): every image may be used.
        #[default]
        Disabled => "disabled",
        /// On: what no criterion allows is hidden and refused.
        Enabled => "enabled",
        /// On, reporting only: nothing is hidden or refused.
        AuditMode => "audit-mode",
    }
}

/// One Allowed AMIs criterion: every field given must match (values of one field are OR'ed).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageCriterion {
    /// `amazon`, `aws-marketplace` or account IDs.
    #[serde(default)]
    pub image_providers: Vec<String>,
    /// Image names, with `*` and `?` wildcards.
    #[serde(default)]
    pub image_names: Vec<String>,
    /// Marketplace product codes (billing products).
    #[serde(default)]
    pub marketplace_product_codes: Vec<String>,
    /// The image was created at most this many days ago.
    #[serde(default)]
    pub maximum_days_since_created: Option<i64>,
    /// The image is not deprecated, or was deprecated at most this many days ago.
    #[serde(default)]
    pub maximum_days_since_deprecated: Option<i64>,
    /// The image carries a watermark that one of these filters matches.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub image_watermarks: Vec<WatermarkFilter>,
}

/// One watermark filter of an Allowed AMIs criterion: every field it sets
/// must match the same watermark of the image.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatermarkFilter {
    /// The watermark's key, `ACCOUNT:NAME`, with `*` and `?` wildcards.
    #[serde(default)]
    pub watermark_key: Option<String>,
    /// The region of the image it was attached to, with wildcards.
    #[serde(default)]
    pub source_image_region: Option<String>,
    /// The image it was attached to was created at most this many days ago.
    #[serde(default)]
    pub maximum_days_since_source_image_created: Option<i64>,
    /// It was attached at most this many days ago.
    #[serde(default)]
    pub maximum_days_since_watermark_created: Option<i64>,
}

fn yes() -> bool {
    true
}

/// A claimed account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    /// The account.
    pub account_id: String,
    /// The secret's salted Argon2id hash, in PHC string form.
    pub secret_hash: String,
    /// When it was claimed, in the simulated clock.
    pub claimed: String,
    /// The access key ID (`AKIA` and 16 characters) that names the account
    /// in SigV4-signed requests; none for a claim made before keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_key_id: Option<String>,
    /// The secret, sealed under a key kept outside the store (so that a copy
    /// of the store cannot sign as the account), for checking signatures;
    /// none when the claim was made without that key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed_secret: Option<String>,
}

/// The account name the administrator's calls are logged under.
pub const ADMINISTRATOR: &str = "administrator";
/// The region the administrator's calls are logged in: they act on the whole cloud.
pub const GLOBAL: &str = "global";

/// The administrator's access key for a server (`amisim serve` makes it on
/// a new store): the store's own rights, over the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdministratorKey {
    /// The access key ID (`AKIA` and 16 characters).
    pub access_key_id: String,
    /// The secret's salted Argon2id hash, in PHC string form.
    pub secret_hash: String,
    /// The secret, sealed under the key file (see [`Claim::sealed_secret`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed_secret: Option<String>,
    /// When it was made, in the simulated clock.
    pub created: String,
}

/// An EBS volume.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Volume {
    /// `vol-` and 17 hex digits.
    pub id: String,
    /// Its region.
    pub region: String,
    /// Its owner.
    pub owner_id: String,
    /// Its size in GiB.
    pub size_gb: i64,
    /// Whether it is encrypted, and with which key.
    pub kms_key_arn: Option<String>,
    /// When it was made (its instance's launch).
    pub create_time: String,
    /// The snapshot it was made from (the image's root snapshot).
    pub snapshot_id: Option<String>,
    /// The instance it is the root device of, while that instance lives.
    pub attached_to: Option<String>,
    /// Whether it goes with its instance.
    pub delete_on_termination: bool,
    /// The platform of its instance (`linux` or `windows`), which names its device.
    pub platform: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A worded enum is stored and logged as the word it answers with, and
    /// every word parses back to its value.
    fn check_words<T>(names: &[&str], parse: fn(&str) -> Option<T>, as_str: fn(T) -> &'static str)
    where
        T: Serialize + Copy,
    {
        for word in names {
            let value = parse(word).expect("every listed word parses");
            assert_eq!(as_str(value), *word);
            assert_eq!(serde_json::to_value(value).unwrap(), *word);
        }
        assert!(parse("Enabled").is_none(), "words are exact");
    }

    #[test]
    fn worded_enums_keep_aws_words_in_storage_and_on_the_wire() {
        check_words(RootDevice::NAMES, RootDevice::parse, RootDevice::as_str);
        check_words(Protection::NAMES, Protection::parse, Protection::as_str);
        check_words(
            BillCategory::NAMES,
            BillCategory::parse,
            BillCategory::as_str,
        );
        check_words(
            AllowedImagesState::NAMES,
            AllowedImagesState::parse,
            AllowedImagesState::as_str,
        );
        assert_eq!(Protection::default(), Protection::Disabled);
        assert_eq!(AllowedImagesState::default(), AllowedImagesState::Disabled);
    }
}
