//! The netcat hint: a client that says no word of telnet within a while is told how to
//! play without it (netcat sends whole lines, so a key counts only after Enter). Pure.

use crate::game::GuestId;
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// What a silent client is told.
pub const NETCAT_HINT: &str = "Not a telnet client? Type r, p or s and press Enter to play.";

/// The guests who have not spoken telnet yet, and when each is due their hint.
#[derive(Clone, Debug)]
pub struct Hints {
    after: Duration,
    /// In order of arrival, which is also the order of their deadlines.
    due: VecDeque<(Instant, GuestId)>,
}

impl Hints {
    /// Hints given `after` this long of telnet silence.
    pub fn new(after: Duration) -> Hints {
        Hints {
            after,
            due: VecDeque::new(),
        }
    }

    /// `guest` connected at `now`: their hint is due unless they speak telnet first.
    pub fn arrived(&mut self, guest: GuestId, now: Instant) {
        self.due.push_back((now + self.after, guest));
    }

    /// `guest` spoke telnet, or left: no hint, and no deadline left to wake anyone.
    pub fn cancel(&mut self, guest: GuestId) {
        self.due.retain(|&(_, g)| g != guest);
    }

    /// When the next hint is due.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.due.front().map(|&(at, _)| at)
    }

    /// The next guest whose hint is due at `now`, each once; call until `None`.
    pub fn poll_due(&mut self, now: Instant) -> Option<GuestId> {
        let &(at, guest) = self.due.front()?;
        (at <= now).then(|| {
            self.due.pop_front();
            guest
        })
    }

    pub fn clear(&mut self) {
        self.due.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_silent_guest_is_due_once_and_a_guest_who_spoke_never() {
        let start = Instant::now();
        let at = |ms: u64| start + Duration::from_millis(ms);
        let mut hints = Hints::new(Duration::from_secs(2));
        hints.arrived(GuestId(1), at(0));
        hints.arrived(GuestId(2), at(500));
        hints.arrived(GuestId(3), at(700));
        hints.cancel(GuestId(2));
        assert_eq!(hints.poll_timeout(), Some(at(2000)));
        assert_eq!(hints.poll_due(at(1999)), None);
        assert_eq!(hints.poll_due(at(2000)), Some(GuestId(1)));
        assert_eq!(hints.poll_due(at(2000)), None);
        assert_eq!(
            hints.poll_timeout(),
            Some(at(2700)),
            "the cancelled deadline is gone, so nothing wakes at 2.5 s"
        );
        assert_eq!(hints.poll_due(at(9000)), Some(GuestId(3)));
        assert_eq!(hints.poll_timeout(), None);
    }
}
