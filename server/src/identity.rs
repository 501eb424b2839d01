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
    /// The signature it carries.
    pub signature: Signature,
}

/// Who a request names as its caller and where it sends itself, as far as
/// it can be read: what the event log records of a request refused before
/// (or because) its identity could not be established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    /// The access key ID presented, if it is one; empty otherwise.
    pub access_key: String,
    /// The account it names ([`DEFAULT_ACCOUNT`] when it names none).
    pub account: String,
    /// The region of its credential scope (us-east-1 when it names none).
    pub region: String,
    /// The service of its credential scope, if it names one.
    pub service: String,
}

impl Named {
    /// What `request` names, read as far as it can be.
    pub fn of(request: &Request) -> Named {
        let credential = match request.header("authorization") {
            Some(auth) => auth_field(auth, "Credential="),
            None => query_param(request, "X-Amz-Credential"),
        }
        .unwrap_or_default();
        let mut parts = credential.split('/');
        let word = |text: Option<&str>, more: &[u8], most: usize| {
            text.filter(|t| {
                !t.is_empty()
                    && t.len() <= most
                    && t.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || more.contains(&b))
            })
            .map(str::to_string)
        };
        let access_key = word(parts.next(), b"", 128).unwrap_or_default();
        let _date = parts.next();
        let region = word(parts.next(), b"-", 32).unwrap_or_else(|| "us-east-1".into());
        let service = word(parts.next(), b"-", 32).unwrap_or_default();
        Named {
            account: account_of(&access_key),
            access_key,
            region,
            service,
        }
    }
}

impl From<&Identity> for Named {
    fn from(identity: &Identity) -> Named {
        Named {
            access_key: identity.access_key.clone(),
            account: identity.account.clone(),
            region: identity.region.clone(),
            service: identity.service.clone(),
        }
    }
}

/// The account an access key ID acts as: its own digits when it is an
/// account ID, else [`DEFAULT_ACCOUNT`].
fn account_of(access_key: &str) -> String {
    if access_key.len() == 12 && access_key.bytes().all(|b| b.is_ascii_digit()) {
        access_key.to_string()
    } else {
        DEFAULT_ACCOUNT.to_string()
    }
}

/// A SigV4 signature as a request carries it: complete in form, whatever
/// secret made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// When it was made (`X-Amz-Date`).
    pub at: time::OffsetDateTime,
    /// For a presigned URL, how many seconds it is good for (`X-Amz-Expires`).
    pub expires: Option<i64>,
    /// The headers it covers, `;`-separated and in lowercase.
    pub signed_headers: String,
    /// The signature itself: 64 hexadecimal digits.
    pub value: String,
}

/// The longest a presigned URL may be good for, as AWS allows: seven days.
pub const MAX_EXPIRES_SECONDS: i64 = 7 * 24 * 3600;

fn missing(what: &str) -> Fault {
    Fault::with_status(
        401,
        "MissingAuthenticationToken",
        format!("The request is not signed ({what}): sign it with AWS Signature Version 4 (any AWS SDK or the AWS CLI does), with the account ID as the access key ID and any secret for an unclaimed account"),
    )
}

fn incomplete(message: impl Into<String>) -> Fault {
    Fault::with_status(400, "IncompleteSignature", message)
}

impl Identity {
    /// The identity a request presents. An access key ID of 12 digits acts as
    /// that account; any other as [`DEFAULT_ACCOUNT`]. Every request must
    /// carry a whole SigV4 signature (in its `Authorization` header or as a
    /// presigned URL); whether the secret that made it is the right one is
    /// checked for claimed accounts only ([`verify`]), as any secret signs
    /// for an unclaimed account.
    pub fn of(request: &Request) -> Result<Identity, Fault> {
        let (credential, signature) = match request.header("authorization") {
            Some(auth) => signed_in_header(request, auth)?,
            None => presigned(request)?,
        };
        let parts: Vec<&str> = credential.split('/').collect();
        let [access_key, _date, region, service, "aws4_request"] = parts[..] else {
            return Err(incomplete(format!(
                "The credential {:?} is not of the form ACCESS_KEY/DATE/REGION/SERVICE/aws4_request",
                shorten(&credential)
            )));
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
        Ok(Identity {
            access_key: access_key.to_string(),
            account: account_of(access_key),
            region: region.to_string(),
            service: service.to_string(),
            signature,
        })
    }

    /// Refuses a signature made more than [`MAX_SKEW_SECONDS`] from the
    /// server's clock, or a presigned URL past its expiry.
    pub fn check_time(&self) -> Result<(), Fault> {
        let now = time::OffsetDateTime::now_utc();
        let age = (now - self.signature.at).whole_seconds();
        let stamp = format_stamp(self.signature.at);
        match self.signature.expires {
            Some(expires) if age > expires => Err(Fault::with_status(
                403,
                "RequestExpired",
                format!("The presigned URL expired: it was signed at {stamp} for {expires} seconds; sign a new one"),
            )),
            Some(_) if -age <= MAX_SKEW_SECONDS => Ok(()),
            None if age.abs() <= MAX_SKEW_SECONDS => Ok(()),
            _ => Err(Fault::with_status(
                403,
                "SignatureDoesNotMatch",
                format!("Signature expired: the request is dated {stamp}, more than 15 minutes from the server's clock; check this machine's clock"),
            )),
        }
    }
}

/// The credential and signature of an `Authorization: AWS4-HMAC-SHA256 …`
/// header, dated by the request's `X-Amz-Date`.
fn signed_in_header(request: &Request, auth: &str) -> Result<(String, Signature), Fault> {
    let Some(rest) = auth.strip_prefix("AWS4-HMAC-SHA256 ") else {
        return Err(incomplete(
            "The Authorization header is not AWS Signature Version 4 (AWS4-HMAC-SHA256)",
        ));
    };
    let field = |name: &str| auth_field(rest, name);
    let credential = field("Credential=")
        .ok_or_else(|| incomplete("The Authorization header names no Credential"))?;
    let value =
        field("Signature=").ok_or_else(|| missing("its Authorization header has no Signature"))?;
    let signed_headers = field("SignedHeaders=")
        .ok_or_else(|| incomplete("The Authorization header names no SignedHeaders"))?;
    let at = request.header("x-amz-date").ok_or_else(|| {
        incomplete("The request carries no X-Amz-Date header, which dates its signature")
    })?;
    let signature = signature(at, None, signed_headers, value)?;
    Ok((credential, signature))
}

/// The credential and signature of a presigned URL's `X-Amz-*` parameters.
fn presigned(request: &Request) -> Result<(String, Signature), Fault> {
    let param = |name: &str| query_param(request, name);
    let credential = param("X-Amz-Credential").ok_or_else(|| {
        missing("it has neither an Authorization header nor a presigned URL's X-Amz-Credential")
    })?;
    let value =
        param("X-Amz-Signature").ok_or_else(|| missing("its URL has no X-Amz-Signature"))?;
    if param("X-Amz-Algorithm").as_deref() != Some("AWS4-HMAC-SHA256") {
        return Err(incomplete(
            "A presigned URL must name X-Amz-Algorithm=AWS4-HMAC-SHA256",
        ));
    }
    let expires = param("X-Amz-Expires")
        .and_then(|e| e.parse::<i64>().ok())
        .filter(|e| (1..=MAX_EXPIRES_SECONDS).contains(e))
        .ok_or_else(|| {
            incomplete(format!(
                "A presigned URL must give X-Amz-Expires, a number of seconds from 1 to {MAX_EXPIRES_SECONDS}"
            ))
        })?;
    let signed_headers = param("X-Amz-SignedHeaders")
        .ok_or_else(|| incomplete("A presigned URL must name X-Amz-SignedHeaders"))?;
    let at = param("X-Amz-Date").ok_or_else(|| {
        incomplete("A presigned URL must carry X-Amz-Date, which dates its signature")
    })?;
    let signature = signature(&at, Some(expires), signed_headers, value)?;
    Ok((credential, signature))
}

/// The value of the part `name` (`Credential=`, `Signature=` …) of an
/// `Authorization` header.
fn auth_field(auth: &str, name: &str) -> Option<String> {
    auth.split([',', ' '])
        .map(str::trim)
        .find_map(|part| part.strip_prefix(name))
        .map(str::to_string)
}

/// The value of the query parameter `name` (`X-Amz-Credential` …).
fn query_param(request: &Request, name: &str) -> Option<String> {
    form_urlencoded::parse(request.query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.to_string())
}

/// How SigV4 dates a signature: 20250101T000000Z.
const STAMP: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");

/// A signature from its parts, once each is of the form SigV4 gives it.
fn signature(
    at: &str,
    expires: Option<i64>,
    signed_headers: String,
    value: String,
) -> Result<Signature, Fault> {
    let at = time::PrimitiveDateTime::parse(at, STAMP)
        .map(|t| t.assume_utc())
        .map_err(|_| {
            incomplete(format!(
                "The signature's date {:?} is not of the form 20250101T000000Z",
                shorten(at)
            ))
        })?;
    if !signed_headers.split(';').any(|h| h == "host") {
        return Err(incomplete(
            "The signature must cover the Host header (SignedHeaders names no host)",
        ));
    }
    if value.len() != 64 || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(incomplete(format!(
            "The signature {:?} is not 64 hexadecimal digits",
            shorten(&value)
        )));
    }
    Ok(Signature {
        at,
        expires,
        signed_headers,
        value,
    })
}

/// A SigV4 date as requests carry it: 20250101T000000Z.
fn format_stamp(at: time::OffsetDateTime) -> String {
    at.format(STAMP).unwrap_or_default()
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
    if identity.signature.expires.is_some() {
        return Err(denied(
            "a claimed account's request must be signed in its Authorization header".into(),
        ));
    }
    identity.check_time()?;
    let signed_headers = &identity.signature.signed_headers;
    let presented = &identity.signature.value;
    let names: Vec<&str> = signed_headers
        .split(';')
        .filter(|n| !n.is_empty())
        .collect();
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
        .time(identity.signature.at.into())
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

    const SIGNATURE: &str = "8a5e5e1bd4a1d0ba2ec52bde3bb0e12a5c47fb8c0fb1c5dd1f1a5d1a5f8f1ad0";

    fn signed(credential: &str) -> Request {
        Request {
            headers: vec![
                (
                    "authorization".into(),
                    format!("AWS4-HMAC-SHA256 Credential={credential}, SignedHeaders=host;x-amz-date, Signature={SIGNATURE}"),
                ),
                ("x-amz-date".into(), "20250101T000000Z".into()),
            ],
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
            query: format!("Action=GetCallerIdentity&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=222222222222%2F20250101%2Fus-west-2%2Fsts%2Faws4_request&X-Amz-Date=20250101T000000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature={SIGNATURE}"),
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

    /// What a web page can send without a secret (a credential and no
    /// signature) is not a signed request; a whole signature of any secret is.
    #[test]
    fn a_request_without_a_whole_signature_names_no_one() {
        let code = |r: &Request| {
            Identity::of(r)
                .map(|_| "ok".to_string())
                .unwrap_or_else(|f| f.code)
        };
        let credential = "333333333333/20250101/us-east-1/ec2/aws4_request";
        let header = |auth: String, date: bool| Request {
            headers: [("authorization".to_string(), auth)]
                .into_iter()
                .chain(date.then(|| ("x-amz-date".to_string(), "20250101T000000Z".to_string())))
                .collect(),
            ..Request::default()
        };
        let cases = [
            (header(format!("AWS4-HMAC-SHA256 Credential={credential}"), true), "MissingAuthenticationToken"),
            (header(format!("AWS4-HMAC-SHA256 Credential={credential}, SignedHeaders=host, Signature=00"), true), "IncompleteSignature"),
            (header(format!("AWS4-HMAC-SHA256 Credential={credential}, SignedHeaders=x-amz-date, Signature={SIGNATURE}"), true), "IncompleteSignature"),
            (header(format!("AWS4-HMAC-SHA256 Credential={credential}, Signature={SIGNATURE}"), true), "IncompleteSignature"),
            (header(format!("AWS4-HMAC-SHA256 Credential={credential}, SignedHeaders=host, Signature={SIGNATURE}"), false), "IncompleteSignature"),
            (header(format!("AWS4-HMAC-SHA256 Credential={credential}, SignedHeaders=host, Signature={SIGNATURE}"), true), "ok"),
        ];
        for (request, expected) in &cases {
            assert_eq!(code(request), *expected, "{request:?}");
        }
        let url = |query: &str| Request {
            query: query
                .replace(
                    "CRED",
                    "333333333333%2F20250101%2Fus-east-1%2Fec2%2Faws4_request",
                )
                .replace("SIG", SIGNATURE),
            ..Request::default()
        };
        let whole = "Action=DescribeImages&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=CRED&X-Amz-Date=20250101T000000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=SIG";
        assert_eq!(code(&url(whole)), "ok");
        assert_eq!(
            code(&url(
                "Action=DeregisterImage&ImageId=ami-1&X-Amz-Credential=CRED"
            )),
            "MissingAuthenticationToken"
        );
        for (part, instead) in [
            ("X-Amz-Algorithm=AWS4-HMAC-SHA256&", ""),
            ("X-Amz-Expires=60", "X-Amz-Expires=604801"),
            ("X-Amz-Expires=60", "X-Amz-Expires=soon"),
            ("X-Amz-Date=20250101T000000Z&", ""),
            ("X-Amz-SignedHeaders=host", "X-Amz-SignedHeaders=x-amz-date"),
        ] {
            assert_eq!(
                code(&url(&whole.replace(part, instead))),
                "IncompleteSignature",
                "{part}"
            );
        }
    }

    #[test]
    fn a_signature_is_good_for_15_minutes_and_a_presigned_url_until_it_expires() {
        let now = time::OffsetDateTime::now_utc();
        let identity = |minutes: i64, expires: Option<i64>| Identity {
            access_key: "111111111111".into(),
            account: "111111111111".into(),
            region: "us-east-1".into(),
            service: "ec2".into(),
            signature: Signature {
                at: now - time::Duration::minutes(minutes),
                expires,
                signed_headers: "host".into(),
                value: SIGNATURE.into(),
            },
        };
        let code = |i: Identity| {
            i.check_time()
                .map(|_| "ok".to_string())
                .unwrap_or_else(|f| f.code)
        };
        assert_eq!(code(identity(14, None)), "ok");
        assert_eq!(code(identity(-14, None)), "ok");
        assert_eq!(code(identity(16, None)), "SignatureDoesNotMatch");
        assert_eq!(code(identity(-16, None)), "SignatureDoesNotMatch");
        assert_eq!(code(identity(50, Some(3600))), "ok");
        assert_eq!(code(identity(61, Some(3600))), "RequestExpired");
        assert_eq!(code(identity(-16, Some(3600))), "SignatureDoesNotMatch");
    }
}
