//! A guest's reader thread: reads their socket, filters telnet, judges the key rate, and
//! tells the game thread what they typed. Does IO (the guest's socket).

use crate::edges::signals;
use crate::events::{yield_to_waker, Departure, Event};
use crossbeam_channel::Sender;
use roshambo_core::game::GuestId;
use roshambo_core::keys::{KeyRate, Verdict};
use roshambo_core::telnet::{TelnetFilter, Typed};
use std::io::{self, Read};
use std::net::{Shutdown, TcpStream};
use std::panic::{self, AssertUnwindSafe};
use std::time::Instant;

/// The thread that turns the guest's bytes into events.
pub(super) struct Reader {
    pub(super) guest: GuestId,
    pub(super) stream: TcpStream,
    pub(super) events: Sender<Event>,
    pub(super) rate: KeyRate,
    /// Dropped when the reader ends, which tells the writer the guest has hung up.
    pub(super) _reading: Sender<()>,
}

impl Reader {
    /// Reads until the guest leaves. A panic in serving this guest (the filter, the
    /// rate, a bug) is theirs alone: it is caught here, and the guest is dropped as
    /// [`Departure::Failed`] while everyone else plays on.
    pub(super) fn run(mut self) {
        signals::contain_panics_on_this_thread();
        let read = panic::catch_unwind(AssertUnwindSafe(|| self.read_until_gone()));
        if read.is_err() {
            let _ = self.leave(Departure::Failed);
        }
        // Ending the thread drops the socket clone and `_reading`, which lets the
        // writer finish its linger at once.
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
            yield_to_waker();
            filter.feed(&buf[..n], &mut typed, &mut reply);
            if !reply.is_empty() || (!told_negotiated && filter.negotiated()) {
                told_negotiated = true;
                let reply = std::mem::take(&mut reply);
                self.tell(Event::GuestNegotiated {
                    guest: self.guest,
                    reply,
                })?;
            }
            let now = Instant::now();
            for typed in typed.drain(..) {
                let key = match typed {
                    Typed::Key(key) => key,
                    Typed::Enter => continue,
                    Typed::Interrupt => return self.leave(Departure::Interrupted),
                    Typed::EndOfInput => return self.leave(Departure::EndOfInput),
                };
                fault_injection(key);
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

/// In debug builds only, `ROSHAMBO_PANIC_ON_BANG=reader` makes a guest's `!` panic
/// their reader, so the tests can prove that a guest's fault stays that guest's.
fn fault_injection(key: u8) {
    if cfg!(debug_assertions)
        && key == b'!'
        && std::env::var("ROSHAMBO_PANIC_ON_BANG").as_deref() == Ok("reader")
    {
        panic!("test panic in a guest's reader");
    }
}
