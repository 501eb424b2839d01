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
/// protocol's handler, or none for an action AWS has that amisim refuses
/// by name (its `params` then say why).
pub struct Operation<H: 'static> {
    /// The action's name, as AWS spells it.
    pub name: &'static str,
    /// What it reads, in the docs' words.
    pub params: &'static str,
    /// Whether it changes the cloud.
    pub effect: Effect,
    /// What answers it, in the protocol's own terms; `None` for an action
    /// refused by name.
    pub handler: Option<H>,
}

/// An action that reads the cloud.
pub const fn reads<H>(name: &'static str, params: &'static str, handler: H) -> Operation<H> {
    Operation {
        name,
        params,
        effect: Effect::Reads,
        handler: Some(handler),
    }
}

/// An action that changes the cloud.
pub const fn changes<H>(name: &'static str, params: &'static str, handler: H) -> Operation<H> {
    Operation {
        name,
        params,
        effect: Effect::Changes,
        handler: Some(handler),
    }
}

/// An action AWS has that amisim does not model, refused by name: `why`
/// says so in the refusal and in docs/aws-api.md.
pub const fn refused<H>(name: &'static str, why: &'static str, effect: Effect) -> Operation<H> {
    Operation {
        name,
        params: why,
        effect,
        handler: None,
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
    /// Whether it is answered; an action refused by name is not.
    pub served: bool,
}

/// A protocol's table of operations.
pub struct Table<H: 'static>(pub &'static [Operation<H>]);

impl<H> Table<H> {
    /// The row of the action `name`, answered or refused by name.
    pub fn find(&self, name: &str) -> Option<&'static Operation<H>> {
        self.0.iter().find(|op| op.name == name)
    }

    /// The rows answered, with their handlers.
    pub fn served(&self) -> impl Iterator<Item = (&'static Operation<H>, &'static H)> {
        self.0
            .iter()
            .filter_map(|op| op.handler.as_ref().map(|h| (op, h)))
    }

    /// The answered row of the action `name`, with its handler.
    pub fn find_served(&self, name: &str) -> Option<(&'static Operation<H>, &'static H)> {
        self.served().find(|(op, _)| op.name == name)
    }

    /// Every answered action's name, each with `prefix`, joined for a refusal.
    pub fn names(&self, prefix: &str) -> String {
        self.served()
            .map(|(op, _)| format!("{prefix}{}", op.name))
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
                served: op.handler.is_some(),
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
        refused("ImportThing", "things come from elsewhere", Effect::Changes),
    ]);

    #[test]
    fn a_row_is_found_by_its_name_and_lists_with_the_others() {
        assert_eq!((TABLE.find("DeleteThing").unwrap().handler.unwrap())(), 2);
        assert!(TABLE.find("deletething").is_none());
        assert!(TABLE.find("ImportThing").unwrap().handler.is_none());
        assert_eq!(TABLE.names("X."), "X.DescribeThings, X.DeleteThing");
        assert_eq!(TABLE.rows()[0].effect, Effect::Reads);
        assert_eq!(TABLE.rows()[1].effect.word(), "changes");
        assert!(!TABLE.rows()[2].served);
    }
}
