//! STS over the Query protocol: `GetCallerIdentity`, what tools (and
//! hashicorp/aws) ask first to learn their account.

use amisim_simulator::{Caller, Cloud, GetCallerIdentity};

use crate::fault::Fault;
use crate::operations::{reads, Row, Table};
use crate::query::Params;
use crate::xml::{Xml, STS_NS};

/// The actions answered: what each reads (as docs/aws-api.md shows it),
/// whether it changes the cloud, and its adapter.
static OPERATIONS: Table<Handler> = Table(&[reads(
    "GetCallerIdentity",
    "none (`Arn` is `arn:aws:iam::ACCOUNT:root`)",
    get_caller_identity,
)]);

/// An STS adapter: the cloud, the caller, the request's parameters and its
/// ID, answered as XML.
type Handler = fn(&mut Cloud, &Caller, &Params, &str) -> Result<Vec<u8>, Fault>;

/// The rows of docs/aws-api.md.
pub fn rows() -> Vec<Row> {
    OPERATIONS.rows()
}

/// Answers an STS request.
pub fn answer(
    cloud: &mut Cloud,
    caller: &Caller,
    params: &Params,
    request_id: &str,
) -> Result<Vec<u8>, Fault> {
    let action = params.required("Action")?;
    let (op, handler) = OPERATIONS.find_served(action).ok_or_else(|| {
        Fault::bad(
            "InvalidAction",
            format!(
                "amisim serve answers the STS actions {}, not {}",
                OPERATIONS.names(""),
                action.chars().take(64).collect::<String>()
            ),
        )
    })?;
    params.check_all_read(op.name)?;
    handler(cloud, caller, params, request_id)
}

/// GetCallerIdentity: the caller's account, as an IAM root ARN.
fn get_caller_identity(
    cloud: &mut Cloud,
    caller: &Caller,
    _params: &Params,
    request_id: &str,
) -> Result<Vec<u8>, Fault> {
    let account = cloud
        .call(caller, &GetCallerIdentity::default())
        .map_err(Fault::from)?;
    let mut x = Xml::new("GetCallerIdentityResponse", Some(STS_NS));
    x.open("GetCallerIdentityResult")
        .text("Arn", &format!("arn:aws:iam::{account}:root"))
        .text("UserId", &account)
        .text("Account", &account)
        .close("GetCallerIdentityResult")
        .open("ResponseMetadata")
        .text("RequestId", request_id)
        .close("ResponseMetadata");
    Ok(x.finish("GetCallerIdentityResponse"))
}
