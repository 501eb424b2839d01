//! An image's lineage (the images it came from) and what still uses it.

use serde::{Deserialize, Serialize};

use crate::access;
use crate::access::owned;
use crate::call::{calls, Ctx};
use crate::error::Result;
use crate::model::{Image, Instance, InstanceState};
use crate::store::{Filter, Tx};

/// An ancestry has at most this many entries.
pub const MAX_ANCESTRY: usize = 50;

/// GetImageAncestry: the image and the images it came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetImageAncestry {
    /// The image.
    pub image_id: String,
}

impl GetImageAncestry {
    /// The ancestry of `image_id`.
    pub fn new(image_id: impl Into<String>) -> GetImageAncestry {
        GetImageAncestry {
            image_id: image_id.into(),
        }
    }
}

/// DescribeImageReferences: what still uses an image the caller owns.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DescribeImageReferences {
    /// The image.
    pub image_id: String,
}

impl DescribeImageReferences {
    /// What uses `image_id`.
    pub fn new(image_id: impl Into<String>) -> DescribeImageReferences {
        DescribeImageReferences {
            image_id: image_id.into(),
        }
    }
}

calls! {
    GetImageAncestry => Vec<AncestryEntry>, "GetImageAncestry", reads, Image(image_id),
        |r, tx, ctx| ancestry(tx, ctx, &r.image_id);
    DescribeImageReferences => Vec<ImageReference>, "DescribeImageReferences", reads, Image(image_id),
        |r, tx, ctx| references(tx, ctx, &r.image_id);
}

/// One step of an image's lineage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AncestryEntry {
    /// The image.
    pub image_id: String,
    /// The image it was copied from, or whose instance it was created from.
    pub source_image_id: Option<String>,
    /// The region of that image.
    pub source_image_region: Option<String>,
    /// When the image was created; none for an image the caller cannot see.
    pub creation_date: Option<String>,
    /// Its owner; none for an image the caller cannot see.
    pub owner_id: Option<String>,
    /// Its owner's alias (`amazon`, `aws-marketplace`), if it has one.
    pub owner_alias: Option<String>,
}

/// The image's parent: the image it was copied from, or the image of the
/// instance it was created from.
fn parent_of(tx: &Tx<'_>, image: &Image) -> Result<Option<(String, String)>> {
    if let (Some(id), Some(region)) = (&image.source_image_id, &image.source_image_region) {
        return Ok(Some((id.clone(), region.clone())));
    }
    if let Some(instance_id) = &image.source_instance_id {
        if let Some(i) = tx.get::<Instance>(instance_id)? {
            return Ok(Some((i.image_id, i.region)));
        }
    }
    Ok(None)
}

/// GetImageAncestry: from an image the caller can see back to its origin.
///
/// An ancestor the caller cannot see (another account's image that is not
/// shared with it, or that its owner deregistered) ends the chain with its ID
/// alone, which the caller knows from the image after it: its date, owner and
/// origin are its owner's to tell.
pub(crate) fn ancestry(
    tx: &mut Tx<'_>,
    ctx: &Ctx<'_>,
    image_id: &str,
) -> Result<Vec<AncestryEntry>> {
    let mut image = crate::access::visible(tx, ctx, image_id, &ctx.caller.region)?;
    let mut out = Vec::new();
    loop {
        let parent = parent_of(tx, &image)?;
        out.push(AncestryEntry {
            image_id: image.id.clone(),
            source_image_id: parent.as_ref().map(|p| p.0.clone()),
            source_image_region: parent.as_ref().map(|p| p.1.clone()),
            creation_date: Some(image.creation_date.clone()),
            owner_id: Some(image.owner_id.clone()),
            owner_alias: image.owner_alias.clone(),
        });
        if out.len() >= MAX_ANCESTRY {
            break;
        }
        // Deregistered parents are kept in the store, so the chain survives them.
        let Some((parent_id, parent_region)) = parent else {
            break;
        };
        let Some(p) = crate::access::image_in(tx, &parent_id, &parent_region)? else {
            break;
        };
        let seen = p.owner_id == ctx.caller.account_id
            || (p.is_available() && access::can_launch(tx, &ctx.caller.account_id, &p)?);
        if !seen {
            out.push(AncestryEntry {
                image_id: p.id,
                source_image_id: None,
                source_image_region: None,
                creation_date: None,
                owner_id: None,
                owner_alias: None,
            });
            break;
        }
        image = p;
    }
    Ok(out)
}

/// What still uses an image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ImageReference {
    /// `instance` or `image` (a copy, or an image created from an instance of it).
    pub kind: String,
    /// The instance or image ID.
    pub id: String,
    /// Its account.
    pub account_id: String,
    /// Its region.
    pub region: String,
    /// How it uses the image.
    pub detail: String,
}

/// DescribeImageReferences: the instances launched from an image that still
/// exist, and the registered images copied from it.
pub(crate) fn references(
    tx: &mut Tx<'_>,
    ctx: &Ctx<'_>,
    image_id: &str,
) -> Result<Vec<ImageReference>> {
    let image = owned(tx, ctx, image_id)?;
    let mut out = Vec::new();
    for i in tx.list::<Instance>(Filter {
        name: Some(&image.id),
        ..Filter::default()
    })? {
        if i.state != InstanceState::Terminated {
            out.push(ImageReference {
                kind: "instance".into(),
                id: i.id.clone(),
                account_id: i.owner_id.clone(),
                region: i.region.clone(),
                detail: format!("{} instance launched from it", i.state.as_str()),
            });
        }
    }
    for copy in tx.list::<Image>(Filter::default())? {
        if copy.is_registered() && copy.source_image_id.as_deref() == Some(image.id.as_str()) {
            out.push(ImageReference {
                kind: "image".into(),
                id: copy.id.clone(),
                account_id: copy.owner_id.clone(),
                region: copy.region.clone(),
                detail: format!("copy \"{}\"", copy.name),
            });
        }
    }
    out.sort_by(|a, b| (&a.kind, &a.id).cmp(&(&b.kind, &b.id)));
    Ok(out)
}
