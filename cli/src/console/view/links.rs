//! Links between the console's pages: every ID of ours is a link to its page.

/// A link to the page of an object; `href` is empty for text with no page.
#[derive(Clone, Debug, Default)]
pub struct Link {
    pub href: String,
    pub text: String,
}

/// Where the console's pages are: `/` for `amisim console`, `/console/`
/// under `amisim serve`. Set once, when the process starts serving.
static BASE: std::sync::OnceLock<&'static str> = std::sync::OnceLock::new();

/// Serves the console's pages under `base` (`/` or `/console/`) in this
/// process; the first base set stays.
pub fn set_base(base: &'static str) {
    let _ = BASE.set(base);
}

/// The path the console's pages are under, ending with `/`.
pub fn base() -> &'static str {
    BASE.get().copied().unwrap_or("/")
}

/// The page of anything with an ID, or `None` for text that is no ID of ours.
pub fn href(id: &str) -> Option<String> {
    let base = base();
    let page = if id.starts_with("ami-") {
        "images"
    } else if id.starts_with("i-") {
        "instances"
    } else if id.starts_with("snap-") || id.starts_with("bundle-") || id.starts_with("vol-") {
        "storage"
    } else if let Some((_, key)) = id.split_once(":key/") {
        return Some(format!("{base}keys/{}", encode(key)));
    } else if is_key_id(id) {
        return Some(format!("{base}keys/{id}"));
    } else if let Some(anchor) = organization_anchor(id) {
        return Some(format!("{base}organizations#{}", encode(anchor)));
    } else if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) {
        return Some(format!("{base}images?account={id}"));
    } else {
        return None;
    };
    Some(format!("{base}{page}/{}", encode(id)))
}

/// The organization or OU an ID or ARN names (`o-…`, `ou-…`, or their
/// ARNs), which is its place on the organizations page.
fn organization_anchor(id: &str) -> Option<&str> {
    let last = if id.starts_with("arn:aws:organizations::") {
        id.rsplit('/').next()?
    } else {
        id
    };
    (last.starts_with("o-") || last.starts_with("ou-")).then_some(last)
}

/// Whether `id` is a KMS key ID (a UUID: 8-4-4-4-12 hexadecimal digits).
fn is_key_id(id: &str) -> bool {
    let parts: Vec<&str> = id.split('-').collect();
    parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
        && parts
            .iter()
            .all(|p| p.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A link to `id`'s page, showing `id`.
pub fn link(id: &str) -> Link {
    Link {
        href: href(id).unwrap_or_default(),
        text: id.to_string(),
    }
}

pub(super) fn link_opt(id: Option<&str>) -> Link {
    id.map(link).unwrap_or_else(|| Link {
        href: String::new(),
        text: "–".to_string(),
    })
}

/// Percent-encodes what is not safe in a URL path segment or query value.
pub fn encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
