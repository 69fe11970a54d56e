//! A guest's connection: the socket, a reader thread that turns their bytes into events,
//! and a writer thread for when their socket is full. Does IO (the guest's socket).
//!
//! No thread is started for a guest before the table has let them in: one turned away
//! costs a socket, a line and a hang-up, and a flood of connections no threads. A guest
//! let in has one thread, their reader.
//!
//! What to send and by which route is the outbox's decision
//! ([`roshambo_core::delivery::Outbox`]); this module only carries it out. While the
//! socket takes the guest's output, the game thread sends it with `MSG_DONTWAIT`
//! ([`GuestConnection::send_now`]), which never blocks and costs no thread wake-up.
//! When it does not, a writer thread is started for as long as it takes
//! ([`GuestConnection::hand_to_writer`]); it blocks on the socket and reports each write
//! back as [`Event::GuestWritten`], failed writes included, so that the outbox always
//! knows who owns the socket's output.

mod reader;
mod writer;

use crate::events::Event;
use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use reader::Reader;
use roshambo_core::game::GuestId;
use roshambo_core::keys::KeyRate;
use std::collections::VecDeque;
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

/// How long a hung-up connection waits for the guest to hang up too before it is cut,
/// so the last lines are read rather than lost to a reset.
const LINGER: Duration = Duration::from_secs(2);

/// Hung-up connections kept lingering at once; past this (a flood of turned-away
/// connections) they are closed at once, so a flood cannot pin descriptors.
const MAX_LINGERING: usize = 256;

/// The game thread's handle on one guest's connection: their socket, their reader
/// thread once they are let in, and their writer thread while their socket is full.
#[derive(Debug)]
pub struct GuestConnection {
    guest: GuestId,
    socket: TcpStream,
    /// The writer's orders, while it runs.
    writer: Option<Sender<Order>>,
    /// Disconnected when the reader ends (or at once if it never started): the guest
    /// has hung up, so a lingering hang-up can end.
    reader_done: Receiver<()>,
    /// Held by the reader once it runs.
    reading: Option<Sender<()>>,
}

impl GuestConnection {
    /// Takes a new guest's socket. No thread is started: the table decides first
    /// whether to let them in ([`GuestConnection::start_reader`]).
    pub fn new(guest: GuestId, stream: TcpStream) -> GuestConnection {
        tune(&stream);
        let (reading, reader_done) = crossbeam_channel::bounded::<()>(0);
        GuestConnection {
            guest,
            socket: stream,
            writer: None,
            reader_done,
            reading: Some(reading),
        }
    }

    /// Starts the reader thread, which reports on `events` until the connection ends.
    pub fn start_reader(&mut self, events: Sender<Event>, max_key_rate: u32) -> io::Result<()> {
        let reader = Reader {
            guest: self.guest,
            stream: self.socket.try_clone()?,
            events,
            rate: KeyRate::new(max_key_rate, Instant::now()),
            _reading: self.reading.take().expect("one reader per guest"),
        };
        spawn(format!("guest-{}-reader", self.guest.0), move || {
            reader.run()
        })
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

    /// Gives `bytes` to the writer thread, starting it if the socket has just become
    /// full. It sends them after whatever it has and reports them on `events`.
    pub fn hand_to_writer(
        &mut self,
        bytes: Vec<u8>,
        events: &Sender<Event>,
        flushed: &Flushed,
    ) -> io::Result<()> {
        let orders = match &self.writer {
            Some(orders) => orders,
            None => {
                let (orders, queue) = crossbeam_channel::unbounded();
                let writer = Writer {
                    guest: self.guest,
                    stream: self.socket.try_clone()?,
                    queue,
                    events: events.clone(),
                    reader_done: self.reader_done.clone(),
                    flushed: Some(flushed.token()),
                };
                spawn(format!("guest-{}-writer", self.guest.0), move || {
                    writer.run()
                })?;
                self.writer.insert(orders)
            }
        };
        // A writer that has stopped (a write failed: the guest is gone) drops them.
        let _ = orders.send(Order::Send(bytes));
        Ok(())
    }

    /// The writer has written all it was handed: the socket is the game thread's
    /// again, and the writer thread ends.
    pub fn writer_done(&mut self) {
        if let Some(orders) = self.writer.take() {
            let _ = orders.send(Order::Stop);
        }
    }

    /// Hangs up gently: what the writer has is still sent, then the write side is
    /// shut and the guest has [`LINGER`] to read it and hang up too. A writer lingers
    /// on its own thread; without one, the lingering is left to `lingering`.
    pub fn hang_up(mut self, lingering: &mut Lingering, now: Instant) {
        if let Some(orders) = self.writer.take() {
            let _ = orders.send(Order::Close);
            return;
        }
        let _ = self.socket.shutdown(Shutdown::Write);
        // A reader that never started (a guest turned away) will not say they hung up.
        self.reading = None;
        lingering.add(self, now);
    }

    /// Cuts the connection now, unsent output and all: for guests who stopped reading.
    pub fn cut(self) {
        let _ = self.socket.shutdown(Shutdown::Both);
    }
}

impl Drop for GuestConnection {
    fn drop(&mut self) {
        if let Some(orders) = self.writer.take() {
            let _ = orders.send(Order::Close);
        }
    }
}

/// Hung-up connections waiting for their guests to hang up too, each until its
/// deadline. Kept by the game thread, swept when its timer fires.
#[derive(Debug, Default)]
pub struct Lingering {
    /// In order of hang-up, which is also the order of their deadlines.
    connections: VecDeque<(Instant, GuestConnection)>,
}

impl Lingering {
    fn add(&mut self, connection: GuestConnection, now: Instant) {
        if self.connections.len() >= MAX_LINGERING {
            connection.cut();
            return;
        }
        self.connections.push_back((now + LINGER, connection));
    }

    /// When the next lingering connection is due to be cut.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.connections.front().map(|&(at, _)| at)
    }

    /// Cuts the connections whose time is up, which wakes their readers, and lets go of
    /// those whose guests have hung up.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.connections.retain(|(at, connection)| {
            let hung_up = matches!(
                connection.reader_done.try_recv(),
                Err(crossbeam_channel::TryRecvError::Disconnected)
            );
            if *at <= now && !hung_up {
                let _ = connection.socket.shutdown(Shutdown::Both);
            }
            *at > now && !hung_up
        });
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
