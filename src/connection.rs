//! A guest's connection: one thread reads, filters telnet and reports keys; one thread
//! writes, and is the socket's only writer. The game thread holds a [`Connection`] and
//! never waits on either. Does IO (the guest's socket).

use crate::events::{Departure, Event, GuestId};
use crate::key_rate::{KeyRate, Verdict};
use crate::telnet::{self, TelnetFilter, Typed};
use crossbeam_channel::{Receiver, Sender};
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

/// Unsent output a guest may have before they count as not reading and are dropped.
pub const OUTPUT_LIMIT: usize = 64 * 1024;

/// How long a closed connection waits for the guest to hang up before it is cut, so the
/// last lines are read rather than lost to a reset.
const LINGER: Duration = Duration::from_secs(2);

/// How long one write may make no progress before the guest counts as gone.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// The kernel's share of a guest's unsent output. Small on purpose: a game says a few
/// bytes a second, and autotuned buffers would let a silent guest pin megabytes.
const SEND_BUFFER: libc::c_int = 16 * 1024;

/// Guest threads need little stack: a 4 KiB read buffer and the filter.
const GUEST_THREAD_STACK: usize = 256 * 1024;

/// What the writer is asked to do.
#[derive(Debug)]
enum Outgoing {
    /// A line of text, sent with CR LF.
    Line(Arc<str>),
    /// Raw bytes: telnet negotiation.
    Bytes(Vec<u8>),
    /// Send what is queued, then hang up.
    Close,
}

/// The queue into a guest's writer thread, with a count of bytes not yet written.
#[derive(Clone, Debug)]
struct Outbox {
    orders: Sender<Outgoing>,
    unsent: Arc<AtomicUsize>,
}

impl Outbox {
    /// Queues `order` worth `bytes`; returns the guest's unsent total.
    fn push(&self, order: Outgoing, bytes: usize) -> usize {
        let unsent = self.unsent.fetch_add(bytes, Ordering::Relaxed) + bytes;
        // The writer may have stopped already; then the bytes simply go nowhere.
        let _ = self.orders.send(order);
        unsent
    }
}

/// The guest's output passed [`OUTPUT_LIMIT`]: they are not reading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Overflow {
    pub unsent: usize,
}

/// The game thread's handle on one guest's connection. Dropping it closes the
/// connection gently: what was said is still sent.
#[derive(Debug)]
pub struct Connection {
    guest: GuestId,
    outbox: Outbox,
    socket: TcpStream,
}

impl Connection {
    /// Starts the guest's reader and writer threads. The writer first sends the telnet
    /// greeting; the reader reports on `events` until the connection ends.
    pub fn open(
        guest: GuestId,
        stream: TcpStream,
        events: Sender<Event>,
        max_key_rate: u32,
        flushed: &Flushed,
    ) -> io::Result<Connection> {
        tune(&stream);
        let (orders, queue) = crossbeam_channel::unbounded();
        let outbox = Outbox {
            orders,
            unsent: Arc::new(AtomicUsize::new(0)),
        };
        outbox.push(
            Outgoing::Bytes(telnet::GREETING.to_vec()),
            telnet::GREETING.len(),
        );
        let (reading, reader_done) = crossbeam_channel::bounded::<()>(0);
        let writer = Writer {
            stream: stream.try_clone()?,
            queue,
            unsent: outbox.unsent.clone(),
            reader_done,
            flushed: flushed.token(),
        };
        let reader = Reader {
            guest,
            stream: stream.try_clone()?,
            outbox: outbox.clone(),
            events,
            rate: KeyRate::new(max_key_rate, Instant::now()),
            _reading: reading,
        };
        spawn(format!("guest-{}-writer", guest.0), move || writer.run())?;
        if let Err(e) = spawn(format!("guest-{}-reader", guest.0), move || reader.run()) {
            // The writer is running: make it stop rather than wait for a reader.
            let _ = stream.shutdown(Shutdown::Both);
            outbox.push(Outgoing::Close, 0);
            return Err(e);
        }
        Ok(Connection {
            guest,
            outbox,
            socket: stream,
        })
    }

    pub fn guest(&self) -> GuestId {
        self.guest
    }

    /// Queues one line for the guest. Never blocks; fails once the guest has more
    /// unsent output than [`OUTPUT_LIMIT`].
    pub fn say(&self, text: &Arc<str>) -> Result<(), Overflow> {
        let unsent = self
            .outbox
            .push(Outgoing::Line(text.clone()), text.len() + 2);
        if unsent > OUTPUT_LIMIT {
            Err(Overflow { unsent })
        } else {
            Ok(())
        }
    }

    /// Cuts the connection now, unsent output and all: for guests who stopped reading.
    pub fn cut(self) {
        let _ = self.socket.shutdown(Shutdown::Both);
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.outbox.push(Outgoing::Close, 0);
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
        // Nobody ever sends: the receive ends when the last token is dropped.
        self.all_done.recv_deadline(deadline).is_err() && Instant::now() < deadline
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
    set_send_buffer(stream, SEND_BUFFER);
}

fn set_send_buffer(stream: &TcpStream, bytes: libc::c_int) {
    use std::os::fd::AsRawFd;
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

/// The thread that turns the guest's bytes into events.
struct Reader {
    guest: GuestId,
    stream: TcpStream,
    outbox: Outbox,
    events: Sender<Event>,
    rate: KeyRate,
    /// Dropped when the reader ends, which tells the writer the guest has hung up.
    _reading: Sender<()>,
}

impl Reader {
    fn run(mut self) {
        // Ending the thread drops the socket clone and `_reading`, which lets the
        // writer finish its linger at once.
        let _ = self.read_until_gone();
    }

    /// Reads until the guest leaves; `None` when the game loop has gone away.
    fn read_until_gone(&mut self) -> Option<Departure> {
        let mut filter = TelnetFilter::new();
        let mut buf = [0u8; 4096];
        let mut typed = Vec::with_capacity(buf.len());
        let mut reply = Vec::new();
        let mut told_negotiated = false;
        loop {
            let n = match self.stream.read(&mut buf) {
                Ok(0) => return self.leave(Departure::Closed),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => return self.leave(Departure::Broken),
            };
            filter.feed(&buf[..n], &mut typed, &mut reply);
            if !reply.is_empty() {
                let bytes = std::mem::take(&mut reply);
                let len = bytes.len();
                self.outbox.push(Outgoing::Bytes(bytes), len);
            }
            if !told_negotiated && filter.negotiated() {
                told_negotiated = true;
                self.tell(Event::GuestNegotiated { guest: self.guest })?;
            }
            let now = Instant::now();
            for typed in typed.drain(..) {
                let key = match typed {
                    Typed::Key(key) => key,
                    Typed::Enter => continue,
                    Typed::Interrupt => return self.leave(Departure::Interrupted),
                    Typed::EndOfInput => return self.leave(Departure::EndOfInput),
                };
                match self.rate.judge(now) {
                    Verdict::Allow => self.tell(Event::GuestPressed {
                        guest: self.guest,
                        key,
                    })?,
                    Verdict::Warn => self.tell(Event::GuestTooFast { guest: self.guest })?,
                    Verdict::Discard => {}
                    Verdict::Expel => return self.leave(Departure::Flooded),
                }
            }
        }
    }

    fn tell(&self, event: Event) -> Option<()> {
        self.events.send(event).ok()
    }

    fn leave(&self, why: Departure) -> Option<Departure> {
        // Wake the writer too if the guest is gone for good.
        if why != Departure::Closed {
            let _ = self.stream.shutdown(Shutdown::Both);
        }
        self.tell(Event::GuestLeft {
            guest: self.guest,
            why,
        })?;
        Some(why)
    }
}

/// The thread that writes to the guest: the socket's only writer.
struct Writer {
    stream: TcpStream,
    queue: Receiver<Outgoing>,
    unsent: Arc<AtomicUsize>,
    reader_done: Receiver<()>,
    /// Dropped once everything is sent and the write side is shut.
    flushed: Sender<()>,
}

impl Writer {
    fn run(mut self) {
        let mut batch = Vec::with_capacity(1024);
        'sending: while let Ok(first) = self.queue.recv() {
            // Whatever else is already queued goes out in the same write.
            let mut closing = false;
            for order in std::iter::once(first).chain(self.queue.try_iter()) {
                match order {
                    Outgoing::Line(text) => {
                        batch.extend_from_slice(text.as_bytes());
                        batch.extend_from_slice(b"\r\n");
                    }
                    Outgoing::Bytes(bytes) => batch.extend_from_slice(&bytes),
                    Outgoing::Close => {
                        closing = true;
                        break;
                    }
                }
            }
            if self.stream.write_all(&batch).is_err() {
                break 'sending;
            }
            self.unsent.fetch_sub(batch.len(), Ordering::Relaxed);
            batch.clear();
            if closing {
                break;
            }
        }
        let _ = self.stream.shutdown(Shutdown::Write);
        drop(self.flushed);
        // Give the guest time to read the last lines and hang up themselves; a reset
        // sent while they still have data unread would throw those lines away.
        let _ = self.reader_done.recv_timeout(LINGER);
        let _ = self.stream.shutdown(Shutdown::Both);
    }
}
