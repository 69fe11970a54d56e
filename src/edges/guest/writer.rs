//! A guest's writer thread: sends what their socket would not take at once, blocking
//! as long as it takes, reports each write back, and hangs up gently. Does IO (the
//! guest's socket).

use crate::edges::signals;
use crate::events::Event;
use crossbeam_channel::{Receiver, Sender};
use roshambo_core::game::GuestId;
use std::io::Write;
use std::net::{Shutdown, TcpStream};
use std::panic::{self, AssertUnwindSafe};

/// What the writer thread is asked to do.
#[derive(Debug)]
pub(super) enum Order {
    /// Send these bytes, blocking as long as it takes.
    Send(Vec<u8>),
    /// Everything handed over is written and the socket is the game thread's again:
    /// end without touching it.
    Stop,
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
    pub(super) flushed: Option<Sender<()>>,
}

impl Writer {
    /// Sends until told to close. A panic here is this guest's alone: it is caught,
    /// and the connection shut, so that their reader reports them gone.
    pub(super) fn run(mut self) {
        signals::contain_panics_on_this_thread();
        let hang_up = match panic::catch_unwind(AssertUnwindSafe(|| self.send_all())) {
            Ok(hang_up) => hang_up,
            Err(_) => {
                let _ = self.stream.shutdown(Shutdown::Both);
                return;
            }
        };
        if !hang_up {
            return;
        }
        let _ = self.stream.shutdown(Shutdown::Write);
        self.flushed = None;
        // Give the guest time to read the last lines and hang up themselves; a reset
        // sent while they still have data unread would throw those lines away.
        let _ = self.reader_done.recv_timeout(super::LINGER);
        let _ = self.stream.shutdown(Shutdown::Both);
    }

    /// Sends what it is handed until told to stop or close, or until a write fails.
    /// Returns whether to hang up.
    fn send_all(&mut self) -> bool {
        loop {
            let bytes = match self.queue.recv() {
                Ok(Order::Send(bytes)) => bytes,
                Ok(Order::Stop) => return false,
                Ok(Order::Close) | Err(_) => return true,
            };
            let written = self.stream.write_all(&bytes);
            // Written or not, the bytes are given back: a failed write leaves the
            // guest's reader to report them gone.
            self.report(bytes.len());
            if written.is_err() {
                // Whatever else was handed over cannot be sent either.
                while let Ok(Order::Send(bytes)) = self.queue.try_recv() {
                    self.report(bytes.len());
                }
                return true;
            }
        }
    }

    fn report(&self, bytes: usize) {
        let _ = self.events.send(Event::GuestWritten {
            guest: self.guest,
            bytes,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;
    use std::time::Duration;

    #[test]
    fn a_write_that_fails_gives_back_every_byte_it_was_handed() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let guest = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (socket, _) = listener.accept().unwrap();
        let (orders, queue) = crossbeam_channel::unbounded();
        let (events, reports) = crossbeam_channel::unbounded();
        let (reading, reader_done) = crossbeam_channel::bounded::<()>(0);
        let (flushed, _all_done) = crossbeam_channel::bounded(0);
        let writer = Writer {
            guest: GuestId(7),
            stream: socket,
            queue,
            events,
            reader_done,
            flushed: Some(flushed),
        };
        // More than the socket and the guest's buffers hold, so the writer blocks; then
        // the guest resets the connection, and the write fails.
        let handed = [4 << 20, 100, 200];
        for bytes in handed {
            orders.send(Order::Send(vec![b'x'; bytes])).unwrap();
        }
        let runs = std::thread::spawn(move || writer.run());
        std::thread::sleep(Duration::from_millis(50));
        // SO_LINGER 0: closing sends RST.
        let linger = libc::linger {
            l_onoff: 1,
            l_linger: 0,
        };
        // SAFETY: a valid linger struct and its size, on a live socket.
        let rc = unsafe {
            libc::setsockopt(
                std::os::fd::AsRawFd::as_raw_fd(&guest),
                libc::SOL_SOCKET,
                libc::SO_LINGER,
                (&linger as *const libc::linger).cast(),
                std::mem::size_of::<libc::linger>() as libc::socklen_t,
            )
        };
        assert_eq!(rc, 0);
        drop(guest);
        let mut given_back = 0;
        while given_back < handed.iter().sum::<usize>() {
            match reports.recv_timeout(Duration::from_secs(10)) {
                Ok(Event::GuestWritten { guest, bytes }) => {
                    assert_eq!(guest, GuestId(7));
                    given_back += bytes;
                }
                other => panic!("expected every byte back, got {given_back} and then {other:?}"),
            }
        }
        assert_eq!(given_back, handed.iter().sum::<usize>());
        // The guest's reader is done too: the writer's linger ends at once.
        drop(reading);
        runs.join().unwrap();
    }
}
