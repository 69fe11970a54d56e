//! Guests who misbehave: floods of keys, of garbage and of telnet commands; a guest who
//! never reads; hundreds of connections opened and dropped. Each costs the server
//! bounded memory, never slows the host's game, and the worst are dropped. The real
//! binary on a pty, the misbehaving clients on raw sockets.

use roshambo_test_support::{Expect, Guest, Server, DEADLINE};
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::os::fd::{AsRawFd, FromRawFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// How big the server may grow while guests misbehave. It idles at a few MiB; a server
/// that buffered a flood would pass this within the first few MiB of it.
const RSS_LIMIT_KIB: u64 = 32 * 1024;

/// How long the host's key may take to be answered while a flood is on. A game answers
/// in milliseconds; this is generous for a loaded machine and far short of a stall.
const PROMPTLY: Duration = Duration::from_secs(2);

const MIB: usize = 1024 * 1024;

/// A plain TCP client of the server, its receive buffer set to `rcvbuf` before the
/// connection is made (which is what bounds the window the server may fill).
fn raw_connect(port: u16, rcvbuf: Option<libc::c_int>) -> TcpStream {
    // SAFETY: plain socket(2); the result is checked before use.
    let fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0) };
    assert!(fd >= 0, "socket: {}", io::Error::last_os_error());
    // SAFETY: `fd` is a new socket that nothing else owns; the stream closes it.
    let stream = unsafe { TcpStream::from_raw_fd(fd) };
    if let Some(bytes) = rcvbuf {
        set_int_option(&stream, libc::SO_RCVBUF, bytes);
    }
    let server = libc::sockaddr_in {
        sin_family: libc::AF_INET as libc::sa_family_t,
        sin_port: port.to_be(),
        sin_addr: libc::in_addr {
            s_addr: u32::from(Ipv4Addr::LOCALHOST).to_be(),
        },
        sin_zero: [0; 8],
    };
    // SAFETY: a sockaddr_in of the size passed with it.
    let rc = unsafe {
        libc::connect(
            fd,
            (&server as *const libc::sockaddr_in).cast(),
            std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t,
        )
    };
    assert_eq!(rc, 0, "connect: {}", io::Error::last_os_error());
    stream
}

fn set_int_option(stream: &TcpStream, name: libc::c_int, value: libc::c_int) {
    // SAFETY: the fd is a live socket; the value is a c_int and its size is passed.
    let rc = unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            name,
            (&value as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    assert_eq!(rc, 0, "setsockopt {name}: {}", io::Error::last_os_error());
}

/// Makes closing `stream` send RST instead of FIN: SO_LINGER {on, 0 s}.
fn reset_on_close(stream: &TcpStream) {
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: the fd is a live socket; the value is a linger struct and its size is passed.
    let rc = unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&linger as *const libc::linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        )
    };
    assert_eq!(rc, 0, "SO_LINGER: {}", io::Error::last_os_error());
}

/// VmRSS of `pid` in KiB, or `None` once the process is gone.
fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Waits until the server's console announces the guest at `addr`, as seated or waiting.
#[track_caller]
fn expect_arrival(server: &mut Server, addr: SocketAddr, waiting_place: Option<usize>) {
    match waiting_place {
        Some(place) => {
            server.expect_line(&format!("Guest waiting: {addr} (number {place} in line)"))
        }
        None => server.expect_line(&format!("Player connected: {addr}")),
    };
}

// ---------------------------------------------------------------------------------------
// Floods.

/// How a flood ended.
#[derive(Debug)]
struct FloodReport {
    sent: usize,
    /// The write error that ended it: the server dropped the flooder.
    error: Option<io::Error>,
    /// The most the server's RSS was seen at while the flood was on.
    peak_rss_kib: u64,
}

/// How long a flood goes on.
#[derive(Clone, Copy, Debug)]
enum Until {
    /// This many bytes, rounded up to whole patterns (unless the server drops the
    /// flooder first).
    Sent(usize),
    /// Until the server drops the flooder, or the deadline, or `stop` is set.
    Dropped,
}

/// A thread that writes `pattern` over and over to `stream` and never reads, sampling
/// the server's RSS as it goes. `started` is told once the first MiB is out.
struct Flood {
    thread: JoinHandle<FloodReport>,
    started: mpsc::Receiver<()>,
    stop: Arc<AtomicBool>,
}

impl Flood {
    fn start(stream: TcpStream, pattern: Vec<u8>, until: Until, server_pid: u32) -> Flood {
        let (tell, started) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let thread = thread::spawn(move || {
            let mut stream = stream;
            // Short, so that `stop` and the deadline are seen while the server is slow.
            stream
                .set_write_timeout(Some(Duration::from_millis(100)))
                .unwrap();
            // Whole patterns only, and every write goes on where the last one stopped:
            // the server must see `pattern` repeated, never a sequence cut in two.
            let repeats = (64 * 1024 / pattern.len()).max(1);
            let chunk: Vec<u8> = pattern.repeat(repeats);
            let until = match until {
                Until::Sent(total) => Until::Sent(total.div_ceil(chunk.len()) * chunk.len()),
                Until::Dropped => Until::Dropped,
            };
            // A flood the server ends does so within a second or two; one of a given
            // size takes as long as the machine needs, within reason.
            let deadline = Instant::now() + 3 * DEADLINE;
            let (mut sent, mut error, mut peak, mut next_sample) = (0, None, 0, 0);
            let mut told = false;
            while Instant::now() < deadline && !stopping.load(Ordering::Relaxed) {
                if matches!(until, Until::Sent(total) if sent >= total) {
                    break;
                }
                match stream.write(&chunk[sent % chunk.len()..]) {
                    Ok(0) => break,
                    Ok(n) => sent += n,
                    Err(e)
                        if matches!(
                            e.kind(),
                            io::ErrorKind::WouldBlock
                                | io::ErrorKind::TimedOut
                                | io::ErrorKind::Interrupted
                        ) => {}
                    Err(e) => {
                        error = Some(e);
                        break;
                    }
                }
                if sent >= next_sample {
                    peak = peak.max(rss_kib(server_pid).unwrap_or(0));
                    next_sample = sent + 256 * 1024;
                }
                if !told && sent >= MIB {
                    told = true;
                    let _ = tell.send(());
                }
            }
            peak = peak.max(rss_kib(server_pid).unwrap_or(0));
            FloodReport {
                sent,
                error,
                peak_rss_kib: peak,
            }
        });
        Flood {
            thread,
            started,
            stop,
        }
    }

    /// Waits until the first MiB of the flood is out.
    #[track_caller]
    fn wait_started(&self) {
        self.started
            .recv_timeout(DEADLINE)
            .expect("the flood did not get its first MiB out in time");
    }

    /// Waits for the flood to end (it ends by itself at its deadline).
    fn join(self) -> FloodReport {
        self.thread.join().expect("the flood thread panicked")
    }

    /// Ends the flood now and waits for it.
    fn stop(self) -> FloodReport {
        self.stop.store(true, Ordering::Relaxed);
        self.join()
    }
}

/// Everything a client received until its connection ended, read on a thread.
fn read_to_end(stream: TcpStream) -> JoinHandle<(Vec<u8>, io::Result<()>)> {
    thread::spawn(move || {
        let mut stream = stream;
        let _ = stream.set_read_timeout(Some(DEADLINE * 2));
        let mut got = Vec::new();
        let mut buf = [0u8; 16 * 1024];
        let end = loop {
            match stream.read(&mut buf) {
                Ok(0) => break Ok(()),
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => break Err(e),
            }
        };
        (got, end)
    })
}

/// The host presses `host`, the playing guest sends `visitor`, and the result line
/// reaches both; fails if it took longer than [`PROMPTLY`].
#[track_caller]
fn play_promptly(server: &mut Server, guest: &mut Guest, host: char, visitor: char) {
    let pressed = Instant::now();
    server.play(guest, host, visitor);
    let took = pressed.elapsed();
    assert!(
        took < PROMPTLY,
        "the host's key was answered after {took:?} while a guest misbehaved"
    );
}

#[track_caller]
fn assert_bounded(report: &FloodReport) {
    assert!(
        report.peak_rss_kib > 0 && report.peak_rss_kib < RSS_LIMIT_KIB,
        "the server's RSS reached {} KiB during a flood of {} bytes ({report:?})",
        report.peak_rss_kib,
        report.sent
    );
}

/// Bytes that are keys but no telnet command and no way of leaving: no IAC, Ctrl-C or
/// Ctrl-D. A fixed xorshift sequence, so a failure can be replayed.
fn garbage_keys(len: usize) -> Vec<u8> {
    let mut state: u32 = 0x9e37_79b9;
    let mut bytes = Vec::with_capacity(len);
    while bytes.len() < len {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let b = (state >> 24) as u8;
        if !matches!(b, 0x03 | 0x04 | 0xff) {
            bytes.push(b);
        }
    }
    bytes
}

/// Telnet commands that mean nothing to a game: NOP, DM, GA, AYT, negotiation the server
/// has settled, and subnegotiations whose payload spells moves. None is a key.
fn harmless_commands() -> Vec<u8> {
    let mut bytes = Vec::new();
    for _ in 0..8 {
        bytes.extend_from_slice(&[0xff, 0xf1]); // IAC NOP
    }
    bytes.extend_from_slice(&[0xff, 0xf2, 0xff, 0xf9, 0xff, 0xf6]); // DM, GA, AYT
    bytes.extend_from_slice(&[0xff, 0xfd, 0x01, 0xff, 0xfd, 0x03]); // DO ECHO, DO SGA
    bytes.extend_from_slice(&[0xff, 0xfb, 0x18, 0xff, 0xfe, 0x22]); // WILL TTYPE, DONT LINEMODE
    bytes.extend_from_slice(&[0xff, 0xfa, 0x18, 0x00]); // SB TTYPE IS
    bytes.extend_from_slice(b"rpsrpsrps");
    bytes.extend_from_slice(&[0xff, 0xf0]); // SE
    bytes
}

#[test]
fn keys_flooded_from_the_line_get_one_warning_then_a_drop_and_the_host_plays_on() {
    // The flooder never negotiates, so it is in line mode, and it never sends Enter: the
    // rate judges each key it types all the same.
    let mut server = Server::start(&["--timeout", "60"]);
    let mut playing = server.seat_guest();
    let flooder = raw_connect(server.port(), None);
    expect_arrival(&mut server, flooder.local_addr().unwrap(), Some(1));
    let heard = read_to_end(flooder.try_clone().unwrap());

    let flood = Flood::start(flooder, b"r".to_vec(), Until::Dropped, server.pid());
    flood.wait_started();
    play_promptly(&mut server, &mut playing, 'r', 's');

    server.expect("1 guest dropped for flooding");
    let report = flood.join();
    assert!(
        report.error.is_some(),
        "the flooder is dropped, so its writes fail: {report:?}"
    );
    assert_bounded(&report);
    let (got, _) = heard.join().unwrap();
    let said = String::from_utf8_lossy(&got);
    let warnings: Vec<&str> = said
        .split("\r\n")
        .filter(|line| line.contains("Slow down"))
        .collect();
    assert_eq!(
        warnings.len(),
        1,
        "one warning line; the flooder got:\n{said}"
    );
    assert!(
        said.contains("\r\nSlow down"),
        "the warning line starts with Slow down: {said}"
    );
    // The warning is the guest's and the log's; the host's console hears only of the
    // drop.
    assert_eq!(
        server.transcript().matches("typing too fast").count(),
        0,
        "the console is the host's:\n{}",
        server.transcript()
    );

    // The flooder is out of the line: the next guest is number 1.
    let _next = {
        let mut next = server.guest();
        next.expect_line("You are number 1 in line");
        next
    };
    play_promptly(&mut server, &mut playing, 'p', 'p');
}

#[test]
fn garbage_from_the_playing_guest_who_never_reads_gets_them_dropped_and_the_next_plays() {
    let mut server = Server::start(&["--timeout", "60"]);
    let flooder = raw_connect(server.port(), None);
    expect_arrival(&mut server, flooder.local_addr().unwrap(), None);
    let mut next = server.guest();
    expect_arrival(&mut server, next.local_addr(), Some(1));

    let flood = Flood::start(
        flooder,
        garbage_keys(64 * 1024),
        Until::Dropped,
        server.pid(),
    );
    server.expect("1 guest dropped for flooding");
    server.expect_line("Opponent disconnected.");
    server.expect_line(&format!("Player connected: {}", next.local_addr()));
    next.expect_line("Welcome to the game");
    let report = flood.join();
    assert!(
        report.error.is_some(),
        "the flooder was cut off: {report:?}"
    );
    assert_bounded(&report);

    play_promptly(&mut server, &mut next, 's', 'p');
}

#[test]
fn telnet_commands_flooded_from_the_line_are_no_keys_and_cost_nothing() {
    let mut server = Server::start(&["--timeout", "60"]);
    let mut playing = server.seat_guest();
    let flooder = raw_connect(server.port(), None);
    expect_arrival(&mut server, flooder.local_addr().unwrap(), Some(1));
    let mut reader = flooder.try_clone().unwrap();

    // More than the server may grow to, so a server that kept any of it would show.
    // Never reading: the negotiation answers a command flood may draw pile up unread.
    let flood = Flood::start(
        flooder,
        harmless_commands(),
        Until::Sent(48 * MIB),
        server.pid(),
    );
    flood.wait_started();
    play_promptly(&mut server, &mut playing, 'r', 'p');
    let report = flood.join();
    assert!(
        report.error.is_none() && report.sent >= 48 * MIB,
        "commands are no keys: the flooder is never dropped: {report:?}"
    );
    assert_bounded(&report);

    // Still in line, never warned: a real key now gets the place.
    reader.write_all(b"x").unwrap();
    let said = read_until_count(&mut reader, "You are number 1 in line", 2);
    assert!(
        !said.contains("Slow down"),
        "no key was sent, so no warning: {said}"
    );
    assert!(
        !server.transcript().contains("typing too fast"),
        "{}",
        server.transcript()
    );
    play_promptly(&mut server, &mut playing, 's', 's');
}

/// Reads `stream` until `text` has arrived `times` times in all; returns what was read.
#[track_caller]
fn read_until_count(stream: &mut TcpStream, text: &str, times: usize) -> String {
    let deadline = Instant::now() + DEADLINE;
    let mut got = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        let seen = String::from_utf8_lossy(&got).into_owned();
        if seen.matches(text).count() >= times {
            return seen;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(
            !left.is_zero(),
            "{text:?} did not arrive {times} times in time; got {} bytes: {:?}",
            got.len(),
            seen.chars().rev().take(300).collect::<String>()
        );
        stream.set_read_timeout(Some(left)).unwrap();
        match stream.read(&mut buf) {
            Ok(0) => panic!("the connection ended; got {seen:?}"),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => panic!("read failed: {e}; got {seen:?}"),
        }
    }
}

/// How often the guest has been told they are first in line.
fn place_lines(guest: &Guest) -> usize {
    guest
        .transcript()
        .matches("You are number 1 in line")
        .count()
}

#[test]
fn a_paste_passes_and_a_guest_who_slows_down_after_the_warning_stays() {
    let mut server = Server::start(&["--timeout", "60"]);
    let _playing = server.seat_guest();
    let mut guest = server.guest();
    guest.expect_line("You are number 1 in line");

    // A burst of 25 keys at once: the first 20 (a paste) are allowed and each one is
    // answered; the 5 over the limit get one warning and are dropped. One burst, so
    // that the bucket has no time to refill in between.
    guest.send(&[b'x'; 25]);
    guest.expect_line(
        "Slow down: that is faster than anyone types. Keep it up and you will be disconnected.",
    );
    while place_lines(&guest) < 21 {
        guest.expect_line("You are number 1 in line");
    }

    // A person's pace after the warning, through the grace and past it, is served.
    for _ in 0..10 {
        // The client's own pace, not a wait for the server: 5 keys a second.
        thread::sleep(Duration::from_millis(200));
        guest.send(b"x");
        guest.expect_line("You are number 1 in line");
    }
    guest.expect_open_for(Duration::from_millis(300));
    assert_eq!(
        place_lines(&guest),
        1 + 20 + 10,
        "the 5 keys over the limit were dropped, every other key answered:\n{}",
        guest.transcript()
    );
    assert_eq!(
        guest.transcript().matches("Slow down").count(),
        1,
        "{}",
        guest.transcript()
    );
    assert!(
        !server.transcript().contains("dropped"),
        "{}",
        server.transcript()
    );
}

#[test]
fn a_netcat_guests_lines_cost_the_key_rate_one_key_per_letter() {
    let mut server = Server::start(&["--timeout", "60"]);
    let _playing = server.seat_guest();
    // Never negotiating, the guest plays by lines.
    let mut guest = Guest::connect_raw(server.port());
    guest.expect_line("You are number 1 in line");

    // Three lines at once: 24 letters are more than a paste of 20 keys, though three
    // lines are far fewer. The rate judges what is typed, so the third line is cut short
    // by the warning (and is one Invalid key, answered with the place like any key).
    guest.send(b"scissors\nscissors\nscissors\n");
    guest.expect_line(
        "Slow down: that is faster than anyone types. Keep it up and you will be disconnected.",
    );
    guest.expect_line("You are number 1 in line");
    // Whatever comes after the warning, one place line per line: the arrival's and three.
    while place_lines(&guest) < 4 {
        guest.expect_line("You are number 1 in line");
    }
    guest.expect_open_for(Duration::from_millis(300));
    assert_eq!(place_lines(&guest), 4, "{}", guest.transcript());
    assert_eq!(
        guest.transcript().matches("Slow down").count(),
        1,
        "{}",
        guest.transcript()
    );
}

// ---------------------------------------------------------------------------------------
// A guest who never reads.

#[test]
fn a_guest_who_never_reads_is_dropped_and_the_match_goes_on() {
    // No key limit: every line from the line draws a place line, as fast as it is sent.
    // The client never negotiates, so it plays by lines: a key draws nothing until Enter.
    let mut server = Server::start(&["--max-key-rate", "0", "--timeout", "60"]);
    let mut playing = server.seat_guest();
    let silent = raw_connect(server.port(), Some(4096));
    expect_arrival(&mut server, silent.local_addr().unwrap(), Some(1));
    let mut silent_reader = silent.try_clone().unwrap();

    let flood = Flood::start(silent, b"x\n".to_vec(), Until::Dropped, server.pid());
    server.expect("1 guest dropped for not reading");
    let report = flood.stop();
    assert_bounded(&report);
    assert!(
        !server.transcript().contains("typing too fast"),
        "--max-key-rate 0 lifts the limit:\n{}",
        server.transcript()
    );

    play_promptly(&mut server, &mut playing, 'p', 'r');

    // On the guest's side the connection ends: what was sent can still be read, then
    // comes the end (a reset, as the guest's keys were left unread).
    silent_reader.set_read_timeout(Some(DEADLINE)).unwrap();
    let mut buf = [0u8; 64 * 1024];
    let deadline = Instant::now() + DEADLINE;
    let mut read = 0;
    let end = loop {
        assert!(Instant::now() < deadline, "still open after {read} bytes");
        match silent_reader.read(&mut buf) {
            Ok(0) => break "closed",
            Ok(n) => read += n,
            Err(e) if e.kind() == io::ErrorKind::ConnectionReset => break "reset",
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                panic!("the dropped guest's connection stayed open ({read} bytes read)")
            }
            Err(e) => panic!("read: {e}"),
        }
    };
    assert!(
        read < 1024 * 1024,
        "the server sent {read} bytes to a guest who never read before it ended ({end})"
    );

    // Out of the line: the next guest is number 1.
    let mut next = server.guest();
    next.expect_line("You are number 1 in line");
    play_promptly(&mut server, &mut playing, 's', 'r');
}

#[test]
fn a_playing_guest_who_never_reads_is_dropped_and_the_next_in_line_plays() {
    // No key limit: every invalid line from the playing guest (it never negotiates, so it
    // plays by lines) draws an `Invalid key`.
    let mut server = Server::start(&["--max-key-rate", "0", "--timeout", "60"]);
    let silent = raw_connect(server.port(), Some(4096));
    expect_arrival(&mut server, silent.local_addr().unwrap(), None);
    let mut next = server.guest();
    expect_arrival(&mut server, next.local_addr(), Some(1));

    let flood = Flood::start(silent, b"x\n".to_vec(), Until::Dropped, server.pid());
    server.expect("1 guest dropped for not reading");
    server.expect_line("Opponent disconnected.");
    server.expect_line(&format!("Player connected: {}", next.local_addr()));
    next.expect_line("Welcome to the game");
    let report = flood.stop();
    assert_bounded(&report);
    play_promptly(&mut server, &mut next, 'r', 'p');
}

// ---------------------------------------------------------------------------------------
// Churn.

/// Waits until the server's descriptors and threads are back to `baseline`.
#[track_caller]
fn await_counts(server: &Server, baseline: (usize, usize)) {
    let deadline = Instant::now() + DEADLINE;
    loop {
        let now = (server.fd_count(), server.thread_count());
        if now == baseline {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "(descriptors, threads) still {now:?}, {} s after the churn; before it: {baseline:?}",
            DEADLINE.as_secs()
        );
        // Closed connections linger up to 2 s for the guest to hang up: poll /proc.
        thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn hundreds_of_connections_come_and_go_and_leave_nothing_behind() {
    let mut server = Server::start(&["--max-per-ip", "1000", "--timeout", "60"]);
    let mut playing = server.seat_guest();
    play_promptly(&mut server, &mut playing, 'r', 's');
    let baseline = (server.fd_count(), server.thread_count());

    // In batches, so that many wait in line at once and leave from every place; half
    // hang up with FIN and half with RST, some before the greeting arrives, some after.
    let mut peak = baseline;
    for batch in 0..30 {
        let guests: Vec<TcpStream> = (0..10).map(|_| raw_connect(server.port(), None)).collect();
        for (i, guest) in guests.iter().enumerate() {
            if i % 3 == 0 {
                let mut greeting = [0u8; 6];
                let mut reader = guest;
                reader.set_read_timeout(Some(DEADLINE)).unwrap();
                reader
                    .read_exact(&mut greeting)
                    .unwrap_or_else(|e| panic!("batch {batch}, guest {i}: no greeting: {e}"));
            }
        }
        peak = (
            peak.0.max(server.fd_count()),
            peak.1.max(server.thread_count()),
        );
        for (i, guest) in guests.into_iter().enumerate() {
            if (batch + i) % 2 == 1 {
                reset_on_close(&guest);
            }
            drop(guest);
        }
    }
    assert!(
        peak.0 > baseline.0 && peak.1 > baseline.1,
        "the churn was seen by the server at all: peak {peak:?}, before {baseline:?}"
    );

    play_promptly(&mut server, &mut playing, 'p', 'r');
    await_counts(&server, baseline);

    // Nobody is left in line.
    let mut next = server.guest();
    next.expect_line("You are number 1 in line");
    play_promptly(&mut server, &mut playing, 's', 's');
    next.expect_line("Player 0: s, Player 1: s");
}
