//! The one place that turns simulator errors into Terraform diagnostics.
//!
//! A refusal reads: summary `<what failed>: <AWS code>`, detail `<AWS code>:
//! <the rule that was broken>`, a blank line, and what to do instead.

use std::borrow::Cow;

use amisim_simulator::Error;
use tf_provider::{AttributePath, Diagnostic, Diagnostics};

/// Adds an error built from its parts, without the backtrace `Diagnostic::new` would capture.
pub fn error(
    diags: &mut Diagnostics,
    summary: impl Into<Cow<'static, str>>,
    detail: impl Into<Cow<'static, str>>,
    attribute: Option<&str>,
) {
    diags.errors.push(Diagnostic {
        summary: summary.into(),
        detail: detail.into(),
        attribute: attribute
            .map(|a| AttributePath::new(a.to_string()))
            .unwrap_or_else(AttributePath::root),
    });
}

/// Adds a warning.
pub fn warning(
    diags: &mut Diagnostics,
    summary: impl Into<Cow<'static, str>>,
    detail: impl Into<Cow<'static, str>>,
) {
    diags.warnings.push(Diagnostic {
        summary: summary.into(),
        detail: detail.into(),
        attribute: AttributePath::root(),
    });
}

/// Adds the simulator's refusal of `what` (for example "Unable to copy image").
pub fn refusal(diags: &mut Diagnostics, what: &str, err: &Error) {
    refusal_at(diags, what, err, None);
}

/// Adds the simulator's refusal, pointing at the attribute the user should change.
pub fn refusal_at(diags: &mut Diagnostics, what: &str, err: &Error, attribute: Option<&str>) {
    let mut detail = format!("{}: {}", err.code(), err.message);
    if !err.hint.is_empty() {
        detail.push_str("\n\n");
        detail.push_str(&err.hint);
    }
    if let Some(id) = &err.existing {
        detail.push_str(&format!(
            ":\n\nimport {{\n  to = <this resource's address>\n  id = \"{id}\"\n}}"
        ));
    }
    error(diags, format!("{what}: {}", err.code()), detail, attribute);
}

/// Runs a check and reports its refusal at `attribute`; true if it passed.
pub fn check(
    diags: &mut Diagnostics,
    attribute: &str,
    result: amisim_simulator::Result<()>,
) -> bool {
    match result {
        Ok(()) => true,
        Err(e) => {
            refusal_at(diags, &format!("Invalid {attribute}"), &e, Some(attribute));
            false
        }
    }
}
