//! `Filter.N.Name` / `Filter.N.Value.M` for the describe actions other than
//! DescribeImages (which the simulator filters itself): each name one of the
//! action's, read from the wire here; what an item's values are and whether
//! they match is the simulator's `filters`.

use amisim_simulator::filters;

use crate::fault::Fault;
use crate::query::Params;

/// The filters of one request.
pub(super) struct Filters(Vec<(String, Vec<String>)>);

impl Filters {
    /// The request's filters, each named in `known` (`tag:` admits every
    /// `tag:KEY`), or `InvalidParameterValue` naming the ones there are.
    pub(super) fn of(p: &Params, known: &[&str], action: &str) -> Result<Filters, Fault> {
        let mut out = Vec::new();
        for m in p.members("Filter")? {
            let name = p.required(&format!("{m}.Name"))?.to_string();
            let ok = known.contains(&name.as_str())
                || (known.contains(&"tag:") && name.starts_with("tag:") && name.len() > 4);
            if !ok {
                return Err(Fault::bad(
                    "InvalidParameterValue",
                    format!(
                        "The filter '{}' is invalid for {action}: amisim filters by {}",
                        name.chars().take(64).collect::<String>(),
                        known
                            .iter()
                            .map(|k| if *k == "tag:" { "tag:KEY" } else { k })
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
            out.push((name, p.list(&format!("{m}.Value"))?));
        }
        Ok(Filters(out))
    }

    /// Whether an item passes, given the values it has for a filter name.
    pub(super) fn pass(&self, values_of: impl Fn(&str) -> Vec<String>) -> bool {
        self.0
            .iter()
            .all(|(name, patterns)| filters::matches(patterns, &values_of(name)))
    }
}
