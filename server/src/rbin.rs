//! Recycle Bin over its REST-JSON protocol (`/rules`, `/rules/{identifier}`,
//! `/list-rules`): retention rules, over the simulator's rule calls.

use amisim_simulator::{
    Caller, Cloud, CreateRule, DeleteRule, GetRule, ListRules, RecycleBinRule, Tags, UpdateRule,
};
use serde_json::{json, Value};

use crate::fault::Fault;
use crate::json::Body;

/// The actions answered, their method and path, and the members each takes,
/// for docs/aws-api.md.
pub const ACTIONS: &[(&str, &str)] = &[
    ("CreateRule", "`POST /rules`: `ResourceType` (EC2_IMAGE or EBS_SNAPSHOT), `RetentionPeriod` (`RetentionPeriodValue` 1 to 365, `RetentionPeriodUnit` DAYS), `ResourceTags` or `ExcludeResourceTags` (`ResourceTagKey`/`ResourceTagValue`), `Description`"),
    ("GetRule", "`GET /rules/{identifier}`"),
    ("ListRules", "`POST /list-rules`: `ResourceType`, `MaxResults` (1 to 1000), `NextToken`"),
    ("UpdateRule", "`PATCH /rules/{identifier}`: `RetentionPeriod`, `ResourceTags`, `ExcludeResourceTags`, `Description`"),
    ("DeleteRule", "`DELETE /rules/{identifier}`"),
];

/// A Recycle Bin answer: its status and JSON body (none for 204).
pub struct Reply {
    /// 200, 201 or 204.
    pub status: u16,
    /// The body, if any.
    pub body: Option<Value>,
}

fn validation(message: impl Into<String>) -> Fault {
    Fault::bad("ValidationException", message)
}

fn not_found(id: &str) -> Fault {
    Fault::with_status(
        404,
        "ResourceNotFoundException",
        format!(
            "The rule {} does not exist in this account and region",
            id.chars().take(64).collect::<String>()
        ),
    )
}

/// Answers a Recycle Bin request of `method` on `path` as `caller`.
pub fn answer(
    cloud: &mut Cloud,
    caller: &Caller,
    method: &str,
    path: &str,
    body: &Body,
) -> Result<Reply, Fault> {
    let rule_id = path.strip_prefix("/rules/").filter(|id| {
        !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric())
    });
    match (method, path, rule_id) {
        ("POST", "/rules", _) => create_rule(cloud, caller, body),
        ("POST", "/list-rules", _) => list_rules(cloud, caller, body),
        ("GET", _, Some(id)) => get_rule(cloud, caller, body, id),
        ("PATCH", _, Some(id)) => update_rule(cloud, caller, body, id.to_string()),
        ("DELETE", _, Some(id)) => delete_rule(cloud, caller, body, id),
        _ => Err(Fault::with_status(
            404,
            "UnknownOperationException",
            format!(
                "{method} {} is not a Recycle Bin action amisim answers: {}",
                path.chars().take(64).collect::<String>(),
                ACTIONS
                    .iter()
                    .map(|(a, _)| *a)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

/// CreateRule: a new retention rule, answered 201.
fn create_rule(cloud: &mut Cloud, caller: &Caller, body: &Body) -> Result<Reply, Fault> {
    let action = "CreateRule";
    let request = rule_request(body, None)?;
    body.check_all_read(action)?;
    let rule = cloud.call(caller, &request).map_err(Fault::from)?;
    Ok(Reply {
        status: 201,
        body: Some(rule_json(&rule, true)),
    })
}

/// ListRules: the caller's rules of one resource type, a page at a time.
fn list_rules(cloud: &mut Cloud, caller: &Caller, body: &Body) -> Result<Reply, Fault> {
    let action = "ListRules";
    let resource_type = body.required("ResourceType")?;
    let max = body.int("MaxResults")?.unwrap_or(100);
    if !(1..=1000).contains(&max) {
        return Err(validation(format!(
            "MaxResults {max} is out of range: 1 to 1000"
        )));
    }
    let start = crate::page::start_of(body.str("NextToken")?.as_deref())
        .ok_or_else(|| validation("The NextToken is not one this server gave"))?;
    body.check_all_read(action)?;
    let rules = cloud
        .call(caller, &ListRules { resource_type })
        .map_err(Fault::from)?;
    let (page, next) = crate::page::cut(&rules, start, Some(max as usize));
    let summaries: Vec<Value> = page
        .iter()
        .map(|r| {
            json!({
                "Identifier": r.id,
                "Description": r.description,
                "RetentionPeriod": retention(r),
                "LockState": "unlocked",
                "RuleArn": rule_arn(r),
            })
        })
        .collect();
    let mut v = json!({ "Rules": summaries });
    if let Some(next) = next {
        v["NextToken"] = json!(next);
    }
    Ok(Reply {
        status: 200,
        body: Some(v),
    })
}

/// GetRule: one rule, or `ResourceNotFoundException`.
fn get_rule(cloud: &mut Cloud, caller: &Caller, body: &Body, id: &str) -> Result<Reply, Fault> {
    let action = "GetRule";
    body.check_all_read(action)?;
    let rule = cloud
        .call(caller, &GetRule::new(id))
        .map_err(Fault::from)?
        .ok_or_else(|| not_found(id))?;
    Ok(Reply {
        status: 200,
        body: Some(rule_json(&rule, false)),
    })
}

/// UpdateRule: the body's fields over the rule's, as AWS merges them.
fn update_rule(
    cloud: &mut Cloud,
    caller: &Caller,
    body: &Body,
    id: String,
) -> Result<Reply, Fault> {
    let action = "UpdateRule";
    let old = cloud
        .call(caller, &GetRule::new(&id))
        .map_err(Fault::from)?
        .ok_or_else(|| not_found(&id))?;
    let rule = rule_request(body, Some(&old))?;
    body.check_all_read(action)?;
    let rule = cloud
        .call(caller, &UpdateRule { rule_id: id, rule })
        .map_err(Fault::from)?;
    Ok(Reply {
        status: 200,
        body: Some(rule_json(&rule, false)),
    })
}

/// DeleteRule: answered 204, or `ResourceNotFoundException`.
fn delete_rule(cloud: &mut Cloud, caller: &Caller, body: &Body, id: &str) -> Result<Reply, Fault> {
    let action = "DeleteRule";
    body.check_all_read(action)?;
    if !cloud
        .call(caller, &DeleteRule::new(id))
        .map_err(Fault::from)?
    {
        return Err(not_found(id));
    }
    Ok(Reply {
        status: 204,
        body: None,
    })
}

/// A rule's request from a CreateRule or UpdateRule body; an update keeps
/// what it does not name of the rule `old`.
fn rule_request(b: &Body, old: Option<&RecycleBinRule>) -> Result<CreateRule, Fault> {
    let resource_type = match (b.str("ResourceType")?, old) {
        (Some(t), _) => t,
        (None, Some(o)) => o.resource_type.clone(),
        (None, None) => b.required("ResourceType")?,
    };
    let days = match (b.object("RetentionPeriod")?, old) {
        (Some(p), _) => {
            let value = p
                .int("RetentionPeriodValue")?
                .ok_or_else(|| validation("RetentionPeriod.RetentionPeriodValue must be given"))?;
            let unit = p.required("RetentionPeriodUnit")?;
            p.check_all_read("RetentionPeriod")?;
            if unit != "DAYS" {
                return Err(validation(format!(
                    "RetentionPeriodUnit {} is not DAYS, the only unit Recycle Bin has",
                    unit.chars().take(32).collect::<String>()
                )));
            }
            value
        }
        (None, Some(o)) => o.retention_period_days,
        (None, None) => return Err(validation("RetentionPeriod must be given")),
    };
    let tags = |member: &str, kept: Option<&Tags>| -> Result<Tags, Fault> {
        let given = b.objects(member)?;
        if given.is_empty() {
            return Ok(kept.cloned().unwrap_or_default());
        }
        let mut out = Tags::new();
        for t in given {
            let key = t.required("ResourceTagKey")?;
            let value = t.str("ResourceTagValue")?.unwrap_or_default();
            t.check_all_read(member)?;
            out.insert(key, value);
        }
        Ok(out)
    };
    let resource_tags = tags("ResourceTags", old.map(|o| &o.resource_tags))?;
    let exclude_resource_tags = tags("ExcludeResourceTags", old.map(|o| &o.exclude_resource_tags))?;
    let description = match (b.str("Description")?, old) {
        (Some(d), _) => d,
        (None, Some(o)) => o.description.clone(),
        (None, None) => String::new(),
    };
    Ok(CreateRule {
        resource_type,
        retention_period_days: days,
        resource_tags,
        exclude_resource_tags,
        description,
    })
}

fn retention(r: &RecycleBinRule) -> Value {
    json!({ "RetentionPeriodValue": r.retention_period_days, "RetentionPeriodUnit": "DAYS" })
}

fn rule_arn(r: &RecycleBinRule) -> String {
    format!("arn:aws:rbin:{}:{}:rule/{}", r.region, r.account_id, r.id)
}

fn tag_list(tags: &Tags) -> Vec<Value> {
    tags.iter()
        .map(|(k, v)| json!({ "ResourceTagKey": k, "ResourceTagValue": v }))
        .collect()
}

/// A rule as CreateRule, GetRule and UpdateRule answer it.
fn rule_json(r: &RecycleBinRule, created: bool) -> Value {
    let mut v = json!({
        "Identifier": r.id,
        "RetentionPeriod": retention(r),
        "Description": r.description,
        "ResourceType": r.resource_type,
        "ResourceTags": tag_list(&r.resource_tags),
        "ExcludeResourceTags": tag_list(&r.exclude_resource_tags),
        "Status": "available",
        "LockState": "unlocked",
        "RuleArn": rule_arn(r),
    });
    if created {
        v["Tags"] = json!([]);
    }
    v
}
