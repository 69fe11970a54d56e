//! The floor: the least a server can do for one round, as one single-threaded `poll(2)`
//! loop. It does the server's IO and nothing else: keys from a cbreak terminal and from
//! one guest socket, paired into the result line written to both (first to the player
//! who moved last: they are the one waiting). The e2e bench runs it as a child process
//! on its own pty (the bench binary re-executed with [`ARG`]), so it crosses the same
//! process, terminal and socket boundaries as the server.

use roshambo_test_support::GREETING;
use std::fs::File;
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, TcpListener};
use std::os::fd::{AsFd, AsRawFd};
use std::process::ExitCode;
use termios::{tcsetattr, Termios, ECHO, ICANON, TCSANOW, VMIN, VTIME};

/// The argument that makes the bench binary run the relay instead of the bench.
pub const ARG: &str = "--floor-relay";

/// Runs the relay until the guest or the terminal goes away.
pub fn main() -> ExitCode {
    match relay() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("floor relay: {err}");
            ExitCode::FAILURE
        }
    }
}

fn relay() -> io::Result<()> {
    // Named for the bench's per-thread figures, instead of the bench binary's hash.
    // SAFETY: PR_SET_NAME reads a NUL-terminated string of at most 16 bytes.
    unsafe { libc::prctl(libc::PR_SET_NAME, c"floor-relay".as_ptr()) };
    // Unbuffered, like the raw descriptors a minimal server would use: std's buffered
    // stdin could hold keys that poll(2) then no longer reports.
    let mut keyboard = File::from(io::stdin().as_fd().try_clone_to_owned()?);
    let mut screen = File::from(io::stdout().as_fd().try_clone_to_owned()?);
    let mut cbreak = Termios::from_fd(keyboard.as_raw_fd())?;
    cbreak.c_lflag &= !(ICANON | ECHO);
    cbreak.c_cc[VMIN] = 1;
    cbreak.c_cc[VTIME] = 0;
    tcsetattr(keyboard.as_raw_fd(), TCSANOW, &cbreak)?;

    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    let port = listener.local_addr()?.port();
    writeln!(screen, "Listening for telnet connections on port {port}")?;
    let (mut guest, addr) = listener.accept()?;
    guest.set_nodelay(true)?;
    guest.write_all(&[&GREETING[..], b"Welcome to the game\r\n"].concat())?;
    writeln!(screen, "Player connected: {addr}")?;

    let mut moves: [Option<u8>; 2] = [None, None];
    // Who completed the pair: their side hears the result first.
    let mut last_mover = 0;
    let mut buf = [0u8; 512];
    loop {
        let mut fds = [keyboard.as_raw_fd(), guest.as_raw_fd()].map(|fd| libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        });
        // SAFETY: `fds` is an array of two valid pollfds and the count says two.
        if unsafe { libc::poll(fds.as_mut_ptr(), 2, -1) } == -1 {
            let err = io::Error::last_os_error();
            if err.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(err);
        }
        if fds[0].revents != 0 {
            let n = keyboard.read(&mut buf)?;
            if n == 0 {
                return Ok(());
            }
            if take_move(&buf[..n], &mut moves[0]) {
                last_mover = 0;
            }
        }
        if fds[1].revents != 0 {
            let n = guest.read(&mut buf)?;
            if n == 0 {
                return Ok(());
            }
            if take_move(&buf[..n], &mut moves[1]) {
                last_mover = 1;
            }
        }
        if let [Some(host), Some(visitor)] = moves {
            let line = format!("Player 0: {}, Player 1: {}", host as char, visitor as char);
            // The player who moved last is the one waiting: the floor is the least
            // time to them, whichever side they are on.
            if last_mover == 0 {
                screen.write_all(format!("{line}\n").as_bytes())?;
                guest.write_all(format!("{line}\r\n").as_bytes())?;
            } else {
                guest.write_all(format!("{line}\r\n").as_bytes())?;
                screen.write_all(format!("{line}\n").as_bytes())?;
            }
            moves = [None, None];
        }
    }
}

/// Keeps the first move in `bytes` if this player has none yet; telnet commands and
/// other keys are not moves. Returns whether it kept one.
fn take_move(bytes: &[u8], slot: &mut Option<u8>) -> bool {
    if slot.is_none() {
        *slot = bytes.iter().copied().find(|b| b"rps".contains(b));
        return slot.is_some();
    }
    false
}
