//! A guest's connection: the socket, a reader thread that turns their bytes into events,
//! and a writer thread for when their socket is full. Does IO (the guest's socket).
//!
//! What to send and by which route is the outbox's decision
//! ([`roshambo_core::delivery::Outbox`]); this module only carries it out. While the
//! socket takes the guest's output, the game thread sends it with `MSG_DONTWAIT`
//! ([`GuestConnection::send_now`]), which never blocks and costs no thread wake-up.
//! When it does not, the rest goes to the writer thread
//! ([`GuestConnection::hand_to_writer`]), which blocks on the socket and reports each
//! write back as [`Event::GuestWritten`], failed writes included, so that the outbox
//! always knows who owns the socket's output.

mod reader;
mod writer;

use crate::events::Event;
use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use reader::Reader;
use roshambo_core::game::GuestId;
use roshambo_core::keys::KeyRate;
use std::io;
use std::net::{Shutdown, TcpStream};
use std::os::fd::AsRawFd;
use std::thread;
use std::time::{Duration, Instant};
use writer::{Order, Writer};

/// How long the writer thread's write may make no progress before the guest counts as
/// gone.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// The kernel's share of a guest's unsent output. Small on purpose: a game says a few
/// bytes a second, and autotuned buffers would let a silent guest pin megabytes.
const SEND_BUFFER: libc::c_int = 16 * 1024;

/// Guest threads need little stack: a 4 KiB read buffer and the filter.
const GUEST_THREAD_STACK: usize = 256 * 1024;

/// The game thread's handle on one guest's connection. Dropping it closes the
/// connection gently: what was handed to the writer is still sent, then the guest is
/// let go.
#[derive(Debug)]
pub struct GuestConnection {
    socket: TcpStream,
    writer: Sender<Order>,
}

impl GuestConnection {
    /// Starts the guest's reader and writer threads. The reader reports on `events`
    /// until the connection ends; the writer reports what it wrote.
    pub fn open(
        guest: GuestId,
        stream: TcpStream,
        events: Sender<Event>,
        max_key_rate: u32,
        flushed: &Flushed,
    ) -> io::Result<GuestConnection> {
        tune(&stream);
        let (orders, queue) = crossbeam_channel::unbounded();
        let (reading, reader_done) = crossbeam_channel::bounded::<()>(0);
        let writer = Writer {
            guest,
            stream: stream.try_clone()?,
            queue,
            events: events.clone(),
            reader_done,
            flushed: flushed.token(),
        };
        let reader = Reader {
            guest,
            stream: stream.try_clone()?,
            events,
            rate: KeyRate::new(max_key_rate, Instant::now()),
            _reading: reading,
        };
        spawn(format!("guest-{}-writer", guest.0), move || writer.run())?;
        let connection = GuestConnection {
            socket: stream,
            writer: orders,
        };
        // If the reader cannot start, dropping `connection` stops the writer.
        spawn(format!("guest-{}-reader", guest.0), move || reader.run())?;
        Ok(connection)
    }

    /// Sends as much of `bytes` as the socket takes now, without blocking; returns how
    /// many it took. A broken connection takes everything: its reader reports the guest
    /// gone.
    pub fn send_now(&self, bytes: &[u8]) -> usize {
        let mut sent = 0;
        while sent < bytes.len() {
            let rest = &bytes[sent..];
            // SAFETY: `rest` is valid for reads of `rest.len()` bytes, and the fd is a
            // live socket owned by `self.socket`.
            let n = unsafe {
                libc::send(
                    self.socket.as_raw_fd(),
                    rest.as_ptr().cast(),
                    rest.len(),
                    libc::MSG_DONTWAIT | libc::MSG_NOSIGNAL,
                )
            };
            if n > 0 {
                sent += n as usize;
                continue;
            }
            match io::Error::last_os_error().kind() {
                io::ErrorKind::Interrupted => continue,
                io::ErrorKind::WouldBlock => return sent,
                // Gone: count it all as sent so nothing waits for a dead socket.
                _ => return bytes.len(),
            }
        }
        sent
    }

    /// Gives `bytes` to the writer thread, which sends them after whatever it has and
    /// reports them written. A writer that has stopped (the guest is gone) drops them.
    pub fn hand_to_writer(&self, bytes: Vec<u8>) {
        let _ = self.writer.send(Order::Send(bytes));
    }

    /// Cuts the connection now, unsent output and all: for guests who stopped reading.
    pub fn cut(self) {
        let _ = self.socket.shutdown(Shutdown::Both);
    }
}

impl Drop for GuestConnection {
    fn drop(&mut self) {
        let _ = self.writer.send(Order::Close);
    }
}

/// Counts the writers still sending, so that a shutdown can wait for the good-byes.
#[derive(Debug)]
pub struct Flushed {
    token: Option<Sender<()>>,
    all_done: Receiver<()>,
}

impl Default for Flushed {
    fn default() -> Self {
        let (token, all_done) = crossbeam_channel::bounded(0);
        Flushed {
            token: Some(token),
            all_done,
        }
    }
}

impl Flushed {
    fn token(&self) -> Sender<()> {
        self.token
            .clone()
            .expect("tokens are handed out before the wait")
    }

    /// Waits until every writer has sent what it had and hung up, or until `deadline`.
    /// Returns whether they all did.
    pub fn wait(mut self, deadline: Instant) -> bool {
        self.token = None;
        // Nobody ever sends: the receive ends, disconnected, when the last token is
        // dropped, or times out first.
        matches!(
            self.all_done.recv_deadline(deadline),
            Err(RecvTimeoutError::Disconnected)
        )
    }
}

fn spawn(name: String, body: impl FnOnce() + Send + 'static) -> io::Result<()> {
    thread::Builder::new()
        .name(name)
        .stack_size(GUEST_THREAD_STACK)
        .spawn(body)
        .map(drop)
}

/// Socket options for a guest: keys go out at once, and a stuck guest can pin neither
/// much kernel memory nor a thread for long.
fn tune(stream: &TcpStream) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(SEND_TIMEOUT));
    let bytes = SEND_BUFFER;
    // SAFETY: the fd is a live socket owned by `stream`, and the option value is a
    // c_int whose size is passed along with it.
    let rc = unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_SNDBUF,
            (&bytes as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if rc != 0 {
        log::debug!("SO_SNDBUF: {}", io::Error::last_os_error());
    }
}
