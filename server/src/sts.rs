//! STS over the Query protocol: `GetCallerIdentity`, what tools (and
//! hashicorp/aws) ask first to learn their account.

use crate::fault::Fault;
use crate::query::Params;
use crate::xml::{Xml, STS_NS};
use crate::Identity;

/// The actions answered and their parameters, for docs/aws-api.md.
pub const ACTIONS: &[(&str, &str)] = &[(
    "GetCallerIdentity",
    "none (`Arn` is `arn:aws:iam::ACCOUNT:root`)",
)];

/// Answers an STS request.
pub fn answer(identity: &Identity, params: &Params, request_id: &str) -> Result<Vec<u8>, Fault> {
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
    let mut x = Xml::new("GetCallerIdentityResponse", Some(STS_NS));
    x.open("GetCallerIdentityResult")
        .text("Arn", &format!("arn:aws:iam::{}:root", identity.account))
        .text("UserId", &identity.account)
        .text("Account", &identity.account)
        .close("GetCallerIdentityResult")
        .open("ResponseMetadata")
        .text("RequestId", request_id)
        .close("ResponseMetadata");
    Ok(x.finish("GetCallerIdentityResponse"))
}
