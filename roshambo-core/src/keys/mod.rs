//! Keys: what a keyboard's bytes mean (one [`Key`] per key pressed, however many bytes
//! it sent), what a line-mode client's lines mean, and how fast a guest may type. Pure:
//! no IO, and time is passed in.

pub mod decoder;
pub mod line;
pub mod rate;

pub use decoder::{Key, KeyDecoder, SpecialKey, KEY_TIMEOUT, MAX_SEQUENCE};
pub use line::{TypedLine, MAX_LINE};
pub use rate::{KeyRate, Verdict};
