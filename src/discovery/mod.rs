//! Capabilities of a target from /ServiceProviderConfig, /ResourceTypes and /Schemas.
