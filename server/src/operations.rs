//! One table per protocol: each action a service answers is named once, in
//! a row holding what it reads, whether it changes the cloud, and its
//! handler. The dispatch finds the row; the refusal of an unknown action
//! lists the rows; the refusal of an unknown parameter and DryRun name the
//! row's action; docs/aws-api.md is written from the rows. A new action is
//! one row and one adapter.

/// Whether an action changes the cloud or only reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Reads: a listing, a description, a setting read.
    Reads,
    /// Changes the cloud.
    Changes,
}

impl Effect {
    /// The word docs/aws-api.md shows.
    pub fn word(self) -> &'static str {
        match self {
            Effect::Reads => "reads",
            Effect::Changes => "changes",
        }
    }
}

/// One action of a protocol: its name, the parameters it reads (as
/// docs/aws-api.md shows them; empty for none), its effect, and its
/// protocol's handler.
pub struct Operation<H: 'static> {
    /// The action's name, as AWS spells it.
    pub name: &'static str,
    /// What it reads, in the docs' words.
    pub params: &'static str,
    /// Whether it changes the cloud.
    pub effect: Effect,
    /// What answers it, in the protocol's own terms.
    pub handler: H,
}

/// An action that reads the cloud.
pub const fn reads<H>(name: &'static str, params: &'static str, handler: H) -> Operation<H> {
    Operation {
        name,
        params,
        effect: Effect::Reads,
        handler,
    }
}

/// An action that changes the cloud.
pub const fn changes<H>(name: &'static str, params: &'static str, handler: H) -> Operation<H> {
    Operation {
        name,
        params,
        effect: Effect::Changes,
        handler,
    }
}

/// What the docs and the server's log read of a row, whatever its handler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The action's name.
    pub name: &'static str,
    /// What it reads, in the docs' words.
    pub params: String,
    /// Whether it changes the cloud.
    pub effect: Effect,
}

/// A protocol's table of operations.
pub struct Table<H: 'static>(pub &'static [Operation<H>]);

impl<H> Table<H> {
    /// The row of the action `name`.
    pub fn find(&self, name: &str) -> Option<&'static Operation<H>> {
        self.0.iter().find(|op| op.name == name)
    }

    /// Every action's name, each with `prefix`, joined for a refusal.
    pub fn names(&self, prefix: &str) -> String {
        self.0
            .iter()
            .map(|op| format!("{prefix}{}", op.name))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The rows without their handlers.
    pub fn rows(&self) -> Vec<Row> {
        self.0
            .iter()
            .map(|op| Row {
                name: op.name,
                params: op.params.to_string(),
                effect: op.effect,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static TABLE: Table<fn() -> u8> = Table(&[
        reads("DescribeThings", "`ThingId.N`", || 1),
        changes("DeleteThing", "", || 2),
    ]);

    #[test]
    fn a_row_is_found_by_its_name_and_lists_with_the_others() {
        assert_eq!((TABLE.find("DeleteThing").unwrap().handler)(), 2);
        assert!(TABLE.find("deletething").is_none());
        assert_eq!(TABLE.names("X."), "X.DescribeThings, X.DeleteThing");
        assert_eq!(TABLE.rows()[0].effect, Effect::Reads);
        assert_eq!(TABLE.rows()[1].effect.word(), "changes");
    }
}
