//! The game: the rules, one match, the guest's clock, the host's standings, who may come
//! in, the queue of waiting guests, the netcat hint, and the table that composes them.
//! Pure: no IO, no clock.

pub mod admission;
pub mod colour;
pub mod countdown;
pub mod happening;
pub mod hints;
pub mod messages;
pub mod names;
pub mod queue;
pub mod rules;
pub mod standings;
pub mod table;

use std::fmt;

/// A guest's number for this run of the server, given in order of arrival.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GuestId(pub u64);

impl fmt::Display for GuestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "guest #{}", self.0)
    }
}

pub use happening::Happening;
pub use table::{Action, Recipient, Table, TableSettings};
