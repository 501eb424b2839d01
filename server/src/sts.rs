//! STS over the Query protocol: `GetCallerIdentity`, what tools (and
//! hashicorp/aws) ask first to learn their account.

use amisim_simulator::{Caller, Cloud, GetCallerIdentity};

use crate::fault::Fault;
use crate::query::Params;
use crate::xml::{Xml, STS_NS};

/// The actions answered and their parameters, for docs/aws-api.md.
pub const ACTIONS: &[(&str, &str)] = &[(
    "GetCallerIdentity",
    "none (`Arn` is `arn:aws:iam::ACCOUNT:root`)",
)];

/// Answers an STS request.
pub fn answer(
    cloud: &mut Cloud,
    caller: &Caller,
    params: &Params,
    request_id: &str,
) -> Result<Vec<u8>, Fault> {
    let action = params.required("Action")?;
    if action != "GetCallerIdentity" {
        return Err(Fault::bad(
            "InvalidAction",
            format!(
                "amisim serve answers the STS action GetCallerIdentity, not {}",
                action.chars().take(64).collect::<String>()
            ),
        ));
    }
    params.check_all_read(action)?;
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
