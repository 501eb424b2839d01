//! What the server's tests share.

/// The headers of a request signed, in form, by `access_key` for `scope`
/// (`REGION/SERVICE`) now: a whole SigV4 signature that no secret checks,
/// as any secret signs for an unclaimed account.
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
