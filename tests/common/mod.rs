//! The integration tests' harness: the real `roshambo` binary with its console on a
//! pseudo-terminal (or on pipes), guests as TCP clients on 127.0.0.1, and waits that
//! always end at a deadline with the transcript in the failure message. Does IO
//! (processes, pseudo-terminals, sockets, /proc).
//!
//! Every wait is for an event (text on a console or a socket, an end of stream, an
//! exit), never a bare sleep; only the `expect_absent*` checks wait out a window, because
//! proving that something does *not* happen takes time by nature.
//!
//! The API, in short:
//! - [`Server::start`]`(&args)`: roshambo with `--port 0` and `args` on a pty, once it
//!   listens; [`Server::start_piped`] with a pipe or /dev/null for a console;
//!   [`Server::launch`] for env vars, stderr on a pipe of its own, or not waiting
//!   ([`Launch::spawn`] returns a [`Program`], e.g. for flags that make it exit).
//! - [`Program`]: any child with a captured console ([`Program::on_pty`] runs telnet or
//!   bash): `press`, `expect`, `expect_line`, `expect_absent`, `transcript`, `signal`,
//!   `wait_exit`, termios and /proc figures. [`Server`] derefs to it and adds `port()`.
//! - [`Guest`]: a client that negotiates as inetutils telnet does ([`Guest::connect`]) or
//!   says nothing, as netcat ([`Guest::connect_raw`]); `send`, `expect*`, `close` (FIN),
//!   `reset` (RST), `expect_closed`.

// Each test file uses its own part of the harness.
#![allow(dead_code)]

use roshambo_core::telnet::{DO, DONT, IAC, SB, SE, WILL, WONT};
use std::collections::HashSet;
use std::ffi::{CString, OsStr, OsString};
use std::fmt;
use std::fs::File;
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpStream};
use std::ops::{Deref, DerefMut, Range};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use termios::Termios;

/// How long any wait may take before the test fails. Generous: a loaded CI machine
/// running every test at once is slow, and a passing test never waits this long.
pub const DEADLINE: Duration = Duration::from_secs(10);

/// How long an exited program's pty must stay quiet before its output counts as over.
/// A pty never reports the end of output while the harness holds the slave open.
const QUIET_AFTER_EXIT: Duration = Duration::from_secs(1);

/// How often `wait_exit` looks at the child.
const EXIT_POLL: Duration = Duration::from_millis(5);

/// The server under test, as cargo built it for this test run.
pub fn roshambo() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_roshambo"))
}

/// The server's greeting: IAC WILL ECHO, IAC WILL SUPPRESS-GO-AHEAD.
pub const GREETING: [u8; 6] = [0xff, 0xfb, 0x01, 0xff, 0xfb, 0x03];

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

/// A path in the temporary directory that no other test (or test run) uses.
pub fn temp_path(tag: &str) -> PathBuf {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    std::env::temp_dir().join(format!("roshambo-{tag}-{}-{nanos}", std::process::id()))
}

// ---------------------------------------------------------------------------------------
// Text matching, shared by consoles and guests.

/// Where `needle` next occurs in `text` from `from` on. With `whole_line`, only where it
/// fills a whole line and the line's end (CR or LF) has arrived too.
fn find(text: &[u8], from: usize, needle: &str, whole_line: bool) -> Option<Range<usize>> {
    let needle = needle.as_bytes();
    if needle.is_empty() || from > text.len() {
        return None;
    }
    let mut start = from;
    while let Some(at) = text[start..]
        .windows(needle.len())
        .position(|window| window == needle)
    {
        let begin = start + at;
        let end = begin + needle.len();
        if !whole_line {
            return Some(begin..end);
        }
        let line_start = begin == 0 || matches!(text[begin - 1], b'\n' | b'\r');
        let line_end = matches!(text.get(end), Some(b'\n' | b'\r'));
        if line_start && line_end {
            return Some(begin..end);
        }
        start = begin + 1;
    }
    None
}

/// Where the line holding `prefix` ends, if it has ended: the range after the prefix.
fn find_rest_of_line(text: &[u8], from: usize, prefix: &str) -> Option<Range<usize>> {
    let found = find(text, from, prefix, false)?;
    let len = text[found.end..]
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')?;
    Some(found.end..found.end + len)
}

/// `bytes` for a failure message: one line per line, other control bytes escaped.
fn printable(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::from("    | ");
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => out.push_str("\n    | "),
            c if c.is_control() => out.push_str(&c.escape_default().to_string()),
            c => out.push(c),
        }
    }
    out
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

// ---------------------------------------------------------------------------------------
// Output captured by a thread: a pty master or a pipe.

#[derive(Debug, Default)]
struct Captured {
    bytes: Vec<u8>,
    /// The stream ended (EOF, or EIO once every pty slave descriptor is closed).
    ended: bool,
    /// When bytes last arrived.
    grew_at: Option<Instant>,
}

#[derive(Debug, Default)]
struct Shared {
    captured: Mutex<Captured>,
    grew: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Captured> {
        self.captured.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One stream of a child's output as it arrives, read by a thread of its own (an
/// undrained pty would block the child's writes), with a cursor for `expect`.
#[derive(Debug)]
struct Output {
    shared: Arc<Shared>,
    cursor: usize,
}

impl Output {
    fn drain(name: &str, mut source: impl Read + Send + 'static) -> Output {
        let shared = Arc::new(Shared::default());
        let sink = shared.clone();
        thread::Builder::new()
            .name(format!("drain {name}"))
            .spawn(move || {
                let mut buf = [0u8; 4096];
                loop {
                    match source.read(&mut buf) {
                        Ok(0) => break,
                        Ok(n) => {
                            let mut captured = sink.lock();
                            captured.bytes.extend_from_slice(&buf[..n]);
                            captured.grew_at = Some(Instant::now());
                            sink.grew.notify_all();
                        }
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        // EIO from a pty master: every slave descriptor is closed.
                        Err(_) => break,
                    }
                }
                sink.lock().ended = true;
                sink.grew.notify_all();
            })
            .expect("start a drain thread");
        Output { shared, cursor: 0 }
    }

    fn bytes(&self) -> Vec<u8> {
        self.shared.lock().bytes.clone()
    }
}

// ---------------------------------------------------------------------------------------
// A program with a captured console.

/// What a [`Program`]'s keyboard is.
#[derive(Debug)]
enum Keyboard {
    /// The pty master: keys typed on the terminal.
    Pty(File),
    /// A pipe into stdin; `None` once closed.
    Pipe(Option<ChildStdin>),
    /// stdin is something the test cannot type into (/dev/null, a file).
    Nothing,
}

/// The pseudo-terminal a program runs on.
#[derive(Debug)]
struct Pty {
    /// For tcgetattr: on Linux the master reads the slave's settings.
    master: OwnedFd,
    /// The parent's copy of the slave: while it is open the drain thread's reads block
    /// instead of failing with EIO, so output that arrives after the exit is kept.
    /// Dropped last, which ends the drain thread.
    _slave: OwnedFd,
    /// The terminal's settings before the child ran.
    before: Termios,
}

/// A child process whose console the test reads and types into. Dropping it kills the
/// child if it is still running: no test leaves a process behind.
#[derive(Debug)]
pub struct Program {
    name: String,
    child: Child,
    status: Option<ExitStatus>,
    /// When the harness first saw the child had exited.
    exited_at: Option<Instant>,
    keyboard: Keyboard,
    console: Output,
    /// stderr when it is not the console.
    stderr: Option<Output>,
    pty: Option<Pty>,
}

impl Program {
    /// Runs `program` with `args` on a new pseudo-terminal that is its controlling
    /// terminal (so 0x03 is a real SIGINT), stdin, stdout and stderr on the slave.
    pub fn on_pty(program: impl AsRef<OsStr>, args: &[&str]) -> Program {
        let mut command = Command::new(program.as_ref());
        command.args(args);
        Program::spawn_on_pty(command, false, None)
    }

    /// Runs `program` with `args`, `stdin` as given and stdout and stderr on pipes.
    pub fn piped(program: impl AsRef<OsStr>, args: &[&str], stdin: Stdio) -> Program {
        let mut command = Command::new(program.as_ref());
        command.args(args);
        Program::spawn_piped(command, stdin)
    }

    /// `keys`: stdin from elsewhere (a pipe) while stdout and stderr stay on the pty.
    fn spawn_on_pty(mut command: Command, stderr_apart: bool, keys: Option<Stdio>) -> Program {
        let name = command_name(&command);
        let (master, slave) = open_pty().unwrap_or_else(|e| panic!("{name}: openpty: {e}"));
        // Taken before the child exists, so it is the terminal as nobody changed it.
        let before = Termios::from_fd(slave.as_raw_fd()).expect("tcgetattr on a new pty");
        let reader = File::from(master.try_clone().expect("dup the pty master"));
        let master_keys = File::from(master.try_clone().expect("dup the pty master"));
        let console = Output::drain(&name, reader);
        let on_slave = || Stdio::from(slave.try_clone().expect("dup the pty slave"));
        let keys_on_pty = keys.is_none();
        command
            .stdin(keys.unwrap_or_else(on_slave))
            .stdout(on_slave());
        // The descriptor that makes the pty the controlling terminal in the child.
        let tty_fd = if keys_on_pty { 0 } else { 1 };
        if stderr_apart {
            command.stderr(Stdio::piped());
        } else {
            command.stderr(on_slave());
        }
        // SAFETY: the hook runs in the child between fork and exec, where only
        // async-signal-safe calls are allowed: setsid and ioctl are, and it allocates
        // nothing. stdin (or stdout) is already the slave when it runs.
        unsafe {
            command.pre_exec(move || {
                if libc::setsid() == -1 || libc::ioctl(tty_fd, libc::TIOCSCTTY, 0) == -1 {
                    return Err(io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        let stderr = child
            .stderr
            .take()
            .map(|pipe| Output::drain(&format!("{name} stderr"), pipe));
        let keyboard = match child.stdin.take() {
            _ if keys_on_pty => Keyboard::Pty(master_keys),
            Some(pipe) => Keyboard::Pipe(Some(pipe)),
            None => Keyboard::Nothing,
        };
        Program {
            name,
            child,
            status: None,
            exited_at: None,
            keyboard,
            console,
            stderr,
            pty: Some(Pty {
                master,
                _slave: slave,
                before,
            }),
        }
    }

    fn spawn_piped(mut command: Command, stdin: Stdio) -> Program {
        let name = command_name(&command);
        command
            .stdin(stdin)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().expect("stderr is piped");
        let keyboard = match child.stdin.take() {
            Some(pipe) => Keyboard::Pipe(Some(pipe)),
            None => Keyboard::Nothing,
        };
        Program {
            console: Output::drain(&name, stdout),
            stderr: Some(Output::drain(&format!("{name} stderr"), stderr)),
            name,
            child,
            status: None,
            exited_at: None,
            keyboard,
            pty: None,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Types `keys` on the console (the pty master, or the stdin pipe).
    pub fn press(&mut self, keys: &[u8]) {
        let result = match &mut self.keyboard {
            Keyboard::Pty(master) => master.write_all(keys),
            Keyboard::Pipe(Some(pipe)) => pipe.write_all(keys).and_then(|()| pipe.flush()),
            Keyboard::Pipe(None) => panic!("{}: press after close_input", self.name),
            Keyboard::Nothing => panic!("{}: its stdin is not a pipe or a pty", self.name),
        };
        if let Err(e) = result {
            panic!("{}: cannot type {keys:?}: {e}", self.name);
        }
    }

    /// Closes the stdin pipe: the console reaches end of input. Pipes only; on a pty,
    /// press Ctrl-D (0x04) instead.
    pub fn close_input(&mut self) {
        match &mut self.keyboard {
            Keyboard::Pipe(pipe) => drop(pipe.take()),
            _ => panic!("{}: close_input is for a stdin pipe", self.name),
        }
    }

    /// Waits until the console shows `text` after the cursor, moves the cursor past it,
    /// and returns what the console showed between the old cursor and `text`.
    #[track_caller]
    pub fn expect(&mut self, text: &str) -> String {
        self.expect_where(&format!("{text:?}"), |bytes, from| {
            find(bytes, from, text, false)
        })
    }

    /// As [`Program::expect`], for `line` as a whole line: nothing else on it, and its
    /// end arrived. `expect_line("1")` does not match `Wins: 1 - 0`.
    #[track_caller]
    pub fn expect_line(&mut self, line: &str) -> String {
        self.expect_where(&format!("the line {line:?}"), |bytes, from| {
            find(bytes, from, line, true)
        })
    }

    /// Waits for `prefix` and the end of its line; returns the rest of the line and
    /// moves the cursor to the line's end.
    #[track_caller]
    pub fn expect_rest_of_line(&mut self, prefix: &str) -> String {
        let before = self.console.cursor;
        self.expect_where(&format!("a line with {prefix:?}"), |bytes, from| {
            find_rest_of_line(bytes, from, prefix)
        });
        let bytes = self.console.bytes();
        let start = find(&bytes, before, prefix, false).expect("just found").end;
        lossy(&bytes[start..self.console.cursor])
    }

    /// Waits for the listening line and returns the port it names.
    #[track_caller]
    pub fn listening_port(&mut self) -> u16 {
        let rest = self.expect_rest_of_line("Listening for telnet connections on port ");
        rest.trim()
            .parse()
            .unwrap_or_else(|_| self.fail(&format!("the listening line names no port: {rest:?}")))
    }

    /// Waits `window` and fails if the console showed `text` after the cursor meanwhile
    /// (or before). The cursor does not move.
    #[track_caller]
    pub fn expect_absent(&mut self, text: &str, window: Duration) {
        let until = Instant::now() + window;
        let shared = self.console.shared.clone();
        let mut captured = shared.lock();
        loop {
            if find(&captured.bytes, self.console.cursor, text, false).is_some() {
                drop(captured);
                self.fail(&format!("{text:?} appeared, and it must not"));
            }
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return;
            }
            captured = shared
                .grew
                .wait_timeout(captured, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// Everything the console showed so far (stdout and, on a pty, stderr too).
    pub fn transcript(&self) -> String {
        lossy(&self.console.bytes())
    }

    /// What the console showed after the cursor, without waiting or moving it.
    pub fn since_cursor(&self) -> String {
        let bytes = self.console.bytes();
        lossy(&bytes[self.console.cursor.min(bytes.len())..])
    }

    /// stderr, when it is a pipe of its own ([`Launch::stderr_apart`], [`Program::piped`]).
    /// Once the program has exited, waits for the pipe to end so that all of it is there.
    #[track_caller]
    pub fn stderr(&mut self) -> String {
        let exited = self.try_status().is_some();
        let Some(stderr) = &self.stderr else {
            panic!(
                "{}: stderr is the console; launch with stderr_apart()",
                self.name
            )
        };
        let shared = stderr.shared.clone();
        let deadline = Instant::now() + DEADLINE;
        let mut captured = shared.lock();
        while exited && !captured.ended {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                drop(captured);
                self.fail("stderr did not end after the exit");
            }
            captured = shared
                .grew
                .wait_timeout(captured, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        lossy(&captured.bytes)
    }

    /// Sends `signal` (libc::SIGTERM, ...) to the child.
    pub fn signal(&mut self, signal: libc::c_int) {
        assert!(
            self.try_status().is_none(),
            "{}: signal {signal} to a program that already exited",
            self.name
        );
        // SAFETY: kill(2) with the pid of our own child, which is not yet reaped, so the
        // pid cannot belong to anyone else.
        let rc = unsafe { libc::kill(self.child.id() as libc::pid_t, signal) };
        assert_eq!(rc, 0, "kill: {}", io::Error::last_os_error());
    }

    /// The exit status if the child has exited (and reaps it).
    pub fn try_status(&mut self) -> Option<ExitStatus> {
        if self.status.is_none() {
            if let Ok(Some(status)) = self.child.try_wait() {
                self.status = Some(status);
                self.exited_at = Some(Instant::now());
            }
        }
        self.status
    }

    /// Waits up to `within` for the child to exit; fails with the transcript if it does not.
    #[track_caller]
    pub fn wait_exit(&mut self, within: Duration) -> ExitStatus {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.try_status() {
                return status;
            }
            if Instant::now() >= deadline {
                self.fail(&format!("still running {} ms later", within.as_millis()));
            }
            thread::sleep(EXIT_POLL);
        }
    }

    /// The pty's settings now. On Linux tcgetattr on the master reads the slave's.
    pub fn termios_now(&self) -> Termios {
        let pty = self
            .pty
            .as_ref()
            .expect("termios: the console is not a pty");
        Termios::from_fd(pty.master.as_raw_fd()).expect("tcgetattr on the pty master")
    }

    /// The pty's settings before the child ran.
    pub fn termios_before(&self) -> Termios {
        self.pty
            .as_ref()
            .expect("termios: the console is not a pty")
            .before
    }

    /// Open file descriptors, from /proc/PID/fd.
    pub fn fd_count(&self) -> usize {
        self.proc_dir_len("fd")
    }

    /// Threads, from /proc/PID/task.
    pub fn thread_count(&self) -> usize {
        self.proc_dir_len("task")
    }

    /// Resident memory in KiB: VmRSS from /proc/PID/status.
    pub fn rss_kib(&self) -> u64 {
        let path = format!("/proc/{}/status", self.pid());
        let status = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("{path}: no VmRSS line"))
    }

    fn proc_dir_len(&self, dir: &str) -> usize {
        let path = format!("/proc/{}/{dir}", self.pid());
        std::fs::read_dir(&path)
            .unwrap_or_else(|e| panic!("{path}: {e}"))
            .count()
    }

    /// Waits until `matcher` finds something after the cursor; moves the cursor past
    /// it and returns the text skipped on the way.
    #[track_caller]
    fn expect_where(
        &mut self,
        what: &str,
        matcher: impl Fn(&[u8], usize) -> Option<Range<usize>>,
    ) -> String {
        let deadline = Instant::now() + DEADLINE;
        let shared = self.console.shared.clone();
        let why = loop {
            let now = Instant::now();
            // The lock is held only inside this block: `fail` takes it again.
            let seen = {
                let captured = shared.lock();
                if let Some(found) = matcher(&captured.bytes, self.console.cursor) {
                    let skipped = lossy(&captured.bytes[self.console.cursor..found.start]);
                    self.console.cursor = found.end;
                    return skipped;
                }
                if captured.ended {
                    break "the output ended".to_string();
                }
                if now >= deadline {
                    break format!("timed out after {} s", DEADLINE.as_secs());
                }
                captured.bytes.len()
            };
            if let (Some(status), Some(exited_at)) = (self.try_status(), self.exited_at) {
                let quiet_since = shared
                    .lock()
                    .grew_at
                    .map_or(exited_at, |t| t.max(exited_at));
                if now.duration_since(quiet_since) >= QUIET_AFTER_EXIT {
                    break format!("it exited ({status}) and said nothing more");
                }
            }
            let captured = shared.lock();
            if captured.bytes.len() == seen && !captured.ended {
                // In steps, to notice an exit.
                let step = deadline
                    .saturating_duration_since(now)
                    .min(Duration::from_millis(100));
                drop(shared.grew.wait_timeout(captured, step));
            }
        };
        self.fail(&format!("{why} waiting for {what}"))
    }

    /// Fails the test with what went wrong and everything the console showed.
    #[track_caller]
    fn fail(&mut self, what: &str) -> ! {
        let status = match self.try_status() {
            Some(status) => format!("exited, {status}"),
            None => "still running".to_string(),
        };
        let bytes = self.console.bytes();
        let cursor = self.console.cursor.min(bytes.len());
        let mut message = format!(
            "{} ({status}): {what}\n  console before the cursor:\n{}\n  console after the cursor:\n{}",
            self.name,
            printable(&bytes[..cursor]),
            printable(&bytes[cursor..]),
        );
        if let Some(stderr) = &self.stderr {
            message.push_str(&format!("\n  stderr:\n{}", printable(&stderr.bytes())));
        }
        panic!("{message}")
    }
}

impl Drop for Program {
    fn drop(&mut self) {
        if self.try_status().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        // Dropping `pty` next closes the parent's slave, the last one now that the child
        // is gone, so the drain thread's read fails with EIO and the thread ends.
    }
}

fn command_name(command: &Command) -> String {
    Path::new(command.get_program())
        .file_name()
        .unwrap_or(command.get_program())
        .to_string_lossy()
        .into_owned()
}

/// A new pseudo-terminal as (master, slave).
///
/// Both are opened close-on-exec atomically (posix_openpt and open with O_CLOEXEC)
/// rather than with openpty and a later FD_CLOEXEC: tests run on parallel threads, and
/// a child forked by another test in between would inherit this pty for good, so its
/// drain thread would never see EIO.
fn open_pty() -> io::Result<(OwnedFd, OwnedFd)> {
    // SAFETY: posix_openpt takes flags and returns a new descriptor or -1.
    let master = unsafe { libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC) };
    if master < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a new descriptor that nothing else owns.
    let master = unsafe { OwnedFd::from_raw_fd(master) };
    let mut name = [0 as libc::c_char; 128];
    // SAFETY: grantpt and unlockpt take the master; ptsname_r writes at most
    // `name.len()` bytes, NUL included, into `name`.
    let rc = unsafe {
        if libc::grantpt(master.as_raw_fd()) != 0 || libc::unlockpt(master.as_raw_fd()) != 0 {
            -1
        } else {
            libc::ptsname_r(master.as_raw_fd(), name.as_mut_ptr(), name.len())
        }
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: ptsname_r succeeded, so `name` holds a NUL-terminated path.
    let slave = unsafe {
        libc::open(
            name.as_ptr(),
            libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC,
        )
    };
    if slave < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a new descriptor that nothing else owns.
    let slave = unsafe { OwnedFd::from_raw_fd(slave) };
    set_window_size(&slave, 24, 80);
    Ok((master, slave))
}

fn set_window_size(fd: &OwnedFd, rows: u16, cols: u16) {
    let size = libc::winsize {
        ws_row: rows,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCSWINSZ reads one winsize from the pointer, which is valid.
    unsafe { libc::ioctl(fd.as_raw_fd(), libc::TIOCSWINSZ, &size) };
}

// ---------------------------------------------------------------------------------------
// The server.

/// How to run roshambo: built by [`Server::launch`].
#[derive(Debug)]
pub struct Launch {
    args: Vec<String>,
    env: Vec<(OsString, OsString)>,
    stdin: Option<Stdio>,
    stderr_apart: bool,
    keys: Option<Stdio>,
}

impl Launch {
    /// Sets an environment variable for the server.
    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Launch {
        self.env
            .push((key.as_ref().to_owned(), value.as_ref().to_owned()));
        self
    }

    /// On a pty, stderr goes to a pipe of its own ([`Program::stderr`]) instead of the
    /// terminal. (With a piped console it always does.)
    pub fn stderr_apart(mut self) -> Launch {
        self.stderr_apart = true;
        self
    }

    /// The console is `stdin` (`Stdio::piped()` to type with [`Program::press`],
    /// `Stdio::null()`), with stdout and stderr on pipes: no terminal at all.
    pub fn piped(mut self, stdin: Stdio) -> Launch {
        self.stdin = Some(stdin);
        self
    }

    /// The console's keys come from `stdin` (`Stdio::piped()` to type with
    /// [`Program::press`]) while stdout and stderr stay on the pty: a script feeding the
    /// server on a terminal, whose settings must then stay untouched.
    pub fn keys_from(mut self, stdin: Stdio) -> Launch {
        self.keys = Some(stdin);
        self
    }

    /// Starts the server without waiting for anything: for runs that may exit at once.
    pub fn spawn(self) -> Program {
        let mut command = Command::new(roshambo());
        command.arg("--port").arg("0").args(&self.args);
        // The fault injection is only ever what the test asks for.
        command.env_remove("ROSHAMBO_PANIC_ON_BANG");
        command.envs(self.env);
        match self.stdin {
            Some(stdin) => Program::spawn_piped(command, stdin),
            None => Program::spawn_on_pty(command, self.stderr_apart, self.keys),
        }
    }

    /// Starts the server and waits until it listens.
    #[track_caller]
    pub fn start(self) -> Server {
        let mut program = self.spawn();
        let port = program.listening_port();
        Server { program, port }
    }
}

/// A running roshambo: a [`Program`] (all its methods apply) that listens on `port()`.
#[derive(Debug)]
pub struct Server {
    program: Program,
    port: u16,
}

impl Server {
    /// roshambo `--port 0` plus `args`, on a pty, once it listens. Later flags win, so
    /// `args` may name another port.
    #[track_caller]
    pub fn start(args: &[&str]) -> Server {
        Server::launch(args).start()
    }

    /// As [`Server::start`] with `stdin` for a console (a pipe, /dev/null) and stdout
    /// and stderr on pipes.
    #[track_caller]
    pub fn start_piped(args: &[&str], stdin: Stdio) -> Server {
        Server::launch(args).piped(stdin).start()
    }

    /// A server to configure before starting it.
    pub fn launch(args: &[&str]) -> Launch {
        Launch {
            args: args.iter().map(|s| s.to_string()).collect(),
            env: Vec::new(),
            stdin: None,
            stderr_apart: false,
            keys: None,
        }
    }

    /// The port it listens on, as its listening line said.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Connects a guest that negotiates as a telnet client: [`Guest::connect`].
    #[track_caller]
    pub fn guest(&self) -> Guest {
        Guest::connect(self.port)
    }

    /// Connects a guest and waits until it is seated: the host saw it arrive and the
    /// guest was welcomed. For tests about what happens after.
    #[track_caller]
    pub fn seat_guest(&mut self) -> Guest {
        let mut guest = self.guest();
        self.expect_line(&format!("Player connected: {}", guest.local_addr()));
        guest.expect_line("Welcome to the game");
        guest
    }

    /// One game: the host presses `host`, the playing guest sends `visitor`, and both
    /// see the throw.
    #[track_caller]
    pub fn play(&mut self, guest: &mut Guest, host: char, visitor: char) {
        self.press(&[host as u8]);
        guest.send(&[visitor as u8]);
        let line = format!("Player 0: {host}, Player 1: {visitor}");
        self.expect_line(&line);
        guest.expect_line(&line);
    }
}

impl Deref for Server {
    type Target = Program;

    fn deref(&self) -> &Program {
        &self.program
    }
}

impl DerefMut for Server {
    fn deref_mut(&mut self) -> &mut Program {
        &mut self.program
    }
}

// ---------------------------------------------------------------------------------------
// Guests.

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

/// Where the guest's telnet parser is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Syntax {
    Data,
    Iac,
    Verb(u8),
    Sub,
    SubIac,
}

/// A guest: a TCP client on 127.0.0.1 with TCP_NODELAY. It reads only when a test waits
/// (blocking reads with a deadline), so the socket has one descriptor and [`Guest::reset`]
/// really sends RST. Telnet commands are stripped from its transcript.
#[derive(Debug)]
pub struct Guest {
    stream: TcpStream,
    local: SocketAddr,
    /// Answer the server's offers as inetutils telnet does.
    answers: bool,
    answered: HashSet<(u8, u8)>,
    syntax: Syntax,
    raw: Vec<u8>,
    text: Vec<u8>,
    cursor: usize,
    ended: Option<Ended>,
}

impl Guest {
    /// Connects as a telnet client: waits for the server's 6-byte greeting and answers
    /// `IAC DO ECHO, IAC DO SGA`, as inetutils telnet does (and refuses anything else).
    #[track_caller]
    pub fn connect(port: u16) -> Guest {
        Guest::try_connect(port).unwrap_or_else(|e| panic!("guest: cannot connect: {e}"))
    }

    /// [`Guest::connect`] that reports failure instead of failing the test.
    pub fn try_connect(port: u16) -> io::Result<Guest> {
        let mut guest = Guest::open(port, true)?;
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
            answers,
            answered: HashSet::new(),
            syntax: Syntax::Data,
            raw: Vec::new(),
            text: Vec::new(),
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
        if let Err(e) = self.try_send(bytes) {
            self.fail(&format!("cannot send {bytes:02x?}: {e}"));
        }
    }

    pub fn try_send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes)
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

    /// Waits until the guest received `text` after the cursor, moves the cursor past it,
    /// and returns what was received between the old cursor and `text`.
    #[track_caller]
    pub fn expect(&mut self, text: &str) -> String {
        self.expect_where(&format!("{text:?}"), |bytes, from| {
            find(bytes, from, text, false)
        })
    }

    /// As [`Guest::expect`], for `line` as a whole line (its CR LF arrived too).
    #[track_caller]
    pub fn expect_line(&mut self, line: &str) -> String {
        self.expect_where(&format!("the line {line:?}"), |bytes, from| {
            find(bytes, from, line, true)
        })
    }

    /// Reads for `window` and fails if `text` arrived after the cursor. The cursor does
    /// not move. The connection may end meanwhile; use [`Guest::expect_open_for`] to
    /// check that it does not.
    #[track_caller]
    pub fn expect_absent(&mut self, text: &str, window: Duration) {
        let until = Instant::now() + window;
        loop {
            if find(&self.text, self.cursor, text, false).is_some() {
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
                if find(&self.text, self.cursor, text, false).is_some() {
                    self.fail(&format!("{text:?} arrived, and it must not"));
                }
                return;
            }
        }
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

    /// How the connection ended, if it did (as far as the guest has read).
    pub fn ended(&self) -> Option<Ended> {
        self.ended
    }

    /// Everything received so far, telnet commands stripped.
    pub fn transcript(&self) -> String {
        lossy(&self.text)
    }

    /// Every byte received so far, exactly as it arrived.
    pub fn received_raw(&self) -> Vec<u8> {
        self.raw.clone()
    }

    #[track_caller]
    fn expect_where(
        &mut self,
        what: &str,
        matcher: impl Fn(&[u8], usize) -> Option<Range<usize>>,
    ) -> String {
        let deadline = Instant::now() + DEADLINE;
        loop {
            if let Some(found) = matcher(&self.text, self.cursor) {
                let skipped = lossy(&self.text[self.cursor..found.start]);
                self.cursor = found.end;
                return skipped;
            }
            match self.read_more(deadline) {
                Ok(true) => {}
                Ok(false) => {
                    let ended = self.ended.expect("ended");
                    self.fail(&format!(
                        "the connection was {ended} while waiting for {what}"
                    ))
                }
                Err(e) if e.kind() == io::ErrorKind::TimedOut => self.fail(&format!(
                    "timed out after {} s waiting for {what}",
                    DEADLINE.as_secs()
                )),
                Err(e) => self.fail(&format!("read failed waiting for {what}: {e}")),
            }
        }
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
                    self.receive(&buf[..n]);
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

    /// Takes in bytes from the server: text to the transcript, commands answered.
    fn receive(&mut self, bytes: &[u8]) {
        self.raw.extend_from_slice(bytes);
        let mut replies = Vec::new();
        for &b in bytes {
            self.syntax = match (self.syntax, b) {
                (Syntax::Data, IAC) => Syntax::Iac,
                (Syntax::Data, b) => {
                    self.text.push(b);
                    Syntax::Data
                }
                (Syntax::Iac, IAC) => {
                    self.text.push(IAC);
                    Syntax::Data
                }
                (Syntax::Iac, WILL | WONT | DO | DONT) => Syntax::Verb(b),
                (Syntax::Iac, SB) => Syntax::Sub,
                (Syntax::Iac, _) => Syntax::Data,
                (Syntax::Verb(verb), option) => {
                    self.answer(verb, option, &mut replies);
                    Syntax::Data
                }
                (Syntax::Sub, IAC) => Syntax::SubIac,
                (Syntax::Sub, _) => Syntax::Sub,
                (Syntax::SubIac, SE) => Syntax::Data,
                (Syntax::SubIac, _) => Syntax::Sub,
            };
        }
        if !replies.is_empty() {
            // A server that already hung up does not need the answer.
            let _ = self.stream.write_all(&replies);
        }
    }

    fn answer(&mut self, verb: u8, option: u8, replies: &mut Vec<u8>) {
        if !self.answers || !self.answered.insert((verb, option)) {
            return;
        }
        let reply = match (verb, option) {
            (WILL, 1 | 3) => DO,
            (WILL, _) => DONT,
            (DO, _) => WONT,
            _ => return,
        };
        replies.extend_from_slice(&[IAC, reply, option]);
    }

    #[track_caller]
    fn fail(&self, what: &str) -> ! {
        let cursor = self.cursor.min(self.text.len());
        panic!(
            "guest {}: {what}\n  received before the cursor:\n{}\n  received after the cursor:\n{}\n  raw bytes: {}",
            self.local,
            printable(&self.text[..cursor]),
            printable(&self.text[cursor..]),
            self.raw.len()
        )
    }
}
