//! The guest's clock: silence, then the last seconds counted aloud, then the time-out.
//! Pure: no IO and no clock inside; the caller passes `now` and asks when to call again.

use std::time::{Duration, Instant};

/// How long a guest may take, and how many of the last whole seconds are counted aloud.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClockSettings {
    pub timeout: Duration,
    pub count_from: u32,
}

impl Default for ClockSettings {
    fn default() -> Self {
        ClockSettings {
            timeout: Duration::from_secs(10),
            count_from: 5,
        }
    }
}

/// What the clock has to say when a deadline passes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tick {
    /// Say this many seconds are left.
    Say(u32),
    /// Time is up.
    TimedOut,
}

/// A running clock for one guest: armed when they join and after every game.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Countdown {
    expires: Instant,
    /// The next number to say; 0 once only the time-out is left.
    next_number: u32,
    expired: bool,
}

impl Countdown {
    /// Starts the clock at `now`. Only whole seconds that fit in the timeout are counted,
    /// so a 2.5 s timeout with a count from 5 says `2` and `1`.
    pub fn start(now: Instant, settings: ClockSettings) -> Countdown {
        let whole_seconds = settings.timeout.as_secs().min(u64::from(u32::MAX)) as u32;
        Countdown {
            expires: now + settings.timeout,
            next_number: settings.count_from.min(whole_seconds),
            expired: false,
        }
    }

    /// When the clock next has something to say; `None` once it has timed out.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.expired {
            None
        } else {
            Some(self.expires - Duration::from_secs(u64::from(self.next_number)))
        }
    }

    /// Returns what is due at `now`, one tick a call; call until `None`. A late caller
    /// still hears every number, in order, before the time-out.
    pub fn poll_tick(&mut self, now: Instant) -> Option<Tick> {
        if now < self.poll_timeout()? {
            return None;
        }
        if self.next_number > 0 {
            let said = self.next_number;
            self.next_number -= 1;
            Some(Tick::Say(said))
        } else {
            self.expired = true;
            Some(Tick::TimedOut)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn settings(timeout: Duration, count_from: u32) -> ClockSettings {
        ClockSettings {
            timeout,
            count_from,
        }
    }

    /// Runs the clock to its end, waking exactly at each deadline it asks for, and
    /// returns each tick with the time since the start.
    fn schedule(settings: ClockSettings) -> Vec<(Duration, Tick)> {
        let start = Instant::now();
        let mut clock = Countdown::start(start, settings);
        let mut heard = Vec::new();
        while let Some(due) = clock.poll_timeout() {
            assert_eq!(
                clock.poll_tick(due - ms(1)),
                None,
                "nothing before the deadline"
            );
            while let Some(tick) = clock.poll_tick(due) {
                heard.push((due - start, tick));
            }
        }
        heard
    }

    #[test]
    fn the_default_clock_is_silent_five_seconds_then_counts_down() {
        let expected: Vec<_> = [(5, Tick::Say(5)), (6, Tick::Say(4)), (7, Tick::Say(3))]
            .into_iter()
            .chain([(8, Tick::Say(2)), (9, Tick::Say(1)), (10, Tick::TimedOut)])
            .map(|(s, tick)| (Duration::from_secs(s), tick))
            .collect();
        assert_eq!(schedule(ClockSettings::default()), expected);
    }

    /// A timeout, the count, and each tick with its time in milliseconds.
    type Case = (Duration, u32, &'static [(u64, Tick)]);

    #[test]
    fn schedules_for_other_settings() {
        let cases: &[Case] = &[
            (
                ms(2500),
                5,
                &[
                    (500, Tick::Say(2)),
                    (1500, Tick::Say(1)),
                    (2500, Tick::TimedOut),
                ],
            ),
            (ms(3000), 1, &[(2000, Tick::Say(1)), (3000, Tick::TimedOut)]),
            (ms(3000), 0, &[(3000, Tick::TimedOut)]),
            (ms(300), 5, &[(300, Tick::TimedOut)]),
            (ms(1000), 1, &[(0, Tick::Say(1)), (1000, Tick::TimedOut)]),
        ];
        for &(timeout, count_from, expected) in cases {
            let expected: Vec<_> = expected.iter().map(|&(t, tick)| (ms(t), tick)).collect();
            assert_eq!(
                schedule(settings(timeout, count_from)),
                expected,
                "{timeout:?} counting from {count_from}"
            );
        }
    }

    #[test]
    fn a_late_caller_hears_every_number_in_order() {
        let start = Instant::now();
        let mut clock = Countdown::start(start, settings(ms(10_000), 3));
        let late = start + ms(60_000);
        let heard: Vec<_> = std::iter::from_fn(|| clock.poll_tick(late)).collect();
        assert_eq!(
            heard,
            [Tick::Say(3), Tick::Say(2), Tick::Say(1), Tick::TimedOut]
        );
        assert_eq!(clock.poll_timeout(), None);
        assert_eq!(
            clock.poll_tick(late),
            None,
            "a timed-out clock stays silent"
        );
    }
}
