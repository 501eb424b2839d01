//! What the resources share: plan helpers, image reads, and the mapping of refusals to attributes.

use amisim_simulator::{Error, ErrorKind, Image, ImageDetails};
use serde::Serialize;
use tf_provider::schema::{Attribute, Schema};
use tf_provider::value::Value;
use tf_provider::{AttributePath, Diagnostics};

use crate::attrs;
use crate::diags;
use crate::provider::Configured;
use crate::values::Str;
use amisim_simulator::views::GetImageDetails;
use amisim_simulator::{DeregisterImage, DescribeImage};

/// The schema version of every resource's state.
pub const STATE_VERSION: i64 = 0;

/// A resource schema at the current state version.
pub fn resource_schema(description: &str, attributes: Vec<(&str, Attribute)>) -> Schema {
    attrs::schema(STATE_VERSION, description, attributes)
}

/// The attributes among `names` whose planned value differs from the prior one.
///
/// Used for the attributes AWS cannot change in place: each one returned forces
/// a replacement, and Terraform's plan says which.
pub fn changed<T: Serialize>(prior: &T, planned: &T, names: &[String]) -> Vec<AttributePath> {
    let (Ok(a), Ok(b)) = (serde_json::to_value(prior), serde_json::to_value(planned)) else {
        return Vec::new();
    };
    names
        .iter()
        .filter(|n| a.get(n.as_str()) != b.get(n.as_str()))
        .map(|n| AttributePath::new(n.to_string()))
        .collect()
}

/// Checks an argument and its older spelling, kept until 1.0: exactly one
/// of them is set, and the older one draws a warning naming the new one.
pub fn check_renamed<T>(
    diags: &mut Diagnostics,
    (new, new_value): (&str, &Value<T>),
    (old, old_value): (&str, &Value<T>),
) {
    match (matches!(new_value, Value::Null), matches!(old_value, Value::Null)) {
        (true, true) => diags::error(
            diags,
            format!("Missing required argument: {new}"),
            format!("InvalidParameterValue: exactly one of {new} or {old} (its older name) must be set\n\nSet {new}"),
            Some(new),
        ),
        (false, false) => diags::error(
            diags,
            format!("Conflicting arguments: {new} and {old}"),
            format!("InvalidParameterCombination: {old} is the older name of {new}; only one of them may be set\n\nKeep {new} and remove {old}"),
            Some(old),
        ),
        (true, false) => diags::warning(
            diags,
            format!("Deprecated argument: {old}"),
            format!("{old} is deprecated and will be removed in 1.0: rename it to {new}, which takes the same value (the rename replaces nothing)"),
        ),
        (false, true) => {}
    }
}

/// Of an argument and its older spelling, the value set (`new` when both
/// are), for both to hold in the state.
pub fn renamed_value<T: Clone>(new: &Value<T>, old: &Value<T>) -> Value<T> {
    match new {
        Value::Null => old.clone(),
        set => set.clone(),
    }
}

/// Sets a null string to its default.
pub fn default_str(v: &mut Str, default: &str) {
    if matches!(v, Value::Null) {
        *v = Value::Value(default.to_string());
    }
}

/// A description read from the cloud: an empty one stays null when it was null.
pub fn description_value(prior: &Str, cloud: &str) -> Str {
    if cloud.is_empty() && !matches!(prior, Value::Value(s) if s.is_empty()) {
        Value::Null
    } else {
        Value::Value(cloud.to_string())
    }
}

/// A key reference read from the cloud: the prior spelling (ID, ARN or alias) is kept
/// when it names the same key.
pub fn kms_value(prior: &Str, cloud_arn: Option<&str>) -> Str {
    let Some(arn) = cloud_arn else {
        return Value::Null;
    };
    if let Value::Value(p) = prior {
        let same = p == arn
            || arn.ends_with(&format!("/{p}"))
            || (p == amisim_simulator::kms::EBS_MANAGED_ALIAS || p.ends_with(":alias/aws/ebs"));
        if same {
            return prior.clone();
        }
    }
    Value::Value(arn.to_string())
}

/// What a refusal is about, for pointing the diagnostic at the attribute to change.
pub fn attribute_for(e: &Error) -> Option<&'static str> {
    match e.kind {
        ErrorKind::AmiNameDuplicate | ErrorKind::AmiNameMalformed => Some("name"),
        ErrorKind::KeyNotFound | ErrorKind::KeyAccessDenied => Some("kms_key_id"),
        ErrorKind::InstanceNotFound => Some("source_instance_id"),
        _ => None,
    }
}

/// What a gone object's read returns: no state, so Terraform plans to create it again.
pub fn gone<T, P>(_private: P) -> Option<(T, P)> {
    None
}

/// Whether the image is public and what its storage costs.
pub fn image_computed(
    diags: &mut Diagnostics,
    cfg: &Configured,
    image: &Image,
) -> Option<ImageDetails> {
    let asked = GetImageDetails {
        image_id: image.id.clone(),
    };
    match cfg.with(|cloud, caller| cloud.call(caller, &asked)) {
        Ok(d) => Some(d),
        Err(e) => {
            diags::refusal(diags, "Unable to read image", &e);
            None
        }
    }
}

/// What resources read of an image besides the image.
pub type ImageComputed = ImageDetails;

/// Reads an image the caller owns; `Some(None)` when it is gone (deregistered or unknown).
pub fn read_image(
    diags: &mut Diagnostics,
    cfg: &Configured,
    id: &str,
) -> Option<Option<(Image, ImageDetails)>> {
    read_image_or(diags, cfg, id, true)
}

/// [`read_image`], where a malformed ID is gone when `malformed_is_gone`, else refused.
fn read_image_or(
    diags: &mut Diagnostics,
    cfg: &Configured,
    id: &str,
    malformed_is_gone: bool,
) -> Option<Option<(Image, ImageDetails)>> {
    match cfg.with(|cloud, caller| cloud.call(caller, &DescribeImage::new(id))) {
        Ok(Some(image)) if image.is_registered() && image.owner_id == cfg.caller.account_id => {
            let computed = image_computed(diags, cfg, &image)?;
            Some(Some((image, computed)))
        }
        Ok(Some(image)) => {
            tracing::warn!(image_id = %id, state = image.state.as_str(), "image is no longer available; removing it from state");
            Some(None)
        }
        Ok(None) => {
            tracing::warn!(image_id = %id, "image not found; removing it from state");
            Some(None)
        }
        Err(e) if e.kind.is_not_found() => Some(None),
        Err(e) if e.kind == ErrorKind::AmiMalformed && malformed_is_gone => Some(None),
        Err(e) => {
            let what = if malformed_is_gone {
                "Unable to read image"
            } else {
                "Cannot import image"
            };
            diags::refusal(diags, what, &e);
            None
        }
    }
}

/// Reads an image for `terraform import`: it must exist, be available and be the caller's.
pub fn import_image(
    diags: &mut Diagnostics,
    cfg: &Configured,
    id: &str,
) -> Option<(Image, ImageDetails)> {
    match read_image_or(diags, cfg, id, false)? {
        Some(found) => Some(found),
        None => {
            diags::error(
                diags,
                "Cannot import image: InvalidAMIID.NotFound",
                format!(
                    "InvalidAMIID.NotFound: no available image {id} owned by account {} in {}\n\nCheck the image ID and the provider's account and region; deregistered images cannot be imported",
                    cfg.caller.account_id, cfg.caller.region
                ),
                None,
            );
            None
        }
    }
}

/// The object a create returned; a refusal becomes a diagnostic for `what`,
/// pointing at the attribute `attribute` names.
pub fn created<T>(
    diags: &mut Diagnostics,
    what: &str,
    result: amisim_simulator::Result<T>,
    attribute: impl Fn(&Error) -> Option<&'static str>,
) -> Option<T> {
    match result {
        Ok(object) => Some(object),
        Err(e) => {
            diags::refusal_at(diags, what, &e, attribute(&e));
            None
        }
    }
}

/// hashicorp/aws's create timeout for an AMI (`amiRetryTimeout`), which its
/// waiter for the image to become available waits at most.
pub const IMAGE_CREATE_TIMEOUT_SECONDS: i64 = 40 * 60;

/// A new image as hashicorp/aws leaves its create: available. An image that
/// is still `pending` (a `pending` fault rule, `amisim faults`) is waited
/// for as its waiter waits, in simulated time, with a warning that says so;
/// one still pending after the create timeout is an error, as in AWS.
pub fn available(
    diags: &mut Diagnostics,
    cfg: &Configured,
    what: &str,
    image: Image,
) -> Option<Image> {
    if image.state != amisim_simulator::ImageState::Pending {
        return Some(image);
    }
    let wait = amisim_simulator::WaitImageAvailable {
        image_id: image.id.clone(),
        timeout_seconds: IMAGE_CREATE_TIMEOUT_SECONDS,
    };
    let ready = cfg.call(diags, what, None, |cloud, caller| cloud.call(caller, &wait))?;
    diags::warning(
        diags,
        format!("Waited for {} to become available, as hashicorp/aws does", ready.id),
        format!(
            "{} was pending when it was made. The provider waited for it as hashicorp/aws's waiter does (up to its 40-minute create timeout), in simulated time: the simulated clock moved on to when the image became available, and no real time passed",
            ready.id
        ),
    );
    Some(ready)
}

/// Changes an image's description and tags from `prior` to `planned`; when
/// neither changes, reads the image as it is (for the other in-place changes).
pub fn modify_image(
    diags: &mut Diagnostics,
    cfg: &Configured,
    what: &str,
    id: &str,
    prior: (&Str, &crate::values::StrMap),
    planned: (&Str, &crate::values::StrMap),
) -> Option<Image> {
    use crate::values::{known, tags_of};
    let same = known(prior.0).unwrap_or("") == known(planned.0).unwrap_or("")
        && tags_of(prior.1) == tags_of(planned.1);
    if same {
        return match cfg.with(|cloud, caller| cloud.call(caller, &DescribeImage::new(id))) {
            Ok(Some(image)) => Some(image),
            Ok(None) => {
                diags::error(
                    diags,
                    format!("{what}: InvalidAMIID.NotFound"),
                    format!("InvalidAMIID.NotFound: the image {id} is gone\n\nRun terraform plan again: it will plan to create the image"),
                    None,
                );
                None
            }
            Err(e) => {
                diags::refusal(diags, what, &e);
                None
            }
        };
    }
    let req = amisim_simulator::ModifyImage {
        image_id: id.to_string(),
        description: Some(known(planned.0).unwrap_or("").to_string()),
        tags: Some(tags_of(planned.1)),
        ..amisim_simulator::ModifyImage::default()
    };
    cfg.call(diags, what, None, |cloud, caller| cloud.call(caller, &req))
}

/// Deregisters an image on destroy; an image already gone is not an error.
pub fn deregister(
    diags: &mut Diagnostics,
    cfg: &Configured,
    id: &str,
    delete_storage: bool,
) -> Option<()> {
    match cfg.with(|cloud, caller| cloud.call(caller, &DeregisterImage::new(id, delete_storage))) {
        Ok(_) => Some(()),
        Err(e) if e.kind.is_not_found() || e.kind == ErrorKind::AmiMalformed => Some(()),
        Err(e) => {
            diags::refusal(diags, "Unable to deregister image", &e);
            None
        }
    }
}
