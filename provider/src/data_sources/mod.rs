//! One module per data source, named after its type without the `amisim_` prefix.

use std::collections::HashMap;
use std::sync::Arc;

use tf_provider::DynamicDataSource;

use crate::provider::Shared;

/// Every data source of the provider, by name without the `amisim_` prefix.
pub fn all(_shared: &Arc<Shared>) -> HashMap<String, Box<dyn DynamicDataSource>> {
    HashMap::new()
}
