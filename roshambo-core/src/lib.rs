//! roshambo's pure core: everything the server decides, with no IO, no clock and no
//! threads inside. Time comes in as `now`, bytes come in as slices, and what to do comes
//! out of `poll_*` methods for the edges to carry out (the shape of quinn-proto).
//!
//! - [`bot`]: the house bot, which reads a player's habits and picks its move before it
//!   can know theirs, for any variant; and the habits card shown after a match.
//! - [`game`]: the rules, the match, the guest's clock, the standings, who may come in,
//!   the queue of waiting guests, the netcat hint, and the [`game::Table`] that composes
//!   them.
//! - [`telnet`]: the filter that turns a guest's raw bytes into what they typed, and
//!   answers option negotiation (RFC 1143).
//! - [`keys`]: what a keyboard's bytes mean (one key per key press) and how fast a guest
//!   may type.
//! - [`delivery`]: the outbox that decides what to send to whom and when: the players
//!   first, the queue's news held and coalesced, the 64 KiB bound.
//! - [`records`]: what is recorded of matches and games, and how records read as text.
//!
//! This crate depends on nothing that could do IO (no libc, no channels, no threads),
//! so the compiler keeps it pure.

pub mod bot;
pub mod delivery;
pub mod game;
pub mod keys;
pub mod records;
pub mod telnet;
