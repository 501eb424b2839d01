//! A refused or failed request, as the wire protocols answer it: an HTTP
//! status, AWS's error code and one message.

use amisim_simulator::{Error, ErrorKind};

/// A request the server answers with an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// The HTTP status AWS uses for the code.
    pub status: u16,
    /// AWS's error code (`InvalidAMIID.NotFound`).
    pub code: String,
    /// What was wrong, and what to do instead.
    pub message: String,
    /// For a simulator refusal, the refusal itself: amisim's own calls
    /// answer its kind, rule and hint apart, for amisim's own clients to
    /// have the very refusal the simulator made.
    pub detail: Option<Box<Error>>,
}

impl Fault {
    /// A client error (HTTP 400) with `code`.
    pub fn bad(code: &str, message: impl Into<String>) -> Fault {
        Fault {
            status: 400,
            code: code.to_string(),
            message: message.into(),
            detail: None,
        }
    }

    /// A fault with its own status.
    pub fn with_status(status: u16, code: &str, message: impl Into<String>) -> Fault {
        Fault {
            status,
            code: code.to_string(),
            message: message.into(),
            detail: None,
        }
    }
}

impl From<Error> for Fault {
    /// A simulator refusal: its code, its message and what to do instead in
    /// one message, and the status AWS gives that code.
    fn from(e: Error) -> Fault {
        let status = match e.kind {
            ErrorKind::AuthFailure => 401,
            ErrorKind::UnauthorizedOperation | ErrorKind::KeyAccessDenied => 403,
            ErrorKind::StoreDamaged
            | ErrorKind::StoreTooNew
            | ErrorKind::StoreIo
            | ErrorKind::StoreBusy
            | ErrorKind::RequestLimitExceeded
            | ErrorKind::ServiceUnavailable => 503,
            ErrorKind::InternalError | ErrorKind::InsufficientInstanceCapacity => 500,
            _ => 400,
        };
        let message = e.message.trim_end_matches('.').to_string();
        let message = if e.hint.is_empty() {
            message
        } else {
            format!("{message}. {}", e.hint)
        };
        Fault {
            status,
            code: e.code().to_string(),
            message,
            detail: Some(Box::new(e)),
        }
    }
}
