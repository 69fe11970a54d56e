//! A program run as a host would run it: on a pseudo-terminal that is its controlling
//! terminal, with the console's output timestamped as it arrives. Does IO (pty, process).
//!
//! The recipe is shared/STYLE.md's: openpty with FD_CLOEXEC on both ends, the termios
//! taken before the spawn, setsid + TIOCSCTTY in the child so 0x03 is a real SIGINT, and
//! a thread that drains the master (an undrained pty blocks the child's writes).

use crate::common::transcript::{Output, Transcript};
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};
use termios::Termios;

/// How often a wait on the console checks whether the child is still there.
const EXIT_CHECK: Duration = Duration::from_millis(50);

/// Bytes the console showed, and when the drain thread's read returned them.
#[derive(Debug)]
struct Chunk {
    bytes: Vec<u8>,
    at: Instant,
}

/// A child process on a pseudo-terminal; dropping it kills the child.
#[derive(Debug)]
pub struct PtyChild {
    name: String,
    child: Child,
    /// Whether `child` was waited for: a reaped pid may belong to someone else already.
    reaped: bool,
    /// The master, for typing; the drain thread reads a clone of it.
    master: File,
    /// The parent's copy of the slave: its termios are the terminal's settings, and while
    /// it is open the drain thread's reads block instead of failing with EIO.
    slave: OwnedFd,
    /// The terminal's settings before the child ran.
    pub before: Termios,
    console: Receiver<Chunk>,
    transcript: Transcript,
}

impl PtyChild {
    /// Starts `program` with `args` on a new pseudo-terminal.
    pub fn spawn(name: &str, program: &Path, args: &[String]) -> io::Result<PtyChild> {
        let (master, slave) = open_pty()?;
        let before = Termios::from_fd(slave.as_raw_fd())?;
        // The drain thread starts first, so nothing can fail between the spawn and the
        // guard that kills the child.
        let reader = File::from(master.try_clone()?);
        let (tx, console) = mpsc::channel();
        thread::Builder::new()
            .name(format!("{name} console"))
            .spawn(move || drain(reader, &tx))?;
        let mut command = Command::new(program);
        command
            .args(args)
            .stdin(Stdio::from(slave.try_clone()?))
            .stdout(Stdio::from(slave.try_clone()?))
            .stderr(Stdio::from(slave.try_clone()?));
        // SAFETY: the hook runs in the child between fork and exec, where only
        // async-signal-safe calls are allowed: setsid and ioctl are, and it allocates
        // nothing. Stdin is already the slave when it runs.
        unsafe {
            command.pre_exec(|| {
                if libc::setsid() == -1 || libc::ioctl(0, libc::TIOCSCTTY, 0) == -1 {
                    return Err(io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command.spawn().map_err(|err| {
            io::Error::other(format!("cannot start {}: {err}", program.display()))
        })?;
        Ok(PtyChild {
            name: format!("{name} console"),
            child,
            reaped: false,
            master: File::from(master),
            slave,
            before,
            console,
            transcript: Transcript::default(),
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Types `keys` on the terminal; returns the instant just before the write.
    pub fn type_keys(&mut self, keys: &[u8]) -> io::Result<Instant> {
        let at = Instant::now();
        self.master.write_all(keys)?;
        Ok(at)
    }

    /// Presses Ctrl-C and waits up to `within` for the child to exit; returns the time
    /// from the keypress to the exit, and how it exited.
    ///
    /// The exit is seen through a pidfd opened before the keypress, so the figure is
    /// not rounded up to a polling interval.
    pub fn interrupt(&mut self, within: Duration) -> io::Result<(Duration, ExitStatus)> {
        let pidfd = pidfd_open(self.child.id())?;
        let pressed = self.type_keys(&[0x03])?;
        let deadline = pressed + within;
        let exited = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let mut poll = libc::pollfd {
                fd: pidfd.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            let millis = left.as_millis().min(i32::MAX as u128) as libc::c_int;
            // SAFETY: one valid pollfd, and the count says one.
            let ready = unsafe { libc::poll(&mut poll, 1, millis) };
            match ready {
                1 => break Instant::now(),
                0 => {
                    return Err(io::Error::other(format!(
                        "{}: still running {} ms after Ctrl-C; last output: \"{}\"",
                        self.name,
                        within.as_millis(),
                        self.transcript.tail()
                    )))
                }
                _ => {
                    let err = io::Error::last_os_error();
                    if err.kind() != io::ErrorKind::Interrupted {
                        return Err(err);
                    }
                }
            }
        };
        let status = self.child.wait()?;
        self.reaped = true;
        Ok((exited - pressed, status))
    }

    /// The terminal's settings now (after the child exited: what it left behind).
    pub fn termios_now(&self) -> io::Result<Termios> {
        Termios::from_fd(self.slave.as_raw_fd())
    }
}

impl Output for PtyChild {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn transcript(&mut self) -> &mut Transcript {
        &mut self.transcript
    }

    fn read_more(&mut self, deadline: Instant) -> io::Result<bool> {
        loop {
            // In short slices, to notice a child that exited: the parent's slave copy
            // keeps the master open, so its output never ends by itself.
            let left = deadline.saturating_duration_since(Instant::now());
            match self.console.recv_timeout(left.min(EXIT_CHECK)) {
                Ok(chunk) => {
                    self.transcript.push(&chunk.bytes, chunk.at);
                    return Ok(true);
                }
                Err(RecvTimeoutError::Disconnected) => return Ok(false),
                Err(RecvTimeoutError::Timeout) => {}
            }
            if let Some(status) = self.child.try_wait()? {
                self.reaped = true;
                self.name = format!("{} (exited, {status})", self.name);
                // What it printed last may still be on its way through the drain thread.
                while let Ok(chunk) = self.console.recv_timeout(EXIT_CHECK) {
                    self.transcript.push(&chunk.bytes, chunk.at);
                }
                return Ok(false);
            }
            if Instant::now() >= deadline {
                return Err(io::ErrorKind::TimedOut.into());
            }
        }
    }
}

impl Drop for PtyChild {
    fn drop(&mut self) {
        if !self.reaped {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        // Dropping `slave` next closes the last slave descriptor, so the drain thread's
        // read fails with EIO and the thread ends.
    }
}

/// Reads the master until the terminal is gone, passing each read on with its instant.
///
/// The instant is taken as soon as `read` returns, on this thread: how late the
/// measuring thread picks the chunk up from the channel does not count.
fn drain(mut master: File, console: &mpsc::Sender<Chunk>) {
    let mut buf = [0u8; 4096];
    loop {
        match master.read(&mut buf) {
            Ok(0) => return,
            Ok(n) => {
                let at = Instant::now();
                let chunk = Chunk {
                    bytes: buf[..n].to_vec(),
                    at,
                };
                if console.send(chunk).is_err() {
                    return;
                }
            }
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            // EIO: every slave descriptor is closed.
            Err(_) => return,
        }
    }
}

/// A new pseudo-terminal as (master, slave), both close-on-exec.
fn open_pty() -> io::Result<(OwnedFd, OwnedFd)> {
    let (mut master, mut slave): (RawFd, RawFd) = (-1, -1);
    // SAFETY: both out-pointers are valid; name, termios and winsize may be null.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: openpty succeeded, so both are open descriptors that nothing else owns.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    for fd in [&master, &slave] {
        // SAFETY: F_SETFD on a descriptor we own; no pointers involved.
        if unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_SETFD, libc::FD_CLOEXEC) } == -1 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok((master, slave))
}

/// A pidfd for `pid`: readable once the process has exited.
fn pidfd_open(pid: u32) -> io::Result<OwnedFd> {
    // SAFETY: pidfd_open takes a pid and flags and returns a new descriptor or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid as libc::pid_t, 0) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: the syscall returned a new descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}
