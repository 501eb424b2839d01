//! `amisim_image_restore`: a new image restored from an object a store task
//! made (CreateRestoreImageTask).

use amisim_simulator::s3::check_bucket;
use amisim_simulator::{validate, Image, RestoreImage};
use serde::{Deserialize, Serialize};
use tf_provider::schema::Schema;
use tf_provider::value::Value;
use tf_provider::Diagnostics;

use crate::attrs::*;
use crate::diags;
use crate::provider::Configured;
use crate::resources::support::common::{self, ImageComputed};
use crate::resources::support::managed::{import_parts, Managed, Typed};
use crate::values::*;

/// The state of an `amisim_image_restore`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub id: Str,
    pub bucket: Str,
    pub object_key: Str,
    pub name: Str,
    pub tags: StrMap,
    pub arn: Str,
    pub owner_id: Str,
    pub region: Str,
    pub creation_date: Str,
    pub state: Str,
    pub source_image_id: Str,
    pub source_image_region: Str,
    pub architecture: Str,
    pub platform: Str,
    pub size_gb: Num,
    pub storage_ids: StrList,
    pub tags_all: StrMap,
}

/// The resource type `amisim_image_restore`.
pub struct ImageRestoreType;

/// The `amisim_image_restore` resource.
pub type ImageRestoreResource = Typed<ImageRestoreType>;

pub(crate) fn schema() -> Schema {
    common::resource_schema(
        "Restores an image from an object in a bucket of the provider's account, like `aws ec2 create-restore-image-task`: a new image with a new ID in the provider's account and region, with new snapshots, whose source (`source_image_id`, and GetImageAncestry) is the image stored. The object must have been made by a store task (`amisim_image_store_task`). Every argument forces replacement; destroying it deregisters the image and deletes its snapshots.",
        vec![
            ("bucket", replaces(required_string("The bucket that holds the object: one of the provider's account's."))),
            ("object_key", replaces(required_string("The object's key, `IMAGE-ID.bin`, as `amisim_image_store_task` gives it."))),
            ("name", replaces(optional_computed_string("The new image's name, unique among the account's images in the region; the stored image's name when unset (which must then be free)."))),
            ("tags", replaces(optional_string_map("Tags of the new image, over those stored with the object. Changing them replaces the image."))),
            ("id", computed_string("The new image's ID; also the import ID.")),
            ("arn", computed_string("The new image's ARN.")),
            ("owner_id", computed_string("The provider's account.")),
            ("region", computed_string("The provider's region.")),
            ("creation_date", computed_string("When the image was restored, in the simulated clock.")),
            ("state", computed_string("The image state: `available`. A deregistered image reads as gone.")),
            ("source_image_id", computed_string("The image the object was stored from.")),
            ("source_image_region", computed_string("The region it was stored from.")),
            ("architecture", computed_string("The stored image's architecture.")),
            ("platform", computed_string("The stored image's platform.")),
            ("size_gb", computed_number("The size of the new image's storage in GiB.")),
            ("storage_ids", computed_string_list("The new snapshots backing the image.")),
            ("tags_all", computed_string_map("Every tag of the image: those stored with the object and `tags`.")),
        ],
    )
}

/// Writes the image into a state.
fn fill(state: &mut State, image: &Image, _computed: &ImageComputed) {
    state.id = str(&image.id);
    state.name = str(&image.name);
    state.arn = str(&image.arn());
    state.owner_id = str(&image.owner_id);
    state.region = str(&image.region);
    state.creation_date = str(&image.creation_date);
    state.state = str(image.state.as_str());
    state.source_image_id = opt(image.source_image_id.as_deref());
    state.source_image_region = opt(image.source_image_region.as_deref());
    state.architecture = str(&image.architecture);
    state.platform = str(&image.platform);
    state.size_gb = Value::Value(image.size_gb);
    state.storage_ids = list_value(&image.storage_ids);
    state.tags_all = tags_value(&Value::Value(Default::default()), &image.tags);
}

impl Managed for ImageRestoreType {
    type State = State;

    fn schema() -> Schema {
        schema()
    }

    fn validate(diags: &mut Diagnostics, c: &State) {
        if let Some(bucket) = known(&c.bucket) {
            diags::check(diags, "bucket", check_bucket(bucket));
        }
        if let Some(name) = known(&c.name) {
            diags::check(diags, "name", validate::image_name(name));
        }
        if !map_has_unknown(&c.tags) {
            diags::check(diags, "tags", validate::tags(&tags_of(&c.tags)));
        }
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
        _diags: &mut Diagnostics,
        cfg: &Configured,
        mut planned: State,
        _config: &State,
    ) -> Option<State> {
        if matches!(planned.name, Value::Null) {
            planned.name = Value::Unknown;
        }
        for computed in [
            &mut planned.id,
            &mut planned.arn,
            &mut planned.creation_date,
            &mut planned.source_image_id,
            &mut planned.source_image_region,
            &mut planned.architecture,
            &mut planned.platform,
        ] {
            *computed = Value::Unknown;
        }
        planned.owner_id = str(&cfg.caller.account_id);
        planned.region = str(&cfg.caller.region);
        planned.state = str("available");
        planned.size_gb = Value::Unknown;
        planned.storage_ids = Value::Unknown;
        planned.tags_all = Value::Unknown;
        Some(planned)
    }

    fn create(diags: &mut Diagnostics, cfg: &Configured, mut planned: State) -> Option<State> {
        let request = RestoreImage {
            bucket: known(&planned.bucket)?.to_string(),
            object_key: known(&planned.object_key)?.to_string(),
            name: known(&planned.name).map(str::to_string),
            tags: tags_of(&planned.tags),
        };
        let image = common::created(
            diags,
            "Unable to restore image",
            cfg.with(|cloud, caller| cloud.call(caller, &request)),
            common::attribute_for,
        )?;
        let image = common::available(diags, cfg, "Unable to restore image", image)?;
        let computed = common::image_computed(diags, cfg, &image)?;
        fill(&mut planned, &image, &computed);
        Some(planned)
    }

    fn destroy(diags: &mut Diagnostics, cfg: &Configured, prior: State) -> Option<()> {
        common::deregister(diags, cfg, known(&prior.id)?, true)
    }

    fn import(diags: &mut Diagnostics, cfg: &Configured, id: &str) -> Option<State> {
        let example = "golden-archive/ami-0123456789abcdef0.bin/ami-0fedcba9876543210";
        let (object, image_id) = import_parts(diags, id, true, "BUCKET/KEY/IMAGE_ID", example)?;
        let (bucket, key) = import_parts(diags, object, false, "BUCKET/KEY", example)?;
        let (image, computed) = common::import_image(diags, cfg, image_id)?;
        let mut state = State {
            bucket: str(bucket),
            object_key: str(key),
            ..State::default()
        };
        fill(&mut state, &image, &computed);
        Some(state)
    }
}
