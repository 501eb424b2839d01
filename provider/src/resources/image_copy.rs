//! `amisim_image_copy`: copy an AMI into the provider's account and region.

use amisim_simulator::{validate, CopyImage, Image, ImageDetails};
use serde::{Deserialize, Serialize};
use tf_provider::schema::Schema;
use tf_provider::value::Value;
use tf_provider::Diagnostics;

use crate::attrs::*;
use crate::diags;
use crate::provider::Configured;
use crate::resources::support::common;
use crate::resources::support::life::{self, HasLife};
use crate::resources::support::managed::{Managed, Typed};
use crate::values::*;

/// The state of an `amisim_image_copy`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub id: Str,
    pub arn: Str,
    pub source_ami_id: Str,
    pub source_ami_region: Str,
    pub source_region: Str,
    pub name: Str,
    pub description: Str,
    pub encrypted: Bool,
    pub kms_key_id: Str,
    pub tags: StrMap,
    pub owner_id: Str,
    pub region: Str,
    pub state: Str,
    pub storage_ids: StrList,
    pub creation_date: Str,
    pub source_image_id: Str,
    pub source_image_region: Str,
    pub architecture: Str,
    pub platform: Str,
    pub root_device_type: Str,
    pub billing_products: StrList,
    pub size_gb: Num,
    pub public: Bool,
    pub monthly_storage_cost_usd: Float,
    pub copy_image_tags: Bool,
    pub deregistration_protection: Str,
    pub deregistration_protected_until: Str,
    pub enabled: Bool,
    pub deprecation_time: Str,
    pub last_launched_time: Str,
    pub tags_all: StrMap,
}

life::has_life!(State);

/// The resource type `amisim_image_copy`: its schema and what it does with the cloud.
pub struct ImageCopyType;

/// The `amisim_image_copy` resource.
pub type ImageCopyResource = Typed<ImageCopyType>;

pub(crate) fn schema() -> Schema {
    common::resource_schema(
        "Copies an AMI into the provider's account and region, like `aws_ami_copy`. The copy is a new, distinct image with its own ID and new snapshots in the destination region, owned by the provider's account even when the source was shared by another account. Launch permissions and tags are not copied. Copying is free; the copy's storage is charged to its owner, and a cross-region copy's data transfer to the source's owner. Destroying the copy deregisters it and deletes its snapshots.",
        vec![
            ("source_ami_id", replaces(required_string("The ID of the image to copy. The caller must be allowed to launch it; a source of another account also needs read permission on its storage (`amisim_storage_permission`), and cannot carry billing products. Changing it replaces the copy."))),
            ("source_ami_region", replaces(optional_computed_string("The region the source image lives in, as `aws_ami_copy` names it. Exactly one of `source_ami_region` and `source_region` is set; both hold the value in the state. Changing it replaces the copy."))),
            ("source_region", replaces(optional_computed_string("Deprecated, removed in 1.0: the older name of `source_ami_region`, which takes the same value (renaming it replaces nothing). Changing it replaces the copy."))),
            ("name", replaces(required_string("The copy's name, unique among the account's images in the region. Changing it replaces the copy."))),
            ("description", optional_string("The copy's description. Changes in place.")),
            ("encrypted", replaces(optional_computed_bool("Whether the copy's snapshots are encrypted. A copy of an encrypted source is always encrypted (`false` is refused); an unencrypted source can be copied to an encrypted copy. Changing it replaces the copy."))),
            ("kms_key_id", replaces(optional_computed_string("The KMS key for the copy's snapshots, in the destination region: a key ID, key ARN or `alias/aws/ebs`. Requires `encrypted = true`; an encrypted copy without it uses the account's AWS managed key, whose ARN is then recorded here. Changing it replaces the copy."))),
            ("tags", optional_string_map("Tags of the copy. Change in place. The source's tags are copied only with `copy_image_tags`; they then show in `tags_all`, not here.")),
            ("copy_image_tags", replaces(optional_computed_bool("Whether the copy starts with the source's user tags (never `aws:` tags); default `false`. `tags` wins on a shared key. Changing it replaces the copy."))),
            ("id", computed_string("The copy's image ID: `ami-` and 17 hex digits, distinct from the source's.")),
            ("arn", computed_string("The copy's ARN, `arn:aws:ec2:REGION::image/ami-…`.")),
            ("owner_id", computed_string("The account that owns the copy: always the provider's account.")),
            ("region", computed_string("The region of the copy: the provider's region.")),
            ("state", computed_string("The copy's state: `available`.")),
            ("storage_ids", computed_string_list("The copy's new snapshots (or bundle) in the destination region.")),
            ("creation_date", computed_string("When the copy was created, in the simulated clock.")),
            ("source_image_id", computed_string("Lineage: the image this copy was made from.")),
            ("source_image_region", computed_string("Lineage: the region of the image this copy was made from.")),
            ("architecture", computed_string("The architecture, from the source.")),
            ("platform", computed_string("The platform, from the source.")),
            ("root_device_type", computed_string("The root device type, from the source.")),
            ("billing_products", computed_string_list("The billing products, kept from a source of the same account.")),
            ("size_gb", computed_number("The size of the copy's storage in GiB.")),
            ("public", computed_bool("Whether the copy is public.")),
            ("monthly_storage_cost_usd", computed_number("What the copy's storage costs its owner per month in US dollars, from the price book.")),
        ]
        .into_iter()
        .chain(life::attributes())
        .collect(),
    )
}

fn fill(state: &mut State, image: &Image, details: &ImageDetails) {
    state.id = str(&image.id);
    state.arn = str(&image.arn());
    state.name = str(&image.name);
    state.description = common::description_value(&state.description, &image.description);
    state.encrypted = Value::Value(image.encrypted);
    state.kms_key_id = common::kms_value(&state.kms_key_id, image.kms_key_arn.as_deref());
    state.owner_id = str(&image.owner_id);
    state.region = str(&image.region);
    state.state = str(image.state.as_str());
    state.storage_ids = list_value(&image.storage_ids);
    state.creation_date = str(&image.creation_date);
    state.source_image_id = opt(image.source_image_id.as_deref());
    state.source_image_region = opt(image.source_image_region.as_deref());
    if let (Value::Null | Value::Unknown, Some(src)) =
        (&state.source_ami_id, &image.source_image_id)
    {
        state.source_ami_id = str(src);
    }
    if let Some(src) = &image.source_image_region {
        for region in [&mut state.source_ami_region, &mut state.source_region] {
            if matches!(region, Value::Null | Value::Unknown) {
                *region = str(src);
            }
        }
    }
    state.architecture = str(&image.architecture);
    state.platform = str(&image.platform);
    state.root_device_type = str(image.root_device_type.as_str());
    state.billing_products = list_value(&image.billing_products);
    state.size_gb = Value::Value(image.size_gb);
    state.public = Value::Value(details.public);
    state.monthly_storage_cost_usd = dollars(details.monthly_storage_cost_micros);
    if !matches!(state.copy_image_tags, Value::Value(_)) {
        state.copy_image_tags = Value::Value(!image.copied_tags.is_empty());
    }
    life::fill(state.life(), image);
}

impl Managed for ImageCopyType {
    type State = State;

    fn schema() -> Schema {
        schema()
    }

    fn validate(diags: &mut Diagnostics, c: &State) {
        if let Some(v) = known(&c.source_ami_id) {
            diags::check(diags, "source_ami_id", validate::image_id_shape(v));
        }
        common::check_renamed(
            diags,
            ("source_ami_region", &c.source_ami_region),
            ("source_region", &c.source_region),
        );
        for (name, value) in [
            ("source_ami_region", &c.source_ami_region),
            ("source_region", &c.source_region),
        ] {
            if let Some(v) = known(value) {
                diags::check(diags, name, validate::region(v));
            }
        }
        if let Some(v) = known(&c.name) {
            diags::check(diags, "name", validate::image_name(v));
        }
        if let Some(v) = known(&c.description) {
            diags::check(diags, "description", validate::description(v));
        }
        if !matches!(c.kms_key_id, Value::Null)
            && matches!(c.encrypted, Value::Value(false) | Value::Null)
        {
            diags::error(
                diags,
                "Invalid kms_key_id: InvalidParameterCombination",
                "InvalidParameterCombination: kms_key_id requires an encrypted copy\n\nSet encrypted = true, or remove kms_key_id",
                Some("kms_key_id"),
            );
        }
        if !map_has_unknown(&c.tags) {
            diags::check(diags, "tags", validate::tags(&tags_of(&c.tags)));
        }
        life::validate(diags, &c.deregistration_protection, &c.deprecation_time);
    }

    fn upgrade(state: &mut State) {
        if matches!(state.source_ami_region, Value::Null) {
            state.source_ami_region = state.source_region.clone();
        }
    }

    fn plan_update(
        diags: &mut Diagnostics,
        cfg: &Configured,
        prior: &State,
        mut planned: State,
        config: &State,
    ) -> Option<State> {
        let region = common::renamed_value(&config.source_ami_region, &config.source_region);
        if !matches!(region, Value::Null) {
            planned.source_ami_region = region.clone();
            planned.source_region = region;
        }
        if matches!(planned.copy_image_tags, Value::Null) {
            planned.copy_image_tags = Value::Value(false);
        }
        if planned.enabled != prior.enabled {
            planned.public = Value::Unknown;
        }
        life::plan_update(diags, cfg, prior.clone().life(), planned.life());
        Some(planned)
    }

    fn read(diags: &mut Diagnostics, cfg: &Configured, mut state: State) -> Option<Option<State>> {
        let id = known(&state.id)?.to_string();
        let Some((image, details)) = common::read_image(diags, cfg, &id)? else {
            return Some(None);
        };
        fill(&mut state, &image, &details);
        Some(Some(state))
    }

    fn plan_create(
        diags: &mut Diagnostics,
        cfg: &Configured,
        mut planned: State,
        config: &State,
    ) -> Option<State> {
        let region = common::renamed_value(&config.source_ami_region, &config.source_region);
        planned.source_ami_region = region.clone();
        planned.source_region = region;
        if matches!(planned.encrypted, Value::Null) {
            planned.encrypted = Value::Unknown;
        }
        if matches!(planned.kms_key_id, Value::Null)
            && !matches!(planned.encrypted, Value::Value(false))
        {
            planned.kms_key_id = Value::Unknown;
        }
        planned.id = Value::Unknown;
        planned.arn = Value::Unknown;
        planned.owner_id = str(&cfg.caller.account_id);
        planned.region = str(&cfg.caller.region);
        planned.state = str("available");
        planned.storage_ids = Value::Unknown;
        planned.creation_date = Value::Unknown;
        planned.source_image_id = planned.source_ami_id.clone();
        planned.source_image_region = planned.source_ami_region.clone();
        planned.architecture = Value::Unknown;
        planned.platform = Value::Unknown;
        planned.root_device_type = Value::Unknown;
        planned.billing_products = Value::Unknown;
        planned.size_gb = Value::Unknown;
        planned.public = Value::Value(false);
        planned.monthly_storage_cost_usd = Value::Unknown;
        if matches!(planned.copy_image_tags, Value::Null) {
            planned.copy_image_tags = Value::Value(false);
        }
        let copies_tags = !matches!(planned.copy_image_tags, Value::Value(false));
        life::plan_create(diags, cfg, planned.life(), copies_tags);
        Some(planned)
    }

    fn create(diags: &mut Diagnostics, cfg: &Configured, mut planned: State) -> Option<State> {
        let req = CopyImage {
            source_image_id: known(&planned.source_ami_id)?.to_string(),
            source_region: known(&planned.source_ami_region)?.to_string(),
            name: known(&planned.name)?.to_string(),
            description: known(&planned.description).unwrap_or("").to_string(),
            encrypted: planned.encrypted.as_ref_option().copied(),
            kms_key_id: known(&planned.kms_key_id).map(str::to_string),
            tags: tags_of(&planned.tags),
            copy_image_tags: matches!(planned.copy_image_tags, Value::Value(true)),
        };
        let result = cfg.with(|cloud, caller| cloud.call(caller, &req));
        let image = common::created(diags, "Unable to copy image", result, |e| match e.kind {
            amisim_simulator::ErrorKind::AmiNotFound
            | amisim_simulator::ErrorKind::AmiUnavailable => Some("source_ami_id"),
            amisim_simulator::ErrorKind::InvalidParameterCombination => Some("encrypted"),
            _ => common::attribute_for(e),
        })?;
        let image = common::available(diags, cfg, "Unable to copy image", image)?;
        let (image, details) = life::settle(diags, cfg, image, planned.life())?;
        fill(&mut planned, &image, &details);
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
            "Unable to update image copy",
            known(&planned.id)?,
            (&prior.description, &prior.tags),
            (&planned.description, &planned.tags),
        )?;
        let (image, details) = life::settle(diags, cfg, image, planned.life())?;
        fill(&mut planned, &image, &details);
        Some(planned)
    }

    fn destroy(diags: &mut Diagnostics, cfg: &Configured, prior: State) -> Option<()> {
        common::deregister(diags, cfg, known(&prior.id)?, true)
    }

    fn import(diags: &mut Diagnostics, cfg: &Configured, id: &str) -> Option<State> {
        let (image, details) = common::import_image(diags, cfg, id)?;
        if image.source_image_id.is_none() {
            diags::error(
                diags,
                "Cannot import image copy: InvalidParameterValue",
                format!("InvalidParameterValue: {id} was not made by copying another image\n\nImport it as an amisim_image instead"),
                None,
            );
            return None;
        }
        let mut state = State::default();
        fill(&mut state, &image, &details);
        Some(state)
    }
}
