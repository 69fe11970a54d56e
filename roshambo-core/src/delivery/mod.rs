//! Delivery: what to send to whom, and when: the [`Outbox`] and the queue's news it
//! keeps once for everyone waiting. Pure.

pub mod outbox;
pub mod queue_news;

pub use outbox::{Outbox, Route, Transmit, OUTPUT_LIMIT};
pub use queue_news::QueueNews;
