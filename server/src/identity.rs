//! Who is calling: the access key ID, service and region of a request's
//! SigV4 credential scope (`AKID/DATE/REGION/SERVICE/aws4_request`), in its
//! `Authorization` header or, for a presigned URL, its `X-Amz-Credential`.

use crate::fault::Fault;
use crate::Request;

/// The account an access key ID of no account's form acts as, as on LocalStack.
pub const DEFAULT_ACCOUNT: &str = "123456789012";

/// A request's caller and where it is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The access key ID as presented.
    pub access_key: String,
    /// The account it acts as.
    pub account: String,
    /// The region of the credential scope.
    pub region: String,
    /// The service of the credential scope (`ec2`, `sts`).
    pub service: String,
}

impl Identity {
    /// The identity a request presents. An access key ID of 12 digits acts as
    /// that account; any other as [`DEFAULT_ACCOUNT`]. Claimed accounts are
    /// checked by the call layer, which refuses a call without their secret.
    pub fn of(request: &Request) -> Result<Identity, Fault> {
        let credential = match request.header("authorization") {
            Some(auth) => credential_of_header(auth)?,
            None => form_urlencoded::parse(request.query.as_bytes())
                .find(|(k, _)| k == "X-Amz-Credential")
                .map(|(_, v)| v.to_string())
                .ok_or_else(|| {
                    Fault::with_status(
                        401,
                        "MissingAuthenticationToken",
                        "The request is not signed: sign it with AWS Signature Version 4 (any AWS SDK or the AWS CLI does), with the account ID as the access key ID",
                    )
                })?,
        };
        let parts: Vec<&str> = credential.split('/').collect();
        let [access_key, _date, region, service, "aws4_request"] = parts[..] else {
            return Err(Fault::with_status(
                400,
                "IncompleteSignature",
                format!(
                    "The credential {:?} is not of the form ACCESS_KEY/DATE/REGION/SERVICE/aws4_request",
                    shorten(&credential)
                ),
            ));
        };
        if access_key.is_empty()
            || access_key.len() > 128
            || !access_key.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return Err(Fault::with_status(
                403,
                "InvalidClientTokenId",
                format!("The security token included in the request is invalid: {:?} is not an access key ID", shorten(access_key)),
            ));
        }
        let account = if access_key.len() == 12 && access_key.bytes().all(|b| b.is_ascii_digit()) {
            access_key.to_string()
        } else {
            DEFAULT_ACCOUNT.to_string()
        };
        Ok(Identity {
            access_key: access_key.to_string(),
            account,
            region: region.to_string(),
            service: service.to_string(),
        })
    }
}

/// The `Credential=` of an `Authorization: AWS4-HMAC-SHA256 …` header.
fn credential_of_header(auth: &str) -> Result<String, Fault> {
    let Some(rest) = auth.strip_prefix("AWS4-HMAC-SHA256 ") else {
        return Err(Fault::with_status(
            400,
            "IncompleteSignature",
            "The Authorization header is not AWS Signature Version 4 (AWS4-HMAC-SHA256)",
        ));
    };
    rest.split(',')
        .map(str::trim)
        .find_map(|part| part.strip_prefix("Credential="))
        .map(str::to_string)
        .ok_or_else(|| {
            Fault::with_status(
                400,
                "IncompleteSignature",
                "The Authorization header names no Credential",
            )
        })
}

/// At most 64 characters of `text`, for messages.
fn shorten(text: &str) -> String {
    text.chars().take(64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed(credential: &str) -> Request {
        Request {
            headers: vec![(
                "authorization".into(),
                format!("AWS4-HMAC-SHA256 Credential={credential}, SignedHeaders=host;x-amz-date, Signature=00"),
            )],
            ..Request::default()
        }
    }

    #[test]
    fn the_credential_scope_names_the_caller_the_region_and_the_service() {
        let i = Identity::of(&signed("111111111111/20250101/eu-west-1/ec2/aws4_request")).unwrap();
        assert_eq!(
            (i.account.as_str(), i.region.as_str(), i.service.as_str()),
            ("111111111111", "eu-west-1", "ec2")
        );
        let i = Identity::of(&signed(
            "AKIAIOSFODNN7EXAMPLE/20250101/us-east-1/sts/aws4_request",
        ))
        .unwrap();
        assert_eq!(i.account, DEFAULT_ACCOUNT);
        let presigned = Request {
            query: "Action=GetCallerIdentity&X-Amz-Credential=222222222222%2F20250101%2Fus-west-2%2Fsts%2Faws4_request".into(),
            ..Request::default()
        };
        assert_eq!(Identity::of(&presigned).unwrap().account, "222222222222");
        assert_eq!(
            Identity::of(&Request::default()).unwrap_err().code,
            "MissingAuthenticationToken"
        );
        assert_eq!(
            Identity::of(&signed("x/y")).unwrap_err().code,
            "IncompleteSignature"
        );
        assert_eq!(
            Identity::of(&signed("bad<key>/d/r/ec2/aws4_request"))
                .unwrap_err()
                .code,
            "InvalidClientTokenId"
        );
    }
}
