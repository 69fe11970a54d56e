//! A guest's connection: a reader thread that filters telnet and reports keys, and the
//! guest's output. Does IO (the guest's socket).
//!
//! Output is written by one writer at a time. While the socket takes it, the game
//! thread sends directly with `MSG_DONTWAIT`, which never blocks and costs no thread
//! wake-up. When the socket is full, the rest is handed to the guest's writer thread,
//! which blocks on it; until the writer has sent all it was handed, every later byte
//! goes through it too, so nothing is reordered and the two never write at once. A guest
//! whose unsent output passes [`OUTPUT_LIMIT`] is not reading, and is dropped.

mod reader;

use crate::events::Event;
use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use reader::Reader;
use roshambo_core::delivery::QueueNews;
use roshambo_core::game::GuestId;
use roshambo_core::keys::KeyRate;
use roshambo_core::telnet;
use std::io::{self, Write};
use std::net::{Shutdown, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

/// Unsent output a guest may have before they count as not reading and are dropped.
pub const OUTPUT_LIMIT: usize = 64 * 1024;

/// How long a closed connection waits for the guest to hang up before it is cut, so the
/// last lines are read rather than lost to a reset.
const LINGER: Duration = Duration::from_secs(2);

/// How long the writer thread's write may make no progress before the guest counts as
/// gone.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// The kernel's share of a guest's unsent output. Small on purpose: a game says a few
/// bytes a second, and autotuned buffers would let a silent guest pin megabytes.
const SEND_BUFFER: libc::c_int = 16 * 1024;

/// Guest threads need little stack: a 4 KiB read buffer and the filter.
const GUEST_THREAD_STACK: usize = 256 * 1024;

/// What the writer thread is asked to do.
#[derive(Debug)]
enum Order {
    /// Send these bytes, blocking as long as it takes.
    Send(Vec<u8>),
    /// Hang up once everything before is sent.
    Close,
}

/// The guest's output passed [`OUTPUT_LIMIT`]: they are not reading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Overflow {
    pub unsent: usize,
}

/// The game thread's handle on one guest's connection. Dropping it closes the
/// connection gently: what was said is still sent, then the guest is let go.
#[derive(Debug)]
pub struct Connection {
    socket: TcpStream,
    /// Said, not yet sent, and not yet handed to the writer.
    pending: Vec<u8>,
    /// Bytes handed to the writer thread that it has not written yet. While it is not
    /// zero the writer owns the socket's output.
    handed_off: Arc<AtomicUsize>,
    writer: Sender<Order>,
    /// How far into the line's news this guest has been given (see [`QueueNews`]).
    news_had: u64,
}

impl Connection {
    /// Starts the guest's reader and writer threads and queues the telnet greeting.
    /// The reader reports on `events` until the connection ends.
    pub fn open(
        guest: GuestId,
        stream: TcpStream,
        events: Sender<Event>,
        max_key_rate: u32,
        flushed: &Flushed,
    ) -> io::Result<Connection> {
        tune(&stream);
        let (orders, queue) = crossbeam_channel::unbounded();
        let handed_off = Arc::new(AtomicUsize::new(0));
        let (reading, reader_done) = crossbeam_channel::bounded::<()>(0);
        let writer = Writer {
            stream: stream.try_clone()?,
            queue,
            handed_off: handed_off.clone(),
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
        let connection = Connection {
            socket: stream,
            pending: telnet::GREETING.to_vec(),
            handed_off,
            writer: orders,
            news_had: 0,
        };
        // If the reader cannot start, dropping `connection` stops the writer.
        spawn(format!("guest-{}-reader", guest.0), move || reader.run())?;
        Ok(connection)
    }

    /// Adds one line for the guest; [`Connection::flush`] sends it. Fails once the
    /// guest has more unsent output than [`OUTPUT_LIMIT`].
    pub fn say(&mut self, text: &str) -> Result<(), Overflow> {
        self.pending.extend_from_slice(text.as_bytes());
        self.pending.extend_from_slice(b"\r\n");
        self.check_limit()
    }

    /// Adds raw bytes (telnet negotiation) for the guest.
    pub fn send_raw(&mut self, bytes: &[u8]) -> Result<(), Overflow> {
        self.pending.extend_from_slice(bytes);
        self.check_limit()
    }

    /// Adds the line's news this guest has not been given yet. Fails as
    /// [`Connection::say`] does.
    pub fn catch_up(&mut self, news: &QueueNews) -> Result<(), Overflow> {
        self.pending.extend_from_slice(news.since(self.news_had));
        self.news_had = news.end();
        self.check_limit()
    }

    /// Counts the news so far as given without sending it: for a guest who has just
    /// arrived, or who is playing and hears the games directly.
    pub fn skip_news(&mut self, news: &QueueNews) {
        self.news_had = news.end();
    }

    /// How far into the line's news this guest has been given.
    pub fn news_had(&self) -> u64 {
        self.news_had
    }

    /// Whether something said has not been sent or handed off yet.
    pub fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Sends what is pending without blocking: directly while the socket takes it,
    /// through the writer thread once it does not.
    pub fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        // Acquire: if the writer has written everything it was handed, its writes are
        // over, and this thread may write without the two interleaving.
        if self.handed_off.load(Ordering::Acquire) == 0 {
            let sent = send_now(&self.socket, &self.pending);
            self.pending.drain(..sent);
            if self.pending.is_empty() {
                return;
            }
        }
        self.hand_off();
    }

    /// Cuts the connection now, unsent output and all: for guests who stopped reading.
    pub fn cut(mut self) {
        self.pending.clear();
        let _ = self.socket.shutdown(Shutdown::Both);
    }

    fn check_limit(&self) -> Result<(), Overflow> {
        let unsent = self.pending.len() + self.handed_off.load(Ordering::Relaxed);
        if unsent > OUTPUT_LIMIT {
            Err(Overflow { unsent })
        } else {
            Ok(())
        }
    }

    fn hand_off(&mut self) {
        let bytes = std::mem::take(&mut self.pending);
        self.handed_off.fetch_add(bytes.len(), Ordering::AcqRel);
        // A writer that has stopped (the guest is gone) simply drops the bytes.
        let _ = self.writer.send(Order::Send(bytes));
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        if !self.pending.is_empty() {
            self.hand_off();
        }
        let _ = self.writer.send(Order::Close);
    }
}

/// Sends as much of `bytes` as the socket takes now; returns how many it took. A broken
/// connection takes nothing: its reader reports the guest gone.
fn send_now(socket: &TcpStream, bytes: &[u8]) -> usize {
    let mut sent = 0;
    while sent < bytes.len() {
        let rest = &bytes[sent..];
        // SAFETY: `rest` is valid for reads of `rest.len()` bytes, and the fd is a live
        // socket owned by `socket`.
        let n = unsafe {
            libc::send(
                socket.as_raw_fd(),
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

/// The thread that writes what the socket would not take at once, and hangs up.
struct Writer {
    stream: TcpStream,
    queue: Receiver<Order>,
    handed_off: Arc<AtomicUsize>,
    reader_done: Receiver<()>,
    /// Dropped once everything is sent and the write side is shut.
    flushed: Sender<()>,
}

impl Writer {
    fn run(mut self) {
        while let Ok(Order::Send(bytes)) = self.queue.recv() {
            if self.stream.write_all(&bytes).is_err() {
                break;
            }
            // Release: the game thread that sees zero also sees these writes finished.
            self.handed_off.fetch_sub(bytes.len(), Ordering::Release);
        }
        let _ = self.stream.shutdown(Shutdown::Write);
        drop(self.flushed);
        // Give the guest time to read the last lines and hang up themselves; a reset
        // sent while they still have data unread would throw those lines away.
        let _ = self.reader_done.recv_timeout(LINGER);
        let _ = self.stream.shutdown(Shutdown::Both);
    }
}
