//! The bench's hostile phases: a flood of connections from many loopback addresses
//! while the host keeps pressing keys, the three seconds right after a telnet guest
//! joins, and a stop while the console has long been unread. Each starts a server of its own with the default limits.

use crate::{window, SETTLE};
use roshambo_test_support::procfs::{self, Usage};
use roshambo_test_support::{
    connect_from, pipe, roshambo, test_data_home, Expect, Guest, Pattern, Server, DEADLINE,
};
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, TcpStream};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

/// Connections in the flood, and the loopback addresses they come from.
pub const FLOOD_CONNECTIONS: usize = 1000;
pub const FLOOD_ADDRESSES: u8 = 50;

/// The server's defaults the flood runs against.
pub const MAX_GUESTS: u64 = 32;

/// What the flood showed.
#[derive(Debug)]
pub struct Flood {
    /// Threads before the flood, and the most seen during it.
    pub threads_before: u64,
    pub threads_peak: u64,
    /// The host's key to "Invalid key" on the console, each time it was pressed while
    /// the flood went on.
    pub host_keys: Vec<Duration>,
    /// How long the flood took.
    pub took: Duration,
}

/// Floods a fresh server with [`FLOOD_CONNECTIONS`] connections from
/// [`FLOOD_ADDRESSES`] addresses (127.0.0.2 on), each kept open, while the host presses
/// a key that is no move over and over and a thread samples the server's threads.
pub fn flood() -> io::Result<Flood> {
    let mut server = Server::start(&["--bind", "127.0.0.1"]);
    let pid = server.pid();
    let port = server.port();
    let _player = server.seat_guest();
    thread::sleep(SETTLE);
    let threads_before = procfs::footprint(pid)?.threads;

    let done = Arc::new(AtomicBool::new(false));
    let peak = Arc::new(AtomicU64::new(threads_before));
    let sampler = {
        let (done, peak) = (done.clone(), peak.clone());
        thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                if let Ok(fp) = procfs::footprint(pid) {
                    peak.fetch_max(fp.threads, Ordering::Relaxed);
                }
                thread::sleep(Duration::from_micros(500));
            }
        })
    };
    let flooder = {
        let done = done.clone();
        thread::spawn(move || -> io::Result<(Vec<TcpStream>, Duration)> {
            let started = Instant::now();
            let mut open = Vec::with_capacity(FLOOD_CONNECTIONS);
            for n in 0..FLOOD_CONNECTIONS {
                let from = Ipv4Addr::new(127, 0, 0, 2 + (n % usize::from(FLOOD_ADDRESSES)) as u8);
                open.push(connect_from(from, port)?);
            }
            let took = started.elapsed();
            done.store(true, Ordering::Relaxed);
            Ok((open, took))
        })
    };
    let mut host_keys = Vec::new();
    while !done.load(Ordering::Relaxed) {
        let pressed = Instant::now();
        server.press(b"x");
        let seen = server.expect_seen(Pattern::Line("Invalid key"));
        host_keys.push(seen.at.saturating_duration_since(pressed));
    }
    let (open, took) = flooder.join().expect("the flooder ran")?;
    sampler.join().expect("the sampler ran");
    // Sampled once more with every connection made: the admitted ones' readers.
    let threads_peak = peak
        .load(Ordering::Relaxed)
        .max(procfs::footprint(pid)?.threads);
    drop(open);
    Ok(Flood {
        threads_before,
        threads_peak,
        host_keys,
        took,
    })
}

/// The server's context switches in the [`crate::WINDOW`] right after a telnet guest
/// has joined and negotiated: the netcat hint it no longer needs must not wake anyone,
/// and the clock's first number is not due yet.
pub fn just_joined() -> io::Result<Usage> {
    let mut server = Server::start(&["--bind", "127.0.0.1"]);
    let pid = server.pid();
    let _guest: Guest = server.seat_guest();
    // The guest's answers to the greeting are handled (the hint is cancelled then).
    thread::sleep(Duration::from_millis(100));
    window(pid)
}

/// Tied rounds played with the console unread before the stop: far more output than
/// the pipe holds, so the server is holding and dropping lines when it is told to stop.
const STALLED_ROUNDS: usize = 6000;

/// How long SIGTERM takes to stop a server whose stdout is a pipe nobody has read for
/// [`STALLED_ROUNDS`] rounds (as `roshambo | less` left paused).
pub fn stop_with_console_stalled() -> io::Result<Duration> {
    let (mut screen, stdout) = pipe()?;
    let mut child = Command::new(roshambo())
        // Records to a temporary folder, never the user's own.
        .env("XDG_DATA_HOME", test_data_home())
        .args([
            "--port",
            "0",
            "--bind",
            "127.0.0.1",
            "--no-names",
            "--timeout",
            "86400",
        ])
        .args(["--max-key-rate", "0"])
        .stdin(Stdio::piped())
        .stdout(Stdio::from(stdout))
        .stderr(Stdio::null())
        .spawn()?;
    let mut keys = child.stdin.take().expect("piped stdin");
    let mut banner = Vec::new();
    let mut buf = [0u8; 256];
    let port = loop {
        let n = screen.read(&mut buf)?;
        if n == 0 {
            return Err(io::Error::other("the server ended before it listened"));
        }
        banner.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&banner);
        let port = text
            .split("on port ")
            .nth(1)
            .and_then(|rest| rest.split_once('\n'))
            .and_then(|(port, _)| port.trim().parse::<u16>().ok());
        if let Some(port) = port {
            break port;
        }
    };
    let mut guest = Guest::connect(port);
    guest.expect_line("Welcome to the game");
    for _ in 0..STALLED_ROUNDS {
        keys.write_all(b"r")?;
        guest.send(b"r");
        guest.expect_line("Player 0: r, Player 1: r");
    }
    let asked = Instant::now();
    // SAFETY: kill(2) on our own child.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    let deadline = asked + DEADLINE;
    loop {
        if child.try_wait()?.is_some() {
            return Ok(asked.elapsed());
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            return Err(io::Error::other("SIGTERM did not stop the server"));
        }
        thread::sleep(Duration::from_micros(200));
    }
}
