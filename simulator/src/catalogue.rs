//! Fixed reference data: regions, instance types, the public image catalogue and the price book.

use crate::model::{RHEL_BILLING_PRODUCT, WINDOWS_BILLING_PRODUCT};

/// The region a caller is in when it names none, as in AWS's tools.
pub const DEFAULT_REGION: &str = "us-east-1";

/// Every region the simulated cloud knows, in AWS's commercial partition.
pub const REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-south-1",
    "ap-south-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
];

/// The revision of the public catalogue's images; a store seeded with another
/// is seeded again (its catalogue images are written anew).
pub const CATALOGUE_REVISION: &str = "3:";

/// What a store records of the catalogue it was seeded with: the revision and the regions.
pub fn catalogue_version() -> String {
    format!("{CATALOGUE_REVISION}{}", REGIONS.join(","))
}

/// Regions of AWS partitions other than `aws`, which amisim does not simulate:
/// a name prefix and the partition's name.
pub const OTHER_PARTITIONS: &[(&str, &str)] = &[
    ("cn-", "aws-cn (AWS China)"),
    ("us-gov-", "aws-us-gov (AWS GovCloud (US))"),
    ("us-isof-", "aws-iso-f"),
    ("us-isob-", "aws-iso-b"),
    ("us-iso-", "aws-iso"),
    ("eu-isoe-", "aws-iso-e"),
    ("eusc-", "aws-eusc (AWS European Sovereign Cloud)"),
];

/// The partition of a region name that belongs to another partition than `aws`.
pub fn other_partition(region: &str) -> Option<&'static str> {
    OTHER_PARTITIONS
        .iter()
        .find(|(prefix, _)| region.starts_with(prefix))
        .map(|(_, name)| *name)
}

/// Whether `region` is in [`REGIONS`].
pub fn is_region(region: &str) -> bool {
    REGIONS.contains(&region)
}

/// An instance type and its on-demand Linux price.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InstanceType {
    /// The type name, for example `t3.micro`.
    pub name: &'static str,
    /// Architectures its processors run.
    pub architectures: &'static [&'static str],
    /// Virtual CPUs (Windows licences are charged per vCPU).
    pub vcpus: i64,
    /// On-demand Linux price in micro-dollars per hour (us-east-1 list price).
    pub hourly_micros: i64,
}

const X86: &[&str] = &["x86_64"];
const X86_I386: &[&str] = &["i386", "x86_64"];
const ARM: &[&str] = &["arm64"];

/// The instance type catalogue (us-east-1 on-demand list prices).
pub const INSTANCE_TYPES: &[InstanceType] = &[
    InstanceType {
        name: "t1.micro",
        architectures: X86_I386,
        vcpus: 1,
        hourly_micros: 20_000,
    },
    InstanceType {
        name: "m1.small",
        architectures: X86_I386,
        vcpus: 1,
        hourly_micros: 44_000,
    },
    InstanceType {
        name: "t2.micro",
        architectures: X86,
        vcpus: 1,
        hourly_micros: 11_600,
    },
    InstanceType {
        name: "t2.small",
        architectures: X86,
        vcpus: 1,
        hourly_micros: 23_000,
    },
    InstanceType {
        name: "t3.nano",
        architectures: X86,
        vcpus: 2,
        hourly_micros: 5_200,
    },
    InstanceType {
        name: "t3.micro",
        architectures: X86,
        vcpus: 2,
        hourly_micros: 10_400,
    },
    InstanceType {
        name: "t3.small",
        architectures: X86,
        vcpus: 2,
        hourly_micros: 20_800,
    },
    InstanceType {
        name: "t3.medium",
        architectures: X86,
        vcpus: 2,
        hourly_micros: 41_600,
    },
    InstanceType {
        name: "t3.large",
        architectures: X86,
        vcpus: 2,
        hourly_micros: 83_200,
    },
    InstanceType {
        name: "t3a.micro",
        architectures: X86,
        vcpus: 2,
        hourly_micros: 9_400,
    },
    InstanceType {
        name: "t4g.nano",
        architectures: ARM,
        vcpus: 2,
        hourly_micros: 4_200,
    },
    InstanceType {
        name: "t4g.micro",
        architectures: ARM,
        vcpus: 2,
        hourly_micros: 8_400,
    },
    InstanceType {
        name: "t4g.small",
        architectures: ARM,
        vcpus: 2,
        hourly_micros: 16_800,
    },
    InstanceType {
        name: "t4g.medium",
        architectures: ARM,
        vcpus: 2,
        hourly_micros: 33_600,
    },
    InstanceType {
        name: "m5.large",
        architectures: X86,
        vcpus: 2,
        hourly_micros: 96_000,
    },
    InstanceType {
        name: "m5d.large",
        architectures: X86,
        vcpus: 2,
        hourly_micros: 113_000,
    },
    InstanceType {
        name: "m6i.large",
        architectures: X86,
        vcpus: 2,
        hourly_micros: 96_000,
    },
    InstanceType {
        name: "m6g.large",
        architectures: ARM,
        vcpus: 2,
        hourly_micros: 77_000,
    },
    InstanceType {
        name: "m7g.large",
        architectures: ARM,
        vcpus: 2,
        hourly_micros: 81_600,
    },
    InstanceType {
        name: "c5.large",
        architectures: X86,
        vcpus: 2,
        hourly_micros: 85_000,
    },
    InstanceType {
        name: "c5d.large",
        architectures: X86,
        vcpus: 2,
        hourly_micros: 96_000,
    },
    InstanceType {
        name: "c6g.large",
        architectures: ARM,
        vcpus: 2,
        hourly_micros: 68_000,
    },
    InstanceType {
        name: "c7g.large",
        architectures: ARM,
        vcpus: 2,
        hourly_micros: 72_500,
    },
    InstanceType {
        name: "r5.large",
        architectures: X86,
        vcpus: 2,
        hourly_micros: 126_000,
    },
    InstanceType {
        name: "i3.large",
        architectures: X86,
        vcpus: 2,
        hourly_micros: 156_000,
    },
    // Previous generations, the only ones with an instance-store root device.
    InstanceType {
        name: "c1.medium",
        architectures: X86_I386,
        vcpus: 2,
        hourly_micros: 130_000,
    },
    InstanceType {
        name: "m2.xlarge",
        architectures: X86,
        vcpus: 2,
        hourly_micros: 245_000,
    },
    InstanceType {
        name: "m3.medium",
        architectures: X86,
        vcpus: 1,
        hourly_micros: 67_000,
    },
    InstanceType {
        name: "c3.large",
        architectures: X86,
        vcpus: 2,
        hourly_micros: 105_000,
    },
    InstanceType {
        name: "r3.large",
        architectures: X86,
        vcpus: 2,
        hourly_micros: 166_000,
    },
    InstanceType {
        name: "i2.xlarge",
        architectures: X86,
        vcpus: 4,
        hourly_micros: 853_000,
    },
    InstanceType {
        name: "d2.xlarge",
        architectures: X86,
        vcpus: 4,
        hourly_micros: 690_000,
    },
    InstanceType {
        name: "x1.16xlarge",
        architectures: X86,
        vcpus: 64,
        hourly_micros: 6_669_000,
    },
];

/// The instance families whose instances can boot from an instance-store
/// root device, as AWS lists them; every later family boots from EBS only.
pub const INSTANCE_STORE_ROOT_FAMILIES: &[&str] =
    &["c1", "c3", "d2", "i2", "m1", "m2", "m3", "r3", "x1"];

impl InstanceType {
    /// Whether an instance of this type can boot an instance-store-backed image.
    pub fn boots_instance_store(&self) -> bool {
        let family = self.name.split('.').next().unwrap_or(self.name);
        INSTANCE_STORE_ROOT_FAMILIES.contains(&family)
    }
}

/// Looks up an instance type by name.
pub fn instance_type(name: &str) -> Option<&'static InstanceType> {
    INSTANCE_TYPES.iter().find(|t| t.name == name)
}

/// The names of all instance types, for error messages.
pub fn instance_type_names() -> String {
    INSTANCE_TYPES
        .iter()
        .map(|t| t.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// An account that publishes images of the public catalogue, as in AWS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Publisher {
    /// Its account ID, which `owners` and the `owner-id` filter take.
    pub account: &'static str,
    /// Its owner alias, for the publishers AWS gives one (`amazon`, `aws-marketplace`).
    pub alias: Option<&'static str>,
    /// The Allowed AMIs image provider its images count under: `amazon` for
    /// Amazon and the verified providers, `aws-marketplace` for sellers.
    pub provider: &'static str,
    /// Who it is, for listings and messages.
    pub name: &'static str,
}

/// Amazon Linux, under the alias `amazon`.
pub const AMAZON_LINUX: Publisher = Publisher {
    account: crate::model::AMAZON_ACCOUNT,
    alias: Some(crate::model::AMAZON),
    provider: crate::model::AMAZON,
    name: "Amazon (Amazon Linux)",
};
/// Windows Server, also under the alias `amazon`, from another account.
pub const AMAZON_WINDOWS: Publisher = Publisher {
    account: "801119661308",
    alias: Some(crate::model::AMAZON),
    provider: crate::model::AMAZON,
    name: "Amazon (Windows)",
};
/// Ubuntu, published by Canonical, which has no alias.
pub const CANONICAL: Publisher = verified("099720109477", "Canonical");
/// Red Hat Enterprise Linux.
pub const RED_HAT: Publisher = verified("309956199498", "Red Hat");
/// Fedora Cloud.
pub const FEDORA: Publisher = verified("125523088429", "Fedora");
/// Debian.
pub const DEBIAN: Publisher = verified("136693071363", "Debian");
/// AWS Marketplace sellers' images, under the alias `aws-marketplace`.
pub const MARKETPLACE: Publisher = Publisher {
    account: crate::model::MARKETPLACE_ACCOUNT,
    alias: Some(crate::model::MARKETPLACE),
    provider: crate::model::MARKETPLACE,
    name: "AWS Marketplace",
};

/// A verified provider: an account of its own, no alias, counted as `amazon`
/// by Allowed AMIs.
const fn verified(account: &'static str, name: &'static str) -> Publisher {
    Publisher {
        account,
        alias: None,
        provider: crate::model::AMAZON,
        name,
    }
}

/// Every publisher of the public catalogue: AWS's own and its partners'
/// accounts, which no caller may act as.
pub const PUBLISHERS: &[Publisher] = &[
    AMAZON_LINUX,
    AMAZON_WINDOWS,
    CANONICAL,
    RED_HAT,
    FEDORA,
    DEBIAN,
    MARKETPLACE,
];

/// Whether the account publishes images of the public catalogue (see [`PUBLISHERS`]).
pub fn is_catalogue_account(account: &str) -> bool {
    publisher(account).is_some()
}

/// The publisher whose account is `account`, if any.
pub fn publisher(account: &str) -> Option<&'static Publisher> {
    PUBLISHERS.iter().find(|p| p.account == account)
}

/// An image of the public catalogue, present in every region of a new store.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CatalogueImage {
    /// The image name, as its publisher names it.
    pub name: &'static str,
    /// The description AWS shows.
    pub description: &'static str,
    /// The account that owns it.
    pub publisher: Publisher,
    /// `x86_64` or `arm64`.
    pub architecture: &'static str,
    /// `linux` or `windows`.
    pub platform: &'static str,
    /// Root volume size in GiB.
    pub size_gb: i64,
    /// Billing product codes.
    pub billing_products: &'static [&'static str],
}

/// Whether the billing products include a Red Hat Enterprise Linux licence.
pub fn is_rhel_licensed(billing_products: &[String]) -> bool {
    billing_products.iter().any(|p| p == RHEL_BILLING_PRODUCT)
}

/// Whether the billing products include a Windows licence.
pub fn is_windows_licensed(billing_products: &[String]) -> bool {
    billing_products
        .iter()
        .any(|p| p == WINDOWS_BILLING_PRODUCT)
}

/// The largest root device of an instance-store-backed image, in GiB.
pub const INSTANCE_STORE_ROOT_MAX_GB: i64 = 10;
/// The largest EBS root volume (gp2, gp3), in GiB; io2 Block Express's 64 TiB is not simulated.
pub const EBS_ROOT_MAX_GB: i64 = 16_384;

/// A Linux image with no licence fee.
const fn linux(
    publisher: Publisher,
    name: &'static str,
    description: &'static str,
    architecture: &'static str,
    size_gb: i64,
) -> CatalogueImage {
    CatalogueImage {
        name,
        description,
        publisher,
        architecture,
        platform: "linux",
        size_gb,
        billing_products: &[],
    }
}

/// A Red Hat Enterprise Linux image: licensed by the hour, as in AWS.
const fn rhel(name: &'static str, architecture: &'static str) -> CatalogueImage {
    CatalogueImage {
        billing_products: &[RHEL_BILLING_PRODUCT],
        ..linux(RED_HAT, name, "Provided by Red Hat, Inc.", architecture, 10)
    }
}

/// A Windows Server image: licensed by the hour, as in AWS.
const fn windows(name: &'static str, description: &'static str) -> CatalogueImage {
    CatalogueImage {
        platform: "windows",
        billing_products: &[WINDOWS_BILLING_PRODUCT],
        ..linux(AMAZON_WINDOWS, name, description, "x86_64", 30)
    }
}

/// A Marketplace image: a product code and an hourly software fee.
const fn marketplace(
    name: &'static str,
    description: &'static str,
    architecture: &'static str,
    size_gb: i64,
    product: &'static [&'static str],
) -> CatalogueImage {
    CatalogueImage {
        billing_products: product,
        ..linux(MARKETPLACE, name, description, architecture, size_gb)
    }
}

/// The public images of every region. Their IDs derive from the region and
/// the name, so a name is never changed: a store made earlier keeps its IDs.
pub const PUBLIC_IMAGES: &[CatalogueImage] = &[
    linux(AMAZON_LINUX, "al2023-ami-2023.6.20250115.0-kernel-6.1-x86_64", "Amazon Linux 2023 AMI 2023.6.20250115.0 x86_64 HVM kernel-6.1", "x86_64", 8),
    linux(AMAZON_LINUX, "al2023-ami-2023.6.20250115.0-kernel-6.1-arm64", "Amazon Linux 2023 AMI 2023.6.20250115.0 arm64 HVM kernel-6.1", "arm64", 8),
    linux(AMAZON_LINUX, "amzn2-ami-kernel-5.10-hvm-2.0.20250116.0-x86_64-gp2", "Amazon Linux 2 Kernel 5.10 AMI 2.0.20250116.0 x86_64 HVM gp2", "x86_64", 8),
    linux(CANONICAL, "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20250115", "Canonical, Ubuntu, 24.04, amd64 noble image", "x86_64", 8),
    linux(CANONICAL, "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-arm64-server-20250115", "Canonical, Ubuntu, 24.04, arm64 noble image", "arm64", 8),
    linux(CANONICAL, "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20250112", "Canonical, Ubuntu, 22.04 LTS, amd64 jammy image", "x86_64", 8),
    linux(FEDORA, "Fedora-Cloud-Base-AmazonEC2.x86_64-41-1.4", "Fedora Cloud Base 41 x86_64", "x86_64", 5),
    linux(FEDORA, "Fedora-Cloud-Base-AmazonEC2.aarch64-41-1.4", "Fedora Cloud Base 41 aarch64", "arm64", 5),
    rhel("RHEL-9.5.0_HVM-20241211-x86_64-0-Hourly2-GP3", "x86_64"),
    rhel("RHEL-9.5.0_HVM-20241211-arm64-0-Hourly2-GP3", "arm64"),
    windows("Windows_Server-2022-English-Full-Base-2025.01.15", "Microsoft Windows Server 2022 Full Locale English AMI provided by Amazon"),
    windows("Windows_Server-2019-English-Full-Base-2025.01.15", "Microsoft Windows Server 2019 with Desktop Experience Locale English AMI provided by Amazon"),
    marketplace("bitnami-wordpress-6.7.1-r0-debian-12-amd64", "Bitnami package for WordPress (AWS Marketplace)", "x86_64", 10, &["prod-wordpress-bitnami"]),
    marketplace("openvpn-access-server-2.14.1-arm64", "OpenVPN Access Server (AWS Marketplace)", "arm64", 8, &["prod-openvpn-as"]),
    marketplace("cis-hardened-ubuntu-24.04-level-1-x86_64", "CIS Hardened Image Level 1 on Ubuntu 24.04 (AWS Marketplace)", "x86_64", 8, &["prod-cis-ubuntu-l1"]),
    linux(DEBIAN, "debian-12-amd64-20250112-2000", "Debian 12 (20250112-2000)", "x86_64", 8),
    linux(DEBIAN, "debian-12-arm64-20250112-2000", "Debian 12 (20250112-2000)", "arm64", 8),
];

/// The price book: every price the ledger uses, in micro-dollars.
///
/// Defaults are AWS us-east-1 list prices; [`PriceBook::from_json`] overrides any of them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct PriceBook {
    /// EBS snapshot storage, per GB-month.
    pub ebs_snapshot_gb_month: i64,
    /// S3 Standard, per GB-month, for the first 50 TB of an account in a region.
    pub s3_first_50tb_gb_month: i64,
    /// S3 Standard, per GB-month, for the next 450 TB.
    pub s3_next_450tb_gb_month: i64,
    /// S3 Standard, per GB-month, beyond 500 TB.
    pub s3_over_500tb_gb_month: i64,
    /// Data transfer between regions, per GB.
    pub inter_region_transfer_gb: i64,
    /// Windows Server licence, per vCPU-hour.
    pub windows_vcpu_hour: i64,
    /// Red Hat Enterprise Linux licence, per vCPU-hour (AWS's price since 2024).
    pub rhel_vcpu_hour: i64,
    /// EBS gp3 volume storage, per GB-month (a root volume kept after termination).
    pub ebs_volume_gb_month: i64,
    /// Hours in a billing month.
    pub hours_per_month: i64,
    /// Marketplace software fees per hour, by billing product.
    pub software_fees_hour: std::collections::BTreeMap<String, i64>,
}

impl Default for PriceBook {
    fn default() -> Self {
        PriceBook {
            ebs_snapshot_gb_month: 50_000,
            s3_first_50tb_gb_month: 23_000,
            s3_next_450tb_gb_month: 22_000,
            s3_over_500tb_gb_month: 21_000,
            inter_region_transfer_gb: 20_000,
            windows_vcpu_hour: 4_600,
            rhel_vcpu_hour: 14_400,
            ebs_volume_gb_month: 80_000,
            hours_per_month: 730,
            software_fees_hour: [
                ("prod-wordpress-bitnami", 10_000),
                ("prod-openvpn-as", 70_000),
                ("prod-cis-ubuntu-l1", 20_000),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        }
    }
}

impl PriceBook {
    /// Reads a price book override: any subset of the fields, as JSON; the rest keep their defaults.
    pub fn from_json(text: &str) -> Result<PriceBook, String> {
        serde_json::from_str(text).map_err(|e| format!("the price book is not valid: {e}"))
    }

    /// The monthly S3 Standard price of `gb` GB held by one account in one region, tiered.
    pub fn s3_month_micros(&self, gb: i64) -> i64 {
        const TB: i64 = 1024;
        let first = gb.min(50 * TB);
        let next = (gb - 50 * TB).clamp(0, 450 * TB);
        let rest = (gb - 500 * TB).max(0);
        first * self.s3_first_50tb_gb_month
            + next * self.s3_next_450tb_gb_month
            + rest * self.s3_over_500tb_gb_month
    }

    /// Every price of the book, in the book's order, with what it is and its
    /// unit: the one list that `amisim prices show` prints and `amisim
    /// prices set` checks, of every price the bill charges from.
    pub fn prices(&self) -> Vec<Price> {
        let price = |what: &str, name: &str, micros: i64, per: &'static str| Price {
            what: what.to_string(),
            name: name.to_string(),
            micros,
            per,
        };
        let mut out = vec![
            price(
                "EBS snapshot storage",
                "ebs_snapshot_gb_month",
                self.ebs_snapshot_gb_month,
                "GB-month",
            ),
            price(
                "S3 Standard, first 50 TB",
                "s3_first_50tb_gb_month",
                self.s3_first_50tb_gb_month,
                "GB-month",
            ),
            price(
                "S3 Standard, next 450 TB",
                "s3_next_450tb_gb_month",
                self.s3_next_450tb_gb_month,
                "GB-month",
            ),
            price(
                "S3 Standard, over 500 TB",
                "s3_over_500tb_gb_month",
                self.s3_over_500tb_gb_month,
                "GB-month",
            ),
            price(
                "Inter-region data transfer (one-off)",
                "inter_region_transfer_gb",
                self.inter_region_transfer_gb,
                "GB",
            ),
            price(
                "Windows Server licence",
                "windows_vcpu_hour",
                self.windows_vcpu_hour,
                "vCPU-hour",
            ),
            price(
                "Red Hat Enterprise Linux licence",
                "rhel_vcpu_hour",
                self.rhel_vcpu_hour,
                "vCPU-hour",
            ),
            price(
                "EBS gp3 volume storage (kept root volumes)",
                "ebs_volume_gb_month",
                self.ebs_volume_gb_month,
                "GB-month",
            ),
        ];
        for (product, micros) in &self.software_fees_hour {
            out.push(price(
                &format!("Software fee of {product}"),
                &format!("software_fees_hour.{product}"),
                *micros,
                "hour",
            ));
        }
        out.push(price(
            "Hours in a billing month",
            "hours_per_month",
            self.hours_per_month,
            "month",
        ));
        out
    }

    /// The hourly software fee of a billing product, or zero.
    pub fn software_fee_hour(&self, product: &str) -> i64 {
        self.software_fees_hour.get(product).copied().unwrap_or(0)
    }
}

/// One price of the [`PriceBook`], as `amisim prices show` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Price {
    /// What it is, in words.
    pub what: String,
    /// Its field in the price book's JSON (`software_fees_hour.PRODUCT` for a fee).
    pub name: String,
    /// The amount: micro-dollars, or hours for `hours_per_month`.
    pub micros: i64,
    /// The unit it is charged per.
    pub per: &'static str,
}

/// Formats micro-dollars as dollars with the given decimals, for example `0.40`.
pub fn usd(micros: i64, decimals: usize) -> String {
    let value = micros as f64 / 1_000_000.0;
    format!("{value:.decimals$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_least_the_seventeen_regions_of_2019() {
        for r in [
            "us-east-1",
            "us-east-2",
            "us-west-1",
            "us-west-2",
            "ca-central-1",
            "eu-central-1",
            "eu-west-1",
            "eu-west-2",
            "eu-west-3",
            "eu-north-1",
            "ap-northeast-1",
            "ap-northeast-2",
            "ap-northeast-3",
            "ap-southeast-1",
            "ap-southeast-2",
            "ap-south-1",
            "sa-east-1",
        ] {
            assert!(is_region(r), "{r}");
        }
        assert!(!is_region("us-east-7"));
    }

    #[test]
    fn the_list_of_prices_holds_every_field_of_the_price_book() {
        let book = PriceBook::default();
        let names: Vec<String> = book.prices().into_iter().map(|p| p.name).collect();
        let json = serde_json::to_value(&book).unwrap();
        let mut fields = Vec::new();
        for (key, value) in json.as_object().unwrap() {
            match value.as_object() {
                Some(fees) => fields.extend(fees.keys().map(|k| format!("{key}.{k}"))),
                None => fields.push(key.clone()),
            }
        }
        fields.sort();
        let mut listed = names.clone();
        listed.sort();
        assert_eq!(
            listed, fields,
            "prices() lists every price of the book once"
        );
    }

    #[test]
    fn s3_storage_is_tiered() {
        let p = PriceBook::default();
        assert_eq!(p.s3_month_micros(10), 230_000);
        let tb = 1024;
        assert_eq!(p.s3_month_micros(50 * tb), 50 * tb * 23_000);
        assert_eq!(p.s3_month_micros(50 * tb + 1), 50 * tb * 23_000 + 22_000);
        assert_eq!(
            p.s3_month_micros(501 * tb),
            50 * tb * 23_000 + 450 * tb * 22_000 + tb * 21_000
        );
    }

    #[test]
    fn price_book_overrides_keep_other_defaults() {
        let p = PriceBook::from_json(r#"{"ebs_snapshot_gb_month": 1}"#).unwrap();
        assert_eq!(p.ebs_snapshot_gb_month, 1);
        assert_eq!(p.inter_region_transfer_gb, 20_000);
        assert!(PriceBook::from_json("{").is_err());
    }

    #[test]
    fn each_instance_store_root_family_has_a_type_and_later_ones_boot_from_ebs_only() {
        for family in INSTANCE_STORE_ROOT_FAMILIES {
            assert!(
                INSTANCE_TYPES
                    .iter()
                    .any(|t| t.name.starts_with(&format!("{family}.")) && t.boots_instance_store()),
                "{family}"
            );
        }
        for name in [
            "t3.micro",
            "m5d.large",
            "c5d.large",
            "i3.large",
            "m6g.large",
        ] {
            assert!(
                !instance_type(name).unwrap().boots_instance_store(),
                "{name}"
            );
        }
    }

    #[test]
    fn catalogue_has_the_required_families() {
        for family in ["Ubuntu", "Fedora", "RHEL", "al2023", "Windows", "debian-12"] {
            assert!(
                PUBLIC_IMAGES
                    .iter()
                    .any(|i| i.name.to_lowercase().contains(&family.to_lowercase())),
                "{family}"
            );
        }
        assert!(PUBLIC_IMAGES.iter().any(|i| i.publisher == MARKETPLACE));
        assert!(PUBLIC_IMAGES
            .iter()
            .filter(|i| i.platform == "windows" || i.publisher == MARKETPLACE)
            .all(|i| !i.billing_products.is_empty()));
    }

    #[test]
    fn each_family_belongs_to_its_publisher_as_in_aws() {
        let owner = |prefix: &str| {
            let owners: std::collections::BTreeSet<_> = PUBLIC_IMAGES
                .iter()
                .filter(|i| i.name.starts_with(prefix))
                .map(|i| (i.publisher.account, i.publisher.alias))
                .collect();
            assert_eq!(owners.len(), 1, "{prefix}: {owners:?}");
            owners.into_iter().next().unwrap()
        };
        assert_eq!(owner("ubuntu/images/"), ("099720109477", None));
        assert_eq!(owner("RHEL-"), ("309956199498", None));
        assert_eq!(owner("Fedora-"), ("125523088429", None));
        assert_eq!(owner("debian-12-"), ("136693071363", None));
        assert_eq!(owner("al2023-ami-"), ("137112412989", Some("amazon")));
        assert_eq!(owner("amzn2-ami-"), ("137112412989", Some("amazon")));
        assert_eq!(owner("Windows_Server-"), ("801119661308", Some("amazon")));
        assert_eq!(owner("bitnami-"), ("679593333241", Some("aws-marketplace")));
        for p in PUBLISHERS {
            assert!(
                PUBLIC_IMAGES.iter().any(|i| i.publisher == *p),
                "{}",
                p.name
            );
            assert_eq!(publisher(p.account), Some(p));
        }
        // A name is an ID's seed: the list keeps its first image first, which
        // a store checks to know whether a region is seeded.
        assert_eq!(
            PUBLIC_IMAGES[0].name,
            "al2023-ami-2023.6.20250115.0-kernel-6.1-x86_64"
        );
    }
}
