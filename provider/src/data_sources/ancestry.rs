//! The `amisim_image_ancestry` data source: where an image came from.

use std::collections::HashMap;
use std::sync::Arc;

use amisim_simulator::validate;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tf_provider::schema::{Attribute, AttributeConstraint, AttributeType, Description, Schema};
use tf_provider::value::{Value, ValueEmpty};
use tf_provider::{DataSource, Diagnostics};

use crate::attrs::*;
use crate::diags;
use crate::provider::Shared;
use crate::values::*;
use amisim_simulator::GetImageAncestry;

/// One step of the lineage.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub image_id: Str,
    pub source_image_id: Str,
    pub source_image_region: Str,
    pub creation_date: Str,
    pub owner_id: Str,
}

/// The state of the `amisim_image_ancestry` data source.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub image_id: Str,
    pub id: Str,
    pub entries: Value<Vec<Entry>>,
}

pub(crate) fn schema() -> Schema {
    let entry: HashMap<String, AttributeType> = [
        "image_id",
        "source_image_id",
        "source_image_region",
        "creation_date",
        "owner_id",
    ]
    .into_iter()
    .map(|n| (n.to_string(), AttributeType::String))
    .collect();
    crate::attrs::schema(
        0,
        "The lineage of an image, like EC2 GetImageAncestry: the image, the image it was copied from (or whose instance it was created from), and so on back to its origin — an image registered from scratch, or one with no recorded parent. At most 50 entries. Deregistered parents stay in the chain. An ancestor the caller cannot see (another account's image not shared with it, or deregistered by its owner) ends the chain with its `image_id` alone; its other attributes are null.",
        vec![
            ("image_id", required_string("An image the caller can see in the provider's region.")),
            ("id", computed_string("The image ID.")),
            ("entries", Attribute {
                attr_type: AttributeType::List(Box::new(AttributeType::Object(entry))),
                description: Description::markdown("From the image back to its origin; each has `image_id`, `source_image_id` and `source_image_region` (null at the origin), `creation_date` and `owner_id` (null for an ancestor the caller cannot see)."),
                constraint: AttributeConstraint::Computed,
                sensitive: false,
                deprecated: false,
            }),
        ],
    )
}

/// The `amisim_image_ancestry` data source.
pub struct AncestryDataSource {
    shared: Arc<Shared>,
}

impl AncestryDataSource {
    /// The data source over the provider's shared handle.
    pub fn new(shared: Arc<Shared>) -> Self {
        Self { shared }
    }
}

#[async_trait]
impl DataSource for AncestryDataSource {
    type State<'a> = State;
    type ProviderMetaState<'a> = ValueEmpty;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(schema())
    }

    async fn validate<'a>(&self, diags: &mut Diagnostics, config: State) -> Option<()> {
        if let Some(id) = known(&config.image_id) {
            diags::check(diags, "image_id", validate::image_id_shape(id));
        }
        Some(())
    }

    async fn read<'a>(
        &self,
        diags: &mut Diagnostics,
        mut state: State,
        _meta: ValueEmpty,
    ) -> Option<State> {
        crate::retries::reported(diags, |diags| {
            let cfg = self.shared.get(diags)?;
            let id = known(&state.image_id)?.to_string();
            let chain = cfg.call(
                diags,
                "Unable to read image ancestry",
                Some("image_id"),
                |cloud, caller| cloud.call(caller, &GetImageAncestry::new(&id)),
            )?;
            state.id = str(&id);
            state.entries = Value::Value(
                chain
                    .iter()
                    .map(|e| Entry {
                        image_id: str(&e.image_id),
                        source_image_id: opt(e.source_image_id.as_deref()),
                        source_image_region: opt(e.source_image_region.as_deref()),
                        creation_date: opt(e.creation_date.as_deref()),
                        owner_id: opt(e.owner_id.as_deref()),
                    })
                    .collect(),
            );
            Some(state)
        })
    }
}
