//! The `amisim_image_usage_reports` data source: the usage reports an image
//! of the provider's account has, and what each found.

use std::collections::HashMap;
use std::sync::Arc;

use amisim_simulator::{validate, DescribeUsageReports};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tf_provider::schema::{Attribute, AttributeConstraint, AttributeType, Description, Schema};
use tf_provider::value::{Value, ValueEmpty};
use tf_provider::{DataSource, Diagnostics};

use crate::attrs::*;
use crate::diags;
use crate::provider::Shared;
use crate::resources::image_usage_report::{entries_value, entry_type, Entry};
use crate::values::*;

/// One report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub id: Str,
    pub creation_time: Str,
    pub expiration_time: Str,
    pub resource_types: StrList,
    pub entries: Value<Vec<Entry>>,
}

/// The state of the `amisim_image_usage_reports` data source.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub image_id: Str,
    pub id: Str,
    pub reports: Value<Vec<Report>>,
}

pub(crate) fn schema() -> Schema {
    let report: HashMap<String, AttributeType> = [
        ("id", AttributeType::String),
        ("creation_time", AttributeType::String),
        ("expiration_time", AttributeType::String),
        (
            "resource_types",
            AttributeType::List(Box::new(AttributeType::String)),
        ),
        ("entries", AttributeType::List(Box::new(entry_type()))),
    ]
    .into_iter()
    .map(|(n, t)| (n.to_string(), t))
    .collect();
    crate::attrs::schema(
        0,
        "The usage reports of an image of the provider's account, like DescribeImageUsageReports and DescribeImageUsageReportEntries: each report, oldest first, with what it found when it was made. Reports are made by `amisim_image_usage_report` (or `aws ec2 create-image-usage-report`); AWS keeps each 30 days. Reading changes nothing.",
        vec![
            ("image_id", required_string("An image of the provider's account in its region.")),
            ("id", computed_string("The image ID.")),
            ("reports", Attribute {
                attr_type: AttributeType::List(Box::new(AttributeType::Object(report))),
                description: Description::markdown("The reports still kept: each has `id`, `creation_time`, `expiration_time`, `resource_types`, and `entries` (`account_id`, `resource_type`, `usage_count`)."),
                constraint: AttributeConstraint::Computed,
                sensitive: false,
                deprecated: false,
            }),
        ],
    )
}

/// The `amisim_image_usage_reports` data source.
pub struct UsageReportsDataSource {
    shared: Arc<Shared>,
}

impl UsageReportsDataSource {
    /// The data source over the provider's shared handle.
    pub fn new(shared: Arc<Shared>) -> Self {
        Self { shared }
    }
}

#[async_trait]
impl DataSource for UsageReportsDataSource {
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
            let asked = DescribeUsageReports {
                report_ids: Vec::new(),
                image_ids: vec![id.clone()],
            };
            let reports = cfg.call(
                diags,
                "Unable to read image usage reports",
                Some("image_id"),
                |cloud, caller| cloud.call(caller, &asked),
            )?;
            state.id = str(&id);
            state.reports = Value::Value(
                reports
                    .iter()
                    .map(|r| Report {
                        id: str(&r.id),
                        creation_time: str(&r.creation_time),
                        expiration_time: str(&r.expiration_time),
                        resource_types: list_value(
                            &r.resource_types
                                .iter()
                                .map(|t| t.resource_type.clone())
                                .collect::<Vec<_>>(),
                        ),
                        entries: entries_value(&r.entries),
                    })
                    .collect(),
            );
            Some(state)
        })
    }
}
