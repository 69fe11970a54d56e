//! A child process whose console the test reads and types into: on a pseudo-terminal
//! (the host's view) or on pipes. Does IO (processes, pseudo-terminals, pipes, /proc).
//!
//! The console is drained by a thread of its own (an undrained pty blocks the child's
//! writes), which notes the instant of every read; the test waits on what it gathered.

use crate::expect::{Expect, Seen};
use crate::procfs;
use crate::pty::{control_from, open_pty};
use crate::text::{lossy, printable, Pattern, Received};
use crate::DEADLINE;
use std::ffi::OsStr;
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};
use termios::Termios;

/// How long an exited program's pty must stay quiet before its output counts as over.
/// A pty never reports the end of output while the harness holds the slave open.
const QUIET_AFTER_EXIT: Duration = Duration::from_secs(1);

/// How often `wait_exit` looks at the child when the kernel gives no pidfd to wait on.
const EXIT_POLL: Duration = Duration::from_millis(5);

/// The longest a wait on the console goes without checking whether the child exited.
const EXIT_CHECK: Duration = Duration::from_millis(100);

#[derive(Debug, Default)]
struct Captured {
    received: Received,
    /// The stream ended (EOF, or EIO once every pty slave descriptor is closed).
    ended: bool,
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

    /// Waits on `captured` until it grows or `timeout` passes.
    fn wait<'a>(
        &self,
        captured: MutexGuard<'a, Captured>,
        timeout: Duration,
    ) -> MutexGuard<'a, Captured> {
        self.grew
            .wait_timeout(captured, timeout)
            .unwrap_or_else(PoisonError::into_inner)
            .0
    }
}

/// One stream of a child's output as it arrives, read by a thread of its own, with a
/// cursor for `expect`.
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
                            // Taken before the lock: the arrival, not when the test looked.
                            let at = Instant::now();
                            sink.lock().received.push(&buf[..n], at);
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
        self.shared.lock().received.bytes().to_vec()
    }
}

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
    /// Readable once the child has exited, so a wait for the exit is not rounded up to
    /// a polling interval; `None` where the kernel has no pidfds.
    pidfd: Option<OwnedFd>,
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

    /// A real telnet client (`client`: its program and arguments, e.g. `["busybox",
    /// "telnet", "-l", "alice"]`) on a pty as a person runs it, with `TERM=term`,
    /// connecting to 127.0.0.1 `port`.
    pub fn telnet_on_pty(client: &[&str], term: &str, port: u16) -> Program {
        let (program, args) = client.split_first().expect("a client program");
        let mut command = Command::new(program);
        command
            .args(args)
            .args(["127.0.0.1", &port.to_string()])
            .env("TERM", term);
        Program::spawn_on_pty(command, false, None)
    }

    /// Runs `program` with `args`, `stdin` as given and stdout and stderr on pipes.
    pub fn piped(program: impl AsRef<OsStr>, args: &[&str], stdin: Stdio) -> Program {
        let mut command = Command::new(program.as_ref());
        command.args(args);
        Program::spawn_piped(command, stdin)
    }

    /// Calls the program `name` in failure messages instead of its file name: for two
    /// runs of one binary, or a binary re-executed in another role.
    pub fn named(mut self, name: &str) -> Program {
        self.name = name.to_owned();
        self
    }

    /// `keys`: stdin from elsewhere (a pipe) while stdout and stderr stay on the pty.
    pub(crate) fn spawn_on_pty(
        mut command: Command,
        stderr_apart: bool,
        keys: Option<Stdio>,
    ) -> Program {
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
        if stderr_apart {
            command.stderr(Stdio::piped());
        } else {
            command.stderr(on_slave());
        }
        // The descriptor that is the slave in the child, to make it the controlling
        // terminal: stdin, or stdout when the keys come from elsewhere.
        control_from(&mut command, if keys_on_pty { 0 } else { 1 });
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
        let pty = Pty {
            master,
            _slave: slave,
            before,
        };
        Program::started(name, child, keyboard, console, stderr, Some(pty))
    }

    /// Runs `command` (for its environment or working folder) with `stdin` as given and
    /// stdout and stderr on pipes.
    pub fn spawn_piped(mut command: Command, stdin: Stdio) -> Program {
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
        let console = Output::drain(&name, stdout);
        let stderr = Some(Output::drain(&format!("{name} stderr"), stderr));
        Program::started(name, child, keyboard, console, stderr, None)
    }

    /// The program just spawned as `child`, its output already being drained.
    fn started(
        name: String,
        child: Child,
        keyboard: Keyboard,
        console: Output,
        stderr: Option<Output>,
        pty: Option<Pty>,
    ) -> Program {
        Program {
            pidfd: pidfd_open(child.id()).ok(),
            name,
            child,
            status: None,
            exited_at: None,
            keyboard,
            console,
            stderr,
            pty,
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

    /// Waits for the listening line and returns the port it names.
    #[track_caller]
    pub fn listening_port(&mut self) -> u16 {
        let rest = self.expect_rest_of_line("Listening for telnet connections on port ");
        rest.trim()
            .parse()
            .unwrap_or_else(|_| self.fail(&format!("the listening line names no port: {rest:?}")))
    }

    /// Everything the console showed so far (stdout and, on a pty, stderr too).
    pub fn transcript(&self) -> String {
        lossy(&self.console.bytes())
    }

    /// All of stdout, once the program has exited and the pipe ended: for a piped
    /// program that prints and exits (on a pty, wait for text with `expect` instead:
    /// a pty's output never ends while the harness holds it).
    #[track_caller]
    pub fn output_to_end(&mut self) -> String {
        assert!(
            self.pty.is_none(),
            "{}: output_to_end is for pipes",
            self.name
        );
        self.wait_exit(DEADLINE);
        let shared = self.console.shared.clone();
        let deadline = Instant::now() + DEADLINE;
        let mut captured = shared.lock();
        while !captured.ended {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                drop(captured);
                self.fail("the output did not end after the exit");
            }
            captured = shared.wait(captured, left);
        }
        lossy(captured.received.bytes())
    }

    /// stderr, when it is a pipe of its own ([`Launch::stderr_apart`], [`Program::piped`]).
    /// Once the program has exited, waits for the pipe to end so that all of it is there.
    ///
    /// [`Launch::stderr_apart`]: crate::Launch::stderr_apart
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
            captured = shared.wait(captured, left);
        }
        lossy(captured.received.bytes())
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

    /// When the harness saw the child exit, if it has: within microseconds of the exit
    /// when [`Program::wait_exit`] was waiting for it.
    pub fn exited_at(&self) -> Option<Instant> {
        self.exited_at
    }

    /// Waits up to `within` for the child to exit; fails with the transcript if it does not.
    #[track_caller]
    pub fn wait_exit(&mut self, within: Duration) -> ExitStatus {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.try_status() {
                return status;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                self.fail(&format!("still running {} ms later", within.as_millis()));
            }
            match &self.pidfd {
                Some(pidfd) => wait_readable(pidfd, left),
                None => thread::sleep(EXIT_POLL.min(left)),
            }
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
        procfs::fd_count(self.pid()).unwrap_or_else(|e| panic!("{}: {e}", self.name))
    }

    /// Threads, from /proc/PID/task.
    pub fn thread_count(&self) -> usize {
        procfs::thread_count(self.pid()).unwrap_or_else(|e| panic!("{}: {e}", self.name))
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

impl Expect for Program {
    #[track_caller]
    fn expect_seen(&mut self, pattern: Pattern<'_>) -> Seen {
        let deadline = Instant::now() + DEADLINE;
        let shared = self.console.shared.clone();
        let mut captured = shared.lock();
        let why = loop {
            let bytes = captured.received.bytes();
            if let Some(found) = pattern.find(bytes, self.console.cursor) {
                let seen = Seen {
                    skipped: lossy(&bytes[self.console.cursor..found.start]),
                    matched: lossy(&bytes[found.clone()]),
                    at: captured
                        .received
                        .arrived(found.end.max(1) - 1)
                        .expect("a match arrived"),
                };
                self.console.cursor = found.end;
                return seen;
            }
            if captured.ended {
                break "the output ended".to_string();
            }
            let now = Instant::now();
            if now >= deadline {
                break format!("timed out after {} s", DEADLINE.as_secs());
            }
            let len = bytes.len();
            // In steps, to notice an exit.
            captured = shared.wait(captured, (deadline - now).min(EXIT_CHECK));
            if captured.received.bytes().len() > len || captured.ended {
                continue;
            }
            // Nothing came for a step: only then look at the child, so that waiting for
            // a reply costs no more than sleeping (the benches time replies with it).
            if let (Some(status), Some(exited_at)) = (self.try_status(), self.exited_at) {
                let quiet_since = captured
                    .received
                    .last_arrival()
                    .map_or(exited_at, |t| t.max(exited_at));
                if Instant::now().duration_since(quiet_since) >= QUIET_AFTER_EXIT {
                    break format!("it exited ({status}) and said nothing more");
                }
            }
        };
        drop(captured);
        self.fail(&format!("{why} waiting for {pattern}"))
    }

    #[track_caller]
    fn expect_absent(&mut self, text: &str, window: Duration) {
        let until = Instant::now() + window;
        let shared = self.console.shared.clone();
        let mut captured = shared.lock();
        loop {
            if Pattern::Text(text)
                .find(captured.received.bytes(), self.console.cursor)
                .is_some()
            {
                drop(captured);
                self.fail(&format!("{text:?} appeared, and it must not"));
            }
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return;
            }
            captured = shared.wait(captured, left);
        }
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

/// A pidfd for `pid`: readable once the process has exited. Close-on-exec, as every
/// pidfd is.
fn pidfd_open(pid: u32) -> io::Result<OwnedFd> {
    // SAFETY: pidfd_open takes a pid and flags and returns a new descriptor or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid as libc::pid_t, 0) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: the syscall returned a new descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as libc::c_int) })
}

/// Waits up to `timeout` for `fd` to become readable (or for a signal to interrupt).
fn wait_readable(fd: &OwnedFd, timeout: Duration) {
    let mut poll = libc::pollfd {
        fd: fd.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    // Rounded up: a 0 ms poll for a few µs left would spin.
    let millis = timeout.as_micros().div_ceil(1000).min(i32::MAX as u128) as libc::c_int;
    // SAFETY: one valid pollfd, and the count says one.
    unsafe { libc::poll(&mut poll, 1, millis) };
}
