//! Plain descriptors the tests and benches make for themselves: a TCP client from any
//! loopback address, a pipe, a pseudo-terminal. Does IO.

use std::fs::File;
use std::io;
use std::net::{Ipv4Addr, TcpStream};
use std::os::fd::{FromRawFd, OwnedFd};

/// A plain TCP client to 127.0.0.1:`port` from `ip` (any 127.x.y.z address is this
/// machine): the harness's guests all come from 127.0.0.1, and `--max-per-ip` is about
/// the address. std cannot bind before connecting.
pub fn connect_from(ip: Ipv4Addr, port: u16) -> io::Result<TcpStream> {
    // SAFETY: plain socket(2); the result is checked before use.
    let fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` is a new socket that nothing else owns; the stream closes it.
    let stream = unsafe { TcpStream::from_raw_fd(fd) };
    let sockaddr = |ip: Ipv4Addr, port: u16| libc::sockaddr_in {
        sin_family: libc::AF_INET as libc::sa_family_t,
        sin_port: port.to_be(),
        sin_addr: libc::in_addr {
            s_addr: u32::from(ip).to_be(),
        },
        sin_zero: [0; 8],
    };
    let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
    let local = sockaddr(ip, 0);
    let server = sockaddr(Ipv4Addr::LOCALHOST, port);
    // SAFETY: both point at a sockaddr_in of the size passed with it.
    unsafe {
        if libc::bind(fd, (&local as *const libc::sockaddr_in).cast(), len) != 0
            || libc::connect(fd, (&server as *const libc::sockaddr_in).cast(), len) != 0
        {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(stream)
}

/// A pipe, as (read end, write end), both close-on-exec.
pub fn pipe() -> io::Result<(File, File)> {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: pipe2 just made both, and nothing else owns them.
    unsafe { Ok((File::from_raw_fd(fds[0]), File::from_raw_fd(fds[1]))) }
}

/// A pseudo-terminal, as (master, slave), for a console nobody reads.
pub fn pty() -> io::Result<(File, OwnedFd)> {
    let (master, slave) = crate::pty::open_pty()?;
    Ok((File::from(master), slave))
}
