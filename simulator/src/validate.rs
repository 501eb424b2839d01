//! Checks of single values, shared by the rules and by the provider's plan-time validation.

use std::sync::OnceLock;

use crate::catalogue;
use crate::error::{refuse, ErrorKind, Result};

/// A 12-digit AWS account ID.
pub fn account_id(value: &str) -> Result<()> {
    if value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        refuse(
            ErrorKind::InvalidParameterValue,
            format!("{:?} is not an AWS account ID", shorten(value)),
            "An account ID is exactly 12 digits, for example \"111111111111\"",
        )
    }
}

/// The account a KMS grantee principal names: a 12-digit account ID, or the
/// account's root `arn:aws:iam::ACCOUNT:root` (amisim has no IAM users or
/// roles to grant to).
pub fn principal_account(principal: &str) -> Option<&str> {
    let account = principal
        .strip_prefix("arn:aws:iam::")
        .and_then(|rest| rest.strip_suffix(":root"))
        .unwrap_or(principal);
    account_id(account).is_ok().then_some(account)
}

/// An account a caller may act as: 12 digits, and not one of the accounts
/// that publish the public catalogue (so no caller deregisters, disables or
/// shares an image of Amazon, Canonical, Red Hat, Fedora, Debian or a
/// Marketplace seller).
pub fn caller_account(value: &str) -> Result<()> {
    account_id(value)?;
    match catalogue::publisher(value) {
        Some(publisher) => refuse(
            ErrorKind::AuthFailure,
            format!("account {value} is {}'s, a publisher of the public catalogue: no caller may act as it", publisher.name),
            "Act as an account of your own (any other 12-digit ID); the catalogue's images can be launched and copied, never changed",
        ),
        None => Ok(()),
    }
}

/// A region of the simulator's catalogue.
pub fn region(value: &str) -> Result<()> {
    if catalogue::is_region(value) {
        Ok(())
    } else if let Some(partition) = catalogue::other_partition(value) {
        refuse(
            ErrorKind::InvalidParameterValue,
            format!(
                "{value} is a region of the {partition} partition, which amisim does not simulate: it simulates the commercial aws partition only"
            ),
            format!("Use a region of the aws partition: {}", catalogue::REGIONS.join(", ")),
        )
    } else {
        refuse(
            ErrorKind::InvalidParameterValue,
            format!("{:?} is not an AWS region", shorten(value)),
            format!("Use one of: {}", catalogue::REGIONS.join(", ")),
        )
    }
}

/// AWS's AMI naming rules: 3 to 128 characters of letters, digits and `()[] ./-'@_`.
pub fn image_name(value: &str) -> Result<()> {
    let len = value.chars().count();
    let allowed = |c: char| c.is_ascii_alphanumeric() || "()[] ./-'@_".contains(c);
    if (3..=128).contains(&len) && value.chars().all(allowed) {
        Ok(())
    } else {
        refuse(
            ErrorKind::AmiNameMalformed,
            format!("{:?} is not a valid AMI name", shorten(value)),
            "An AMI name has 3 to 128 characters: letters, digits, spaces and ( ) [ ] . / - ' @ _",
        )
    }
}

/// An image description: at most 255 characters, no control characters.
pub fn description(value: &str) -> Result<()> {
    if value.chars().count() <= 255 && !value.chars().any(|c| c.is_control()) {
        Ok(())
    } else {
        refuse(
            ErrorKind::InvalidParameterValue,
            "a description has at most 255 characters and no control characters",
            "Shorten the description and remove line breaks and other control characters",
        )
    }
}

/// One of a fixed set of values.
pub fn one_of(what: &str, value: &str, allowed: &[&str]) -> Result<()> {
    word(what, value, allowed, |_| Some(()))
}

/// The value of a worded enum (`RootDevice`, `Protection`, …) that `value`
/// names, when it is one of `allowed`; anything else is refused naming them.
pub fn word<T>(
    what: &str,
    value: &str,
    allowed: &[&str],
    parse: fn(&str) -> Option<T>,
) -> Result<T> {
    match parse(value) {
        Some(v) if allowed.contains(&value) => Ok(v),
        _ => refuse(
            ErrorKind::InvalidParameterValue,
            format!("{:?} is not a valid {what}", shorten(value)),
            format!("Use one of: {}", allowed.join(", ")),
        ),
    }
}

/// Architectures an image may have.
pub const ARCHITECTURES: &[&str] = &["x86_64", "arm64", "i386"];
/// Platforms an image may have.
pub const PLATFORMS: &[&str] = &["linux", "windows"];
/// Root device types an image may have.
pub const ROOT_DEVICE_TYPES: &[&str] = crate::model::RootDevice::NAMES;

/// A root volume size in GiB: 1 to 16384 (64 TiB for io2 is not simulated).
pub fn volume_size(value: i64) -> Result<()> {
    if (1..=catalogue::EBS_ROOT_MAX_GB).contains(&value) {
        Ok(())
    } else {
        refuse(
            ErrorKind::InvalidParameterValue,
            format!("a root volume of {value} GiB is not possible"),
            "Use a size from 1 to 16384 GiB",
        )
    }
}

/// The root device's size for its type: an instance-store root device holds
/// at most 10 GiB, an EBS root volume (gp2, gp3) up to 16384 GiB.
pub fn root_device_size(root_device_type: &str, size_gb: i64) -> Result<()> {
    if root_device_type == "instance-store" && size_gb > catalogue::INSTANCE_STORE_ROOT_MAX_GB {
        return refuse(
            ErrorKind::InvalidParameterValue,
            format!(
                "an instance-store root device holds at most {} GiB, not {size_gb} GiB",
                catalogue::INSTANCE_STORE_ROOT_MAX_GB
            ),
            "Use root_volume_size_gb = 10 or less for an instance-store image, or root_device_type = \"ebs\" for a root volume up to 16384 GiB",
        );
    }
    Ok(())
}

/// A root volume size that is a fraction or a number past 64 bits.
pub fn volume_size_not_whole(text: &str) -> Result<()> {
    refuse(
        ErrorKind::InvalidParameterValue,
        format!(
            "a root volume of {} GiB is not possible: sizes are whole numbers of GiB",
            shorten(text)
        ),
        "Use a whole number of GiB from 1 to 16384",
    )
}

/// An ID of the form `PREFIX-` and 8 or 17 lowercase hex digits.
pub fn resource_id(value: &str, prefix: &str) -> bool {
    value
        .strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('-'))
        .is_some_and(|hex| {
            (hex.len() == 8 || hex.len() == 17)
                && hex
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
}

/// An AMI ID.
pub fn image_id(value: &str) -> Result<()> {
    if resource_id(value, "ami") {
        Ok(())
    } else {
        refuse(
            ErrorKind::AmiMalformed,
            format!("{:?} is not an AMI ID", shorten(value)),
            "An AMI ID is \"ami-\" followed by 8 or 17 lowercase hex digits (or is the ID of an image loaded from a fixture file)",
        )
    }
}

/// Whether `id` may be a loaded image's ID: `ami-` and lowercase letters
/// and digits, as moto's own fixture file has (`ami-ekslinux`).
pub fn loadable_image_id(id: &str) -> bool {
    id.strip_prefix("ami-").is_some_and(|rest| {
        !rest.is_empty()
            && rest.len() <= 32
            && rest
                .bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
    })
}

/// An AMI ID a configuration may name before the cloud is asked: AWS's
/// form, or a loaded image's (`ami-` and lowercase letters and digits);
/// whether one of the second kind names an image only the cloud knows.
pub fn image_id_shape(value: &str) -> Result<()> {
    if loadable_image_id(value) {
        Ok(())
    } else {
        image_id(value)
    }
}

/// Tags: at most 50, keys of 1 to 128 characters, values of at most 256, no `aws:` prefix.
pub fn tags(tags: &crate::model::Tags) -> Result<()> {
    if tags.len() > 50 {
        return refuse(
            ErrorKind::InvalidParameterValue,
            format!("{} tags are too many", tags.len()),
            "A resource has at most 50 tags",
        );
    }
    for (k, v) in tags {
        if k.is_empty() || k.chars().count() > 128 || v.chars().count() > 256 {
            return refuse(
                ErrorKind::InvalidParameterValue,
                format!("the tag {:?} is too long or empty", shorten(k)),
                "Tag keys have 1 to 128 characters and values at most 256",
            );
        }
        if k.to_ascii_lowercase().starts_with("aws:") {
            return refuse(
                ErrorKind::InvalidParameterValue,
                format!("the tag key {:?} uses the reserved prefix aws:", shorten(k)),
                "Choose a tag key that does not start with aws:",
            );
        }
    }
    Ok(())
}

/// An organization ARN: `arn:aws:organizations::ACCOUNT:organization/o-…`.
pub fn is_organization_arn(value: &str) -> bool {
    static RE: OnceLock<Option<regex::Regex>> = OnceLock::new();
    regex_match(
        &RE,
        r"^arn:aws:organizations::\d{12}:organization/o-[a-z0-9]{1,32}$",
        value,
    )
}

/// An OU ARN: `arn:aws:organizations::ACCOUNT:ou/o-…/ou-…`.
pub fn is_organizational_unit_arn(value: &str) -> bool {
    static RE: OnceLock<Option<regex::Regex>> = OnceLock::new();
    regex_match(
        &RE,
        r"^arn:aws:organizations::\d{12}:ou/o-[a-z0-9]{1,32}/ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$",
        value,
    )
}

/// The organization ID (`o-…`) inside an organization or OU ARN.
pub fn organization_id_of(arn: &str) -> Option<&str> {
    let tail = arn.split(':').nth(5)?;
    tail.split('/').nth(1)
}

/// Matches `value` against `pattern`, compiled once into `cell`.
fn regex_match(cell: &OnceLock<Option<regex::Regex>>, pattern: &str, value: &str) -> bool {
    cell.get_or_init(|| regex::Regex::new(pattern).ok())
        .as_ref()
        .is_some_and(|r| r.is_match(value))
}

/// A value cut to a length fit for an error message.
pub fn shorten(value: &str) -> String {
    const MAX: usize = 80;
    if value.chars().count() <= MAX {
        value.to_string()
    } else {
        let head: String = value.chars().take(MAX).collect();
        format!("{head}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts() {
        assert!(account_id("111111111111").is_ok());
        for bad in [
            "",
            "11111111111",
            "1111111111111",
            "11111111111a",
            "١١١١١١١١١١١١",
        ] {
            assert!(account_id(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_follow_aws_rules() {
        assert!(image_name("golden-web (v1) [x86]/2025.01 @team's_build").is_ok());
        for bad in ["ab", "a*b", "name\n", &"x".repeat(129), "ünïcode"] {
            assert_eq!(
                image_name(bad).unwrap_err().code(),
                "InvalidAMIName.Malformed"
            );
        }
    }

    #[test]
    fn organization_arns() {
        assert!(is_organization_arn(
            "arn:aws:organizations::999999999999:organization/o-abc1234567"
        ));
        assert!(is_organizational_unit_arn(
            "arn:aws:organizations::999999999999:ou/o-abc1234567/ou-ab12-cdef3456"
        ));
        assert!(!is_organization_arn(
            "arn:aws:organizations::999:organization/o-x"
        ));
        assert_eq!(
            organization_id_of(
                "arn:aws:organizations::999999999999:ou/o-abc1234567/ou-ab12-cdef3456"
            ),
            Some("o-abc1234567")
        );
    }

    #[test]
    fn ids() {
        assert!(image_id("ami-0123456789abcdef0").is_ok());
        assert!(image_id("ami-12345678").is_ok());
        assert!(image_id("ami-0123456789ABCDEF0").is_err());
        assert!(image_id("i-0123456789abcdef0").is_err());
    }
}
