//! The e2e bench's parts: the floor relay, the pty host, the bot guest, /proc readers,
//! and the telnet-filter load it shares with the `telnet_filter` bench.

pub mod filter_load;
pub mod floor;
pub mod guest;
pub mod procfs;
pub mod pty;
pub mod transcript;
