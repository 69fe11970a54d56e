//! How fast a guest may type: a token bucket that lets people through and stops a flood
//! with one warning, then a drop. Pure: no IO and no clock inside (time is passed in).

use std::time::{Duration, Instant};

/// How long a warned guest has to slow down before more keys get them dropped.
const GRACE: Duration = Duration::from_secs(1);

/// What to do with one key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Pass it on.
    Allow,
    /// Too fast, for the first time: drop the key and warn the guest.
    Warn,
    /// Too fast, but the guest was just warned: drop the key, say nothing more.
    Discard,
    /// Still too fast after the warning: drop the guest.
    Expel,
}

/// The key rate of one guest.
#[derive(Clone, Copy, Debug)]
pub struct KeyRate {
    /// Keys a second a guest may keep up; 0 means no limit.
    per_second: u32,
    /// Keys in hand, in thousandths so that refills need no floating point.
    milli_tokens: u64,
    last: Instant,
    warned_at: Option<Instant>,
}

impl KeyRate {
    /// A full bucket: a guest may type a burst of `per_second` keys at once (a paste)
    /// and keep up `per_second` keys a second after that.
    pub fn new(per_second: u32, now: Instant) -> KeyRate {
        KeyRate {
            per_second,
            milli_tokens: u64::from(per_second) * 1000,
            last: now,
            warned_at: None,
        }
    }

    /// Judges one key typed at `now`.
    pub fn judge(&mut self, now: Instant) -> Verdict {
        if self.per_second == 0 {
            return Verdict::Allow;
        }
        let capacity = u64::from(self.per_second) * 1000;
        let elapsed = now.saturating_duration_since(self.last);
        // In u128, and capped before it is added: hours of silence at any rate refill
        // the bucket, never overflow it.
        let refill = elapsed.as_micros() * u128::from(self.per_second) / 1000;
        let refill = u64::try_from(refill).unwrap_or(u64::MAX).min(capacity);
        self.milli_tokens = self.milli_tokens.saturating_add(refill).min(capacity);
        self.last = now;
        if self.milli_tokens >= 1000 {
            self.milli_tokens -= 1000;
            return Verdict::Allow;
        }
        match self.warned_at {
            None => {
                self.warned_at = Some(now);
                Verdict::Warn
            }
            Some(at) if now.saturating_duration_since(at) < GRACE => Verdict::Discard,
            Some(_) => Verdict::Expel,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdicts(
        rate: &mut KeyRate,
        start: Instant,
        times_ms: impl Iterator<Item = u64>,
    ) -> Vec<Verdict> {
        times_ms
            .map(|t| rate.judge(start + Duration::from_millis(t)))
            .collect()
    }

    #[test]
    fn a_person_typing_ten_keys_a_second_is_never_warned() {
        let start = Instant::now();
        let mut rate = KeyRate::new(20, start);
        let heard = verdicts(&mut rate, start, (0..600).map(|i| i * 100));
        assert!(heard.iter().all(|&v| v == Verdict::Allow));
    }

    #[test]
    fn a_paste_of_twenty_keys_passes() {
        let start = Instant::now();
        let mut rate = KeyRate::new(20, start);
        let heard = verdicts(&mut rate, start, std::iter::repeat_n(0, 20));
        assert!(heard.iter().all(|&v| v == Verdict::Allow));
    }

    #[test]
    fn a_flood_is_warned_once_then_expelled_after_the_grace() {
        let start = Instant::now();
        let mut rate = KeyRate::new(20, start);
        // 200 keys a second for two seconds.
        let heard = verdicts(&mut rate, start, (0..400).map(|i| i * 5));
        assert_eq!(heard.iter().filter(|&&v| v == Verdict::Warn).count(), 1);
        let expelled_at = heard
            .iter()
            .position(|&v| v == Verdict::Expel)
            .expect("expelled");
        let warned_at = heard.iter().position(|&v| v == Verdict::Warn).unwrap();
        assert!(warned_at < expelled_at);
        assert!(
            (expelled_at - warned_at) * 5 >= 1000,
            "a second of grace after the warning"
        );
        assert!(heard[..warned_at].iter().all(|&v| v == Verdict::Allow));
    }

    #[test]
    fn a_guest_who_slows_down_after_the_warning_plays_on() {
        let start = Instant::now();
        let mut rate = KeyRate::new(20, start);
        let burst = verdicts(&mut rate, start, std::iter::repeat_n(0, 25));
        assert_eq!(burst[20], Verdict::Warn);
        assert_eq!(burst[21], Verdict::Discard);
        let calm = verdicts(&mut rate, start, (1..100).map(|i| 500 + i * 200));
        assert!(calm.iter().all(|&v| v == Verdict::Allow));
    }

    #[test]
    fn zero_means_no_limit() {
        let start = Instant::now();
        let mut rate = KeyRate::new(0, start);
        let heard = verdicts(&mut rate, start, std::iter::repeat_n(0, 100_000));
        assert!(heard.iter().all(|&v| v == Verdict::Allow));
    }

    #[test]
    fn days_of_silence_at_the_fastest_rate_refill_without_overflow() {
        let start = Instant::now();
        let mut rate = KeyRate::new(u32::MAX, start);
        assert_eq!(rate.judge(start), Verdict::Allow);
        let later = start + Duration::from_secs(3 * 86_400);
        assert_eq!(rate.judge(later), Verdict::Allow);
        assert_eq!(rate.milli_tokens, u64::from(u32::MAX) * 1000 - 1000);
    }
}
