//! The `amisim_image` and `amisim_images` data sources: find images.

use std::collections::HashMap;
use std::sync::Arc;

use amisim_simulator::views::{GetAllowedImagesView, GetImageDetails};
use amisim_simulator::{validate, DescribeImages, Image};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tf_provider::schema::{Block, Description, NestedBlock, Schema};
use tf_provider::value::{Value, ValueEmpty};
use tf_provider::{DataSource, Diagnostics};

use crate::attrs::*;
use crate::diags;
use crate::provider::{Configured, Shared};
use crate::values::*;

/// The description of a filter's `name`: every DescribeImages filter amisim answers.
fn filter_doc() -> String {
    let names: Vec<String> = amisim_simulator::filters::FILTER_NAMES
        .iter()
        .map(|n| format!("`{n}`"))
        .collect();
    format!(
        "The DescribeImages filter to match, as AWS names it: {}. Deregistered images are found only with a `state` filter.",
        names.join(", ")
    )
}

/// One `filter` block.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Filter {
    pub name: Str,
    pub values: StrList,
}

/// The criteria both data sources share.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Criteria {
    pub owners: StrList,
    pub executable_users: StrList,
    pub name_regex: Str,
    pub filter: Value<Vec<Filter>>,
    pub include_disabled: Bool,
    pub include_deprecated: Bool,
}

/// The state of the `amisim_image` data source.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImageState {
    pub owners: StrList,
    pub executable_users: StrList,
    pub name_regex: Str,
    pub filter: Value<Vec<Filter>>,
    pub include_disabled: Bool,
    pub include_deprecated: Bool,
    pub most_recent: Bool,
    pub id: Str,
    pub arn: Str,
    pub name: Str,
    pub description: Str,
    pub owner_id: Str,
    pub owner_alias: Str,
    pub region: Str,
    pub architecture: Str,
    pub platform: Str,
    pub root_device_type: Str,
    pub creation_date: Str,
    pub state: Str,
    pub encrypted: Bool,
    pub kms_key_id: Str,
    pub storage_ids: StrList,
    pub billing_products: StrList,
    pub size_gb: Num,
    pub public: Bool,
    pub source_image_id: Str,
    pub source_image_region: Str,
    pub tags: StrMap,
    pub deprecation_time: Str,
    pub deregistration_protection: Str,
    pub last_launched_time: Str,
    pub image_allowed: Bool,
}

/// The state of the `amisim_images` data source.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImagesState {
    pub owners: StrList,
    pub executable_users: StrList,
    pub name_regex: Str,
    pub filter: Value<Vec<Filter>>,
    pub include_disabled: Bool,
    pub include_deprecated: Bool,
    pub sort_ascending: Bool,
    pub id: Str,
    pub ids: StrList,
    pub allowed_ids: StrList,
}

macro_rules! criteria_of {
    ($ty:ty) => {
        impl $ty {
            fn criteria(&self) -> Criteria {
                Criteria {
                    owners: self.owners.clone(),
                    executable_users: self.executable_users.clone(),
                    name_regex: self.name_regex.clone(),
                    filter: self.filter.clone(),
                    include_disabled: self.include_disabled.clone(),
                    include_deprecated: self.include_deprecated.clone(),
                }
            }
        }
    };
}

criteria_of!(ImageState);
criteria_of!(ImagesState);

fn criteria_schema() -> (
    Vec<(&'static str, tf_provider::schema::Attribute)>,
    HashMap<String, NestedBlock>,
) {
    let attrs = vec![
        ("owners", optional_string_list("Owners to search: `self`, a 12-digit account ID, `amazon` (AWS-provided images), `aws-marketplace` or `aws-backup-vault`. Empty means every image the caller can see (with Allowed AMIs `enabled`, only the images it allows and the account's own).")),
        ("executable_users", optional_string_list("`self` (or an account ID): only images the caller may launch through an explicit launch permission (its own, or shared with it, its organization or OU); `all` for public images.")),
        ("name_regex", optional_string("A regular expression the image name must match (applied after the other criteria).")),
        ("include_disabled", optional_bool("Also find disabled images (hidden otherwise).")),
        ("include_deprecated", optional_bool("Also find other accounts' deprecated images (skipped otherwise, also by `most_recent`); the owner always sees its own, as in EC2 DescribeImages.")),
    ];
    let filter = Block {
        version: 0,
        attributes: [
            ("name".to_string(), required_string(&filter_doc())),
            (
                "values".to_string(),
                tf_provider::schema::Attribute {
                    attr_type: tf_provider::schema::AttributeType::List(Box::new(
                        tf_provider::schema::AttributeType::String,
                    )),
                    description: Description::markdown(
                        "Values to match; `*` matches any characters and `?` one character.",
                    ),
                    constraint: tf_provider::schema::AttributeConstraint::Required,
                    sensitive: false,
                    deprecated: false,
                },
            ),
        ]
        .into_iter()
        .collect(),
        blocks: HashMap::new(),
        description: Description::markdown("A filter on the images, as in EC2 DescribeImages."),
        deprecated: false,
    };
    let mut blocks = HashMap::new();
    blocks.insert("filter".to_string(), NestedBlock::Set(filter));
    (attrs, blocks)
}

fn with_blocks(mut schema: Schema, blocks: HashMap<String, NestedBlock>) -> Schema {
    schema.block.blocks = blocks;
    schema
}

pub(crate) fn image_schema() -> Schema {
    let (mut attrs, blocks) = criteria_schema();
    attrs.extend([
        ("most_recent", optional_bool("If more than one image matches, take the newest instead of failing. Requires `owners` (the supply-chain guard of terraform-provider-aws 6).")),
        ("id", computed_string("The image ID.")),
        ("arn", computed_string("The image ARN.")),
        ("name", computed_string("The image name.")),
        ("description", computed_string("The image description.")),
        ("owner_id", computed_string("The owning account.")),
        ("owner_alias", computed_string("`amazon` for Amazon Linux and Windows, `aws-marketplace` for Marketplace images, else empty (Canonical, Red Hat, Fedora and Debian have no alias).")),
        ("region", computed_string("The region of the image: the provider's region.")),
        ("architecture", computed_string("`x86_64`, `arm64` or `i386`.")),
        ("platform", computed_string("`linux` or `windows`.")),
        ("root_device_type", computed_string("`ebs` or `instance-store`.")),
        ("creation_date", computed_string("When the image was created.")),
        ("state", computed_string("`available`, `disabled` (with `include_disabled`) or `deregistered` (with a `state` filter).")),
        ("encrypted", computed_bool("Whether the image's storage is encrypted.")),
        ("kms_key_id", computed_string("The ARN of the key that encrypts the storage.")),
        ("storage_ids", computed_string_list("The snapshots or bundle backing the image.")),
        ("billing_products", computed_string_list("The image's billing products.")),
        ("size_gb", computed_number("The size of the image's storage in GiB.")),
        ("public", computed_bool("Whether the image is public.")),
        ("source_image_id", computed_string("For a copy, the image it was copied from.")),
        ("source_image_region", computed_string("For a copy, the region of the image it was copied from.")),
        ("tags", computed_string_map("The image's tags.")),
        ("deprecation_time", computed_string("When the image is (or was) deprecated, or null.")),
        ("deregistration_protection", computed_string("The image's deregistration protection; shown to its owner only (null for other accounts' images).")),
        ("last_launched_time", computed_string("The simulated time of the latest launch from the image; shown to its owner only.")),
        ("image_allowed", computed_bool("Whether the account's Allowed AMIs setting allows the image (always `true` while the setting is off, and for the account's own images).")),
    ]);
    with_blocks(
        schema(0, "Finds one image the caller can see in the provider's region, like the `aws_ami` data source. No match, or several matches without `most_recent`, is an error.", attrs),
        blocks,
    )
}

pub(crate) fn images_schema() -> Schema {
    let (mut attrs, blocks) = criteria_schema();
    attrs.extend([
        ("sort_ascending", optional_bool("Sort the IDs oldest first instead of newest first.")),
        ("id", computed_string("The provider's region.")),
        ("ids", computed_string_list("The IDs of the matching images, newest first (or oldest first with `sort_ascending`).")),
        ("allowed_ids", computed_string_list("The IDs among `ids` that the account's Allowed AMIs setting allows, in the same order (all of them while the setting is off).")),
    ]);
    with_blocks(
        schema(0, "Lists the IDs of the images the caller can see in the provider's region that match the criteria, like the `aws_ami_ids` data source. No match is an empty list.", attrs),
        blocks,
    )
}

fn check_criteria(diags: &mut Diagnostics, c: &Criteria) {
    if let Some(re) = known(&c.name_regex) {
        if let Err(e) = amisim_simulator::filters::compile_name_regex(re) {
            diags::refusal_at(diags, "Invalid name_regex", &e, Some("name_regex"));
        }
    }
    if !list_has_unknown(&c.owners) {
        for owner in list_of(&c.owners) {
            let ok = owner == "self"
                || owner == "amazon"
                || owner == "aws-marketplace"
                || validate::account_id(&owner).is_ok();
            if !ok {
                diags::error(
                    diags,
                    "Invalid owners: InvalidParameterValue",
                    format!("InvalidParameterValue: {:?} is not a valid owner\n\nOwners are self, amazon, aws-marketplace or 12-digit account IDs", validate::shorten(&owner)),
                    Some("owners"),
                );
            }
        }
    }
}

fn request(c: &Criteria) -> DescribeImages {
    DescribeImages {
        owners: list_of(&c.owners),
        executable_users: list_of(&c.executable_users),
        name_regex: known(&c.name_regex).map(str::to_string),
        filters: c
            .filter
            .as_ref_option()
            .map(|fs| {
                fs.iter()
                    .filter_map(|f| Some((known(&f.name)?.to_string(), list_of(&f.values))))
                    .collect()
            })
            .unwrap_or_default(),
        include_disabled: matches!(c.include_disabled, Value::Value(true)),
        include_deprecated: matches!(c.include_deprecated, Value::Value(true)),
    }
}

/// A test of each image against the caller's Allowed AMIs at the simulated time now.
fn allowed_test(diags: &mut Diagnostics, cfg: &Configured) -> Option<impl Fn(&Image) -> bool> {
    let view = cfg.call(
        diags,
        "Unable to read the Allowed AMIs setting",
        None,
        |cloud, caller| cloud.call(caller, &GetAllowedImagesView {}),
    )?;
    let (settings, now) = (view.settings, view.now);
    let account = cfg.caller.account_id.clone();
    Some(move |image: &Image| {
        amisim_simulator::settings::image_allowed(&settings, &account, image, now)
    })
}

fn search(diags: &mut Diagnostics, cfg: &Configured, c: &Criteria) -> Option<Vec<Image>> {
    let req = request(c);
    match cfg.with(|cloud, caller| cloud.call(caller, &req)) {
        Ok(images) => Some(images),
        Err(e) => {
            diags::refusal(diags, "Unable to describe images", &e);
            None
        }
    }
}

/// The `amisim_image` data source.
pub struct ImageDataSource {
    shared: Arc<Shared>,
}

impl ImageDataSource {
    /// The data source over the provider's shared handle.
    pub fn new(shared: Arc<Shared>) -> Self {
        Self { shared }
    }
}

#[async_trait]
impl DataSource for ImageDataSource {
    type State<'a> = ImageState;
    type ProviderMetaState<'a> = ValueEmpty;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(image_schema())
    }

    async fn validate<'a>(&self, diags: &mut Diagnostics, config: ImageState) -> Option<()> {
        check_criteria(diags, &config.criteria());
        if matches!(config.most_recent, Value::Value(true)) && matches!(config.owners, Value::Null)
        {
            most_recent_without_owners(diags);
        }
        Some(())
    }

    async fn read<'a>(
        &self,
        diags: &mut Diagnostics,
        mut state: ImageState,
        _meta: ValueEmpty,
    ) -> Option<ImageState> {
        crate::retries::reported(diags, |diags| {
            let cfg = self.shared.get(diags)?;
            let most_recent = matches!(state.most_recent, Value::Value(true));
            if most_recent && list_of(&state.owners).is_empty() {
                most_recent_without_owners(diags);
                return None;
            }
            let images = search(diags, &cfg, &state.criteria())?;
            let allowed = allowed_test(diags, &cfg)?;
            let image = match images.as_slice() {
                [] => {
                    diags::error(diags, "Your query returned no results: InvalidAMIID.NotFound", format!("InvalidAMIID.NotFound: no image the caller can see in {} matches the criteria\n\nPlease change your search criteria and try again; AMIs are regional, and images of other accounts must be shared with this one", cfg.caller.region), None);
                    return None;
                }
                [one] => one,
                many if most_recent => many
                    .iter()
                    .max_by(|a, b| a.creation_date.cmp(&b.creation_date).then(a.id.cmp(&b.id)))?,
                many => {
                    diags::error(diags, "Your query returned more than one result: InvalidParameterCombination", format!("InvalidParameterCombination: {} images match the criteria\n\nPlease try more specific search criteria, or set most_recent = true", many.len()), None);
                    return None;
                }
            };
            let asked = GetImageDetails {
                image_id: image.id.clone(),
            };
            let details = cfg.call(diags, "Unable to describe images", None, |cloud, caller| {
                cloud.call(caller, &asked)
            })?;
            state.id = str(&image.id);
            state.arn = str(&image.arn());
            state.name = str(&image.name);
            state.description = str(&image.description);
            state.owner_id = str(&image.owner_id);
            state.owner_alias = str(image.owner_alias.as_deref().unwrap_or(""));
            state.region = str(&image.region);
            state.architecture = str(&image.architecture);
            state.platform = str(&image.platform);
            state.root_device_type = str(image.root_device_type.as_str());
            state.creation_date = str(&image.creation_date);
            state.state = str(image.state.as_str());
            state.encrypted = Value::Value(image.encrypted);
            state.kms_key_id = opt(image.kms_key_arn.as_deref());
            state.storage_ids = list_value(&image.storage_ids);
            state.billing_products = list_value(&image.billing_products);
            state.size_gb = Value::Value(image.size_gb);
            state.public = Value::Value(details.public);
            state.source_image_id = opt(image.source_image_id.as_deref());
            state.source_image_region = opt(image.source_image_region.as_deref());
            state.tags = Value::Value(
                image
                    .tags
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::Value(v.clone())))
                    .collect(),
            );
            let mine = image.owner_id == cfg.caller.account_id;
            state.deprecation_time = opt(image.deprecation_time.as_deref());
            state.deregistration_protection = if mine {
                str(image.deregistration_protection.as_str())
            } else {
                Value::Null
            };
            state.last_launched_time = if mine {
                opt(image.last_launched_time.as_deref())
            } else {
                Value::Null
            };
            state.image_allowed = Value::Value(allowed(image));
            if matches!(state.most_recent, Value::Null) {
                state.most_recent = Value::Value(false);
            }
            Some(state)
        })
    }
}

fn most_recent_without_owners(diags: &mut Diagnostics) {
    diags::error(
        diags,
        "Invalid most_recent: InvalidParameterCombination",
        "InvalidParameterCombination: most_recent = true without owners could pick an image published by anyone\n\nSet owners (for example [\"self\"], [\"amazon\"] or an account ID) to say whose images you trust",
        Some("most_recent"),
    );
}

/// The `amisim_images` data source.
pub struct ImagesDataSource {
    shared: Arc<Shared>,
}

impl ImagesDataSource {
    /// The data source over the provider's shared handle.
    pub fn new(shared: Arc<Shared>) -> Self {
        Self { shared }
    }
}

#[async_trait]
impl DataSource for ImagesDataSource {
    type State<'a> = ImagesState;
    type ProviderMetaState<'a> = ValueEmpty;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(images_schema())
    }

    async fn validate<'a>(&self, diags: &mut Diagnostics, config: ImagesState) -> Option<()> {
        check_criteria(diags, &config.criteria());
        Some(())
    }

    async fn read<'a>(
        &self,
        diags: &mut Diagnostics,
        mut state: ImagesState,
        _meta: ValueEmpty,
    ) -> Option<ImagesState> {
        crate::retries::reported(diags, |diags| {
            let cfg = self.shared.get(diags)?;
            let mut images = search(diags, &cfg, &state.criteria())?;
            images.sort_by(|a, b| a.creation_date.cmp(&b.creation_date).then(a.id.cmp(&b.id)));
            if !matches!(state.sort_ascending, Value::Value(true)) {
                images.reverse();
            }
            let allowed = allowed_test(diags, &cfg)?;
            let allowed_ids: Vec<String> = images
                .iter()
                .filter(|i| allowed(i))
                .map(|i| i.id.clone())
                .collect();
            let ids: Vec<String> = images.into_iter().map(|i| i.id).collect();
            state.id = str(&cfg.caller.region);
            state.ids = list_value(&ids);
            state.allowed_ids = list_value(&allowed_ids);
            Some(state)
        })
    }
}
