//! One module per data source family; `image.rs` serves `amisim_image` and `amisim_images`.

use std::collections::HashMap;
use std::sync::Arc;

use tf_provider::DynamicDataSource;

use crate::provider::Shared;

pub mod ancestry;
pub mod image;
pub mod usage;

/// Every data source of the provider, by name without the `amisim_` prefix.
pub fn all(shared: &Arc<Shared>) -> HashMap<String, Box<dyn DynamicDataSource>> {
    let mut m: HashMap<String, Box<dyn DynamicDataSource>> = HashMap::new();
    m.insert(
        "image".into(),
        Box::new(image::ImageDataSource::new(shared.clone())),
    );
    m.insert(
        "image_ancestry".into(),
        Box::new(ancestry::AncestryDataSource::new(shared.clone())),
    );
    m.insert(
        "image_usage_reports".into(),
        Box::new(usage::UsageReportsDataSource::new(shared.clone())),
    );
    m.insert(
        "images".into(),
        Box::new(image::ImagesDataSource::new(shared.clone())),
    );
    m
}
