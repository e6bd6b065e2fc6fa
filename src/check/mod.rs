//! Assertions on one exchange: status, headers, body matchers, JSON Schema, SCIM invariants.
