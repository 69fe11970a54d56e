//! What the edge threads tell the game thread, and the one courtesy they show it before
//! telling: the contract between the edges and the loop, below both. An event may carry
//! a resource (a new guest's socket), but nothing here reads or writes.

use crossbeam_channel::Sender;
pub use roshambo_core::game::GuestId;
use roshambo_core::game::Recipient;
use roshambo_core::keys::Key;
use roshambo_core::records::{LeaderboardRow, PlayerRecord};
use roshambo_core::telnet::Told;
use std::fmt;
use std::net::{SocketAddr, TcpStream};

/// Why a guest's connection ended, as its reader saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Departure {
    /// The guest closed the connection (FIN).
    Closed,
    /// The connection broke (RST or another read error).
    Broken,
    /// The guest pressed Ctrl-C or sent IAC IP.
    Interrupted,
    /// The guest pressed Ctrl-D or sent IAC EOF.
    EndOfInput,
    /// The guest kept typing faster than a person can, after a warning.
    Flooded,
    /// Serving the guest failed (a panic on one of their threads, caught there).
    Failed,
}

impl fmt::Display for Departure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Departure::Closed => "closed the connection",
            Departure::Broken => "connection broken",
            Departure::Interrupted => "pressed Ctrl-C",
            Departure::EndOfInput => "pressed Ctrl-D",
            Departure::Flooded => "kept flooding keys after a warning",
            Departure::Failed => "a fault in serving them (see the log)",
        })
    }
}

/// The signals that stop the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopSignal {
    /// SIGINT: Ctrl-C on the console.
    Interrupt,
    /// SIGTERM.
    Terminate,
    /// SIGHUP: the terminal went away.
    HangUp,
    /// SIGQUIT: Ctrl-\ on the console.
    Quit,
}

impl fmt::Display for StopSignal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StopSignal::Interrupt => "SIGINT",
            StopSignal::Terminate => "SIGTERM",
            StopSignal::HangUp => "SIGHUP",
            StopSignal::Quit => "SIGQUIT",
        })
    }
}

/// Everything that can happen to the game, in the past tense.
#[derive(Debug)]
pub enum Event {
    /// The host pressed a key on the console (never Enter or Ctrl-D).
    HostPressed { key: Key },
    /// The console reached end of input, or the host pressed Ctrl-D.
    HostLeft,
    /// Someone opened a connection.
    GuestConnected { stream: TcpStream, addr: SocketAddr },
    /// A guest pressed a key (Enter included; never Ctrl-C or Ctrl-D, which end the visit).
    GuestPressed { guest: GuestId, key: Key },
    /// A guest's client spoke telnet: it is a telnet client, and `reply` (possibly
    /// empty) is what the filter answers it.
    GuestNegotiated { guest: GuestId, reply: Vec<u8> },
    /// A guest's telnet client answered what the greeting asked of it: its terminal
    /// type, or its user name (or that it has none to give). Each comes once.
    GuestTold { guest: GuestId, told: Told },
    /// A guest typed faster than a person can; the keys were dropped.
    GuestTooFast { guest: GuestId },
    /// A guest's writer thread wrote (or, failing, gave back) `bytes` it was handed.
    GuestWritten { guest: GuestId, bytes: usize },
    /// A guest's connection ended.
    GuestLeft { guest: GuestId, why: Departure },
    /// The deadline the timer was armed with (under `epoch`) has come.
    ClockFired { epoch: u64 },
    /// A signal asked the server to stop.
    Signalled { signal: StopSignal },
    /// The host pressed Ctrl-Z: the process stops once `done` is answered (or a moment
    /// has passed), so the guests can be told first.
    Pausing { done: Sender<()> },
    /// The process was continued after Ctrl-Z (`fg`): the console is in cbreak again.
    Resumed,
    /// A thread panicked; the terminal is already restored.
    Panicked,
    /// The console's output failed for good (found by its writer thread).
    ConsoleGone,
    /// A connection could not be accepted (the acceptor logged why).
    AcceptFailed,
    /// The recorder looked up the record of `name`, asked for `guest`: `None` for a
    /// name never seen (or when the lookup failed, which the recorder logged).
    RecordFound {
        guest: GuestId,
        name: String,
        record: Option<PlayerRecord>,
        /// Their last games, oldest first, as (their move, the host seat's move): the
        /// house bot learns from them.
        games: Vec<(char, char)>,
    },
    /// The recorder read the leaderboard that `for_whom` asked for (`l`); empty when
    /// nobody has played, or the read failed.
    LeaderboardReady {
        for_whom: Recipient,
        rows: Vec<LeaderboardRow>,
    },
    /// Records are being lost (a full disk, a locked or vanished file, a recorder that
    /// cannot keep up): told once per run, with the count lost so far.
    RecordsFailing { lost: u64 },
}

/// Called by an edge thread once it has read something, before it tells the game thread.
///
/// Whoever woke this thread (the terminal's kernel worker, or the guest's side of a
/// loopback send) is often still runnable on this CPU. Told now, the scheduler sees this
/// CPU busy and wakes the game thread on an idle one, which on a virtual machine with
/// halted vCPUs takes 50 to 90 µs instead of under 10. Yielding first lets the waker
/// finish, so the game thread wakes here. With nothing else runnable, the yield returns
/// at once.
pub fn yield_to_waker() {
    std::thread::yield_now();
}
