//! `scimcheck discover`: what a server says it supports, for people or machines.

use serde_json::{Value, json};

use crate::cli::EnvSource;
use crate::cli::discover::DiscoverArgs;
use crate::cli::list::ListFormat;
use crate::client::Client;
use crate::discovery::{self, Discovered};
use crate::exit;
use crate::scim::get_attr;

use super::{fail, settings};

pub async fn discover(args: DiscoverArgs, env: &dyn EnvSource) -> i32 {
    let config = match settings::load_config(&args.target) {
        Ok(config) => config,
        Err(message) => return fail(exit::USAGE, message),
    };
    let target = match settings::resolve_target(&args.target, config.as_ref(), env) {
        Ok(target) => target,
        Err(message) => return fail(exit::USAGE, message),
    };
    if target.base_url.is_empty() {
        return fail(
            exit::USAGE,
            "discover needs --url (or SCIMCHECK_URL, or url: in --config)",
        );
    }
    let url = target.base_url.clone();
    let client = match Client::new(target) {
        Ok(client) => client,
        Err(e) => return fail(exit::USAGE, e),
    };
    if let Err(e) = client.authorize().await {
        let message = client.redactor().text(&e.to_string());
        return fail(exit::CANNOT_START, format!("{url}: {message}"));
    }
    let found = match discovery::discover(&client).await {
        Ok(found) => found,
        Err(e) => {
            let message = client.redactor().text(&e.to_string());
            return fail(exit::CANNOT_START, format!("{url}: {message}"));
        }
    };
    match args.format {
        ListFormat::Json => {
            let doc = json!({
                "url": url,
                "capabilities": found.capabilities.names().collect::<Vec<_>>(),
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
    exit::SUCCESS
}

fn render_text(url: &str, found: &Discovered) -> String {
    let mut out = format!("target: {url}\n");
    let caps: Vec<&str> = found.capabilities.names().collect();
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
