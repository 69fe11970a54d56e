//! roshambo: a rock-paper-scissors server. The host plays on the console with single
//! key presses; guests connect with any telnet client and play best-of-N matches.
//!
//! The crate is a pure core and thin edges:
//!
//! - The core has no IO and no clock (time is passed in): [`rules`], [`countdown`],
//!   [`standings`], [`key_rate`], [`telnet`], [`table`], which holds the whole game,
//!   and [`line_news`], what the line watches, kept once for everyone waiting.
//! - The edges turn bytes into [`events::Event`]s on one channel: [`console`],
//!   [`acceptor`], [`connection`] (a reader thread per guest), [`timer`] and
//!   [`signals`]; [`terminal`] owns the host's terminal settings.
//! - [`server`] is the game thread: one `select!` loop that owns all state and never
//!   blocks on a guest. It writes to guests without blocking; a guest's writer thread
//!   takes over only while that guest's socket is full.

pub mod acceptor;
pub mod connection;
pub mod console;
pub mod countdown;
pub mod events;
pub mod flags;
pub mod key_rate;
pub mod line_news;
pub mod rules;
pub mod server;
pub mod signals;
pub mod standings;
pub mod table;
pub mod telnet;
pub mod terminal;
pub mod timer;
