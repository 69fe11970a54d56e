//! The listening socket and the thread that blocks on `accept`, reporting each new
//! connection as an event. Does IO (the listening socket).

use crate::edges::logging::GUESTS;
use crate::events::Event;
use crossbeam_channel::Sender;
use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener};
use std::os::fd::{FromRawFd, OwnedFd};
use std::thread;
use std::time::Duration;

/// Why the server could not listen, naming the address it tried.
#[derive(Debug)]
pub struct ListenError {
    pub addr: SocketAddr,
    pub error: io::Error,
}

impl fmt::Display for ListenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot listen on {}: {}", self.addr, self.error)
    }
}

impl std::error::Error for ListenError {}

/// Listens on `bind:port`, or on every interface when `bind` is `None`: IPv6 and IPv4
/// on one socket where the system has IPv6, IPv4 alone where it does not.
pub fn listen(bind: Option<IpAddr>, port: u16) -> Result<TcpListener, ListenError> {
    let attempt = |ip: IpAddr| {
        let addr = SocketAddr::new(ip, port);
        open_listener(addr).map_err(|error| ListenError { addr, error })
    };
    match bind {
        Some(ip) => attempt(ip),
        None => {
            attempt(IpAddr::V6(Ipv6Addr::UNSPECIFIED)).or_else(|e| match e.error.raw_os_error() {
                // No IPv6 on this system: IPv4 alone.
                Some(libc::EAFNOSUPPORT | libc::EADDRNOTAVAIL) => {
                    attempt(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
                }
                _ => Err(e),
            })
        }
    }
}

/// std's `TcpListener::bind` cannot clear IPV6_V6ONLY before binding, and the system's
/// default for it may be either, so the socket is made by hand.
fn open_listener(addr: SocketAddr) -> io::Result<TcpListener> {
    let family = match addr {
        SocketAddr::V4(_) => libc::AF_INET,
        SocketAddr::V6(_) => libc::AF_INET6,
    };
    // SAFETY: plain socket(2); the result is checked before use.
    let fd = unsafe { libc::socket(family, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` is a new socket that nothing else owns.
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    let raw = std::os::fd::AsRawFd::as_raw_fd(&fd);
    set_int_option(raw, libc::SOL_SOCKET, libc::SO_REUSEADDR, 1)?;
    if family == libc::AF_INET6 {
        set_int_option(raw, libc::IPPROTO_IPV6, libc::IPV6_V6ONLY, 0)?;
    }
    let (storage, len) = socket_addr(addr);
    // SAFETY: `storage` holds a sockaddr of the family the socket was made with, and
    // `len` is its size.
    if unsafe { libc::bind(raw, (&storage as *const libc::sockaddr_storage).cast(), len) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: listen(2) on the socket just bound.
    if unsafe { libc::listen(raw, 128) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(TcpListener::from(fd))
}

fn set_int_option(
    fd: libc::c_int,
    level: libc::c_int,
    name: libc::c_int,
    value: libc::c_int,
) -> io::Result<()> {
    // SAFETY: the value is a c_int and its size is passed with it.
    let rc = unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            (&value as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

fn socket_addr(addr: SocketAddr) -> (libc::sockaddr_storage, libc::socklen_t) {
    // SAFETY: all-zero bytes are a valid sockaddr_storage.
    let mut storage: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let len = match addr {
        SocketAddr::V4(v4) => {
            // SAFETY: sockaddr_storage is large and aligned enough for any sockaddr.
            let sin = unsafe {
                &mut *(&mut storage as *mut libc::sockaddr_storage).cast::<libc::sockaddr_in>()
            };
            sin.sin_family = libc::AF_INET as libc::sa_family_t;
            sin.sin_port = v4.port().to_be();
            sin.sin_addr.s_addr = u32::from(*v4.ip()).to_be();
            std::mem::size_of::<libc::sockaddr_in>()
        }
        SocketAddr::V6(v6) => {
            // SAFETY: as above.
            let sin6 = unsafe {
                &mut *(&mut storage as *mut libc::sockaddr_storage).cast::<libc::sockaddr_in6>()
            };
            sin6.sin6_family = libc::AF_INET6 as libc::sa_family_t;
            sin6.sin6_port = v6.port().to_be();
            sin6.sin6_addr.s6_addr = v6.ip().octets();
            sin6.sin6_scope_id = v6.scope_id();
            std::mem::size_of::<libc::sockaddr_in6>()
        }
    };
    (storage, len as libc::socklen_t)
}

/// The addresses a guest elsewhere could use to reach the server: `bind` if it names
/// one, else this machine's addresses other than loopback and link-local ones (at most
/// a few), else localhost.
pub fn guest_addresses(bind: Option<IpAddr>) -> Vec<IpAddr> {
    if let Some(ip) = bind.filter(|ip| !ip.is_unspecified()) {
        return vec![ip];
    }
    // Bound to 0.0.0.0, IPv6 guests cannot come; bound to :: or nothing, both can.
    let ipv4_only = bind.is_some_and(|b| b.is_ipv4());
    let mut found = interface_addresses()
        .into_iter()
        .filter(|ip| !ip.is_loopback() && !is_link_local(ip))
        .filter(|ip| !(ipv4_only && ip.is_ipv6()))
        .collect::<Vec<_>>();
    found.sort_by_key(|ip| (ip.is_ipv6(), *ip));
    found.dedup();
    found.truncate(4);
    if found.is_empty() {
        found.push(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    found
}

fn is_link_local(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_link_local(),
        IpAddr::V6(v6) => (v6.segments()[0] & 0xffc0) == 0xfe80,
    }
}

/// This machine's interface addresses, as getifaddrs(3) lists them.
fn interface_addresses() -> Vec<IpAddr> {
    let mut list: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs writes a list head we free below with freeifaddrs.
    if unsafe { libc::getifaddrs(&mut list) } != 0 {
        return Vec::new();
    }
    let mut found = Vec::new();
    let mut entry = list;
    while !entry.is_null() {
        // SAFETY: `entry` is a node of the list getifaddrs made, not yet freed.
        let node = unsafe { &*entry };
        if !node.ifa_addr.is_null() {
            // SAFETY: ifa_addr points at a sockaddr whose family says its real type.
            let family = i32::from(unsafe { (*node.ifa_addr).sa_family });
            if family == libc::AF_INET {
                // SAFETY: an AF_INET address is a sockaddr_in.
                let sin = unsafe { &*node.ifa_addr.cast::<libc::sockaddr_in>() };
                found.push(IpAddr::V4(Ipv4Addr::from(u32::from_be(
                    sin.sin_addr.s_addr,
                ))));
            } else if family == libc::AF_INET6 {
                // SAFETY: an AF_INET6 address is a sockaddr_in6.
                let sin6 = unsafe { &*node.ifa_addr.cast::<libc::sockaddr_in6>() };
                found.push(IpAddr::V6(Ipv6Addr::from(sin6.sin6_addr.s6_addr)));
            }
        }
        entry = node.ifa_next;
    }
    // SAFETY: `list` came from getifaddrs and is freed once.
    unsafe { libc::freeifaddrs(list) };
    found
}

/// Starts the thread that accepts connections and reports them. It ends when the game
/// loop has gone away (its next accept then finds nobody to tell).
pub fn spawn(listener: TcpListener, events: Sender<Event>) -> io::Result<()> {
    thread::Builder::new()
        .name("acceptor".into())
        .spawn(move || accept_forever(&listener, &events))
        .map(drop)
}

fn accept_forever(listener: &TcpListener, events: &Sender<Event>) {
    loop {
        match listener.accept() {
            Ok((stream, addr)) => {
                // IPv4 guests on the dual-stack socket read as 127.0.0.1, not ::ffff:127.0.0.1.
                let addr = SocketAddr::new(addr.ip().to_canonical(), addr.port());
                if events.send(Event::GuestConnected { stream, addr }).is_err() {
                    return;
                }
            }
            Err(e) if is_transient(&e) => {}
            Err(e) => {
                // Out of file descriptors or memory: back off instead of spinning; the
                // connection waits in the backlog. A flood of guests can cause this, so
                // it goes to the log, and the host hears of it once a minute at most.
                log::warn!(target: GUESTS, "accept: {e}");
                let _ = events.try_send(Event::AcceptFailed);
                thread::sleep(Duration::from_millis(100));
            }
        }
    }
}

fn is_transient(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(
            libc::EINTR
                | libc::ECONNABORTED
                | libc::EPROTO
                | libc::EPERM
                | libc::ENETDOWN
                | libc::EHOSTUNREACH
        )
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpStream;

    #[test]
    fn guests_are_told_the_bound_address_or_the_machines_own() {
        let bound: IpAddr = "127.0.0.1".parse().unwrap();
        assert_eq!(guest_addresses(Some(bound)), [bound]);
        let all = guest_addresses(None);
        assert!(!all.is_empty() && all.len() <= 4, "{all:?}");
        assert!(
            all.iter().all(|ip| !is_link_local(ip)),
            "no link-local address: {all:?}"
        );
        assert!(
            all == [IpAddr::V4(Ipv4Addr::LOCALHOST)] || all.iter().all(|ip| !ip.is_loopback()),
            "loopback only when there is nothing else: {all:?}"
        );
    }

    #[test]
    fn all_interfaces_take_ipv4_and_ipv6_guests() {
        let listener = listen(None, 0).unwrap();
        let port = listener.local_addr().unwrap().port();
        for addr in ["127.0.0.1", "::1"] {
            let ip: IpAddr = addr.parse().unwrap();
            let _guest = TcpStream::connect((ip, port)).unwrap();
            let (_, peer) = listener.accept().unwrap();
            assert_eq!(peer.ip().to_canonical(), ip);
        }
    }

    #[test]
    fn a_port_in_use_names_the_address_and_the_reason() {
        let taken = listen(Some("127.0.0.1".parse().unwrap()), 0).unwrap();
        let port = taken.local_addr().unwrap().port();
        let e = listen(Some("127.0.0.1".parse().unwrap()), port).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("cannot listen on 127.0.0.1:{port}: Address already in use (os error 98)")
        );
        let e = listen(None, port).unwrap_err();
        assert!(e.to_string().contains("Address already in use"), "{e}");
    }

    #[test]
    fn accepted_guests_are_reported_with_plain_ipv4_addresses() {
        let listener = listen(None, 0).unwrap();
        let port = listener.local_addr().unwrap().port();
        let (tx, events) = crossbeam_channel::unbounded();
        spawn(listener, tx).unwrap();
        let guest = TcpStream::connect(("127.0.0.1", port)).unwrap();
        match events.recv_timeout(Duration::from_secs(5)).unwrap() {
            Event::GuestConnected { addr, .. } => assert_eq!(addr, guest.local_addr().unwrap()),
            other => panic!("{other:?}"),
        }
    }
}
