//! The parameters of an AWS Query request (EC2, STS): `Name=value` pairs of a
//! form body or a query string, with AWS's numbered lists (`ImageId.1`,
//! `Filter.2.Value.1`) and nested members (`BlockDeviceMapping.1.Ebs.VolumeSize`).

use std::collections::{BTreeMap, BTreeSet};

use crate::fault::Fault;

/// The most items a numbered list may hold.
pub const MAX_ITEMS: usize = 1000;

/// A request's parameters, and which of them an action has read, so that a
/// parameter amisim does not model is refused naming it instead of dropped.
#[derive(Debug, Default)]
pub struct Params {
    values: BTreeMap<String, String>,
    read: std::cell::RefCell<BTreeSet<String>>,
}

impl Params {
    /// The parameters of a form body or query string.
    pub fn parse(text: &[u8]) -> Result<Params, Fault> {
        let mut values = BTreeMap::new();
        for (k, v) in form_urlencoded::parse(text) {
            if values.insert(k.to_string(), v.to_string()).is_some() {
                return Err(Fault::bad(
                    "InvalidParameterValue",
                    format!("the parameter {k} is given twice"),
                ));
            }
        }
        if values.len() > 20 * MAX_ITEMS {
            return Err(Fault::bad(
                "InvalidParameterValue",
                format!(
                    "the request has {} parameters; at most {} are read",
                    values.len(),
                    20 * MAX_ITEMS
                ),
            ));
        }
        Ok(Params {
            values,
            read: Default::default(),
        })
    }

    /// The value of `name`, if given.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.read.borrow_mut().insert(name.to_string());
        self.values.get(name).map(String::as_str)
    }

    /// The value of `name`, which must be given.
    pub fn required(&self, name: &str) -> Result<&str, Fault> {
        self.get(name).ok_or_else(|| {
            Fault::bad(
                "MissingParameter",
                format!("The request must contain the parameter {name}"),
            )
        })
    }

    /// A boolean parameter (`true` or `false`), false when not given.
    pub fn flag(&self, name: &str) -> Result<bool, Fault> {
        Ok(self.bool(name)?.unwrap_or(false))
    }

    /// A boolean parameter, if given.
    pub fn bool(&self, name: &str) -> Result<Option<bool>, Fault> {
        match self.get(name) {
            None => Ok(None),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(v) => Err(Fault::bad(
                "InvalidParameterValue",
                format!(
                    "Value ({v}) for parameter {name} is invalid. Expected: 'true' or 'false'."
                ),
            )),
        }
    }

    /// A whole-number parameter, if given.
    pub fn int(&self, name: &str) -> Result<Option<i64>, Fault> {
        self.get(name)
            .map(|v| {
                v.parse::<i64>().map_err(|_| {
                    Fault::bad(
                        "InvalidParameterValue",
                        format!(
                            "Value ({v}) for parameter {name} is invalid. Expected a whole number."
                        ),
                    )
                })
            })
            .transpose()
    }

    /// The prefixes `{prefix}.1`, `{prefix}.2`, … that some parameter starts
    /// with, in their numeric order: the members of a numbered list.
    pub fn members(&self, prefix: &str) -> Result<Vec<String>, Fault> {
        let start = format!("{prefix}.");
        let mut numbers = BTreeSet::new();
        for key in self.values.keys().filter(|k| k.starts_with(&start)) {
            let rest = &key[start.len()..];
            let digits = rest.split('.').next().unwrap_or_default();
            match digits.parse::<usize>() {
                Ok(n) if n >= 1 => {
                    numbers.insert(n);
                }
                _ => {
                    return Err(Fault::bad(
                        "InvalidParameterValue",
                        format!(
                        "{key} is not a member of the list {prefix} (members are numbered from 1)"
                    ),
                    ))
                }
            }
        }
        if numbers.len() > MAX_ITEMS {
            return Err(Fault::bad(
                "InvalidParameterValue",
                format!(
                    "the list {prefix} has {} items; at most {MAX_ITEMS} are allowed",
                    numbers.len()
                ),
            ));
        }
        Ok(numbers
            .into_iter()
            .map(|n| format!("{prefix}.{n}"))
            .collect())
    }

    /// The values of the numbered list `prefix` (`ImageId.1`, `ImageId.2`, …).
    pub fn list(&self, prefix: &str) -> Result<Vec<String>, Fault> {
        Ok(self
            .members(prefix)?
            .iter()
            .filter_map(|m| self.get(m).map(str::to_string))
            .collect())
    }

    /// Tags given as `{prefix}.N.Key` and `{prefix}.N.Value`.
    pub fn tags(&self, prefix: &str) -> Result<amisim_simulator::Tags, Fault> {
        let mut tags = amisim_simulator::Tags::new();
        for m in self.members(prefix)? {
            let key = self.required(&format!("{m}.Key"))?.to_string();
            let value = self
                .get(&format!("{m}.Value"))
                .unwrap_or_default()
                .to_string();
            tags.insert(key, value);
        }
        Ok(tags)
    }

    /// The tags of `TagSpecification.N` for `resource_type` (`image`,
    /// `instance`, `snapshot`); a specification for another type is refused.
    pub fn tag_specifications(
        &self,
        allowed: &[&str],
    ) -> Result<BTreeMap<String, amisim_simulator::Tags>, Fault> {
        let mut out = BTreeMap::new();
        for m in self.members("TagSpecification")? {
            let kind = self.required(&format!("{m}.ResourceType"))?.to_string();
            if !allowed.contains(&kind.as_str()) {
                return Err(Fault::bad(
                    "InvalidParameterValue",
                    format!("'{kind}' is not a valid taggable resource type for this operation; it takes {}", allowed.join(", ")),
                ));
            }
            let tags = self.tags(&format!("{m}.Tag"))?;
            out.entry(kind)
                .or_insert_with(amisim_simulator::Tags::new)
                .extend(tags);
        }
        Ok(out)
    }

    /// Refuses any parameter the action did not read: amisim does not model
    /// it, and dropping it silently would make an answer that AWS would not give.
    pub fn check_all_read(&self, action: &str) -> Result<(), Fault> {
        let read = self.read.borrow();
        let ignored = ["Action", "Version"];
        match self
            .values
            .keys()
            // A presigned URL's own parameters (X-Amz-Credential, …) are the signature's.
            .find(|k| !read.contains(*k) && !ignored.contains(&k.as_str()) && !k.starts_with("X-Amz-"))
        {
            None => Ok(()),
            Some(k) => Err(Fault::bad(
                "InvalidParameter",
                format!("The parameter {k} is not supported by amisim's {action}: it models no such setting, so it refuses it rather than ignore it"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Params;

    #[test]
    fn numbered_lists_nested_members_and_tags() {
        let p = Params::parse(
            b"Action=DescribeImages&ImageId.2=ami-2&ImageId.1=ami-1&ImageId.10=ami-10&Filter.1.Name=name&Filter.1.Value.1=a*&Tag.1.Key=k&Tag.1.Value=v%20w",
        )
        .unwrap();
        assert_eq!(p.list("ImageId").unwrap(), ["ami-1", "ami-2", "ami-10"]);
        assert_eq!(p.members("Filter").unwrap(), ["Filter.1"]);
        assert_eq!(p.list("Filter.1.Value").unwrap(), ["a*"]);
        assert_eq!(p.get("Filter.1.Name"), Some("name"));
        assert_eq!(p.tags("Tag").unwrap()["k"], "v w");
        p.check_all_read("DescribeImages").unwrap();
        let p = Params::parse(b"ImageId.1=a&KernelId=aki-1").unwrap();
        p.list("ImageId").unwrap();
        let err = p.check_all_read("RegisterImage").unwrap_err();
        assert!(err.message.contains("KernelId"), "{}", err.message);
        assert!(Params::parse(b"ImageId.0=a")
            .unwrap()
            .list("ImageId")
            .is_err());
        assert!(Params::parse(b"ImageId.x=a")
            .unwrap()
            .list("ImageId")
            .is_err());
        assert!(Params::parse(b"A=1&A=2").is_err());
        assert!(Params::parse(b"DryRun=maybe")
            .unwrap()
            .flag("DryRun")
            .is_err());
    }
}
