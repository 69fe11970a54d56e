//! A guest's writer thread: sends what their socket would not take at once, blocking
//! as long as it takes, reports each write back, and hangs up gently. Does IO (the
//! guest's socket).

use crate::events::Event;
use crossbeam_channel::{Receiver, Sender};
use roshambo_core::game::GuestId;
use std::io::Write;
use std::net::{Shutdown, TcpStream};
use std::time::Duration;

/// How long a closed connection waits for the guest to hang up before it is cut, so the
/// last lines are read rather than lost to a reset.
const LINGER: Duration = Duration::from_secs(2);

/// What the writer thread is asked to do.
#[derive(Debug)]
pub(super) enum Order {
    /// Send these bytes, blocking as long as it takes.
    Send(Vec<u8>),
    /// Hang up once everything before is sent.
    Close,
}

pub(super) struct Writer {
    pub(super) guest: GuestId,
    pub(super) stream: TcpStream,
    pub(super) queue: Receiver<Order>,
    /// Where each write is reported, so the outbox knows when the socket is the game
    /// thread's again.
    pub(super) events: Sender<Event>,
    /// Disconnected when the guest's reader ends: they have hung up.
    pub(super) reader_done: Receiver<()>,
    /// Dropped once everything is sent and the write side is shut.
    pub(super) flushed: Sender<()>,
}

impl Writer {
    pub(super) fn run(mut self) {
        while let Ok(Order::Send(bytes)) = self.queue.recv() {
            let written = self.stream.write_all(&bytes);
            // Written or not, the bytes are given back: a failed write leaves the
            // guest's reader to report them gone.
            self.report(bytes.len());
            if written.is_err() {
                // Whatever else was handed over cannot be sent either.
                while let Ok(Order::Send(bytes)) = self.queue.try_recv() {
                    self.report(bytes.len());
                }
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

    fn report(&self, bytes: usize) {
        let _ = self.events.send(Event::GuestWritten {
            guest: self.guest,
            bytes,
        });
    }
}
