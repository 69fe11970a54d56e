//! Delivery: what to send to whom, and when. Pure.

pub mod queue_news;

pub use queue_news::QueueNews;
