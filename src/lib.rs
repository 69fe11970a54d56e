//! roshambo: a rock-paper-scissors server. The host plays on the console with single
//! key presses; guests connect with any telnet client and play best-of-N matches.
//!
//! The pure core (the game, the telnet filter, delivery) is its own crate,
//! [`roshambo_core`], which can do no IO. This crate is what does:
//!
//! - [`edges`]: the threads that turn bytes into [`events::Event`]s on one channel:
//!   the console, the acceptor, a reader per guest, the timer and the signal thread;
//!   and the terminal's RAII guard.
//! - [`events`]: the contract between the edges and the loop, below both.
//! - [`server`]: the game thread, one `select!` loop that owns the table and the
//!   outbox and never blocks on a guest.
//! - [`flags`]: the command line.
//! - [`records`]: the records file (SQLite): every match and game, the leaderboard.
//! - [`stats`]: `roshambo stats`, the records printed.

pub mod edges;
pub mod events;
pub mod flags;
pub mod records;
pub mod server;
pub mod stats;
