//! What the server's tests share.

/// The headers of a request signed, in form, by `access_key` for `scope`
/// (`REGION/SERVICE`) now: a whole SigV4 signature that no secret checks,
/// as any secret signs for an unclaimed account.
#[allow(dead_code)]
pub fn signed_headers(access_key: &str, scope: &str) -> Vec<(String, String)> {
    let now = time::OffsetDateTime::now_utc();
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    let stamp = now.format(&format).unwrap();
    vec![
        (
            "authorization".into(),
            format!(
                "AWS4-HMAC-SHA256 Credential={access_key}/{}/{scope}/aws4_request, SignedHeaders=host;x-amz-date, Signature={}",
                &stamp[..8],
                "0".repeat(64)
            ),
        ),
        ("x-amz-date".into(), stamp),
    ]
}

/// `body` for `service` in us-east-1, signed as `key`/`secret` at `at`,
/// with `headers` (signed too), by the AWS SDK's own signer.
#[allow(dead_code)]
pub fn signed(
    key: &str,
    secret: &str,
    service: &str,
    at: std::time::SystemTime,
    headers: &[(&str, &str)],
    body: &str,
) -> amisim_server::Request {
    use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
    let identity = aws_credential_types::Credentials::new(key, secret, None, None, "test").into();
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name(service)
        .time(at)
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let mut all = vec![("host", "127.0.0.1:4566")];
    all.extend_from_slice(headers);
    let signable = SignableRequest::new(
        "POST",
        "http://127.0.0.1:4566/",
        all.iter().copied(),
        SignableBody::Bytes(body.as_bytes()),
    )
    .unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let mut request = http::Request::builder()
        .method("POST")
        .uri("http://127.0.0.1:4566/")
        .body(())
        .unwrap();
    for (n, v) in &all {
        let name = http::header::HeaderName::from_bytes(n.as_bytes()).unwrap();
        request.headers_mut().insert(name, v.parse().unwrap());
    }
    instructions.apply_to_request_http1x(&mut request);
    amisim_server::Request {
        method: "POST".into(),
        path: "/".into(),
        query: String::new(),
        headers: request
            .headers()
            .iter()
            .map(|(n, v)| (n.as_str().to_string(), v.to_str().unwrap().to_string()))
            .collect(),
        body: body.as_bytes().to_vec(),
    }
}

/// The error code of an answer that is an error: AWS Query's `<Code>`, or
/// a JSON protocol's `__type`.
#[allow(dead_code)]
pub fn error_code(body: &str) -> Option<String> {
    if let Some(rest) = body.split("<Code>").nth(1) {
        return rest.split("</Code>").next().map(str::to_string);
    }
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    value.get("__type")?.as_str().map(str::to_string)
}
