//! What a guest types, judged: how fast they may type. Pure.

pub mod rate;

pub use rate::{KeyRate, Verdict};
