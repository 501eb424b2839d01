//! `amisim_instance`: launch an instance from an AMI (the AMI side of `aws_instance`).

use amisim_simulator::{catalogue, validate, Error, Instance, InstanceState, RunInstance};
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
use amisim_simulator::{
    DescribeInstance, ModifyInstanceType, SetRootDeleteOnTermination, StartInstance, StopInstance,
    TagInstance, TerminateInstance,
};

/// The state of an `amisim_instance`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub id: Str,
    pub arn: Str,
    pub ami: Str,
    pub instance_type: Str,
    pub instance_state: Str,
    pub user_data: Str,
    pub tags: StrMap,
    pub owner_id: Str,
    pub region: Str,
    pub launch_time: Str,
    pub root_device_type: Str,
    pub architecture: Str,
    pub platform: Str,
    pub billing_products: StrList,
    pub boot_time_seconds: Num,
    pub hourly_cost_usd: Float,
    pub root_delete_on_termination: Bool,
    pub root_volume_id: Str,
}

/// The resource type `amisim_instance`: its schema and what it does with the cloud.
pub struct InstanceType;

/// The `amisim_instance` resource.
pub type InstanceResource = Typed<InstanceType>;

pub(crate) fn schema() -> Schema {
    common::resource_schema(
        "Launches an instance from an AMI in the provider's account and region: the AMI side of `aws_instance`. The image must exist in this region (AMIs are regional), must not be deregistered, and the account must be allowed to launch it; an encrypted image of another account also needs its key granted. Instances of deregistered images keep running and keep being charged. Destroying the instance terminates it.",
        vec![
            ("ami", replaces(required_string("The image to launch. Changing it replaces the instance."))),
            ("instance_type", required_string(&format!("The instance type, whose architecture must match the image's: one of {}. Changing it stops the instance, changes the type and starts it again.", catalogue::instance_type_names()))),
            ("instance_state", optional_computed_string("`running` (default) or `stopped`. Changes in place; instance-store-backed instances cannot be stopped. Unset means `running`, so an instance stopped out of band is started again.")),
            ("user_data", replaces(optional_string("A script run at first boot. Package installs in it (`yum install …`, `apt-get install …`, `pip install …`) add to `boot_time_seconds` unless the image already has the package. At most 16 KB. Changing it replaces the instance."))),
            ("tags", optional_string_map("Tags of the instance. Change in place.")),
            ("root_delete_on_termination", optional_computed_bool("Whether the EBS root volume is deleted when the instance terminates: `true` (default, as in AWS) or `false`, which keeps the volume (`root_volume_id`) after termination, where it goes on costing EBS volume storage until it is deleted (`amisim delete-volume`). Changes in place. An instance-store root is always lost on termination, so `false` is refused for it.")),
            ("id", computed_string("The instance ID: `i-` and 17 hex digits.")),
            ("arn", computed_string("The instance ARN, `arn:aws:ec2:REGION:ACCOUNT:instance/i-…`.")),
            ("owner_id", computed_string("The account that launched the instance and pays for it.")),
            ("region", computed_string("The instance's region: the provider's region.")),
            ("launch_time", computed_string("When the instance was launched, in the simulated clock.")),
            ("root_device_type", computed_string("`ebs` or `instance-store`, from the image. An instance-store root is lost when the instance terminates.")),
            ("architecture", computed_string("The architecture, from the image.")),
            ("platform", computed_string("The platform, from the image.")),
            ("billing_products", computed_string_list("Billing products inherited from the image, charged with the instance.")),
            ("boot_time_seconds", computed_number("Seconds from launch until the instance is ready: boot time (30 s for EBS-backed Linux; more for Windows and instance-store roots) plus 45 s for each package the user data installs that the image does not already have, and 1 s for each other step of the user data (a line that installs nothing new). A golden image with the software baked in boots faster than a base image plus the same user data.")),
            ("hourly_cost_usd", computed_number("What the instance costs per running hour in US dollars: the type's on-demand price plus Windows and Red Hat licences and Marketplace software fees.")),
            ("root_volume_id", computed_string("The EBS root volume's ID (`vol-` and 17 hex digits); null for an instance-store root.")),
        ],
    )
}

fn fill(state: &mut State, i: &Instance) {
    state.id = str(&i.id);
    state.arn = str(&i.arn());
    state.ami = str(&i.image_id);
    state.instance_type = str(&i.instance_type);
    state.instance_state = str(i.state.as_str());
    state.user_data = if i.user_data.is_empty()
        && !matches!(state.user_data, Value::Value(ref s) if s.is_empty())
    {
        Value::Null
    } else {
        str(&i.user_data)
    };
    state.tags = tags_value(&state.tags, &i.tags);
    state.owner_id = str(&i.owner_id);
    state.region = str(&i.region);
    state.launch_time = str(&i.launch_time);
    state.root_device_type = str(i.root_device_type.as_str());
    state.architecture = str(&i.architecture);
    state.platform = str(&i.platform);
    state.billing_products = list_value(&i.billing_products);
    state.boot_time_seconds = Value::Value(i.boot_time_seconds);
    state.hourly_cost_usd = dollars(i.hourly_cost_micros);
    state.root_delete_on_termination = Value::Value(i.root_delete_on_termination);
    state.root_volume_id = opt(i.root_volume_id.as_deref());
}

fn attribute_for(e: &Error) -> Option<&'static str> {
    use amisim_simulator::ErrorKind as K;
    match e.kind {
        K::AmiNotFound | K::AmiUnavailable | K::AmiMalformed | K::KeyAccessDenied => Some("ami"),
        K::InvalidParameterValue if e.message.contains("nstance") => Some("instance_type"),
        K::UnsupportedOperation => Some("instance_state"),
        K::InvalidParameterCombination if e.message.contains("terminates") => {
            Some("root_delete_on_termination")
        }
        _ => None,
    }
}

fn refused(diags: &mut Diagnostics, what: &str, e: &Error) {
    diags::refusal_at(diags, what, e, attribute_for(e));
}

fn call(
    diags: &mut Diagnostics,
    cfg: &Configured,
    what: &str,
    f: impl FnOnce(
            &mut crate::provider::Api<'_>,
            &amisim_simulator::Caller,
        ) -> amisim_simulator::Result<Instance>
        + Send,
) -> Option<Instance> {
    match cfg.with(f) {
        Ok(i) => Some(i),
        Err(e) => {
            refused(diags, what, &e);
            None
        }
    }
}

impl Managed for InstanceType {
    type State = State;

    fn schema() -> Schema {
        schema()
    }

    fn validate(diags: &mut Diagnostics, c: &State) {
        if let Some(v) = known(&c.ami) {
            diags::check(diags, "ami", validate::image_id_shape(v));
        }
        if let Some(t) = known(&c.instance_type) {
            if catalogue::instance_type(t).is_none() {
                diags::error(
                    diags,
                    "Invalid instance_type: InvalidParameterValue",
                    format!("InvalidParameterValue: Invalid value '{}' for InstanceType\n\nUse one of: {}", validate::shorten(t), catalogue::instance_type_names()),
                    Some("instance_type"),
                );
            }
        }
        if let Some(s) = known(&c.instance_state) {
            diags::check(
                diags,
                "instance_state",
                validate::one_of("instance state", s, &["running", "stopped"]),
            );
        }
        if known(&c.user_data).is_some_and(|u| u.len() > 16 * 1024) {
            diags::error(
                diags,
                "Invalid user_data: InvalidParameterValue",
                "InvalidParameterValue: user data is larger than 16 KB\n\nBake larger set-ups into a golden image instead",
                Some("user_data"),
            );
        }
        if !map_has_unknown(&c.tags) {
            diags::check(diags, "tags", validate::tags(&tags_of(&c.tags)));
        }
    }

    fn read(diags: &mut Diagnostics, cfg: &Configured, mut state: State) -> Option<Option<State>> {
        let id = known(&state.id)?.to_string();
        let result = cfg.with(|cloud, caller| cloud.call(caller, &DescribeInstance::new(&id)));
        let live = result.map(|i| i.filter(|i| i.state != InstanceState::Terminated));
        Some(found(diags, "instance", &id, live)?.map(|i| {
            fill(&mut state, &i);
            state
        }))
    }

    fn plan_create(
        _diags: &mut Diagnostics,
        cfg: &Configured,
        mut planned: State,
        _config: &State,
    ) -> Option<State> {
        common::default_str(&mut planned.instance_state, "running");
        if matches!(planned.root_delete_on_termination, Value::Null) {
            planned.root_delete_on_termination = Value::Value(true);
        }
        planned.root_volume_id = Value::Unknown;
        planned.id = Value::Unknown;
        planned.arn = Value::Unknown;
        planned.owner_id = str(&cfg.caller.account_id);
        planned.region = str(&cfg.caller.region);
        planned.launch_time = Value::Unknown;
        planned.root_device_type = Value::Unknown;
        planned.architecture = Value::Unknown;
        planned.platform = Value::Unknown;
        planned.billing_products = Value::Unknown;
        planned.boot_time_seconds = Value::Unknown;
        planned.hourly_cost_usd = Value::Unknown;
        Some(planned)
    }

    fn plan_update(
        _diags: &mut Diagnostics,
        _cfg: &Configured,
        prior: &State,
        mut planned: State,
        config: &State,
    ) -> Option<State> {
        // An unset instance_state means running: a stop made out of band is drift to undo.
        if matches!(config.instance_state, Value::Null) {
            planned.instance_state = str("running");
        }
        if matches!(config.root_delete_on_termination, Value::Null) {
            planned.root_delete_on_termination = Value::Value(true);
        }
        if planned.instance_type != prior.instance_type {
            planned.hourly_cost_usd = Value::Unknown;
        }
        Some(planned)
    }

    fn create(diags: &mut Diagnostics, cfg: &Configured, mut planned: State) -> Option<State> {
        let req = RunInstance {
            image_id: known(&planned.ami)?.to_string(),
            instance_type: known(&planned.instance_type)?.to_string(),
            user_data: known(&planned.user_data).unwrap_or("").to_string(),
            state: known(&planned.instance_state).map(str::to_string),
            tags: tags_of(&planned.tags),
            root_delete_on_termination: planned.root_delete_on_termination.as_ref_option().copied(),
        };
        let i = call(diags, cfg, "Unable to launch instance", |cloud, caller| {
            cloud.call(caller, &req)
        })?;
        fill(&mut planned, &i);
        Some(planned)
    }

    fn update(
        diags: &mut Diagnostics,
        cfg: &Configured,
        prior: &State,
        mut planned: State,
    ) -> Option<State> {
        let id = known(&planned.id)?.to_string();
        let want = known(&planned.instance_state)
            .unwrap_or("running")
            .to_string();
        let mut current = prior
            .instance_state
            .as_ref_option()
            .cloned()
            .unwrap_or_default();
        let new_type = known(&planned.instance_type).map(str::to_string);
        if new_type.as_deref() != known(&prior.instance_type) {
            if current == "running" {
                call(diags, cfg, "Unable to stop instance", |c, k| {
                    c.call(k, &StopInstance::new(&id))
                })?;
                current = "stopped".into();
            }
            let t = new_type.unwrap_or_default();
            call(diags, cfg, "Unable to change instance type", |c, k| {
                c.call(k, &ModifyInstanceType::new(&id, &t))
            })?;
        }
        if current != want {
            if want == "stopped" {
                call(diags, cfg, "Unable to stop instance", |c, k| {
                    c.call(k, &StopInstance::new(&id))
                })?;
            } else {
                call(diags, cfg, "Unable to start instance", |c, k| {
                    c.call(k, &StartInstance::new(&id))
                })?;
            }
        }
        if let Value::Value(delete) = planned.root_delete_on_termination {
            if prior.root_delete_on_termination != Value::Value(delete) {
                call(
                    diags,
                    cfg,
                    "Unable to change the root volume's deletion on termination",
                    |c, k| c.call(k, &SetRootDeleteOnTermination::new(&id, delete)),
                )?;
            }
        }
        let tags = tags_of(&planned.tags);
        let i = if tags != tags_of(&prior.tags) {
            call(diags, cfg, "Unable to tag instance", |c, k| {
                c.call(k, &TagInstance::new(&id, &tags))
            })?
        } else {
            match cfg.with(|c, k| c.call(k, &DescribeInstance::new(&id))) {
                Ok(Some(i)) => i,
                Ok(None) => return None,
                Err(e) => {
                    diags::refusal(diags, "Unable to read instance", &e);
                    return None;
                }
            }
        };
        fill(&mut planned, &i);
        Some(planned)
    }

    fn destroy(diags: &mut Diagnostics, cfg: &Configured, prior: State) -> Option<()> {
        let id = known(&prior.id)?.to_string();
        cfg.call(
            diags,
            "Unable to terminate instance",
            None,
            |cloud, caller| cloud.call(caller, &TerminateInstance::new(&id)),
        )
        .map(|_| ())
    }

    fn import(diags: &mut Diagnostics, cfg: &Configured, id: &str) -> Option<State> {
        let result = cfg.with(|cloud, caller| cloud.call(caller, &DescribeInstance::new(id)));
        let live = result.map(|i| i.filter(|i| i.state != InstanceState::Terminated));
        let i = imported(
            diags,
            "instance",
            live,
            "InvalidInstanceID.NotFound",
            || {
                format!(
                    "no running or stopped instance {} of account {} in {}",
                    validate::shorten(id),
                    cfg.caller.account_id,
                    cfg.caller.region
                )
            },
        )?;
        let mut state = State::default();
        fill(&mut state, &i);
        Some(state)
    }
}
