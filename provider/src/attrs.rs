//! Small constructors for schema attributes, so that every attribute states its
//! type, its constraint and a real description.

use std::collections::HashMap;

use tf_provider::schema::{
    Attribute, AttributeConstraint, AttributeType, Block, Description, Schema,
};

fn attr(t: AttributeType, c: AttributeConstraint, description: &str) -> Attribute {
    Attribute {
        attr_type: t,
        description: Description::markdown(description),
        constraint: c,
        sensitive: false,
        deprecated: false,
    }
}

/// A string the configuration must set.
pub fn required_string(description: &str) -> Attribute {
    attr(
        AttributeType::String,
        AttributeConstraint::Required,
        description,
    )
}

/// A string the configuration may set.
pub fn optional_string(description: &str) -> Attribute {
    attr(
        AttributeType::String,
        AttributeConstraint::Optional,
        description,
    )
}

/// A secret string the configuration may set; Terraform never shows it.
pub fn optional_sensitive_string(description: &str) -> Attribute {
    Attribute {
        sensitive: true,
        ..optional_string(description)
    }
}

/// A string the configuration may set, otherwise filled in by the provider.
pub fn optional_computed_string(description: &str) -> Attribute {
    attr(
        AttributeType::String,
        AttributeConstraint::OptionalComputed,
        description,
    )
}

/// A string only the provider sets.
pub fn computed_string(description: &str) -> Attribute {
    attr(
        AttributeType::String,
        AttributeConstraint::Computed,
        description,
    )
}

/// A number the configuration may set, otherwise filled in by the provider.
pub fn optional_computed_number(description: &str) -> Attribute {
    attr(
        AttributeType::Number,
        AttributeConstraint::OptionalComputed,
        description,
    )
}

/// A number the configuration must set.
pub fn required_number(description: &str) -> Attribute {
    attr(
        AttributeType::Number,
        AttributeConstraint::Required,
        description,
    )
}

/// A number the configuration may set.
pub fn optional_number(description: &str) -> Attribute {
    attr(
        AttributeType::Number,
        AttributeConstraint::Optional,
        description,
    )
}

/// A number only the provider sets.
pub fn computed_number(description: &str) -> Attribute {
    attr(
        AttributeType::Number,
        AttributeConstraint::Computed,
        description,
    )
}

/// A boolean the configuration may set, otherwise filled in by the provider.
pub fn optional_computed_bool(description: &str) -> Attribute {
    attr(
        AttributeType::Bool,
        AttributeConstraint::OptionalComputed,
        description,
    )
}

/// A boolean the configuration may set.
pub fn optional_bool(description: &str) -> Attribute {
    attr(
        AttributeType::Bool,
        AttributeConstraint::Optional,
        description,
    )
}

/// A boolean only the provider sets.
pub fn computed_bool(description: &str) -> Attribute {
    attr(
        AttributeType::Bool,
        AttributeConstraint::Computed,
        description,
    )
}

/// A list of strings the configuration may set, otherwise filled in by the provider.
pub fn optional_computed_string_list(description: &str) -> Attribute {
    attr(
        AttributeType::List(Box::new(AttributeType::String)),
        AttributeConstraint::OptionalComputed,
        description,
    )
}

/// A set of strings the configuration may set, otherwise filled in by the provider.
pub fn optional_computed_string_set(description: &str) -> Attribute {
    attr(
        AttributeType::Set(Box::new(AttributeType::String)),
        AttributeConstraint::OptionalComputed,
        description,
    )
}

/// A set of strings the configuration may set.
pub fn optional_string_set(description: &str) -> Attribute {
    attr(
        AttributeType::Set(Box::new(AttributeType::String)),
        AttributeConstraint::Optional,
        description,
    )
}

/// A list of strings the configuration may set.
pub fn optional_string_list(description: &str) -> Attribute {
    attr(
        AttributeType::List(Box::new(AttributeType::String)),
        AttributeConstraint::Optional,
        description,
    )
}

/// A list of strings only the provider sets.
pub fn computed_string_list(description: &str) -> Attribute {
    attr(
        AttributeType::List(Box::new(AttributeType::String)),
        AttributeConstraint::Computed,
        description,
    )
}

/// A map of strings (tags) the configuration may set.
pub fn optional_string_map(description: &str) -> Attribute {
    attr(
        AttributeType::Map(Box::new(AttributeType::String)),
        AttributeConstraint::Optional,
        description,
    )
}

/// A map of strings only the provider sets.
pub fn computed_string_map(description: &str) -> Attribute {
    attr(
        AttributeType::Map(Box::new(AttributeType::String)),
        AttributeConstraint::Computed,
        description,
    )
}

/// A schema of `version` from a description and its attributes.
pub fn schema(version: i64, description: &str, attributes: Vec<(&str, Attribute)>) -> Schema {
    Schema {
        version,
        block: Block {
            version,
            attributes: attributes
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect::<HashMap<_, _>>(),
            blocks: HashMap::new(),
            description: Description::markdown(description),
            deprecated: false,
        },
    }
}

/// How a description says that an argument forces replacement: AWS cannot
/// change it in place, so a change replaces the object.
pub const REPLACES: &str = "Changing it replaces";

/// `attribute`, which AWS cannot change in place: its description says that
/// changing it replaces the object, and that is how the provider knows to
/// plan a replacement (see [`replacing`]).
pub fn replaces(mut attribute: Attribute) -> Attribute {
    if !attribute.description.content.contains(REPLACES) {
        attribute
            .description
            .content
            .push_str(" Changing it replaces the object.");
    }
    attribute
}

/// The top-level attributes of `schema` that force replacement, by name.
pub fn replacing(schema: &Schema) -> Vec<String> {
    let mut names: Vec<String> = schema
        .block
        .attributes
        .iter()
        .filter(|(_, a)| a.description.content.contains(REPLACES))
        .map(|(name, _)| name.clone())
        .collect();
    names.sort();
    names
}
