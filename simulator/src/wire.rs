//! amisim's own calls on the wire: every call of the cloud, named by its
//! action, with its request as JSON and its output as JSON.
//!
//! A server answers `X-Amz-Target: AmisimService.<Action>` with the call the
//! action names, run as the caller through [`Cloud::call`], so every rule,
//! role check and event-log entry is the one the provider and the CLI get.
//! The request body is the JSON the event log shows for the call. An action
//! is the name the event log gives the call (`RegisterImage`,
//! `EnableImageDeregistrationProtection`), or the name of its request type
//! (`RunInstance`), which is the same for every action of one type. Where one
//! action names several request types (`DescribeImages` is both a lookup of
//! one image and a search), the body decides: the type whose fields it sets.
//!
//! [`CALLS`] is the one list: adding a call to the cloud is adding its type
//! here, and a test reads the sources to find any call left out.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::call::{Call, Caller, Role};
use crate::error::Error;
use crate::Cloud;

/// The prefix of the `X-Amz-Target` that names one of amisim's own calls.
pub const TARGET: &str = "AmisimService.";

/// One call the wire reaches.
pub struct WireCall {
    /// The request type's name.
    pub request: &'static str,
    /// The actions it is logged as.
    pub actions: &'static [&'static str],
    /// Whether it changes the cloud.
    pub changes: bool,
    /// Who may make it.
    pub role: Role,
    /// Parses a body as this call's request, and runs it as `action`.
    run: Runner,
}

type Runner = fn(&mut Cloud, &Caller, &WireCall, &str, &Value) -> Result<Value, WireError>;

/// Why a call on the wire was not answered with its output.
#[derive(Debug)]
pub enum WireError {
    /// The action names no call.
    UnknownAction(String),
    /// The body is not the request of the call the action names: what is wrong with it.
    Malformed(String),
    /// The call was made, and refused (or the store failed).
    Refused(Error),
}

impl WireCall {
    /// Whether `action` names this call.
    pub fn answers(&self, action: &str) -> bool {
        self.request == action || self.actions.contains(&action)
    }
}

/// Every call of the cloud that the wire reaches: all of them, but the
/// server's own record of a refused request.
pub fn calls() -> &'static [WireCall] {
    CALLS
}

/// Makes the call `action` names with the request `body` as `caller`, and
/// returns its output as JSON.
pub fn call_json(
    cloud: &mut Cloud,
    caller: &Caller,
    action: &str,
    body: &Value,
) -> Result<Value, WireError> {
    let candidates: Vec<&WireCall> = CALLS.iter().filter(|c| c.answers(action)).collect();
    if candidates.is_empty() {
        return Err(WireError::UnknownAction(action.to_string()));
    }
    let mut problems = Vec::new();
    for call in &candidates {
        match (call.run)(cloud, caller, call, action, body) {
            Err(WireError::Malformed(why)) if candidates.len() > 1 => {
                problems.push(format!("as {}: {why}", call.request));
            }
            answer => return answer,
        }
    }
    Err(WireError::Malformed(format!(
        "the body is the request of none of the calls {action} names ({})",
        problems.join("; ")
    )))
}

/// Parses `body` as the request of `R`, refusing a field `R` does not have,
/// and makes the call.
fn run_json<R: Call>(
    cloud: &mut Cloud,
    caller: &Caller,
    call: &WireCall,
    action: &str,
    body: &Value,
) -> Result<Value, WireError> {
    let body = match body {
        Value::Null => Value::Object(Map::new()),
        other => other.clone(),
    };
    let request: R =
        serde_json::from_value(body.clone()).map_err(|e| WireError::Malformed(e.to_string()))?;
    let unknown = unknown_fields::<R>(&body, &request);
    if !unknown.is_empty() {
        return Err(WireError::Malformed(format!(
            "{} has no field {}",
            call.request,
            unknown.join(", ")
        )));
    }
    let logged = request.action();
    if logged != action && call.request != action {
        return Err(WireError::Malformed(format!(
            "this body asks for {logged}, not {action}: send it as AmisimService.{logged}"
        )));
    }
    let output = cloud.call(caller, &request).map_err(WireError::Refused)?;
    serde_json::to_value(&output).map_err(|e| WireError::Malformed(e.to_string()))
}

/// The fields of `body` that `R` does not have. A field missing from the
/// request's own JSON was either left out as empty or is unknown: given a
/// value no field's type takes, a known field fails to parse and an unknown
/// one is ignored.
fn unknown_fields<R: DeserializeOwned + serde::Serialize>(
    body: &Value,
    request: &R,
) -> Vec<String> {
    let Value::Object(given) = body else {
        return Vec::new();
    };
    let written = match serde_json::to_value(request) {
        Ok(Value::Object(fields)) => fields,
        _ => Map::new(),
    };
    given
        .keys()
        .filter(|k| !written.contains_key(*k))
        .filter(|k| {
            let mut probe = given.clone();
            probe.insert((*k).clone(), serde_json::json!({ "\u{0}": [null, 0.5] }));
            serde_json::from_value::<R>(Value::Object(probe)).is_ok()
        })
        .map(|k| format!("{k:?}"))
        .collect()
}

/// The calls' request types, wherever they are declared.
mod wired {
    pub use crate::fixtures::LoadImages;
    pub use crate::inventory::{GetBills, GetCloud, ListEvents};
    pub use crate::organizations::{
        CreateOrganization, CreateOrganizationalUnit, DeleteOrganization, DeleteOrganizationalUnit,
        DescribeOrganization, DescribeOrganizationalUnit, UpdateOrganization,
        UpdateOrganizationalUnit,
    };
    pub use crate::reset::ResetCloud;
    pub use crate::views::{GetAllowedImagesView, GetCaller, GetImageDetails, GetInstanceRootKey};
    pub use crate::*;
}

macro_rules! wire {
    ($($ty:ident),* $(,)?) => {
        /// The calls the wire reaches, in one list.
        static CALLS: &[WireCall] = &[
            $(WireCall {
                request: stringify!($ty),
                actions: <$crate::wire::wired::$ty as Call>::ACTIONS,
                changes: <$crate::wire::wired::$ty as Call>::CHANGES,
                role: <$crate::wire::wired::$ty as Call>::ROLE,
                run: run_json::<$crate::wire::wired::$ty>,
            },)*
        ];
    };
}

wire! {
    // Images.
    RegisterImage, DescribeImage, DescribeImages, ModifyImage, DeregisterImage, CopyImage,
    CreateImage, SetDeregistrationProtection, SetImageDeprecation, EnableImage, DisableImage,
    DescribeImageReferences, GetImageAncestry, ReplaceImageInstanceTypes, AttachWatermark,
    DetachWatermark, WaitImageAvailable,
    // Permissions.
    AddLaunchPermission, RemoveLaunchPermission, CancelLaunchPermission,
    DescribeLaunchPermission, DescribeLaunchPermissions, AddStoragePermission,
    RemoveStoragePermission, DescribeStoragePermission, DescribeStoragePermissions,
    // Storage.
    DescribeSnapshots, DeleteSnapshot, DescribeVolumes, DeleteVolume,
    // Instances.
    RunInstance, DescribeInstance, DescribeInstances, StartInstance, StopInstance,
    TerminateInstance, TagInstance, ModifyInstanceType, SetRootDeleteOnTermination,
    DescribeInstanceImageMetadata,
    // KMS.
    CreateKey, DescribeKey, ListKeys, UpdateKey, ScheduleKeyDeletion, CreateGrant,
    DescribeGrant, ListGrants, RevokeGrant, RetireGrant,
    // Settings.
    GetImageSettings, SetBlockPublicAccess, AllowedImages, ReplaceImageCriteria,
    // The Recycle Bin.
    CreateRule, GetRule, ListRules, UpdateRule, DeleteRule, ListRecycleBin,
    RestoreFromRecycleBin,
    // Usage reports, and images stored in S3.
    CreateUsageReport, DescribeUsageReports, DescribeUsageReportEntries, DeleteUsageReport,
    StoreImage, DescribeStoreImageTasks, RestoreImage, ListStoredImages, DeleteStoredImage,
    // Accounts, and the cloud's operator.
    GetCallerIdentity, DeclareAccount, ClaimAccount, ReleaseAccount, ListClaims,
    // Organizations.
    CreateOrganization, UpdateOrganization, DeleteOrganization, DescribeOrganization,
    CreateOrganizationalUnit, UpdateOrganizationalUnit, DeleteOrganizationalUnit,
    DescribeOrganizationalUnit,
    CreateAdministratorKey, GetClock, AdvanceClock, GetPriceBook, SetPriceBook, LoadImages,
    // Faults injected on purpose.
    AddFault, ListFaults, ClearFaults,
    // What the `amisim` command shows.
    ListEvents, GetBills, GetCloud, ResetCloud,
    // What the provider reads besides the API's calls.
    GetCaller, GetImageDetails, GetAllowedImagesView, GetInstanceRootKey,
}
