//! SCIM HTTP client: auth, rate limit, retries, timeouts, transcript, redaction of secrets.
