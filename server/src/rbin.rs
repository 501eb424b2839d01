//! Recycle Bin over its REST-JSON protocol (`/rules`, `/rules/{identifier}`,
//! `/list-rules`): retention rules, over the simulator's rule calls.

use amisim_simulator::{
    Caller, Cloud, CreateRule, DeleteRule, GetRule, ListRules, RecycleBinRule, Tags, UpdateRule,
};
use serde_json::{json, Value};

use crate::fault::Fault;
use crate::json::Body;
use crate::operations::{changes, reads, Row, Table};
use crate::page::Page;

/// The actions answered: the members each reads (as docs/aws-api.md shows
/// them), whether it changes the cloud, and where it is reached.
pub static OPERATIONS: Table<Route> = Table(&[
    changes(
        "CreateRule",
        "`ResourceType` (EC2_IMAGE or EBS_SNAPSHOT), `RetentionPeriod` (`RetentionPeriodValue` 1 to 365, `RetentionPeriodUnit` DAYS), `ResourceTags` or `ExcludeResourceTags` (`ResourceTagKey`/`ResourceTagValue`), `Description`",
        Route::new("POST", Path::Fixed("/rules"), create_rule),
    ),
    reads("GetRule", "", Route::new("GET", Path::Rule, get_rule)),
    reads(
        "ListRules",
        "`ResourceType`, `MaxResults` (1 to 1000), `NextToken`",
        Route::new("POST", Path::Fixed("/list-rules"), list_rules),
    ),
    changes(
        "UpdateRule",
        "`RetentionPeriod`, `ResourceTags`, `ExcludeResourceTags`, `Description`",
        Route::new("PATCH", Path::Rule, update_rule),
    ),
    changes(
        "DeleteRule",
        "",
        Route::new("DELETE", Path::Rule, delete_rule),
    ),
]);

/// Where a Recycle Bin action is reached, and its adapter.
pub struct Route {
    method: &'static str,
    path: Path,
    run: fn(&mut Rest<'_>) -> Result<Reply, Fault>,
}

impl Route {
    const fn new(
        method: &'static str,
        path: Path,
        run: fn(&mut Rest<'_>) -> Result<Reply, Fault>,
    ) -> Route {
        Route { method, path, run }
    }

    /// Whether `method` on `path` reaches this action, and the rule it names.
    fn reached<'p>(&self, method: &str, path: &'p str) -> Option<&'p str> {
        if method != self.method {
            return None;
        }
        match self.path {
            Path::Fixed(fixed) => (path == fixed).then_some(""),
            Path::Rule => path.strip_prefix("/rules/").filter(|id| {
                !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric())
            }),
        }
    }
}

/// The path of a Recycle Bin action.
#[derive(Clone, Copy)]
enum Path {
    /// This path exactly.
    Fixed(&'static str),
    /// `/rules/{identifier}`.
    Rule,
}

/// The rows of docs/aws-api.md: each action's method and path before the
/// members it reads.
pub fn rows() -> Vec<Row> {
    OPERATIONS
        .served()
        .zip(OPERATIONS.rows())
        .map(|((_, route), row)| {
            let path = match route.path {
                Path::Fixed(path) => path,
                Path::Rule => "/rules/{identifier}",
            };
            let route = format!("`{} {path}`", route.method);
            Row {
                params: if row.params.is_empty() {
                    route
                } else {
                    format!("{route}: {}", row.params)
                },
                ..row
            }
        })
        .collect()
}

/// One Recycle Bin request being answered.
pub struct Rest<'a> {
    cloud: &'a mut Cloud,
    caller: &'a Caller,
    body: &'a Body,
    /// The action, as its row names it.
    action: &'static str,
    /// The rule the path names (empty for a path that names none).
    id: &'a str,
}

impl Rest<'_> {
    fn call<R: amisim_simulator::Call>(&mut self, request: &R) -> Result<R::Output, Fault> {
        self.cloud.call(self.caller, request).map_err(Fault::from)
    }

    /// Refuses members the action did not read.
    fn ready(&self) -> Result<(), Fault> {
        self.body.check_all_read(self.action)
    }
}

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
    let (op, route, id) = OPERATIONS
        .served()
        .find_map(|(op, route)| route.reached(method, path).map(|id| (op, route, id)))
        .ok_or_else(|| {
            Fault::with_status(
                404,
                "UnknownOperationException",
                format!(
                    "{method} {} is not a Recycle Bin action amisim answers: {}",
                    path.chars().take(64).collect::<String>(),
                    OPERATIONS.names("")
                ),
            )
        })?;
    (route.run)(&mut Rest {
        cloud,
        caller,
        body,
        action: op.name,
        id,
    })
}

/// CreateRule: a new retention rule, answered 201.
fn create_rule(r: &mut Rest<'_>) -> Result<Reply, Fault> {
    let request = rule_request(r.body, None)?;
    r.ready()?;
    let rule = r.call(&request)?;
    Ok(Reply {
        status: 201,
        body: Some(rule_json(&rule, true)),
    })
}

/// ListRules: the caller's rules of one resource type, a page at a time.
fn list_rules(r: &mut Rest<'_>) -> Result<Reply, Fault> {
    let body = r.body;
    let resource_type = body.required("ResourceType")?;
    let max = body.int("MaxResults")?.unwrap_or(100);
    if !(1..=1000).contains(&max) {
        return Err(validation(format!(
            "MaxResults {max} is out of range: 1 to 1000"
        )));
    }
    let page = Page::asked(body.str("NextToken")?.as_deref(), Some(max as usize))
        .ok_or_else(|| validation("The NextToken is not one this server gave"))?;
    r.ready()?;
    let rules = r.call(&ListRules { resource_type })?;
    let (shown, next) = page.cut(&rules);
    let summaries: Vec<Value> = shown
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
fn get_rule(r: &mut Rest<'_>) -> Result<Reply, Fault> {
    r.ready()?;
    let id = r.id;
    let rule = r.call(&GetRule::new(id))?.ok_or_else(|| not_found(id))?;
    Ok(Reply {
        status: 200,
        body: Some(rule_json(&rule, false)),
    })
}

/// UpdateRule: the body's fields over the rule's, as AWS merges them.
fn update_rule(r: &mut Rest<'_>) -> Result<Reply, Fault> {
    let id = r.id.to_string();
    let old = r.call(&GetRule::new(&id))?.ok_or_else(|| not_found(&id))?;
    let rule = rule_request(r.body, Some(&old))?;
    r.ready()?;
    let rule = r.call(&UpdateRule { rule_id: id, rule })?;
    Ok(Reply {
        status: 200,
        body: Some(rule_json(&rule, false)),
    })
}

/// DeleteRule: answered 204, or `ResourceNotFoundException`.
fn delete_rule(r: &mut Rest<'_>) -> Result<Reply, Fault> {
    r.ready()?;
    let id = r.id;
    if !r.call(&DeleteRule::new(id))? {
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
