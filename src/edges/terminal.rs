//! The host's terminal: cbreak mode on the way in, the exact settings back on every way
//! out (drop, panic, Ctrl-Z). Does IO (termios on the console).
//!
//! The settings saved by the live [`TerminalGuard`] are also kept in a process-wide slot,
//! because the panic hook and the signal thread must put them back without owning the
//! guard. Every change to the terminal is made while holding that slot's lock, so the
//! slot and the terminal change together: a Ctrl-Z racing with the guard's drop can never
//! re-enter cbreak after the settings were put back for good.

use std::io;
use std::os::fd::RawFd;
use std::sync::{Mutex, MutexGuard, PoisonError, TryLockError};
use std::thread;
use std::time::{Duration, Instant};
use termios::{tcsetattr, Termios, ECHO, ICANON, IXON, TCSAFLUSH, TCSANOW, VMIN, VTIME};

/// The terminal settings from before cbreak, and the terminal they belong to.
#[derive(Clone, Copy, Debug)]
struct Saved {
    fd: RawFd,
    termios: Termios,
}

/// The live guard's saved settings, for [`restore_saved`] and [`reenter_cbreak`].
static SAVED: Mutex<Option<Saved>> = Mutex::new(None);

/// How often, and how far apart, [`restore_saved`] tries the lock before giving up.
const RESTORE_TRIES: u32 = 100;
const RESTORE_PAUSE: Duration = Duration::from_millis(1);

/// How long the guard's drop waits for the terminal to send what was written.
const DRAIN_PATIENCE: Duration = Duration::from_millis(30);

/// Owns the console's cbreak mode; dropping it puts the saved settings back.
///
/// Only one guard can be live at a time: a second one would save the first one's cbreak
/// settings as "the settings from before", and the terminal would never be restored.
#[derive(Debug)]
pub struct TerminalGuard {
    saved: Saved,
}

impl TerminalGuard {
    /// Puts the terminal on `fd` in cbreak mode, as Python's `tty.setcbreak`.
    ///
    /// `Ok(None)` when `fd` is not a terminal (a pipe, /dev/null): then nothing is
    /// touched and the keys simply arrive as they are read. An error of kind
    /// `AlreadyExists` when another guard is live.
    pub fn cbreak(fd: RawFd) -> io::Result<Option<TerminalGuard>> {
        // SAFETY: isatty only inspects the descriptor; an invalid one yields 0 (EBADF).
        if unsafe { libc::isatty(fd) } != 1 {
            return Ok(None);
        }
        let mut slot = lock_saved();
        if slot.is_some() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                "the console is already in cbreak mode",
            ));
        }
        let saved = Saved {
            fd,
            termios: Termios::from_fd(fd)?,
        };
        // TCSAFLUSH as `tty.setcbreak` does: keys typed before the game started (half a
        // shell line) are not moves.
        if let Err(err) = tcsetattr(fd, TCSAFLUSH, &cbreak_from(&saved.termios)) {
            // tcsetattr succeeds when any part of the change was made; undo what was.
            let _ = tcsetattr(fd, TCSANOW, &saved.termios);
            return Err(err);
        }
        *slot = Some(saved);
        Ok(Some(TerminalGuard { saved }))
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        let mut slot = lock_saved();
        // What was written in cbreak is sent before the settings change under it, as
        // the seed's TCSADRAIN does, but only for a while: a terminal whose output is
        // stalled (a slow link, XOFF from before) must not keep the host's shell away.
        wait_for_output(self.saved.fd, DRAIN_PATIENCE);
        if let Err(err) = tcsetattr(self.saved.fd, TCSANOW, &self.saved.termios) {
            // EIO when the terminal hung up: nothing left to restore.
            log::warn!("could not restore the terminal settings: {err}");
        }
        if slot.is_some_and(|s| s.fd == self.saved.fd) {
            *slot = None;
        }
    }
}

/// Puts back the settings saved by the live guard, if any. For the panic hook and Ctrl-Z.
///
/// The guard stays live and still owns the settings: its drop restores them again, and
/// [`reenter_cbreak`] can go back to cbreak. This never blocks for long, so it is safe in
/// a panic hook on any thread: it tries the lock for about 100 ms and then gives up.
/// Giving up is right in every case where the lock stays busy that long: either this
/// very thread holds it (a panic inside one of this module's critical sections, which
/// contain nothing that panics, so in practice never) or the guard's drop is waiting
/// for output to drain before restoring the same settings itself. A plain `lock()`
/// would deadlock in the first case.
pub fn restore_saved() {
    let Some(slot) = try_lock_saved() else {
        return;
    };
    if let Some(saved) = *slot {
        // TCSANOW, not TCSADRAIN: a panic hook must not wait on output that may never
        // drain (Ctrl-S). cbreak changes no output flag, so pending output looks the same.
        let _ = tcsetattr(saved.fd, TCSANOW, &saved.termios);
    }
}

/// Enters cbreak again after the process was continued, if a guard is live.
///
/// A shell leaves the terminal cooked after Ctrl-Z and `fg`. The mode is derived from
/// the saved settings again, not from whatever the shell left.
pub fn reenter_cbreak() {
    let slot = lock_saved();
    if let Some(saved) = *slot {
        // TCSANOW, not TCSAFLUSH: keys the host types right after `fg` are moves.
        if let Err(err) = tcsetattr(saved.fd, TCSANOW, &cbreak_from(&saved.termios)) {
            log::warn!("could not re-enter cbreak mode: {err}");
        }
    }
}

/// The cbreak version of `termios`: what Python 3.11's `tty.setcbreak` makes, and IXON
/// off.
///
/// ECHO and ICANON off, one byte at a time with no timeout. ISIG stays on, so Ctrl-C,
/// Ctrl-\ and Ctrl-Z are still signals. IXON off, so that a Ctrl-S pressed by accident
/// is a key, not a stop of the console's output that would leave the host wondering why
/// the game froze (the server would play on either way). Python 3.12 also clears ICRNL;
/// we keep it as it was, as 3.11 does: CR and LF are both ignored by the console anyway.
fn cbreak_from(termios: &Termios) -> Termios {
    let mut cbreak = *termios;
    cbreak.c_lflag &= !(ECHO | ICANON);
    cbreak.c_iflag &= !IXON;
    cbreak.c_cc[VMIN] = 1;
    cbreak.c_cc[VTIME] = 0;
    cbreak
}

/// Waits until the terminal on `fd` has sent all its output, or `patience` has passed.
fn wait_for_output(fd: RawFd, patience: Duration) {
    let deadline = Instant::now() + patience;
    loop {
        let mut queued: libc::c_int = 0;
        // SAFETY: TIOCOUTQ writes one int to the valid pointer.
        let rc = unsafe { libc::ioctl(fd, libc::TIOCOUTQ, &mut queued) };
        if rc != 0 || queued == 0 || Instant::now() >= deadline {
            return;
        }
        thread::sleep(Duration::from_millis(1));
    }
}

/// The saved-settings slot; a poisoned lock is still good (the data is plain `Copy`).
fn lock_saved() -> MutexGuard<'static, Option<Saved>> {
    SAVED.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The saved-settings slot, or `None` if it stayed busy for [`RESTORE_TRIES`] tries.
fn try_lock_saved() -> Option<MutexGuard<'static, Option<Saved>>> {
    for _ in 0..RESTORE_TRIES {
        match SAVED.try_lock() {
            Ok(slot) => return Some(slot),
            Err(TryLockError::Poisoned(poisoned)) => return Some(poisoned.into_inner()),
            Err(TryLockError::WouldBlock) => thread::sleep(RESTORE_PAUSE),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::time::Instant;
    use termios::{ICRNL, ISIG, IXON};

    /// Guards are process-wide and tests run in parallel: one terminal test at a time.
    static SERIAL: Mutex<()> = Mutex::new(());

    fn serial() -> MutexGuard<'static, ()> {
        SERIAL.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A fresh pseudo-terminal; the tests drive its slave end like a console.
    struct Pty {
        _master: OwnedFd,
        slave: OwnedFd,
    }

    impl Pty {
        fn open() -> Pty {
            let (mut master, mut slave) = (-1, -1);
            // SAFETY: both out-pointers are valid; the name, termios and winsize
            // arguments may be null.
            let rc = unsafe {
                libc::openpty(
                    &mut master,
                    &mut slave,
                    std::ptr::null_mut(),
                    std::ptr::null(),
                    std::ptr::null(),
                )
            };
            assert_eq!(rc, 0, "openpty: {}", io::Error::last_os_error());
            // SAFETY: openpty succeeded, so both are open descriptors owned by nobody else.
            unsafe {
                Pty {
                    _master: OwnedFd::from_raw_fd(master),
                    slave: OwnedFd::from_raw_fd(slave),
                }
            }
        }

        fn fd(&self) -> RawFd {
            self.slave.as_raw_fd()
        }

        fn settings(&self) -> Termios {
            Termios::from_fd(self.fd()).unwrap()
        }

        fn set(&self, termios: &Termios) {
            tcsetattr(self.fd(), TCSANOW, termios).unwrap();
        }
    }

    fn expected_cbreak(before: &Termios) -> Termios {
        let mut expected = *before;
        expected.c_lflag &= !(ECHO | ICANON);
        expected.c_iflag &= !IXON;
        expected.c_cc[VMIN] = 1;
        expected.c_cc[VTIME] = 0;
        expected
    }

    /// Starting points: the pty's defaults, and odd ones a host may have set with stty.
    fn starting_settings(pty: &Pty) -> Vec<(&'static str, Termios)> {
        let default = pty.settings();
        let mut no_echo = default;
        no_echo.c_lflag &= !ECHO;
        no_echo.c_cc[VMIN] = 4;
        no_echo.c_cc[VTIME] = 7;
        let mut no_crnl_no_xon = default;
        no_crnl_no_xon.c_iflag &= !(ICRNL | IXON);
        vec![
            ("default", default),
            ("echo off, vmin 4, vtime 7", no_echo),
            ("no icrnl, no ixon", no_crnl_no_xon),
        ]
    }

    #[test]
    fn cbreak_turns_off_exactly_icanon_echo_and_ixon() {
        let _serial = serial();
        let pty = Pty::open();
        for (name, start) in starting_settings(&pty) {
            pty.set(&start);
            let before = pty.settings();
            let guard = TerminalGuard::cbreak(pty.fd()).unwrap().expect("a tty");
            let after = pty.settings();
            assert_eq!(after, expected_cbreak(&before), "{name}");
            assert_eq!(after.c_lflag & (ICANON | ECHO), 0, "{name}");
            assert_ne!(after.c_lflag & ISIG, 0, "{name}: Ctrl-C must stay a signal");
            assert_eq!(
                after.c_iflag | (before.c_iflag & IXON),
                before.c_iflag,
                "{name}: ICRNL as it was"
            );
            assert_eq!(after.c_iflag & IXON, 0, "{name}: Ctrl-S is a key");
            assert_eq!((after.c_cc[VMIN], after.c_cc[VTIME]), (1, 0), "{name}");
            drop(guard);
        }
    }

    #[test]
    fn dropping_the_guard_restores_the_settings() {
        let _serial = serial();
        let pty = Pty::open();
        for (name, start) in starting_settings(&pty) {
            pty.set(&start);
            let before = pty.settings();
            let guard = TerminalGuard::cbreak(pty.fd()).unwrap().expect("a tty");
            assert_ne!(pty.settings(), before, "{name}");
            drop(guard);
            assert_eq!(pty.settings(), before, "{name}");
            assert!(
                lock_saved().is_none(),
                "{name}: the process-wide copy is cleared"
            );
        }
    }

    #[test]
    fn not_a_tty_gives_none_and_touches_nothing() {
        let _serial = serial();
        let mut fds = [-1; 2];
        // SAFETY: fds has room for the two descriptors pipe writes.
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        // SAFETY: pipe succeeded, so both are open descriptors owned by nobody else.
        let (read, _write) =
            unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        assert!(TerminalGuard::cbreak(read.as_raw_fd()).unwrap().is_none());
        assert!(lock_saved().is_none());
    }

    #[test]
    fn restore_saved_and_reenter_cbreak_switch_while_the_guard_lives() {
        let _serial = serial();
        let pty = Pty::open();
        let before = pty.settings();
        let guard = TerminalGuard::cbreak(pty.fd()).unwrap().expect("a tty");
        restore_saved();
        assert_eq!(pty.settings(), before, "Ctrl-Z puts the settings back");
        // The shell cooks the terminal its own way while we are stopped.
        let mut shell = before;
        shell.c_iflag &= !IXON;
        pty.set(&shell);
        reenter_cbreak();
        assert_eq!(
            pty.settings(),
            expected_cbreak(&before),
            "from the saved settings"
        );
        restore_saved();
        restore_saved();
        assert_eq!(pty.settings(), before, "the guard keeps the settings");
        drop(guard);
        assert_eq!(pty.settings(), before);
    }

    #[test]
    fn without_a_live_guard_restore_and_reenter_do_nothing() {
        let _serial = serial();
        let pty = Pty::open();
        drop(TerminalGuard::cbreak(pty.fd()).unwrap().expect("a tty"));
        let mut later = pty.settings();
        later.c_lflag &= !ECHO;
        pty.set(&later);
        restore_saved();
        reenter_cbreak();
        assert_eq!(pty.settings(), later);
    }

    #[test]
    fn a_second_guard_is_refused() {
        let _serial = serial();
        let (first, second) = (Pty::open(), Pty::open());
        let before = (first.settings(), second.settings());
        let guard = TerminalGuard::cbreak(first.fd()).unwrap().expect("a tty");
        let err = TerminalGuard::cbreak(second.fd()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(
            second.settings(),
            before.1,
            "the second terminal is untouched"
        );
        drop(guard);
        assert_eq!(first.settings(), before.0);
    }

    #[test]
    fn restore_saved_gives_up_on_a_lock_held_by_its_own_thread() {
        let _serial = serial();
        let held = lock_saved();
        let start = Instant::now();
        restore_saved();
        assert!(start.elapsed() < Duration::from_secs(2), "no deadlock");
        drop(held);
    }
}
