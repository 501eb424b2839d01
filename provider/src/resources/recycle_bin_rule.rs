//! `amisim_recycle_bin_rule`: keep deregistered images or deleted snapshots for a while.

use amisim_simulator::recycle_bin::{self, CreateRule};
use amisim_simulator::{validate, ErrorKind, RecycleBinRule};
use serde::{Deserialize, Serialize};
use tf_provider::schema::Schema;
use tf_provider::value::Value;
use tf_provider::Diagnostics;

use crate::attrs::*;
use crate::diags;
use crate::provider::Configured;
use crate::resources::support::common;
use crate::resources::support::managed::{found, imported, Managed, Typed};
use crate::values::*;
use amisim_simulator::{DeleteRule, GetRule, UpdateRule};

/// The state of an `amisim_recycle_bin_rule`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub id: Str,
    pub arn: Str,
    pub resource_type: Str,
    pub retention_period_days: WholeNum,
    pub resource_tags: StrMap,
    pub exclude_resource_tags: StrMap,
    pub description: Str,
    pub account_id: Str,
    pub region: Str,
}

/// The resource type `amisim_recycle_bin_rule`: its schema and what it does with the cloud.
pub struct RecycleBinRuleType;

/// The `amisim_recycle_bin_rule` resource.
pub type RecycleBinRuleResource = Typed<RecycleBinRuleType>;

fn request(s: &State) -> CreateRule {
    CreateRule {
        resource_type: known(&s.resource_type).unwrap_or("").to_string(),
        retention_period_days: s
            .retention_period_days
            .as_ref_option()
            .and_then(Whole::int)
            .unwrap_or(0),
        resource_tags: tags_of(&s.resource_tags),
        exclude_resource_tags: tags_of(&s.exclude_resource_tags),
        description: known(&s.description).unwrap_or("").to_string(),
    }
}

fn fill(state: &mut State, r: &RecycleBinRule) {
    state.id = str(&r.id);
    state.arn = str(&format!(
        "arn:aws:rbin:{}:{}:rule/{}",
        r.region, r.account_id, r.id
    ));
    state.resource_type = str(&r.resource_type);
    state.retention_period_days = Value::Value(Whole::Int(r.retention_period_days));
    state.resource_tags = tags_value(&state.resource_tags, &r.resource_tags);
    state.exclude_resource_tags =
        tags_value(&state.exclude_resource_tags, &r.exclude_resource_tags);
    state.description = common::description_value(&state.description, &r.description);
    state.account_id = str(&r.account_id);
    state.region = str(&r.region);
}

fn attribute_for(e: &amisim_simulator::Error) -> Option<&'static str> {
    match e.kind {
        ErrorKind::ValidationException => Some("retention_period_days"),
        ErrorKind::InvalidParameterValue => Some("resource_type"),
        _ => None,
    }
}

impl Managed for RecycleBinRuleType {
    type State = State;

    fn schema() -> Schema {
        common::resource_schema(
            "A Recycle Bin retention rule of the provider's account in its region, like `aws_rbin_rule`. While a rule matches, a deregistered image (`EC2_IMAGE`, EBS-backed) or a deleted snapshot (`EBS_SNAPSHOT`) goes to the Recycle Bin instead of away: it reads as gone, keeps costing storage, is listed by `amisim recycle-bin list` and comes back with its ID by `amisim recycle-bin restore ID` until the longest matching retention passes on the simulated clock. An image whose snapshots were deleted for good cannot come back: keep snapshots at least as long as images.",
            vec![
                ("resource_type", replaces(required_string("`EC2_IMAGE` or `EBS_SNAPSHOT`. Changing it replaces the rule."))),
                ("retention_period_days", required_number("How many days matching resources wait in the bin: 1 to 365. Changes in place.")),
                ("resource_tags", optional_string_map("Retain only resources carrying one of these tags (key and value). Without it the rule covers every resource of its type in the region. Snapshots carry no tags in amisim, so an `EBS_SNAPSHOT` rule with tags retains none: leave them out to cover the region. Changes in place.")),
                ("exclude_resource_tags", optional_string_map("Do not retain resources carrying one of these tags; only for rules without `resource_tags`. Changes in place.")),
                ("description", optional_string("A description of the rule, at most 255 characters. Changes in place.")),
                ("id", computed_string("The rule's identifier, 11 letters and digits; also the import ID.")),
                ("arn", computed_string("The rule's ARN, `arn:aws:rbin:REGION:ACCOUNT:rule/ID`.")),
                ("account_id", computed_string("The account the rule belongs to: the provider's account.")),
                ("region", computed_string("The region the rule covers: the provider's region.")),
            ],
        )
    }

    fn validate(diags: &mut Diagnostics, c: &State) {
        if let Some(t) = known(&c.resource_type) {
            diags::check(
                diags,
                "resource_type",
                validate::one_of("resource type", t, recycle_bin::RESOURCE_TYPES),
            );
        }
        if let Value::Value(days) = &c.retention_period_days {
            let in_range = |n: i64| {
                if (1..=365).contains(&n) {
                    Ok(())
                } else {
                    Err(amisim_simulator::Error::new(
                        ErrorKind::ValidationException,
                        format!("a retention period of {n} days is out of range"),
                        "Retain resources for 1 to 365 days",
                    ))
                }
            };
            diags::check(
                diags,
                "retention_period_days",
                days.check(in_range, |text| {
                    Err(amisim_simulator::Error::new(
                        ErrorKind::ValidationException,
                        format!("{text} is not a whole number of days"),
                        "Retain resources for 1 to 365 whole days",
                    ))
                }),
            );
        }
        let both = !matches!(c.resource_tags, Value::Null)
            && !matches!(c.exclude_resource_tags, Value::Null)
            && !tags_of(&c.resource_tags).is_empty()
            && !tags_of(&c.exclude_resource_tags).is_empty();
        if both {
            diags::error(
                diags,
                "Invalid exclude_resource_tags: ValidationException",
                "ValidationException: a rule cannot both select resources by tag and exclude resources by tag\n\nUse resource_tags for a tag-level rule, or exclude_resource_tags on a rule for the whole region",
                Some("exclude_resource_tags"),
            );
        }
        if let Some(d) = known(&c.description) {
            diags::check(diags, "description", validate::description(d));
        }
    }

    fn plan_create(
        _diags: &mut Diagnostics,
        cfg: &Configured,
        mut planned: State,
        _config: &State,
    ) -> Option<State> {
        planned.id = Value::Unknown;
        planned.arn = Value::Unknown;
        planned.account_id = str(&cfg.caller.account_id);
        planned.region = str(&cfg.caller.region);
        Some(planned)
    }

    fn read(diags: &mut Diagnostics, cfg: &Configured, mut state: State) -> Option<Option<State>> {
        let id = known(&state.id)?.to_string();
        let result = cfg.with(|cloud, caller| cloud.call(caller, &GetRule::new(&id)));
        Some(found(diags, "Recycle Bin rule", &id, result)?.map(|r| {
            fill(&mut state, &r);
            state
        }))
    }

    fn create(diags: &mut Diagnostics, cfg: &Configured, mut planned: State) -> Option<State> {
        let req = request(&planned);
        let result = cfg.with(|cloud, caller| cloud.call(caller, &req));
        let rule = common::created(
            diags,
            "Unable to create Recycle Bin rule",
            result,
            attribute_for,
        )?;
        fill(&mut planned, &rule);
        Some(planned)
    }

    fn update(
        diags: &mut Diagnostics,
        cfg: &Configured,
        _prior: &State,
        mut planned: State,
    ) -> Option<State> {
        let id = known(&planned.id)?.to_string();
        let req = request(&planned);
        let result = cfg.with(|cloud, caller| {
            cloud.call(
                caller,
                &UpdateRule {
                    rule_id: id.clone(),
                    rule: req.clone(),
                },
            )
        });
        let rule = common::created(
            diags,
            "Unable to update Recycle Bin rule",
            result,
            attribute_for,
        )?;
        fill(&mut planned, &rule);
        Some(planned)
    }

    fn destroy(diags: &mut Diagnostics, cfg: &Configured, prior: State) -> Option<()> {
        let id = known(&prior.id)?.to_string();
        cfg.call(
            diags,
            "Unable to delete Recycle Bin rule",
            None,
            |cloud, caller| cloud.call(caller, &DeleteRule::new(&id)),
        )
        .map(|_| ())
    }

    fn import(diags: &mut Diagnostics, cfg: &Configured, id: &str) -> Option<State> {
        let result = cfg.with(|cloud, caller| cloud.call(caller, &GetRule::new(id)));
        let rule = imported(
            diags,
            "Recycle Bin rule",
            result,
            "ResourceNotFoundException",
            || {
                format!(
                    "no Recycle Bin rule {} in account {} in {}",
                    validate::shorten(id),
                    cfg.caller.account_id,
                    cfg.caller.region
                )
            },
        )?;
        let mut state = State::default();
        fill(&mut state, &rule);
        Some(state)
    }
}
