//! The harness shared by roshambo's integration tests and benchmarks.
