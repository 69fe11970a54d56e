//! Nothing stalls the table: not the console, not the log, not a flood, not a function
//! key. Each test makes the world hostile in one way (Ctrl-S, a stdout nobody reads, a
//! log FIFO nobody drains, a broken stdout, escape sequences, a flood of connections, a
//! panic serving one guest, no file descriptors left) and checks that guests are still
//! served and that a signal still stops the server. The real binary, loopback only.

use roshambo_test_support::{
    pipe, pty, roshambo, test_data_home, Expect, Guest, Program, Server, DEADLINE,
};
use std::fs::File;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::fd::OwnedFd;
use std::os::unix::fs::OpenOptionsExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// How soon a server asked to stop must be gone. Generous for a loaded machine; a
/// server blocked on its output would never stop at all (the bench measures how soon).
const PROMPTLY: Duration = Duration::from_secs(3);

/// Rounds that write far more than any pipe, pty or FIFO buffer holds (64 KiB).
const MANY_ROUNDS: usize = 4000;

/// A server whose console nobody reads once it has said where it listens: keys from a
/// pipe, stdout to `stdout` (a pipe or a pty the test leaves alone).
struct Unread {
    child: Child,
    keys: File,
    port: u16,
    /// The read end of stdout, kept open and never read again.
    _screen: File,
}

impl Unread {
    fn start(args: &[&str], envs: &[(&str, &str)]) -> Unread {
        let (screen, stdout) = pipe().expect("a pipe");
        Unread::start_on(args, envs, screen, stdout.into())
    }

    fn start_on(args: &[&str], envs: &[(&str, &str)], mut screen: File, stdout: OwnedFd) -> Unread {
        let mut child = Command::new(roshambo())
            .args(["--port", "0", "--bind", "127.0.0.1", "--no-names"])
            .env("XDG_DATA_HOME", test_data_home())
            .args(args)
            .envs(envs.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::from(stdout))
            .stderr(Stdio::piped())
            .spawn()
            .expect("roshambo starts");
        let keys = File::from(OwnedFd::from(child.stdin.take().expect("piped stdin")));
        let port = listening_port(&mut screen);
        Unread {
            child,
            keys,
            port,
            _screen: screen,
        }
    }

    fn press(&mut self, keys: &[u8]) {
        self.keys
            .write_all(keys)
            .expect("the console's keys are taken");
    }

    /// Sends `signal` and waits for the exit, returning how long it took.
    fn stop_with(&mut self, signal: libc::c_int) -> (ExitStatus, Duration) {
        let asked = Instant::now();
        // SAFETY: kill(2) on our own child's pid.
        unsafe { libc::kill(self.child.id() as libc::pid_t, signal) };
        let status = wait_exit(&mut self.child, PROMPTLY);
        (status, asked.elapsed())
    }
}

impl Drop for Unread {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads the console's banner, up to the end of its keys line, and returns the port its
/// listening line names.
fn listening_port(screen: &mut File) -> u16 {
    let mut seen = Vec::new();
    let mut buf = [0u8; 256];
    let prefix = "Listening for telnet connections on port ";
    let banner_end = "stops the server.";
    loop {
        let text = String::from_utf8_lossy(&seen);
        let ended = text
            .split_once(banner_end)
            .is_some_and(|(_, after)| after.contains('\n'));
        if ended {
            let rest = text.split(prefix).nth(1).expect("the listening line");
            let (port, _) = rest.split_once('\n').expect("its end");
            return port.trim().parse().expect("a port number");
        }
        let n = screen.read(&mut buf).expect("the console is readable");
        assert!(n > 0, "the server ended before it listened: {text}");
        seen.extend_from_slice(&buf[..n]);
    }
}

#[track_caller]
fn wait_exit(child: &mut Child, within: Duration) -> ExitStatus {
    let deadline = Instant::now() + within;
    loop {
        if let Some(status) = child.try_wait().expect("the child can be waited for") {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not stop within {within:?}"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Plays `rounds` tied rounds (both throw rock): a match that never ends, and a console
/// line or three a round. Every result must reach the guest.
fn play_ties(server: &mut Unread, guest: &mut Guest, rounds: usize) {
    for _ in 0..rounds {
        server.press(b"r");
        guest.send(b"r");
        guest.expect_line("Player 0: r, Player 1: r");
    }
}

/// A newcomer is answered at once, and a waiting guest's key too: the table is alive.
fn the_table_answers(port: u16) {
    let mut newcomer = Guest::connect(port);
    newcomer.expect_line("You are number 1 in line");
    newcomer.send(b"x");
    newcomer.expect_line("You are number 1 in line");
}

#[test]
fn a_stdout_nobody_reads_stalls_nothing_and_sigterm_still_stops_the_server() {
    let mut server = Unread::start(&["--timeout", "600", "--max-key-rate", "0"], &[]);
    let mut guest = Guest::connect(server.port);
    guest.expect_line("Welcome to the game");
    play_ties(&mut server, &mut guest, MANY_ROUNDS);
    the_table_answers(server.port);
    let (status, _) = server.stop_with(libc::SIGTERM);
    assert_eq!(status.code(), Some(0));
    guest.expect_line("Server shutting down. Good-bye");
}

#[test]
fn a_pty_nobody_reads_stalls_nothing_and_sigint_still_stops_the_server() {
    // The console is a terminal whose output nobody drains, as over a stalled link.
    let (master, slave) = pty().expect("a pty");
    let mut server = Unread::start_on(
        &["--timeout", "600", "--max-key-rate", "0"],
        &[],
        master,
        slave,
    );
    let mut guest = Guest::connect(server.port);
    guest.expect_line("Welcome to the game");
    play_ties(&mut server, &mut guest, MANY_ROUNDS);
    the_table_answers(server.port);
    let (status, _) = server.stop_with(libc::SIGINT);
    assert_eq!(status.code(), Some(0));
}

#[test]
fn ctrl_s_on_the_console_is_a_key_and_the_game_goes_on() {
    let mut server = Server::start(&[]);
    let mut guest = server.seat_guest();
    let before = server.termios_before();
    assert_ne!(
        before.c_iflag & termios::IXON,
        0,
        "the pty starts with IXON on"
    );
    assert_eq!(
        server.termios_now().c_iflag & termios::IXON,
        0,
        "IXON is off while the server runs"
    );
    server.press(&[0x13]);
    server.expect_line("Invalid key");
    server.play(&mut guest, 'r', 's');
    server.expect_line("Wins: 1 - 0");
    server.press(&[0x03]);
    assert_eq!(server.wait_exit(PROMPTLY).code(), Some(0));
    assert_eq!(server.termios_now(), before, "IXON is back with the rest");
}

/// A FIFO for `--log-file`, with its reading end open (so the server's open does not
/// wait): a log shipper, as the test then has it behave.
fn log_fifo(tag: &str) -> (std::path::PathBuf, File) {
    let path = roshambo_test_support::temp_path(tag);
    let c_path = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo with a valid C string.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
    let shipper = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(&path)
        .expect("the FIFO opens for reading");
    (path, shipper)
}

#[test]
fn a_log_fifo_nobody_drains_stalls_nothing() {
    // A log shipper that opened the FIFO and then stopped reading.
    let (path, shipper) = log_fifo("stalled-log");
    let path_arg = path.to_str().unwrap();
    let mut server = Unread::start(
        &[
            "--timeout",
            "600",
            "--max-key-rate",
            "0",
            // A match that lasts: the first to 50,001 wins.
            "--best-of",
            "100001",
            "--log-file",
            path_arg,
            "--log-level",
            "trace",
        ],
        &[],
    );
    let mut guest = Guest::connect(server.port);
    guest.expect_line("Welcome to the game");
    // Decided games are logged, ties at debug: both kinds, well past 64 KiB of log.
    for round in 0..MANY_ROUNDS {
        let visitor = if round % 2 == 0 { b'r' } else { b's' };
        server.press(b"r");
        guest.send(&[visitor]);
        guest.expect_line(&format!("Player 0: r, Player 1: {}", visitor as char));
        if visitor == b's' {
            // The guest wins one back.
            server.press(b"s");
            guest.send(b"r");
            guest.expect_line("Player 0: s, Player 1: r");
        }
    }
    the_table_answers(server.port);
    let (status, _) = server.stop_with(libc::SIGTERM);
    assert_eq!(status.code(), Some(0));
    drop(shipper);
    let _ = std::fs::remove_file(&path);
}

#[test]
fn a_log_that_fails_is_said_once_on_stderr_and_the_game_goes_on() {
    let (path, shipper) = log_fifo("broken-log");
    let path_arg = path.to_str().unwrap();
    let mut server = Unread::start(
        &[
            "--log-file",
            path_arg,
            "--log-level",
            "trace",
            "--timeout",
            "600",
            "--max-key-rate",
            "0",
        ],
        &[],
    );
    // The log shipper goes away: every later write to the log fails.
    drop(shipper);
    let mut guest = Guest::connect(server.port);
    guest.expect_line("Welcome to the game");
    play_ties(&mut server, &mut guest, 50);
    let (status, _) = server.stop_with(libc::SIGTERM);
    assert_eq!(status.code(), Some(0));
    let mut stderr = String::new();
    server
        .child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let told: Vec<&str> = stderr.lines().filter(|l| l.contains("log file")).collect();
    assert_eq!(told.len(), 1, "said once: {stderr}");
    assert!(
        told[0].contains(path_arg) && told[0].contains("failed"),
        "{stderr}"
    );
    let _ = std::fs::remove_file(&path);
}

#[test]
fn a_broken_stdout_stops_the_server_with_one_line_and_no_panic() {
    let (mut screen, stdout) = pipe().expect("a pipe");
    let mut child = Command::new(roshambo())
        .args(["--port", "0", "--bind", "127.0.0.1", "--no-names"])
        .env("XDG_DATA_HOME", test_data_home())
        .stdin(Stdio::piped())
        .stdout(Stdio::from(OwnedFd::from(stdout)))
        .stderr(Stdio::piped())
        .spawn()
        .expect("roshambo starts");
    let _keys = child.stdin.take();
    let port = listening_port(&mut screen);
    // As `| head -c1`: the reader goes away while the server still has a lot to say.
    drop(screen);
    let mut guest = Guest::connect(port);
    guest.expect_line("Welcome to the game");
    let status = wait_exit(&mut child, PROMPTLY);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "no panic: {stderr}");
    assert_eq!(
        stderr.lines().collect::<Vec<_>>(),
        ["roshambo: the console's output is gone; stopped"],
        "one line"
    );
    guest.expect_line("Server shutting down. Good-bye");
}

/// Keys that send several bytes, each of which must be one key press.
const MANY_BYTE_KEYS: [(&str, &[u8]); 8] = [
    ("Up", b"\x1b[A"),
    ("Home", b"\x1b[H"),
    ("Delete", b"\x1b[3~"),
    ("F1", b"\x1bOP"),
    ("F3", b"\x1bOR"),
    ("F4", b"\x1bOS"),
    ("F5", b"\x1b[15~"),
    ("e acute", "é".as_bytes()),
];

/// Between two `Invalid key`s there is only the line of valid keys that follows each:
/// the key pressed between was one key, not several.
#[track_caller]
fn assert_only_the_keys_line(between: &str, name: &str) {
    let lines: Vec<&str> = between
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(
        lines,
        ["Keys: r rock, p paper, s scissors, ? help, l leaderboard."],
        "{name} was one key press, not several"
    );
}

#[test]
fn a_guests_arrow_or_function_key_is_one_invalid_key_and_never_a_move() {
    let mut server = Server::start(&[]);
    let mut guest = server.seat_guest();
    server.press(b"r");
    for (name, bytes) in MANY_BYTE_KEYS {
        guest.send(bytes);
        let before = guest.expect_line("Invalid key");
        assert!(
            !before.contains("Player 0:"),
            "{name} played a move: {before}"
        );
        guest.send(b"x");
        let between = guest.expect_line("Invalid key");
        assert_only_the_keys_line(&between, name);
    }
    guest.expect_absent("Player 0:", Duration::from_millis(200));
    guest.send(b"s");
    guest.expect_line("Player 0: r, Player 1: s");
}

#[test]
fn the_hosts_arrow_function_key_or_accent_is_one_invalid_key_and_never_a_move() {
    let mut server = Server::start(&[]);
    let mut guest = server.seat_guest();
    guest.send(b"r");
    server.expect_line(&format!("{} has moved.", guest.local_addr()));
    for (name, bytes) in MANY_BYTE_KEYS {
        server.press(bytes);
        let before = server.expect_line("Invalid key");
        assert!(
            !before.contains("Player 0:"),
            "{name} played a move: {before}"
        );
        server.press(b"x");
        let between = server.expect_line("Invalid key");
        assert_only_the_keys_line(&between, name);
    }
    server.press("€😀".as_bytes());
    server.expect_line("Invalid key");
    server.expect_line("Invalid key");
    server.expect_absent("Invalid key", Duration::from_millis(200));
    server.press(b"p");
    guest.expect_line("Player 0: p, Player 1: r");
}

#[test]
fn a_flood_of_connections_from_one_address_spawns_no_thread_for_those_turned_away() {
    let mut server = Server::start(&["--max-per-ip", "4", "--max-guests", "32"]);
    // Once a key is answered, every thread the server keeps is running.
    server.press(b"x");
    server.expect("No guest yet");
    let base = server.thread_count();
    let mut peak = base;
    let mut turned_away = 0;
    let mut admitted = Vec::new();
    for n in 0..400 {
        let stream = TcpStream::connect(("127.0.0.1", server.port())).expect("connects");
        if n < 4 {
            admitted.push(stream);
        } else {
            turned_away += 1;
            drop(stream);
        }
        if n % 20 == 0 {
            peak = peak.max(server.thread_count());
        }
    }
    server.expect("Guest waiting: 127.0.0.1:");
    peak = peak.max(server.thread_count());
    assert_eq!(turned_away, 396);
    assert!(
        peak <= base + 4 + 1,
        "one reader per admitted guest and nothing for the turned away: {base} threads \
         before, {peak} at the peak"
    );
    // The host is still answered: the first four guests came, one plays.
    server.press(b"y");
    server.expect_line("Invalid key");
}

#[test]
fn a_panic_serving_one_guest_drops_that_guest_and_the_others_play_on() {
    let mut server = Server::launch(&[])
        .env("ROSHAMBO_PANIC_ON_BANG", "reader")
        .start();
    let mut playing = server.seat_guest();
    let mut doomed = Guest::connect(server.port());
    doomed.expect_line("You are number 1 in line");
    doomed.send(b"!");
    doomed.expect_closed();
    server.expect("1 guest dropped after a fault");
    server.play(&mut playing, 'p', 'r');
    playing.expect_line("Player 0 wins!");
    let mut next = Guest::connect(server.port());
    next.expect_line("You are number 1 in line");
    assert!(server.try_status().is_none(), "the server runs on");
}

#[test]
fn running_out_of_file_descriptors_is_one_console_line_not_a_flood() {
    // 40 descriptors: a few for the server itself, the rest soon taken by guests. stderr
    // is the same terminal as the console, as for a host.
    let script = format!(
        "ulimit -n 40 && export XDG_DATA_HOME='{}' && exec {} --port 0 --bind 127.0.0.1 --no-names --max-per-ip 100 --max-guests 100",
        test_data_home().display(),
        roshambo().display()
    );
    let mut server = Program::on_pty("bash", &["--norc", "--noprofile", "-c", &script]);
    let port = server.listening_port();
    let mut guests = Vec::new();
    for _ in 0..60 {
        guests.push(TcpStream::connect(("127.0.0.1", port)).expect("connects"));
    }
    server.expect("could not be accepted");
    // The acceptor retries ten times a second; the console hears of it once a minute.
    server.expect_absent("could not be accepted", Duration::from_millis(1500));
    let transcript = server.transcript();
    assert!(
        !transcript.contains("accept:"),
        "the details are the log's: {transcript}"
    );
    drop(guests);
    server.press(&[0x03]);
    assert_eq!(server.wait_exit(DEADLINE).code(), Some(0));
}

#[test]
fn times_and_rates_out_of_sense_are_one_line_and_status_2() {
    let cases: [(&[&str], &str); 4] = [
        (&["--timeout", "1e-320"], "--timeout"),
        (&["--timeout", "86401"], "--timeout"),
        (&["--max-key-rate", "4000000000"], "--max-key-rate"),
        (&["--version=x"], "--version"),
    ];
    for (args, flag) in cases {
        let output = Command::new(roshambo())
            .args(args)
            .env("XDG_DATA_HOME", test_data_home())
            .stdin(Stdio::null())
            .output()
            .expect("roshambo runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(flag), "{args:?} names the flag: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?}");
    }
}
