//! `scimcheck discover`: what a server says it supports, for people or machines.

use clap::Args;
use serde_json::{Value, json};

use super::list::ListFormat;
use super::settings::{self, TargetArgs};
use super::{CliError, CommandResult, Context};
use crate::client::Client;
use crate::discovery::{self, Discovered};
use crate::exit;
use crate::scim::get_attr;

#[derive(Debug, Clone, Args)]
pub struct DiscoverArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

pub async fn discover(args: DiscoverArgs, ctx: &Context) -> CommandResult {
    let config = settings::load_config(&args.target).map_err(CliError::usage)?;
    let target =
        settings::resolve_target(&args.target, config.as_ref(), ctx).map_err(CliError::usage)?;
    if target.base_url.is_empty() {
        return Err(CliError::usage(
            "discover needs --url (or SCIMCHECK_URL, or url: in --config)",
        ));
    }
    let url = target.base_url.clone();
    let client = Client::new(target).map_err(CliError::usage)?;
    client.authorize().await.map_err(|e| {
        let message = client.redactor().text(&e.to_string());
        CliError::cannot_start(format!("{url}: {message}"))
    })?;
    let found = discovery::discover(&client).await.map_err(|e| {
        let message = client.redactor().text(&e.to_string());
        CliError::cannot_start(format!("{url}: {message}"))
    })?;
    match args.format {
        ListFormat::Json => {
            let doc = json!({
                "url": url,
                "capabilities": found.capabilities.names(),
                "serviceProviderConfig": found.service_provider_config,
                "resourceTypes": found.resource_types,
                "schemas": found.schemas,
                "warnings": found.warnings,
            });
            let text = serde_json::to_string_pretty(&doc).unwrap_or_default();
            let text = client.redactor().secrets_out(&text);
            println!("{}", crate::printable::json_safe(&text));
        }
        // What the server declares is shown as it said it, minus secrets and controls.
        ListFormat::Text => print!("{}", client.redactor().text(&render_text(&url, &found))),
    }
    Ok(exit::SUCCESS)
}

fn render_text(url: &str, found: &Discovered) -> String {
    let mut out = format!("target: {url}\n");
    let caps = found.capabilities.names();
    out.push_str(&format!("capabilities: {}\n", caps.join(", ")));
    if let Some(spc) = &found.service_provider_config {
        out.push_str("service provider config:\n");
        for feature in ["patch", "bulk", "filter", "changePassword", "sort", "etag"] {
            let Some(f) = get_attr(spc, feature) else {
                out.push_str(&format!("  {feature:<15} not described\n"));
                continue;
            };
            let supported = get_attr(f, "supported")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let mut line = format!(
                "  {feature:<15} {}",
                if supported {
                    "supported"
                } else {
                    "not supported"
                }
            );
            for limit in ["maxOperations", "maxPayloadSize", "maxResults"] {
                if let Some(v) = get_attr(f, limit) {
                    line.push_str(&format!(", {limit} {v}"));
                }
            }
            out.push_str(&line);
            out.push('\n');
        }
        let schemes: Vec<String> = get_attr(spc, "authenticationSchemes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|s| {
                get_attr(s, "type")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .collect();
        out.push_str(&format!(
            "  authentication  {}\n",
            if schemes.is_empty() {
                "-".to_owned()
            } else {
                schemes.join(", ")
            }
        ));
    }
    out.push_str("resource types:\n");
    for rt in &found.resource_types {
        let field = |name: &str| {
            get_attr(rt, name)
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_owned()
        };
        let extensions: Vec<String> = get_attr(rt, "schemaExtensions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|e| {
                get_attr(e, "schema")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .collect();
        out.push_str(&format!(
            "  {:<10} {:<10} {}\n",
            field("name"),
            field("endpoint"),
            field("schema")
        ));
        for ext in extensions {
            out.push_str(&format!("  {:<10} {:<10} + {ext}\n", "", ""));
        }
    }
    out.push_str("schemas:\n");
    for schema in &found.schemas {
        let id = get_attr(schema, "id")
            .and_then(Value::as_str)
            .unwrap_or("?");
        let count = get_attr(schema, "attributes")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        out.push_str(&format!("  {id} ({count} attributes)\n"));
    }
    for warning in &found.warnings {
        out.push_str(&format!("warning: {warning}\n"));
    }
    out
}
