//! A guest: a TCP client on 127.0.0.1 that speaks telnet as inetutils telnet does, or
//! says nothing, as netcat. Does IO (one socket, blocking reads with deadlines).

use crate::expect::{Expect, Seen};
use crate::telnet::{TelnetClient, GREETING};
use crate::text::{lossy, printable, Pattern, Received};
use crate::DEADLINE;
use std::fmt;
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpStream};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

/// How a guest's connection ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    /// The server closed it: end of stream (FIN).
    Closed,
    /// The server reset it (RST).
    Reset,
    /// Another read error.
    Failed(io::ErrorKind),
}

impl fmt::Display for Ended {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ended::Closed => f.write_str("closed by the server (FIN)"),
            Ended::Reset => f.write_str("reset by the server (RST)"),
            Ended::Failed(kind) => write!(f, "failed: {kind}"),
        }
    }
}

/// A guest: a TCP client on 127.0.0.1 with TCP_NODELAY (a key is one byte; Nagle would
/// hold it back behind any unacknowledged segment). It reads only when a test waits
/// (blocking reads with a deadline), so the socket has one descriptor and
/// [`Guest::reset`] really sends RST. Telnet commands are stripped from its transcript.
#[derive(Debug)]
pub struct Guest {
    stream: TcpStream,
    local: SocketAddr,
    telnet: TelnetClient,
    raw: Vec<u8>,
    /// What the guest's screen shows: the text, telnet commands taken out.
    text: Received,
    cursor: usize,
    ended: Option<Ended>,
}

impl Guest {
    /// Connects as a telnet client: waits for the server's 12-byte greeting and answers
    /// as inetutils telnet with `TERM=xterm` does: `IAC DO ECHO, IAC DO SGA, IAC WILL
    /// TTYPE, IAC WILL NEW-ENVIRON`, then terminal type XTERM and no user name when
    /// asked (and refuses anything else).
    #[track_caller]
    pub fn connect(port: u16) -> Guest {
        Guest::try_connect(port).unwrap_or_else(|e| panic!("guest: cannot connect: {e}"))
    }

    /// As [`Guest::connect`], with a client that reports `terminal` as its terminal type
    /// (`XTERM` for colour; the default is `DUMB`).
    #[track_caller]
    pub fn connect_with_terminal(port: u16, terminal: &'static str) -> Guest {
        Guest::try_connect_with(port, terminal)
            .unwrap_or_else(|e| panic!("guest: cannot connect: {e}"))
    }

    fn try_connect(port: u16) -> io::Result<Guest> {
        Guest::try_connect_with(port, "DUMB")
    }

    fn try_connect_with(port: u16, terminal: &'static str) -> io::Result<Guest> {
        let mut guest = Guest::open(port, true)?;
        guest.telnet.set_terminal(terminal);
        let deadline = Instant::now() + DEADLINE;
        while guest.raw.len() < GREETING.len() {
            if !guest.read_more(deadline)? {
                return Err(io::Error::other(format!(
                    "the connection ended before the greeting; got {:02x?}",
                    guest.raw
                )));
            }
        }
        Ok(guest)
    }

    /// Connects and says nothing, as netcat does: no negotiation, no waiting.
    #[track_caller]
    pub fn connect_raw(port: u16) -> Guest {
        Guest::open(port, false).unwrap_or_else(|e| panic!("guest: cannot connect: {e}"))
    }

    fn open(port: u16, answers: bool) -> io::Result<Guest> {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let stream = TcpStream::connect_timeout(&addr, DEADLINE)?;
        stream.set_nodelay(true)?;
        Ok(Guest {
            local: stream.local_addr()?,
            stream,
            telnet: TelnetClient::new(answers),
            raw: Vec::new(),
            text: Received::default(),
            cursor: 0,
            ended: None,
        })
    }

    /// This end's address: what the server calls the guest (`127.0.0.1:PORT`).
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// Sends `bytes` as they are (telnet commands included).
    #[track_caller]
    pub fn send(&mut self, bytes: &[u8]) {
        if let Err(e) = self.stream.write_all(bytes) {
            self.fail(&format!("cannot send {bytes:02x?}: {e}"));
        }
    }

    /// Hangs up gently: FIN (shutdown of the write side). The guest can still read what
    /// the server sends next, e.g. to see the server close too.
    pub fn close(&mut self) {
        let _ = self.stream.shutdown(Shutdown::Write);
    }

    /// Hangs up rudely: SO_LINGER {on, 0} and close, which sends RST.
    pub fn reset(self) {
        let linger = libc::linger {
            l_onoff: 1,
            l_linger: 0,
        };
        // SAFETY: the fd is our live socket; the option value is a linger struct whose
        // size is passed along with it.
        let rc = unsafe {
            libc::setsockopt(
                self.stream.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_LINGER,
                (&linger as *const libc::linger).cast(),
                std::mem::size_of::<libc::linger>() as libc::socklen_t,
            )
        };
        assert_eq!(rc, 0, "SO_LINGER: {}", io::Error::last_os_error());
        drop(self);
    }

    /// Reads for `window` and fails if the connection ends meanwhile.
    #[track_caller]
    pub fn expect_open_for(&mut self, window: Duration) {
        let until = Instant::now() + window;
        while Instant::now() < until {
            match self.read_more(until) {
                Ok(true) => {}
                Ok(false) => {
                    let ended = self.ended.expect("ended");
                    self.fail(&format!(
                        "the connection was {ended}, and it must stay open"
                    ));
                }
                Err(e) if e.kind() == io::ErrorKind::TimedOut => return,
                Err(e) => self.fail(&format!("read failed: {e}")),
            }
        }
    }

    /// Waits for the server to close the connection (EOF); what arrives first is kept.
    #[track_caller]
    pub fn expect_closed(&mut self) {
        match self.expect_disconnected() {
            Ended::Closed => {}
            other => self.fail(&format!("the connection was {other}, not closed")),
        }
    }

    /// Waits for the connection to end either way (FIN or RST) and says which.
    #[track_caller]
    pub fn expect_disconnected(&mut self) -> Ended {
        let deadline = Instant::now() + DEADLINE;
        loop {
            match self.read_more(deadline) {
                Ok(true) => {}
                Ok(false) => return self.ended.expect("ended"),
                Err(e) if e.kind() == io::ErrorKind::TimedOut => self.fail(&format!(
                    "the server kept the connection open for {} s",
                    DEADLINE.as_secs()
                )),
                Err(e) => self.fail(&format!("read failed: {e}")),
            }
        }
    }

    /// Whether the server still keeps the connection open, without waiting: what has
    /// piled up meanwhile is read and dropped, not kept in the transcript (a guest that
    /// waited in line through a thousand games has a lot of news behind it), and a
    /// closed or reset connection shows up behind it.
    pub fn still_connected(&mut self) -> bool {
        if self.ended.is_some() || self.stream.set_nonblocking(true).is_err() {
            return false;
        }
        let mut buf = [0u8; 16 << 10];
        let open = loop {
            match self.stream.read(&mut buf) {
                Ok(0) => break false,
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break true,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => break false,
            }
        };
        open && self.stream.set_nonblocking(false).is_ok()
    }

    /// How the connection ended, if it did (as far as the guest has read).
    pub fn ended(&self) -> Option<Ended> {
        self.ended
    }

    /// Everything received so far, telnet commands stripped.
    pub fn transcript(&self) -> String {
        lossy(self.text.bytes())
    }

    /// Every byte received so far, exactly as it arrived.
    pub fn received_raw(&self) -> Vec<u8> {
        self.raw.clone()
    }

    /// Reads once, waiting until `deadline`. `Ok(false)` once the connection has ended;
    /// an error of kind `TimedOut` when nothing came in time.
    fn read_more(&mut self, deadline: Instant) -> io::Result<bool> {
        if self.ended.is_some() {
            return Ok(false);
        }
        let mut buf = [0u8; 4096];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(io::ErrorKind::TimedOut.into());
            }
            self.stream.set_read_timeout(Some(left))?;
            match self.stream.read(&mut buf) {
                Ok(0) => {
                    self.ended = Some(Ended::Closed);
                    return Ok(false);
                }
                Ok(n) => {
                    // Taken before anything else, as the console's drain thread does.
                    let at = Instant::now();
                    self.receive(&buf[..n], at);
                    return Ok(true);
                }
                Err(e) => match e.kind() {
                    io::ErrorKind::Interrupted => {}
                    // SO_RCVTIMEO expiring reads as EAGAIN.
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => {}
                    io::ErrorKind::ConnectionReset => {
                        self.ended = Some(Ended::Reset);
                        return Ok(false);
                    }
                    kind => {
                        self.ended = Some(Ended::Failed(kind));
                        return Ok(false);
                    }
                },
            }
        }
    }

    /// Takes in bytes from the server that arrived `at`: text to the transcript,
    /// commands answered.
    fn receive(&mut self, bytes: &[u8], at: Instant) {
        self.raw.extend_from_slice(bytes);
        let mut text = Vec::with_capacity(bytes.len());
        let mut replies = Vec::new();
        self.telnet.receive(bytes, &mut text, &mut replies);
        self.text.push(&text, at);
        if !replies.is_empty() {
            // A server that already hung up does not need the answer.
            let _ = self.stream.write_all(&replies);
        }
    }

    #[track_caller]
    fn fail(&self, what: &str) -> ! {
        let text = self.text.bytes();
        let cursor = self.cursor.min(text.len());
        panic!(
            "guest {}: {what}\n  received before the cursor:\n{}\n  received after the cursor:\n{}\n  raw bytes: {}",
            self.local,
            printable(&text[..cursor]),
            printable(&text[cursor..]),
            self.raw.len()
        )
    }
}

impl Expect for Guest {
    #[track_caller]
    fn expect_seen(&mut self, pattern: Pattern<'_>) -> Seen {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let text = self.text.bytes();
            if let Some(found) = pattern.find(text, self.cursor) {
                let seen = Seen {
                    skipped: lossy(&text[self.cursor..found.start]),
                    matched: lossy(&text[found.clone()]),
                    at: self
                        .text
                        .arrived(found.end.max(1) - 1)
                        .expect("a match arrived"),
                };
                self.cursor = found.end;
                return seen;
            }
            match self.read_more(deadline) {
                Ok(true) => {}
                Ok(false) => {
                    let ended = self.ended.expect("ended");
                    self.fail(&format!(
                        "the connection was {ended} while waiting for {pattern}"
                    ))
                }
                Err(e) if e.kind() == io::ErrorKind::TimedOut => self.fail(&format!(
                    "timed out after {} s waiting for {pattern}",
                    DEADLINE.as_secs()
                )),
                Err(e) => self.fail(&format!("read failed waiting for {pattern}: {e}")),
            }
        }
    }

    /// Reads for `window` and fails if `text` arrived after the cursor. The cursor does
    /// not move. The connection may end meanwhile; use [`Guest::expect_open_for`] to
    /// check that it does not.
    #[track_caller]
    fn expect_absent(&mut self, text: &str, window: Duration) {
        let until = Instant::now() + window;
        let arrived = |guest: &Guest| {
            Pattern::Text(text)
                .find(guest.text.bytes(), guest.cursor)
                .is_some()
        };
        loop {
            if arrived(self) {
                self.fail(&format!("{text:?} arrived, and it must not"));
            }
            match self.read_more(until) {
                Ok(true) => {}
                // Nothing more can arrive.
                Ok(false) => return,
                Err(e) if e.kind() == io::ErrorKind::TimedOut => {}
                Err(e) => self.fail(&format!("read failed: {e}")),
            }
            if Instant::now() >= until {
                if arrived(self) {
                    self.fail(&format!("{text:?} arrived, and it must not"));
                }
                return;
            }
        }
    }
}
