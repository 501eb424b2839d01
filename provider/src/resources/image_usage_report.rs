//! `amisim_image_usage_report`: which other accounts use one of the
//! provider's images (CreateImageUsageReport), as the cloud was when the
//! report was made.

use std::collections::HashMap;

use amisim_simulator::usage::RESOURCE_TYPES;
use amisim_simulator::{
    validate, CreateUsageReport, DeleteUsageReport, DescribeUsageReports, ErrorKind, UsageEntry,
    UsageReport, UsageResourceType,
};
use serde::{Deserialize, Serialize};
use tf_provider::schema::{Attribute, AttributeConstraint, AttributeType, Description, Schema};
use tf_provider::value::Value;
use tf_provider::Diagnostics;

use crate::attrs::*;
use crate::diags;
use crate::provider::Configured;
use crate::resources::support::common;
use crate::resources::support::managed::{found, imported, Managed, Typed};
use crate::values::*;

/// One account's use of the image.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub account_id: Str,
    pub resource_type: Str,
    pub usage_count: Num,
}

/// The state of an `amisim_image_usage_report`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub id: Str,
    pub image_id: Str,
    pub resource_types: StrList,
    pub account_ids: StrList,
    pub creation_time: Str,
    pub expiration_time: Str,
    pub entries: Value<Vec<Entry>>,
}

/// The resource type `amisim_image_usage_report`.
pub struct ImageUsageReportType;

/// The `amisim_image_usage_report` resource.
pub type ImageUsageReportResource = Typed<ImageUsageReportType>;

/// The type of one entry, for this resource and `data.amisim_image_usage_reports`.
pub(crate) fn entry_type() -> AttributeType {
    AttributeType::Object(
        [
            ("account_id", AttributeType::String),
            ("resource_type", AttributeType::String),
            ("usage_count", AttributeType::Number),
        ]
        .into_iter()
        .map(|(n, t)| (n.to_string(), t))
        .collect::<HashMap<_, _>>(),
    )
}

/// A report's entries as Terraform values.
pub(crate) fn entries_value(entries: &[UsageEntry]) -> Value<Vec<Entry>> {
    Value::Value(
        entries
            .iter()
            .map(|e| Entry {
                account_id: str(&e.account_id),
                resource_type: str(&e.resource_type),
                usage_count: Value::Value(e.usage_count),
            })
            .collect(),
    )
}

pub(crate) fn schema() -> Schema {
    common::resource_schema(
        "A usage report of one of the provider's images, like `aws ec2 create-image-usage-report`: which other accounts' instances use the image, and how many, as the cloud was when the report was made (a later launch is in a new report only). AWS keeps a report 30 days; after that it reads as gone, and the next apply makes a new one. Every argument forces replacement; destroying it deletes the report.",
        vec![
            ("image_id", replaces(required_string("An image of the provider's account in its region."))),
            ("resource_types", replaces(optional_computed_string_set(&format!("What to count: {}; default `ec2:Instance`. amisim models instances; the others are accepted and counted as none, as nothing of theirs exists.", RESOURCE_TYPES.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", "))))),
            ("account_ids", replaces(optional_string_set("Only these accounts (at most 200); unset, every account."))),
            ("id", computed_string("The report ID, `amiur-` and 17 hex digits; also the import ID.")),
            ("creation_time", computed_string("When the report was made, in the simulated clock.")),
            ("expiration_time", computed_string("When AWS deletes the report: 30 days after it was made.")),
            ("entries", Attribute {
                attr_type: AttributeType::List(Box::new(entry_type())),
                description: Description::markdown("What the report found, by account: each has `account_id`, `resource_type` and `usage_count` (how many of that account's resources reference the image). The owner's own instances are not counted."),
                constraint: AttributeConstraint::Computed,
                sensitive: false,
                deprecated: false,
            }),
        ],
    )
}

/// The resource types a configuration or state names, `ec2:Instance` for none.
fn resource_types(s: &State) -> Vec<String> {
    match list_of(&s.resource_types) {
        types if types.is_empty() => vec!["ec2:Instance".to_string()],
        types => types,
    }
}

fn request(s: &State) -> Option<CreateUsageReport> {
    Some(CreateUsageReport {
        image_id: known(&s.image_id)?.to_string(),
        resource_types: resource_types(s)
            .into_iter()
            .map(|resource_type| UsageResourceType {
                resource_type,
                version_depth: None,
            })
            .collect(),
        account_ids: list_of(&s.account_ids),
        ..CreateUsageReport::default()
    })
}

/// Writes the report into a state.
fn fill(state: &mut State, r: &UsageReport) {
    state.id = str(&r.id);
    state.image_id = str(&r.image_id);
    state.resource_types = list_value(
        &r.resource_types
            .iter()
            .map(|t| t.resource_type.clone())
            .collect::<Vec<_>>(),
    );
    if !(r.account_ids.is_empty() && matches!(state.account_ids, Value::Null)) {
        state.account_ids = list_value(&r.account_ids);
    }
    state.creation_time = str(&r.creation_time);
    state.expiration_time = str(&r.expiration_time);
    state.entries = entries_value(&r.entries);
}

/// The report `id` on `image_id`, if it is still kept.
fn report(
    cfg: &Configured,
    image_id: &str,
    id: &str,
) -> amisim_simulator::Result<Option<UsageReport>> {
    let asked = DescribeUsageReports {
        report_ids: Vec::new(),
        image_ids: vec![image_id.to_string()],
    };
    cfg.with(|cloud, caller| cloud.call(caller, &asked))
        .map(|reports| reports.into_iter().find(|r| r.id == id))
}

impl Managed for ImageUsageReportType {
    type State = State;

    fn schema() -> Schema {
        schema()
    }

    fn validate(diags: &mut Diagnostics, c: &State) {
        if let Some(id) = known(&c.image_id) {
            diags::check(diags, "image_id", validate::image_id_shape(id));
        }
        if !list_has_unknown(&c.resource_types) {
            for t in list_of(&c.resource_types) {
                diags::check(
                    diags,
                    "resource_types",
                    validate::one_of("resource type", &t, RESOURCE_TYPES),
                );
            }
        }
        if !list_has_unknown(&c.account_ids) {
            for a in list_of(&c.account_ids) {
                diags::check(diags, "account_ids", validate::account_id(&a));
            }
        }
    }

    fn read(diags: &mut Diagnostics, cfg: &Configured, mut state: State) -> Option<Option<State>> {
        let id = known(&state.id)?.to_string();
        let image = known(&state.image_id)?.to_string();
        let result = report(cfg, &image, &id);
        Some(found(diags, "image usage report", &id, result)?.map(|r| {
            fill(&mut state, &r);
            state
        }))
    }

    fn plan_create(
        _diags: &mut Diagnostics,
        _cfg: &Configured,
        mut planned: State,
        _config: &State,
    ) -> Option<State> {
        if matches!(planned.resource_types, Value::Null) {
            planned.resource_types = list_value(&["ec2:Instance".to_string()]);
        }
        planned.id = Value::Unknown;
        planned.creation_time = Value::Unknown;
        planned.expiration_time = Value::Unknown;
        planned.entries = Value::Unknown;
        Some(planned)
    }

    fn create(diags: &mut Diagnostics, cfg: &Configured, mut planned: State) -> Option<State> {
        let request = request(&planned)?;
        let made = cfg.call(
            diags,
            "Unable to create image usage report",
            Some("image_id"),
            |cloud, caller| cloud.call(caller, &request),
        )?;
        fill(&mut planned, &made);
        Some(planned)
    }

    fn destroy(diags: &mut Diagnostics, cfg: &Configured, prior: State) -> Option<()> {
        let report_id = known(&prior.id)?.to_string();
        let result = cfg.with(|cloud, caller| cloud.call(caller, &DeleteUsageReport { report_id }));
        match result {
            Ok(_) => Some(()),
            // Expired, or deleted out of band: already what destroy asks for.
            Err(e) if e.kind == ErrorKind::UsageReportNotFound => Some(()),
            Err(e) => {
                diags::refusal_at(diags, "Unable to delete image usage report", &e, None);
                None
            }
        }
    }

    fn import(diags: &mut Diagnostics, cfg: &Configured, id: &str) -> Option<State> {
        let asked = DescribeUsageReports::default();
        let result = cfg
            .with(|cloud, caller| cloud.call(caller, &asked))
            .map(|reports| reports.into_iter().find(|r| r.id == id));
        let r = imported(
            diags,
            "image usage report",
            result,
            "InvalidImageUsageReportId.NotFound",
            || {
                format!(
                    "{id} is not a usage report of the provider's account in {}, or AWS deleted it 30 days after it was made",
                    cfg.caller.region
                )
            },
        )?;
        let mut state = State::default();
        fill(&mut state, &r);
        Some(state)
    }
}
