//! A bot guest: a telnet client over loopback that presses keys and timestamps what it
//! reads. Does IO (one TCP socket, blocking reads with deadlines).

use crate::common::transcript::{Output, Transcript, PATIENCE};
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::time::Instant;

/// What inetutils telnet answers to the server's WILL ECHO, WILL SGA: DO ECHO, DO SGA.
const TELNET_ANSWER: [u8; 6] = [0xff, 0xfd, 0x01, 0xff, 0xfd, 0x03];

#[derive(Debug)]
pub struct Guest {
    name: String,
    stream: TcpStream,
    transcript: Transcript,
}

impl Guest {
    /// Connects to the server on 127.0.0.1:`port` and answers its negotiation.
    ///
    /// TCP_NODELAY: a key is one byte; Nagle would hold it back behind any unacknowledged
    /// segment and the bench would measure the delayed-ACK timer.
    pub fn connect(name: &str, port: u16) -> io::Result<Guest> {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let stream = TcpStream::connect_timeout(&addr, PATIENCE)
            .map_err(|err| io::Error::other(format!("{name}: cannot connect to {addr}: {err}")))?;
        stream.set_nodelay(true)?;
        let mut guest = Guest {
            name: name.to_owned(),
            stream,
            transcript: Transcript::default(),
        };
        guest.stream.write_all(&TELNET_ANSWER)?;
        Ok(guest)
    }

    /// Presses `key`; returns the instant just before the write.
    pub fn press(&mut self, key: u8) -> io::Result<Instant> {
        let at = Instant::now();
        self.stream.write_all(&[key])?;
        Ok(at)
    }

    /// Whether the server still keeps this connection open. Reads (and discards) what
    /// has piled up without waiting: a closed or reset connection shows up as EOF or an
    /// error behind it.
    pub fn still_connected(&mut self) -> bool {
        if self.stream.set_nonblocking(true).is_err() {
            return false;
        }
        let mut buf = [0u8; 16 << 10];
        let open = loop {
            match self.stream.read(&mut buf) {
                Ok(0) => break false,
                Ok(_) => {}
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => break true,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => break false,
            }
        };
        open && self.stream.set_nonblocking(false).is_ok()
    }
}

impl Output for Guest {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn transcript(&mut self) -> &mut Transcript {
        &mut self.transcript
    }

    fn read_more(&mut self, deadline: Instant) -> io::Result<bool> {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        self.stream.set_read_timeout(Some(left))?;
        let mut buf = [0u8; 4096];
        loop {
            match self.stream.read(&mut buf) {
                Ok(0) => return Ok(false),
                Ok(n) => {
                    // Taken before anything else, as the console's drain thread does.
                    let at = Instant::now();
                    self.transcript.push(&buf[..n], at);
                    return Ok(true);
                }
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                // SO_RCVTIMEO expiring reads as EAGAIN.
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                    return Err(io::ErrorKind::TimedOut.into())
                }
                Err(err) => return Err(err),
            }
        }
    }
}
