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

/// The longest a signed request may be dated before or after the server's
/// clock, as AWS allows.
pub const MAX_SKEW_SECONDS: i64 = 15 * 60;

/// Checks a request's SigV4 signature against `secret`, with the AWS SDK's
/// own signer (aws-sigv4): the request is signed again over the headers its
/// signature names, at the time it carries, and the two signatures compared.
/// Its date must be within [`MAX_SKEW_SECONDS`] of the server's clock.
pub fn verify(request: &Request, identity: &Identity, secret: &str) -> Result<(), Fault> {
    use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
    let denied = |message: String| Fault::with_status(403, "SignatureDoesNotMatch", message);
    let auth = request.header("authorization").ok_or_else(|| {
        denied("a claimed account's request must be signed in its Authorization header".into())
    })?;
    let field = |name: &str| {
        auth.split([',', ' '])
            .map(str::trim)
            .find_map(|part| part.strip_prefix(name))
            .map(str::to_string)
    };
    let signed_headers = field("SignedHeaders=").unwrap_or_default();
    let presented = field("Signature=").unwrap_or_default();
    let stamp = request.header("x-amz-date").unwrap_or_default();
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    let at = time::PrimitiveDateTime::parse(stamp, &format)
        .map(|t| t.assume_utc())
        .map_err(|_| {
            Fault::with_status(
                400,
                "IncompleteSignature",
                "The request carries no X-Amz-Date of the form 20250101T000000Z",
            )
        })?;
    let skew = (time::OffsetDateTime::now_utc() - at).whole_seconds().abs();
    if skew > MAX_SKEW_SECONDS {
        return Err(Fault::with_status(
            403,
            "SignatureDoesNotMatch",
            format!("Signature expired: the request is dated {stamp}, more than 15 minutes from the server's clock; check this machine's clock"),
        ));
    }
    let names: Vec<&str> = signed_headers
        .split(';')
        .filter(|n| !n.is_empty())
        .collect();
    if !names.contains(&"host") {
        return Err(denied("the signature must cover the Host header".into()));
    }
    let headers: Vec<(&str, &str)> = request
        .headers
        .iter()
        .filter(|(n, _)| names.contains(&n.as_str()))
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let host = request.header("host").unwrap_or("localhost");
    let uri = match request.query.is_empty() {
        true => format!("http://{host}{}", request.path),
        false => format!("http://{host}{}?{}", request.path, request.query),
    };
    let credentials =
        aws_credential_types::Credentials::new(&identity.access_key, secret, None, None, "amisim");
    let credentials: aws_smithy_runtime_api::client::identity::Identity = credentials.into();
    let mut settings = SigningSettings::default();
    settings.excluded_headers = Some(Vec::new());
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&credentials)
        .region(&identity.region)
        .name(&identity.service)
        .time(at.into())
        .settings(settings)
        .build()
        .map_err(|e| denied(format!("cannot check the signature: {e}")))?
        .into();
    let signable = SignableRequest::new(
        &request.method,
        uri,
        headers.into_iter(),
        SignableBody::Bytes(&request.body),
    )
    .map_err(|e| denied(format!("cannot check the signature: {e}")))?;
    let (_, expected) = sign(signable, &params)
        .map_err(|e| denied(format!("cannot check the signature: {e}")))?
        .into_parts();
    // Compared in constant time.
    let same = expected.len() == presented.len()
        && expected
            .bytes()
            .zip(presented.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if !same {
        return Err(denied(format!(
            "The request signature we calculated does not match the signature you provided: check the secret access key of {}",
            identity.access_key
        )));
    }
    Ok(())
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
