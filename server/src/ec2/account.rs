//! EC2 actions about an account's images as a whole: the Allowed AMIs
//! setting, DescribeTags, DescribeImageReferences, GetImageAncestry,
//! ResetImageAttribute and DescribeAvailabilityZones.

use amisim_simulator::{
    AllowedImages, DescribeImageReferences, DescribeImages, DescribeInstances,
    DescribeLaunchPermissions, GetImageAncestry, GetImageSettings, ImageCriterion, ModifyImage,
    ReplaceImageCriteria, WatermarkFilter,
};

use super::filter::Filters;
use super::{Action, Paged};
use crate::fault::Fault;

/// The resource types DescribeImageReferences knows, as AWS names them;
/// amisim's images are referenced only by instances.
const REFERENCE_TYPES: &[&str] = &[
    "ec2:Instance",
    "ec2:LaunchTemplate",
    "ssm:Parameter",
    "imagebuilder:ImageRecipe",
    "imagebuilder:ContainerRecipe",
];

impl Action<'_> {
    /// GetAllowedImagesSettings.
    pub(super) fn get_allowed_images(&mut self) -> Result<(), Fault> {
        self.ready()?;
        let s = self.call(&GetImageSettings {})?;
        let x = &mut self.out.xml;
        x.text("state", s.allowed_images_state.as_str());
        x.open("imageCriterionSet");
        for c in &s.allowed_images_criteria {
            x.open("item");
            for (element, values) in [
                ("imageProviderSet", &c.image_providers),
                ("marketplaceProductCodeSet", &c.marketplace_product_codes),
                ("imageNameSet", &c.image_names),
            ] {
                if !values.is_empty() {
                    x.open(element);
                    for v in values {
                        x.text("item", v);
                    }
                    x.close(element);
                }
            }
            if let Some(d) = c.maximum_days_since_deprecated {
                x.open("deprecationTimeCondition")
                    .text("maximumDaysSinceDeprecated", &d.to_string())
                    .close("deprecationTimeCondition");
            }
            if let Some(d) = c.maximum_days_since_created {
                x.open("creationDateCondition")
                    .text("maximumDaysSinceCreated", &d.to_string())
                    .close("creationDateCondition");
            }
            if !c.image_watermarks.is_empty() {
                x.open("imageWatermarkSet");
                for w in &c.image_watermarks {
                    x.open("item");
                    if let Some(k) = &w.watermark_key {
                        x.text("watermarkKey", k);
                    }
                    if let Some(r) = &w.source_image_region {
                        x.text("sourceImageRegion", r);
                    }
                    if let Some(d) = w.maximum_days_since_source_image_created {
                        x.text("maximumDaysSinceSourceImageCreated", &d.to_string());
                    }
                    if let Some(d) = w.maximum_days_since_watermark_created {
                        x.text("maximumDaysSinceWatermarkCreated", &d.to_string());
                    }
                    x.close("item");
                }
                x.close("imageWatermarkSet");
            }
            x.close("item");
        }
        x.close("imageCriterionSet");
        x.text("managedBy", "account");
        Ok(())
    }

    /// EnableAllowedImagesSettings (`enable`) or DisableAllowedImagesSettings:
    /// the state changes, the criteria stay.
    pub(super) fn set_allowed_images(&mut self, enable: bool) -> Result<(), Fault> {
        let state = if enable {
            self.p.required("AllowedImagesSettingsState")?.to_string()
        } else {
            "disabled".to_string()
        };
        self.ready()?;
        let criteria = self.call(&GetImageSettings {})?.allowed_images_criteria;
        let s = self.call(&AllowedImages { state, criteria })?;
        self.out.xml.text(
            "allowedImagesSettingsState",
            s.allowed_images_state.as_str(),
        );
        Ok(())
    }

    /// ReplaceImageCriteriaInAllowedImagesSettings: the criteria change, the state stays.
    pub(super) fn replace_image_criteria(&mut self) -> Result<(), Fault> {
        let p = self.p;
        let mut criteria = Vec::new();
        for m in p.members("ImageCriterion")? {
            let mut image_watermarks = Vec::new();
            for w in p.members(&format!("{m}.ImageWatermark"))? {
                image_watermarks.push(WatermarkFilter {
                    watermark_key: p.get(&format!("{w}.WatermarkKey")).map(str::to_string),
                    source_image_region: p
                        .get(&format!("{w}.SourceImageRegion"))
                        .map(str::to_string),
                    maximum_days_since_source_image_created: p
                        .int(&format!("{w}.MaximumDaysSinceSourceImageCreated"))?,
                    maximum_days_since_watermark_created: p
                        .int(&format!("{w}.MaximumDaysSinceWatermarkCreated"))?,
                });
            }
            criteria.push(ImageCriterion {
                image_watermarks,
                image_providers: p.list(&format!("{m}.ImageProvider"))?,
                image_names: p.list(&format!("{m}.ImageName"))?,
                marketplace_product_codes: p.list(&format!("{m}.MarketplaceProductCode"))?,
                maximum_days_since_created: p.int(&format!(
                    "{m}.CreationDateCondition.MaximumDaysSinceCreated"
                ))?,
                maximum_days_since_deprecated: p.int(&format!(
                    "{m}.DeprecationTimeCondition.MaximumDaysSinceDeprecated"
                ))?,
            });
        }
        self.ready()?;
        self.call(&ReplaceImageCriteria { criteria })?;
        self.out.xml.bool("return", true);
        Ok(())
    }

    /// DescribeTags: the tags of the caller's images and instances.
    pub(super) fn describe_tags(&mut self) -> Result<(), Fault> {
        let p = self.p;
        let filters = Filters::of(
            p,
            &["key", "value", "resource-id", "resource-type", "tag:"],
            self.name,
        )?;
        let page = Paged::within(p, None, 5, 1000)?;
        self.ready()?;
        let me = self.caller.account_id.clone();
        let images = self.call(&DescribeImages {
            owners: vec![me],
            ..DescribeImages::default()
        })?;
        let instances = self.call(&DescribeInstances {})?;
        let mut tags: Vec<(String, &str, String, String)> = Vec::new();
        for i in &images {
            for (k, v) in &i.tags {
                tags.push((i.id.clone(), "image", k.clone(), v.clone()));
            }
        }
        for i in &instances {
            for (k, v) in &i.tags {
                tags.push((i.id.clone(), "instance", k.clone(), v.clone()));
            }
        }
        tags.retain(|(id, kind, key, value)| {
            filters.pass(|name| match name {
                "key" => vec![key.clone()],
                "value" => vec![value.clone()],
                "resource-id" => vec![id.clone()],
                "resource-type" => vec![kind.to_string()],
                _ if name.strip_prefix("tag:") == Some(key.as_str()) => vec![value.clone()],
                _ => Vec::new(),
            })
        });
        tags.sort_by(|a, b| (&a.0, &a.2).cmp(&(&b.0, &b.2)));
        let (shown, next) = Paged::cut(&page, &tags)?;
        let x = &mut self.out.xml;
        x.open("tagSet");
        for (id, kind, key, value) in shown {
            x.open("item")
                .text("resourceId", id)
                .text("resourceType", kind)
                .text("key", key)
                .text("value", value)
                .close("item");
        }
        x.close("tagSet");
        x.opt("nextToken", next.as_deref());
        Ok(())
    }

    /// DescribeImageReferences: the instances that use the caller's images.
    pub(super) fn describe_image_references(&mut self) -> Result<(), Fault> {
        let p = self.p;
        let ids = p.list("ImageId")?;
        if ids.is_empty() {
            return Err(Fault::bad(
                "MissingParameter",
                "The request must contain the parameter ImageId",
            ));
        }
        let all = p.flag("IncludeAllResourceTypes")?;
        let mut types = Vec::new();
        for m in p.members("ResourceType")? {
            let t = p.required(&format!("{m}.ResourceType"))?.to_string();
            if !REFERENCE_TYPES.contains(&t.as_str()) {
                return Err(Fault::bad(
                    "InvalidParameterValue",
                    format!(
                        "The resource type {} is not one of {}",
                        t.chars().take(64).collect::<String>(),
                        REFERENCE_TYPES.join(", ")
                    ),
                ));
            }
            types.push(t);
        }
        let page = Paged::within(p, None, 1, 1000)?;
        self.ready()?;
        let instances = all || types.is_empty() || types.iter().any(|t| t == "ec2:Instance");
        let mut found = Vec::new();
        for id in &ids {
            for r in self.call(&DescribeImageReferences::new(id))? {
                if r.kind == "instance" && instances {
                    found.push((id.clone(), r));
                }
            }
        }
        let (shown, next) = Paged::cut(&page, &found)?;
        let x = &mut self.out.xml;
        x.open("imageReferenceSet");
        for (image, r) in shown {
            x.open("item")
                .text("imageId", image)
                .text("resourceType", "ec2:Instance")
                .text(
                    "arn",
                    &format!(
                        "arn:aws:ec2:{}:{}:instance/{}",
                        r.region, r.account_id, r.id
                    ),
                )
                .close("item");
        }
        x.close("imageReferenceSet");
        x.opt("nextToken", next.as_deref());
        Ok(())
    }

    /// GetImageAncestry: the image, then each image it came from, to its root.
    pub(super) fn get_image_ancestry(&mut self) -> Result<(), Fault> {
        let id = self.p.required("ImageId")?.to_string();
        self.ready()?;
        let entries = self.call(&GetImageAncestry::new(id))?;
        let x = &mut self.out.xml;
        x.open("imageAncestryEntrySet");
        for e in &entries {
            x.open("item")
                .text("imageId", &e.image_id)
                .opt("sourceImageId", e.source_image_id.as_deref())
                .opt("sourceImageRegion", e.source_image_region.as_deref())
                .opt("creationDate", e.creation_date.as_deref())
                .opt("imageOwnerAlias", e.owner_alias.as_deref())
                .close("item");
        }
        x.close("imageAncestryEntrySet");
        Ok(())
    }

    /// ResetImageAttribute (launchPermission): the image is shared with no one.
    pub(super) fn reset_image_attribute(&mut self) -> Result<(), Fault> {
        let p = self.p;
        let id = p.required("ImageId")?.to_string();
        let attribute = p.required("Attribute")?;
        if attribute != "launchPermission" {
            return Err(Fault::bad(
                "InvalidParameterValue",
                format!(
                    "Value ({}) for parameter attribute is invalid: ResetImageAttribute resets launchPermission",
                    attribute.chars().take(64).collect::<String>()
                ),
            ));
        }
        self.ready()?;
        let permissions = self.call(&DescribeLaunchPermissions {
            image_id: id.clone(),
        })?;
        if !permissions.is_empty() {
            self.call(&ModifyImage {
                image_id: id,
                launch_permission_remove: permissions.into_iter().map(|p| p.principal).collect(),
                ..ModifyImage::default()
            })?;
        }
        self.out.xml.bool("return", true);
        Ok(())
    }

    /// DescribeAvailabilityZones: three zones in the caller's region (amisim
    /// places every instance in the first).
    pub(super) fn describe_availability_zones(&mut self) -> Result<(), Fault> {
        let p = self.p;
        let names = p.list("ZoneName")?;
        let zone_ids = p.list("ZoneId")?;
        let _ = p.flag("AllAvailabilityZones")?;
        let filters = Filters::of(
            p,
            &["zone-name", "zone-id", "region-name", "state", "zone-type"],
            self.name,
        )?;
        self.ready()?;
        let region = self.caller.region.clone();
        let short = zone_prefix(&region);
        let zones: Vec<(String, String)> = ["a", "b", "c"]
            .iter()
            .enumerate()
            .map(|(n, letter)| (format!("{region}{letter}"), format!("{short}-az{}", n + 1)))
            .filter(|(name, id)| {
                (names.is_empty() || names.contains(name))
                    && (zone_ids.is_empty() || zone_ids.contains(id))
                    && filters.pass(|f| match f {
                        "zone-name" => vec![name.clone()],
                        "zone-id" => vec![id.clone()],
                        "region-name" => vec![region.clone()],
                        "state" => vec!["available".to_string()],
                        _ => vec!["availability-zone".to_string()],
                    })
            })
            .collect();
        if let Some(bad) = names.iter().find(|n| !zones.iter().any(|(z, _)| z == *n)) {
            return Err(Fault::bad(
                "InvalidParameterValue",
                format!(
                    "Invalid availability zone: [{}]",
                    bad.chars().take(64).collect::<String>()
                ),
            ));
        }
        let x = &mut self.out.xml;
        x.open("availabilityZoneInfo");
        for (name, id) in &zones {
            x.open("item")
                .text("optInStatus", "opt-in-not-required")
                .text("zoneName", name)
                .text("zoneId", id)
                .text("zoneState", "available")
                .text("regionName", &region)
                .text("groupName", &region)
                .text("networkBorderGroup", &region)
                .text("zoneType", "availability-zone")
                .close("item");
        }
        x.close("availabilityZoneInfo");
        Ok(())
    }
}

/// The zone amisim places every instance of `region` in: its name and ID
/// (`us-east-1a`, `use1-az1`).
pub(super) fn instance_zone(region: &str) -> (String, String) {
    (format!("{region}a"), format!("{}-az1", zone_prefix(region)))
}

/// The prefix of a region's zone IDs, as AWS forms them: `us-east-1` is
/// `use1`, `ap-northeast-1` is `apne1`.
fn zone_prefix(region: &str) -> String {
    let parts: Vec<&str> = region.split('-').collect();
    let [area, direction, number] = parts[..] else {
        return region.replace('-', "");
    };
    let d = match direction {
        "northeast" => "ne",
        "northwest" => "nw",
        "southeast" => "se",
        "southwest" => "sw",
        "central" => "c",
        other => &other[..other.len().min(1)],
    };
    format!("{area}{d}{number}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn zone_prefixes_are_aws_forms() {
        assert_eq!(super::zone_prefix("us-east-1"), "use1");
        assert_eq!(super::zone_prefix("ap-northeast-1"), "apne1");
        assert_eq!(super::zone_prefix("eu-central-1"), "euc1");
        assert_eq!(super::zone_prefix("eu-west-2"), "euw2");
        assert!(amisim_simulator::catalogue::REGIONS
            .iter()
            .all(|r| !super::zone_prefix(r).contains('-')));
    }
}
