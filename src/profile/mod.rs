//! IdP and vendor profiles: request dialect and expectation overlays.
