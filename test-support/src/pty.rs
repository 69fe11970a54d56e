//! Pseudo-terminals for a host's console: opened close-on-exec, sized, and made a
//! child's controlling terminal. Does IO (opens descriptors; sets up a child).

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::CommandExt;
use std::process::Command;

/// A new pseudo-terminal as (master, slave), 24 rows by 80 columns.
///
/// Both are opened close-on-exec atomically (posix_openpt and open with O_CLOEXEC)
/// rather than with openpty and a later FD_CLOEXEC: tests run on parallel threads, and
/// a child forked by another test in between would inherit this pty for good, so its
/// drain thread would never see EIO.
pub(crate) fn open_pty() -> io::Result<(OwnedFd, OwnedFd)> {
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

/// Makes the child of `command` take the pty on its descriptor `tty_fd` (already the
/// slave when the child starts) as its controlling terminal, in a session of its own:
/// without one, 0x03 on the pty raises no SIGINT.
pub(crate) fn control_from(command: &mut Command, tty_fd: RawFd) {
    // SAFETY: the hook runs in the child between fork and exec, where only
    // async-signal-safe calls are allowed: setsid and ioctl are, and it allocates
    // nothing.
    unsafe {
        command.pre_exec(move || {
            if libc::setsid() == -1 || libc::ioctl(tty_fd, libc::TIOCSCTTY, 0) == -1 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
}
