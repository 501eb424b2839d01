//! The key that claims' secrets are sealed under, kept in a file outside the
//! store, so that a copy of the store alone cannot sign as a claimed account.
//!
//! `AMISIM_KEY_FILE` names it; else it is `amisim/secret.key` under
//! `$XDG_CONFIG_HOME` (or `~/.config`). `amisim accounts claim` makes it
//! (readable by its owner only) when there is none; `amisim serve` reads it.

use std::io::Write;
use std::path::PathBuf;

use amisim_simulator::SealKey;

/// Where the key file is.
pub fn path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("AMISIM_KEY_FILE").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(config.join("amisim").join("secret.key"))
}

/// The key in the key file, if there is one.
pub fn load() -> anyhow::Result<Option<SealKey>> {
    let Some(path) = path() else {
        return Ok(None);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => anyhow::bail!("cannot read the key file {}: {e}", path.display()),
    };
    let hex = text.trim();
    let bytes: Option<Vec<u8>> = (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect();
    match bytes.and_then(|b| <[u8; 32]>::try_from(b).ok()) {
        Some(key) => Ok(Some(SealKey::from_bytes(key))),
        None => anyhow::bail!(
            "the key file {} does not hold a key (64 hex digits); it was left untouched",
            path.display()
        ),
    }
}

/// The key in the key file, made (owner-only) when there is none.
pub fn load_or_create() -> anyhow::Result<SealKey> {
    if let Some(key) = load()? {
        return Ok(key);
    }
    let path = path().ok_or_else(|| {
        anyhow::anyhow!("no place for the key file: set AMISIM_KEY_FILE (or HOME)")
    })?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
    }
    let key = SealKey::generate().map_err(|e| anyhow::anyhow!("{e}"))?;
    let hex: String = key.bytes().iter().map(|b| format!("{b:02x}")).collect();
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .map_err(|e| anyhow::anyhow!("cannot make the key file {}: {e}", path.display()))?;
    writeln!(file, "{hex}")?;
    Ok(key)
}
