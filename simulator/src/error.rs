//! The one error type of the simulated cloud.

use std::fmt;

/// What went wrong, named after the AWS error code a real call would return.
///
/// Each variant's [`ErrorKind::code`] is the string AWS uses; the store's own
/// failures use codes of their own, prefixed `Store.`.
///
/// It travels by its variant's name (`"AmiNotFound"`), so that a refusal
/// made through a server is the same refusal as on a store: two kinds may
/// share a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ErrorKind {
    /// No image with that ID is visible to the caller in the region.
    AmiNotFound,
    /// The image exists but is deregistered, so it cannot be used.
    AmiUnavailable,
    /// An image ID that is not of the form `ami-` and 17 hex digits.
    AmiMalformed,
    /// Another available image of the account and region has that name.
    AmiNameDuplicate,
    /// An image name that breaks AWS naming rules.
    AmiNameMalformed,
    /// A launch permission principal that is not a valid account, group or ARN.
    AmiAttributeItemValue,
    /// The caller is not allowed to do this to an object another account owns.
    AuthFailure,
    /// The caller may not make this call at all (an operator's call made by
    /// an account, or an account's call made by the administrator).
    UnauthorizedOperation,
    /// The request is not allowed for this object (copy rules and the like).
    InvalidRequest,
    /// A parameter is not allowed for this object.
    InvalidParameter,
    /// A parameter's value is not one of the allowed values.
    InvalidParameterValue,
    /// Two parameters that cannot be used together.
    InvalidParameterCombination,
    /// The operation is not supported for this kind of object.
    UnsupportedOperation,
    /// An account-wide limit would be exceeded.
    ResourceLimitExceeded,
    /// No instance with that ID exists for the caller in the region.
    InstanceNotFound,
    /// The instance is in a state that does not allow the operation.
    IncorrectInstanceState,
    /// No snapshot or bundle with that ID exists in the region.
    StorageNotFound,
    /// The snapshot or bundle still backs an available image.
    StorageInUse,
    /// No volume with that ID exists for the caller in the region.
    VolumeNotFound,
    /// The volume is attached: it is the root volume of a live instance.
    VolumeInUse,
    /// No KMS key with that ID or ARN exists.
    KeyNotFound,
    /// The key is not usable by the caller (not its own and not granted).
    KeyAccessDenied,
    /// No grant, permission or membership of that kind exists.
    PermissionNotFound,
    /// The same permission or grant exists already (created by another call).
    PermissionDuplicate,
    /// An account declared a different organization membership earlier.
    OrganizationConflict,
    /// The account already manages or belongs to an organization.
    AlreadyInOrganization,
    /// The caller manages no organization, or none of that ID.
    OrganizationNotFound,
    /// No organizational unit of that ID in the caller's organization.
    OrganizationalUnitNotFound,
    /// Another OU of the organization has that name.
    OrganizationalUnitDuplicate,
    /// A member account asked to change its organization, which only the
    /// management account may.
    OrganizationAccessDenied,
    /// An organization's rules forbid it (an OU member that the
    /// organization has not admitted, an organization with OUs deleted).
    OrganizationConstraint,
    /// The object's settings forbid the operation (deregistration protection,
    /// block public access).
    OperationNotPermitted,
    /// Allowed AMIs does not allow the image in the caller's account and region.
    AmiNotAllowed,
    /// A Recycle Bin request with values out of range.
    ValidationException,
    /// No Recycle Bin rule with that ID.
    RuleNotFound,
    /// No image usage report with that ID for the caller in the region.
    UsageReportNotFound,
    /// The object is in a state that does not allow the operation.
    IncorrectState,
    /// A signature that does not match the request and the claim's secret,
    /// or a request dated more than 15 minutes away.
    SignatureDoesNotMatch,
    /// An access key ID that names no one who may sign with it.
    InvalidClientTokenId,
    /// An authorization header missing a part SigV4 needs.
    IncompleteSignature,
    /// A request with no signature at all.
    MissingAuthenticationToken,
    /// A presigned URL past its expiry.
    RequestExpired,
    /// A request a web browser sent for a page of another site.
    AccessDenied,
    /// A request naming a host the server does not answer for.
    MisdirectedRequest,
    /// A request signed for a service the server does not answer.
    UnknownService,
    /// The account is claimed already (amisim's own code).
    AccountClaimed,
    /// Throttled: more requests than the account may make (an injected fault).
    RequestLimitExceeded,
    /// AWS failed inside (an injected fault).
    InternalError,
    /// No capacity left for the instance type (an injected fault).
    InsufficientInstanceCapacity,
    /// The service cannot answer now (an injected fault).
    ServiceUnavailable,
    /// The store file is not an amisim store, or is damaged.
    StoreDamaged,
    /// The store was written by a newer version of amisim.
    StoreTooNew,
    /// The store file could not be read or written (permissions, disk space).
    StoreIo,
    /// Another process held the store's write lock for longer than the call
    /// may wait: nothing of the call was applied.
    StoreBusy,
}

impl ErrorKind {
    /// The AWS error code (or the store's own code) for this kind.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::AmiNotFound => "InvalidAMIID.NotFound",
            ErrorKind::AmiUnavailable => "InvalidAMIID.Unavailable",
            ErrorKind::AmiMalformed => "InvalidAMIID.Malformed",
            ErrorKind::AmiNameDuplicate => "InvalidAMIName.Duplicate",
            ErrorKind::AmiNameMalformed => "InvalidAMIName.Malformed",
            ErrorKind::AmiAttributeItemValue => "InvalidAMIAttributeItemValue",
            ErrorKind::AuthFailure => "AuthFailure",
            ErrorKind::UnauthorizedOperation => "UnauthorizedOperation",
            ErrorKind::InvalidRequest => "InvalidRequest",
            ErrorKind::InvalidParameter => "InvalidParameter",
            ErrorKind::InvalidParameterValue => "InvalidParameterValue",
            ErrorKind::InvalidParameterCombination => "InvalidParameterCombination",
            ErrorKind::UnsupportedOperation => "UnsupportedOperation",
            ErrorKind::ResourceLimitExceeded => "ResourceLimitExceeded",
            ErrorKind::InstanceNotFound => "InvalidInstanceID.NotFound",
            ErrorKind::IncorrectInstanceState => "IncorrectInstanceState",
            ErrorKind::StorageNotFound => "InvalidSnapshot.NotFound",
            ErrorKind::StorageInUse => "InvalidSnapshot.InUse",
            ErrorKind::VolumeNotFound => "InvalidVolume.NotFound",
            ErrorKind::VolumeInUse => "VolumeInUse",
            ErrorKind::KeyNotFound => "NotFoundException",
            ErrorKind::KeyAccessDenied => "AccessDeniedException",
            ErrorKind::PermissionNotFound => "InvalidPermission.NotFound",
            ErrorKind::PermissionDuplicate => "InvalidPermission.Duplicate",
            ErrorKind::OrganizationConflict => "InvalidParameterCombination",
            ErrorKind::AlreadyInOrganization => "AlreadyInOrganizationException",
            ErrorKind::OrganizationNotFound => "AWSOrganizationsNotInUseException",
            ErrorKind::OrganizationalUnitNotFound => "OrganizationalUnitNotFoundException",
            ErrorKind::OrganizationalUnitDuplicate => "DuplicateOrganizationalUnitException",
            ErrorKind::OrganizationConstraint => "ConstraintViolationException",
            ErrorKind::OrganizationAccessDenied => "AccessDeniedException",
            ErrorKind::OperationNotPermitted => "OperationNotPermitted",
            ErrorKind::AmiNotAllowed => "InvalidAMIID.NotAllowed",
            ErrorKind::ValidationException => "ValidationException",
            ErrorKind::RuleNotFound => "ResourceNotFoundException",
            ErrorKind::UsageReportNotFound => "InvalidImageUsageReportId.NotFound",
            ErrorKind::IncorrectState => "IncorrectState",
            ErrorKind::SignatureDoesNotMatch => "SignatureDoesNotMatch",
            ErrorKind::InvalidClientTokenId => "InvalidClientTokenId",
            ErrorKind::IncompleteSignature => "IncompleteSignature",
            ErrorKind::MissingAuthenticationToken => "MissingAuthenticationToken",
            ErrorKind::RequestExpired => "RequestExpired",
            ErrorKind::AccessDenied => "AccessDenied",
            ErrorKind::MisdirectedRequest => "MisdirectedRequest",
            ErrorKind::UnknownService => "UnknownService",
            ErrorKind::AccountClaimed => "AccountAlreadyClaimed",
            ErrorKind::RequestLimitExceeded => "RequestLimitExceeded",
            ErrorKind::InternalError => "InternalError",
            ErrorKind::InsufficientInstanceCapacity => "InsufficientInstanceCapacity",
            ErrorKind::ServiceUnavailable => "ServiceUnavailable",
            ErrorKind::StoreDamaged => "Store.Damaged",
            ErrorKind::StoreTooNew => "Store.TooNew",
            ErrorKind::StoreIo => "Store.Unavailable",
            ErrorKind::StoreBusy => "ServiceUnavailable",
        }
    }

    /// The error a fault rule injects for the AWS `code`, with AWS's own
    /// message for it; `None` for a code no rule may inject.
    pub fn injectable(code: &str) -> Option<(ErrorKind, &'static str)> {
        INJECTABLE
            .iter()
            .copied()
            .find(|(kind, _)| kind.code() == code)
    }

    /// Whether the object the call named does not exist (or is not visible).
    pub fn is_not_found(self) -> bool {
        matches!(
            self,
            ErrorKind::AmiNotFound
                | ErrorKind::InstanceNotFound
                | ErrorKind::StorageNotFound
                | ErrorKind::VolumeNotFound
                | ErrorKind::KeyNotFound
                | ErrorKind::PermissionNotFound
                | ErrorKind::RuleNotFound
                | ErrorKind::UsageReportNotFound
        )
    }
}

/// The errors a fault rule may inject (`amisim faults add --error CODE`),
/// each with the message AWS answers it with.
pub const INJECTABLE: &[(ErrorKind, &str)] = &[
    (ErrorKind::RequestLimitExceeded, "Request limit exceeded"),
    (ErrorKind::InternalError, "An internal error has occurred"),
    (
        ErrorKind::InsufficientInstanceCapacity,
        "We currently do not have sufficient capacity in the Availability Zone you requested",
    ),
    (
        ErrorKind::ServiceUnavailable,
        "The service is unavailable; please try again shortly",
    ),
];

/// A refusal or failure: the AWS code, the rule that was broken, and what to do instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Error {
    /// What went wrong.
    pub kind: ErrorKind,
    /// The AWS-style message: which rule the request broke.
    pub message: String,
    /// One actionable sentence: what to do instead.
    pub hint: String,
    /// The import ID of the object a create met (a duplicate), so that a face
    /// can show how to adopt that object on purpose.
    pub existing: Option<String>,
    /// The fault rule that made this error on purpose (`amisim faults`).
    pub fault: Option<String>,
}

impl Error {
    /// A new error of `kind` with its message and hint.
    pub fn new(kind: ErrorKind, message: impl Into<String>, hint: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            hint: hint.into(),
            existing: None,
            fault: None,
        }
    }

    /// The same error, made on purpose by the fault rule `rule`.
    pub fn injected_by(mut self, rule: impl Into<String>) -> Self {
        self.fault = Some(rule.into());
        self
    }

    /// The same error, naming the existing object's import ID.
    pub fn with_existing(mut self, import_id: impl Into<String>) -> Self {
        self.existing = Some(import_id.into());
        self
    }

    /// Whether the store failed (unreachable, cancelled, damaged), rather
    /// than a rule refusing the call.
    pub fn is_store_failure(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::StoreIo | ErrorKind::StoreDamaged | ErrorKind::StoreBusy
        )
    }

    /// The same error, naming the call it cut short when the store failed
    /// (the rules' own refusals name their subject already).
    pub fn in_call(mut self, action: &str) -> Self {
        if self.is_store_failure() {
            self.message = format!("{action} failed: {}", self.message);
        }
        self
    }

    /// The AWS error code.
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code(), self.message)?;
        if !self.hint.is_empty() {
            write!(f, "\n\n{}", self.hint)?;
        }
        Ok(())
    }
}

/// The result of every operation of the simulated cloud.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Shorthand for building an `Err` in the rules.
pub(crate) fn refuse<T>(
    kind: ErrorKind,
    message: impl Into<String>,
    hint: impl Into<String>,
) -> Result<T> {
    Err(Error::new(kind, message, hint))
}

/// Refuses a create that meets an object another call created: nothing is taken over.
pub(crate) fn refuse_duplicate<T>(what: String, import_id: String) -> Result<T> {
    Err(Error::new(
        ErrorKind::PermissionDuplicate,
        format!("{what} exists already"),
        "amisim never takes over what another configuration (or an interrupted apply) created: remove the other one first, or, to manage it here on purpose, import it",
    )
    .with_existing(import_id))
}
