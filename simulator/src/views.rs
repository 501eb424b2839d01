//! The provider's reads that are not calls of AWS's API: who the caller is,
//! what an image costs and whether it is public, the caller's Allowed AMIs
//! settings with the time now, and the key of an instance's root volume.
//!
//! Each is quiet ([`Call::QUIET`]): logged only when refused, as the
//! provider's reads of a store never were, so that the provider makes the
//! same calls and leaves the same event log through a server as on a store.

use serde::{Deserialize, Serialize};

use crate::call::{Call, Ctx, Role};
use crate::error::Result;
use crate::model::{Image, ImageSettings, Instance};
use crate::store::Tx;
use crate::{access, billing, ids, images, settings};

/// What a reader of an image wants besides the image itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageDetails {
    /// Whether the image has a `group = all` launch permission.
    pub public: bool,
    /// The monthly cost of the image's storage, in micro-dollars.
    pub monthly_storage_cost_micros: i64,
}

impl crate::call::Outcome for ImageDetails {}

/// Whether `image` is public, and its storage's monthly cost.
pub(crate) fn image_details(tx: &Tx<'_>, image: &Image) -> Result<ImageDetails> {
    let prices = billing::price_book(tx)?;
    Ok(ImageDetails {
        public: access::is_public(tx, image)?,
        monthly_storage_cost_micros: billing::image_storage_month_micros(&prices, image),
    })
}

/// The caller's image settings and the simulated time now: what a reader of
/// images needs to tell whether Allowed AMIs allows each of them
/// ([`settings::image_allowed`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AllowedImagesView {
    /// The caller's settings in its region.
    pub settings: ImageSettings,
    /// The simulated time now, in seconds.
    pub now: i64,
}

impl crate::call::Outcome for AllowedImagesView {}

/// Who the caller acts as, as the server read its key: the account (or the
/// administrator) and the region. What a client that holds only a key pair
/// asks first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetCaller {}

/// The caller a key acts as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallerView {
    /// The 12-digit account ID, or `administrator`.
    pub account_id: String,
    /// The region the request was signed for.
    pub region: String,
}

impl crate::call::Outcome for CallerView {}

/// GetImageDetails: whether an image the caller sees is public, and what its
/// storage costs a month.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetImageDetails {
    /// The image, in the caller's region.
    pub image_id: String,
}

/// GetAllowedImagesView: the caller's Allowed AMIs settings and the time now.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetAllowedImagesView {}

/// GetInstanceRootKey: the KMS key of the root volume of one of the caller's
/// instances, if it is encrypted (what an image created from it is encrypted
/// with); none for an instance the caller does not own.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetInstanceRootKey {
    /// The instance.
    pub instance_id: String,
}

/// Implements [`Call`] for the views: each anyone's, in no command.
macro_rules! views {
    ($($ty:ident => $out:ty, $action:literal, |$r:pat_param, $tx:pat_param, $ctx:pat_param| $run:expr;)*) => {
        $(
            impl Call for $ty {
                type Output = $out;
                const ACTIONS: &'static [&'static str] = &[$action];
                const CHANGES: bool = false;
                const QUIET: bool = true;
                const ROLE: Role = Role::Anyone;
                const STARTS_COMMAND: bool = false;
                fn action(&self) -> &'static str {
                    $action
                }
                fn run(&self, $tx: &mut Tx<'_>, $ctx: &Ctx<'_>) -> Result<$out> {
                    let $r = self;
                    $run
                }
            }
        )*
    };
}

views! {
    GetCaller => CallerView, "GetCaller", |_, _, ctx| Ok(CallerView {
        account_id: ctx.caller.account_id.clone(),
        region: ctx.caller.region.clone(),
    });
    GetImageDetails => ImageDetails, "GetImageDetails", |r, tx, ctx| {
        let image = access::visible(tx, ctx, &r.image_id, &ctx.caller.region)?;
        image_details(tx, &image)
    };
    GetAllowedImagesView => AllowedImagesView, "GetAllowedImagesView", |_, tx, ctx| {
        Ok(AllowedImagesView {
            settings: settings::settings(tx, &ctx.caller.account_id, &ctx.caller.region)?,
            now: ids::now(tx)?,
        })
    };
    GetInstanceRootKey => Option<String>, "GetInstanceRootKey", |r, tx, ctx| {
        match tx.get::<Instance>(&r.instance_id)? {
            Some(i) if i.owner_id == ctx.caller.account_id => images::instance_root_key(tx, &r.instance_id),
            _ => Ok(None),
        }
    };
}
