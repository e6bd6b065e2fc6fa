//! The product a profile describes, as a reference server set up to behave like it
//! (`serve --profile NAME`).

use super::Profile;
use crate::server::{self, Emulated, ProductSetup, ServerConfig};

/// The product a profile describes, as a server setup. The error names a misspelt switch.
pub fn product_setup(profile: &Profile) -> Result<ProductSetup, String> {
    let product = &profile.product;
    let emulation = &product.emulation;
    let mut misbehaviours = if emulation.misbehave.is_empty() {
        Default::default()
    } else {
        server::parse_misbehaviours(&emulation.misbehave.join(","))
            .map_err(|e| format!("profile {}: emulate.misbehave: {e}", profile.name))?
    };
    let dialect = &product.dialect;
    // A product whose documented PatchOp has no `schemas` takes one without it.
    if dialect.patch_without_schemas {
        misbehaviours.insert(server::Misbehaviour::PatchSchemaOptional);
    }
    let mut patch_ops: Vec<String> = dialect.patch_ops.values().cloned().collect();
    patch_ops.sort();
    patch_ops.dedup();
    let fields = emulation
        .only_fields
        .then(|| product.fields.get("User").cloned())
        .flatten();
    Ok(ProductSetup {
        emulated: Emulated {
            name: profile.name.clone(),
            patch_ops,
            path_ops: dialect.path_ops.clone(),
            unquoted_filters: !dialect.unquoted_filters.is_empty(),
            required: emulation.required.clone(),
            enums: emulation.enums.clone(),
            fields,
            extra_attributes: emulation.extra_attributes.clone(),
            defaults: emulation.defaults.clone(),
            licences: emulation.licences,
        },
        misbehaviours,
        base_path: emulation.base_path.clone(),
        oauth_client_id: emulation.oauth_client_id.clone(),
    })
}

/// Sets `config` up as the product `profile` describes (`serve --profile`, and `run
/// --profile` without `--url`): the product's switches join the config's, its base path
/// and emulation replace the config's. The setup is returned for what only a caller
/// serving a product itself uses (its token endpoint's client id).
pub fn apply_to(profile: &Profile, config: &mut ServerConfig) -> Result<ProductSetup, String> {
    let product = product_setup(profile)?;
    config
        .misbehaviours
        .extend(product.misbehaviours.iter().copied());
    if let Some(base_path) = &product.base_path {
        config.base_path = base_path.clone();
    }
    config.emulated = Some(product.emulated.clone());
    Ok(product)
}
