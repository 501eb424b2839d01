//! A request body of the JSON protocols (KMS's JSON 1.1, Recycle Bin's
//! REST-JSON): typed reads of its members, and the refusal of any member the
//! action did not read, as the Query protocol's [`crate::query::Params`] does.

use std::cell::RefCell;
use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::fault::Fault;

/// The most items a list member may hold.
const MAX_ITEMS: usize = 1000;

/// A JSON object of a request, and which of its members were read.
#[derive(Debug)]
pub struct Body {
    /// Where the object is, for messages: `""` for the body, `"Tags[0]"`, …
    path: String,
    map: Map<String, Value>,
    read: RefCell<BTreeSet<String>>,
}

fn invalid(message: impl Into<String>) -> Fault {
    Fault::bad("ValidationException", message)
}

fn short(text: &str) -> String {
    text.chars().take(64).collect()
}

impl Body {
    /// The request body: a JSON object, or nothing (an empty object).
    pub fn parse(bytes: &[u8]) -> Result<Body, Fault> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Body::of(String::new(), Map::new()));
        }
        match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(map)) => Ok(Body::of(String::new(), map)),
            Ok(_) => Err(Fault::bad(
                "SerializationException",
                "The request body must be a JSON object",
            )),
            Err(e) => Err(Fault::bad(
                "SerializationException",
                format!("The request body is not valid JSON: {e}"),
            )),
        }
    }

    fn of(path: String, map: Map<String, Value>) -> Body {
        Body {
            path,
            map,
            read: RefCell::new(BTreeSet::new()),
        }
    }

    fn name(&self, member: &str) -> String {
        if self.path.is_empty() {
            member.to_string()
        } else {
            format!("{}.{member}", self.path)
        }
    }

    fn value(&self, member: &str) -> Option<&Value> {
        self.read.borrow_mut().insert(member.to_string());
        self.map.get(member).filter(|v| !v.is_null())
    }

    /// A string member, if given.
    pub fn str(&self, member: &str) -> Result<Option<String>, Fault> {
        match self.value(member) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(invalid(format!("{} must be a string", self.name(member)))),
        }
    }

    /// A string member that must be given.
    pub fn required(&self, member: &str) -> Result<String, Fault> {
        self.str(member)?.ok_or_else(|| {
            invalid(format!(
                "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null",
                self.name(member)
            ))
        })
    }

    /// A whole-number member, if given.
    pub fn int(&self, member: &str) -> Result<Option<i64>, Fault> {
        match self.value(member) {
            None => Ok(None),
            Some(v) => v
                .as_i64()
                .map(Some)
                .ok_or_else(|| invalid(format!("{} must be a whole number", self.name(member)))),
        }
    }

    /// A boolean member, if given.
    pub fn bool(&self, member: &str) -> Result<Option<bool>, Fault> {
        match self.value(member) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(invalid(format!(
                "{} must be true or false",
                self.name(member)
            ))),
        }
    }

    fn array(&self, member: &str) -> Result<Vec<Value>, Fault> {
        match self.value(member) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) if items.len() <= MAX_ITEMS => Ok(items.clone()),
            Some(Value::Array(_)) => Err(invalid(format!(
                "{} has more than {MAX_ITEMS} items",
                self.name(member)
            ))),
            Some(_) => Err(invalid(format!("{} must be a list", self.name(member)))),
        }
    }

    /// A list of strings, empty when not given.
    pub fn strings(&self, member: &str) -> Result<Vec<String>, Fault> {
        self.array(member)?
            .into_iter()
            .map(|v| match v {
                Value::String(s) => Ok(s),
                _ => Err(invalid(format!(
                    "{} must be a list of strings",
                    self.name(member)
                ))),
            })
            .collect()
    }

    /// A list of objects, empty when not given; each is checked by its reader.
    pub fn objects(&self, member: &str) -> Result<Vec<Body>, Fault> {
        self.array(member)?
            .into_iter()
            .enumerate()
            .map(|(n, v)| match v {
                Value::Object(map) => Ok(Body::of(format!("{}[{n}]", self.name(member)), map)),
                _ => Err(invalid(format!(
                    "{} must be a list of objects",
                    self.name(member)
                ))),
            })
            .collect()
    }

    /// An object member, if given; it is checked by its reader.
    pub fn object(&self, member: &str) -> Result<Option<Body>, Fault> {
        match self.value(member) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(Body::of(self.name(member), map.clone()))),
            Some(_) => Err(invalid(format!("{} must be an object", self.name(member)))),
        }
    }

    /// Refuses members that were not read: amisim does not model them, and
    /// drops nothing silently.
    pub fn check_all_read(&self, action: &str) -> Result<(), Fault> {
        let read = self.read.borrow();
        match self.map.keys().find(|k| !read.contains(k.as_str())) {
            None => Ok(()),
            Some(k) => Err(invalid(format!(
                "amisim's {action} does not model the parameter {}; leave it out",
                self.name(&short(k))
            ))),
        }
    }
}

/// A JSON answer's body.
pub fn to_bytes(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}

/// A simulator code as the JSON services name it: they say
/// `ValidationException` where EC2 says `InvalidParameterValue`.
pub fn json_code(code: &str) -> String {
    match code {
        "InvalidParameterValue"
        | "InvalidParameter"
        | "InvalidParameterCombination"
        | "MissingParameter" => "ValidationException".to_string(),
        "UnsupportedOperation" => "UnsupportedOperationException".to_string(),
        "IncorrectState" => "KMSInvalidStateException".to_string(),
        other => other.to_string(),
    }
}
