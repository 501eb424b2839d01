//! One module per resource, named after its type without the `amisim_` prefix.

use std::collections::HashMap;
use std::sync::Arc;

use tf_provider::DynamicResource;

use crate::provider::Shared;

pub mod common;
pub mod image;

/// Every resource type of the provider, by name without the `amisim_` prefix.
pub fn all(shared: &Arc<Shared>) -> HashMap<String, Box<dyn DynamicResource>> {
    let mut m: HashMap<String, Box<dyn DynamicResource>> = HashMap::new();
    m.insert(
        "image".into(),
        Box::new(image::ImageResource::new(shared.clone())),
    );
    m
}
