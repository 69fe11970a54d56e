//! The timer thread: sleeps until the one deadline it was given, then says so. Silent
//! while no deadline is set, so an idle server never wakes.

use crate::events::Event;
use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use std::io;
use std::thread;
use std::time::Instant;

/// The game thread's handle on the timer thread.
///
/// The thread is woken only to bring its deadline forward. A deadline that moves later
/// (or goes away) leaves the thread sleeping towards the old one: it then fires early,
/// once, and the game thread finds nothing due and sets it again. A guest's clock is
/// stopped and restarted every game, so this saves two wake-ups a game for one every
/// few seconds.
#[derive(Debug)]
pub struct Timer {
    arm: Sender<(u64, Instant)>,
    epoch: u64,
    /// What the thread is sleeping towards, if anything.
    armed: Option<Instant>,
}

impl Timer {
    /// Starts the timer thread; it reports [`Event::ClockFired`] on `events` and ends when
    /// this handle is dropped or `events` is closed.
    pub fn spawn(events: Sender<Event>) -> io::Result<Timer> {
        let (arm, orders) = crossbeam_channel::unbounded();
        thread::Builder::new()
            .name("timer".into())
            .spawn(move || run(&orders, &events))?;
        Ok(Timer {
            arm,
            epoch: 0,
            armed: None,
        })
    }

    /// Makes sure the thread wakes by `deadline` (`None`: nothing is due). Cheap when
    /// nothing changes, so the game thread calls it after every event.
    pub fn set(&mut self, deadline: Option<Instant>) {
        let Some(deadline) = deadline else { return };
        if self.armed.is_some_and(|armed| armed <= deadline) {
            return;
        }
        self.armed = Some(deadline);
        self.epoch += 1;
        // The thread only stops when this handle is dropped, so the send succeeds.
        let _ = self.arm.send((self.epoch, deadline));
    }

    /// Whether a tick under `epoch` is from the deadline the thread sleeps towards now.
    /// A tick from a deadline since brought forward is stale and must be dropped; a
    /// current one leaves the thread idle until the next [`Timer::set`].
    pub fn is_current(&mut self, epoch: u64) -> bool {
        let current = epoch == self.epoch && self.armed.is_some();
        if current {
            self.armed = None;
        }
        current
    }
}

fn run(orders: &Receiver<(u64, Instant)>, events: &Sender<Event>) {
    let mut pending: Option<(u64, Instant)> = None;
    loop {
        let order = match pending {
            None => orders.recv().map_err(|_| RecvTimeoutError::Disconnected),
            Some((_, at)) => orders.recv_deadline(at),
        };
        match order {
            Ok(order) => pending = Some(order),
            Err(RecvTimeoutError::Timeout) => {
                let (epoch, _) = pending.take().expect("a deadline was pending");
                if events.send(Event::ClockFired { epoch }).is_err() {
                    return;
                }
            }
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const PATIENCE: Duration = Duration::from_secs(5);

    fn fired(events: &Receiver<Event>) -> u64 {
        match events.recv_timeout(PATIENCE) {
            Ok(Event::ClockFired { epoch }) => epoch,
            other => panic!("expected a tick, got {other:?}"),
        }
    }

    #[test]
    fn it_fires_once_at_the_deadline_and_then_keeps_quiet() {
        let (tx, events) = crossbeam_channel::unbounded();
        let mut timer = Timer::spawn(tx).unwrap();
        let start = Instant::now();
        timer.set(Some(start + Duration::from_millis(30)));
        let epoch = fired(&events);
        assert!(start.elapsed() >= Duration::from_millis(30));
        assert!(timer.is_current(epoch));
        assert!(events.recv_timeout(Duration::from_millis(100)).is_err());
    }

    #[test]
    fn a_replaced_deadline_is_stale() {
        let (tx, events) = crossbeam_channel::unbounded();
        let mut timer = Timer::spawn(tx).unwrap();
        let now = Instant::now();
        timer.set(Some(now + Duration::from_secs(3600)));
        timer.set(Some(now + Duration::from_millis(10)));
        let epoch = fired(&events);
        assert!(timer.is_current(epoch));
        assert!(
            !timer.is_current(epoch - 1),
            "the first deadline's epoch is stale"
        );
    }

    #[test]
    fn a_later_deadline_leaves_the_thread_asleep_and_it_fires_early_once() {
        let (tx, events) = crossbeam_channel::unbounded();
        let mut timer = Timer::spawn(tx).unwrap();
        let start = Instant::now();
        timer.set(Some(start + Duration::from_millis(20)));
        let armed_epoch = timer.epoch;
        timer.set(Some(start + Duration::from_secs(3600)));
        timer.set(None);
        assert_eq!(timer.epoch, armed_epoch, "nothing was sent to the thread");
        let epoch = fired(&events);
        assert!(timer.is_current(epoch), "the early tick is the armed one");
        assert!(
            events.recv_timeout(Duration::from_millis(100)).is_err(),
            "once only"
        );
        timer.set(Some(Instant::now() + Duration::from_millis(10)));
        assert!(
            timer.is_current(fired(&events)),
            "set again, it fires again"
        );
    }

    #[test]
    fn the_thread_ends_with_its_handle() {
        let (tx, events) = crossbeam_channel::unbounded();
        let timer = Timer::spawn(tx).unwrap();
        drop(timer);
        // The thread held the only other sender: once it is gone the channel closes.
        assert_eq!(
            events.recv_timeout(PATIENCE).unwrap_err(),
            crossbeam_channel::RecvTimeoutError::Disconnected
        );
    }
}
