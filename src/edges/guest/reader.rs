//! A guest's reader thread: reads their socket, filters telnet, judges the key rate, and
//! tells the game thread what they typed. Does IO (the guest's socket).

use crate::events::{yield_to_waker, Departure, Event};
use crossbeam_channel::Sender;
use roshambo_core::game::GuestId;
use roshambo_core::keys::{KeyRate, Verdict};
use roshambo_core::telnet::{TelnetFilter, Typed};
use std::io::{self, Read};
use std::net::{Shutdown, TcpStream};
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
    pub(super) fn run(mut self) {
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
