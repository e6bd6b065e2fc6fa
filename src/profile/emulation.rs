//! The product a profile describes, as a reference server set up to behave like it
//! (`serve --profile NAME`).

use super::Profile;
use crate::server::{self, Emulated, ProductSetup};

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
        },
        misbehaviours,
        base_path: emulation.base_path.clone(),
        oauth_client_id: emulation.oauth_client_id.clone(),
    })
}
