//! Delivery: what to send to whom, and when: the [`Outbox`], the queue's news it keeps
//! once for everyone waiting, and the host's [`Notices`] of what guests did. Pure.

pub mod notices;
pub mod outbox;
pub mod queue_news;

pub use notices::{Cause, Notices};
pub use outbox::{Outbox, Route, Transmit, OUTPUT_LIMIT};
pub use queue_news::QueueNews;
