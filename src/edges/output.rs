//! An output that never makes its writer wait: the console, stderr, the log file. Does
//! IO (writes a file descriptor, on a thread of its own when it must wait).
//!
//! The game thread must answer the next key whatever the host's terminal does: Ctrl-S,
//! a slow link, a stdout piped into a program that stopped reading, a log FIFO nobody
//! drains. So a line is written at once, without blocking, while the descriptor takes
//! it (no thread hop: the host sees a result as soon as the game thread has it). What it
//! does not take is held, and written by the output's own writer thread, which may
//! block; until the writer has caught up, later lines queue behind it, so nothing is
//! reordered and the two never write at once. What is held is bounded: past
//! [`HELD_LIMIT`] the oldest lines are dropped and counted, and the writer says
//! `[N lines not shown]` where they were, once the output flows again.
//!
//! The descriptor is made non-blocking without touching the one the shell shares with
//! us: stdout and stderr are opened anew through `/proc/self/fd`, so the flag is on a
//! file description of our own.

use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::os::unix::fs::OpenOptionsExt;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::Instant;

/// Bytes an output may hold while it cannot write; past this the oldest lines go.
pub const HELD_LIMIT: usize = 64 * 1024;

/// What an output does when its descriptor is gone for good (a broken pipe, a terminal
/// that hung up, a full disk): called once, from whichever thread found out.
pub type OnGone = Box<dyn Fn(&io::Error) + Send + Sync>;

/// The output is gone for good; nothing more can be written to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Gone;

/// A handle on one output; clones share it.
#[derive(Clone)]
pub struct Output {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Output")
            .field("name", &self.shared.name)
            .finish_non_exhaustive()
    }
}

struct Shared {
    name: &'static str,
    fd: OwnedFd,
    /// Whether the descriptor is ours and non-blocking, so a line may be written at
    /// once; if not, everything goes through the writer thread.
    direct: bool,
    state: Mutex<State>,
    /// Signalled when something is held (for the writer) and when the writer has
    /// caught up (for [`Output::drain_until`]).
    changed: Condvar,
    on_gone: OnGone,
}

#[derive(Default)]
struct State {
    held: VecDeque<Vec<u8>>,
    held_bytes: usize,
    /// Lines dropped since the writer last wrote.
    dropped: u64,
    /// The writer is writing: its bytes come before anything written directly.
    busy: bool,
    /// The first held bytes finish a line whose start was written directly: they are
    /// never dropped, and no notice goes before them.
    front_continues: bool,
    gone: bool,
}

impl Output {
    /// The process's stdout, as an output of its own (see the module's doc).
    pub fn stdout(on_gone: OnGone) -> io::Result<Output> {
        let (fd, direct) = reopen(io::stdout().as_fd())?;
        Output::start("the console", fd, direct, on_gone)
    }

    /// The process's stderr, likewise.
    pub fn stderr(on_gone: OnGone) -> io::Result<Output> {
        let (fd, direct) = reopen(io::stderr().as_fd())?;
        Output::start("stderr", fd, direct, on_gone)
    }

    /// A file we opened ourselves (its description is ours alone), appended to.
    pub fn file(name: &'static str, file: File, on_gone: OnGone) -> io::Result<Output> {
        let fd = OwnedFd::from(file);
        set_nonblocking(fd.as_raw_fd())?;
        Output::start(name, fd, true, on_gone)
    }

    fn start(name: &'static str, fd: OwnedFd, direct: bool, on_gone: OnGone) -> io::Result<Output> {
        let shared = Arc::new(Shared {
            name,
            fd,
            direct,
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            on_gone,
        });
        let writer = shared.clone();
        thread::Builder::new()
            .name(format!("{name} writer").replace(' ', "-"))
            .spawn(move || writer.write_held())?;
        Ok(Output { shared })
    }

    /// Writes `bytes` (whole lines) without waiting: at once if the output takes them,
    /// else held for the writer thread. Fails only once the output is gone.
    pub fn write(&self, bytes: &[u8]) -> Result<(), Gone> {
        let shared = &*self.shared;
        let mut state = shared.lock();
        if state.gone {
            return Err(Gone);
        }
        let mut rest = bytes;
        if shared.direct && !state.busy && state.held.is_empty() {
            match write_now(shared.fd.as_fd(), rest) {
                Ok(n) if n == rest.len() => return Ok(()),
                Ok(n) => {
                    state.front_continues = n > 0;
                    rest = &rest[n..];
                }
                Err(e) => {
                    state.gone = true;
                    drop(state);
                    (shared.on_gone)(&e);
                    return Err(Gone);
                }
            }
        }
        state.held_bytes += rest.len();
        state.held.push_back(rest.to_vec());
        // Keep the newest: the host wants to see where things stand now.
        let keep = 1 + usize::from(state.front_continues);
        while state.held_bytes > HELD_LIMIT && state.held.len() > keep {
            let oldest = state.held.remove(keep - 1).expect("more held than kept");
            state.held_bytes -= oldest.len();
            state.dropped += lines_in(&oldest);
        }
        shared.changed.notify_all();
        Ok(())
    }

    /// Waits until everything held is written, or until `deadline`; returns whether it
    /// was. For the last lines at shutdown, which a stalled output must not hold up.
    pub fn drain_until(&self, deadline: Instant) -> bool {
        let shared = &*self.shared;
        let mut state = shared.lock();
        loop {
            if state.gone || (!state.busy && state.held.is_empty()) {
                return !state.gone;
            }
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            state = shared
                .changed
                .wait_timeout(state, deadline - now)
                .map(|(state, _)| state)
                .unwrap_or_else(|poisoned| poisoned.into_inner().0);
        }
    }

    /// Lines dropped so far that the writer has not yet reported.
    pub fn dropped(&self) -> u64 {
        self.shared.lock().dropped
    }
}

/// For writers that take `io::Write` (the game loop's console, the loggers): a write
/// never waits; the output gone reads as a broken pipe.
impl io::Write for Output {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        Output::write(self, bytes)
            .map(|()| bytes.len())
            .map_err(|Gone| io::Error::from(io::ErrorKind::BrokenPipe))
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere while holding the lock leaves the state whole (every
        // change under it is a push or a pop), so it stays usable.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The writer thread: writes what is held, oldest first, blocking as long as the
    /// output needs; ends when the output is gone.
    fn write_held(&self) {
        loop {
            let (bytes, dropped) = {
                let mut state = self.lock();
                while state.held.is_empty() {
                    state = self
                        .changed
                        .wait(state)
                        .unwrap_or_else(|poisoned| poisoned.into_inner());
                }
                let bytes = state.held.pop_front().expect("something held");
                state.held_bytes -= bytes.len();
                state.busy = true;
                // The notice goes where the dropped lines were: after the end of a
                // line already begun, before anything else.
                let dropped = if std::mem::take(&mut state.front_continues) {
                    0
                } else {
                    std::mem::take(&mut state.dropped)
                };
                (bytes, dropped)
            };
            let mut written = Ok(());
            if dropped > 0 {
                let notice = format!("[{dropped} lines not shown]\n");
                written = write_all_waiting(self.fd.as_fd(), notice.as_bytes());
            }
            written = written.and_then(|()| write_all_waiting(self.fd.as_fd(), &bytes));
            let mut state = self.lock();
            state.busy = false;
            if let Err(e) = written {
                state.gone = true;
                state.held.clear();
                state.held_bytes = 0;
                self.changed.notify_all();
                drop(state);
                (self.on_gone)(&e);
                return;
            }
            self.changed.notify_all();
        }
    }
}

/// Lines in `bytes`, counting an unfinished last one.
fn lines_in(bytes: &[u8]) -> u64 {
    let ends = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
    ends + u64::from(bytes.last().is_some_and(|&b| b != b'\n'))
}

/// Opens the file `fd` refers to anew, non-blocking: a description of our own, so
/// the shell's stays as it was. Falls back to a duplicate where the descriptor cannot be
/// opened anew (a socket): it stays blocking, so only the writer thread writes it.
/// Returns the descriptor and whether it is the non-blocking one.
fn reopen(fd: BorrowedFd<'_>) -> io::Result<(OwnedFd, bool)> {
    let path = format!("/proc/self/fd/{}", fd.as_raw_fd());
    let reopened = OpenOptions::new()
        .append(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_CLOEXEC)
        .open(path);
    match reopened {
        Ok(file) => Ok((OwnedFd::from(file), true)),
        Err(_) => Ok((fd.try_clone_to_owned()?, false)),
    }
}

fn set_nonblocking(fd: RawFd) -> io::Result<()> {
    // SAFETY: fcntl on a descriptor we own; F_GETFL takes no argument.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    if flags < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: as above; F_SETFL takes the flags as an int.
    if unsafe { libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Writes what the descriptor takes now; returns how much. An error is the output gone.
fn write_now(fd: BorrowedFd<'_>, bytes: &[u8]) -> io::Result<usize> {
    let mut written = 0;
    while written < bytes.len() {
        let rest = &bytes[written..];
        // SAFETY: `rest` is valid for reads of `rest.len()` bytes; `fd` is open.
        let n = unsafe { libc::write(fd.as_raw_fd(), rest.as_ptr().cast(), rest.len()) };
        if n > 0 {
            written += n as usize;
            continue;
        }
        let e = io::Error::last_os_error();
        match e.kind() {
            io::ErrorKind::Interrupted => continue,
            io::ErrorKind::WouldBlock => return Ok(written),
            _ if n == 0 => return Err(io::Error::from(io::ErrorKind::WriteZero)),
            _ => return Err(e),
        }
    }
    Ok(written)
}

/// Writes all of `bytes`, waiting for the descriptor to take them as long as it takes.
fn write_all_waiting(fd: BorrowedFd<'_>, mut bytes: &[u8]) -> io::Result<()> {
    while !bytes.is_empty() {
        let n = write_now(fd, bytes)?;
        bytes = &bytes[n..];
        if !bytes.is_empty() {
            wait_writable(fd)?;
        }
    }
    Ok(())
}

fn wait_writable(fd: BorrowedFd<'_>) -> io::Result<()> {
    let mut poll = libc::pollfd {
        fd: fd.as_raw_fd(),
        events: libc::POLLOUT,
        revents: 0,
    };
    loop {
        // SAFETY: one valid pollfd; no timeout.
        let rc = unsafe { libc::poll(&mut poll, 1, -1) };
        if rc >= 0 {
            return Ok(());
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    /// A pipe: (read end, an output on the write end), and how often it was gone.
    fn piped() -> (File, Output, Arc<AtomicUsize>) {
        let mut fds = [0; 2];
        // SAFETY: `fds` has room for the two descriptors pipe2 writes.
        assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
        // SAFETY: pipe2 just made both, and nothing else owns them.
        let (read, write) = unsafe { (File::from_raw_fd(fds[0]), File::from_raw_fd(fds[1])) };
        let gone = Arc::new(AtomicUsize::new(0));
        let counter = gone.clone();
        let output = Output::file(
            "a test pipe",
            write,
            Box::new(move |_| {
                counter.fetch_add(1, Ordering::SeqCst);
            }),
        )
        .unwrap();
        (read, output, gone)
    }

    use std::os::fd::FromRawFd;

    fn read_all_available(read: &mut File, expect_len: usize) -> Vec<u8> {
        let mut got = Vec::new();
        let mut buf = [0u8; 65536];
        while got.len() < expect_len {
            let n = read.read(&mut buf).unwrap();
            assert!(n > 0, "the pipe closed early");
            got.extend_from_slice(&buf[..n]);
        }
        got
    }

    #[test]
    fn lines_go_out_at_once_while_the_output_takes_them() {
        let (mut read, output, _) = piped();
        output.write(b"Player 0 wins!\n").unwrap();
        assert_eq!(read_all_available(&mut read, 15), b"Player 0 wins!\n");
    }

    #[test]
    fn a_stalled_output_never_blocks_holds_the_newest_and_counts_the_dropped() {
        let (mut read, output, _) = piped();
        // Nobody reads: the pipe's 64 KiB fill, then 64 KiB are held, then lines drop.
        let started = Instant::now();
        let line = format!("{}\n", "x".repeat(99));
        for _ in 0..5000 {
            output.write(line.as_bytes()).unwrap();
        }
        output.write(b"the latest\n").unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "writing 500 KB to a stalled pipe returned at once"
        );
        assert!(output.dropped() > 0, "some lines were dropped");
        // The reader comes back: what flows is the older lines that fitted, the count
        // of those dropped, the newest lines, and the latest last.
        let mut got = Vec::new();
        let mut buf = [0u8; 65536];
        while !got.ends_with(b"the latest\n") {
            let n = read.read(&mut buf).unwrap();
            got.extend_from_slice(&buf[..n]);
        }
        let text = String::from_utf8(got).unwrap();
        let mut dropped = 0;
        for notice in text.lines().filter(|l| l.starts_with('[')) {
            let count = notice
                .strip_prefix('[')
                .and_then(|n| n.strip_suffix(" lines not shown]"))
                .unwrap_or_else(|| panic!("a notice of what was not shown: {notice}"));
            dropped += count.parse::<u64>().unwrap();
        }
        assert!(dropped > 0, "the gap is told where it was");
        let shown = text.lines().filter(|l| l.starts_with('x')).count() as u64;
        assert!(
            text.lines().all(|l| l.len() == 99 || !l.starts_with('x')),
            "no line cut short"
        );
        assert_eq!(shown + dropped, 5000, "every line shown or counted");
        assert!(output.drain_until(Instant::now() + Duration::from_secs(5)));
    }

    #[test]
    fn a_reader_gone_is_reported_once_and_never_a_panic() {
        let (read, output, gone) = piped();
        drop(read);
        assert_eq!(output.write(b"anyone there?\n"), Err(Gone));
        assert_eq!(output.write(b"still?\n"), Err(Gone));
        assert_eq!(gone.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn draining_gives_up_at_the_deadline_on_a_stalled_output() {
        let (_read, output, _) = piped();
        let line = [b'y'; 1000];
        for _ in 0..200 {
            output.write(&line).unwrap();
        }
        let started = Instant::now();
        assert!(!output.drain_until(started + Duration::from_millis(50)));
        assert!(started.elapsed() < Duration::from_secs(1));
    }

    #[test]
    fn lines_are_counted_whole_and_partial() {
        assert_eq!(lines_in(b"a\nb\n"), 2);
        assert_eq!(lines_in(b"a\nb"), 2);
        assert_eq!(lines_in(b""), 0);
    }
}
