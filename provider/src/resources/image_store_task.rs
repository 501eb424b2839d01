//! `amisim_image_store_task`: an image stored as one object in an S3 bucket
//! (CreateStoreImageTask), which the resource owns: destroying it deletes
//! the object.

use amisim_simulator::s3::check_bucket;
use amisim_simulator::{validate, DeleteStoredImage, ListStoredImages, StoreImage, StoredImage};
use serde::{Deserialize, Serialize};
use tf_provider::schema::Schema;
use tf_provider::value::Value;
use tf_provider::Diagnostics;

use crate::attrs::*;
use crate::diags;
use crate::provider::Configured;
use crate::resources::support::common;
use crate::resources::support::managed::{found, import_parts, imported, Managed, Typed};
use crate::values::*;

/// The state of an `amisim_image_store_task`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub id: Str,
    pub image_id: Str,
    pub bucket: Str,
    pub object_tags: StrMap,
    pub object_key: Str,
    pub task_start_time: Str,
    pub task_state: Str,
    pub size_gb: Num,
}

/// The resource type `amisim_image_store_task`.
pub struct ImageStoreTaskType;

/// The `amisim_image_store_task` resource.
pub type ImageStoreTaskResource = Typed<ImageStoreTaskType>;

pub(crate) fn schema() -> Schema {
    common::resource_schema(
        "Stores an image as one object, `IMAGE-ID.bin`, in an S3 bucket of the provider's account in its region, like `aws ec2 create-store-image-task`: the one way to see an AMI's files as a file, and an archive that outlives the image. The resource is the object: it is billed as S3 Standard storage (`s3-stored-images` on the bill) while it exists, and destroying the resource deletes it. A resource rather than an argument of `amisim_image` because the object is a thing of its own: it can store another account's image shared with yours, and stays when the image is deregistered. The bucket is simulated (no S3 API is served); its first object makes it the account's. Restore it with `amisim_image_restore`. Every argument forces replacement.",
        vec![
            ("image_id", replaces(required_string("The image: the provider's account's, or one shared with it directly together with its snapshots. EBS-backed, at most 5,000 GB, without AWS Marketplace product codes."))),
            ("bucket", replaces(required_string("The bucket: 3 to 63 lowercase letters, digits, dots and hyphens, beginning and ending with a letter or digit. Another account's bucket, or one in another region, is refused. A bucket holds one object per image."))),
            ("object_tags", replaces(optional_string_map("Tags of the object."))),
            ("id", computed_string("`BUCKET/KEY`; also the import ID.")),
            ("object_key", computed_string("The object's key: the image ID and `.bin`.")),
            ("task_start_time", computed_string("When the store task started, in the simulated clock; it completes at once.")),
            ("task_state", computed_string("The store task's state: `Completed`.")),
            ("size_gb", computed_number("The size of the object in GB: the image's whole size (amisim does not compress it).")),
        ],
    )
}

/// Writes the object into a state.
fn fill(state: &mut State, o: &StoredImage) {
    state.id = str(&o.id);
    state.image_id = str(&o.image_id);
    state.bucket = str(&o.bucket);
    state.object_tags = tags_value(&state.object_tags, &o.object_tags);
    state.object_key = str(&o.object_key);
    state.task_start_time = str(&o.task_start_time);
    state.task_state = str("Completed");
    state.size_gb = Value::Value(o.size_gb);
}

/// The caller's object `key` in `bucket`, if it is there.
fn object(
    cfg: &Configured,
    bucket: &str,
    key: &str,
) -> amisim_simulator::Result<Option<StoredImage>> {
    let asked = ListStoredImages {
        bucket: Some(bucket.to_string()),
    };
    cfg.with(|cloud, caller| cloud.call(caller, &asked))
        .map(|objects| objects.into_iter().find(|o| o.object_key == key))
}

impl Managed for ImageStoreTaskType {
    type State = State;

    fn schema() -> Schema {
        schema()
    }

    fn validate(diags: &mut Diagnostics, c: &State) {
        if let Some(id) = known(&c.image_id) {
            diags::check(diags, "image_id", validate::image_id_shape(id));
        }
        if let Some(bucket) = known(&c.bucket) {
            diags::check(diags, "bucket", check_bucket(bucket));
        }
        if !map_has_unknown(&c.object_tags) {
            diags::check(
                diags,
                "object_tags",
                validate::tags(&tags_of(&c.object_tags)),
            );
        }
    }

    fn read(diags: &mut Diagnostics, cfg: &Configured, mut state: State) -> Option<Option<State>> {
        let bucket = known(&state.bucket)?.to_string();
        let key = known(&state.object_key)?.to_string();
        let id = format!("{bucket}/{key}");
        let result = object(cfg, &bucket, &key);
        Some(found(diags, "stored image", &id, result)?.map(|o| {
            fill(&mut state, &o);
            state
        }))
    }

    fn plan_create(
        _diags: &mut Diagnostics,
        _cfg: &Configured,
        mut planned: State,
        _config: &State,
    ) -> Option<State> {
        match (known(&planned.bucket), known(&planned.image_id)) {
            (Some(bucket), Some(image)) => {
                planned.id = str(&format!("{bucket}/{image}.bin"));
                planned.object_key = str(&format!("{image}.bin"));
            }
            _ => {
                planned.id = Value::Unknown;
                planned.object_key = Value::Unknown;
            }
        }
        planned.task_start_time = Value::Unknown;
        planned.task_state = str("Completed");
        planned.size_gb = Value::Unknown;
        Some(planned)
    }

    fn create(diags: &mut Diagnostics, cfg: &Configured, mut planned: State) -> Option<State> {
        let request = StoreImage {
            image_id: known(&planned.image_id)?.to_string(),
            bucket: known(&planned.bucket)?.to_string(),
            object_tags: tags_of(&planned.object_tags),
        };
        let stored = cfg.call(
            diags,
            "Unable to store image",
            Some("image_id"),
            |cloud, caller| cloud.call(caller, &request),
        )?;
        fill(&mut planned, &stored);
        Some(planned)
    }

    fn destroy(diags: &mut Diagnostics, cfg: &Configured, prior: State) -> Option<()> {
        let bucket = known(&prior.bucket)?.to_string();
        let object_key = known(&prior.object_key)?.to_string();
        // An object deleted out of band (`amisim buckets delete`) is gone already.
        if object(cfg, &bucket, &object_key).ok().flatten().is_none() {
            return Some(());
        }
        cfg.call(
            diags,
            "Unable to delete the stored image",
            None,
            |cloud, caller| cloud.call(caller, &DeleteStoredImage { bucket, object_key }),
        )
        .map(|_| ())
    }

    fn import(diags: &mut Diagnostics, cfg: &Configured, id: &str) -> Option<State> {
        let (bucket, key) = import_parts(
            diags,
            id,
            false,
            "BUCKET/KEY",
            "my-ami-archive/ami-0123456789abcdef0.bin",
        )?;
        let result = object(cfg, bucket, key);
        let o = imported(diags, "stored image", result, "NoSuchKey", || {
            format!(
                "the provider's account has no object {key} in bucket {bucket} in {}",
                cfg.caller.region
            )
        })?;
        let mut state = State::default();
        fill(&mut state, &o);
        Some(state)
    }
}
