//! Embedded reference SCIM server (axum, in memory) with misbehaviour switches.
