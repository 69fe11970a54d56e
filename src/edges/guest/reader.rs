//! A guest's reader thread: reads their socket, filters telnet, judges the key rate, and
//! tells the game thread each key typed, Enter included (what a key means, and whether
//! a netcat user's line is a word, is the table's business). Does IO (the guest's
//! socket).

use crate::edges::signals;
use crate::events::{yield_to_waker, Departure, Event};
use crossbeam_channel::Sender;
use roshambo_core::game::GuestId;
use roshambo_core::keys::{Key, KeyDecoder, KeyRate, Verdict};
use roshambo_core::telnet::{TelnetFilter, Typed};
use std::io::{self, Read};
use std::net::{Shutdown, TcpStream};
use std::panic::{self, AssertUnwindSafe};
use std::time::{Duration, Instant};

/// The shortest read timeout set while a key is unfinished: zero would mean none.
const MIN_WAIT: Duration = Duration::from_millis(1);

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
        // On the heap: a thread's stack pages, once touched, stay with it for good, and
        // 500 waiting guests are 500 stacks.
        let mut filter = Box::new(TelnetFilter::new());
        let mut decoder = KeyDecoder::new();
        let mut buf = vec![0u8; 4096].into_boxed_slice();
        // Grown as reads need: most bring a key or two, and 500 waiting guests should not
        // each hold kilobytes for a flood that never comes.
        let mut typed = Vec::new();
        let mut data = Vec::new();
        let mut keys = Vec::new();
        let mut reply = Vec::new();
        let mut told_negotiated = false;
        loop {
            // A key begun and not finished (a lone Esc) is judged once its time is up.
            let pending = decoder.poll_timeout();
            if let Some(due) = pending {
                let wait = due.saturating_duration_since(Instant::now());
                let _ = self.stream.set_read_timeout(Some(wait.max(MIN_WAIT)));
            }
            let read = self.stream.read(&mut buf);
            if pending.is_some() {
                let _ = self.stream.set_read_timeout(None);
            }
            let n = match read {
                Ok(0) => return self.leave(Departure::Closed),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    keys.extend(decoder.handle_timeout(Instant::now()));
                    self.judge(&mut keys)?;
                    continue;
                }
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
            while let Some(told) = filter.poll_told() {
                self.tell(Event::GuestTold {
                    guest: self.guest,
                    told,
                })?;
            }
            let now = Instant::now();
            // Runs of data go to the decoder whole; Enter goes as a CR in its place.
            for typed in typed.drain(..) {
                match typed {
                    Typed::Key(byte) => data.push(byte),
                    Typed::Enter => data.push(b'\r'),
                    Typed::Interrupt | Typed::EndOfInput => {
                        decoder.feed(&data, now, &mut keys);
                        data.clear();
                        self.judge(&mut keys)?;
                        return self.leave(match typed {
                            Typed::Interrupt => Departure::Interrupted,
                            _ => Departure::EndOfInput,
                        });
                    }
                }
            }
            decoder.feed(&data, now, &mut keys);
            data.clear();
            self.judge(&mut keys)?;
        }
    }

    /// Tells the game thread each key once the key rate has judged it; `None` once the
    /// guest is gone (flooded out) or the game loop has gone away.
    ///
    /// The rate judges every key typed, a line's letters and Backspace included, and not
    /// what a line comes to: a flood without Enter is warned once and dropped whether the
    /// client sends lines or keys, and a key the rate drops is no part of a line.
    fn judge(&mut self, keys: &mut Vec<Key>) -> Option<()> {
        let now = Instant::now();
        for key in keys.drain(..) {
            match key {
                // Enter costs no key: it only ends a line.
                Key::Enter => {}
                Key::Interrupt => {
                    self.leave(Departure::Interrupted)?;
                    return None;
                }
                Key::EndOfInput => {
                    self.leave(Departure::EndOfInput)?;
                    return None;
                }
                _ => {
                    fault_injection(key);
                    match self.rate.judge(now) {
                        Verdict::Allow => {}
                        Verdict::Warn => {
                            self.tell(Event::GuestTooFast { guest: self.guest })?;
                            continue;
                        }
                        Verdict::Discard => continue,
                        Verdict::Expel => {
                            self.leave(Departure::Flooded)?;
                            return None;
                        }
                    }
                }
            }
            self.tell(Event::GuestPressed {
                guest: self.guest,
                key,
            })?;
        }
        Some(())
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
fn fault_injection(key: Key) {
    if cfg!(debug_assertions)
        && key == Key::Char('!')
        && std::env::var("ROSHAMBO_PANIC_ON_BANG").as_deref() == Ok("reader")
    {
        panic!("test panic in a guest's reader");
    }
}
