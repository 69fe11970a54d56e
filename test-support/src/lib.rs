//! The harness shared by roshambo's integration tests and benchmarks: the real
//! `roshambo` binary with its console on a pseudo-terminal (or on pipes), guests as TCP
//! clients on 127.0.0.1, and waits that always end at a deadline with the transcript in
//! the failure message. Does IO (processes, pseudo-terminals, sockets, /proc); only the
//! text matching ([`Pattern`]) and the guest's telnet parser are pure.
//!
//! Every wait is for an event (text on a console or a socket, an end of stream, an
//! exit), never a bare sleep; only the `expect_absent*` checks wait out a window, because
//! proving that something does *not* happen takes time by nature. A failure panics: a
//! test fails with the message, and a bench catches it to report what it measured.
//!
//! The API, in short:
//! - [`Server::start`]`(&args)`: roshambo with `--port 0` and `args` on a pty, once it
//!   listens; [`Server::start_piped`] with a pipe or /dev/null for a console;
//!   [`Server::launch`] for env vars, stderr on a pipe of its own, or not waiting
//!   ([`Launch::spawn`] returns a [`Program`], e.g. for flags that make it exit).
//! - [`Program`]: any child with a captured console ([`Program::on_pty`] runs telnet or
//!   bash): `press`, `transcript`, `signal`, `wait_exit`, termios and /proc figures.
//!   [`Server`] derefs to it and adds `port()`.
//! - [`Guest`]: a client that negotiates as inetutils telnet does ([`Guest::connect`]) or
//!   says nothing, as netcat ([`Guest::connect_raw`]); `send`, `close` (FIN), `reset`
//!   (RST), `expect_closed`.
//! - [`Expect`], for both: `expect`, `expect_line`, `expect_rest_of_line`,
//!   `expect_absent`, and `expect_seen` with when the text arrived (for the benches).
//! - [`procfs`]: what the kernel says a process costs.

mod expect;
mod guest;
pub mod procfs;
mod program;
mod pty;
mod server;
mod sockets;
mod telnet;
mod text;

pub use expect::{Expect, Seen};
pub use guest::{Ended, Guest};
pub use program::Program;
pub use server::{roshambo, test_data_home, Launch, Server};
pub use sockets::{connect_from, pipe, pty};
pub use telnet::GREETING;
pub use text::Pattern;

use std::ffi::CString;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long any wait may take before the test fails. Generous: a loaded CI machine
/// running every test at once is slow, and a passing test never waits this long.
pub const DEADLINE: Duration = Duration::from_secs(10);

/// Whether the client program `name` (telnet, busybox, nc) is on the PATH.
///
/// When it is missing: with `ROSHAMBO_REQUIRE_CLIENTS=1` (as CI sets) the test fails;
/// otherwise a loud SKIP goes to stderr and the caller should return.
pub fn require_client(name: &str) -> bool {
    let found = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).any(|dir| is_executable(&dir.join(name))))
        .unwrap_or(false);
    if found {
        return true;
    }
    if std::env::var("ROSHAMBO_REQUIRE_CLIENTS").as_deref() == Ok("1") {
        panic!("the client program `{name}` is not on the PATH, and ROSHAMBO_REQUIRE_CLIENTS=1 requires it");
    }
    eprintln!();
    eprintln!("**************************************************************");
    eprintln!("SKIP: `{name}` is not installed; this test did NOT run.");
    eprintln!("      Install it, or set ROSHAMBO_REQUIRE_CLIENTS=1 to fail instead.");
    eprintln!("**************************************************************");
    false
}

fn is_executable(path: &Path) -> bool {
    let Ok(c_path) = CString::new(path.as_os_str().as_encoded_bytes()) else {
        return false;
    };
    // SAFETY: access(2) only reads the NUL-terminated path.
    path.is_file() && unsafe { libc::access(c_path.as_ptr(), libc::X_OK) } == 0
}

/// A folder of its own in the temporary directory for one test, removed with all in it
/// when dropped.
#[derive(Debug)]
pub struct TempFolder(pub PathBuf);

impl TempFolder {
    pub fn new(tag: &str) -> TempFolder {
        let path = temp_path(tag);
        std::fs::create_dir_all(&path).expect("make a temp folder");
        TempFolder(path)
    }

    /// A records file in it, as roshambo names its own.
    pub fn db(&self) -> PathBuf {
        self.0.join("roshambo.db")
    }
}

impl Drop for TempFolder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A path in the temporary directory that no other test (or test run) uses.
pub fn temp_path(tag: &str) -> PathBuf {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    std::env::temp_dir().join(format!("roshambo-{tag}-{}-{nanos}", std::process::id()))
}
