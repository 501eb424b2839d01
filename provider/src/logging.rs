//! Logs as hclog-style JSON lines on standard error, which Terraform reads and
//! shows with `TF_LOG`. Standard output carries only the plugin handshake.

use std::fmt::Write as _;
use std::io::Write as _;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;

/// The level from `TF_LOG_PROVIDER_AMISIM`, then `TF_LOG_PROVIDER`, then `TF_LOG`; none means off.
pub fn level_from_env() -> Option<Level> {
    ["TF_LOG_PROVIDER_AMISIM", "TF_LOG_PROVIDER", "TF_LOG"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
        .and_then(|v| match v.to_ascii_uppercase().as_str() {
            "TRACE" | "JSON" => Some(Level::TRACE),
            "DEBUG" => Some(Level::DEBUG),
            "INFO" => Some(Level::INFO),
            "WARN" => Some(Level::WARN),
            "ERROR" => Some(Level::ERROR),
            _ => None,
        })
}

/// Installs the stderr logger, unless `PLUGIN_LOG_FILE` asks tf-provider to log to a file.
pub fn init() {
    if std::env::var_os("PLUGIN_LOG_FILE").is_some() {
        return;
    }
    if let Some(level) = level_from_env() {
        let _ = tracing_subscriber::registry()
            .with(HclogLayer { max: level })
            .try_init();
    }
}

struct HclogLayer {
    max: Level,
}

#[derive(Default)]
struct Fields {
    message: String,
    extra: Vec<(String, String)>,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message = value.to_string();
        } else {
            self.extra
                .push((field.name().to_string(), value.to_string()));
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let mut text = String::new();
        let _ = write!(text, "{value:?}");
        if field.name() == "message" {
            self.message = text;
        } else {
            self.extra.push((field.name().to_string(), text));
        }
    }
}

impl<S: Subscriber> Layer<S> for HclogLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let level = *event.metadata().level();
        // Dependencies (gRPC, TLS, HTTP/2) speak only at TRACE; the provider at the level asked for.
        let ours = event.metadata().target().starts_with("amisim");
        if level > self.max || (!ours && self.max < Level::TRACE) {
            return;
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        let mut line = serde_json::Map::new();
        line.insert("@level".into(), level.as_str().to_ascii_lowercase().into());
        line.insert("@message".into(), fields.message.into());
        line.insert(
            "@module".into(),
            "provider.terraform-provider-amisim".into(),
        );
        line.insert("@timestamp".into(), timestamp().into());
        for (k, v) in fields.extra {
            line.insert(k, v.into());
        }
        let mut out = std::io::stderr().lock();
        let _ = writeln!(out, "{}", serde_json::Value::Object(line));
    }
}

fn timestamp() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    format!("{}.{:06}", now.as_secs(), now.subsec_micros())
}
