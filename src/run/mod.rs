//! Executor: ordering, concurrency, captures, cleanup ledger, cancellation.
