//! `amisim_allowed_images_settings`: which AMIs the account may launch and copy in a region.

use std::collections::HashMap;

use amisim_simulator::settings::{
    check_allowed_images, condition_days, condition_days_not_whole, ALLOWED_IMAGES_STATES,
};
use amisim_simulator::AllowedImages;
use amisim_simulator::{ImageCriterion, ImageSettings, WatermarkFilter};
use serde::{Deserialize, Serialize};
use tf_provider::schema::{Block, Description, NestedBlock, Schema};
use tf_provider::value::Value;
use tf_provider::Diagnostics;

use crate::attrs::*;
use crate::diags;
use crate::provider::Configured;
use crate::resources::support::managed::{region_import_id, Managed, Typed};
use crate::resources::support::{common, settings};
use crate::values::*;

/// A `creation_date_condition` block.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Created {
    pub maximum_days_since_created: WholeNum,
}

/// A `deprecation_time_condition` block.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Deprecated {
    pub maximum_days_since_deprecated: WholeNum,
}

/// An `image_watermark` block.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WatermarkBlock {
    pub watermark_key: Str,
    pub source_image_region: Str,
    pub maximum_days_since_source_image_created: WholeNum,
    pub maximum_days_since_watermark_created: WholeNum,
}

/// An `image_criterion` block.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Criterion {
    pub image_providers: StrList,
    pub image_names: StrList,
    pub marketplace_product_codes: StrList,
    pub creation_date_condition: Value<Vec<Created>>,
    pub deprecation_time_condition: Value<Vec<Deprecated>>,
    #[serde(default)]
    pub image_watermark: Value<Vec<WatermarkBlock>>,
}

/// The state of an `amisim_allowed_images_settings`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub id: Str,
    pub state: Str,
    pub image_criterion: Value<Vec<Criterion>>,
    pub account_id: Str,
    pub region: Str,
}

/// The resource type `amisim_allowed_images_settings`: its schema and what it does with the cloud.
pub struct AllowedImagesSettingsType;

/// The `amisim_allowed_images_settings` resource.
pub type AllowedImagesSettingsResource = Typed<AllowedImagesSettingsType>;

fn block(description: &str, attributes: Vec<(&str, tf_provider::schema::Attribute)>) -> Block {
    Block {
        version: 0,
        attributes: attributes
            .into_iter()
            .map(|(n, a)| (n.to_string(), a))
            .collect(),
        blocks: HashMap::new(),
        description: Description::markdown(description),
        deprecated: false,
    }
}

fn whole(v: &WholeNum) -> Option<i64> {
    v.as_ref_option().and_then(Whole::int)
}

fn criterion_of(c: &Criterion) -> ImageCriterion {
    let first = |v: &Value<Vec<Created>>| v.as_ref_option().and_then(|l| l.first().cloned());
    let firstd = |v: &Value<Vec<Deprecated>>| v.as_ref_option().and_then(|l| l.first().cloned());
    ImageCriterion {
        image_providers: list_of(&c.image_providers),
        image_names: list_of(&c.image_names),
        marketplace_product_codes: list_of(&c.marketplace_product_codes),
        maximum_days_since_created: first(&c.creation_date_condition)
            .and_then(|b| whole(&b.maximum_days_since_created)),
        maximum_days_since_deprecated: firstd(&c.deprecation_time_condition)
            .and_then(|b| whole(&b.maximum_days_since_deprecated)),
        image_watermarks: c
            .image_watermark
            .as_ref_option()
            .into_iter()
            .flatten()
            .map(|w| WatermarkFilter {
                watermark_key: known(&w.watermark_key).map(str::to_string),
                source_image_region: known(&w.source_image_region).map(str::to_string),
                maximum_days_since_source_image_created: whole(
                    &w.maximum_days_since_source_image_created,
                ),
                maximum_days_since_watermark_created: whole(
                    &w.maximum_days_since_watermark_created,
                ),
            })
            .collect(),
    }
}

fn request(s: &State) -> AllowedImages {
    AllowedImages {
        state: known(&s.state).unwrap_or("enabled").to_string(),
        criteria: s
            .image_criterion
            .as_ref_option()
            .map(|l| l.iter().map(criterion_of).collect())
            .unwrap_or_default(),
    }
}

fn list_or_null(prior: &StrList, items: &[String]) -> StrList {
    if items.is_empty() && !matches!(prior, Value::Value(l) if l.is_empty()) {
        Value::Null
    } else {
        list_value(items)
    }
}

fn block_of(c: &ImageCriterion, prior: Option<&Criterion>) -> Criterion {
    let none = Criterion::default();
    let p = prior.unwrap_or(&none);
    let days = |n: Option<i64>| n.map(|d| Value::Value(Whole::Int(d)));
    Criterion {
        image_providers: list_or_null(&p.image_providers, &c.image_providers),
        image_names: list_or_null(&p.image_names, &c.image_names),
        marketplace_product_codes: list_or_null(
            &p.marketplace_product_codes,
            &c.marketplace_product_codes,
        ),
        creation_date_condition: Value::Value(
            days(c.maximum_days_since_created)
                .map(|d| Created {
                    maximum_days_since_created: d,
                })
                .into_iter()
                .collect(),
        ),
        deprecation_time_condition: Value::Value(
            days(c.maximum_days_since_deprecated)
                .map(|d| Deprecated {
                    maximum_days_since_deprecated: d,
                })
                .into_iter()
                .collect(),
        ),
        image_watermark: Value::Value(
            c.image_watermarks
                .iter()
                .map(|w| WatermarkBlock {
                    watermark_key: w.watermark_key.as_deref().map_or(Value::Null, str),
                    source_image_region: w.source_image_region.as_deref().map_or(Value::Null, str),
                    maximum_days_since_source_image_created: days(
                        w.maximum_days_since_source_image_created,
                    )
                    .unwrap_or(Value::Null),
                    maximum_days_since_watermark_created: days(
                        w.maximum_days_since_watermark_created,
                    )
                    .unwrap_or(Value::Null),
                })
                .collect(),
        ),
    }
}

fn fill(state: &mut State, s: &ImageSettings) {
    state.id = str(&s.region);
    state.state = str(s.allowed_images_state.as_str());
    state.account_id = str(&s.account_id);
    state.region = str(&s.region);
    let prior = state
        .image_criterion
        .as_ref_option()
        .cloned()
        .unwrap_or_default();
    let same = prior.len() == s.allowed_images_criteria.len()
        && prior
            .iter()
            .zip(&s.allowed_images_criteria)
            .all(|(p, c)| criterion_of(p) == *c);
    if !same {
        state.image_criterion = Value::Value(
            s.allowed_images_criteria
                .iter()
                .enumerate()
                .map(|(i, c)| block_of(c, prior.get(i)))
                .collect(),
        );
    }
}

fn set(diags: &mut Diagnostics, cfg: &Configured, mut planned: State) -> Option<State> {
    let req = request(&planned);
    let s = cfg.call(
        diags,
        "Unable to set Allowed AMIs",
        None,
        |cloud, caller| cloud.call(caller, &req),
    )?;
    fill(&mut planned, &s);
    Some(planned)
}

impl Managed for AllowedImagesSettingsType {
    type State = State;

    fn schema() -> Schema {
        let condition = |name: &str, what: &str| {
            block(
                &format!("At most one: {what}"),
                vec![(name, required_number("A whole number of days, 0 or more."))],
            )
        };
        let mut criterion = block(
            "One criterion: every field it sets must match (values within a field are OR'ed); an image is allowed when any criterion matches. At most 10.",
            vec![
                ("image_providers", optional_string_list("`amazon` (Amazon's images and verified providers': Canonical, Red Hat, Fedora, Debian), `aws-marketplace`, `aws-backup-vault` or 12-digit account IDs: who owns the image; or `none` alone, which allows only the account's own images.")),
                ("image_names", optional_string_list("Image names, with `*` and `?` wildcards.")),
                ("marketplace_product_codes", optional_string_list("Marketplace product codes (billing products) the image carries.")),
            ],
        );
        criterion.blocks.insert(
            "creation_date_condition".into(),
            NestedBlock::List(condition(
                "maximum_days_since_created",
                "the image was created at most this many days ago.",
            )),
        );
        criterion.blocks.insert(
            "image_watermark".into(),
            NestedBlock::List(block(
                "Watermark filters, like AWS's ImageWatermarks (at most 50): the criterion matches an image that carries a watermark one filter matches, and a filter matches a watermark when every field it sets does.",
                vec![
                    ("watermark_key", optional_string("The watermark's key, `ACCOUNT:NAME` (the account that attached it and its name), with `*` and `?` wildcards.")),
                    ("source_image_region", optional_string("The region of the image the watermark was attached to, with `*` and `?` wildcards.")),
                    ("maximum_days_since_source_image_created", optional_number("The image the watermark was attached to was created at most this many days ago.")),
                    ("maximum_days_since_watermark_created", optional_number("The watermark was attached at most this many days ago.")),
                ],
            )),
        );
        criterion.blocks.insert(
            "deprecation_time_condition".into(),
            NestedBlock::List(condition(
                "maximum_days_since_deprecated",
                "the image is not deprecated, or was deprecated at most this many days ago.",
            )),
        );
        let mut schema = common::resource_schema(
            "Allowed AMIs of the provider's account in its region, like `aws_ec2_allowed_images_settings`. With `state = \"enabled\"`, launching or copying an image of another owner that no criterion allows is refused with `InvalidAMIID.NotAllowed`; in `audit-mode` nothing is refused, and the data sources still report `image_allowed`. The account's own images are always allowed. Destroying the resource turns the setting off.",
            vec![
                ("state", required_string("`enabled` or `audit-mode`. Changes in place.")),
                ("id", computed_string("The region; also the import ID.")),
                ("account_id", computed_string("The account the setting belongs to: the provider's account.")),
                ("region", computed_string("The region the setting applies in: the provider's region.")),
            ],
        );
        schema
            .block
            .blocks
            .insert("image_criterion".into(), NestedBlock::List(criterion));
        schema
    }

    fn validate(diags: &mut Diagnostics, c: &State) {
        settings::check_state(diags, &c.state, ALLOWED_IMAGES_STATES);
        let Value::Value(criteria) = &c.image_criterion else {
            return;
        };
        for b in criteria {
            let days = b
                .creation_date_condition
                .as_ref_option()
                .into_iter()
                .flatten()
                .map(|c| &c.maximum_days_since_created)
                .chain(
                    b.deprecation_time_condition
                        .as_ref_option()
                        .into_iter()
                        .flatten()
                        .map(|c| &c.maximum_days_since_deprecated),
                )
                .chain(
                    b.image_watermark
                        .as_ref_option()
                        .into_iter()
                        .flatten()
                        .flat_map(|w| {
                            [
                                &w.maximum_days_since_source_image_created,
                                &w.maximum_days_since_watermark_created,
                            ]
                        }),
                );
            for d in days {
                if let Value::Value(d) = d {
                    diags::check(
                        diags,
                        "image_criterion",
                        d.check(condition_days, condition_days_not_whole),
                    );
                }
            }
            let count = |v: &Value<Vec<Created>>| v.as_ref_option().map_or(0, Vec::len);
            let countd = |v: &Value<Vec<Deprecated>>| v.as_ref_option().map_or(0, Vec::len);
            if count(&b.creation_date_condition) > 1 || countd(&b.deprecation_time_condition) > 1 {
                diags::error(
                    diags,
                    "Invalid image_criterion: InvalidParameterValue",
                    "InvalidParameterValue: an image criterion has at most one creation_date_condition and one deprecation_time_condition\n\nKeep one of each",
                    Some("image_criterion"),
                );
            }
        }
        let unknown = criteria.iter().any(|b| {
            list_has_unknown(&b.image_providers)
                || list_has_unknown(&b.image_names)
                || list_has_unknown(&b.marketplace_product_codes)
                || match &b.image_watermark {
                    Value::Value(marks) => marks.iter().any(|w| {
                        w.watermark_key.is_unknown()
                            || w.source_image_region.is_unknown()
                            || w.maximum_days_since_source_image_created.is_unknown()
                            || w.maximum_days_since_watermark_created.is_unknown()
                    }),
                    Value::Null => false,
                    Value::Unknown => true,
                }
        });
        if !unknown {
            let req = AllowedImages {
                state: "enabled".into(),
                criteria: criteria.iter().map(criterion_of).collect(),
            };
            diags::check(diags, "image_criterion", check_allowed_images(&req));
        }
    }

    fn plan_create(
        _diags: &mut Diagnostics,
        cfg: &Configured,
        mut planned: State,
        _config: &State,
    ) -> Option<State> {
        (planned.id, planned.account_id, planned.region) = settings::scope(cfg);
        Some(planned)
    }

    fn read(diags: &mut Diagnostics, cfg: &Configured, mut state: State) -> Option<Option<State>> {
        let s = settings::read(diags, cfg, "Allowed AMIs")?;
        if s.allowed_images_state == amisim_simulator::AllowedImagesState::Disabled {
            tracing::warn!(region = %s.region, "Allowed AMIs is off; removing it from state");
            return Some(None);
        }
        fill(&mut state, &s);
        Some(Some(state))
    }

    fn create(diags: &mut Diagnostics, cfg: &Configured, planned: State) -> Option<State> {
        set(diags, cfg, planned)
    }

    fn update(
        diags: &mut Diagnostics,
        cfg: &Configured,
        _prior: &State,
        planned: State,
    ) -> Option<State> {
        set(diags, cfg, planned)
    }

    fn destroy(diags: &mut Diagnostics, cfg: &Configured, _prior: State) -> Option<()> {
        let off = AllowedImages {
            state: "disabled".into(),
            criteria: Vec::new(),
        };
        cfg.call(
            diags,
            "Unable to turn Allowed AMIs off",
            None,
            |cloud, caller| cloud.call(caller, &off),
        )
        .map(|_| ())
    }

    fn import_state(diags: &mut Diagnostics, cfg: &Configured, id: &str) -> Option<State> {
        region_import_id(diags, cfg, id, "Allowed AMIs")?;
        Some(State::default())
    }

    fn import_missing(cfg: &Configured, _id: &str) -> (String, String) {
        (
            "Cannot import Allowed AMIs: ResourceNotFound".to_string(),
            format!("ResourceNotFound: Allowed AMIs is off for account {} in {}\n\nThere is nothing to import; create the resource instead", cfg.caller.account_id, cfg.caller.region),
        )
    }
}
