//! The timer thread: sleeps until the one deadline it was given, then says so. Silent
//! while no deadline is set, so an idle server never wakes.

use crate::events::Event;
use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use std::io;
use std::thread;
use std::time::{Duration, Instant};

/// A deadline this far off that moves later or goes away is left to fire early instead
/// of being re-armed at once (see [`Timer`]).
const LAZY_BEYOND: Duration = Duration::from_secs(60);

/// The game thread's handle on the timer thread.
///
/// The thread is told whenever its deadline must come sooner, and whenever a deadline
/// it sleeps towards goes away or moves later within [`LAZY_BEYOND`]: a cancelled
/// deadline (a hint no longer due, a clock stopped by a move) never wakes it. Told at
/// once, the thread wakes while the game thread is busy anyway. A deadline further off
/// than that is left to fire early, once, and be set again: a bench or a host with a
/// day-long clock moves it every game and should not pay a wake-up for it.
#[derive(Debug)]
pub struct Timer {
    arm: Sender<(u64, Option<Instant>)>,
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

    /// Makes the thread wake by `deadline` (`None`: nothing is due), as of `now`. Cheap
    /// when nothing changes, so the game thread calls it after every event.
    pub fn set(&mut self, deadline: Option<Instant>, now: Instant) {
        let keep = match (self.armed, deadline) {
            (None, None) => true,
            (Some(armed), Some(deadline)) if armed == deadline => true,
            (Some(armed), Some(deadline)) if armed < deadline => armed > now + LAZY_BEYOND,
            (Some(armed), None) => armed > now + LAZY_BEYOND,
            _ => false,
        };
        if keep {
            return;
        }
        self.armed = deadline;
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

fn run(orders: &Receiver<(u64, Option<Instant>)>, events: &Sender<Event>) {
    let mut pending: Option<(u64, Instant)> = None;
    loop {
        let order = match pending {
            None => orders.recv().map_err(|_| RecvTimeoutError::Disconnected),
            Some((_, at)) => orders.recv_deadline(at),
        };
        match order {
            Ok((epoch, deadline)) => pending = deadline.map(|at| (epoch, at)),
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

    const PATIENCE: Duration = Duration::from_secs(5);

    fn fired(events: &Receiver<Event>) -> u64 {
        match events.recv_timeout(PATIENCE) {
            Ok(Event::ClockFired { epoch }) => epoch,
            other => panic!("expected a tick, got {other:?}"),
        }
    }

    fn quiet(events: &Receiver<Event>, window: Duration) {
        if let Ok(event) = events.recv_timeout(window) {
            panic!("expected silence, got {event:?}");
        }
    }

    fn timer() -> (Timer, Receiver<Event>) {
        let (tx, events) = crossbeam_channel::unbounded();
        (Timer::spawn(tx).unwrap(), events)
    }

    #[test]
    fn it_fires_once_at_the_deadline_and_then_keeps_quiet() {
        let (mut timer, events) = timer();
        let start = Instant::now();
        timer.set(Some(start + Duration::from_millis(30)), start);
        let epoch = fired(&events);
        assert!(start.elapsed() >= Duration::from_millis(30));
        assert!(timer.is_current(epoch));
        quiet(&events, Duration::from_millis(100));
    }

    #[test]
    fn a_replaced_deadline_is_stale() {
        let (mut timer, events) = timer();
        let now = Instant::now();
        timer.set(Some(now + Duration::from_secs(3600)), now);
        timer.set(Some(now + Duration::from_millis(10)), now);
        let epoch = fired(&events);
        assert!(timer.is_current(epoch));
        assert!(
            !timer.is_current(epoch - 1),
            "the first deadline's epoch is stale"
        );
    }

    #[test]
    fn a_cancelled_deadline_never_fires() {
        let (mut timer, events) = timer();
        let now = Instant::now();
        timer.set(Some(now + Duration::from_millis(20)), now);
        timer.set(None, now);
        quiet(&events, Duration::from_millis(150));
        timer.set(Some(Instant::now() + Duration::from_millis(10)), now);
        assert!(
            timer.is_current(fired(&events)),
            "set again, it fires again"
        );
    }

    #[test]
    fn a_near_deadline_moved_later_fires_only_at_the_later_one() {
        let (mut timer, events) = timer();
        let start = Instant::now();
        timer.set(Some(start + Duration::from_millis(20)), start);
        timer.set(Some(start + Duration::from_millis(120)), start);
        let epoch = fired(&events);
        assert!(start.elapsed() >= Duration::from_millis(120), "not early");
        assert!(timer.is_current(epoch));
    }

    #[test]
    fn a_far_deadline_moved_later_is_left_to_fire_early_once() {
        let (mut timer, _events) = timer();
        let now = Instant::now();
        timer.set(Some(now + Duration::from_secs(3600)), now);
        let armed_epoch = timer.epoch;
        timer.set(Some(now + Duration::from_secs(7200)), now);
        timer.set(None, now);
        assert_eq!(timer.epoch, armed_epoch, "nothing was sent to the thread");
        timer.set(Some(now + Duration::from_secs(1800)), now);
        assert_eq!(timer.epoch, armed_epoch + 1, "sooner is always sent");
    }

    #[test]
    fn the_thread_ends_with_its_handle() {
        let (timer, events) = timer();
        drop(timer);
        // The thread held the only other sender: once it is gone the channel closes.
        assert_eq!(
            events.recv_timeout(PATIENCE).unwrap_err(),
            crossbeam_channel::RecvTimeoutError::Disconnected
        );
    }
}
