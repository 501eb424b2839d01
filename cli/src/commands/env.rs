//! `amisim env`: the shell exports that point the AWS CLI and the SDKs at `amisim serve`.

use std::io::Write;

use amisim_simulator::validate;

use crate::args::EnvArgs;

/// Prints `export NAME=value` lines for the AWS CLI and the SDKs.
pub fn print(out: &mut dyn Write, a: &EnvArgs) -> anyhow::Result<()> {
    validate::account_id(&a.account).map_err(|e| anyhow::anyhow!("{e}"))?;
    validate::region(&a.region).map_err(|e| anyhow::anyhow!("{e}"))?;
    amisim_client::is_https(&a.endpoint)?;
    // An unclaimed account is reached with its ID as the access key ID; the
    // secret is not checked for it.
    for (name, value) in [
        ("AWS_ENDPOINT_URL", a.endpoint.as_str()),
        // And the `amisim` command works through the same server.
        ("AMISIM_ENDPOINT", a.endpoint.as_str()),
        ("AWS_ACCESS_KEY_ID", a.account.as_str()),
        ("AWS_SECRET_ACCESS_KEY", "amisim-unclaimed-account"),
        ("AWS_REGION", a.region.as_str()),
        ("AWS_DEFAULT_REGION", a.region.as_str()),
    ] {
        writeln!(out, "export {name}={value}")?;
    }
    if let Some(bundle) = &a.ca_bundle {
        let path = std::fs::canonicalize(bundle).map_err(|e| {
            anyhow::anyhow!(
                "--ca-bundle {}: {e}; name the PEM file of the server's certificate",
                bundle.display()
            )
        })?;
        let path = path.to_string_lossy();
        // Quoted for the shell, as a path may hold spaces.
        writeln!(
            out,
            "export AWS_CA_BUNDLE='{}'",
            path.replace('\'', "'\\''")
        )?;
    }
    Ok(())
}
