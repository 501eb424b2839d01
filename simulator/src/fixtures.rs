//! Fixture images: images with the IDs code already names (a production
//! AMI ID in a variable, `ami-12c6146b` in a test written for moto), loaded
//! from a JSON list in the field names of moto's `amis.json`, so that the
//! code runs against amisim unchanged. The administrator's `LoadImages`.
//!
//! A loaded image is an image of its owner like any other: it has a
//! snapshot per EBS mapping (owned like the image), it is launched, copied,
//! shared and deregistered under the same rules, and `amisim snapshot`
//! shows it. What the cloud's own images do not vary (its location, root
//! device name, virtualization type, hypervisor) reads back as the file
//! gave it. An entry without `region_name` is loaded into every region,
//! with the same ID in each, as moto and LocalStack seed theirs.

use std::io::Read;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::access;
use crate::call::{Call, Ctx, Role};
use crate::catalogue;
use crate::dates;
use crate::error::{refuse, Error, ErrorKind, Result};
use crate::ids;
use crate::model::{
    Fixture, FixtureDevice, Image, RootDevice, Storage, StorageKind, WINDOWS_BILLING_PRODUCT,
};
use crate::store::Tx;
use crate::validate;

/// The fields an entry may have: moto's, and LocalStack's (which are moto's).
const FIELDS: &[&str] = &[
    "ami_id",
    "name",
    "owner_id",
    "description",
    "public",
    "architecture",
    "virtualization_type",
    "root_device_type",
    "root_device_name",
    "platform",
    "image_type",
    "image_location",
    "product_codes",
    "sriov",
    "state",
    "hypervisor",
    "creation_date",
    "region_name",
    "block_device_mappings",
];

/// The size of the root snapshot of an EBS image whose entry gives no
/// mappings: moto's, so that tests written against moto read the same.
pub const DEFAULT_ROOT_GB: i64 = 15;

/// The most entries one file may hold.
pub const MAX_ENTRIES: usize = 10_000;

/// The most bytes a file may hold, unpacked.
pub const MAX_BYTES: u64 = 64 * 1024 * 1024;

/// One image of a fixture file, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixtureImage {
    /// `ami-` and lowercase letters and digits.
    pub ami_id: String,
    /// The image's name.
    pub name: String,
    /// The owning account.
    pub owner_id: String,
    /// Free text.
    #[serde(default)]
    pub description: String,
    /// Whether every account may launch it.
    #[serde(default)]
    pub public: bool,
    /// `x86_64`, `arm64` or `i386`.
    pub architecture: String,
    /// `linux` or `windows`.
    pub platform: String,
    /// `ebs` or `instance-store`.
    pub root_device_type: String,
    /// The root device's name, when the file gives one.
    #[serde(default)]
    pub root_device_name: Option<String>,
    /// `hvm` or `paravirtual`.
    pub virtualization_type: String,
    /// `xen` or `nitro`.
    pub hypervisor: String,
    /// `machine`, `kernel` or `ramdisk`.
    pub image_type: String,
    /// `imageLocation`, when the file gives one.
    #[serde(default)]
    pub image_location: Option<String>,
    /// Marketplace product codes.
    #[serde(default)]
    pub product_codes: Vec<String>,
    /// `sriovNetSupport`, when the file gives it.
    #[serde(default)]
    pub sriov: Option<String>,
    /// The creation date, as AWS prints it; none for the cloud's first day.
    #[serde(default)]
    pub creation_date: Option<String>,
    /// The one region to load it into; none for every region.
    #[serde(default)]
    pub region_name: Option<String>,
    /// Its block devices, root first.
    #[serde(default)]
    pub block_device_mappings: Vec<FixtureDevice>,
}

impl FixtureImage {
    /// Its root device type (`root_device_type`, once checked).
    fn root_device(&self) -> RootDevice {
        match self.root_device_type.as_str() {
            "ebs" => RootDevice::Ebs,
            _ => RootDevice::InstanceStore,
        }
    }
}

/// LoadImages: the images of a fixture file, each into its region (or
/// every region), all or none. The administrator's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadImages {
    /// The file's name (without folders), which `amisim images` shows.
    pub file: String,
    /// Its entries, in the file's order.
    pub images: Vec<FixtureImage>,
    /// Leave alone the images this file loaded before (an image of the
    /// entry's ID in that region, loaded from a file of the same name), and
    /// load the rest: what `amisim serve --fixtures` does each time it starts.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub missing_only: bool,
}

/// What a load made: the images, one per region each entry went to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Loaded {
    /// The file.
    pub file: String,
    /// How many entries it held.
    pub entries: usize,
    /// Every image made, by ID and region.
    pub images: Vec<LoadedImage>,
}

/// One image a load made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadedImage {
    /// Its ID.
    pub image_id: String,
    /// Its region.
    pub region: String,
    /// Its snapshots.
    pub snapshot_ids: Vec<String>,
}

impl crate::call::Outcome for Loaded {}

impl Call for LoadImages {
    type Output = Loaded;
    const ACTIONS: &'static [&'static str] = &["LoadImages"];
    const CHANGES: bool = true;
    const ROLE: Role = Role::Administrator;
    fn action(&self) -> &'static str {
        "LoadImages"
    }
    fn run(&self, tx: &mut Tx<'_>, ctx: &Ctx<'_>) -> Result<Loaded> {
        load(tx, ctx, self)
    }
}

/// Reads a fixture file (JSON, or the same gzipped) into the request that
/// loads it, naming the entry and field at fault when it is not one.
pub fn read(path: &Path) -> Result<LoadImages> {
    let unreadable = |e: &dyn std::fmt::Display| {
        Error::new(
            ErrorKind::InvalidParameterValue,
            format!("cannot read the fixture file {}: {e}", path.display()),
            "Give the path of a JSON list of images (or the same gzipped), such as moto's amis.json",
        )
    };
    let file = std::fs::File::open(path).map_err(|e| unreadable(&e))?;
    let mut raw = Vec::new();
    file.take(MAX_BYTES + 1)
        .read_to_end(&mut raw)
        .map_err(|e| unreadable(&e))?;
    let mut text = Vec::new();
    if raw.starts_with(&[0x1f, 0x8b]) {
        flate2::read::GzDecoder::new(&raw[..])
            .take(MAX_BYTES + 1)
            .read_to_end(&mut text)
            .map_err(|e| unreadable(&format!("it is gzipped, but damaged ({e})")))?;
    } else {
        text = raw;
    }
    if text.len() as u64 > MAX_BYTES {
        return Err(unreadable(&format!(
            "it holds more than {} MiB",
            MAX_BYTES / 1024 / 1024
        )));
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    parse(&name, &text)
}

/// Parses the text of a fixture file named `file`.
pub fn parse(file: &str, text: &[u8]) -> Result<LoadImages> {
    let value: Value = serde_json::from_slice(text).map_err(|e| {
        Error::new(
            ErrorKind::InvalidParameterValue,
            format!("the fixture file {file} is not JSON: {e}"),
            "A fixture file is a JSON list of images, each an object with ami_id, name and owner_id",
        )
    })?;
    let Value::Array(entries) = value else {
        return refuse(
            ErrorKind::InvalidParameterValue,
            format!("the fixture file {file} is not a list: it holds a JSON {}", kind(&value)),
            "A fixture file is a JSON list of images, each an object with ami_id, name and owner_id",
        );
    };
    if entries.len() > MAX_ENTRIES {
        return refuse(
            ErrorKind::InvalidParameterValue,
            format!(
                "the fixture file {file} holds {} images, more than {MAX_ENTRIES}",
                entries.len()
            ),
            "Split it into several files and load each",
        );
    }
    let images = entries
        .iter()
        .enumerate()
        .map(|(n, entry)| entry_of(n, entry))
        .collect::<Result<Vec<_>>>()?;
    let request = LoadImages {
        file: file.to_string(),
        images,
        missing_only: false,
    };
    check(&request)?;
    Ok(request)
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "object",
    }
}

/// Where an entry is, for messages: its place in the file (from 1) and its ID.
fn at(n: usize, id: Option<&str>) -> String {
    match id {
        Some(id) => format!("entry {} ({id})", n + 1),
        None => format!("entry {}", n + 1),
    }
}

/// The error for `field` of entry `n`.
fn bad(n: usize, id: Option<&str>, field: &str, what: impl std::fmt::Display, hint: &str) -> Error {
    Error::new(
        ErrorKind::InvalidParameterValue,
        format!("{}, field {field}: {what}", at(n, id)),
        format!("{hint}; nothing was loaded"),
    )
}

/// Entry `n` of a file, as its fields say; its values are checked by [`check`].
fn entry_of(n: usize, entry: &Value) -> Result<FixtureImage> {
    let Value::Object(map) = entry else {
        return refuse(
            ErrorKind::InvalidParameterValue,
            format!("{} is a JSON {}, not an object", at(n, None), kind(entry)),
            "Each image of a fixture file is an object with ami_id, name and owner_id; nothing was loaded",
        );
    };
    let id = map.get("ami_id").and_then(Value::as_str);
    if let Some(unknown) = map.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(bad(
            n,
            id,
            unknown,
            "is not a field of a fixture image",
            &format!("The fields are {}", FIELDS.join(", ")),
        ));
    }
    let text = |field: &str| -> Result<Option<String>> {
        match map.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(bad(
                n,
                id,
                field,
                format!("is a {}, not text", kind(other)),
                "Write it as a JSON string",
            )),
        }
    };
    let required = |field: &str| -> Result<String> {
        text(field)?.ok_or_else(|| {
            bad(
                n,
                id,
                field,
                "is missing",
                "Every image needs ami_id, name and owner_id",
            )
        })
    };
    let public = match map.get("public") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            return Err(bad(
                n,
                id,
                "public",
                format!("is a {}, not true or false", kind(other)),
                "Write it as true or false",
            ))
        }
    };
    let product_codes = match map.get("product_codes") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(codes)) => codes
            .iter()
            .map(|c| match c {
                Value::String(s) => Ok(s.clone()),
                other => Err(bad(
                    n,
                    id,
                    "product_codes",
                    format!("holds a {}, not a product code", kind(other)),
                    "Write product codes as a list of strings",
                )),
            })
            .collect::<Result<Vec<_>>>()?,
        Some(other) => {
            return Err(bad(
                n,
                id,
                "product_codes",
                format!("is a {}, not a list", kind(other)),
                "Write product codes as a list of strings",
            ))
        }
    };
    let block_device_mappings = match map.get("block_device_mappings") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(devices)) => devices
            .iter()
            .map(|d| device_of(n, id, d))
            .collect::<Result<Vec<_>>>()?,
        Some(other) => {
            return Err(bad(n, id, "block_device_mappings", format!("is a {}, not a list", kind(other)), "Write the mappings as DescribeImages gives them: a list of {\"DeviceName\": …, \"Ebs\": {\"VolumeSize\": …}}"))
        }
    };
    // amisim's images are available from the moment they are made: no
    // image waits `pending`, and a deregistered one is never loaded.
    if let Some(state) = text("state")?.filter(|s| s != "available") {
        return Err(bad(n, id, "state", format!("{:?} is not a state an image can be loaded in", validate::shorten(&state)), "Load images available (or leave state out); deregister one after loading if a test needs it so"));
    }
    let platform = match text("platform")?.as_deref() {
        None | Some("Linux/UNIX") | Some("linux") => "linux".to_string(),
        Some("windows") | Some("Windows") => "windows".to_string(),
        Some(other) => {
            return Err(bad(
                n,
                id,
                "platform",
                format!("{:?} is not a platform", validate::shorten(other)),
                "Give windows, or Linux/UNIX (or leave it out) for every other image",
            ))
        }
    };
    Ok(FixtureImage {
        ami_id: required("ami_id")?,
        name: required("name")?,
        owner_id: required("owner_id")?,
        description: text("description")?.unwrap_or_default(),
        public,
        architecture: text("architecture")?.unwrap_or_else(|| "x86_64".to_string()),
        platform,
        root_device_type: text("root_device_type")?.unwrap_or_else(|| "ebs".to_string()),
        root_device_name: text("root_device_name")?,
        virtualization_type: text("virtualization_type")?.unwrap_or_else(|| "hvm".to_string()),
        hypervisor: text("hypervisor")?.unwrap_or_else(|| "xen".to_string()),
        image_type: text("image_type")?.unwrap_or_else(|| "machine".to_string()),
        image_location: text("image_location")?,
        product_codes,
        sriov: text("sriov")?,
        creation_date: match text("creation_date")? {
            None => None,
            Some(date) => Some(creation_date(&date).ok_or_else(|| {
                bad(
                    n,
                    id,
                    "creation_date",
                    format!("{:?} is not a date", validate::shorten(&date)),
                    "Write it as AWS does, for example 2024-05-01T12:00:00.000Z",
                )
            })?),
        },
        region_name: text("region_name")?,
        block_device_mappings,
    })
}

/// A block device of an entry: AWS's shape (`DeviceName`, `Ebs` with
/// `VolumeSize`, `VolumeType`, `DeleteOnTermination`, `Encrypted`,
/// `SnapshotId`; or `VirtualName`), in AWS's or snake_case spelling.
fn device_of(n: usize, id: Option<&str>, device: &Value) -> Result<FixtureDevice> {
    let field = "block_device_mappings";
    let hint = "Write each mapping as DescribeImages gives it: {\"DeviceName\": \"/dev/xvda\", \"Ebs\": {\"VolumeSize\": 8}}, or {\"DeviceName\": \"/dev/sdb\", \"VirtualName\": \"ephemeral0\"}";
    let object = |v: &Value| -> Result<Map<String, Value>> {
        match v {
            Value::Object(m) => Ok(m
                .iter()
                .map(|(k, v)| (k.replace('_', "").to_ascii_lowercase(), v.clone()))
                .collect()),
            other => Err(bad(
                n,
                id,
                field,
                format!("holds a {}, not a mapping", kind(other)),
                hint,
            )),
        }
    };
    let m = object(device)?;
    let known = |m: &Map<String, Value>, allowed: &[&str]| -> Result<()> {
        match m.keys().find(|k| !allowed.contains(&k.as_str())) {
            Some(k) => Err(bad(
                n,
                id,
                field,
                format!("a mapping has the unknown key {k:?}"),
                hint,
            )),
            None => Ok(()),
        }
    };
    known(&m, &["devicename", "ebs", "virtualname", "nodevice"])?;
    let text = |m: &Map<String, Value>, key: &str| -> Result<Option<String>> {
        match m.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(bad(
                n,
                id,
                field,
                format!("a mapping's {key} is a {}, not text", kind(other)),
                hint,
            )),
        }
    };
    let Some(device_name) = text(&m, "devicename")? else {
        return Err(bad(n, id, field, "a mapping has no DeviceName", hint));
    };
    let virtual_name = text(&m, "virtualname")?;
    let Some(ebs) = m.get("ebs").filter(|e| !e.is_null()) else {
        if virtual_name.is_none() {
            return Err(bad(
                n,
                id,
                field,
                format!("the mapping of {device_name} has neither Ebs nor VirtualName"),
                hint,
            ));
        }
        return Ok(FixtureDevice {
            device_name,
            virtual_name,
            ebs: None,
        });
    };
    let ebs = object(ebs)?;
    known(
        &ebs,
        &[
            "volumesize",
            "volumetype",
            "deleteontermination",
            "encrypted",
            "snapshotid",
            "iops",
            "throughput",
        ],
    )?;
    let size = match ebs.get("volumesize") {
        None | Some(Value::Null) => None,
        Some(Value::Number(v)) => Some(v.as_i64().filter(|s| (1..=16384).contains(s)).ok_or_else(
            || {
                bad(
                    n,
                    id,
                    field,
                    format!("the volume size of {device_name} is {v}"),
                    "A volume size is a whole number of GiB from 1 to 16384",
                )
            },
        )?),
        Some(other) => {
            return Err(bad(
                n,
                id,
                field,
                format!("the volume size of {device_name} is a {}", kind(other)),
                hint,
            ))
        }
    };
    let flag = |key: &str| -> Result<Option<bool>> {
        match ebs.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(bad(
                n,
                id,
                field,
                format!(
                    "the {key} of {device_name} is a {}, not true or false",
                    kind(other)
                ),
                hint,
            )),
        }
    };
    if flag("encrypted")? == Some(true) {
        return Err(bad(n, id, field, format!("the volume of {device_name} is encrypted"), "Load unencrypted images; an encrypted one needs a KMS key of the cloud's, so copy a loaded image with encryption instead"));
    }
    let volume_type = match text(&ebs, "volumetype")? {
        None => None,
        Some(t) if ["gp2", "gp3", "io1", "io2", "st1", "sc1", "standard"].contains(&t.as_str()) => {
            Some(t)
        }
        Some(t) => {
            return Err(bad(
                n,
                id,
                field,
                format!("{:?} is not a volume type", validate::shorten(&t)),
                "Use gp2, gp3, io1, io2, st1, sc1 or standard",
            ))
        }
    };
    let delete_on_termination = flag("deleteontermination")?;
    Ok(FixtureDevice {
        device_name,
        virtual_name,
        ebs: Some(crate::model::FixtureEbs {
            volume_size: size,
            volume_type,
            delete_on_termination,
        }),
    })
}

/// A creation date in RFC 3339, as AWS prints it (`…T12:00:00.000Z`).
fn creation_date(text: &str) -> Option<String> {
    let t =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
    Some(dates::format_time(t.unix_timestamp()))
}

/// Checks every value of a request's entries, naming the entry and field at
/// fault: what [`read`] does for a file, and a server for a request.
pub fn check(request: &LoadImages) -> Result<()> {
    for (n, e) in request.images.iter().enumerate() {
        let id = Some(e.ami_id.as_str());
        let f = |field: &str, what: String, hint: &str| Err(bad(n, id, field, what, hint));
        if !validate::loadable_image_id(&e.ami_id) {
            return f(
                "ami_id",
                format!("{:?} is not an AMI ID", validate::shorten(&e.ami_id)),
                "An AMI ID is \"ami-\" followed by lowercase letters and digits",
            );
        }
        if validate::account_id(&e.owner_id).is_err() {
            return f(
                "owner_id",
                format!("{:?} is not an account ID", validate::shorten(&e.owner_id)),
                "An account ID is 12 digits",
            );
        }
        if let Err(err) = validate::image_name(&e.name) {
            return f("name", err.message, &err.hint);
        }
        if let Err(err) = validate::description(&e.description) {
            return f("description", err.message, &err.hint);
        }
        for (field, value, allowed) in [
            (
                "architecture",
                &e.architecture,
                &["x86_64", "arm64", "i386"][..],
            ),
            ("platform", &e.platform, &["linux", "windows"][..]),
            (
                "root_device_type",
                &e.root_device_type,
                &["ebs", "instance-store"][..],
            ),
            (
                "virtualization_type",
                &e.virtualization_type,
                &["hvm", "paravirtual"][..],
            ),
            ("hypervisor", &e.hypervisor, &["xen", "nitro"][..]),
            (
                "image_type",
                &e.image_type,
                &["machine", "kernel", "ramdisk"][..],
            ),
        ] {
            if !allowed.contains(&value.as_str()) {
                return f(
                    field,
                    format!(
                        "{:?} is not one of {}",
                        validate::shorten(value),
                        allowed.join(", ")
                    ),
                    &format!("Use one of {}", allowed.join(", ")),
                );
            }
        }
        for (field, value) in [
            ("root_device_name", &e.root_device_name),
            ("image_location", &e.image_location),
            ("sriov", &e.sriov),
        ] {
            if let Some(v) = value {
                if v.is_empty() || v.chars().count() > 255 || v.chars().any(char::is_control) {
                    return f(
                        field,
                        format!(
                            "{:?} is empty, too long or holds control characters",
                            validate::shorten(v)
                        ),
                        "Give at most 255 printable characters",
                    );
                }
            }
        }
        for code in &e.product_codes {
            if code.is_empty()
                || code.len() > 64
                || !code.chars().all(|c| c.is_ascii_alphanumeric())
            {
                return f(
                    "product_codes",
                    format!("{:?} is not a product code", validate::shorten(code)),
                    "A product code is 1 to 64 letters and digits",
                );
            }
        }
        if let Some(region) = &e.region_name {
            if !catalogue::is_region(region) {
                return f("region_name", format!("{:?} is not a region amisim simulates", validate::shorten(region)), "Give a commercial region such as us-east-1, or leave region_name out to load the image into every region");
            }
        }
        if let Some(date) = &e.creation_date {
            if dates::parse_time(date).is_none() {
                return f(
                    "creation_date",
                    format!("{:?} is not a date", validate::shorten(date)),
                    "Write it as AWS does, for example 2024-05-01T12:00:00.000Z",
                );
            }
        }
        let root_device_type = e.root_device();
        let root = &devices_of(e, root_device_type)[0];
        if root.ebs.is_some() != (root_device_type == RootDevice::Ebs) {
            return f(
                "block_device_mappings",
                format!("the root device {} is not of the image's root_device_type {}", root.device_name, e.root_device_type),
                "Map the root device (root_device_name, else the first mapping) as Ebs for an ebs image, as VirtualName for an instance-store one",
            );
        }
        let mut names = std::collections::BTreeSet::new();
        for d in &e.block_device_mappings {
            if !names.insert(d.device_name.as_str()) {
                return f(
                    "block_device_mappings",
                    format!("{} is mapped twice", d.device_name),
                    "Map each device once",
                );
            }
        }
    }
    Ok(())
}

/// The regions an entry goes to.
fn regions(e: &FixtureImage) -> Vec<&str> {
    match &e.region_name {
        Some(r) => vec![r.as_str()],
        None => catalogue::REGIONS.to_vec(),
    }
}

/// How many images of `request` the cloud does not hold yet: with
/// `missing_only`, what a load would make.
pub fn missing(tx: &Tx<'_>, request: &LoadImages) -> Result<usize> {
    let mut n = 0;
    for e in &request.images {
        for region in regions(e) {
            if !loaded_before(request, access::image_in(tx, &e.ami_id, region)?.as_ref()) {
                n += 1;
            }
        }
    }
    Ok(n)
}

/// Whether `image` is one `request`'s file loaded, when loading only what is missing.
fn loaded_before(request: &LoadImages, image: Option<&Image>) -> bool {
    request.missing_only
        && image
            .and_then(|i| i.fixture.as_ref())
            .is_some_and(|f| f.file == request.file)
}

fn load(tx: &mut Tx<'_>, _ctx: &Ctx<'_>, request: &LoadImages) -> Result<Loaded> {
    check(request)?;
    let mut out = Vec::new();
    for (n, e) in request.images.iter().enumerate() {
        for region in regions(e) {
            let existing = access::image_in(tx, &e.ami_id, region)?;
            if loaded_before(request, existing.as_ref()) {
                continue;
            }
            if let Some(other) = existing {
                return Err(bad(
                    n,
                    Some(&e.ami_id),
                    "ami_id",
                    format!("{} is already in use in {region} (by the image {:?} of account {})", e.ami_id, other.name, other.owner_id),
                    "Load each ID once per region: leave out the images loaded before, or reset the cloud",
                ));
            }
            out.push(load_one(tx, request, e, region)?);
        }
    }
    Ok(Loaded {
        file: request.file.clone(),
        entries: request.images.len(),
        images: out,
    })
}

/// An entry's block devices, its root first (the device of its
/// `root_device_name`, else the first): those the file gives, or the root
/// alone as moto gives it, a 15 GiB EBS volume (an ephemeral one for an
/// instance-store image).
fn devices_of(e: &FixtureImage, root_device_type: RootDevice) -> Vec<FixtureDevice> {
    let mut devices = e.block_device_mappings.clone();
    if let Some(at) = e
        .root_device_name
        .as_ref()
        .and_then(|root| devices.iter().position(|d| &d.device_name == root))
    {
        let root = devices.remove(at);
        devices.insert(0, root);
    }
    if devices.is_empty() {
        let device_name = e.root_device_name.clone().unwrap_or_else(|| {
            crate::model::root_device(&e.platform, root_device_type).to_string()
        });
        devices.push(match root_device_type {
            RootDevice::Ebs => FixtureDevice {
                device_name,
                virtual_name: None,
                ebs: Some(crate::model::FixtureEbs {
                    volume_size: Some(DEFAULT_ROOT_GB),
                    volume_type: None,
                    delete_on_termination: None,
                }),
            },
            RootDevice::InstanceStore => FixtureDevice {
                device_name,
                virtual_name: Some("ephemeral0".to_string()),
                ebs: None,
            },
        });
    }
    devices
}

/// Makes the image of entry `e` in `region`, with its snapshots.
fn load_one(
    tx: &mut Tx<'_>,
    request: &LoadImages,
    e: &FixtureImage,
    region: &str,
) -> Result<LoadedImage> {
    let created = e
        .creation_date
        .clone()
        .unwrap_or_else(|| dates::format_time(dates::EPOCH_SECONDS));
    // The first region's copy is keyed by the ID; the others by ID and region.
    let key = tx
        .exists::<Image>(&e.ami_id)?
        .then(|| access::regional_key(&e.ami_id, region));
    let root_device_type = e.root_device();
    let devices = devices_of(e, root_device_type);
    // The root's storage first (a snapshot, or an instance-store image's
    // bundle), then a snapshot per other EBS device; ephemeral devices
    // have none.
    let mut storage_ids = Vec::new();
    let mut size_gb = DEFAULT_ROOT_GB;
    for (n, d) in devices.iter().enumerate() {
        let (kind, prefix, size) = match (&d.ebs, n) {
            (Some(ebs), _) => (
                StorageKind::Snapshot,
                "snap",
                ebs.volume_size.unwrap_or(DEFAULT_ROOT_GB),
            ),
            (None, 0) => (StorageKind::Bundle, "bundle", DEFAULT_ROOT_GB),
            (None, _) => continue,
        };
        if n == 0 {
            size_gb = size;
        }
        let id = ids::fixed(prefix, &["fixture", region, &e.ami_id, &d.device_name]);
        tx.put(&Storage {
            id: id.clone(),
            kind,
            region: region.to_string(),
            owner_id: e.owner_id.clone(),
            size_gb: size,
            encrypted: false,
            kms_key_arn: None,
            created_for_image: e.ami_id.clone(),
            // A public image's snapshots are readable by all, as the catalogue's are.
            public_read: e.public,
            start_time: created.clone(),
        })?;
        storage_ids.push(id);
    }
    let mut billing_products = e.product_codes.clone();
    if e.platform == "windows" {
        billing_products.insert(0, WINDOWS_BILLING_PRODUCT.to_string());
    }
    let image = Image {
        owner_alias: catalogue::publisher(&e.owner_id).and_then(|p| p.alias.map(str::to_string)),
        description: e.description.clone(),
        architecture: e.architecture.clone(),
        platform: e.platform.clone(),
        root_device_type,
        size_gb,
        storage_ids: storage_ids.clone(),
        billing_products,
        fixture: Some(Fixture {
            file: request.file.clone(),
            key,
            image_location: e.image_location.clone(),
            root_device_name: Some(
                e.root_device_name
                    .clone()
                    .unwrap_or_else(|| devices[0].device_name.clone()),
            ),
            virtualization_type: Some(e.virtualization_type.clone()),
            hypervisor: Some(e.hypervisor.clone()),
            sriov: e.sriov.clone(),
            image_type: Some(e.image_type.clone()),
            devices,
        }),
        ..Image::made_whole(&e.ami_id, region, &e.owner_id, &e.name, &created)
    };
    tx.put(&image)?;
    if e.public {
        crate::permissions::make_public(tx, &image)?;
    }
    Ok(LoadedImage {
        image_id: image.id.clone(),
        region: region.to_string(),
        snapshot_ids: storage_ids,
    })
}
