//! `amisim_image`: register an AMI, or create one from an instance.

use amisim_simulator::attributes;
use amisim_simulator::model::WINDOWS_BILLING_PRODUCT;
use amisim_simulator::views::GetInstanceRootKey;
use amisim_simulator::{
    validate, AttachWatermark, CreateImage, DetachWatermark, Image, InstanceTypeSpecification,
    RegisterImage, ReplaceImageInstanceTypes,
};
use serde::{Deserialize, Serialize};
use tf_provider::schema::Schema;
use tf_provider::value::Value;
use tf_provider::Diagnostics;

use crate::attrs::*;
use crate::diags;
use crate::provider::Configured;
use crate::resources::support::common::{self, ImageComputed};
use crate::resources::support::life::{self, HasLife};
use crate::resources::support::managed::{Managed, Typed};
use crate::values::*;

/// The state of an `amisim_image`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub id: Str,
    pub arn: Str,
    pub name: Str,
    pub description: Str,
    pub architecture: Str,
    pub platform: Str,
    pub root_device_type: Str,
    pub root_volume_size_gb: WholeNum,
    pub encrypted: Bool,
    pub kms_key_id: Str,
    pub source_instance_id: Str,
    pub billing_products: StrList,
    pub delete_snapshots_on_destroy: Bool,
    pub tags: StrMap,
    pub owner_id: Str,
    pub region: Str,
    pub creation_date: Str,
    pub state: Str,
    pub storage_ids: StrList,
    pub public: Bool,
    pub size_gb: Num,
    pub monthly_storage_cost_usd: Float,
    pub deregistration_protection: Str,
    pub deregistration_protected_until: Str,
    pub enabled: Bool,
    pub deprecation_time: Str,
    pub last_launched_time: Str,
    pub tags_all: StrMap,
    pub supported_instance_types: StrList,
    pub unsupported_instance_types: StrList,
    pub watermarks: StrList,
}

life::has_life!(State);

/// The resource type `amisim_image`: its schema and what it does with the cloud.
pub struct ImageType;

/// The `amisim_image` resource.
pub type ImageResource = Typed<ImageType>;

pub(crate) fn schema() -> Schema {
    common::resource_schema(
        "Registers an Amazon Machine Image in the provider's account and region, like `aws_ami`, or creates one from an instance, like `aws_ami_from_instance`. Only `description`, `tags` and `delete_snapshots_on_destroy` change in place; changing anything else replaces the image. Destroying it deregisters it.",
        vec![
            ("name", replaces(required_string("The image name: 3 to 128 letters, digits, spaces and `( ) [ ] . / - ' @ _`, unique among the account's images in the region. Changing it replaces the image."))),
            ("description", optional_string("A description of the image, at most 255 characters. Changes in place.")),
            ("architecture", replaces(optional_computed_string("The processor architecture: `x86_64` (default), `arm64` or `i386`. Inherited from the instance with `source_instance_id`. Changing it replaces the image."))),
            ("platform", replaces(optional_computed_string("The platform: `linux` (default) or `windows`. Windows images carry the Windows licence billing product `bp-6ba54002`. Inherited from the instance with `source_instance_id`. Changing it replaces the image."))),
            ("root_device_type", replaces(optional_computed_string("The root device: `ebs` (default, backed by an EBS snapshot) or `instance-store` (backed by a bundle in S3). Inherited from the instance with `source_instance_id`. Changing it replaces the image."))),
            ("root_volume_size_gb", replaces(optional_computed_number("The size of the root volume in GiB: 1 to 16384 for an EBS root (gp2, gp3; io2 Block Express's 64 TiB is not simulated), 1 to 10 for an instance-store root; default 8. Inherited from the instance with `source_instance_id`. Changing it replaces the image."))),
            ("encrypted", replaces(optional_computed_bool("Whether the image's snapshots are encrypted; default `false`, or `true` when the source instance's image was encrypted. Changing it replaces the image."))),
            ("kms_key_id", replaces(optional_computed_string("The KMS key that encrypts the snapshots: a key ID, key ARN or `alias/aws/ebs`, in the provider's region. Requires `encrypted = true`; without it an encrypted image uses the account's AWS managed key `alias/aws/ebs`, whose ARN is then recorded here. Changing it replaces the image."))),
            ("source_instance_id", replaces(optional_string("Create the image from this instance (`i-…`) of the same account and region instead of registering a new one. The image inherits the instance's architecture, platform, root device, size, billing products and installed software, and gets new snapshots. Instance-store-backed instances cannot be imaged this way. Changing it replaces the image."))),
            ("billing_products", replaces(optional_computed_string_list("Billing product codes of the image, such as `bp-6ba54002` (Windows licence). Images with billing products cannot be made public or copied by another account. Inherited from the instance with `source_instance_id`. Changing it replaces the image."))),
            ("delete_snapshots_on_destroy", optional_computed_bool("Whether destroying the image also deletes its snapshots (or bundle); default `true`. A snapshot another image still uses is never deleted. Kept snapshots go on costing. Changes in place.")),
            ("tags", optional_string_map("Tags of the image. Change in place.")),
            ("supported_instance_types", optional_string_set("The instance types the image runs on, as ReplaceImageInstanceTypeSpecification sets them: type names or `*` patterns such as `t3.*`, at most 100, each 1 to 24 of `A-Z a-z 0-9 _ . - *` without `**`. Unset, any type not in `unsupported_instance_types`. Launching the image on another type is refused (`InvalidParameterCombination`); copies keep the list. Changes in place.")),
            ("unsupported_instance_types", optional_string_set("The instance types the image does not run on, in the same form, never also in `supported_instance_types`. Changes in place.")),
            ("watermarks", optional_string_set("Names of watermarks the provider's account attaches to the image (AttachImageWatermark; keys `ACCOUNT:NAME`): every copy, and every image made from an instance of it, carries them, and a watermarked image cannot be made public. Each 3 to 128 letters, digits, spaces and `( ) [ ] . / - ' @ _`. Watermarks the image inherited from the image it was made from are not listed here (`amisim images show` shows them). Changes in place; removing one from the image leaves the images already made from it marked.")),
            ("id", computed_string("The image ID: `ami-` and 17 hex digits.")),
            ("arn", computed_string("The image ARN, `arn:aws:ec2:REGION::image/ami-…` (image ARNs carry no account).")),
            ("owner_id", computed_string("The account that owns the image: the provider's account.")),
            ("region", computed_string("The region the image lives in: the provider's region. AMIs are regional.")),
            ("creation_date", computed_string("When the image was created, in the simulated clock, as `2025-01-01T00:00:01.000Z`.")),
            ("state", computed_string("The image state: `available`. A deregistered image reads as gone.")),
            ("storage_ids", computed_string_list("The snapshot IDs (`snap-…`) backing the image, or the bundle (`bundle-…`) of an instance-store image.")),
            ("public", computed_bool("Whether the image is public (has a launch permission for `group = \"all\"`).")),
            ("size_gb", computed_number("The size of the image's storage in GiB.")),
            ("monthly_storage_cost_usd", computed_number("What the image's storage costs per month in US dollars, from the price book: $0.05 per GB-month for EBS snapshots, S3 Standard prices for instance-store bundles.")),
        ]
        .into_iter()
        .chain(life::attributes())
        .collect(),
    )
}

fn check_config(diags: &mut Diagnostics, c: &State) {
    if let Some(name) = known(&c.name) {
        diags::check(diags, "name", validate::image_name(name));
    }
    if let Some(d) = known(&c.description) {
        diags::check(diags, "description", validate::description(d));
    }
    for (attr, value, allowed) in [
        ("architecture", &c.architecture, validate::ARCHITECTURES),
        ("platform", &c.platform, validate::PLATFORMS),
        (
            "root_device_type",
            &c.root_device_type,
            validate::ROOT_DEVICE_TYPES,
        ),
    ] {
        if let Some(v) = known(value) {
            diags::check(diags, attr, validate::one_of(attr, v, allowed));
        }
    }
    if let Value::Value(size) = &c.root_volume_size_gb {
        let device = match &c.root_device_type {
            Value::Null => Some("ebs"),
            v => known(v),
        };
        let fits = |n: i64| {
            validate::volume_size(n)?;
            device.map_or(Ok(()), |d| validate::root_device_size(d, n))
        };
        diags::check(
            diags,
            "root_volume_size_gb",
            size.check(fits, validate::volume_size_not_whole),
        );
    }
    if !matches!(c.kms_key_id, Value::Null)
        && matches!(c.encrypted, Value::Value(false) | Value::Null)
    {
        diags::error(
            diags,
            "Invalid kms_key_id: InvalidParameterCombination",
            "InvalidParameterCombination: kms_key_id requires encrypted storage\n\nSet encrypted = true, or remove kms_key_id",
            Some("kms_key_id"),
        );
    }
    if known(&c.root_device_type) == Some("instance-store")
        && matches!(c.encrypted, Value::Value(true))
    {
        diags::error(
            diags,
            "Invalid encrypted: InvalidParameterCombination",
            "InvalidParameterCombination: instance-store bundles cannot be encrypted with EBS encryption\n\nUse root_device_type = \"ebs\" for an encrypted image",
            Some("encrypted"),
        );
    }
    if !matches!(c.source_instance_id, Value::Null) {
        for (attr, set) in [
            ("architecture", !matches!(c.architecture, Value::Null)),
            ("platform", !matches!(c.platform, Value::Null)),
            (
                "root_device_type",
                !matches!(c.root_device_type, Value::Null),
            ),
            (
                "root_volume_size_gb",
                !matches!(c.root_volume_size_gb, Value::Null),
            ),
            (
                "billing_products",
                !matches!(c.billing_products, Value::Null),
            ),
        ] {
            if set {
                diags::error(
                    diags,
                    format!("Invalid {attr}: InvalidParameterCombination"),
                    format!("InvalidParameterCombination: {attr} is inherited from the instance when source_instance_id is set\n\nRemove {attr}, or remove source_instance_id to register a new image"),
                    Some(attr),
                );
            }
        }
    }
    if known(&c.platform) == Some("windows")
        && !list_has_unknown(&c.billing_products)
        && !matches!(c.billing_products, Value::Null)
    {
        let products = list_of(&c.billing_products);
        if !products.iter().any(|p| p == WINDOWS_BILLING_PRODUCT) {
            diags::error(
                diags,
                "Invalid billing_products: InvalidParameterCombination",
                format!("InvalidParameterCombination: Windows images carry the Windows licence billing product {}\n\nAdd \"{}\" to billing_products, or leave billing_products unset", WINDOWS_BILLING_PRODUCT, WINDOWS_BILLING_PRODUCT),
                Some("billing_products"),
            );
        }
    }
    if !map_has_unknown(&c.tags) {
        diags::check(diags, "tags", validate::tags(&tags_of(&c.tags)));
    }
    if !list_has_unknown(&c.supported_instance_types)
        && !list_has_unknown(&c.unsupported_instance_types)
    {
        diags::check(
            diags,
            "supported_instance_types",
            attributes::check_specification(&specification(c)),
        );
    }
    if !list_has_unknown(&c.watermarks) {
        for name in list_of(&c.watermarks) {
            diags::check(diags, "watermarks", attributes::check_watermark_name(&name));
        }
    }
}

/// The instance type specification a configuration or state names.
fn specification(s: &State) -> InstanceTypeSpecification {
    InstanceTypeSpecification {
        supported: list_of(&s.supported_instance_types),
        unsupported: list_of(&s.unsupported_instance_types),
    }
}

/// The names of the watermarks the image's owner attached to this image
/// itself (not those it inherited).
fn own_watermarks(image: &Image) -> Vec<String> {
    let prefix = format!("{}:", image.owner_id);
    image
        .watermarks
        .iter()
        .filter(|w| w.source_image_id == image.id)
        .filter_map(|w| w.key.strip_prefix(&prefix).map(str::to_string))
        .collect()
}

/// A set attribute from the image's values: null when the image has none and
/// the configuration set none, so that an unset argument stays unset.
/// Makes the image's instance types and watermarks what `planned` says,
/// from what `prior` said (nothing for a new image); answers the image as
/// it is then.
fn apply_marks(
    diags: &mut Diagnostics,
    cfg: &Configured,
    mut image: Image,
    prior: Option<&State>,
    planned: &State,
) -> Option<Image> {
    let wanted = specification(planned);
    let had = prior.map(specification).unwrap_or_default();
    if wanted != had {
        let request = ReplaceImageInstanceTypes {
            image_id: image.id.clone(),
            specification: (!wanted.supported.is_empty() || !wanted.unsupported.is_empty())
                .then_some(wanted),
        };
        image = cfg.call(
            diags,
            "Unable to set the image's instance types",
            Some("supported_instance_types"),
            |cloud, caller| cloud.call(caller, &request),
        )?;
    }
    let marks = list_of(&planned.watermarks);
    let before = prior.map(|p| list_of(&p.watermarks)).unwrap_or_default();
    let attached: Vec<&String> = marks.iter().filter(|m| !before.contains(m)).collect();
    for name in &attached {
        let request = AttachWatermark {
            image_id: image.id.clone(),
            name: name.to_string(),
        };
        cfg.call(
            diags,
            "Unable to attach a watermark",
            Some("watermarks"),
            |cloud, caller| cloud.call(caller, &request),
        )?;
    }
    for name in before.iter().filter(|m| !marks.contains(m)) {
        let request = DetachWatermark {
            image_id: image.id.clone(),
            key: format!("{}:{name}", image.owner_id),
        };
        image = cfg.call(
            diags,
            "Unable to detach a watermark",
            Some("watermarks"),
            |cloud, caller| cloud.call(caller, &request),
        )?;
    }
    if attached.is_empty() {
        return Some(image);
    }
    // AttachImageWatermark answers the key alone: read the image it marked.
    let id = image.id.clone();
    Some(match common::read_image(diags, cfg, &id)? {
        Some((found, _)) => found,
        None => image,
    })
}

/// Writes the image into a state, keeping the configuration's spelling where it means the same.
fn fill(state: &mut State, image: &Image, computed: &ImageComputed) {
    state.id = str(&image.id);
    state.arn = str(&image.arn());
    state.name = str(&image.name);
    state.description = common::description_value(&state.description, &image.description);
    state.architecture = str(&image.architecture);
    state.platform = str(&image.platform);
    state.root_device_type = str(image.root_device_type.as_str());
    state.root_volume_size_gb = Value::Value(Whole::Int(image.size_gb));
    state.encrypted = Value::Value(image.encrypted);
    state.kms_key_id = common::kms_value(&state.kms_key_id, image.kms_key_arn.as_deref());
    state.source_instance_id = opt(image.source_instance_id.as_deref());
    state.billing_products = list_value(&image.billing_products);
    if !matches!(state.delete_snapshots_on_destroy, Value::Value(_)) {
        state.delete_snapshots_on_destroy = Value::Value(true);
    }
    state.owner_id = str(&image.owner_id);
    state.region = str(&image.region);
    state.creation_date = str(&image.creation_date);
    state.state = str(image.state.as_str());
    state.storage_ids = list_value(&image.storage_ids);
    state.public = Value::Value(computed.public);
    state.size_gb = Value::Value(image.size_gb);
    state.monthly_storage_cost_usd = dollars(computed.monthly_storage_cost_micros);
    state.supported_instance_types = set_or_null(
        &state.supported_instance_types,
        &image.supported_instance_types,
    );
    state.unsupported_instance_types = set_or_null(
        &state.unsupported_instance_types,
        &image.unsupported_instance_types,
    );
    state.watermarks = set_or_null(&state.watermarks, &own_watermarks(image));
    life::fill(state.life(), image);
}

/// Refuses, at plan time, an `encrypted` or `kms_key_id` that contradicts the
/// key of the instance's root volume: an image created from it keeps that
/// key, as in AWS (else apply would produce another value than planned).
fn check_volume_key(
    diags: &mut Diagnostics,
    cfg: &Configured,
    instance_id: &str,
    planned: &State,
) -> Option<()> {
    let id = instance_id.to_string();
    let Ok(Some(volume_key)) =
        cfg.with(|cloud, caller| cloud.call(caller, &GetInstanceRootKey { instance_id: id }))
    else {
        return Some(());
    };
    let why = format!("the root volume of {instance_id} is encrypted with {volume_key}: an image created from it is encrypted with that key");
    if matches!(planned.encrypted, Value::Value(false)) {
        diags::error(
            diags,
            "Invalid encrypted: InvalidParameterCombination",
            format!("InvalidParameterCombination: {why}\n\nRemove encrypted = false (or set encrypted = true), or image an instance of an unencrypted image"),
            Some("encrypted"),
        );
        return None;
    }
    if let Some(asked) = known(&planned.kms_key_id) {
        let same = asked == volume_key || volume_key.ends_with(&format!(":key/{asked}"));
        if !same && asked != amisim_simulator::kms::EBS_MANAGED_ALIAS {
            diags::error(
                diags,
                "Invalid kms_key_id: InvalidParameterCombination",
                format!("InvalidParameterCombination: {why}, not {asked}\n\nLeave kms_key_id unset (or set it to the volume's key), then copy the image with amisim_image_copy to re-encrypt it"),
                Some("kms_key_id"),
            );
            return None;
        }
    }
    Some(())
}

impl Managed for ImageType {
    type State = State;

    fn schema() -> Schema {
        schema()
    }

    fn validate(diags: &mut Diagnostics, config: &State) {
        check_config(diags, config);
        life::validate(
            diags,
            &config.deregistration_protection,
            &config.deprecation_time,
        );
    }

    fn read(diags: &mut Diagnostics, cfg: &Configured, mut state: State) -> Option<Option<State>> {
        let id = known(&state.id)?.to_string();
        let found = common::read_image(diags, cfg, &id)?;
        Some(found.map(|(image, computed)| {
            fill(&mut state, &image, &computed);
            state
        }))
    }

    fn plan_create(
        diags: &mut Diagnostics,
        cfg: &Configured,
        mut planned: State,
        _config: &State,
    ) -> Option<State> {
        let from_instance = !matches!(planned.source_instance_id, Value::Null);
        if let Some(instance_id) = known(&planned.source_instance_id) {
            check_volume_key(diags, cfg, instance_id, &planned)?;
        }
        if from_instance {
            planned.architecture = Value::Unknown;
            planned.platform = Value::Unknown;
            planned.root_device_type = Value::Unknown;
            planned.root_volume_size_gb = Value::Unknown;
            planned.billing_products = Value::Unknown;
            if matches!(planned.encrypted, Value::Null) {
                planned.encrypted = Value::Unknown;
            }
            if matches!(planned.kms_key_id, Value::Null) {
                planned.kms_key_id = Value::Unknown;
            }
        } else {
            common::default_str(&mut planned.architecture, "x86_64");
            common::default_str(&mut planned.platform, "linux");
            common::default_str(&mut planned.root_device_type, "ebs");
            if matches!(planned.root_volume_size_gb, Value::Null) {
                planned.root_volume_size_gb = Value::Value(Whole::Int(8));
            }
            if matches!(planned.encrypted, Value::Null) {
                planned.encrypted = Value::Value(false);
            }
            if matches!(planned.kms_key_id, Value::Null)
                && matches!(planned.encrypted, Value::Value(true))
            {
                planned.kms_key_id = Value::Unknown;
            }
            if matches!(planned.billing_products, Value::Null) {
                planned.billing_products = match known(&planned.platform) {
                    Some("windows") => list_value(&[WINDOWS_BILLING_PRODUCT.to_string()]),
                    Some(_) => Value::Value(vec![]),
                    None => Value::Unknown,
                };
            }
        }
        if matches!(planned.delete_snapshots_on_destroy, Value::Null) {
            planned.delete_snapshots_on_destroy = Value::Value(true);
        }
        planned.id = Value::Unknown;
        planned.arn = Value::Unknown;
        planned.owner_id = str(&cfg.caller.account_id);
        planned.region = str(&cfg.caller.region);
        planned.creation_date = Value::Unknown;
        planned.state = str("available");
        planned.storage_ids = Value::Unknown;
        planned.public = Value::Value(false);
        planned.size_gb = match &planned.root_volume_size_gb {
            Value::Value(Whole::Int(n)) => Value::Value(*n),
            _ => Value::Unknown,
        };
        planned.monthly_storage_cost_usd = Value::Unknown;
        life::plan_create(diags, cfg, planned.life(), false);
        Some(planned)
    }

    fn plan_update(
        diags: &mut Diagnostics,
        cfg: &Configured,
        prior: &State,
        mut planned: State,
        _config: &State,
    ) -> Option<State> {
        if matches!(planned.delete_snapshots_on_destroy, Value::Null) {
            planned.delete_snapshots_on_destroy = Value::Value(true);
        }
        if planned.enabled != prior.enabled {
            planned.public = Value::Unknown;
        }
        life::plan_update(diags, cfg, prior.clone().life(), planned.life());
        Some(planned)
    }

    fn create(diags: &mut Diagnostics, cfg: &Configured, mut planned: State) -> Option<State> {
        let name = known(&planned.name)?.to_string();
        let description = known(&planned.description).unwrap_or("").to_string();
        let encrypted = matches!(planned.encrypted, Value::Value(true));
        let kms_key_id = known(&planned.kms_key_id).map(str::to_string);
        let tags = tags_of(&planned.tags);
        let result = cfg.with(|cloud, caller| match known(&planned.source_instance_id) {
            Some(instance_id) => cloud.call(
                caller,
                &CreateImage {
                    instance_id: instance_id.to_string(),
                    name,
                    description,
                    encrypted,
                    kms_key_id,
                    tags,
                },
            ),
            None => cloud.call(
                caller,
                &RegisterImage {
                    name,
                    description,
                    architecture: known(&planned.architecture).map(str::to_string),
                    platform: known(&planned.platform).map(str::to_string),
                    root_device_type: known(&planned.root_device_type).map(str::to_string),
                    root_volume_size_gb: planned
                        .root_volume_size_gb
                        .as_ref_option()
                        .and_then(Whole::int),
                    encrypted,
                    kms_key_id,
                    billing_products: list_of(&planned.billing_products),
                    tags,
                },
            ),
        });
        let image = common::created(
            diags,
            "Unable to create image",
            result,
            common::attribute_for,
        )?;
        let image = common::available(diags, cfg, "Unable to create image", image)?;
        let image = apply_marks(diags, cfg, image, None, &planned)?;
        let (image, computed) = life::settle(diags, cfg, image, planned.life())?;
        tracing::info!(image_id = %image.id, "registered image");
        fill(&mut planned, &image, &computed);
        Some(planned)
    }

    fn update(
        diags: &mut Diagnostics,
        cfg: &Configured,
        prior: &State,
        mut planned: State,
    ) -> Option<State> {
        let image = common::modify_image(
            diags,
            cfg,
            "Unable to update image",
            known(&planned.id)?,
            (&prior.description, &prior.tags),
            (&planned.description, &planned.tags),
        )?;
        let image = apply_marks(diags, cfg, image, Some(prior), &planned)?;
        let (image, computed) = life::settle(diags, cfg, image, planned.life())?;
        fill(&mut planned, &image, &computed);
        Some(planned)
    }

    fn destroy(diags: &mut Diagnostics, cfg: &Configured, prior: State) -> Option<()> {
        let delete = !matches!(prior.delete_snapshots_on_destroy, Value::Value(false));
        common::deregister(diags, cfg, known(&prior.id)?, delete)
    }

    fn import(diags: &mut Diagnostics, cfg: &Configured, id: &str) -> Option<State> {
        let (image, computed) = common::import_image(diags, cfg, id)?;
        let mut state = State::default();
        fill(&mut state, &image, &computed);
        Some(state)
    }
}
